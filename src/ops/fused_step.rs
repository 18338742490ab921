//! The fused STDP training step of a rank-coded convolutional layer (docs/PERFORMANCE.md): the
//! composition `inhibit(threshold(conv(x), θ))` → `convwta` → `stdp` that the reference networks
//! run per batch, computed from spike times with the same winners and the same kernel bits.

use super::fused::{check_times, geometry, nonnegative_f32, times_to_spikes, MAX_TIME};
use super::{require_cpu, Winner, Winners};
use crate::cpu::stdp::{conv_update, ConvGeom, ConvJob, Time};
use crate::cpu::wta::{float_score, pick_conv_sparse, pick_float, Region};
use crate::{shape, Conv, Expand2, Result, Scalar, Tensor};
use rayon::prelude::*;

impl Conv {
    /// One STDP step on the input spikes `input` (`[B,T,C,H,W]` or `[T,C,H,W]`), exactly:
    ///
    /// ```text
    /// pot = self.forward(input); threshold_inplace(pot, threshold, 0); inhibit_inplace(pot, 0);
    /// winners = convwta(pot, radius, count, 0);
    /// self.stdp(input, winners, fire(pot, 0, input.dtype(), Rank)); return winners
    /// ```
    ///
    /// When `input` is rank-coded, `T <= 255`, the kernel f32 with non-negative finite weights,
    /// the layer has at least two output channels and the threshold (as f32) is finite and
    /// `>= 0`, it runs on spike times (no potential frames); otherwise it runs the composition
    /// above. Errors as those operations' (e.g. no `stdpconfig`).
    pub fn stdp_step(
        &mut self,
        input: &Tensor,
        threshold: impl Into<Scalar>,
        radius: impl Into<Expand2>,
        count: usize,
    ) -> Result<Winners> {
        let (threshold, radius) = (threshold.into(), radius.into());
        require_cpu("Conv::stdp_step", &[input, &self.kernel])?;
        let ins = shape::to_rank(input.shape(), 5, "a conv input [B,T,C,H,W]")?;
        if ins[1] <= MAX_TIME && self.fast_step(threshold, count) {
            if let Some(times) = super::rank_times(&input.reshape_to(&ins)?)? {
                return self.stdp_step_times(&times, ins[1], threshold, radius, count);
            }
        }
        self.dense_step(input, threshold, radius, count)
    }

