//! Fused fast paths for rank-coded networks (docs/PERFORMANCE.md): convolution + fire, and rank
//! pooling, computed on first-spike times instead of `T` cumulative frames.
//!
//! Every function here gives exactly the result of the dense composition it replaces
//! (`fire(conv(x))`, `gather(pool(scatter(x)))`); see `cpu::fused` for how exactness is kept
//! although the dense convolution's f32 summation order is not ours.

use super::{check_time, require_cpu};
use crate::cpu::conv::Geometry;
use crate::cpu::fused as kern;
use crate::{shape, Conv, DType, Element, Error, Expand2, Expand4, Result, Scalar, Tensor};

/// Largest number of time steps the spike-time representation (one byte, `T` = never) holds.
pub const MAX_TIME: usize = 255;

/// Checks a spike-time tensor (`u8`, every value `<= time`) and returns it as a `[B, rest...]`
/// shape of rank `rank` (one leading 1 added when a rank short).
pub(super) fn check_times(
    times: &Tensor,
    time: usize,
    rank: usize,
    what: &str,
) -> Result<Vec<usize>> {
    require_cpu(what, &[times])?;
    check_time(what, time, MAX_TIME)?;
    if times.dtype() != DType::U8 {
        return Err(Error::DType(format!(
            "expected {what} spike times of dtype u8, got {}",
            times.dtype()
        )));
    }
    let s = shape::to_rank(times.shape(), rank, &format!("{what} spike times"))?;
    let data = times.read::<u8>()?;
    if let Some(v) = data.iter().find(|v| **v as usize > time) {
        return Err(Error::Argument(format!(
            "expected {what} spike times in 0..={time} ({time} = never), got {v}"
        )));
    }
    Ok(s)
}

/// First-spike times of rank-coded (cumulative 0/1, at most one spike per neuron) trains.
///
/// `spikes` is `[B, T, ...]` (rank >= 3; a 2-D `[T, N]` is one sample) of any dtype with
/// `T <= 255`. Returns `Some(u8 [B, ...])` holding for each neuron the first step with a 1
/// (`T` when it never fires), which is `gather(spikes)` of the original, or `None` when the input
/// is not rank-coded (a value other than 0/1, or a 1 followed by a 0), so callers can fall back to
/// the dense path.
pub fn rank_times(spikes: &Tensor) -> Result<Option<Tensor>> {
    require_cpu("rank_times", &[spikes])?;
    let s = shape::at_least(spikes.shape(), 3, "rank_times input [B, T, ...]")?;
    let (b, time) = (s[0], s[1]);
    check_time("rank_times", time, MAX_TIME)?;
    let n: usize = s[2..].iter().product();
    let mut out_shape = vec![b];
    out_shape.extend_from_slice(&s[2..]);
    let out = Tensor::zeros_on(spikes.device(), DType::U8, &out_shape)?;
    let ok = crate::with_dtype!(spikes.dtype(), I => {
        let x = spikes.read::<I>()?;
        let mut o = out.write::<u8>()?;
        kern::rank_times::<I>(&x, b, time, n, &mut o)
    });
    Ok(ok.then_some(out))
}

/// Cumulative 0/1 spike trains `u8 [B, time, ...]` from spike times `u8 [B, ...]` (values
/// `<= time`, `time` = never): the inverse of [`rank_times`] (`scatter` of the original).
pub fn times_to_spikes(times: &Tensor, time: usize) -> Result<Tensor> {
    let s = check_times(times, time, times.dims().max(2), "times_to_spikes")?;
    let n: usize = s[1..].iter().product();
    let mut out_shape = vec![s[0], time];
    out_shape.extend_from_slice(&s[1..]);
    let out = Tensor::zeros_on(times.device(), DType::U8, &out_shape)?;
    {
        let t = times.read::<u8>()?;
        let mut o = out.write::<u8>()?;
        kern::times_to_spikes::<u8>(&t, time, n, &mut o);
    }
    Ok(out)
}

/// Validated kernel geometry of a fused convolution over `[B, C, H, W]` spike times.
pub(super) fn geometry(
    ins: &[usize],
    kernel: &Tensor,
    stride: Expand2,
    pad: Expand4,
    time: usize,
) -> Result<(Geometry, Vec<usize>)> {
    let full = [ins[0], time, ins[1], ins[2], ins[3]];
    let (outs, g) = super::conv::geometry(&full, kernel, stride, pad)?;
    Ok((g, outs))
}

