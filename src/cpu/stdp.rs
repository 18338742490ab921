//! CPU kernels of the `stdp` family: first-spike times and the STDP weight rule (spec §8.1–8.3).

use crate::nn::STDPConfig;
use crate::{runtime, Element};
use rayon::prelude::*;

/// Marker for "never spiked": the number of time steps.
pub(crate) type Time = u32;

/// First non-zero step of every element of each sample of a `[B, T, N]` block (`T` = never),
/// as `[B, N]`.
pub(crate) fn first_spikes<T: Element>(x: &[T], b: usize, t: usize, n: usize) -> Vec<Time> {
    let mut out = vec![t as Time; b * n];
    runtime::install(|| {
        out.par_chunks_mut(n).enumerate().for_each(|(i, dst)| {
            let sample = &x[i * t * n..(i + 1) * t * n];
            // Later steps first so the earliest spike writes last.
            for step in (0..t).rev() {
                for (d, &v) in dst.iter_mut().zip(&sample[step * n..(step + 1) * n]) {
                    if v != T::zero() {
                        *d = step as Time;
                    }
                }
            }
        })
    });
    out
}

/// [`first_spikes`] of `[B, T, C, H, W]` spikes laid into a zero-padded `[B, C, H+top+bottom,
/// W+left+right]` frame (padding never spikes).
pub(crate) fn first_spikes_padded<T: Element>(
    x: &[T],
    dims: [usize; 5],
    pad: crate::Expand4,
) -> (Vec<Time>, usize, usize) {
    let [b, t, c, h, w] = dims;
    let (hp, wp) = (h + pad.top + pad.bottom, w + pad.left + pad.right);
    let plain = first_spikes(x, b, t, c * h * w);
    let mut out = vec![t as Time; b * c * hp * wp];
    runtime::install(|| {
        out.par_chunks_mut(hp * wp)
            .zip(plain.par_chunks(h * w))
            .for_each(|(dst, src)| {
                for row in 0..h {
                    let d = (row + pad.top) * wp + pad.left;
                    dst[d..d + w].copy_from_slice(&src[row * w..(row + 1) * w]);
                }
            })
    });
    (out, hp, wp)
}

/// The STDP rule on one weight, in f64 with the original's fused multiply-add, rounded back to
/// the kernel type.
#[inline]
pub(crate) fn update<K: Element>(w: &mut K, pre: Time, post: Time, cfg: &STDPConfig) {
    let wf = w.to_f64();
    let rate = if pre <= post {
        cfg.positive
    } else {
        cfg.negative
    };
    let factor = if cfg.stabilize {
        (wf - cfg.lower) * (cfg.upper - wf)
    } else {
        1.0
    };
    // The reference build contracts `w + rate * factor` into one FMA (checked bit for bit).
    let v = rate.mul_add(factor, wf);
    // std::max(lower, std::min(v, upper)): a NaN ends at `lower`, as in the original.
    let v = if cfg.upper < v { cfg.upper } else { v };
    let v = if cfg.lower < v { v } else { cfg.lower };
    *w = K::from_f64(v);
}

/// One update of a conv kernel row (feature map `z`): sample `b`, output position `(y, x)`.
pub(crate) struct ConvJob {
    pub b: usize,
    pub y: usize,
    pub x: usize,
    pub post: Time,
    pub cfg: STDPConfig,
}

/// Geometry of a conv STDP update.
pub(crate) struct ConvGeom {
    pub c: usize,
    pub kh: usize,
    pub kw: usize,
    pub sy: usize,
    pub sx: usize,
    pub hp: usize,
    pub wp: usize,
}

/// Applies the jobs of every feature map (`jobs[z]`, in winner order) to `kernel` `[O, C, kh,
/// kw]`. Maps are independent, so they run in parallel; within a map the order is kept.
pub(crate) fn conv_update<K: Element>(
    kernel: &mut [K],
    jobs: &[Vec<ConvJob>],
    pre: &[Time],
    g: &ConvGeom,
) {
    let row = g.c * g.kh * g.kw;
    let frame = g.hp * g.wp;
    runtime::install(|| {
        kernel
            .par_chunks_mut(row)
            .zip(jobs.par_iter())
            .for_each(|(k, jobs)| {
                for j in jobs {
                    let sample = &pre[j.b * g.c * frame..(j.b + 1) * g.c * frame];
                    let (y0, x0) = (j.y * g.sy, j.x * g.sx);
                    for ch in 0..g.c {
                        for u in 0..g.kh {
                            let src = ch * frame + (y0 + u) * g.wp + x0;
                            let dst = (ch * g.kh + u) * g.kw;
                            for v in 0..g.kw {
                                update(&mut k[dst + v], sample[src + v], j.post, &j.cfg);
                            }
                        }
                    }
                }
            })
    });
}

/// One update of an FC kernel row: sample `b`.
pub(crate) struct FcJob {
    pub b: usize,
    pub post: Time,
    pub cfg: STDPConfig,
}

/// Applies the jobs of every neuron (`jobs[o]`, in winner order) to `kernel` `[O, I]`.
pub(crate) fn fc_update<K: Element>(kernel: &mut [K], jobs: &[Vec<FcJob>], pre: &[Time], i: usize) {
    runtime::install(|| {
        kernel
            .par_chunks_mut(i)
            .zip(jobs.par_iter())
            .for_each(|(k, jobs)| {
                for j in jobs {
                    let p = &pre[j.b * i..(j.b + 1) * i];
                    for (w, &pt) in k.iter_mut().zip(p) {
                        update(w, pt, j.post, &j.cfg);
                    }
                }
            })
    });
}
