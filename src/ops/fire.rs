//! The `fire` operation family (public API): turning potentials into spikes and moving between
//! spike trains and first-spike times (spec §4.1–4.5).
//!
//! Scalar arguments are converted to the dtype of the tensor they are compared with, exactly as
//! the original does (spec §1.4: `threshold = 0.5` on a u8 tensor is 0, `-1.0` is 255). A NaN
//! threshold (or `middle`) is rejected: in the original it silently makes every comparison false.

use super::{check_output, check_time, common_device, ensure_distinct, Code};
use crate::cpu::fire as kernel;
use crate::cuda::fire as gpu;
use crate::{shape, with_dtype, DType, Device, Error, Result, Scalar, Tensor};

/// Whether the op runs on a GPU (the device kinds of all tensors were checked to agree; the CUDA
/// functions check that they are one device).
fn is_cuda(input: &Tensor) -> bool {
    matches!(input.device(), Device::Cuda(_))
}

/// Rejects a NaN comparison operand (it would make every comparison false).
fn comparand(value: Scalar, what: &str) -> Result<Scalar> {
    if value.dtype().is_float() && value.to_f64().is_nan() {
        return Err(Error::Argument(format!(
            "expected a {what} that is not NaN, got NaN"
        )));
    }
    Ok(value)
}

/// `[B, T, rest…]` viewed as `(B, T, N)` after `least3` normalisation (a 2-D input is one sample).
fn btn(op: &str, input: &Tensor) -> Result<(Vec<usize>, (usize, usize, usize))> {
    let s = shape::at_least(input.shape(), 3, &format!("{op} input [B, T, ...]"))?;
    let dims = (s[0], s[1], s[2..].iter().product());
    Ok((s, dims))
}

/// Converts potentials to spikes.
///
/// * [`Code::Rank`]: `1` where `input > threshold`, else `0` (strict), element-wise over any
///   shape; applied to cumulative potentials this gives cumulative spike trains.
/// * [`Code::Rate`]: input `[B, T, …]` (a 2-D input is one sample `[T, N]`); a neuron emits one
///   more spike each time its potential exceeds `threshold` plus its potential at its previous
///   spike; the output holds the cumulative spike count (in `dtype`, so it wraps or saturates).
///
/// The output has the input's shape and the requested `dtype` (the original's default is
/// [`DType::U8`]); `threshold` is converted to the input's dtype.
pub fn fire(
    input: &Tensor,
    threshold: impl Into<Scalar>,
    dtype: DType,
    code: Code,
) -> Result<Tensor> {
    common_device(&[input])?;
    let output = Tensor::zeros_on(input.device(), dtype, input.shape())?;
    fire_into(input, &output, threshold, code)?;
    Ok(output)
}

/// [`fire`] writing into `output`, which must have the input's shape (any dtype).
pub fn fire_into(
    input: &Tensor,
    output: &Tensor,
    threshold: impl Into<Scalar>,
    code: Code,
) -> Result<()> {
    common_device(&[input, output])?;
    let threshold = comparand(threshold.into(), "fire threshold")?;
    ensure_distinct("fire", output, &[("input", input)])?;
    check_output("fire", output, input.shape(), None, false)?;
    let dims = match code {
        Code::Rank => None,
        Code::Rate => Some(btn("rate fire", input)?.1),
    };
    if is_cuda(input) {
        return gpu::fire_into(input, output, threshold, code);
    }
    with_dtype!(input.dtype(), T => {
        let thr: T = threshold.to::<T>();
        let x = input.read::<T>()?;
        with_dtype!(output.dtype(), O => {
            let mut o = output.write::<O>()?;
            match dims {
                None => kernel::fire_rank::<T, O>(&x, &mut o, thr),
                Some(d) => kernel::fire_rate::<T, O>(&x, &mut o, thr, d),
            }
        })
    });
    Ok(())
}

/// Replaces every element `<= threshold` with `value` (both converted to the tensor's dtype) in a
/// copy of `input`; larger elements and NaN are kept. `input` is left unchanged.
pub fn threshold(
    input: &Tensor,
    threshold: impl Into<Scalar>,
    value: impl Into<Scalar>,
) -> Result<Tensor> {
    let threshold = threshold_args(input, threshold.into())?;
    let output = input.copy()?;
    threshold_run(&output, threshold, value.into())?;
    Ok(output)
}

/// [`threshold`] in place (the original's default): `input` itself is modified.
pub fn threshold_inplace(
    input: &Tensor,
    threshold: impl Into<Scalar>,
    value: impl Into<Scalar>,
) -> Result<()> {
    let threshold = threshold_args(input, threshold.into())?;
    threshold_run(input, threshold, value.into())
}

/// Validates before any copy is made.
fn threshold_args(input: &Tensor, threshold: Scalar) -> Result<Scalar> {
    common_device(&[input])?;
    comparand(threshold, "threshold")
}

fn threshold_run(input: &Tensor, threshold: Scalar, value: Scalar) -> Result<()> {
    if is_cuda(input) {
        return gpu::threshold(input, threshold, value);
    }
    with_dtype!(input.dtype(), T => {
        let mut x = input.write::<T>()?;
        kernel::threshold::<T>(&mut x, threshold.to::<T>(), value.to::<T>());
    });
    Ok(())
}

