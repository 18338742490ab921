//! Spike coding, neurons, padding, pooling, convolution, fully connected, inhibition,
//! winner-take-all, STDP, backprop and Canny: one entry point per public op of `crate::ops`.
//!
//! Naming: `spk_X` returns a new tensor through `out`; `spk_X_into` writes into a caller tensor
//! `output` of the exact result shape and dtype; `spk_X_inplace` modifies `input`.

use super::*;
use crate::{Expand2, Expand4, FcPostTime, Tensor};

// ------------------------------------------------------------------------------------- coding

/// Spike coding of `input` `[B, ...]` over `time` steps (`time` >= 1): rank-order (`code` =
/// `SPK_CODE_RANK`, `sort` orders equal values like the original) or Poisson rate
/// (`SPK_CODE_RATE`, library generator). The result `[B, time, ...]` has element type `dtype`.
/// The caller frees `*out` with `spk_tensor_free`.
#[no_mangle]
pub unsafe extern "C" fn spk_encode(
    input: *const spk_tensor,
    time: i64,
    sort: bool,
    dtype: i32,
    code: i32,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let x = tensor(input, "input")?;
        let t = crate::code_as(x, time, sort, dtype_arg(dtype)?, code_arg(code)?)?;
        put_tensor(out, "out", t)
    })
}

/// `spk_encode` into `output` (shape `[B, time, ...]`, its dtype chooses the element type).
#[no_mangle]
pub unsafe extern "C" fn spk_encode_into(
    input: *const spk_tensor,
    output: *const spk_tensor,
    time: i64,
    sort: bool,
    code: i32,
) -> spk_status {
    guard(|| unsafe {
        let x = tensor(input, "input")?;
        let y = tensor(output, "output")?;
        Ok(crate::code_into(x, y, time, sort, code_arg(code)?)?)
    })
}

/// Keeps only the last time step of potentials `[B, T, ...]`: every earlier step is set to
/// `value` (the original's `infinite`). Returns a modified copy through `out` (caller frees it).
#[no_mangle]
pub unsafe extern "C" fn spk_infinite(
    input: *const spk_tensor,
    value: f64,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        put_tensor(out, "out", crate::infinite(tensor(input, "input")?, value)?)
    })
}

/// `spk_infinite` modifying `input` in place.
#[no_mangle]
pub unsafe extern "C" fn spk_infinite_inplace(input: *const spk_tensor, value: f64) -> spk_status {
    guard(|| unsafe { Ok(crate::infinite_inplace(tensor(input, "input")?, value)?) })
}

// ------------------------------------------------------------------------------------- neurons

/// Integrate-and-fire: spikes of potentials `input` `[B, T, ...]` that exceed `threshold`, as
/// element type `dtype`, rank (first crossing only) or rate (every crossing) coded. The caller
/// frees `*out` with `spk_tensor_free`.
#[no_mangle]
pub unsafe extern "C" fn spk_fire(
    input: *const spk_tensor,
    threshold: f64,
    dtype: i32,
    code: i32,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let x = tensor(input, "input")?;
        let t = crate::fire(x, threshold, dtype_arg(dtype)?, code_arg(code)?)?;
        put_tensor(out, "out", t)
    })
}

/// `spk_fire` into `output` (same shape as `input`).
#[no_mangle]
pub unsafe extern "C" fn spk_fire_into(
    input: *const spk_tensor,
    output: *const spk_tensor,
    threshold: f64,
    code: i32,
) -> spk_status {
    guard(|| unsafe {
        let x = tensor(input, "input")?;
        let y = tensor(output, "output")?;
        Ok(crate::fire_into(x, y, threshold, code_arg(code)?)?)
    })
}

/// A copy of `input` with every element `<= threshold` set to `value`. The caller frees `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_threshold(
    input: *const spk_tensor,
    threshold: f64,
    value: f64,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let t = crate::threshold(tensor(input, "input")?, threshold, value)?;
        put_tensor(out, "out", t)
    })
}

