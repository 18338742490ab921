//! CUDA kernels of the `code` family (spec §3, `kernels/code.cu`): the input check, spike times,
//! rank and rate trains, and `infinite`. The op layer (`spyker::code_into`,
//! `spyker::infinite_inplace`) validates shapes and calls these for CUDA tensors; results are
//! bit-identical to the CPU kernels (`src/cpu/code.rs`).
//!
//! Rate coding keeps the CPU's random streams: the Poisson interval table is the CPU's (built on
//! the host from the C `rand()` stream, cached there, uploaded per call) and the seed is one draw
//! of the library generator, as on the CPU; each sample's mt19937 (seed + b) then runs on the GPU,
//! one thread per sample, consuming its outputs in exactly the CPU's order.

use super::copy::scalar_word;
use super::kernels::launch;
use super::one_device;
use crate::{Code, DType, Device, Error, Result, Scalar, Tensor};

const FILE: &str = "code.cu";

/// The CPU check's error for the first NaN (or infinity when `!sort`) of a float input.
fn check_values(input: &Tensor, sort: bool) -> Result<()> {
    let dt = input.dtype();
    if !dt.is_float() {
        return Ok(());
    }
    let dev = one_device("code", &[input])?;
    let (_, x) = input.cuda_ptr()?;
    let first = Tensor::from_vec(vec![u64::MAX], &[1])?.to_device(input.device())?;
    let (_, f) = first.cuda_ptr()?;
    let total = input.numel();
    let name = format!("spk_code_check_{}", dt.name());
    launch(
        &dev,
        FILE,
        &name,
        total,
        &[x, total as u64, f, (!sort) as u64],
    )?;
    let key = first.to_device(Device::Cpu)?.to_vec::<u64>()?[0];
    if key == u64::MAX {
        return Ok(());
    }
    let value = match key % 4 {
        0 => f64::NAN,
        1 => f64::INFINITY,
        _ => f64::NEG_INFINITY,
    };
    Err(crate::cpu::code::bad_value(value, (key / 4) as usize))
}

/// Spike times `u32 [B, n]` of every sample of `input` (`time` = never).
fn spike_times(input: &Tensor, n: usize, time: usize, sort: bool) -> Result<Tensor> {
    if n > u32::MAX as usize {
        return Err(Error::Argument(format!(
            "code on CUDA supports at most {} features per sample, got {n}",
            u32::MAX
        )));
    }
    let dev = one_device("code", &[input])?;
    let samples = input.numel() / n;
    let device = input.device();
    let tau = Tensor::alloc_on(device, DType::U32, &[samples, n], false)?;
    // Sort scratch: the index order of each sample.
    let order = Tensor::alloc_on(
        device,
        DType::U32,
        &[if sort { samples * n } else { 1 }],
        false,
    )?;
    let (_, x) = input.cuda_ptr()?;
    let (_, t) = tau.cuda_ptr()?;
    let (_, o) = order.cuda_ptr()?;
    let end = time as f32 + 1e-5f32;
    let name = format!("spk_code_times_{}", input.dtype().name());
    let words = [
        x,
        t,
        o,
        samples as u64,
        n as u64,
        time as u64,
        end.to_bits() as u64,
        sort as u64,
    ];
    launch(&dev, FILE, &name, samples, &words)?;
    Ok(tau)
}

/// Codes `input` (`n` features per sample) into `output` `[B, time, n]` (shapes checked by the
/// caller; `output` may share memory with `input`: the times are computed first, in stream
/// order).
pub(crate) fn code(
    input: &Tensor,
    output: &Tensor,
    n: usize,
    time: usize,
    sort: bool,
    code: Code,
) -> Result<()> {
    let dev = one_device("code", &[input, output])?;
    check_values(input, sort)?;
    let tau = spike_times(input, n, time, sort)?;
    let samples = input.numel() / n;
    let (_, t) = tau.cuda_ptr()?;
    let (_, y) = output.cuda_ptr()?;
    let odt = output.dtype().name();
    match code {
        Code::Rank => {
            let name = format!("spk_code_rank_{odt}");
            let words = [t, y, samples as u64, n as u64, time as u64];
            launch(&dev, FILE, &name, samples * time * n, &words)
        }
        Code::Rate => {
            // Same order of random draws as the CPU path: table first, then the seed.
            let table = crate::cpu::code::table(time);
            let seed = crate::runtime::with_generator(|g| g.next_u32());
            let device = input.device();
            let table = Tensor::from_slice(&table[..], &[table.len()])?.to_device(device)?;
            let state = Tensor::alloc_on(device, DType::U32, &[samples, 624], false)?;
            let next = Tensor::alloc_on(device, DType::U32, &[samples, n], false)?;
            let count = Tensor::alloc_on(device, DType::U32, &[samples, n], false)?;
            let words = [
                t,
                table.cuda_ptr()?.1,
                y,
                state.cuda_ptr()?.1,
                next.cuda_ptr()?.1,
                count.cuda_ptr()?.1,
                samples as u64,
                n as u64,
                time as u64,
                seed as u64,
            ];
            let name = format!("spk_code_rate_{odt}");
            launch(&dev, FILE, &name, samples, &words)
        }
    }
}

/// `infinite` in place on a contiguous `[B, steps, rest]` CUDA tensor.
pub(crate) fn infinite(input: &Tensor, steps: usize, rest: usize, value: Scalar) -> Result<()> {
    let dev = one_device("infinite", &[input])?;
    let (_, x) = input.cuda_ptr()?;
    let dt = input.dtype();
    let total = input.numel();
    let words = [
        x,
        total as u64,
        (steps * rest) as u64,
        ((steps - 1) * rest) as u64,
        scalar_word(value, dt),
    ];
    launch(
        &dev,
        FILE,
        &format!("spk_infinite_{}", dt.name()),
        total,
        &words,
    )
}
