//! Winner-take-all: `fcwta`, `convwta` and the `Winner` record (spec §7).

use crate::cuda::wta::WtaRegion;
use crate::ops::common_device;
use crate::{bail, shape, Device, Expand2, Result, Scalar, Tensor};

/// A selected neuron (spec §7.1). For FC winners the neuron index is in `x` and `z = y = 0`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Winner {
    /// Index into the layer's `stdpconfig` list (R-STDP selector); negative = skip this winner.
    pub c: i64,
    /// Spike time (filled by sparse WTA only; 0 for dense).
    pub t: i64,
    /// Output channel.
    pub z: i64,
    /// Row.
    pub y: i64,
    /// Column (or neuron index for FC layers).
    pub x: i64,
}

impl Winner {
    /// A winner with every field given (`c`, `t`, `z`, `y`, `x`).
    pub const fn new(c: i64, t: i64, z: i64, y: i64, x: i64) -> Winner {
        Winner { c, t, z, y, x }
    }

    /// The winner of a fully connected layer: neuron `x`, config `c`.
    pub const fn fc(c: i64, x: i64) -> Winner {
        Winner {
            c,
            t: 0,
            z: 0,
            y: 0,
            x,
        }
    }
}

/// Winners per sample, in selection order.
pub type Winners = Vec<Vec<Winner>>;

/// Selects up to `count` winners per sample among fully connected outputs (spec §7.3).
///
/// `input` is `[B, T, N]` (or `[T, N]`, read as one sample), any dtype. Float inputs are treated
/// as potentials: earlier crossing of `threshold` wins, then the larger potential at that step.
/// Integer inputs are spike trains (non-zero = spike) and `threshold` is ignored, as in the
/// original. After each pick, neurons within `radius` of it are excluded. Ties go to the lowest
/// index. Winners have `c = t = z = y = 0` and the neuron index in `x`.
pub fn fcwta(
    input: &Tensor,
    radius: usize,
    count: usize,
    threshold: impl Into<Scalar>,
) -> Result<Winners> {
    common_device(&[input])?;
    let dims = shape::to_rank(input.shape(), 3, "an fcwta input [B,T,N]")?;
    if count == 0 {
        bail!(Argument, "expected a winner count >= 1, got 0");
    }
    let input = input.reshape_to(&dims)?;
    if let Device::Cuda(_) = input.device() {
        let region = WtaRegion::Fc { n: dims[2], radius };
        return crate::cuda::wta::select("fcwta", &input, region, count, threshold.into());
    }
    crate::cpu::wta::select(
        &input,
        crate::cpu::wta::Region::Fc { n: dims[2], radius },
        count,
        threshold.into(),
    )
}

/// Selects up to `count` winners per sample among convolution outputs (spec §7.4).
///
/// `input` is `[B, T, C, H, W]` (or `[T, C, H, W]`), any dtype, scored as in [`fcwta`] over the
/// neurons in channel-major order. After each pick `(z, y, x)`, the rectangle of `radius`
/// `(rows, cols)` around `(y, x)` is excluded in every channel and channel `z` is excluded
/// entirely, so each feature map wins at most once per sample.
pub fn convwta(
    input: &Tensor,
    radius: impl Into<Expand2>,
    count: usize,
    threshold: impl Into<Scalar>,
) -> Result<Winners> {
    common_device(&[input])?;
    let dims = shape::to_rank(input.shape(), 5, "a convwta input [B,T,C,H,W]")?;
    if count == 0 {
        bail!(Argument, "expected a winner count >= 1, got 0");
    }
    let input = input.reshape_to(&dims)?;
    let radius = radius.into();
    if let Device::Cuda(_) = input.device() {
        let region = WtaRegion::Conv {
            c: dims[2],
            h: dims[3],
            w: dims[4],
            ry: radius.y,
            rx: radius.x,
        };
        return crate::cuda::wta::select("convwta", &input, region, count, threshold.into());
    }
    crate::cpu::wta::select(
        &input,
        crate::cpu::wta::Region::Conv {
            c: dims[2],
            h: dims[3],
            w: dims[4],
            radius,
        },
        count,
        threshold.into(),
    )
}
