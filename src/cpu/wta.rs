//! CPU kernels of the `wta` family: per-neuron scores and greedy winner selection (spec §7.2).

use crate::ops::Winner;
use crate::{runtime, Element, Expand2, Result, Scalar, Tensor};
use rayon::prelude::*;
use std::ops::{Add, Div, Mul, RangeInclusive, Sub};

/// The neighbourhood excluded around each winner.
pub(crate) enum Region {
    /// `n` neurons in a row; `radius` neurons on each side.
    Fc { n: usize, radius: usize },
    /// `c` maps of `h × w`; a `radius` rectangle in every map plus the winner's whole map.
    Conv {
        c: usize,
        h: usize,
        w: usize,
        radius: Expand2,
    },
}

/// Float arithmetic in the element type (f16 rounds after every operation, like the original's
/// software half).
pub(crate) trait FloatArith:
    Element + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self> + Div<Output = Self>
{
}
impl<T> FloatArith for T where
    T: Element + Add<Output = T> + Sub<Output = T> + Mul<Output = T> + Div<Output = T>
{
}

/// Winners of every sample of `input` (`[B, T, ...]`, already rank-normalised and validated).
pub(crate) fn select(
    input: &Tensor,
    region: Region,
    count: usize,
    threshold: Scalar,
) -> Result<Vec<Vec<Winner>>> {
    let (b, t) = (input.shape()[0], input.shape()[1]);
    let n = input.numel() / (b * t);
    let dt = input.dtype();
    if dt.is_float() {
        crate::with_float_dtype!(dt, T => {
            let guard = input.read::<T>()?;
            let data: &[T] = &guard;
            let thr = threshold.to::<T>();
            Ok(per_sample(b, |i| {
                let s = float_scores(&data[i * t * n..(i + 1) * t * n], t, n, thr);
                pick_float(s, &region, count)
            }))
        }, else unreachable!("checked to be a float dtype"))
    } else {
        crate::with_dtype!(dt, T => {
            let guard = input.read::<T>()?;
            let data: &[T] = &guard;
            Ok(per_sample(b, |i| {
                let s = spike_scores(&data[i * t * n..(i + 1) * t * n], t, n);
                pick(s, 0u16, |v| v == 0, &region, count)
            }))
        })
    }
}

fn per_sample(b: usize, f: impl Fn(usize) -> Vec<Winner> + Sync + Send) -> Vec<Vec<Winner>> {
    runtime::install(|| (0..b).into_par_iter().map(f).collect())
}

/// Potential scores: `(T-1-t_j) + (x[t_j, j] - min) / (2 (max - min))` with `t_j` the earliest
/// step above `thr`, else the sentinel `lowest`. Min and max span the whole sample, sub-threshold
/// values included, so the fraction stays in `[0, 0.5]` and never outranks an earlier step.
///
/// One pass over the sample (it is read from memory once, not twice), block by block: a block of
/// neurons walks every step before the next block, so its crossings stay in L1 cache. Every block
/// of a step updates per-lane minima and maxima and each neuron's latest-seen crossing (steps run
/// backwards, so the earliest crossing is written last), branch-free so both loops vectorise. The
/// lanes start from `x[0]` and replace on a strict comparison like the original's scalar scan, so
/// a NaN first value stays the result and later NaNs never enter; lanes can only disagree with the
/// scan on the sign of a zero minimum or maximum, which never changes a score (`v - mn` and
/// `mx - mn` differ then only in the sign of a zero, and `K + ±0 = K`, `±0 / d` and `x / ±0` give
/// the same score).
fn float_scores<T: FloatArith>(x: &[T], t: usize, n: usize, thr: T) -> Vec<T> {
    let mut first = vec![NEVER; n];
    #[cfg(target_arch = "x86_64")]
    if let (true, true, Ok(thr)) = (
        T::DTYPE == crate::DType::F32,
        super::avx2_fma(),
        bytemuck::try_cast::<T, f32>(thr),
    ) {
        let x32: &[f32] = bytemuck::cast_slice(x);
        let mut lanes = Lanes::new(x32[0]);
        // SAFETY: the CPU runs AVX2 (checked just above).
        unsafe { crossings_f32_avx2(x32, t, n, thr, &mut lanes, &mut first) };
        let (lo, hi) = lanes.reduce();
        let (mn, mx) = (bytemuck::cast::<f32, T>(lo), bytemuck::cast::<f32, T>(hi));
        return finish(&first, x, n, mn, mx);
    }
    scores_portable(x, t, n, thr, first)
}