/// `spk_threshold` modifying `input` in place.
#[no_mangle]
pub unsafe extern "C" fn spk_threshold_inplace(
    input: *const spk_tensor,
    threshold: f64,
    value: f64,
) -> spk_status {
    guard(|| unsafe {
        Ok(crate::threshold_inplace(
            tensor(input, "input")?,
            threshold,
            value,
        )?)
    })
}

/// A copy of `input` with elements `< middle` set to `lower` and the others to `upper`. The
/// caller frees `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_quantize(
    input: *const spk_tensor,
    lower: f64,
    middle: f64,
    upper: f64,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let t = crate::quantize(tensor(input, "input")?, lower, middle, upper)?;
        put_tensor(out, "out", t)
    })
}

/// `spk_quantize` modifying `input` in place.
#[no_mangle]
pub unsafe extern "C" fn spk_quantize_inplace(
    input: *const spk_tensor,
    lower: f64,
    middle: f64,
    upper: f64,
) -> spk_status {
    guard(|| unsafe {
        Ok(crate::quantize_inplace(
            tensor(input, "input")?,
            lower,
            middle,
            upper,
        )?)
    })
}

/// Collapses the time axis of `input` `[B, T, ...]` to `[B, ...]`: the first step above
/// `threshold` (rank) or the count of such steps (rate), as element type `dtype`. The caller
/// frees `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_gather(
    input: *const spk_tensor,
    threshold: f64,
    dtype: i32,
    code: i32,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let x = tensor(input, "input")?;
        let t = crate::gather(x, threshold, dtype_arg(dtype)?, code_arg(code)?)?;
        put_tensor(out, "out", t)
    })
}

/// `spk_gather` into `output` (`[B, ...]`).
#[no_mangle]
pub unsafe extern "C" fn spk_gather_into(
    input: *const spk_tensor,
    output: *const spk_tensor,
    threshold: f64,
    code: i32,
) -> spk_status {
    guard(|| unsafe {
        let x = tensor(input, "input")?;
        let y = tensor(output, "output")?;
        Ok(crate::gather_into(x, y, threshold, code_arg(code)?)?)
    })
}

/// Expands spike times `input` `[B, ...]` to spike trains `[B, time, ...]` of element type
/// `dtype` (the inverse of a rank `spk_gather`). The caller frees `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_scatter(
    input: *const spk_tensor,
    time: usize,
    dtype: i32,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let t = crate::scatter(tensor(input, "input")?, time, dtype_arg(dtype)?)?;
        put_tensor(out, "out", t)
    })
}

/// `spk_scatter` into `output` (`[B, time, ...]`; its extent 1 is the time).
#[no_mangle]
pub unsafe extern "C" fn spk_scatter_into(
    input: *const spk_tensor,
    output: *const spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        Ok(crate::scatter_into(
            tensor(input, "input")?,
            tensor(output, "output")?,
        )?)
    })
}

/// Lateral inhibition over channels of `input` `[B, T, C, H, W]` (or `[T, C, H, W]`): at each
/// position only the channel that first exceeds `threshold` (then the larger value) keeps its
/// values, the others are zeroed. Returns a copy
/// through `out` (caller frees it).
#[no_mangle]
pub unsafe extern "C" fn spk_inhibit(
    input: *const spk_tensor,
    threshold: f64,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        put_tensor(
            out,
            "out",
            crate::inhibit(tensor(input, "input")?, threshold)?,
        )
    })
}

/// `spk_inhibit` modifying `input` in place.
#[no_mangle]
pub unsafe extern "C" fn spk_inhibit_inplace(
    input: *const spk_tensor,
    threshold: f64,
) -> spk_status {
    guard(|| unsafe { Ok(crate::inhibit_inplace(tensor(input, "input")?, threshold)?) })
}

// ------------------------------------------------------------------------------------- pad, pool