/// The kernel as f32 when every weight is finite and non-negative (the fast path's precondition).
pub(super) fn nonnegative_f32(kernel: &Tensor) -> Result<Option<Vec<f32>>> {
    if kernel.dtype() != DType::F32 {
        return Ok(None);
    }
    let k = kernel.read::<f32>()?;
    Ok(k.iter()
        .all(|w| w.is_finite() && *w >= 0.0)
        .then(|| k.to_vec()))
}

/// True when every weight is non-negative (NaN counts as negative), in any float dtype.
fn nonnegative(kernel: &Tensor) -> Result<bool> {
    Ok(crate::with_dtype!(kernel.dtype(), T => {
        let k = kernel.read::<T>()?;
        k.iter().all(|w| *w >= T::zero())
    }))
}

/// First firing time of every neuron of a rank-coded convolutional layer, from spike times:
/// `gather(fire(conv(scatter(times, time), kernel, stride, pad), threshold))` without the
/// `time` convolutions.
///
/// * `times`: `u8 [B, C, H, W]` (or `[C, H, W]`), values in `0..=time`, `time` = never.
/// * `kernel`: `[O, C, kh, kw]`, float, every weight `>= 0` (potentials must only grow; an error
///   otherwise, since the result could not be a spike time).
/// * `threshold`: converted to the kernel dtype as `fire` does; a neuron fires at the first step
///   whose potential is strictly above it.
///
/// Returns `u8 [B, O, H', W']`, identical to the dense path (f32 kernels take the fast kernel,
/// other float kernels the dense one).
pub fn conv_fire_times(
    times: &Tensor,
    time: usize,
    kernel: &Tensor,
    stride: impl Into<Expand2>,
    pad: impl Into<Expand4>,
    threshold: impl Into<Scalar>,
) -> Result<Tensor> {
    let (stride, pad, threshold) = (stride.into(), pad.into(), threshold.into());
    require_cpu("conv_fire_times", &[times, kernel])?;
    let ins = check_times(times, time, 4, "conv_fire_times")?;
    let (g, outs) = geometry(&ins, kernel, stride, pad, time)?;
    let out_shape = [outs[0], outs[2], outs[3], outs[4]];
    let out = Tensor::zeros_on(times.device(), DType::U8, &out_shape)?;
    if let Some(k) = nonnegative_f32(kernel)? {
        let thr = threshold.to::<f32>();
        {
            let t = times.read::<u8>()?;
            let mut o = out.write::<u8>()?;
            kern::conv_fire_times(&t, &k, &g, time, thr, &mut o);
        }
        return Ok(out);
    }
    if !nonnegative(kernel)? {
        return Err(Error::Argument(
            "expected a conv_fire_times kernel with non-negative weights (potentials must not \
             decrease); use conv and fire for other kernels"
                .into(),
        ));
    }
    let spikes = times_to_spikes(&times.reshape_to(&ins)?, time)?;
    let pot = super::conv(&spikes, kernel, stride, pad)?;
    let n = outs[2] * outs[3] * outs[4];
    crate::with_float_dtype!(kernel.dtype(), T => {
        let p = pot.read::<T>()?;
        let mut o = out.write::<u8>()?;
        kern::first_crossing::<T>(&p, threshold.to::<T>(), time, n, &mut o);
    }, else unreachable!("checked float kernel"));
    Ok(out)
}

/// `fire(conv(input, kernel, stride, pad), threshold)` (rank code, u8 spikes), computed on spike
/// times when `input` is rank-coded, the kernel f32 with non-negative finite weights and
/// `T <= 255`; otherwise by the dense path. The result is identical either way:
/// `u8 [B, T, O, H', W']` (always 5-D, like `conv`).
pub fn conv_fire_rank(
    input: &Tensor,
    kernel: &Tensor,
    stride: impl Into<Expand2>,
    pad: impl Into<Expand4>,
    threshold: impl Into<Scalar>,
) -> Result<Tensor> {
    let (stride, pad, threshold) = (stride.into(), pad.into(), threshold.into());
    require_cpu("conv_fire_rank", &[input, kernel])?;
    let ins = shape::to_rank(input.shape(), 5, "a conv input [B,T,C,H,W]")?;
    let time = ins[1];
    if time <= MAX_TIME && nonnegative_f32(kernel)?.is_some() {
        if let Some(times) = rank_times(&input.reshape_to(&ins)?)? {
            let out = conv_fire_times(&times, time, kernel, stride, pad, threshold)?;
            return times_to_spikes(&out, time);
        }
    }
    let pot = super::conv(input, kernel, stride, pad)?;
    let out = Tensor::zeros_on(input.device(), DType::U8, pot.shape())?;
    crate::with_float_dtype!(kernel.dtype(), T => {
        let thr = threshold.to::<T>();
        let p = pot.read::<T>()?;
        let mut o = out.write::<u8>()?;
        for (d, v) in o.iter_mut().zip(p.iter()) {
            *d = u8::from(*v > thr);
        }
    }, else unreachable!("conv checked the kernel dtype"));
    Ok(out)
}