/// [`float_scores`] for any float type and CPU.
fn scores_portable<T: FloatArith>(
    x: &[T],
    t: usize,
    n: usize,
    thr: T,
    mut first: Vec<u32>,
) -> Vec<T> {
    let mut lanes = Lanes::new(x[0]);
    for (b, first) in first.chunks_mut(BLOCK).enumerate() {
        let (at, len) = (b * BLOCK, first.len());
        for step in (0..t).rev() {
            let block = &x[step * n + at..step * n + at + len];
            lanes.update(block);
            for (f, &v) in first.iter_mut().zip(block) {
                *f = if v > thr { step as u32 } else { *f };
            }
        }
    }
    let (mn, mx) = lanes.reduce();
    finish(&first, x, n, mn, mx)
}

/// Neurons per block of [`float_scores`].
const BLOCK: usize = 2048;
/// A neuron that never crosses.
const NEVER: u32 = u32::MAX;

/// Per-lane running minima and maxima, replaced on strict comparisons.
struct Lanes<T> {
    lo: [T; 16],
    hi: [T; 16],
}

impl<T: Element> Lanes<T> {
    fn new(start: T) -> Self {
        Lanes {
            lo: [start; 16],
            hi: [start; 16],
        }
    }

    fn update(&mut self, block: &[T]) {
        let (lo, hi) = (&mut self.lo, &mut self.hi);
        let mut chunks = block.chunks_exact(16);
        for c in &mut chunks {
            for k in 0..16 {
                lo[k] = if c[k] < lo[k] { c[k] } else { lo[k] };
                hi[k] = if c[k] > hi[k] { c[k] } else { hi[k] };
            }
        }
        for (k, &v) in chunks.remainder().iter().enumerate() {
            lo[k] = if v < lo[k] { v } else { lo[k] };
            hi[k] = if v > hi[k] { v } else { hi[k] };
        }
    }

    fn reduce(&self) -> (T, T) {
        let (mut mn, mut mx) = (self.lo[0], self.hi[0]);
        for k in 1..16 {
            if self.lo[k] < mn {
                mn = self.lo[k];
            }
            if self.hi[k] > mx {
                mx = self.hi[k];
            }
        }
        (mn, mx)
    }
}

/// The scores from each neuron's first crossing (its potential read back from `x`, `[t, n]`) and
/// the sample's extremes.
fn finish<T: FloatArith>(first: &[u32], x: &[T], n: usize, mn: T, mx: T) -> Vec<T> {
    let t = x.len() / n;
    let d = (mx - mn) * T::from_f64(2.0);
    first
        .iter()
        .enumerate()
        .map(|(j, &f)| match f {
            NEVER => T::lowest(),
            step => float_score(t, step as usize, x[step as usize * n + j], mn, d),
        })
        .collect()
}

/// The block walk of [`float_scores`] for f32 with AVX2: eight lanes per instruction, with
/// `min_ps(v, lo)` / `max_ps(v, hi)` (which return their second operand unless `v` compares
/// strictly below / above it, the scalar rule exactly) and an unconditional store of the blended
/// crossings.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn crossings_f32_avx2(
    x: &[f32],
    t: usize,
    n: usize,
    thr: f32,
    lanes: &mut Lanes<f32>,
    first: &mut [u32],
) {
    use std::arch::x86_64::*;
    let (mut lo0, mut lo1) = (_mm256_set1_ps(x[0]), _mm256_set1_ps(x[0]));
    let (mut hi0, mut hi1) = (lo0, lo1);
    let tv = _mm256_set1_ps(thr);
    for (b, first) in first.chunks_mut(BLOCK).enumerate() {
        let (at, len) = (b * BLOCK, first.len());
        let body = len / 16 * 16;
        for step in (0..t).rev() {
            let block = &x[step * n + at..step * n + at + len];
            let sv = _mm256_set1_epi32(step as i32);
            for j in (0..body).step_by(16) {
                // SAFETY: j + 16 <= body <= len, the length of block and first.
                unsafe {
                    let p = block.as_ptr().add(j);
                    let (v0, v1) = (_mm256_loadu_ps(p), _mm256_loadu_ps(p.add(8)));
                    lo0 = _mm256_min_ps(v0, lo0);
                    lo1 = _mm256_min_ps(v1, lo1);
                    hi0 = _mm256_max_ps(v0, hi0);
                    hi1 = _mm256_max_ps(v1, hi1);
                    let f = first.as_mut_ptr().add(j) as *mut __m256i;
                    for (k, v) in [(0, v0), (1, v1)] {
                        let hit = _mm256_castps_si256(_mm256_cmp_ps::<_CMP_GT_OQ>(v, tv));
                        let old = _mm256_loadu_si256(f.add(k));
                        _mm256_storeu_si256(f.add(k), _mm256_blendv_epi8(old, sv, hit));
                    }
                }
            }
            lanes.update(&block[body..]);
            for (f, &v) in first[body..].iter_mut().zip(&block[body..]) {
                *f = if v > thr { step as u32 } else { *f };
            }
        }
    }
    let mut l = [[0f32; 8]; 4];
    // SAFETY: each store writes one 8-float array.
    unsafe {
        for (a, v) in l.iter_mut().zip([lo0, lo1, hi0, hi1]) {
            _mm256_storeu_ps(a.as_mut_ptr(), v);
        }
    }
    for i in 0..16 {
        let (lo, hi) = (l[i / 8][i % 8], l[2 + i / 8][i % 8]);
        lanes.lo[i] = if lo < lanes.lo[i] { lo } else { lanes.lo[i] };
        lanes.hi[i] = if hi > lanes.hi[i] { hi } else { lanes.hi[i] };
    }
}