/// Pads the two spatial axes of `input` `[B, T, C, H, W]` (or `[T, C, H, W]`) by `pad[0..4]`
/// (top, left, bottom, right; NULL = none) with `value` (converted to the input's dtype). The
/// caller frees `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_pad(
    input: *const spk_tensor,
    pad: *const usize,
    value: f64,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let p = expand4_arg(pad, "pad")?;
        put_tensor(out, "out", crate::pad(tensor(input, "input")?, p, value)?)
    })
}

/// `spk_pad` into `output` (the padded shape).
#[no_mangle]
pub unsafe extern "C" fn spk_pad_into(
    input: *const spk_tensor,
    output: *const spk_tensor,
    pad: *const usize,
    value: f64,
) -> spk_status {
    guard(|| unsafe {
        let p = expand4_arg(pad, "pad")?;
        Ok(crate::pad_into(
            tensor(input, "input")?,
            tensor(output, "output")?,
            p,
            value,
        )?)
    })
}

/// Max pooling over the last two axes of `input` `[B, T, C, H, W]` (or `[B, C, H, W]` spike
/// times): window `kernel[0..2]`, stride `stride[0..2]` (NULL = the kernel), padding
/// `pad[0..4]` (NULL = none). `rates` (NULL = none; `[B, C, H, W]`, the input's dtype, no padding)
/// picks each window's value at its highest-rate position. The caller frees `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_pool(
    input: *const spk_tensor,
    kernel: *const usize,
    stride: *const usize,
    pad: *const usize,
    rates: *const spk_tensor,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let x = tensor(input, "input")?;
        let (k, s, p, r) = pool_args(kernel, stride, pad, rates)?;
        put_tensor(out, "out", crate::pool(x, k, s, p, r)?)
    })
}

/// `spk_pool` into `output` (the pooled shape).
#[no_mangle]
pub unsafe extern "C" fn spk_pool_into(
    input: *const spk_tensor,
    output: *const spk_tensor,
    kernel: *const usize,
    stride: *const usize,
    pad: *const usize,
    rates: *const spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        let x = tensor(input, "input")?;
        let y = tensor(output, "output")?;
        let (k, s, p, r) = pool_args(kernel, stride, pad, rates)?;
        Ok(crate::pool_into(x, y, k, s, p, r)?)
    })
}

pub(super) type PoolArgs<'a> = (Expand2, Option<Expand2>, Expand4, Option<&'a Tensor>);

/// Decodes the window, stride, padding and rates arguments shared by `spk_pool` and
/// `spk_pool_into`.
pub(super) unsafe fn pool_args<'a>(
    kernel: *const usize,
    stride: *const usize,
    pad: *const usize,
    rates: *const spk_tensor,
) -> FfiResult<PoolArgs<'a>> {
    if kernel.is_null() {
        return Err(FfiError::Null("kernel"));
    }
    // SAFETY (all): the caller passes NULL or arrays of the documented lengths, and a live tensor.
    let k = unsafe { expand2_arg(kernel, "kernel", Expand2::new(1, 1))? };
    let s = match stride.is_null() {
        true => None,
        false => Some(unsafe { expand2_arg(stride, "stride", k)? }),
    };
    let p = unsafe { expand4_arg(pad, "pad")? };
    let r = match rates.is_null() {
        true => None,
        false => Some(unsafe { tensor(rates, "rates")? }),
    };
    Ok((k, s, p, r))
}

// ------------------------------------------------------------------------------------- conv, fc

/// Decodes the input, kernel, stride (NULL = 1) and padding (NULL = none) arguments shared by
/// the convolution entry points (`spk_convolve`, `spk_convolve_into`, `spk_conv_fire_rank`,
/// `spk_conv_infinite`).
///
/// # Safety
/// The caller passes live tensors and NULL or arrays of the documented lengths.
pub(super) unsafe fn conv_args<'a>(
    input: *const spk_tensor,
    kernel: *const spk_tensor,
    stride: *const usize,
    pad: *const usize,
) -> FfiResult<(&'a Tensor, &'a Tensor, Expand2, Expand4)> {
    // SAFETY (all): forwarded from the caller.
    let x = unsafe { tensor(input, "input")? };
    let k = unsafe { tensor(kernel, "kernel")? };
    let s = unsafe { expand2_arg(stride, "stride", Expand2::new(1, 1))? };
    let p = unsafe { expand4_arg(pad, "pad")? };
    Ok((x, k, s, p))
}

