//! The `code` operation family (public API): turning intensities into spike trains (rank-order /
//! latency coding and Poisson rate coding, spec §3.1–3.3) and `infinite` (spec §3.4).

use crate::cpu::code as kernel;
use crate::ops::{common_device, require_cpu, Code};
use crate::{shape, with_dtype, DType, Device, Error, Result, Scalar, Tensor};

/// The largest `time` accepted: the original stores spike times in 16-bit integers.
pub const MAX_CODE_TIME: i64 = 65535;

/// Codes `input` into `time` steps of spikes, as `u8` (the original's default output dtype).
///
/// `input` is `[B, d1, d2, …]` (a 1-D `[N]` input is treated as one sample `[1, N]`); every
/// sample is coded on its own, over all its features. The result is `[B, time, d1, d2, …]`:
///
/// * [`Code::Rank`]: cumulative 0/1 trains, one spike per feature. With `sort = true` features
///   spike in order of decreasing value, evenly spread over the steps by rank (ties in the order
///   of the original's `std::sort`); with `sort = false` the spike time is linear in the value.
///   The maximum spikes at `t = 0`, minimum-valued features never spike, and a constant sample
///   spikes everywhere at `t = 0` (as the original).
/// * [`Code::Rate`]: cumulative Poisson spike counts, brighter features spiking more often; no
///   feature spikes at `t = 0`. The randomness comes from the library generator
///   ([`crate::random_seed`]): one draw per call, so the same seed gives the same result
///   whatever the thread count.
///
/// CUDA inputs are coded on their GPU with the same result bit for bit (rate coding included:
/// same seed draw, same per-sample generators).
///
/// Errors: `time` outside `1..=65535`, NaN values (and infinities with `sort = false`), or
/// tensors on different devices.
pub fn code(input: &Tensor, time: i64, sort: bool, code: Code) -> Result<Tensor> {
    code_as(input, time, sort, DType::U8, code)
}

/// [`code()`] with the output dtype chosen by the caller (counts wrap in narrow integer types,
/// e.g. at 256 for `u8`, like the original).
pub fn code_as(input: &Tensor, time: i64, sort: bool, dtype: DType, code: Code) -> Result<Tensor> {
    let (_, out_shape) = code_shapes(input, time)?;
    common_device(&[input])?;
    let output = Tensor::zeros_on(input.device(), dtype, &out_shape)?;
    code_into(input, &output, time, sort, code)?;
    Ok(output)
}

/// [`code()`] writing into `output`, which must have the shape of the result (`input`'s shape,
/// after treating 1-D as `[1, N]`, with `time` inserted at position 1); any dtype.
pub fn code_into(input: &Tensor, output: &Tensor, time: i64, sort: bool, code: Code) -> Result<()> {
    let (in_shape, out_shape) = code_shapes(input, time)?;
    if output.shape() != out_shape.as_slice() {
        return Err(Error::Shape(format!(
            "expected a code output of shape {out_shape:?} for input {:?} and time {time}, got \
             {:?}",
            input.shape(),
            output.shape()
        )));
    }
    common_device(&[input, output])?;
    let time = time as usize;
    let n: usize = in_shape[1..].iter().product();
    if let Device::Cuda(_) = input.device() {
        return crate::cuda::code::code(input, output, n, time, sort, code);
    }
    // The input guard is dropped before the output is locked, so an output sharing memory with
    // the input cannot deadlock (the times are computed before anything is written).
    let tau = with_dtype!(input.dtype(), T => {
        let x = input.read::<T>()?;
        kernel::check_values(&x, sort)?;
        kernel::latencies(&x, n, time, sort)
    });
    match code {
        Code::Rank => with_dtype!(output.dtype(), O => {
            kernel::rank(&tau, &mut output.write::<O>()?, n, time)
        }),
        Code::Rate => {
            let table = kernel::table(time);
            let seed = crate::runtime::with_generator(|g| g.next_u32());
            with_dtype!(output.dtype(), O => {
                kernel::rate(&tau, &mut output.write::<O>()?, n, time, seed, &table)
            })
        }
    }
    Ok(())
}

/// Rank-order spike times of `input` `[B, ...]` (a 1-D input is one sample) over `time` steps
/// (`1..=255`): `u8 [B, ...]` holding each feature's first spike step, `time` = never. This is
/// `gather(code(input, time, sort, Rank))` (equivalently `rank_times` of the trains) without the
/// `time` frames, for the spike-time fast paths (`conv_fire_times`, `pool_times`,
/// `Conv::stdp_step_times`). Errors as [`code()`].
pub fn code_times(input: &Tensor, time: usize, sort: bool) -> Result<Tensor> {
    super::check_time("code_times", time, crate::MAX_TIME)?;
    let (in_shape, _) = code_shapes(input, time as i64)?;
    require_cpu("code_times", &[input])?;
    let n: usize = in_shape[1..].iter().product();
    let tau = with_dtype!(input.dtype(), T => {
        let x = input.read::<T>()?;
        kernel::check_values(&x, sort)?;
        kernel::latencies(&x, n, time, sort)
    });
    let times: Vec<u8> = tau.iter().map(|&s| s.min(time as u32) as u8).collect();
    Tensor::from_vec(times, &in_shape)
}

/// The normalised input shape and the output shape, after checking `time`.
fn code_shapes(input: &Tensor, time: i64) -> Result<(Vec<usize>, Vec<usize>)> {
    if !(1..=MAX_CODE_TIME).contains(&time) {
        return Err(Error::Argument(format!(
            "expected a code time in 1..={MAX_CODE_TIME}, got {time}"
        )));
    }
    let in_shape = shape::at_least(input.shape(), 2, "a code input")?;
    let out_shape = shape::code(&in_shape, time as usize)?;
    Ok((in_shape, out_shape))
}

/// A copy of `input` with every time step but the last set to `value` (converted to the dtype
/// like every scalar argument, spec §1.4).
///
/// `input` is `[B, T, …]` (a 2-D `[T, N]` input is one sample). This emulates an infinite
/// threshold: neurons can only "fire" at the last step. Any dtype; CUDA tensors run on their GPU.
pub fn infinite(input: &Tensor, value: impl Into<Scalar>) -> Result<Tensor> {
    infinite_shape(input)?;
    let out = input.copy()?;
    infinite_inplace(&out, value)?;
    Ok(out)
}

/// [`infinite`] in place: overwrites every time step of `input` but the last.
pub fn infinite_inplace(input: &Tensor, value: impl Into<Scalar>) -> Result<()> {
    let shape = infinite_shape(input)?;
    let value = value.into();
    let steps = shape[1];
    let rest: usize = shape[2..].iter().product();
    if let Device::Cuda(_) = input.device() {
        return crate::cuda::code::infinite(input, steps, rest, value);
    }
    with_dtype!(input.dtype(), T => {
        kernel::infinite(&mut input.write::<T>()?, steps, rest, value.to::<T>())
    });
    Ok(())
}

fn infinite_shape(input: &Tensor) -> Result<Vec<usize>> {
    shape::at_least(input.shape(), 3, "an infinite input [B, T, ...]")
}
