//! The spike-time fast paths of rank-coded networks (`crate::ops::fused`, `fused_step`): spike
//! times, fused convolution + fire, rank pooling on times and the fused STDP training step.
//!
//! Spike times are `u8` tensors holding for each neuron the first step it fires, `time` meaning
//! never (`time` <= `SPK_MAX_TIME`). Every function gives exactly the result of the dense
//! composition it replaces (docs/PERFORMANCE.md).

use super::*;
use crate::Expand2;

/// First-spike times of rank-coded spike trains `spikes` `[B, T, ...]` (any dtype, `T` <=
/// `SPK_MAX_TIME`): `u8 [B, ...]` holding each neuron's first step with a 1 (`T` = never), i.e. a
/// rank `spk_gather`. When `spikes` is not rank-coded (a value other than 0/1, or a 1 followed by
/// a 0) the call succeeds, sets `*rank_coded` to false and `*out` to NULL; otherwise it sets
/// `*rank_coded` to true and `*out` to the times (caller frees them with `spk_tensor_free`).
#[no_mangle]
pub unsafe extern "C" fn spk_rank_times(
    spikes: *const spk_tensor,
    rank_coded: *mut bool,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        check_out(rank_coded, "rank_coded")?;
        let times = crate::rank_times(tensor(spikes, "spikes")?)?;
        put(rank_coded, "rank_coded", times.is_some())?;
        match times {
            Some(t) => put_tensor(out, "out", t),
            None => put(out, "out", std::ptr::null_mut()),
        }
    })
}

/// Rank-order spike times of `input` `[B, ...]` over `time` steps (1..=`SPK_MAX_TIME`):
/// `u8 [B, ...]` holding each feature's first spike step (`time` = never), the same as
/// `spk_rank_times(spk_encode(input, time, sort, ..., SPK_CODE_RANK))` without the `time`
/// frames. The caller frees `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_code_times(
    input: *const spk_tensor,
    time: usize,
    sort: bool,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let t = crate::code_times(tensor(input, "input")?, time, sort)?;
        put_tensor(out, "out", t)
    })
}

/// Cumulative 0/1 spike trains `u8 [B, time, ...]` from spike times `times` `u8 [B, ...]`
/// (values `<= time`, `time` = never, `time` <= `SPK_MAX_TIME`): the inverse of
/// `spk_rank_times`. The caller frees `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_times_to_spikes(
    times: *const spk_tensor,
    time: usize,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let t = crate::times_to_spikes(tensor(times, "times")?, time)?;
        put_tensor(out, "out", t)
    })
}

/// First firing time of every neuron of a rank-coded convolution from input spike times `times`
/// `u8 [B, C, H, W]` (or `[C, H, W]`, values `<= time`): the result of
/// `gather(fire(convolve(scatter(times, time), kernel, stride, pad), threshold))` without the
/// `time` convolutions. `kernel` `[K, C, kh, kw]` is float with every weight `>= 0` (an error
/// otherwise); `stride[0..2]` (NULL = 1), `pad[0..4]` (NULL = none). Returns `u8 [B, K, H', W']`
/// through `out` (caller frees it).
#[no_mangle]
pub unsafe extern "C" fn spk_conv_fire_times(
    times: *const spk_tensor,
    time: usize,
    kernel: *const spk_tensor,
    stride: *const usize,
    pad: *const usize,
    threshold: f64,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let x = tensor(times, "times")?;
        let k = tensor(kernel, "kernel")?;
        let s = expand2_arg(stride, "stride", Expand2::new(1, 1))?;
        let p = expand4_arg(pad, "pad")?;
        put_tensor(
            out,
            "out",
            crate::conv_fire_times(x, time, k, s, p, threshold)?,
        )
    })
}