/// 2-D convolution of `input` `[B, T, C, H, W]` (or `[B, C, H, W]`) with `kernel`
/// `[K, C, kh, kw]` (f16/f32/f64), stride `stride[0..2]` (NULL = 1) and padding `pad[0..4]`
/// (NULL = none). Result `[B, T, K, H', W']` in the kernel's float type; the caller frees `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_convolve(
    input: *const spk_tensor,
    kernel: *const spk_tensor,
    stride: *const usize,
    pad: *const usize,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let (x, k, s, p) = conv_args(input, kernel, stride, pad)?;
        put_tensor(out, "out", crate::conv(x, k, s, p)?)
    })
}

/// `spk_convolve` into `output`.
#[no_mangle]
pub unsafe extern "C" fn spk_convolve_into(
    input: *const spk_tensor,
    kernel: *const spk_tensor,
    output: *const spk_tensor,
    stride: *const usize,
    pad: *const usize,
) -> spk_status {
    guard(|| unsafe {
        let (x, k, s, p) = conv_args(input, kernel, stride, pad)?;
        let y = tensor(output, "output")?;
        Ok(crate::conv_into(x, k, y, s, p)?)
    })
}

/// Fully connected potentials of `input` `[B, T, N]` with `kernel` `[M, N]`; `sign` keeps the
/// kernel's sign (otherwise weights are used as given). Result `[B, T, M]`; caller frees `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_fully_connected(
    input: *const spk_tensor,
    kernel: *const spk_tensor,
    sign: bool,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let x = tensor(input, "input")?;
        let k = tensor(kernel, "kernel")?;
        put_tensor(out, "out", crate::fc(x, k, sign)?)
    })
}

/// `spk_fully_connected` into `output`.
#[no_mangle]
pub unsafe extern "C" fn spk_fully_connected_into(
    input: *const spk_tensor,
    kernel: *const spk_tensor,
    output: *const spk_tensor,
    sign: bool,
) -> spk_status {
    guard(|| unsafe {
        let x = tensor(input, "input")?;
        let k = tensor(kernel, "kernel")?;
        let y = tensor(output, "output")?;
        Ok(crate::fc_into(x, k, y, sign)?)
    })
}

/// Forward pass of a convolution layer (`spk_convolve` with the layer's kernel, stride and padding).
/// The caller frees `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_conv_forward(
    conv: *const spk_conv,
    input: *const spk_tensor,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let c = &arg(conv, "conv")?.inner;
        put_tensor(out, "out", c.forward(tensor(input, "input")?)?)
    })
}

/// `spk_conv_forward` into `output`.
#[no_mangle]
pub unsafe extern "C" fn spk_conv_forward_into(
    conv: *const spk_conv,
    input: *const spk_tensor,
    output: *const spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        let c = &arg(conv, "conv")?.inner;
        Ok(c.forward_into(tensor(input, "input")?, tensor(output, "output")?)?)
    })
}

/// Forward pass of a fully connected layer (`spk_fully_connected` with the layer's kernel). The caller frees
/// `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_fc_forward(
    fc: *const spk_fc,
    input: *const spk_tensor,
    sign: bool,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let f = &arg(fc, "fc")?.inner;
        put_tensor(out, "out", f.forward(tensor(input, "input")?, sign)?)
    })
}