/// Rank pooling on spike times: `gather(pool(scatter(times, time), kernel, stride, pad))`, i.e.
/// the earliest spike time of each window (padding never fires).
///
/// `times`: `u8 [B, C, H, W]` (or `[C, H, W]`) with values in `0..=time`; `stride` `None` means
/// equal to the kernel, as in `pool`. Returns `u8 [B, C, H', W']` with the pool shape rule.
pub fn pool_times(
    times: &Tensor,
    time: usize,
    kernel: impl Into<Expand2>,
    stride: Option<Expand2>,
    pad: impl Into<Expand4>,
) -> Result<Tensor> {
    let kernel = kernel.into().check_min(1, "kernel")?;
    let stride = stride.unwrap_or(kernel).check_min(1, "stride")?;
    let pad = pad.into();
    let ins = check_times(times, time, 4, "pool_times")?;
    let outs = shape::pool(&[ins[0], 1, ins[1], ins[2], ins[3]], kernel, stride, pad)?;
    let out_shape = [outs[0], outs[2], outs[3], outs[4]];
    let out = Tensor::zeros_on(times.device(), DType::U8, &out_shape)?;
    {
        let t = times.read::<u8>()?;
        let mut o = out.write::<u8>()?;
        kern::pool_times(
            &t,
            ins[2],
            ins[3],
            (kernel.y, kernel.x),
            (stride.y, stride.x),
            (pad.top, pad.left),
            (outs[3], outs[4]),
            time,
            &mut o,
        );
    }
    Ok(out)
}

/// `pool_times(conv_fire_times(times, time, kernel, stride, pad, threshold), time, pool_kernel,
/// pool_stride, pool_pad)` in one pass: the convolution outputs that no pooling window reads are
/// not computed (e.g. the last two rows and columns of Rezghi's 14×14 layer 2 under its 3×3
/// pooling), and when windows do not overlap each output's search stops as soon as it cannot
/// lower its window's earliest time. Same arguments, preconditions, errors and result as the
/// composition: `u8 [B, O, H'', W'']`.
#[allow(clippy::too_many_arguments)]
pub fn conv_fire_pool_times(
    times: &Tensor,
    time: usize,
    kernel: &Tensor,
    stride: impl Into<Expand2>,
    pad: impl Into<Expand4>,
    threshold: impl Into<Scalar>,
    pool_kernel: impl Into<Expand2>,
    pool_stride: Option<Expand2>,
    pool_pad: impl Into<Expand4>,
) -> Result<Tensor> {
    let (stride, pad, threshold) = (stride.into(), pad.into(), threshold.into());
    let pk = pool_kernel.into().check_min(1, "pool kernel")?;
    let ps = pool_stride.unwrap_or(pk).check_min(1, "pool stride")?;
    let pp = pool_pad.into();
    require_cpu("conv_fire_pool_times", &[times, kernel])?;
    let ins = check_times(times, time, 4, "conv_fire_pool_times")?;
    let (g, outs) = geometry(&ins, kernel, stride, pad, time)?;
    let pooled = shape::pool(&[outs[0], 1, outs[2], outs[3], outs[4]], pk, ps, pp)?;
    let Some(k) = nonnegative_f32(kernel)? else {
        let fired = conv_fire_times(times, time, kernel, stride, pad, threshold)?;
        return pool_times(&fired, time, pk, Some(ps), pp);
    };
    let out = Tensor::zeros_on(
        times.device(),
        DType::U8,
        &[pooled[0], outs[2], pooled[3], pooled[4]],
    )?;
    {
        let t = times.read::<u8>()?;
        let mut o = out.write::<u8>()?;
        let pool = kern::PoolGeometry {
            kernel: (pk.y, pk.x),
            stride: (ps.y, ps.x),
            pad: (pp.top, pp.left),
            out: (pooled[3], pooled[4]),
        };
        kern::conv_fire_pool_times(&t, &k, &g, time, threshold.to::<f32>(), &pool, &mut o);
    }
    Ok(out)
}

