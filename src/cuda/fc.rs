//! CUDA kernel of `fc` (spec §6.2, `kernels/fc.cu`): a tiled GEMM, each output a sequential fused
//! multiply-add sum in input order (agrees with the CPU's GEMM to rounding; see docs/CUDA.md).

use super::conv::{check_extents, kernel_input, launch_tiles};
use super::one_device;
use crate::{Result, Tensor};

/// `output [rows, O] = input [rows, I] · kernel [O, I]ᵀ` (or with `sign(kernel)`), all contiguous
/// on one CUDA device, `output` of the kernel dtype (shapes checked by the caller).
pub(crate) fn fc(input: &Tensor, kernel: &Tensor, output: &Tensor, sign: bool) -> Result<()> {
    let dev = one_device("fc", &[input, kernel, output])?;
    let (outputs, inputs) = (kernel.shape()[0], kernel.shape()[1]);
    let rows = output.numel().checked_div(outputs).unwrap_or(0);
    check_extents("fc", &[("O", outputs)])?;
    let input = kernel_input(input, kernel)?;
    let (_, x) = input.cuda_ptr()?;
    let (_, w) = kernel.cuda_ptr()?;
    let (_, y) = output.cuda_ptr()?;
    let tiles = (rows as u64).div_ceil(64) * (outputs as u64).div_ceil(64);
    let name = format!("spk_fc_{}_{}", input.dtype().name(), kernel.dtype().name());
    let words = [
        x,
        w,
        y,
        rows as u64,
        inputs as u64,
        outputs as u64,
        sign as u64,
    ];
    launch_tiles(&dev, "fc.cu", &name, tiles, &words)
}
