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
mod fused_step;
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

use crate::{DType, Device, Error, Result, Tensor};

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

/// Errors when `output` shares memory with one of the named `inputs`: the kernels read those
/// while writing the output, so an overlap would corrupt the result.
pub(crate) fn ensure_distinct(op: &str, output: &Tensor, inputs: &[(&str, &Tensor)]) -> Result<()> {
    match inputs.iter().find(|(_, t)| output.same_storage(t)) {
        Some((name, _)) => Err(Error::Argument(format!(
            "{op}: expected an output that does not share memory with the {name}"
        ))),
        None => Ok(()),
    }
}

/// Errors unless a caller-provided `output` has the `want`ed shape and `dtype` (any when `None`). With
/// `normalise`, a leading 1 of `want` may be omitted (the output is rank-normalised first).
pub(crate) fn check_output(
    op: &str,
    output: &Tensor,
    want: &[usize],
    dtype: Option<DType>,
    normalise: bool,
) -> Result<()> {
    let got = if normalise {
        crate::shape::to_rank(output.shape(), want.len(), &format!("a {op} output"))?
    } else {
        output.shape().to_vec()
    };
    if got != want {
        return Err(Error::Shape(format!(
            "{op}: expected an output of shape {want:?}, got {:?}",
            output.shape()
        )));
    }
    match dtype {
        Some(d) if output.dtype() != d => Err(Error::DType(format!(
            "{op}: expected an output of dtype {d}, got {}",
            output.dtype()
        ))),
        _ => Ok(()),
    }
}

/// Errors unless `time` (a number of time steps) is in `1..=max`.
pub(crate) fn check_time(op: &str, time: usize, max: usize) -> Result<()> {
    if time == 0 || time > max {
        return Err(Error::Argument(format!(
            "{op}: expected time steps in 1..={max}, got {time}"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::{Code, DType, Error, Tensor};

    fn argument_error(r: crate::Result<()>, what: &str) {
        match r {
            Err(Error::Argument(m)) => assert!(m.contains(what), "message {m:?} lacks {what:?}"),
            other => panic!("expected an argument error about {what}, got {other:?}"),
        }
    }

    #[test]
    fn outputs_sharing_memory_with_an_input_are_refused() {
        let x = Tensor::full(DType::F32, &[1, 2, 1, 4, 4], 1.0).unwrap();
        argument_error(crate::fire_into(&x, &x, 0.5, Code::Rank), "the input");
        argument_error(crate::pool_into(&x, &x, 1, None, 0, None), "the input");
        // Kernel and output are disjoint views of one buffer: still the same memory.
        let buf = Tensor::full(DType::F32, &[33], 1.0).unwrap();
        let k = buf.slice(0, 1).unwrap().reshape_to(&[1, 1, 1, 1]).unwrap();
        let out = buf
            .slice(1, 33)
            .unwrap()
            .reshape_to(&[1, 2, 1, 4, 4])
            .unwrap();
        argument_error(crate::conv_into(&x, &k, &out, 1, 0), "the kernel");
        // A view of the input is the same memory too.
        let v = x.index(0).unwrap();
        argument_error(crate::fire_into(&x, &v, 0.5, Code::Rank), "the input");
    }

    #[test]
    fn outputs_of_the_wrong_shape_or_dtype_are_refused() {
        let x = Tensor::full(DType::F32, &[1, 2, 1, 4, 4], 1.0).unwrap();
        let k = Tensor::full(DType::F32, &[3, 1, 1, 1], 1.0).unwrap();
        let wrong_dtype = Tensor::zeros(DType::F64, &[1, 2, 3, 4, 4]).unwrap();
        assert!(matches!(
            crate::conv_into(&x, &k, &wrong_dtype, 1, 0),
            Err(Error::DType(m)) if m.contains("f32")
        ));
        let wrong_shape = Tensor::zeros(DType::F32, &[1, 2, 2, 4, 4]).unwrap();
        assert!(matches!(
            crate::conv_into(&x, &k, &wrong_shape, 1, 0),
            Err(Error::Shape(m)) if m.contains("[1, 2, 3, 4, 4]")
        ));
        // A leading 1 may be left out of a conv output, never out of a fire output.
        let rank4 = Tensor::zeros(DType::F32, &[2, 3, 4, 4]).unwrap();
        crate::conv_into(&x, &k, &rank4, 1, 0).unwrap();
        let fired = Tensor::zeros(DType::U8, &[2, 1, 4, 4]).unwrap();
        assert!(matches!(
            crate::fire_into(&x, &fired, 0.5, Code::Rank),
            Err(Error::Shape(_))
        ));
    }

    #[test]
    fn time_steps_are_checked_against_the_op_limit() {
        assert!(super::check_time("t", 0, 10).is_err());
        assert!(super::check_time("t", 11, 10).is_err());
        super::check_time("t", 10, 10).unwrap();
        let times = Tensor::zeros(DType::U8, &[1, 4]).unwrap();
        assert!(crate::times_to_spikes(&times, 256).is_err());
    }
}