/// `infinite(conv(input, kernel, stride, pad), value)` computing only the convolution of the last
/// time step: every other step is `value` after `infinite`, so its convolution is wasted work
/// (`T - 1` of `T` convolutions; Mozafari's decision layer).
///
/// Same arguments, shapes and dtypes as [`conv`](crate::conv) and the same result bit for bit:
/// the convolution of a frame does not depend on the other frames of the batch. Inputs on a CUDA
/// device take the composition itself (same result, no saving).
pub fn conv_infinite(
    input: &Tensor,
    kernel: &Tensor,
    stride: impl Into<Expand2>,
    pad: impl Into<Expand4>,
    value: impl Into<Scalar>,
) -> Result<Tensor> {
    let (stride, pad, value) = (stride.into(), pad.into(), value.into());
    let ins = shape::to_rank(input.shape(), 5, "a conv input [B,T,C,H,W]")?;
    let (b, t) = (ins[0], ins[1]);
    if t == 0 || !matches!(super::common_device(&[input, kernel])?, crate::Device::Cpu) {
        return crate::infinite(&crate::conv(input, kernel, stride, pad)?, value);
    }
    let frame: usize = ins[2..].iter().product();
    let last = Tensor::zeros(input.dtype(), &[b, 1, ins[2], ins[3], ins[4]])?;
    if frame > 0 {
        crate::with_dtype!(input.dtype(), T => {
            let (src, mut dst) = (input.read::<T>()?, last.write::<T>()?);
            for (n, d) in dst.chunks_exact_mut(frame).enumerate() {
                let at = (n * t + t - 1) * frame;
                d.copy_from_slice(&src[at..at + frame]);
            }
        });
    }
    let pot = crate::conv(&last, kernel, stride, pad)?;
    let ps = pot.shape().to_vec();
    let out = Tensor::full(pot.dtype(), &[b, t, ps[2], ps[3], ps[4]], value)?;
    let per: usize = ps[2..].iter().product();
    if per > 0 {
        crate::with_dtype!(pot.dtype(), T => {
            let (src, mut dst) = (pot.read::<T>()?, out.write::<T>()?);
            for (n, s) in src.chunks_exact(per).enumerate() {
                let at = (n * t + t - 1) * per;
                dst[at..at + per].copy_from_slice(s);
            }
        });
    }
    Ok(out)
}

/// Number of neurons the fast paths have decided by redoing their f32 sum in the dense order
/// (potentials within rounding of the threshold, or compared with each other; diagnostics).
#[doc(hidden)]
pub fn fused_exact_sums() -> usize {
    kern::EXACT_SUMS.load(std::sync::atomic::Ordering::Relaxed)
}

impl Conv {
    /// `fire(self.forward(input), threshold)` as u8 rank spikes, through [`conv_fire_rank`]
    /// (the one-pass fast path when `input` is rank-coded and the kernel non-negative f32).
    pub fn forward_fire(&self, input: &Tensor, threshold: impl Into<Scalar>) -> Result<Tensor> {
        conv_fire_rank(input, &self.kernel, self.stride, self.pad, threshold)
    }

    /// `infinite(self.forward(input), value)` through [`conv_infinite`]: only the last time
    /// step is convolved.
    pub fn forward_infinite(&self, input: &Tensor, value: impl Into<Scalar>) -> Result<Tensor> {
        conv_infinite(input, &self.kernel, self.stride, self.pad, value)
    }

    /// First firing times of this layer from input spike times: [`conv_fire_times`] with the
    /// layer's kernel, stride and padding.
    pub fn forward_fire_times(
        &self,
        times: &Tensor,
        time: usize,
        threshold: impl Into<Scalar>,
    ) -> Result<Tensor> {
        conv_fire_times(times, time, &self.kernel, self.stride, self.pad, threshold)
    }

    /// [`conv_fire_pool_times`] with the layer's kernel, stride and padding: the first firing
    /// times of this layer, rank-pooled, without the outputs the pooling does not read.
    pub fn forward_fire_pool_times(
        &self,
        times: &Tensor,
        time: usize,
        threshold: impl Into<Scalar>,
        pool_kernel: impl Into<Expand2>,
        pool_stride: Option<Expand2>,
        pool_pad: impl Into<Expand4>,
    ) -> Result<Tensor> {
        conv_fire_pool_times(
            times,
            time,
            &self.kernel,
            self.stride,
            self.pad,
            threshold,
            pool_kernel,
            pool_stride,
            pool_pad,
        )
    }
}
