//! CUDA kernel of `inhibit` (spec §4.6, `kernels/inhibit.cu`): in place on a contiguous
//! `[B, T, C, H, W]` CUDA tensor, bit-identical to the CPU kernel.

use super::copy::scalar_word;
use super::kernels::launch;
use super::one_device;
use crate::cpu::inhibit::Geom;
use crate::{Result, Scalar, Tensor};

/// Zeroes (multiplies by zero) every channel but the winner at each `(sample, position)` of
/// `input`, with `threshold` converted to its dtype.
pub(crate) fn inhibit(input: &Tensor, g: &Geom, threshold: Scalar) -> Result<()> {
    if g.channels <= 1 {
        return Ok(()); // a single channel always wins
    }
    let dev = one_device("inhibit", &[input])?;
    let (_, x) = input.cuda_ptr()?;
    let dt = input.dtype();
    let name = format!("spk_inhibit_{}", dt.name());
    let words = [
        x,
        g.batch as u64,
        g.time as u64,
        g.channels as u64,
        g.plane as u64,
        scalar_word(threshold, dt),
    ];
    launch(&dev, "inhibit.cu", &name, g.batch * g.plane, &words)
}
