//! CPU kernels of the `fire` family: fire (rank and rate code), threshold, quantize, gather,
//! scatter (spec §4.1–4.5).
//!
//! Every kernel is generic over the input element `T` and (where there is one) the output element
//! `O`. Inputs were validated by `crate::ops::fire`; shapes arrive flattened to `[B, T, N]` or
//! `[B, N]`. Work is split into fixed-size pieces independent of the thread count, and every output
//! element is computed by exactly one task in a fixed order, so results never depend on threads.

use crate::{f16, Element};
use rayon::prelude::*;

/// Elements per task of the element-wise kernels (big enough to amortise scheduling, small
/// enough to balance).
const CHUNK: usize = 1 << 15;
/// Features per task of the kernels that walk the time axis.
const FEATURES: usize = 1 << 12;

/// The per-type comparisons whose arithmetic the original leaves to C++ promotion rules.
pub(crate) trait NeuronElement: Element {
    /// `level + threshold < x` as the original evaluates it: 8/16-bit integers are promoted to
    /// `int` (no overflow), 32/64-bit integers wrap, f16 rounds the sum to half precision.
    fn rises_above(level: Self, threshold: Self, x: Self) -> bool;
    /// `t >= x` with the original's unsigned 32-bit time `t`: floats compare `t` converted to
    /// the float type (f32 for f16), signed integers of up to 32 bits are reinterpreted as
    /// unsigned 32-bit (so negatives never fire), 64-bit types compare in their own type.
    fn reached(t: u32, x: Self) -> bool;
}

macro_rules! neuron_promoted {
    ($($t:ty),*) => {$(
        impl NeuronElement for $t {
            #[inline(always)]
            fn rises_above(level: Self, threshold: Self, x: Self) -> bool {
                (level as i32) + (threshold as i32) < (x as i32)
            }
            #[inline(always)]
            fn reached(t: u32, x: Self) -> bool {
                t >= (x as i32) as u32
            }
        }
    )*};
}
neuron_promoted!(i8, i16, u8, u16);

macro_rules! neuron_wrapping {
    ($($t:ty => |$tv:ident, $xv:ident| $reached:expr),*) => {$(
        impl NeuronElement for $t {
            #[inline(always)]
            fn rises_above(level: Self, threshold: Self, x: Self) -> bool {
                level.wrapping_add(threshold) < x
            }
            #[inline(always)]
            fn reached($tv: u32, $xv: Self) -> bool {
                $reached
            }
        }
    )*};
}
neuron_wrapping!(
    i32 => |t, x| t >= x as u32,
    u32 => |t, x| t >= x,
    i64 => |t, x| t as i64 >= x,
    u64 => |t, x| t as u64 >= x
);

impl NeuronElement for f16 {
    #[inline(always)]
    fn rises_above(level: Self, threshold: Self, x: Self) -> bool {
        // The exact sum of two halves rounded once to f32 and then to f16 is correctly rounded
        // (24 >= 2 * 11 + 2), which is what the original's half arithmetic yields.
        f16::from_f32(level.to_f32() + threshold.to_f32()).to_f32() < x.to_f32()
    }
    #[inline(always)]
    fn reached(t: u32, x: Self) -> bool {
        t as f32 >= x.to_f32()
    }
}

impl NeuronElement for f32 {
    #[inline(always)]
    fn rises_above(level: Self, threshold: Self, x: Self) -> bool {
        level + threshold < x
    }
    #[inline(always)]
    fn reached(t: u32, x: Self) -> bool {
        t as f32 >= x
    }
}

impl NeuronElement for f64 {
    #[inline(always)]
    fn rises_above(level: Self, threshold: Self, x: Self) -> bool {
        level + threshold < x
    }
    #[inline(always)]
    fn reached(t: u32, x: Self) -> bool {
        t as f64 >= x
    }
}

/// Runs `f` on the library's pool, or directly when the work is a single task (entering the pool
/// costs a thread hop that dominates small calls).
fn run<R: Send>(work: usize, f: impl FnOnce() -> R + Send) -> R {
    if work <= CHUNK {
        f()
    } else {
        crate::runtime::install(f)
    }
}

