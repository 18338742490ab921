//! CPU kernels of the `code` family: spike times (linear latency or rank order), cumulative rank
//! trains, Poisson rate trains, and `infinite`.
//!
//! Coding runs in two passes: every sample's spike times `τ` are computed first (generic over the
//! input type), then the trains are written (generic over the output type). That keeps the number
//! of monomorphised kernels at 11 + 11 instead of 11 × 11, and lets `code_into` accept an output
//! that shares memory with its input.

use crate::cpu::introsort;
use crate::runtime::rng::{GlibcRand, Mt19937};
use crate::{f16, Element, Error, Result};
use parking_lot::Mutex;
use rayon::prelude::*;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

/// Bins per row of a Poisson interval table (the original indexes rows with `r() & 1023`).
const BINS: usize = 1024;

/// Element types that can be latency-coded: the linear rule differs per type because the
/// original follows C++ promotion (spec §3.2).
pub(crate) trait Latency: Element {
    /// `x - mn` and `mx - mn` as the original computes them, converted to f32.
    fn diffs(x: Self, mn: Self, mx: Self) -> (f32, f32);

    /// The linear spike time `trunc(end - scale·(x - mn))` with `scale = end / (mx - mn)`;
    /// `mx > mn` is guaranteed by the caller.
    #[inline]
    fn linear(x: Self, mn: Self, mx: Self, end: f32) -> u32 {
        let (d, range) = Self::diffs(x, mn, mx);
        let scale = end / range;
        // The reference binary contracts `end - scale * d` into one FMA.
        to_u16((-scale).mul_add(d, end))
    }
}

/// Float → u16 as the reference build converts in-range values (truncation); values here lie in
/// `[0, end]` up to rounding, so the clamp only guards against a tiny negative result.
#[inline]
fn to_u16(v: f32) -> u32 {
    v.clamp(0.0, 65535.0) as u32
}

macro_rules! small_int_latency {
    ($($t:ty),*) => {$(
        impl Latency for $t {
            #[inline]
            fn diffs(x: Self, mn: Self, mx: Self) -> (f32, f32) {
                // 8/16-bit operands are promoted to int, so the difference cannot wrap.
                ((x as i32 - mn as i32) as f32, (mx as i32 - mn as i32) as f32)
            }
        }
    )*};
}
small_int_latency!(i8, i16, u8, u16);

macro_rules! wide_int_latency {
    ($($t:ty),*) => {$(
        impl Latency for $t {
            #[inline]
            fn diffs(x: Self, mn: Self, mx: Self) -> (f32, f32) {
                // Computed in the type itself, wrapping like the reference build on overflow.
                (x.wrapping_sub(mn) as f32, mx.wrapping_sub(mn) as f32)
            }
        }
    )*};
}
wide_int_latency!(i32, i64, u32, u64);

impl Latency for f16 {
    #[inline]
    fn diffs(x: Self, mn: Self, mx: Self) -> (f32, f32) {
        // Half-precision subtraction: the exact f32 difference rounded once to f16.
        let d = |a: f16, b: f16| f16::from_f32(a.to_f32() - b.to_f32()).to_f32();
        (d(x, mn), d(mx, mn))
    }
}

impl Latency for f32 {
    #[inline]
    fn diffs(x: Self, mn: Self, mx: Self) -> (f32, f32) {
        (x - mn, mx - mn)
    }
}

impl Latency for f64 {
    #[inline]
    fn diffs(x: Self, mn: Self, mx: Self) -> (f32, f32) {
        ((x - mn) as f32, (mx - mn) as f32)
    }

    #[inline]
    fn linear(x: Self, mn: Self, mx: Self, end: f32) -> u32 {
        // The original keeps f64 here except for `scale`, which it stores in an f32.
        let end = end as f64;
        let scale = (end / (mx - mn)) as f32 as f64;
        let v = (-scale).mul_add(x - mn, end);
        v.clamp(0.0, 65535.0) as u32
    }
}

/// Errors on NaN (any mode) and on infinities (linear mode, where they make every time NaN);
/// rank order handles infinities like any other value.
pub(crate) fn check_values<T: Element>(x: &[T], sort: bool) -> Result<()> {
    if !T::DTYPE.is_float() {
        return Ok(());
    }
    for (i, &v) in x.iter().enumerate() {
        let f = v.to_f64();
        if f.is_nan() || (!sort && f.is_infinite()) {
            return Err(bad_value(f, i));
        }
    }
    Ok(())
}

/// The error for the first rejected value `f` (NaN, or an infinity in linear mode) at flat index
/// `i`; shared with the CUDA check.
pub(crate) fn bad_value(f: f64, i: usize) -> Error {
    if f.is_nan() {
        Error::Argument(format!(
            "expected code input without NaN, got NaN at flat index {i}"
        ))
    } else {
        Error::Argument(format!(
            "expected finite code input for linear coding (sort = false), got {f} at flat index \
             {i}"
        ))
    }
}

