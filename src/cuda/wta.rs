//! CUDA kernel of `fcwta` / `convwta` (spec §7, `kernels/wta.cu`): one block per sample computes
//! the scores and runs the whole greedy pick loop on the device; only the winners' indices come
//! back to the host. Same winners, in the same order, as the CPU selection.

use super::copy::{scalar_bits, scalar_word};
use super::kernels::launch_grid;
use super::one_device;
use crate::ops::Winner;
use crate::{with_dtype, DType, Device, Element, Error, Result, Scalar, Tensor};

/// Threads per block of `spk_wta_*` (`WTA_BLOCK` in kernels/wta.cu; a power of two).
const BLOCK: u32 = 256;

/// The neighbourhood a winner excludes (the CPU's `Region`, restated so the two backends do not
/// share a private type).
#[derive(Debug, Clone, Copy)]
pub(crate) enum WtaRegion {
    /// `n` neurons in a row; `radius` on each side.
    Fc { n: usize, radius: usize },
    /// `c` maps of `h × w`: the `(ry, rx)` rectangle in every map plus the winner's whole map.
    Conv {
        c: usize,
        h: usize,
        w: usize,
        ry: usize,
        rx: usize,
    },
}

/// Winners of every sample of the contiguous CUDA tensor `input` `[B, T, ...]` (validated by the
/// caller: rank, `count >= 1`, `N` matching `region`).
pub(crate) fn select(
    op: &str,
    input: &Tensor,
    region: WtaRegion,
    count: usize,
    threshold: Scalar,
) -> Result<Vec<Vec<Winner>>> {
    let dev = one_device(op, &[input])?;
    let (b, t) = (input.shape()[0], input.shape()[1]);
    let n = input.numel() / (b * t);
    // Every pick excludes at least itself, so no sample has more than N winners.
    let count = count.min(n);
    let dt = input.dtype();
    // The score sentinel: the element type's `lowest` for floats, 0 for u16 spike scores.
    let (score_dt, lowest) = if dt.is_float() {
        (
            dt,
            with_dtype!(dt, T => scalar_bits::<T>(<T as Element>::lowest())),
        )
    } else {
        (DType::U16, 0)
    };
    let device = input.device();
    let scores = Tensor::alloc_on(device, score_dt, &[b * n], false)?;
    let out = Tensor::alloc_on(device, DType::U64, &[b * (count + 1)], false)?;
    let (c, h, w, ry, rx, conv) = match region {
        WtaRegion::Fc { n, radius } => (1, 1, n, 0, radius, 0u64),
        WtaRegion::Conv { c, h, w, ry, rx } => (c, h, w, ry, rx, 1),
    };
    let (_, x) = input.cuda_ptr()?;
    let (_, sp) = scores.cuda_ptr()?;
    let (_, outp) = out.cuda_ptr()?;
    let words = [
        x,
        sp,
        outp,
        t as u64,
        n as u64,
        scalar_word(threshold, dt),
        lowest,
        count as u64,
        conv,
        c as u64,
        h as u64,
        w as u64,
        ry as u64,
        rx as u64,
    ];
    let name = format!("spk_wta_{}", dt.name());
    launch_blocks(&dev, &name, b, &words)?;
    let res = out.to_device(Device::Cpu)?.to_vec::<u64>()?;
    let plane = (h * w) as u64;
    Ok(res
        .chunks(count + 1)
        .map(|s| {
            let found = (s[0] as usize).min(count);
            s[1..=found]
                .iter()
                .map(|&i| match region {
                    WtaRegion::Fc { .. } => Winner::fc(0, i as i64),
                    WtaRegion::Conv { .. } => Winner::new(
                        0,
                        0,
                        (i / plane) as i64,
                        ((i % plane) / w as u64) as i64,
                        (i % w as u64) as i64,
                    ),
                })
                .collect()
        })
        .collect())
}

/// Launches `wta.cu::name` with one block of [`BLOCK`] threads per sample.
fn launch_blocks(dev: &super::DeviceState, name: &str, blocks: usize, args: &[u64]) -> Result<()> {
    let grid = u32::try_from(blocks)
        .ok()
        .filter(|&g| g <= i32::MAX as u32)
        .ok_or_else(|| {
            Error::Argument(format!(
                "{name}: {blocks} samples exceed the CUDA grid limit (2^31 - 1)"
            ))
        })?;
    launch_grid(dev, "wta.cu", name, (grid, BLOCK), args)
}