/// A raw output pointer shared by tasks that write disjoint elements.
#[derive(Clone, Copy)]
struct SharedOut<O>(*mut O);
// SAFETY: tasks holding a copy write disjoint index sets (checked at each use site), and the
// pointee outlives the parallel scope that uses it.
unsafe impl<O: Send> Send for SharedOut<O> {}
unsafe impl<O: Send> Sync for SharedOut<O> {}

/// `f(out_chunk, x_chunk)` over matching `CHUNK`-sized pieces of `out` and `x`, in parallel.
fn zip_chunks<A: Send, B: Sync>(out: &mut [A], x: &[B], f: impl Fn(&mut [A], &[B]) + Sync) {
    run(x.len(), || {
        out.par_chunks_mut(CHUNK)
            .zip(x.par_chunks(CHUNK))
            .for_each(|(o, x)| f(o, x))
    });
}

/// Rank code: `out = x > threshold` (1/0), element-wise over any shape.
pub(crate) fn fire_rank<T: Element, O: Element>(x: &[T], out: &mut [O], threshold: T) {
    // u8 spikes (the usual case) as a branch-free byte store, which the compiler vectorises.
    if O::DTYPE == crate::DType::U8 {
        let out: &mut [u8] = bytemuck::cast_slice_mut(out);
        return zip_chunks(out, x, |o, x| {
            for (o, &v) in o.iter_mut().zip(x) {
                *o = u8::from(v > threshold);
            }
        });
    }
    let (one, zero) = (O::one(), O::zero());
    zip_chunks(out, x, |o, x| {
        for (o, &v) in o.iter_mut().zip(x) {
            *o = if v > threshold { one } else { zero };
        }
    });
}

/// `out[j]` = the first step `t < time` with `rows(t)[j] > threshold`, else `time`, with steps
/// kept as `S` while scanning. Walking backwards leaves the earliest crossing, branch-free.
fn earliest<'a, T: Element, O: Element, S: Copy>(
    rows: impl Fn(usize) -> &'a [T],
    time: usize,
    threshold: T,
    out: &mut [O],
    step: impl Fn(usize) -> S,
    wide: impl Fn(S) -> i64,
) {
    let mut first = vec![step(time); out.len()];
    for t in (0..time).rev() {
        let s = step(t);
        for (f, &v) in first.iter_mut().zip(rows(t)) {
            *f = if v > threshold { s } else { *f };
        }
    }
    for (o, &f) in out.iter_mut().zip(&first) {
        *o = O::from_i64(wide(f));
    }
}

/// [`earliest`] for f32 potentials with AVX2: eight compares and blends per instruction, and an
/// unconditional store (LLVM turns the select of the old value into a masked store, which is
/// microcoded and several times slower on AMD cores).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn earliest_f32_avx2<'a, O: Element>(
    rows: impl Fn(usize) -> &'a [f32],
    time: u32,
    threshold: f32,
    out: &mut [O],
) {
    use std::arch::x86_64::*;
    let n = out.len();
    let mut first = vec![time; n];
    let body = n / 8 * 8;
    let thr = _mm256_set1_ps(threshold);
    for t in (0..time).rev() {
        let row = &rows(t as usize)[..n];
        let step = _mm256_set1_epi32(t as i32);
        for j in (0..body).step_by(8) {
            // SAFETY: j + 8 <= body <= n = row.len() = first.len().
            unsafe {
                let v = _mm256_loadu_ps(row.as_ptr().add(j));
                let f = first.as_mut_ptr().add(j) as *mut __m256i;
                let hit = _mm256_castps_si256(_mm256_cmp_ps::<_CMP_GT_OQ>(v, thr));
                _mm256_storeu_si256(f, _mm256_blendv_epi8(_mm256_loadu_si256(f), step, hit));
            }
        }
        for (f, &v) in first[body..].iter_mut().zip(&row[body..]) {
            *f = if v > threshold { t } else { *f };
        }
    }
    for (o, &f) in out.iter_mut().zip(&first) {
        *o = O::from_i64(i64::from(f));
    }
}

