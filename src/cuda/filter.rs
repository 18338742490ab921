//! CUDA kernels of the DoG / Gabor / LoG filters and the ZCA transform and split (spec §2,
//! `kernels/filter.cu`). The modules (`spyker::nn::{DoG, Gabor, LoG, ZCA}`) validate shapes and
//! call these for CUDA tensors; results are bit-identical to the CPU kernels (same f64 sums in the
//! same order, one rounding to the element type).

use super::kernels::launch;
use super::one_device;
use crate::cpu::filter::{Geometry, Mode};
use crate::{DType, Device, Result, Tensor};

const FILE: &str = "filter.cu";

/// True when the float tensor `x` holds a NaN or an infinity (one flag download).
pub(crate) fn has_non_finite(what: &str, x: &Tensor) -> Result<bool> {
    let dev = one_device(what, &[x])?;
    let flag = Tensor::zeros_on(x.device(), DType::U32, &[1])?;
    let (_, p) = x.cuda_ptr()?;
    let (_, f) = flag.cuda_ptr()?;
    let name = format!("spk_filter_check_{}", x.dtype().name());
    launch(&dev, FILE, &name, x.numel(), &[p, x.numel() as u64, f])?;
    Ok(flag.to_device(Device::Cpu)?.to_vec::<u32>()?[0] != 0)
}

/// Filters the `planes` planes of `x` (already in the kernel dtype) with `kernel` into `out`
/// (`planes` groups of F, or 2F for LoG, output planes); all contiguous on one GPU.
pub(crate) fn apply(
    what: &str,
    x: &Tensor,
    kernel: &Tensor,
    out: &Tensor,
    mode: Mode,
    g: &Geometry,
) -> Result<()> {
    let dev = one_device(what, &[x, kernel, out])?;
    let planes = x.numel() / (g.h * g.w);
    let mode_word = match mode {
        Mode::DoG => 0u64,
        Mode::Gabor => 1,
        Mode::LoG => 2,
    };
    let words = [
        x.cuda_ptr()?.1,
        kernel.cuda_ptr()?.1,
        out.cuda_ptr()?.1,
        planes as u64,
        g.h as u64,
        g.w as u64,
        g.k as u64,
        g.pad.top as u64,
        g.pad.left as u64,
        g.oh as u64,
        g.ow as u64,
        g.filters as u64,
        mode_word,
    ];
    let name = format!("spk_filter_{}", x.dtype().name());
    launch(&dev, FILE, &name, planes * g.filters * g.oh * g.ow, &words)
}

/// `out = (x − mean)·w` for the `rows × d` float tensor `x` (`out` of the same dtype and size,
/// not sharing memory with `x`); `mean` `[d]` and `w` `[d, d]` are f32 tensors on any device
/// (uploaded when on the host).
pub(crate) fn zca_apply(
    x: &Tensor,
    mean: &Tensor,
    w: &Tensor,
    out: &Tensor,
    d: usize,
) -> Result<()> {
    let dev = one_device("ZCA", &[x, out])?;
    let mean = mean.to_device(x.device())?;
    let w = w.to_device(x.device())?;
    let rows = x.numel() / d;
    let words = [
        x.cuda_ptr()?.1,
        mean.cuda_ptr()?.1,
        w.cuda_ptr()?.1,
        out.cuda_ptr()?.1,
        rows as u64,
        d as u64,
    ];
    let name = format!("spk_zca_apply_{}", x.dtype().name());
    launch(&dev, FILE, &name, rows * d, &words)
}

/// The ZCA sign split of the `rows × d` tensor `x` into `out` `[rows, 2, d]` (same dtype).
pub(crate) fn zca_split(x: &Tensor, out: &Tensor, d: usize) -> Result<()> {
    let dev = one_device("ZCA split", &[x, out])?;
    let rows = x.numel() / d;
    let words = [x.cuda_ptr()?.1, out.cuda_ptr()?.1, rows as u64, d as u64];
    let name = format!("spk_zca_split_{}", x.dtype().name());
    launch(&dev, FILE, &name, rows * d, &words)
}
