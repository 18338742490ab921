//! The `fc` operation family (public API): fully connected integration per time step (spec §6.2).

use super::{check_output, common_device, ensure_distinct};
use crate::{shape, Device, Error, Result, Tensor};

fn prepare(input: &Tensor, kernel: &Tensor) -> Result<Vec<usize>> {
    common_device(&[input, kernel])?;
    if !kernel.dtype().is_float() {
        return Err(Error::DType(format!(
            "expected an fc kernel of dtype f16, f32 or f64, got {}",
            kernel.dtype()
        )));
    }
    let ins = shape::to_rank(input.shape(), 3, "an fc input [B,T,I]")?;
    shape::fc(&ins, kernel.shape())
}

fn run(input: &Tensor, kernel: &Tensor, output: &Tensor, sign: bool) -> Result<()> {
    if let Device::Cuda(_) = input.device() {
        return crate::cuda::fc::fc(input, kernel, output, sign);
    }
    let (outputs, inputs) = (kernel.shape()[0], kernel.shape()[1]);
    crate::with_float_dtype!(kernel.dtype(), T => {
        crate::with_dtype!(input.dtype(), I => {
            let x = input.read::<I>()?;
            let k = kernel.read::<T>()?;
            let mut y = output.write::<T>()?;
            crate::cpu::fc::fc::<I, T>(&x, &k, &mut y, inputs, outputs, sign);
        })
    }, else return Err(Error::DType(format!(
        "expected an fc kernel of dtype f16, f32 or f64, got {}",
        kernel.dtype()
    ))));
    Ok(())
}

/// Fully connected integration: `out[b, t, :] = K · in[b, t, :]` for every sample and time step
/// (spec §6.2).
///
/// * `input`: `[B, T, I]` of any dtype, or `[T, I]` (read as `B = 1`); converted to the kernel
///   dtype before use, as in the original.
/// * `kernel`: `[O, I]`, f16, f32 or f64 (the original runs f32 and f64).
/// * `sign`: use `sign(K)` ∈ {−1, 0, +1} instead of `K` (the kernel itself is not modified).
///
/// Returns `[B, T, O]` in the kernel dtype. All tensors must be on one device; CUDA tensors run on
/// their GPU (each output summed in input order with fused multiply-adds: equal to the CPU up to
/// rounding, see docs/CUDA.md).
pub fn fc(input: &Tensor, kernel: &Tensor, sign: bool) -> Result<Tensor> {
    let outs = prepare(input, kernel)?;
    // The kernels write every output element: device memory need not be zeroed first.
    let output = Tensor::alloc_on(input.device(), kernel.dtype(), &outs, false)?;
    run(input, kernel, &output, sign)?;
    Ok(output)
}

/// [`fc`] writing into a caller-provided `output` of shape `[B, T, O]` (or `[T, O]` when
/// `B = 1`) and of the kernel dtype. `output` must not share memory with `input` or `kernel`.
pub fn fc_into(input: &Tensor, kernel: &Tensor, output: &Tensor, sign: bool) -> Result<()> {
    let outs = prepare(input, kernel)?;
    common_device(&[input, output])?;
    check_output("fc", output, &outs, Some(kernel.dtype()), true)?;
    ensure_distinct("fc", output, &[("input", input), ("kernel", kernel)])?;
    run(input, kernel, output, sign)
}