/// Rank-coded `u8` spikes of a convolution: `fire(convolve(input, kernel, stride, pad),
/// threshold)` for `input` `[B, T, C, H, W]` (or `[T, C, H, W]`), computed on spike times when
/// `input` is rank-coded, `T <= SPK_MAX_TIME` and `kernel` f32 with non-negative finite weights,
/// by the dense path otherwise (same result either way). Returns `u8 [B, T, K, H', W']` through
/// `out` (caller frees it).
#[no_mangle]
pub unsafe extern "C" fn spk_conv_fire_rank(
    input: *const spk_tensor,
    kernel: *const spk_tensor,
    stride: *const usize,
    pad: *const usize,
    threshold: f64,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let (x, k, s, p) = super::ops::conv_args(input, kernel, stride, pad)?;
        put_tensor(out, "out", crate::conv_fire_rank(x, k, s, p, threshold)?)
    })
}

/// Rank pooling on spike times `times` `u8 [B, C, H, W]` (or `[C, H, W]`, values `<= time`): the
/// earliest time of each window `kernel[0..2]`, stride `stride[0..2]` (NULL = the kernel),
/// padding `pad[0..4]` (NULL = none; padding never fires). Same as `gather(pool(scatter(times)))`.
/// Returns `u8 [B, C, H', W']` through `out` (caller frees it).
#[no_mangle]
pub unsafe extern "C" fn spk_pool_times(
    times: *const spk_tensor,
    time: usize,
    kernel: *const usize,
    stride: *const usize,
    pad: *const usize,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let x = tensor(times, "times")?;
        let (k, s, p, _) = super::ops::pool_args(kernel, stride, pad, std::ptr::null())?;
        put_tensor(out, "out", crate::pool_times(x, time, k, s, p)?)
    })
}

/// `spk_pool_times(spk_conv_fire_times(times, time, kernel, stride, pad, threshold), time,
/// pool_kernel, pool_stride, pool_pad)` in one pass, without the convolution outputs that no
/// pooling window reads: same arguments (`pool_stride` NULL = `pool_kernel`, `pool_pad` NULL =
/// none), errors and result, `u8 [B, K, H'', W'']` through `out` (caller frees it).
#[no_mangle]
pub unsafe extern "C" fn spk_conv_fire_pool_times(
    times: *const spk_tensor,
    time: usize,
    kernel: *const spk_tensor,
    stride: *const usize,
    pad: *const usize,
    threshold: f64,
    pool_kernel: *const usize,
    pool_stride: *const usize,
    pool_pad: *const usize,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let x = tensor(times, "times")?;
        let k = tensor(kernel, "kernel")?;
        let s = expand2_arg(stride, "stride", Expand2::new(1, 1))?;
        let p = expand4_arg(pad, "pad")?;
        if pool_kernel.is_null() {
            return Err(FfiError::Null("pool_kernel"));
        }
        let (pk, ps, pp, _) =
            super::ops::pool_args(pool_kernel, pool_stride, pool_pad, std::ptr::null())?;
        put_tensor(
            out,
            "out",
            crate::conv_fire_pool_times(x, time, k, s, p, threshold, pk, ps, pp)?,
        )
    })
}

/// `infinite(convolve(input, kernel, stride, pad), value)` computing only the last time step's
/// convolution (the others are `value`): same arguments and result, bit for bit, as
/// `spk_convolve` followed by `spk_infinite`, with `1/T` of the work. Returns
/// `[B, T, K, H', W']` in the kernel's float type through `out` (caller frees it).
#[no_mangle]
pub unsafe extern "C" fn spk_conv_infinite(
    input: *const spk_tensor,
    kernel: *const spk_tensor,
    stride: *const usize,
    pad: *const usize,
    value: f64,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let (x, k, s, p) = super::ops::conv_args(input, kernel, stride, pad)?;
        put_tensor(out, "out", crate::conv_infinite(x, k, s, p, value)?)
    })
}

/// `spk_conv_infinite` with the layer's kernel, stride and padding. The caller frees `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_conv_forward_infinite(
    conv: *const spk_conv,
    input: *const spk_tensor,
    value: f64,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let c = &arg(conv, "conv")?.inner;
        put_tensor(
            out,
            "out",
            c.forward_infinite(tensor(input, "input")?, value)?,
        )
    })
}

/// `spk_conv_fire_rank` with the layer's kernel, stride and padding: rank-coded `u8` output spikes
/// `[B, T, K, H', W']` of `input` `[B, T, C, H, W]`. The caller frees `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_conv_forward_fire(
    conv: *const spk_conv,
    input: *const spk_tensor,
    threshold: f64,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let c = &arg(conv, "conv")?.inner;
        put_tensor(
            out,
            "out",
            c.forward_fire(tensor(input, "input")?, threshold)?,
        )
    })
}

