//! The convolution layer module.

use super::{normal_kernel, STDPConfig};
use crate::{DType, Device, Error, Expand2, Expand4, Result, Tensor};

/// A 2-D convolution layer of integrate-and-fire neurons with STDP learning (spec §6.3).
#[derive(Debug, Clone)]
pub struct Conv {
    /// `[out, in, kh, kw]`.
    pub kernel: Tensor,
    pub stride: Expand2,
    pub pad: Expand4,
    /// STDP / R-STDP configurations, selected per winner by `Winner::c`.
    pub stdpconfig: Vec<STDPConfig>,
}

impl Conv {
    /// A layer with `insize` input and `outsize` output channels, kernel, stride and padding,
    /// its kernel drawn from N(mean, std) with the library generator (bit-identical to the
    /// original after the same `random_seed`).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        insize: usize,
        outsize: usize,
        kernel: impl Into<Expand2>,
        stride: impl Into<Expand2>,
        pad: impl Into<Expand4>,
        mean: f64,
        std: f64,
        device: Device,
        dtype: DType,
    ) -> Result<Conv> {
        let kernel = kernel.into().check_min(1, "kernel")?;
        let stride = stride.into().check_min(1, "stride")?;
        if insize == 0 || outsize == 0 {
            return Err(Error::Argument(format!(
                "expected input and output sizes >= 1, got {insize} and {outsize}"
            )));
        }
        let k = normal_kernel(&[outsize, insize, kernel.y, kernel.x], mean, std, dtype)?;
        Ok(Conv {
            kernel: k.to_device(device)?,
            stride,
            pad: pad.into(),
            stdpconfig: Vec::new(),
        })
    }

    /// A layer with the original's defaults: stride 1, no padding, N(0.5, 0.02), f32 on the CPU.
    pub fn with_defaults(
        insize: usize,
        outsize: usize,
        kernel: impl Into<Expand2>,
    ) -> Result<Conv> {
        Conv::new(
            insize,
            outsize,
            kernel,
            1,
            0,
            0.5,
            0.02,
            Device::Cpu,
            DType::F32,
        )
    }
}

// Learning (STDP family). Kept in its own impl block, apart from the forward pass.
impl Conv {
    /// Dense STDP / R-STDP (spec §8.2): for each winner (per sample, in list order) the kernel of
    /// feature map `winner.z` is updated from the first-spike times of the receptive field at
    /// `(winner.y, winner.x)` in `input` `[B,T,C,H,W]` and of the winner neuron in `output`
    /// `[B,T,O,H',W']` (both spike trains of the same dtype, non-zero = spike), with the
    /// config `stdpconfig[winner.c]`; winners with a negative `c` are skipped.
    ///
    /// Errors (leaving the kernel untouched): no configs, an integer kernel, mismatched dtypes or
    /// shapes, fewer winner lists than samples, a winner outside the output or with
    /// `c >= stdpconfig.len()`. Extra winner lists beyond the batch are ignored, as in the
    /// original.
    pub fn stdp(
        &mut self,
        input: &Tensor,
        winners: &[Vec<crate::ops::Winner>],
        output: &Tensor,
    ) -> Result<()> {
        crate::ops::stdp(self, input, winners, output)
    }
}

impl Conv {
    /// The device of the layer (where its kernel lives); inputs must be on it.
    pub fn device(&self) -> Device {
        self.kernel.device()
    }

    /// This layer with its kernel on `device` (copied there; shared when already there).
    pub fn to_device(&self, device: Device) -> Result<Conv> {
        Ok(Conv {
            kernel: self.kernel.to_device(device)?,
            ..self.clone()
        })
    }

    /// Integrates `input` (`[B,T,C,H,W]` or `[T,C,H,W]`, any dtype) with the layer's kernel,
    /// stride and padding: [`crate::conv`] with this layer's parameters. Returns
    /// `[B,T,O,H',W']` potentials in the kernel dtype, on the layer's device (a CUDA layer takes
    /// CUDA inputs of the same GPU; see [`Conv::to_device`]).
    pub fn forward(&self, input: &Tensor) -> Result<Tensor> {
        crate::ops::conv(input, &self.kernel, self.stride, self.pad)
    }

    /// [`Conv::forward`] into a caller-provided output (see [`crate::conv_into`]).
    pub fn forward_into(&self, input: &Tensor, output: &Tensor) -> Result<()> {
        crate::ops::conv_into(input, &self.kernel, output, self.stride, self.pad)
    }
}
