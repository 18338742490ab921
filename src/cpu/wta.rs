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
/// One pass over the sample (it is read from memory once, not twice): every block of a step
/// updates per-lane minima and maxima and each neuron's latest-seen crossing (steps run backwards,
/// so the earliest crossing is written last), branch-free so both loops vectorise. The lanes start
/// from `x[0]` and replace on a strict comparison like the original's scalar scan, so a NaN first
/// value stays the result and later NaNs never enter; lanes can only disagree with the scan on the
/// sign of a zero minimum or maximum, which never changes a score (`v - mn` and `mx - mn` differ
/// then only in the sign of a zero, and `K + ±0 = K`, `±0 / d` and `x / ±0` give the same score).
fn float_scores<T: FloatArith>(x: &[T], t: usize, n: usize, thr: T) -> Vec<T> {
    const LANES: usize = 16;
    const BLOCK: usize = 2048;
    const NEVER: u32 = u32::MAX;
    let (mut lo, mut hi) = ([x[0]; LANES], [x[0]; LANES]);
    let mut first = vec![NEVER; n];
    let mut value = vec![T::zero(); n];
    for step in (0..t).rev() {
        let row = &x[step * n..(step + 1) * n];
        for (b, block) in row.chunks(BLOCK).enumerate() {
            let mut lanes = block.chunks_exact(LANES);
            for c in &mut lanes {
                for k in 0..LANES {
                    lo[k] = if c[k] < lo[k] { c[k] } else { lo[k] };
                    hi[k] = if c[k] > hi[k] { c[k] } else { hi[k] };
                }
            }
            for (k, &v) in lanes.remainder().iter().enumerate() {
                lo[k] = if v < lo[k] { v } else { lo[k] };
                hi[k] = if v > hi[k] { v } else { hi[k] };
            }
            let at = b * BLOCK;
            let (f, val) = (
                &mut first[at..at + block.len()],
                &mut value[at..at + block.len()],
            );
            for ((f, w), &v) in f.iter_mut().zip(val.iter_mut()).zip(block) {
                let above = v > thr;
                *f = if above { step as u32 } else { *f };
                *w = if above { v } else { *w };
            }
        }
    }
    let (mut mn, mut mx) = (lo[0], hi[0]);
    for k in 1..LANES {
        if lo[k] < mn {
            mn = lo[k];
        }
        if hi[k] > mx {
            mx = hi[k];
        }
    }
    let d = (mx - mn) * T::from_f64(2.0);
    first
        .iter()
        .zip(&value)
        .map(|(&f, &v)| match f {
            NEVER => T::lowest(),
            step => float_score(t, step as usize, v, mn, d),
        })
        .collect()
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
        let mut best_i = 0;
        let mut best = s[0];
        for (j, &v) in s.iter().enumerate().skip(1) {
            if v > best {
                best = v;
                best_i = j;
            }
        }
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
                let (want, got) = (scan_scores(&x, t, n, thr), float_scores(&x, t, n, thr));
                let bits = |s: &[T]| s.iter().map(|v| v.to_f64().to_bits()).collect::<Vec<_>>();
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

    #[test]
    fn one_pass_scores_equal_the_two_pass_scan() {
        check::<f32>(1);
        check::<f64>(2);
        check::<f16>(3);
    }
}
