//! CUDA kernel of `conv` (spec §6.1, `kernels/conv.cu`): an implicit GEMM over all frames, summed
//! in the CPU kernel's blocked receptive-field order, so results are bit-identical to
//! `src/cpu/conv.rs`. Also the block-tiled launch shared with `fc`.

use super::driver::DeviceState;
use super::kernels::launch_grid;
use super::one_device;
use crate::cpu::conv::Geometry;
use crate::{DType, Error, Result, Tensor};

/// Threads per block of the tiled kernels (conv.cu and fc.cu assume exactly this many).
const TILE_THREADS: u32 = 256;

/// Launches `file::name`, a kernel that walks `tiles` output tiles grid-stride with blocks of
/// [`TILE_THREADS`] threads, with 64-bit arguments. Asynchronous: queued on the device's stream.
pub(crate) fn launch_tiles(
    dev: &DeviceState,
    file: &'static str,
    name: &str,
    tiles: u64,
    args: &[u64],
) -> Result<()> {
    if tiles == 0 {
        return Ok(());
    }
    // A few waves of blocks per SM; the tile loop covers the rest.
    let grid = tiles.min(dev.sm_count.max(1) as u64 * 16) as u32;
    launch_grid(dev, file, name, (grid, TILE_THREADS), args)
}

/// `input` as the tiled kernels read it: u8 spikes and inputs of the kernel dtype directly,
/// others converted to the kernel dtype on the device first (what the kernels do to every
/// element anyway; instantiating them for every input dtype would multiply the compile time).
pub(crate) fn kernel_input(input: &Tensor, kernel: &Tensor) -> Result<Tensor> {
    if input.dtype() == DType::U8 || input.dtype() == kernel.dtype() {
        Ok(input.clone())
    } else {
        input.to_dtype(kernel.dtype())
    }
}

/// Errors unless every extent the kernel indexes with 32-bit arithmetic fits comfortably.
pub(crate) fn check_extents(op: &str, extents: &[(&str, usize)]) -> Result<()> {
    const LIMIT: usize = 1 << 30;
    match extents.iter().find(|(_, v)| *v >= LIMIT) {
        Some((what, v)) => Err(Error::Argument(format!(
            "{op}: {what} = {v} is too large for the CUDA kernel (limit {LIMIT})"
        ))),
        None => Ok(()),
    }
}

/// `output [frames, O, oh, ow] = conv(input [frames, C, H, W], kernel [O, C, kh, kw])` with the
/// geometry `g` (validated by the caller); all three contiguous on one CUDA device, `output` of
/// the kernel dtype and not overlapping the others.
pub(crate) fn conv(input: &Tensor, kernel: &Tensor, output: &Tensor, g: &Geometry) -> Result<()> {
    let dev = one_device("conv", &[input, kernel, output])?;
    check_extents(
        "conv",
        &[
            ("C*H*W", g.channels * g.height * g.width),
            ("C*kh*kw", g.channels * g.kh * g.kw),
            ("H + padding", g.height + g.top + g.kh + g.oh * g.sy),
            ("W + padding", g.width + g.left + g.kw + g.ow * g.sx),
            ("OH*OW", g.oh * g.ow),
            ("O", g.outputs),
        ],
    )?;
    let input = kernel_input(input, kernel)?;
    let (_, x) = input.cuda_ptr()?;
    let (_, w) = kernel.cuda_ptr()?;
    let (_, y) = output.cuda_ptr()?;
    let positions = (g.frames as u64) * (g.oh * g.ow) as u64;
    let tiles = positions.div_ceil(128) * (g.outputs as u64).div_ceil(64);
    let name = format!(
        "spk_conv_{}_{}",
        input.dtype().name(),
        kernel.dtype().name()
    );
    let words = [
        x,
        w,
        y,
        g.frames as u64,
        g.channels as u64,
        g.height as u64,
        g.width as u64,
        g.outputs as u64,
        g.kh as u64,
        g.kw as u64,
        g.sy as u64,
        g.sx as u64,
        g.top as u64,
        g.left as u64,
        g.oh as u64,
        g.ow as u64,
    ];
    launch_tiles(&dev, "conv.cu", &name, tiles, &words)
}