/// Spike times of one sample. A feature with `τ >= time` never spikes.
fn sample_latencies<T: Latency>(x: &[T], time: usize, sort: bool, tau: &mut [u32]) {
    let end = time as f32 + 1e-5f32;
    let (mut mn, mut mx) = (x[0], x[0]);
    for &v in &x[1..] {
        if v < mn {
            mn = v;
        }
        if v > mx {
            mx = v;
        }
    }
    if mn == mx {
        // The original divides by zero here; its build fires every feature at t = 0, which we
        // keep (spec §3.2, §14.5).
        tau.fill(0);
        return;
    }
    if !sort {
        for (t, &v) in tau.iter_mut().zip(x) {
            *t = T::linear(v, mn, mx, end);
        }
        return;
    }
    let greater = x.iter().filter(|&&v| v > mn).count();
    let scale = end / greater as f32;
    let time_of = |r: usize| to_u16(r as f32 * scale);
    if !ranks_in_any_order(x, mn, greater, time as u32, time_of, tau) {
        ranks_in_introsort_order(x, greater, time as u32, time_of, tau);
    }
}

/// Spike times from a fast sort of the features above the minimum only. Which of several equal
/// values gets which rank follows the original's introsort, but that only shows when their ranks
/// fall into two time bins; then this returns `false` (leaving `tau` to be overwritten) and the
/// caller replays the introsort. Everywhere else the ranks and so the times are the same.
fn ranks_in_any_order<T: Element>(
    x: &[T],
    mn: T,
    greater: usize,
    time: u32,
    time_of: impl Fn(usize) -> u32,
    tau: &mut [u32],
) -> bool {
    if u32::try_from(x.len()).is_err() {
        return false;
    }
    let mut order: Vec<(T, u32)> = Vec::with_capacity(greater);
    order.extend(
        (0u32..)
            .zip(x)
            .filter(|&(_, &v)| v > mn)
            .map(|(j, &v)| (v, j)),
    );
    // NaN is rejected before coding, so the order is total.
    order.sort_unstable_by(|p, q| q.0.partial_cmp(&p.0).unwrap_or(std::cmp::Ordering::Equal));
    let split_tie = order
        .windows(2)
        .enumerate()
        .any(|(r, w)| w[0].0 == w[1].0 && time_of(r) != time_of(r + 1));
    if split_tie {
        return false;
    }
    // Minimum-valued features never spike. The original computes `r·scale` in u16 and lets it
    // wrap for large inputs, so some of them fire (spec §14.4); we do not.
    tau.fill(time);
    for (r, &(_, j)) in order.iter().enumerate() {
        tau[j as usize] = time_of(r);
    }
    true
}

/// Spike times from the original's order: all features sorted by value by libstdc++'s introsort,
/// which decides where equal values land.
fn ranks_in_introsort_order<T: Element>(
    x: &[T],
    greater: usize,
    time: u32,
    time_of: impl Fn(usize) -> u32,
    tau: &mut [u32],
) {
    // Ranks from `greater` on are the minimum-valued features: they never spike (spec §14.4).
    let mut spike = |r: usize, j: usize| tau[j] = if r < greater { time_of(r) } else { time };
    // The original sorts feature indices by value; sorting (value, index) pairs by value makes
    // the same comparisons and moves (the order depends only on the comparisons), without the
    // indirect loads. 32-bit indices where they fit.
    if u32::try_from(x.len()).is_ok() {
        let order = by_value(x, |j| j as u32);
        order
            .iter()
            .enumerate()
            .for_each(|(r, &(_, j))| spike(r, j as usize));
    } else {
        let order = by_value(x, |j| j);
        order
            .iter()
            .enumerate()
            .for_each(|(r, &(_, j))| spike(r, j));
    }
}

/// `(x[j], index(j))` sorted by value, largest first, by libstdc++'s introsort.
fn by_value<T: Element, I: Copy>(x: &[T], index: impl Fn(usize) -> I) -> Vec<(T, I)> {
    let mut order: Vec<(T, I)> = x.iter().enumerate().map(|(j, &v)| (v, index(j))).collect();
    introsort::sort(&mut order, &|p: (T, I), q: (T, I)| p.0 > q.0);
    order
}

/// Spike times of every sample of `input` (`n` features per sample), in input order.
pub(crate) fn latencies<T: Latency>(input: &[T], n: usize, time: usize, sort: bool) -> Vec<u32> {
    let mut tau = vec![0u32; input.len()];
    crate::runtime::install(|| {
        tau.par_chunks_mut(n)
            .zip(input.par_chunks(n))
            .for_each(|(t, x)| sample_latencies(x, time, sort, t));
    });
    tau
}

