//! Spatial padding and pooling: `pad`, `pool` (max pooling, and rate-guided pooling with `rates`)
//! (spec §5).
//!
//! Inputs are normalised to `[B, T, C, H, W]` (a 4-D input gets `B = 1`) and outputs keep that rank
//! 5, like the original. Every dtype is accepted.

use super::{check_output, common_device, ensure_distinct};
use crate::cpu::pool as kernel;
use crate::{shape, with_dtype, Device, Error, Expand2, Expand4, Result, Scalar, Tensor};

/// Pads the two spatial dimensions of `input` with the constant `value`.
///
/// `input` is `[B, T, C, H, W]` or `[T, C, H, W]`; the result is
/// `[B, T, C, H + top + bottom, W + left + right]` of the input's dtype. `value` is converted to
/// that dtype with the original's scalar rules (spec §1.4: `-1.0` on `u8` is 255).
pub fn pad(input: &Tensor, pad: impl Into<Expand4>, value: impl Into<Scalar>) -> Result<Tensor> {
    let pad = pad.into();
    let in5 = shape::to_rank(input.shape(), 5, "a pad input")?;
    let out_shape = shape::pad(&in5, pad)?;
    common_device(&[input])?;
    let output = Tensor::zeros_on(input.device(), input.dtype(), &out_shape)?;
    run_pad(input, &in5, &output, pad, value.into())?;
    Ok(output)
}

/// [`pad`] writing into a caller-provided `output` of the input's dtype and shape
/// `[B, T, C, H + top + bottom, W + left + right]` (a leading 1 may be omitted).
pub fn pad_into(
    input: &Tensor,
    output: &Tensor,
    pad: impl Into<Expand4>,
    value: impl Into<Scalar>,
) -> Result<()> {
    let pad = pad.into();
    let in5 = shape::to_rank(input.shape(), 5, "a pad input")?;
    let out_shape = shape::pad(&in5, pad)?;
    check_pool_output("pad", input, output, &out_shape)?;
    run_pad(input, &in5, output, pad, value.into())
}

fn run_pad(
    input: &Tensor,
    in5: &[usize],
    output: &Tensor,
    pad: Expand4,
    value: Scalar,
) -> Result<()> {
    let planes = in5[0] * in5[1] * in5[2];
    let (h, w) = (in5[3], in5[4]);
    if let Device::Cuda(_) = input.device() {
        return crate::cuda::pool::pad(input, output, planes, (h, w), pad, value);
    }
    with_dtype!(input.dtype(), T => {
        let src = input.read::<T>()?;
        let mut dst = output.write::<T>()?;
        kernel::pad::<T>(&src, &mut dst, planes, h, w, pad, value.to::<T>());
    });
    Ok(())
}

/// Spatial pooling of spike trains.
///
/// `input` is `[B, T, C, H, W]` or `[T, C, H, W]`; the result is `[B, T, C, H', W']` of the
/// input's dtype with `H' = (H + top + bottom - ky) / sy + 1` (likewise `W'`). `stride` defaults to
/// `kernel`.
///
/// Without `rates` this is max pooling over zero-padded windows: on cumulative spike trains it
/// keeps the earliest spike of each window at every time step. NaNs never win, and among equal
/// values the first in row-major window order is kept (visible only as the sign of a zero).
///
/// With `rates` (`[B, C, H, W]`, same dtype as `input`, no padding allowed) each output cell takes,
/// at every time step, the input value at the window position of the highest rate (the first one in
/// row-major order on ties): the neuron that fires most is the one passed on.
///
/// Errors: wrong rank, kernel or stride extents of 0, a kernel larger than the padded input,
/// `rates` of another dtype or shape, padding together with `rates`, tensors on different devices. CUDA tensors run on their GPU
/// (bit-identical to the CPU).
pub fn pool(
    input: &Tensor,
    kernel: impl Into<Expand2>,
    stride: Option<Expand2>,
    pad: impl Into<Expand4>,
    rates: Option<&Tensor>,
) -> Result<Tensor> {
    let args = PoolArgs::new(input, kernel.into(), stride, pad.into(), rates)?;
    let output = Tensor::zeros_on(input.device(), input.dtype(), &args.out_shape)?;
    args.run(input, &output, rates)?;
    Ok(output)
}

