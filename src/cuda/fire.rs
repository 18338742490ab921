//! CUDA kernels of the neuron family (spec 4.1-4.3): `fire` (rank and rate codes), `threshold`
//! and `quantize`, over every dtype of spec 13. The op layer (`spyker::fire`, ...) validates
//! arguments and dispatches here for CUDA tensors; these functions can also be called directly.

use super::copy::scalar_word;
use super::kernels::launch;
use crate::ops::Code;
use crate::{Error, Result, Scalar, Tensor};

fn same_device(a: &Tensor, b: &Tensor, op: &str) -> Result<()> {
    if a.device() != b.device() {
        return Err(Error::Device(format!(
            "{op}: expected the output on {}, got one on {}",
            a.device(),
            b.device()
        )));
    }
    Ok(())
}

/// `fire` of CUDA `input` into CUDA `output` (same device, same element count, separate memory).
/// Rank: `output = input > threshold ? 1 : 0`; rate: the input is `[batch, steps, ...]` (a 2-D
/// input is one sample `[steps, neurons]`) and `output[t]` counts the spikes up to step `t`.
/// `threshold` is converted to the input dtype first.
pub fn fire_into(input: &Tensor, output: &Tensor, threshold: Scalar, code: Code) -> Result<()> {
    same_device(input, output, "fire")?;
    if input.numel() != output.numel() {
        return Err(Error::Shape(format!(
            "fire: expected an output of {} elements, got {:?}",
            input.numel(),
            output.shape()
        )));
    }
    if input.same_storage(output) {
        return Err(Error::Argument(
            "fire: expected an output that does not share memory with the input".into(),
        ));
    }
    let (dev, x) = input.cuda_ptr()?;
    let (_, y) = output.cuda_ptr()?;
    let (si, so) = (input.dtype().name(), output.dtype().name());
    let thr = scalar_word(threshold, input.dtype());
    match code {
        Code::Rank => {
            let n = input.numel();
            let name = format!("spk_fire_rank_{si}_{so}");
            launch(&dev, "fire.cu", &name, n, &[x, y, n as u64, thr])
        }
        Code::Rate => {
            let s = input.shape();
            let (batch, steps, inner) = match s.len() {
                0 | 1 => {
                    return Err(Error::Shape(format!(
                        "fire with rate code: expected an input of rank >= 2 ([steps, neurons] \
                         or [batch, steps, ...]), got {s:?}"
                    )))
                }
                2 => (1, s[0], s[1]),
                _ => (s[0], s[1], s[2..].iter().product()),
            };
            let name = format!("spk_fire_rate_{si}_{so}");
            launch(
                &dev,
                "fire.cu",
                &name,
                batch * inner,
                &[x, y, batch as u64, steps as u64, inner as u64, thr],
            )
        }
    }
}

/// In place on a CUDA tensor: every element `<= threshold` becomes `value` (both converted to
/// the tensor's dtype).
pub fn threshold(input: &Tensor, threshold: Scalar, value: Scalar) -> Result<()> {
    let (dev, x) = input.cuda_ptr()?;
    let dt = input.dtype();
    let n = input.numel();
    let name = format!("spk_threshold_{}", dt.name());
    launch(
        &dev,
        "fire.cu",
        &name,
        n,
        &[
            x,
            n as u64,
            scalar_word(threshold, dt),
            scalar_word(value, dt),
        ],
    )
}

/// In place on a CUDA tensor: `x = x < middle ? lower : upper` (scalars converted to the dtype).
pub fn quantize(input: &Tensor, lower: Scalar, middle: Scalar, upper: Scalar) -> Result<()> {
    let (dev, x) = input.cuda_ptr()?;
    let dt = input.dtype();
    let n = input.numel();
    let name = format!("spk_quantize_{}", dt.name());
    launch(
        &dev,
        "fire.cu",
        &name,
        n,
        &[
            x,
            n as u64,
            scalar_word(lower, dt),
            scalar_word(middle, dt),
            scalar_word(upper, dt),
        ],
    )
}

/// `gather` of CUDA `input` (`[batch, time, n]`, contiguous) into CUDA `output` (`[batch, n]`,
/// any dtype) on one device: the first step above `threshold` (rank) or the last step's value
/// (rate). Shapes are checked by the op layer.
pub(crate) fn gather_into(
    input: &Tensor,
    output: &Tensor,
    threshold: Scalar,
    code: Code,
    (batch, time, n): (usize, usize, usize),
) -> Result<()> {
    let dev = super::one_device("gather", &[input, output])?;
    let (_, x) = input.cuda_ptr()?;
    let (_, y) = output.cuda_ptr()?;
    let (si, so) = (input.dtype().name(), output.dtype().name());
    let dims = [batch as u64, time as u64, n as u64];
    match code {
        Code::Rank => {
            let name = format!("spk_gather_rank_{si}_{so}");
            let thr = scalar_word(threshold, input.dtype());
            let words = [x, y, dims[0], dims[1], dims[2], thr];
            launch(&dev, "gather.cu", &name, batch * n, &words)
        }
        Code::Rate => {
            let name = format!("spk_gather_rate_{si}_{so}");
            let words = [x, y, dims[0], dims[1], dims[2]];
            launch(&dev, "gather.cu", &name, batch * n, &words)
        }
    }
}

/// `scatter` of CUDA first-spike times `input` (`[batch, n]`) into CUDA spike trains `output`
/// (`[batch, time, n]`, any dtype) on one device. Shapes are checked by the op layer.
pub(crate) fn scatter_into(
    input: &Tensor,
    output: &Tensor,
    (batch, time, n): (usize, usize, usize),
) -> Result<()> {
    let dev = super::one_device("scatter", &[input, output])?;
    let (_, x) = input.cuda_ptr()?;
    let (_, y) = output.cuda_ptr()?;
    let name = format!(
        "spk_scatter_{}_{}",
        input.dtype().name(),
        output.dtype().name()
    );
    let words = [x, y, batch as u64, time as u64, n as u64];
    launch(&dev, "gather.cu", &name, batch * time * n, &words)
}