/// Cumulative rank trains: `out[b, t, j] = 1` once `t >= τ[b, j]`.
pub(crate) fn rank<O: Element>(tau: &[u32], out: &mut [O], n: usize, time: usize) {
    crate::runtime::install(|| {
        out.par_chunks_mut(n * time)
            .zip(tau.par_chunks(n))
            .for_each(|(o, tau)| {
                #[cfg(target_arch = "x86_64")]
                if super::avx2_fma() {
                    // SAFETY: the CPU reports AVX2.
                    unsafe { rank_sample_avx2(tau, o, n) };
                    return;
                }
                rank_sample(tau, o, n)
            });
    });
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn rank_sample_avx2<O: Element>(tau: &[u32], out: &mut [O], n: usize) {
    rank_sample(tau, out, n)
}

/// One sample's frames `[time, n]` from its spike times.
#[inline(always)]
fn rank_sample<O: Element>(tau: &[u32], out: &mut [O], n: usize) {
    for (t, row) in out.chunks_mut(n).enumerate() {
        let t = u32::try_from(t).unwrap_or(u32::MAX);
        for (y, &s) in row.iter_mut().zip(tau) {
            *y = if s <= t { O::one() } else { O::zero() };
        }
    }
}

/// Cumulative Poisson spike counts (spec §3.3). Sample `b` draws from its own mt19937 seeded with
/// `seed + b`, so the result does not depend on how samples are spread over threads.
pub(crate) fn rate<O: Element>(
    tau: &[u32],
    out: &mut [O],
    n: usize,
    time: usize,
    seed: u32,
    table: &[u16],
) {
    crate::runtime::install(|| {
        out.par_chunks_mut(n * time)
            .zip(tau.par_chunks(n))
            .enumerate()
            .for_each(|(b, (o, tau))| {
                let mut g = Mt19937::new(seed.wrapping_add(b as u32));
                rate_sample(tau, o, n, time, &mut g, table);
            });
    });
}

fn rate_sample<O: Element>(
    tau: &[u32],
    out: &mut [O],
    n: usize,
    time: usize,
    g: &mut Mt19937,
    table: &[u16],
) {
    // A draw always consumes one generator output, even for a feature whose row lies past the
    // table (the original reads out of bounds there; we treat it as "never spikes" and keep the
    // generator in step so that the other features still match).
    let mut draw = |s: u32| -> Option<u16> {
        let r = g.next_u32() as usize & (BINS - 1);
        let s = s as usize;
        (s < time).then(|| table[s * BINS + r])
    };
    let mut next: Vec<Option<u16>> = tau.iter().map(|&s| draw(s)).collect();
    let mut count = vec![0u32; n];
    for (t, row) in out.chunks_mut(n).enumerate() {
        for j in 0..n {
            if let Some(at) = next[j] {
                if at as usize == t {
                    count[j] += 1;
                    // Intervals are u16 in the original and the sum wraps; a wrapped time lies in
                    // the past and so never matches again, exactly as there.
                    next[j] = draw(tau[j]).map(|d| at.wrapping_add(d));
                }
            }
        }
        for (y, &c) in row.iter_mut().zip(&count) {
            *y = O::from_u32(c);
        }
    }
}

/// Sets every time step but the last of each sample (`[b, t, rest]` view) to `value`.
pub(crate) fn infinite<T: Element>(data: &mut [T], steps: usize, rest: usize, value: T) {
    let keep = (steps - 1) * rest;
    crate::runtime::install(|| {
        data.par_chunks_mut(steps * rest)
            .for_each(|s| s[..keep].fill(value));
    });
}

// ------------------------------------------------------------------------- Poisson tables

/// The C library `rand()` stream of the process (never reseeded by the original, seed 1).
fn c_rand() -> &'static Mutex<GlibcRand> {
    static RAND: OnceLock<Mutex<GlibcRand>> = OnceLock::new();
    RAND.get_or_init(|| Mutex::new(GlibcRand::new(1)))
}

type Tables = HashMap<usize, Arc<Vec<u16>>>;

fn tables() -> &'static Mutex<Tables> {
    static TABLES: OnceLock<Mutex<Tables>> = OnceLock::new();
    TABLES.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The interval table for `time` (`time` rows of 1024 bins), built on first use.
///
/// Rows are built one after the other under the cache lock, so the `rand()` stream is consumed
/// in the same order as the single-threaded original, whatever the thread count.
pub(crate) fn table(time: usize) -> Arc<Vec<u16>> {
    let mut cache = tables().lock();
    if let Some(t) = cache.get(&time) {
        return t.clone();
    }
    let mut rand = c_rand().lock();
    let mut data = vec![0u16; time * BINS];
    for (i, row) in data.chunks_mut(BINS).enumerate() {
        poisson_row(i, row);
        // libstdc++ random_shuffle with rand().
        for j in 1..BINS {
            let q = rand.next_rand() as usize % (j + 1);
            if q != j {
                row.swap(j, q);
            }
        }
    }
    let t = Arc::new(data);
    cache.insert(time, t.clone());
    t
}

