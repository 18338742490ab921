//! CPU kernel of the fused STDP training step on spike times: for every output pixel, the
//! channel that survives `inhibit(threshold(conv(x), θ))`, its first crossing time and its dense
//! f32 potentials, from which `convwta` scores and the STDP update follow without any `T`
//! frames (`ops::fused::Conv::stdp_step_times` states the composition it replaces).
//!
//! Lateral inhibition keeps, per pixel, the channel with the largest potential at the pixel's
//! first crossing step (ties → lowest channel), so every decision here compares dense f32
//! potentials: with each other (the winner) and with the threshold (the crossing step). The fast
//! f32 potentials (bucketed by spike time, as in `cpu::fused`) are within `k·p + abs` of the
//! dense ones (`decision_bounds`' argument); only channels whose interval reaches the best lower
//! bound can be the maximum, and those get their dense value (`Field::exact`), so the outcome is the
//! dense path's. The survivor's potentials at its crossing step and at the last step (the sample
//! maximum of `convwta`) are dense values too.

use super::conv::Geometry;
use super::fused::{add_row, decision_bounds, rounding_bound, Field};
use std::sync::atomic::Ordering;

/// The surviving neuron of one output pixel: its channel, first step above the threshold and
/// dense potentials at that step and at the last step.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Survivor {
    pub ch: u32,
    pub t: u8,
    pub v: f32,
    pub last: f32,
}

/// Per number `m` of summed terms: the fast potential above which a channel may have crossed
/// `thr` (`decision_bounds`' low end), and `(k, abs)` with `|dense − fast| <= k·p + abs`,
/// slightly inflated for the f64 arithmetic of the interval ends. Built once per call.
pub(crate) struct StepBounds {
    lo: Vec<f32>,
    slack: Vec<(f64, f64)>,
}

impl StepBounds {
    pub(crate) fn new(rf: usize, thr: f32) -> StepBounds {
        StepBounds {
            lo: (0..=rf as u32).map(|m| decision_bounds(m, thr).0).collect(),
            slack: (0..=rf)
                .map(|m| {
                    let (k, abs) = rounding_bound(m);
                    (k * (1.0 + 1e-9), abs * 2.0)
                })
                .collect(),
        }
    }
}

/// Survivors of every output pixel (`[oh·ow]`, `None` where no channel ever crosses `thr`) of
/// one sample: `tin` `[C, H, W]` spike times (`>= time` = never), `kernel` `[O, C, kh, kw]`
/// non-negative finite f32 and `kt` its channel-last transpose `[C·kh·kw, O]`, `thr >= 0` and
/// `bounds` = `StepBounds::new(C·kh·kw, thr)`.
pub(crate) fn survivors(
    tin: &[u8],
    kernel: &[f32],
    kt: &[f32],
    g: &Geometry,
    time: usize,
    (thr, bounds): (f32, &StepBounds),
) -> Vec<Option<Survivor>> {
    let o = g.outputs;
    let rf = g.channels * g.kh * g.kw;
    let avx2 = super::avx2_fma();
    let mut sums = 0;
    let mut exact = |field: &Field, ch: usize, t: usize| {
        sums += 1;
        field.exact(&kernel[ch * rf..(ch + 1) * rf], t)
    };
    let mut pot = vec![0f32; o];
    let mut field = Field::new(time);
    let mut possible: Vec<(usize, f32)> = Vec::new();
    let mut out = Vec::with_capacity(g.oh * g.ow);
    for i in 0..g.oh {
        for j in 0..g.ow {
            field.fill(tin, g, (i, j));
            pot.fill(0.0);
            let mut m = 0;
            let mut found = None;
            for (t, bucket) in field.buckets.iter().enumerate() {
                if bucket.is_empty() && t > 0 {
                    continue;
                }
                for &r in bucket {
                    let r = r as usize;
                    add_row(avx2, &mut pot, &kt[r * o..(r + 1) * o]);
                }
                m += bucket.len();
                let lo = bounds.lo[m];
                possible.clear();
                possible.extend(
                    pot.iter()
                        .enumerate()
                        .filter(|(_, p)| **p > lo)
                        .map(|(c, p)| (c, *p)),
                );
                if possible.is_empty() {
                    continue;
                }
                let (k, abs) = bounds.slack[m];
                let lower = |p: f32| p as f64 * (1.0 - k) - abs;
                let upper = |p: f32| p as f64 * (1.0 + k) + abs;
                let best_lower = possible
                    .iter()
                    .map(|(_, p)| lower(*p))
                    .fold(f64::MIN, f64::max);
                // Channels in increasing order, strict `>`: the lowest channel wins ties.
                let mut best: Option<(usize, f32)> = None;
                for &(c, p) in &possible {
                    if upper(p) < best_lower {
                        continue;
                    }
                    let v = exact(&field, c, t);
                    if best.is_none_or(|(_, b)| v > b) {
                        best = Some((c, v));
                    }
                }
                if let Some((c, v)) = best.filter(|(_, v)| *v > thr) {
                    found = Some((c, t, v));
                    break;
                }
            }
            out.push(found.map(|(c, t, v)| Survivor {
                ch: c as u32,
                t: t as u8,
                v,
                last: if t + 1 == time {
                    v
                } else {
                    exact(&field, c, time - 1)
                },
            }));
        }
    }
    super::fused::EXACT_SUMS.fetch_add(sums, Ordering::Relaxed);
    out
}