/// Rate code over `[batch, time, n]`: a neuron emits one more spike whenever its potential rises
/// above `threshold` plus the potential at its previous spike; `out` holds the cumulative count
/// (kept in the output type, so it wraps or saturates as the original's does).
pub(crate) fn fire_rate<T: NeuronElement, O: Element>(
    x: &[T],
    out: &mut [O],
    threshold: T,
    (batch, time, n): (usize, usize, usize),
) {
    let chunks = n.div_ceil(FEATURES);
    let dst = SharedOut(out.as_mut_ptr());
    debug_assert_eq!(out.len(), batch * time * n);
    let task = move |task: usize| {
        let dst = dst;
        let (b, c) = (task / chunks, task % chunks);
        let j0 = c * FEATURES;
        let len = FEATURES.min(n - j0);
        let mut level = vec![T::zero(); len];
        let mut count = vec![O::zero(); len];
        for t in 0..time {
            let base = (b * time + t) * n + j0;
            let row = &x[base..base + len];
            for ((l, c), &v) in level.iter_mut().zip(count.iter_mut()).zip(row) {
                if T::rises_above(*l, threshold, v) {
                    *l = v;
                    *c = c.wadd(O::one());
                }
            }
            // SAFETY: task (b, c) is the only writer of out[b, t, j0..j0 + len] for every t,
            // and that range lies inside `out` (len = batch * time * n, j0 + len <= n).
            let o = unsafe { std::slice::from_raw_parts_mut(dst.0.add(base), len) };
            o.copy_from_slice(&count);
        }
    };
    run(x.len(), || {
        (0..batch * chunks).into_par_iter().for_each(task)
    });
}

/// `x <= threshold → value`, in place.
pub(crate) fn threshold<T: Element>(x: &mut [T], threshold: T, value: T) {
    run(x.len(), || {
        x.par_chunks_mut(CHUNK).for_each(|x| {
            for v in x {
                if *v <= threshold {
                    *v = value;
                }
            }
        })
    });
}

/// `x < middle → lower`, otherwise `upper` (NaN → upper), in place.
pub(crate) fn quantize<T: Element>(x: &mut [T], lower: T, middle: T, upper: T) {
    run(x.len(), || {
        x.par_chunks_mut(CHUNK).for_each(|x| {
            for v in x {
                *v = if *v < middle { lower } else { upper };
            }
        })
    });
}

/// Rank code over `[batch, time, n]` → `[batch, n]`: the first step with `x > threshold`, or
/// `time` when there is none, converted to the output type.
pub(crate) fn gather_rank<T: Element, O: Element>(
    x: &[T],
    out: &mut [O],
    threshold: T,
    (_batch, time, n): (usize, usize, usize),
) {
    run(x.len(), || {
        out.par_chunks_mut(n).enumerate().for_each(|(b, ob)| {
            ob.par_chunks_mut(FEATURES).enumerate().for_each(|(c, oc)| {
                let j0 = b * time * n + c * FEATURES;
                // 32-bit steps (64-bit for a time axis beyond u32) so that the select
                // vectorises alongside 32-bit potentials.
                let len = oc.len();
                let rows = |t: usize| &x[j0 + t * n..j0 + t * n + len];
                #[cfg(target_arch = "x86_64")]
                if let (true, true, Ok(time), Ok(thr)) = (
                    T::DTYPE == crate::DType::F32,
                    super::avx2_fma(),
                    u32::try_from(time),
                    bytemuck::try_cast::<T, f32>(threshold),
                ) {
                    let rows = |t: usize| -> &[f32] { bytemuck::cast_slice(rows(t)) };
                    // SAFETY: the CPU runs AVX2 (checked just above).
                    return unsafe { earliest_f32_avx2(rows, time, thr, oc) };
                }
                if u32::try_from(time).is_ok() {
                    earliest(rows, time, threshold, oc, |t| t as u32, |f| f as i64);
                } else {
                    earliest(rows, time, threshold, oc, |t| t as i64, |f| f);
                }
            })
        })
    });
}

