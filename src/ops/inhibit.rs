//! Lateral inhibition across channels: `inhibit` and `inhibit_inplace` (spec §4.6).

use super::common_device;
use crate::cpu::inhibit as kernel;
use crate::{shape, with_dtype, Device, Result, Scalar, Tensor};

/// Per-position winner-take-all across channels, on a copy of `input`.
///
/// `input` is `[B, T, C, H, W]` or `[T, C, H, W]` of any dtype; the result has the input's shape
/// and dtype. At every sample and spatial position one channel wins and keeps its values; every
/// other channel is multiplied by zero at all time steps (so floats keep the sign of zero and NaN
/// stays NaN, as in the original).
///
/// The winner is taken at the step `t* = T - max(S, 1)`, where `S` counts the steps whose largest
/// channel value exceeds `threshold`: for cumulative potentials that is the first step crossing the
/// threshold (the last step if none does). At `t*` the channel with the largest value wins, the
/// lowest channel on ties. `threshold` is converted to the input's dtype (spec §1.4).
pub fn inhibit(input: &Tensor, threshold: impl Into<Scalar>) -> Result<Tensor> {
    shape::to_rank(input.shape(), 5, "an inhibit input")?;
    common_device(&[input])?;
    let output = input.copy()?;
    inhibit_inplace(&output, threshold)?;
    Ok(output)
}

/// [`inhibit`] in place: the losing channels of `input` are zeroed in its own memory (and so in
/// every view sharing it).
pub fn inhibit_inplace(input: &Tensor, threshold: impl Into<Scalar>) -> Result<()> {
    let s = shape::to_rank(input.shape(), 5, "an inhibit input")?;
    common_device(&[input])?;
    let threshold = threshold.into();
    let g = kernel::Geom {
        batch: s[0],
        time: s[1],
        channels: s[2],
        plane: s[3] * s[4],
    };
    if let Device::Cuda(_) = input.device() {
        return crate::cuda::inhibit::inhibit(input, &g, threshold);
    }
    with_dtype!(input.dtype(), T => {
        let mut data = input.write::<T>()?;
        kernel::inhibit::<T>(&mut data, &g, threshold.to::<T>());
    });
    Ok(())
}
