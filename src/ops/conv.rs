//! The `conv` operation family (public API): 2-D cross-correlation of every time step (spec §6.1).

use super::{check_output, common_device, ensure_distinct};
use crate::cpu::conv::Geometry;
use crate::{shape, DType, Device, Error, Expand2, Expand4, Result, Tensor};

/// Checks the arguments of a convolution and returns the normalised 5-D input shape, the output
/// shape and the kernel geometry.
fn prepare(
    input: &Tensor,
    kernel: &Tensor,
    stride: Expand2,
    pad: Expand4,
) -> Result<(Vec<usize>, Vec<usize>, Geometry)> {
    common_device(&[input, kernel])?;
    let ins = shape::to_rank(input.shape(), 5, "a conv input [B,T,C,H,W]")?;
    let (outs, geom) = geometry(&ins, kernel, stride, pad)?;
    Ok((ins, outs, geom))
}

/// Checks the kernel dtype and the stride, and lays out the convolution of frames
/// `[B, T, C, H, W]` (`ins`); returns the output shape `[B, T, K, OH, OW]` and the geometry.
/// Shared by the dense path and the spike-time fast path so they agree on every shape rule.
pub(super) fn geometry(
    ins: &[usize],
    kernel: &Tensor,
    stride: Expand2,
    pad: Expand4,
) -> Result<(Vec<usize>, Geometry)> {
    if !kernel.dtype().is_float() {
        return Err(Error::DType(format!(
            "expected a conv kernel of dtype f16, f32 or f64, got {}",
            kernel.dtype()
        )));
    }
    if stride.y == 0 || stride.x == 0 {
        return Err(Error::Argument(format!(
            "expected conv stride extents >= 1, got ({}, {})",
            stride.y, stride.x
        )));
    }
    let outs = shape::conv(ins, kernel.shape(), stride, pad)?;
    let ks = kernel.shape();
    let geom = Geometry {
        frames: ins[0] * ins[1],
        channels: ins[2],
        height: ins[3],
        width: ins[4],
        outputs: ks[0],
        kh: ks[2],
        kw: ks[3],
        sy: stride.y,
        sx: stride.x,
        top: pad.top,
        left: pad.left,
        oh: outs[3],
        ow: outs[4],
    };
    Ok((outs, geom))
}

fn run(input: &Tensor, kernel: &Tensor, output: &Tensor, geom: &Geometry) -> Result<()> {
    if let Device::Cuda(_) = input.device() {
        return crate::cuda::conv::conv(input, kernel, output, geom);
    }
    crate::with_float_dtype!(kernel.dtype(), T => {
        crate::with_dtype!(input.dtype(), I => {
            let x = input.read::<I>()?;
            let k = kernel.read::<T>()?;
            let mut y = output.write::<T>()?;
            crate::cpu::conv::conv::<I, T>(&x, &k, &mut y, geom);
        })
    }, else return Err(Error::DType(format!(
        "expected a conv kernel of dtype f16, f32 or f64, got {}",
        kernel.dtype()
    ))));
    Ok(())
}

/// 2-D cross-correlation of every time step of `input` with `kernel` (spec §6.1).
///
/// * `input`: `[B, T, C, H, W]` of any dtype, or `[T, C, H, W]` (read as `B = 1`); its values are
///   converted to the kernel dtype before use, as in the original.
/// * `kernel`: `[O, C, kh, kw]`, f16, f32 or f64 (the original runs f32 only).
/// * `stride`: `(y, x)`, both `>= 1`; `pad`: `(top, left, bottom, right)` zero padding.
///
/// Returns `[B, T, O, H', W']` in the kernel dtype (always 5-D, like the original), with
/// `H' = (H + top + bottom - kh) / sy + 1` and `W'` likewise. Fails when the padded input is
/// smaller than the kernel, the channels differ, the kernel is not a float tensor, a stride is 0,
/// a rank is wrong or the tensors are on different devices. CUDA tensors run on their GPU
/// (bit-identical to the CPU).
pub fn conv(
    input: &Tensor,
    kernel: &Tensor,
    stride: impl Into<Expand2>,
    pad: impl Into<Expand4>,
) -> Result<Tensor> {
    let (_, outs, geom) = prepare(input, kernel, stride.into(), pad.into())?;
    // The kernels write every output element: device memory need not be zeroed first.
    let output = Tensor::alloc_on(input.device(), kernel.dtype(), &outs, false)?;
    run(input, kernel, &output, &geom)?;
    Ok(output)
}

/// [`conv`] writing into a caller-provided `output` of shape `[B, T, O, H', W']` (or the same
/// without the leading 1 when `B = 1`) and of the kernel dtype. `output` must not share memory
/// with `input` or `kernel`.
pub fn conv_into(
    input: &Tensor,
    kernel: &Tensor,
    output: &Tensor,
    stride: impl Into<Expand2>,
    pad: impl Into<Expand4>,
) -> Result<()> {
    let (_, outs, geom) = prepare(input, kernel, stride.into(), pad.into())?;
    common_device(&[input, output])?;
    check_output("conv", output, &outs, Some(kernel.dtype()), true)?;
    ensure_distinct("conv", output, &[("input", input), ("kernel", kernel)])?;
    run(input, kernel, output, &geom)
}