/// Rate code over `[batch, time, n]` → `[batch, n]`: the last step, converted to the output type.
pub(crate) fn gather_rate<T: Element, O: Element>(
    x: &[T],
    out: &mut [O],
    (_batch, time, n): (usize, usize, usize),
) {
    run(out.len(), || {
        out.par_chunks_mut(n).enumerate().for_each(|(b, ob)| {
            let last = &x[(b * time + time - 1) * n..(b * time + time) * n];
            for (o, &v) in ob.iter_mut().zip(last) {
                *o = v.cast::<O>();
            }
        })
    });
}

/// The smallest `t < time` with `reached(t, x)`, or `time` (binary search: `reached` is
/// monotone in `t`).
fn first_reached<T: NeuronElement>(x: T, time: u32) -> u32 {
    let (mut lo, mut hi) = (0u32, time);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if T::reached(mid, x) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    lo
}

/// `[batch, n]` first-spike times → `[batch, time, n]` cumulative spikes:
/// `out[b, t, j] = t >= x[b, j]` with the original's comparison (`NeuronElement::reached`).
pub(crate) fn scatter<T: NeuronElement, O: Element>(
    x: &[T],
    out: &mut [O],
    (_batch, time, n): (usize, usize, usize),
) {
    let (one, zero) = (O::one(), O::zero());
    run(out.len(), || {
        out.par_chunks_mut(time * n)
            .zip(x.par_chunks(n))
            .for_each(|(ob, xb)| {
                // `reached` is monotone in t, so each element has one first step (or `time`).
                let start: Vec<u32> = xb.iter().map(|&v| first_reached(v, time as u32)).collect();
                ob.par_chunks_mut(n).enumerate().for_each(|(t, row)| {
                    let t = t as u32;
                    for (o, &s) in row.iter_mut().zip(&start) {
                        *o = if t >= s { one } else { zero };
                    }
                });
            })
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition: the first step above the threshold, else `time`.
    fn naive(x: &[f32], (b, time, n): (usize, usize, usize), thr: f32) -> Vec<i64> {
        let mut out = vec![time as i64; b * n];
        for i in 0..b {
            for j in 0..n {
                if let Some(t) = (0..time).find(|&t| x[(i * time + t) * n + j] > thr) {
                    out[i * n + j] = t as i64;
                }
            }
        }
        out
    }

    /// f32 potentials take the AVX2 walk where the CPU has it: every tail length, several
    /// feature chunks, NaN / signed zero / infinite potentials and thresholds.
    #[test]
    fn gather_rank_f32_equals_the_definition() {
        let mut next = crate::cpu::xorshift(11);
        let specials = [f32::NAN, 0.0, -0.0, f32::INFINITY, f32::NEG_INFINITY];
        for (case, &n) in [1, 7, 8, 9, 17, 4095, 4096, 4097, 9001].iter().enumerate() {
            for (b, time) in [(1, 1), (3, 2), (2, 15)] {
                let x: Vec<f32> = (0..b * time * n)
                    .map(|_| {
                        let r = next();
                        if r.is_multiple_of(11) {
                            specials[(r >> 8) as usize % specials.len()]
                        } else {
                            ((r >> 8) % 9) as f32 - 4.0
                        }
                    })
                    .collect();
                for thr in [-0.0, 1.0, f32::NAN, f32::NEG_INFINITY] {
                    let want = naive(&x, (b, time, n), thr);
                    let mut wide = vec![0i64; b * n];
                    gather_rank(&x, &mut wide, thr, (b, time, n));
                    assert_eq!(wide, want, "case {case} n {n} b {b} time {time} thr {thr}");
                    let mut bytes = vec![0u8; b * n];
                    gather_rank(&x, &mut bytes, thr, (b, time, n));
                    let narrow: Vec<u8> = want.iter().map(|&t| t as u8).collect();
                    assert_eq!(bytes, narrow, "case {case} u8");
                }
            }
        }
    }
}