/// Row `i` before shuffling: a zero-truncated Poisson(λ = i + 1) histogram of intervals in 1024
/// bins (spec Appendix A.3), computed with the original's f32 arithmetic.
fn poisson_row(i: usize, row: &mut [u16]) {
    let lam = i as i64 + 1;
    let lamf = lam as f32;
    let scale = if i == 0 { 5.0 } else { 4.0 };
    let range = (scale * (lam as f64).sqrt()).ceil() as i64;
    let start = (lam - range).max(1);
    let end = lam + range;
    let mut filled = 0usize;
    // p_k = p_0 · Π_{m<=k} (λ/m), with p_0 = 1/(e^λ − 1). Evaluated incrementally, which performs
    // exactly the same roundings as recomputing the product for every k.
    let mut p = 1.0f32 / (lamf.exp() - 1.0);
    let mut m = 1i64;
    for k in start..=end {
        if p == 0.0 {
            // Every later probability is zero too (large λ underflows immediately).
            break;
        }
        while m <= k {
            p *= lamf / m as f32;
            m += 1;
        }
        let count = ((p * BINS as f32).round_ties_even() as usize).min(BINS - filled);
        row[filled..filled + count].fill(k as u16);
        filled += count;
    }
    row[filled..].fill(lam as u16);
}

/// Drops the cached Poisson interval tables (called by `clear_context`). The `rand()` stream
/// continues, so rebuilt tables differ, as in the original.
pub(crate) fn clear_cache() {
    tables().lock().clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_latency_of_a_ramp() {
        // spec §3.2: [0..9], time 5 -> τ = [5,4,3,3,2,2,1,1,0,0].
        let x: Vec<f32> = (0..10).map(|v| v as f32).collect();
        assert_eq!(latencies(&x, 10, 5, false), [5, 4, 3, 3, 2, 2, 1, 1, 0, 0]);
        let x: Vec<u8> = (0..10).collect();
        assert_eq!(latencies(&x, 10, 5, false), [5, 4, 3, 3, 2, 2, 1, 1, 0, 0]);
    }

    /// The fast rank path must give the introsort order's times whether it keeps its result
    /// (ties inside one bin) or hands over (a tie across bins).
    #[test]
    fn ranks_in_any_order_match_the_introsort_order() {
        let mut next = crate::cpu::xorshift(0x5eed);
        let (mut kept, mut handed_over) = (0, 0);
        for case in 0..400 {
            let n = 1 + (next() % 700) as usize;
            let levels = [2, 5, 40, 1 << 20][case % 4];
            let x: Vec<f32> = (0..n)
                .map(|_| (next() % levels) as f32 * if case % 3 == 0 { -0.5 } else { 0.25 })
                .collect();
            let time = 1 + (next() % 20) as usize;
            let (mut fast, mut exact) = (vec![0; n], vec![0; n]);
            sample_latencies(&x, time, true, &mut fast);
            let mn = x.iter().copied().fold(f32::INFINITY, f32::min);
            if x.iter().all(|&v| v == mn) {
                continue;
            }
            let greater = x.iter().filter(|&&v| v > mn).count();
            let scale = (time as f32 + 1e-5) / greater as f32;
            let time_of = |r: usize| to_u16(r as f32 * scale);
            ranks_in_introsort_order(&x, greater, time as u32, time_of, &mut exact);
            assert_eq!(
                fast, exact,
                "case {case}: n {n}, levels {levels}, time {time}"
            );
            let mut probe = vec![0; n];
            if ranks_in_any_order(&x, mn, greater, time as u32, time_of, &mut probe) {
                kept += 1;
            } else {
                handed_over += 1;
            }
        }
        assert!(
            kept > 50 && handed_over > 50,
            "kept {kept}, handed over {handed_over}"
        );
    }

    #[test]
    fn poisson_rows_are_full_histograms() {
        let mut row = [0u16; BINS];
        poisson_row(0, &mut row);
        assert!(row.iter().all(|&v| (1..=6).contains(&v)));
        let mean = row.iter().map(|&v| v as f64).sum::<f64>() / BINS as f64;
        // E[X | X > 0] for λ = 1 is e/(e − 1) ≈ 1.582.
        assert!((mean - 1.582).abs() < 0.01, "{mean}");
        poisson_row(199, &mut row);
        assert!(row.iter().all(|&v| v == 200));
    }
}