/// `spk_fc_forward` into `output`.
#[no_mangle]
pub unsafe extern "C" fn spk_fc_forward_into(
    fc: *const spk_fc,
    input: *const spk_tensor,
    output: *const spk_tensor,
    sign: bool,
) -> spk_status {
    guard(|| unsafe {
        let f = &arg(fc, "fc")?.inner;
        Ok(f.forward_into(tensor(input, "input")?, tensor(output, "output")?, sign)?)
    })
}

// ------------------------------------------------------------------------------------- wta, stdp

/// Selects up to `count` (>= 1) winners per sample among fully connected outputs `[B, T, N]`,
/// excluding neurons within `radius` of each pick. The caller frees `*out` with
/// `spk_winners_free`.
#[no_mangle]
pub unsafe extern "C" fn spk_fcwta(
    input: *const spk_tensor,
    radius: usize,
    count: usize,
    threshold: f64,
    out: *mut *mut spk_winners,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let w = crate::fcwta(tensor(input, "input")?, radius, count, threshold)?;
        put_handle(out, "out", spk_winners { inner: w })
    })
}

/// Selects up to `count` (>= 1) winners per sample among convolution outputs `[B, T, C, H, W]`,
/// excluding positions within `radius[0..2]` (rows, columns; NULL = 0) of each pick and the
/// winner's channel. The caller frees `*out` with `spk_winners_free`.
#[no_mangle]
pub unsafe extern "C" fn spk_convwta(
    input: *const spk_tensor,
    radius: *const usize,
    count: usize,
    threshold: f64,
    out: *mut *mut spk_winners,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let r = expand2_arg(radius, "radius", Expand2::new(0, 0))?;
        let w = crate::convwta(tensor(input, "input")?, r, count, threshold)?;
        put_handle(out, "out", spk_winners { inner: w })
    })
}

/// STDP update of a convolution layer's kernel from its input spikes `input` `[B, T, C, H, W]`,
/// the `winners` and the output spikes `output` `[B, T, K, H', W']`; winner `c` selects the
/// layer's STDP configuration (it must exist; negative skips the winner).
#[no_mangle]
pub unsafe extern "C" fn spk_conv_stdp(
    conv: *mut spk_conv,
    input: *const spk_tensor,
    winners: *const spk_winners,
    output: *const spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        let c = &mut arg_mut(conv, "conv")?.inner;
        let x = tensor(input, "input")?;
        let w = self::winners(winners, "winners")?;
        let y = tensor(output, "output")?;
        Ok(c.stdp(x, w, y)?)
    })
}

/// Which post-synaptic spike time fully connected STDP uses (values of `post_time`).
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum spk_fc_post_time {
    /// The first spike of the winner neuron in `output` (the intended rule; the original's CUDA
    /// build).
    FirstSpike = 0,
    /// Always 0, reproducing the original CPU build.
    Zero = 1,
}

/// STDP update of a fully connected layer's kernel from `input` `[B, T, N]`, the `winners` and
/// the output spikes `output` `[B, T, M]`; `post_time` is an `spk_fc_post_time`.
#[no_mangle]
pub unsafe extern "C" fn spk_fc_stdp(
    fc: *mut spk_fc,
    input: *const spk_tensor,
    winners: *const spk_winners,
    output: *const spk_tensor,
    post_time: i32,
) -> spk_status {
    guard(|| unsafe {
        let f = &mut arg_mut(fc, "fc")?.inner;
        let x = tensor(input, "input")?;
        let w = self::winners(winners, "winners")?;
        let y = tensor(output, "output")?;
        let post = match post_time {
            0 => FcPostTime::FirstSpike,
            1 => FcPostTime::Zero,
            v => {
                return Err(crate::Error::Argument(format!(
                    "expected a post_time 0 (first spike) or 1 (zero), got {v}"
                ))
                .into())
            }
        };
        Ok(f.stdp_with(x, w, y, post)?)
    })
}

// ------------------------------------------------------------------------------------- backprop

