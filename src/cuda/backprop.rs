//! CUDA kernels of the `backprop` family (spec §8.5–8.7, `kernels/backprop.cu`): `backward`,
//! `labelize` and the steps of `FC::backward`, each in the CPU kernel's order and types, so
//! results are bit-identical to `src/cpu/backprop.rs`.

use super::kernels::launch;
use super::one_device;
use crate::nn::BPConfig;
use crate::{DType, Device, Result, Tensor};

/// `backward` of `input` `[rows, n]` into `output` (same shape and dtype, the same memory or
/// none of it) with the validated i64 `target` `[rows]` on the same device; `time` and `gamma`
/// are argument words of values of the input dtype (`time` non-zero).
pub(crate) fn backward(
    input: &Tensor,
    output: &Tensor,
    target: &Tensor,
    (rows, n): (usize, usize),
    (time, gamma): (u64, u64),
) -> Result<()> {
    let dev = one_device("backward", &[input, output, target])?;
    let (_, x) = input.cuda_ptr()?;
    let (_, y) = output.cuda_ptr()?;
    let (_, t) = target.cuda_ptr()?;
    let dt = input.dtype();
    let name = format!("spk_backward_{}", dt.name());
    let words = [x, y, t, rows as u64, n as u64, time, gamma];
    launch(&dev, "backprop.cu", &name, rows, &words)
}

/// `labelize` of `input` `[batch, steps, n]` (`steps >= 1`) into the i64 `output` `[batch]`;
/// `threshold` is the argument word of a value of the input dtype.
pub(crate) fn labelize(
    input: &Tensor,
    output: &Tensor,
    (batch, steps, n): (usize, usize, usize),
    threshold: u64,
) -> Result<()> {
    let dev = one_device("labelize", &[input, output])?;
    let (_, x) = input.cuda_ptr()?;
    let (_, y) = output.cuda_ptr()?;
    let dt = input.dtype();
    let name = format!("spk_labelize_{}", dt.name());
    let words = [x, y, batch as u64, steps as u64, n as u64, threshold];
    launch(&dev, "backprop.cu", &name, batch, &words)
}

/// `FC::backward` on the f32 `kernel` `[o, i]` for `b` samples of `input` `[b, i]`, `output` and
/// `grad` `[b, o]` into `next` `[b, i]` (all validated, contiguous, one device, distinct).
/// `cfg.sfactor` is updated on the host from the per-row sums, in the CPU's order.
pub(crate) fn fc_backward(
    kernel: &Tensor,
    cfg: &mut BPConfig,
    input: &Tensor,
    output: &Tensor,
    grad: &Tensor,
    next: &Tensor,
    (b, o, i): (usize, usize, usize),
) -> Result<()> {
    const FILE: &str = "backprop.cu";
    let dev = one_device("FC::backward", &[kernel, input, output, grad, next])?;
    let device = kernel.device();
    let sign = Tensor::zeros_on(device, DType::F32, &[o * i])?;
    let sel = Tensor::zeros_on(device, DType::F32, &[o * i])?;
    let parts = Tensor::zeros_on(device, DType::F32, &[b * o])?;
    let (_, k) = kernel.cuda_ptr()?;
    let (_, sg) = sign.cuda_ptr()?;
    let (_, sl) = sel.cuda_ptr()?;
    let (_, pt) = parts.cuda_ptr()?;
    let (_, inp) = input.cuda_ptr()?;
    let (_, out) = output.cuda_ptr()?;
    let (_, g) = grad.cuda_ptr()?;
    let (_, nx) = next.cuda_ptr()?;
    let dt = input.dtype();
    let size = dt.size() as u64;
    let f32_word = |v: f32| u64::from(v.to_bits());
    let decay = cfg.lrate * cfg.lambda;
    launch(&dev, FILE, "spk_fcb_sign", o * i, &[k, sg, (o * i) as u64])?;
    let update = format!("spk_fcb_update_{}", dt.name());
    let next_name = format!("spk_fcb_next_{}", dt.name());
    for s in 0..b as u64 {
        let (si, so) = (s * i as u64 * size, s * o as u64 * size);
        launch(
            &dev,
            FILE,
            &update,
            o * i,
            &[
                k,
                sl,
                inp + si,
                out + so,
                g + so,
                o as u64,
                i as u64,
                f32_word(-cfg.lrate),
                f32_word(-decay),
            ],
        )?;
        launch(
            &dev,
            FILE,
            "spk_fcb_rows",
            o,
            &[
                sl,
                sg,
                pt + s * o as u64 * 4,
                o as u64,
                i as u64,
                f32_word(cfg.lrf),
            ],
        )?;
        launch(
            &dev,
            FILE,
            &next_name,
            i,
            &[k, sl, nx + si, o as u64, i as u64],
        )?;
    }
    // The row sums of every sample, added in row order and applied sample by sample as on the
    // CPU (the learning rates do not depend on sfactor, so this can wait until the end).
    let parts = parts.to_device(Device::Cpu)?.to_vec::<f32>()?;
    for s in 0..b {
        let total: f32 = parts[s * o..(s + 1) * o].iter().sum();
        cfg.sfactor -= total / (o * i) as f32;
    }
    Ok(())
}