/// [`pool`] writing into a caller-provided `output` of the input's dtype and shape
/// `[B, T, C, H', W']` (a leading 1 may be omitted). `output` must not share memory with `input`
/// or `rates`.
pub fn pool_into(
    input: &Tensor,
    output: &Tensor,
    kernel: impl Into<Expand2>,
    stride: Option<Expand2>,
    pad: impl Into<Expand4>,
    rates: Option<&Tensor>,
) -> Result<()> {
    let args = PoolArgs::new(input, kernel.into(), stride, pad.into(), rates)?;
    check_pool_output("pool", input, output, &args.out_shape)?;
    if let Some(r) = rates {
        ensure_distinct("pool", output, &[("rates", r)])?;
    }
    args.run(input, output, rates)
}

/// Validated pool arguments and the normalised shapes.
struct PoolArgs {
    in5: Vec<usize>,
    out_shape: Vec<usize>,
    kernel: Expand2,
    stride: Expand2,
    pad: Expand4,
}

impl PoolArgs {
    fn new(
        input: &Tensor,
        kernel: Expand2,
        stride: Option<Expand2>,
        pad: Expand4,
        rates: Option<&Tensor>,
    ) -> Result<PoolArgs> {
        let in5 = shape::to_rank(input.shape(), 5, "a pool input")?;
        let kernel = kernel.check_min(1, "pool kernel")?;
        let stride = stride.unwrap_or(kernel).check_min(1, "pool stride")?;
        let out_shape = shape::pool(&in5, kernel, stride, pad)?;
        match rates {
            None => {
                common_device(&[input])?;
            }
            Some(r) => {
                common_device(&[input, r])?;
                if r.dtype() != input.dtype() {
                    return Err(Error::DType(format!(
                        "expected pool rates of the input's dtype {}, got {}",
                        input.dtype(),
                        r.dtype()
                    )));
                }
                let want = shape::gather(&in5)?;
                if r.shape() != want.as_slice() {
                    return Err(Error::Shape(format!(
                        "expected pool rates of shape {want:?} ([B, C, H, W] of the input), got {:?}",
                        r.shape()
                    )));
                }
                if !pad.is_zero() {
                    return Err(Error::Argument(format!(
                        "expected no padding with rate pooling, got {pad:?}"
                    )));
                }
            }
        }
        Ok(PoolArgs {
            in5,
            out_shape,
            kernel,
            stride,
            pad,
        })
    }

    fn run(&self, input: &Tensor, output: &Tensor, rates: Option<&Tensor>) -> Result<()> {
        let g = kernel::PoolGeom {
            batch: self.in5[0],
            time: self.in5[1],
            channels: self.in5[2],
            h: self.in5[3],
            w: self.in5[4],
            oh: self.out_shape[3],
            ow: self.out_shape[4],
            kernel: self.kernel,
            stride: self.stride,
            pad: self.pad,
        };
        if let Device::Cuda(_) = input.device() {
            return crate::cuda::pool::pool(input, output, rates, &g);
        }
        with_dtype!(input.dtype(), T => {
            let src = input.read::<T>()?;
            match rates {
                None => {
                    let mut dst = output.write::<T>()?;
                    kernel::max_pool::<T>(&src, &mut dst, &g);
                }
                Some(r) => {
                    let rates = r.read::<T>()?;
                    let mut dst = output.write::<T>()?;
                    kernel::rate_pool::<T>(&src, &rates, &mut dst, &g);
                }
            }
        });
        Ok(())
    }
}

/// Checks a caller-provided output: device-compatible, the input's dtype, the expected shape (a
/// leading 1 may be omitted) and no memory shared with the input (it would be read while written).
fn check_pool_output(op: &str, input: &Tensor, output: &Tensor, want: &[usize]) -> Result<()> {
    common_device(&[input, output])?;
    check_output(op, output, want, Some(input.dtype()), true)?;
    ensure_distinct(op, output, &[("input", input)])
}