/// The temporal-backprop error of first-spike times `input` `[B, N]` against the class indices
/// `target` (1-D i64 `[B]`) over `time` (>= 1) steps with margin `gamma`, in the input's dtype.
/// The caller frees `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_backward(
    input: *const spk_tensor,
    target: *const spk_tensor,
    time: usize,
    gamma: f64,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let x = tensor(input, "input")?;
        let t = tensor(target, "target")?;
        put_tensor(out, "out", crate::backward(x, t, time, gamma)?)
    })
}

/// `spk_backward` into `output` (`[B, N]`).
#[no_mangle]
pub unsafe extern "C" fn spk_backward_into(
    input: *const spk_tensor,
    output: *const spk_tensor,
    target: *const spk_tensor,
    time: usize,
    gamma: f64,
) -> spk_status {
    guard(|| unsafe {
        let x = tensor(input, "input")?;
        let y = tensor(output, "output")?;
        let t = tensor(target, "target")?;
        Ok(crate::backward_into(x, y, t, time, gamma)?)
    })
}

/// The predicted class of each sample of `input` `[B, T, N]` (the neuron that first exceeds
/// `threshold`, else the largest at the last step) as a 1-D i64 tensor `[B]`. The caller frees
/// `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_labelize(
    input: *const spk_tensor,
    threshold: f64,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        put_tensor(
            out,
            "out",
            crate::labelize(tensor(input, "input")?, threshold)?,
        )
    })
}

/// `spk_labelize` into `output` (`[B]`).
#[no_mangle]
pub unsafe extern "C" fn spk_labelize_into(
    input: *const spk_tensor,
    output: *const spk_tensor,
    threshold: f64,
) -> spk_status {
    guard(|| unsafe {
        Ok(crate::labelize_into(
            tensor(input, "input")?,
            tensor(output, "output")?,
            threshold,
        )?)
    })
}

/// One backprop step of a fully connected layer: updates its kernel from `input`, its spike
/// `output` and the gradient `grad` (with its `spk_bp_config`), and writes the gradient for the
/// previous layer to `*out` (caller frees it).
#[no_mangle]
pub unsafe extern "C" fn spk_fc_backward(
    fc: *mut spk_fc,
    input: *const spk_tensor,
    output: *const spk_tensor,
    grad: *const spk_tensor,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let f = &mut arg_mut(fc, "fc")?.inner;
        let x = tensor(input, "input")?;
        let y = tensor(output, "output")?;
        let g = tensor(grad, "grad")?;
        put_tensor(out, "out", f.backward(x, y, g)?)
    })
}

/// `spk_fc_backward` writing the previous layer's gradient into `next`.
#[no_mangle]
pub unsafe extern "C" fn spk_fc_backward_into(
    fc: *mut spk_fc,
    input: *const spk_tensor,
    output: *const spk_tensor,
    grad: *const spk_tensor,
    next: *const spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        let f = &mut arg_mut(fc, "fc")?.inner;
        let x = tensor(input, "input")?;
        let y = tensor(output, "output")?;
        let g = tensor(grad, "grad")?;
        Ok(f.backward_into(x, y, g, tensor(next, "next")?)?)
    })
}

// ------------------------------------------------------------------------------------- canny

/// Canny edges of images `input` `[B, C, H, W]` or `[C, H, W]` (any dtype): a u8 tensor `[B, C,
/// H, W]` holding 255 on edges, 0 elsewhere; `low` and `high` are hysteresis thresholds in
/// `[0, 255]`. The caller frees `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_canny(
    input: *const spk_tensor,
    low: f64,
    high: f64,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        put_tensor(
            out,
            "out",
            crate::canny(tensor(input, "input")?, low, high)?,
        )
    })
}

/// `spk_canny` into `output`.
#[no_mangle]
pub unsafe extern "C" fn spk_canny_into(
    input: *const spk_tensor,
    output: *const spk_tensor,
    low: f64,
    high: f64,
) -> spk_status {
    guard(|| unsafe {
        Ok(crate::canny_into(
            tensor(input, "input")?,
            tensor(output, "output")?,
            low,
            high,
        )?)
    })
}