/// The score of a neuron first above the threshold at step `t` (of `time`) with potential `v`,
/// given the sample's minimum `mn` and `d = 2 (max - min)`, in the element type's arithmetic.
#[inline]
pub(crate) fn float_score<T: FloatArith>(time: usize, t: usize, v: T, mn: T, d: T) -> T {
    T::from_i64((time - 1 - t) as i64) + (v - mn) / d
}

/// [`pick`] on float scores: the original stops when the best score is within 1e-5 of the
/// sentinel (computed in the element type); NaN scores pass this test.
pub(crate) fn pick_float<T: FloatArith>(s: Vec<T>, region: &Region, count: usize) -> Vec<Winner> {
    let stop = |v: T| (v - T::lowest()).to_f64().abs() < 1e-5;
    pick(s, T::lowest(), stop, region, count)
}

/// Spike scores (integer inputs): `T - t_j` with `t_j` the first non-zero step, 0 if silent.
/// Kept in u16 like the original.
fn spike_scores<T: Element>(x: &[T], t: usize, n: usize) -> Vec<u16> {
    let mut s = vec![0u16; n];
    for step in (0..t).rev() {
        for (j, &v) in x[step * n..(step + 1) * n].iter().enumerate() {
            if v != T::zero() {
                s[j] = (t - step) as u16;
            }
        }
    }
    s
}

/// The rows and columns within `radius` of `(y, x)` in an `h × w` map: the neighbourhood a
/// convolution winner excludes in every channel (shared by the dense and the sparse selection so
/// they cannot drift apart).
fn window(
    y: usize,
    x: usize,
    (h, w): (usize, usize),
    radius: Expand2,
) -> (RangeInclusive<usize>, RangeInclusive<usize>) {
    (
        y.saturating_sub(radius.y)..=y.saturating_add(radius.y).min(h - 1),
        x.saturating_sub(radius.x)..=x.saturating_add(radius.x).min(w - 1),
    )
}

/// Greedy selection: the first maximum (strict `>` scan from index 0, so a NaN at index 0 is
/// kept), stop at the sentinel, record, exclude the neighbourhood.
fn pick<S: Copy + PartialOrd>(
    mut s: Vec<S>,
    lowest: S,
    stop: impl Fn(S) -> bool,
    region: &Region,
    count: usize,
) -> Vec<Winner> {
    let mut out = Vec::new();
    for _ in 0..count {
        let best_i = first_max(&s);
        let best = s[best_i];
        if stop(best) {
            break;
        }
        match *region {
            Region::Fc { n, radius } => {
                out.push(Winner::fc(0, best_i as i64));
                let lo = best_i.saturating_sub(radius);
                let hi = best_i.saturating_add(radius).min(n - 1);
                s[lo..=hi].fill(lowest);
            }
            Region::Conv { c, h, w, radius } => {
                let plane = h * w;
                let (z, y, x) = (best_i / plane, (best_i % plane) / w, best_i % w);
                out.push(Winner::new(0, 0, z as i64, y as i64, x as i64));
                let (rows, cols) = window(y, x, (h, w), radius);
                for ch in 0..c {
                    for row in rows.clone() {
                        let base = ch * plane + row * w;
                        s[base + cols.start()..=base + cols.end()].fill(lowest);
                    }
                }
                s[z * plane..(z + 1) * plane].fill(lowest);
            }
        }
    }
    out
}