/// `spk_conv_fire_times` with the layer's kernel, stride and padding: first firing times
/// `u8 [B, K, H', W']` from input spike times `times` `u8 [B, C, H, W]`. The caller frees `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_conv_forward_fire_times(
    conv: *const spk_conv,
    times: *const spk_tensor,
    time: usize,
    threshold: f64,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let c = &arg(conv, "conv")?.inner;
        let t = c.forward_fire_times(tensor(times, "times")?, time, threshold)?;
        put_tensor(out, "out", t)
    })
}

/// `spk_conv_fire_pool_times` with the layer's kernel, stride and padding: the layer's first
/// firing times, rank-pooled (`pool_stride` NULL = `pool_kernel`, `pool_pad` NULL = none),
/// `u8 [B, K, H'', W'']`. The caller frees `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_conv_forward_fire_pool_times(
    conv: *const spk_conv,
    times: *const spk_tensor,
    time: usize,
    threshold: f64,
    pool_kernel: *const usize,
    pool_stride: *const usize,
    pool_pad: *const usize,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let c = &arg(conv, "conv")?.inner;
        if pool_kernel.is_null() {
            return Err(FfiError::Null("pool_kernel"));
        }
        let (pk, ps, pp, _) =
            super::ops::pool_args(pool_kernel, pool_stride, pool_pad, std::ptr::null())?;
        let t = c.forward_fire_pool_times(tensor(times, "times")?, time, threshold, pk, ps, pp)?;
        put_tensor(out, "out", t)
    })
}

/// One STDP training step of a convolution layer on input spikes `input` `[B, T, C, H, W]` (or
/// `[T, C, H, W]`), exactly the composition the reference networks run per batch:
/// `pot = spk_conv_forward(input); spk_threshold_inplace(pot, threshold, 0);
/// spk_inhibit_inplace(pot, 0); winners = spk_convwta(pot, radius, count, 0);
/// spk_conv_stdp(conv, input, winners, spk_fire(pot, 0, <input dtype>, SPK_CODE_RANK))`.
/// Runs on spike times when `input` is rank-coded and the kernel non-negative f32 (no potential
/// frames), by that composition otherwise. `radius[0..2]` (NULL = 0); `count` >= 1; the layer
/// needs an STDP configuration. The winners are returned through `winners` (caller frees them
/// with `spk_winners_free`).
#[no_mangle]
pub unsafe extern "C" fn spk_conv_stdp_step(
    conv: *mut spk_conv,
    input: *const spk_tensor,
    threshold: f64,
    radius: *const usize,
    count: usize,
    winners: *mut *mut spk_winners,
) -> spk_status {
    guard(|| unsafe {
        check_out(winners, "winners")?;
        let c = &mut arg_mut(conv, "conv")?.inner;
        let r = expand2_arg(radius, "radius", Expand2::new(0, 0))?;
        let w = c.stdp_step(tensor(input, "input")?, threshold, r, count)?;
        put_handle(winners, "winners", spk_winners { inner: w })
    })
}

/// `spk_conv_stdp_step` on input spike times `times` `u8 [B, C, H, W]` (or `[C, H, W]`, values
/// `<= time`, `time` = never), i.e. on `spk_times_to_spikes(times, time)`. The caller frees
/// `*winners` with `spk_winners_free`.
#[no_mangle]
pub unsafe extern "C" fn spk_conv_stdp_step_times(
    conv: *mut spk_conv,
    times: *const spk_tensor,
    time: usize,
    threshold: f64,
    radius: *const usize,
    count: usize,
    winners: *mut *mut spk_winners,
) -> spk_status {
    guard(|| unsafe {
        check_out(winners, "winners")?;
        let c = &mut arg_mut(conv, "conv")?.inner;
        let r = expand2_arg(radius, "radius", Expand2::new(0, 0))?;
        let w = c.stdp_step_times(tensor(times, "times")?, time, threshold, r, count)?;
        put_handle(winners, "winners", spk_winners { inner: w })
    })
}
