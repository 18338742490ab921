//! Free functions: every operation of the public API, one file per op family. Each function
//! validates its arguments, normalises ranks, allocates the output and dispatches to the backend
//! where its inputs live (`crate::cpu::<family>`, later `crate::cuda::<family>`).
//!
//! Everything here is re-exported at the crate root (`spyker::fire`, `spyker::Code`, ...).

// Families land one by one; empty ones re-export nothing yet. TODO(integration): remove.
#![allow(unused_imports, dead_code)]

mod backprop;
mod canny;
mod code;
mod conv;
mod fc;
mod fire;
mod fused;
mod inhibit;
mod pool;
mod stdp;
mod wta;

pub use backprop::*;
pub use canny::*;
pub use code::*;
pub use conv::*;
pub use fc::*;
pub use fire::*;
pub use fused::*;
pub use inhibit::*;
pub use pool::*;
pub use stdp::*;
pub use wta::*;

use crate::{Device, Error, Result, Tensor};

/// How spikes are coded in time (spec §1.1): by first-spike latency or by spike counts.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Code {
    /// Rank-order / latency coding: cumulative 0/1 spike trains, one spike per neuron.
    #[default]
    Rank = 0,
    /// Rate (Poisson) coding: cumulative spike counts.
    Rate = 1,
}

impl std::str::FromStr for Code {
    type Err = Error;
    /// "rank" or "rate", case-insensitive.
    fn from_str(s: &str) -> Result<Code> {
        match s.to_ascii_lowercase().as_str() {
            "rank" => Ok(Code::Rank),
            "rate" => Ok(Code::Rate),
            _ => Err(Error::Argument(format!(
                "expected code \"rank\" or \"rate\", got {s:?}"
            ))),
        }
    }
}

/// The device all `tensors` live on: an error when they are on incompatible devices.
pub(crate) fn common_device(tensors: &[&Tensor]) -> Result<Device> {
    let first = tensors
        .first()
        .map(|t| t.device())
        .ok_or_else(|| Error::Argument("expected at least one tensor".into()))?;
    for t in &tensors[1..] {
        if !t.device().compatible(first) {
            return Err(Error::Device(format!(
                "expected all tensors on {first}, got one on {}",
                t.device()
            )));
        }
    }
    Ok(first)
}

/// Errors unless every tensor is on the CPU (until the CUDA backend lands, each op calls this
/// after `common_device` to answer CUDA inputs with one clear error).
pub(crate) fn require_cpu(op: &str, tensors: &[&Tensor]) -> Result<()> {
    match common_device(tensors)? {
        Device::Cpu => Ok(()),
        Device::Cuda(_) => crate::cuda::unavailable(op),
    }
}