/// The index a strict `>` scan from index 0 keeps: the first maximum, or 0 when `s[0]` is NaN
/// (nothing compares above a NaN, and a later NaN never replaces anything). The maximum comes from
/// per-lane strict scans (which vectorise), then the first index holding it; lanes and scan agree
/// up to the sign of a zero maximum, and `==` finds the first zero of either sign, as the scan does.
fn first_max<S: Copy + PartialOrd>(s: &[S]) -> usize {
    const L: usize = 16;
    let mut m = [s[0]; L];
    let mut chunks = s.chunks_exact(L);
    for c in &mut chunks {
        for k in 0..L {
            m[k] = if c[k] > m[k] { c[k] } else { m[k] };
        }
    }
    for (k, &v) in chunks.remainder().iter().enumerate() {
        m[k] = if v > m[k] { v } else { m[k] };
    }
    let mut best = m[0];
    for &v in &m[1..] {
        if v > best {
            best = v;
        }
    }
    if best.partial_cmp(&best).is_none() {
        return 0;
    }
    // Sixteen at a time: a branch-free "any equal" per chunk vectorises, the scan within the
    // chunk that has it runs once.
    let mut chunks = s.chunks_exact(L);
    for (i, c) in (&mut chunks).enumerate() {
        if c.iter().fold(false, |a, &v| a | (v == best)) {
            return i * L + c.iter().position(|&v| v == best).unwrap_or(0);
        }
    }
    let tail = s.len() - chunks.remainder().len();
    tail + chunks
        .remainder()
        .iter()
        .position(|&v| v == best)
        .unwrap_or(0)
}

/// [`pick_float`] over a convolution region whose scores are all `lowest` except `cands`
/// (`(channel, pixel, score)`, at most one per pixel, in increasing `channel·plane + pixel`
/// order): the same winners, without the dense `[C, H, W]` score array. Scores must not be NaN
/// (the caller falls back to the dense selection then).
pub(crate) fn pick_conv_sparse(
    cands: &[(u32, u32, f32)],
    (h, w, radius): (usize, usize, Expand2),
    count: usize,
) -> Vec<Winner> {
    let lowest = <f32 as Element>::lowest();
    let mut alive = vec![true; cands.len()];
    let mut out = Vec::new();
    for _ in 0..count {
        // The dense scan keeps the first maximum in index order, so does this one.
        let mut best = (lowest, usize::MAX);
        for (k, &(_, _, v)) in cands.iter().enumerate() {
            if alive[k] && v > best.0 {
                best = (v, k);
            }
        }
        if best.1 == usize::MAX || (best.0 - lowest).to_f64().abs() < 1e-5 {
            break;
        }
        let (z, p, _) = cands[best.1];
        let (y, x) = (p as usize / w, p as usize % w);
        out.push(Winner::new(0, 0, z as i64, y as i64, x as i64));
        let (rows, cols) = window(y, x, (h, w), radius);
        for (a, &(c, q, _)) in alive.iter_mut().zip(cands) {
            let (qy, qx) = (q as usize / w, q as usize % w);
            if c == z || (rows.contains(&qy) && cols.contains(&qx)) {
                *a = false;
            }
        }
    }
    out
}

#[cfg(test)]
mod sparse_tests {
    use super::*;