    /// [`Conv::stdp_step`] on input spike times `u8 [B, C, H, W]` (or `[C, H, W]`, values in
    /// `0..=time`, `time` = never), i.e. on `times_to_spikes(times, time)`.
    pub fn stdp_step_times(
        &mut self,
        times: &Tensor,
        time: usize,
        threshold: impl Into<Scalar>,
        radius: impl Into<Expand2>,
        count: usize,
    ) -> Result<Winners> {
        let (threshold, radius) = (threshold.into(), radius.into());
        require_cpu("Conv::stdp_step_times", &[times, &self.kernel])?;
        let ins = check_times(times, time, 4, "Conv::stdp_step_times")?;
        let kernel = match self.fast_step(threshold, count) {
            true => nonnegative_f32(&self.kernel)?,
            false => None,
        };
        let Some(kernel) = kernel else {
            let spikes = times_to_spikes(&times.reshape_to(&ins)?, time)?;
            return self.dense_step(&spikes, threshold, radius, count);
        };
        let (g, outs) = geometry(&ins, &self.kernel, self.stride, self.pad, time)?;
        let thr = threshold.to::<f32>();
        let (o, rf) = (g.outputs, g.channels * g.kh * g.kw);
        let kt = crate::cpu::fused::channel_last(&kernel, o);
        let bounds = crate::cpu::fused_step::StepBounds::new(rf, thr);
        let frame_in = g.channels * g.height * g.width;
        let region = Region::Conv {
            c: o,
            h: outs[3],
            w: outs[4],
            radius,
        };
        let guard = times.read::<u8>()?;
        let t_in: &[u8] = &guard;
        let plane = g.oh * g.ow;
        // Per sample: survivors, convwta scores (the block's minimum is 0: inhibition zeroes all
        // channels but one at every pixel, and potentials are >= 0) and winners.
        let per_sample: Vec<(Vec<Winner>, Vec<Option<crate::cpu::fused_step::Survivor>>)> =
            crate::runtime::install(|| {
                (0..ins[0])
                    .into_par_iter()
                    .map(|b| {
                        let tin = &t_in[b * frame_in..(b + 1) * frame_in];
                        let surv = crate::cpu::fused_step::survivors(
                            tin,
                            &kernel,
                            &kt,
                            &g,
                            time,
                            (thr, &bounds),
                        );
                        let mx = surv.iter().flatten().fold(0f32, |m, s| m.max(s.last));
                        let (mn, d) = (0f32, (mx - 0f32) * 2.0);
                        // At most one scored neuron per pixel: select among those alone,
                        // in the dense score array's index order.
                        let mut cands: Vec<(u32, u32, f32)> = surv
                            .iter()
                            .enumerate()
                            .filter_map(|(p, s)| {
                                let s = s.as_ref()?;
                                let v = float_score(time, s.t as usize, s.v, mn, d);
                                Some((s.ch, p as u32, v))
                            })
                            .collect();
                        cands.sort_unstable_by_key(|&(ch, p, _)| (ch, p));
                        let winners = match cands.iter().any(|c| c.2.is_nan()) {
                            false => pick_conv_sparse(&cands, (outs[3], outs[4], radius), count),
                            true => {
                                let mut scores = vec![<f32 as crate::Element>::lowest(); o * plane];
                                for &(ch, p, v) in &cands {
                                    scores[ch as usize * plane + p as usize] = v;
                                }
                                pick_float(scores, &region, count)
                            }
                        };
                        (winners, surv)
                    })
                    .collect()
            });
        drop(guard);
        let cfg = *self.stdpconfig.first().ok_or_else(|| {
            crate::Error::Argument(
                "Conv::stdp_step: expected at least one STDP configuration in stdpconfig, got none"
                    .into(),
            )
        })?;
        let mut jobs: Vec<Vec<ConvJob>> = (0..o).map(|_| Vec::new()).collect();
        for (b, (winners, surv)) in per_sample.iter().enumerate() {
            for w in winners {
                let (z, y, x) = (w.z as usize, w.y as usize, w.x as usize);
                let post = surv[y * g.ow + x].map_or(time, |s| s.t as usize);
                jobs[z].push(ConvJob {
                    b,
                    y,
                    x,
                    post: post as Time,
                    cfg,
                });
            }
        }
        let pad = self.pad;
        let (h, w) = (g.height, g.width);
        let (hp, wp) = (h + pad.top + pad.bottom, w + pad.left + pad.right);
        let mut pre = vec![time as Time; ins[0] * g.channels * hp * wp];
        {
            let t_in = times.read::<u8>()?;
            for (dst, src) in pre.chunks_mut(hp * wp).zip(t_in.chunks(h * w)) {
                for row in 0..h {
                    let d = &mut dst[(row + pad.top) * wp + pad.left..][..w];
                    for (d, s) in d.iter_mut().zip(&src[row * w..(row + 1) * w]) {
                        *d = (*s as usize).min(time) as Time;
                    }
                }
            }
        }
        let geom = ConvGeom {
            c: g.channels,
            kh: g.kh,
            kw: g.kw,
            sy: g.sy,
            sx: g.sx,
            hp,
            wp,
        };
        conv_update(&mut self.kernel.write::<f32>()?, &jobs, &pre, &geom);
        Ok(per_sample.into_iter().map(|(w, _)| w).collect())
    }

    /// Whether the layer and arguments meet the spike-time step's preconditions (besides a
    /// rank-coded input and non-negative finite weights).
    fn fast_step(&self, threshold: Scalar, count: usize) -> bool {
        let thr = threshold.to::<f32>();
        // count == 0 goes to the dense path, which reports the error.
        count > 0
            && self.kernel.dtype() == crate::DType::F32
            && self.kernel.shape()[0] >= 2
            && thr.is_finite()
            && thr >= 0.0
    }

    /// The reference composition of [`Conv::stdp_step`].
    fn dense_step(
        &mut self,
        input: &Tensor,
        threshold: Scalar,
        radius: Expand2,
        count: usize,
    ) -> Result<Winners> {
        let pot = self.forward(input)?;
        super::threshold_inplace(&pot, threshold, 0.0)?;
        super::inhibit_inplace(&pot, 0.0)?;
        let winners = super::convwta(&pot, radius, count, 0.0)?;
        let out = super::fire(&pot, 0.0, input.dtype(), super::Code::Rank)?;
        self.stdp(input, &winners, &out)?;
        Ok(winners)
    }
}
