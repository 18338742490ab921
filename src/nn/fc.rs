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

impl FC {
    /// Integrates `input` (`[B,T,I]` or `[T,I]`, any dtype) with the layer's kernel (or its sign
    /// when `sign` is set): [`crate::fc`] with this layer's kernel. Returns `[B,T,O]` in the
    /// kernel dtype.
    pub fn forward(&self, input: &Tensor, sign: bool) -> Result<Tensor> {
        crate::ops::fc(input, &self.kernel, sign)
    }

    /// [`FC::forward`] into a caller-provided output (see [`crate::fc_into`]).
    pub fn forward_into(&self, input: &Tensor, output: &Tensor, sign: bool) -> Result<()> {
        crate::ops::fc_into(input, &self.kernel, output, sign)
    }
}