    #[test]
    fn sparse_selection_equals_the_dense_one() {
        let mut bits = crate::cpu::xorshift(0x1234_5678_9abc_def1);
        let mut next = move |n: u64| bits() % n;
        for case in 0..300 {
            let (c, h, w) = (
                1 + next(6) as usize,
                1 + next(9) as usize,
                1 + next(9) as usize,
            );
            let plane = h * w;
            let radius = Expand2::new(next(3) as usize, next(3) as usize);
            let count = 1 + next(6) as usize;
            let mut dense = vec![<f32 as Element>::lowest(); c * plane];
            let mut cands = Vec::new();
            for p in 0..plane {
                if next(3) > 0 {
                    let ch = next(c as u64) as usize;
                    // Few distinct values, so ties are common.
                    let v = next(4) as f32 + next(3) as f32 * 0.125;
                    dense[ch * plane + p] = v;
                    cands.push((ch as u32, p as u32, v));
                }
            }
            cands.sort_by_key(|&(ch, p, _)| ch as usize * plane + p as usize);
            let region = Region::Conv { c, h, w, radius };
            let want = pick_float(dense, &region, count);
            let got = pick_conv_sparse(&cands, (h, w, radius), count);
            assert_eq!(got, want, "case {case}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::f16;

    /// The straightforward two-pass scores (the original's order): a scalar min/max scan, then
    /// the crossings.
    fn scan_scores<T: FloatArith>(x: &[T], t: usize, n: usize, thr: T) -> Vec<T> {
        let (mut mn, mut mx) = (x[0], x[0]);
        for &v in x {
            if v < mn {
                mn = v;
            }
            if v > mx {
                mx = v;
            }
        }
        let d = (mx - mn) * T::from_f64(2.0);
        let mut s = vec![T::lowest(); n];
        for step in (0..t).rev() {
            for (j, &v) in x[step * n..(step + 1) * n].iter().enumerate() {
                if v > thr {
                    s[j] = float_score(t, step, v, mn, d);
                }
            }
        }
        s
    }

    fn check<T: FloatArith>(seed: u64) {
        let mut next = crate::cpu::xorshift(seed);
        let specials = [f64::NAN, 0.0, -0.0, f64::INFINITY, f64::NEG_INFINITY, 2.0];
        for case in 0..300 {
            let t = 1 + (next() % 6) as usize;
            let n = 1 + (next() % 5000) as usize;
            // Mostly small non-negative integers (ties, zeros of both signs), sometimes specials,
            // sometimes a sample of zeros only; the first value is special in some cases.
            let zeros_only = case % 17 == 0;
            let x: Vec<T> = (0..t * n)
                .map(|i| {
                    let r = next();
                    let v = if zeros_only {
                        if r.is_multiple_of(2) {
                            0.0
                        } else {
                            -0.0
                        }
                    } else if r.is_multiple_of(97) || (i == 0 && case % 5 == 0) {
                        specials[(r >> 8) as usize % specials.len()]
                    } else {
                        ((r >> 8) % 7) as f64 - (case % 3) as f64
                    };
                    T::from_f64(v)
                })
                .collect();
            for thr in [-1.0, 0.0, 2.5] {
                let thr = T::from_f64(thr);
                let want = scan_scores(&x, t, n, thr);
                let portable = scores_portable(&x, t, n, thr, vec![NEVER; n]);
                let got = float_scores(&x, t, n, thr);
                let bits = |s: &[T]| s.iter().map(|v| v.to_f64().to_bits()).collect::<Vec<_>>();
                assert_eq!(
                    bits(&got),
                    bits(&portable),
                    "case {case}: dispatched vs portable"
                );
                let nan = |s: &[T]| s.iter().map(|v| v.to_f64().is_nan()).collect::<Vec<_>>();
                assert_eq!(nan(&got), nan(&want), "case {case} NaNs");
                let keep = |s: &[T]| {
                    bits(s)
                        .into_iter()
                        .zip(nan(s))
                        .map(|(b, n)| if n { 0 } else { b })
                        .collect::<Vec<_>>()
                };
                assert_eq!(keep(&got), keep(&want), "case {case} t={t} n={n}");
            }
        }
    }

    /// The original's selection scan: strict `>` from index 0.
    fn scan_first_max<S: Copy + PartialOrd>(s: &[S]) -> usize {
        let (mut best_i, mut best) = (0, s[0]);
        for (j, &v) in s.iter().enumerate().skip(1) {
            if v > best {
                best = v;
                best_i = j;
            }
        }
        best_i
    }

    #[test]
    fn first_max_equals_the_strict_scan() {
        let mut next = crate::cpu::xorshift(7);
        let specials = [
            f32::NAN,
            0.0,
            -0.0,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::MIN,
        ];
        for case in 0..3000 {
            let n = 1 + (next() % 70) as usize;
            let x: Vec<f32> = (0..n)
                .map(|_| {
                    let r = next();
                    if r.is_multiple_of(5) {
                        specials[(r >> 8) as usize % specials.len()]
                    } else {
                        ((r >> 8) % 4) as f32 - 2.0
                    }
                })
                .collect();
            assert_eq!(first_max(&x), scan_first_max(&x), "case {case}: {x:?}");
            let h: Vec<f16> = x.iter().map(|&v| f16::from_f32(v)).collect();
            assert_eq!(first_max(&h), scan_first_max(&h), "case {case} f16");
            let u: Vec<u16> = x.iter().map(|&v| (v.abs() as u16) % 3).collect();
            assert_eq!(first_max(&u), scan_first_max(&u), "case {case} u16");
        }
    }

    #[test]
    fn one_pass_scores_equal_the_two_pass_scan() {
        check::<f32>(1);
        check::<f64>(2);
        check::<f16>(3);
    }
}
