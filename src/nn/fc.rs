//! The fully connected layer module.

use super::{normal_kernel, BPConfig, STDPConfig};
use crate::{DType, Device, Error, Result, Tensor};

/// A fully connected layer with STDP and temporal backprop (spec §6.4).
#[derive(Debug, Clone)]
pub struct FC {
    /// `[out, in]`.
    pub kernel: Tensor,
    pub stdpconfig: Vec<STDPConfig>,
    pub bpconfig: BPConfig,
}

impl FC {
    /// A layer with `insize` inputs and `outsize` neurons, kernel drawn from N(mean, std) with the
    /// library generator (bit-identical to the original after the same `random_seed`).
    pub fn new(
        insize: usize,
        outsize: usize,
        mean: f64,
        std: f64,
        device: Device,
        dtype: DType,
    ) -> Result<FC> {
        if insize == 0 || outsize == 0 {
            return Err(Error::Argument(format!(
                "expected input and output sizes >= 1, got {insize} and {outsize}"
            )));
        }
        let k = normal_kernel(&[outsize, insize], mean, std, dtype)?;
        Ok(FC {
            kernel: k.to_device(device)?,
            stdpconfig: Vec::new(),
            bpconfig: BPConfig::default(),
        })
    }

    /// A layer with the original's defaults: N(0.5, 0.02), f32 on the CPU.
    pub fn with_defaults(insize: usize, outsize: usize) -> Result<FC> {
        FC::new(insize, outsize, 0.5, 0.02, Device::Cpu, DType::F32)
    }
}

// Learning (STDP and backprop families). Kept in its own impl block, apart from the forward pass.
impl FC {
    /// Dense STDP / R-STDP (spec §8.3) with the intended post-synaptic time: the first spike of
    /// neuron `winner.x` in `output` `[B,T,O]`. Row `winner.x` of the kernel is updated from the
    /// first-spike times of `input` `[B,T,I]` with `stdpconfig[winner.c]`; negative `c` skips.
    ///
    /// The original CPU build uses post time 0 instead; [`FC::stdp_with`] with
    /// [`crate::ops::FcPostTime::Zero`] reproduces it. Errors as [`crate::Conv::stdp`].
    pub fn stdp(
        &mut self,
        input: &Tensor,
        winners: &[Vec<crate::ops::Winner>],
        output: &Tensor,
    ) -> Result<()> {
        self.stdp_with(input, winners, output, crate::ops::FcPostTime::FirstSpike)
    }

    /// [`FC::stdp`] with an explicit choice of the post-synaptic time.
    pub fn stdp_with(
        &mut self,
        input: &Tensor,
        winners: &[Vec<crate::ops::Winner>],
        output: &Tensor,
        post: crate::ops::FcPostTime,
    ) -> Result<()> {
        crate::ops::fc_stdp(&self.kernel, &self.stdpconfig, input, winners, output, post)
    }

    /// Temporal-error backprop step (spec §8.6): updates the kernel with `bpconfig`, mutates
    /// `bpconfig.sfactor`, and returns the error for the layer below, `[B, I]`.
    ///
    /// `input` `[B, I]` and `output` `[B, O]` are the first-spike times of the layer's input and
    /// output, `grad` `[B, O]` the error (e.g. from [`crate::backward`]); all three share one
    /// dtype, which the result has too. The kernel must be f32.
    pub fn backward(&mut self, input: &Tensor, output: &Tensor, grad: &Tensor) -> Result<Tensor> {
        crate::ops::fc_backward(&self.kernel, &mut self.bpconfig, input, output, grad, None)
    }

    /// [`FC::backward`] writing the result into `next` `[B, I]` (same dtype as `grad`).
    pub fn backward_into(
        &mut self,
        input: &Tensor,
        output: &Tensor,
        grad: &Tensor,
        next: &Tensor,
    ) -> Result<()> {
        crate::ops::fc_backward(
            &self.kernel,
            &mut self.bpconfig,
            input,
            output,
            grad,
            Some(next),
        )
        .map(|_| ())
    }
}

impl FC {
    /// The device of the layer (where its kernel lives); inputs must be on it.
    pub fn device(&self) -> Device {
        self.kernel.device()
    }

    /// This layer with its kernel on `device` (copied there; shared when already there).
    pub fn to_device(&self, device: Device) -> Result<FC> {
        Ok(FC {
            kernel: self.kernel.to_device(device)?,
            ..self.clone()
        })
    }

    /// Integrates `input` (`[B,T,I]` or `[T,I]`, any dtype) with the layer's kernel (or its sign
    /// when `sign` is set): [`crate::fc`] with this layer's kernel. Returns `[B,T,O]` in the
    /// kernel dtype, on the layer's device (see [`FC::to_device`]).
    pub fn forward(&self, input: &Tensor, sign: bool) -> Result<Tensor> {
        crate::ops::fc(input, &self.kernel, sign)
    }

    /// [`FC::forward`] into a caller-provided output (see [`crate::fc_into`]).
    pub fn forward_into(&self, input: &Tensor, output: &Tensor, sign: bool) -> Result<()> {
        crate::ops::fc_into(input, &self.kernel, output, sign)
    }
}