/// Binarises a copy of `input`: every element `< middle` becomes `lower`, every other element
/// (NaN included) `upper`; the three scalars are converted to the tensor's dtype.
pub fn quantize(
    input: &Tensor,
    lower: impl Into<Scalar>,
    middle: impl Into<Scalar>,
    upper: impl Into<Scalar>,
) -> Result<Tensor> {
    let middle = quantize_args(input, middle.into())?;
    let output = input.copy()?;
    quantize_run(&output, lower.into(), middle, upper.into())?;
    Ok(output)
}

/// [`quantize`] in place (the original's default): `input` itself is modified.
pub fn quantize_inplace(
    input: &Tensor,
    lower: impl Into<Scalar>,
    middle: impl Into<Scalar>,
    upper: impl Into<Scalar>,
) -> Result<()> {
    let middle = quantize_args(input, middle.into())?;
    quantize_run(input, lower.into(), middle, upper.into())
}

/// Validates before any copy is made.
fn quantize_args(input: &Tensor, middle: Scalar) -> Result<Scalar> {
    common_device(&[input])?;
    comparand(middle, "quantize middle")
}

fn quantize_run(input: &Tensor, lower: Scalar, middle: Scalar, upper: Scalar) -> Result<()> {
    if is_cuda(input) {
        return gpu::quantize(input, lower, middle, upper);
    }
    with_dtype!(input.dtype(), T => {
        let mut x = input.write::<T>()?;
        kernel::quantize::<T>(&mut x, lower.to::<T>(), middle.to::<T>(), upper.to::<T>());
    });
    Ok(())
}

/// Collapses the time axis: input `[B, T, …]` (a 2-D input is one sample `[T, N]`), output
/// `[B, …]` in `dtype`.
///
/// * [`Code::Rank`]: the first time step at which the element is `> threshold`, or `T` when it
///   never is (the inverse of [`scatter`]); `threshold` is converted to the input's dtype.
/// * [`Code::Rate`]: the value at the last time step (the final spike count); `threshold` is
///   ignored.
///
/// Values are converted to `dtype` with the element conversion rules, so e.g. `T = 300` in a u8
/// output wraps to 44, as in the original.
pub fn gather(
    input: &Tensor,
    threshold: impl Into<Scalar>,
    dtype: DType,
    code: Code,
) -> Result<Tensor> {
    common_device(&[input])?;
    let (s, _) = btn("gather", input)?;
    let output = Tensor::zeros_on(input.device(), dtype, &shape::gather(&s)?)?;
    gather_into(input, &output, threshold, code)?;
    Ok(output)
}

/// [`gather`] writing into `output`, whose shape must be the input's (after rank normalisation)
/// without dimension 1.
pub fn gather_into(
    input: &Tensor,
    output: &Tensor,
    threshold: impl Into<Scalar>,
    code: Code,
) -> Result<()> {
    common_device(&[input, output])?;
    let threshold = comparand(threshold.into(), "gather threshold")?;
    ensure_distinct("gather", output, &[("input", input)])?;
    let (s, dims) = btn("gather", input)?;
    check_output("gather", output, &shape::gather(&s)?, None, false)?;
    if is_cuda(input) {
        return gpu::gather_into(input, output, threshold, code, dims);
    }
    with_dtype!(input.dtype(), T => {
        let thr: T = threshold.to::<T>();
        let x = input.read::<T>()?;
        with_dtype!(output.dtype(), O => {
            let mut o = output.write::<O>()?;
            match code {
                Code::Rank => kernel::gather_rank::<T, O>(&x, &mut o, thr, dims),
                Code::Rate => kernel::gather_rate::<T, O>(&x, &mut o, dims),
            }
        })
    });
    Ok(())
}

/// Expands first-spike times `[B, …]` (a 1-D input is one sample) into cumulative spike trains
/// `[B, time, …]` in `dtype`: `out[b, t, j] = 1` when `t >= input[b, j]`.
///
/// The comparison is the original's (spec §4.5): floats fire from `ceil(x)` (negative values at
/// once, NaN never); signed integers of up to 32 bits never fire when negative (they are compared
/// as unsigned), while negative i64 values fire at once. `time` must be in `1..=u32::MAX`.
pub fn scatter(input: &Tensor, time: usize, dtype: DType) -> Result<Tensor> {
    common_device(&[input])?;
    let s = shape::at_least(input.shape(), 2, "scatter input [B, ...]")?;
    check_time("scatter", time, u32::MAX as usize)?;
    let output = Tensor::zeros_on(input.device(), dtype, &shape::code(&s, time)?)?;
    scatter_into(input, &output)?;
    Ok(output)
}

/// [`scatter`] writing into `output` of shape `[B, time, …]`; `time` is `output`'s dimension 1.
pub fn scatter_into(input: &Tensor, output: &Tensor) -> Result<()> {
    common_device(&[input, output])?;
    ensure_distinct("scatter", output, &[("input", input)])?;
    let s = shape::at_least(input.shape(), 2, "scatter input [B, ...]")?;
    let time = output.dim(1).map_err(|_| {
        Error::Shape(format!(
            "scatter: expected an output of rank {} [B, time, ...], got {:?}",
            s.len() + 1,
            output.shape()
        ))
    })?;
    check_time("scatter", time, u32::MAX as usize)?;
    check_output("scatter", output, &shape::code(&s, time)?, None, false)?;
    let n = s[1..].iter().product();
    if is_cuda(input) {
        return gpu::scatter_into(input, output, (s[0], time, n));
    }
    with_dtype!(input.dtype(), T => {
        let x = input.read::<T>()?;
        with_dtype!(output.dtype(), O => {
            let mut o = output.write::<O>()?;
            kernel::scatter::<T, O>(&x, &mut o, (s[0], time, n));
        })
    });
    Ok(())
}
