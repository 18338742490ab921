//! CUDA kernels of dense STDP / R-STDP (spec §8.1–8.3, `kernels/stdp.cu`): first-spike times of
//! the input and output on the device, then one thread per kernel weight applying, in the CPU's
//! order, every winner job of its row. Bit-identical to the CPU update.

use super::kernels::launch;
use super::one_device;
use crate::nn::STDPConfig;
use crate::{DType, Expand2, Expand4, Result, Tensor};

/// One STDP job: sample `b`, output row `y`, output column (or FC neuron) `x`, config.
type Job = (usize, usize, usize, STDPConfig);

/// The job table of kernel/stdp.cu: `offsets[rows + 1]`, then 8 words per job, jobs grouped by
/// kernel row in the given (winner) order. Returns (table, offset of the jobs in words).
fn job_table(rows: usize, jobs: &[(usize, Job)]) -> (Vec<u64>, usize) {
    let mut per_row: Vec<Vec<&Job>> = vec![Vec::new(); rows];
    for (r, j) in jobs {
        per_row[*r].push(j);
    }
    let mut table = Vec::with_capacity(rows + 1 + 8 * jobs.len());
    let mut at = 0u64;
    table.push(0);
    for list in &per_row {
        at += list.len() as u64;
        table.push(at);
    }
    for list in &per_row {
        for &&(b, y, x, cfg) in list {
            table.extend_from_slice(&[
                b as u64,
                y as u64,
                x as u64,
                cfg.stabilize as u64,
                cfg.positive.to_bits(),
                cfg.negative.to_bits(),
                cfg.lower.to_bits(),
                cfg.upper.to_bits(),
            ]);
        }
    }
    (table, rows + 1)
}

/// Uploads the winner jobs and launches `spk_<family>_stdp_<dtype>` with one thread per weight
/// of `kernel`. Its arguments: kernel, first input spikes, first output spikes (0 = none), the
/// job offsets, the jobs, then `shape`.
fn update(
    dev: &super::DeviceState,
    family: &str,
    kernel: &Tensor,
    (pre, post): (&Tensor, Option<&Tensor>),
    jobs: &[(usize, Job)],
    shape: &[u64],
) -> Result<()> {
    let (table, at) = job_table(kernel.shape()[0], jobs);
    let table = Tensor::from_vec(table, &[at + 8 * jobs.len()])?.to_device(kernel.device())?;
    let (_, kp) = kernel.cuda_ptr()?;
    let (_, pp) = pre.cuda_ptr()?;
    let qp = match post {
        Some(p) => p.cuda_ptr()?.1,
        None => 0,
    };
    let (_, tp) = table.cuda_ptr()?;
    let mut words = vec![kp, pp, qp, tp, tp + 8 * at as u64];
    words.extend_from_slice(shape);
    let name = format!("spk_{family}_stdp_{}", kernel.dtype().name());
    launch(dev, "stdp.cu", &name, kernel.numel(), &words)
}

/// First spikes of the contiguous CUDA tensor `x` read as `[batch, steps, n]`, as a u32 tensor
/// `[batch * n]` (`steps` = never).
fn first_spikes(x: &Tensor, batch: usize, steps: usize, n: usize) -> Result<Tensor> {
    let out = Tensor::alloc_on(x.device(), DType::U32, &[batch * n], false)?;
    let (dev, xp) = x.cuda_ptr()?;
    let (_, op) = out.cuda_ptr()?;
    let name = format!("spk_first_spike_{}", x.dtype().name());
    launch(
        &dev,
        "stdp.cu",
        &name,
        batch * n,
        &[xp, op, batch as u64, steps as u64, n as u64],
    )?;
    Ok(out)
}

/// Conv STDP on CUDA tensors (shapes, dtypes and winners validated by the caller):
/// `kernel` `[O, C, kh, kw]`, `input` `[B, T, C, H, W]`, `output` `[B, T, O, OH, OW]`, `picked`
/// = `(sample, map, row, column, config)` in winner order.
pub(crate) fn conv_stdp(
    kernel: &Tensor,
    input: &Tensor,
    output: &Tensor,
    (stride, pad): (Expand2, Expand4),
    picked: &[(usize, usize, usize, usize, STDPConfig)],
) -> Result<()> {
    let dev = one_device("Conv::stdp", &[kernel, input, output])?;
    if picked.is_empty() {
        return Ok(());
    }
    let ks = kernel.shape();
    let (o, c, kh, kw) = (ks[0], ks[1], ks[2], ks[3]);
    let is = input.shape();
    let (b, t, h, w) = (is[0], is[1], is[3], is[4]);
    let os = output.shape();
    let (oh, ow) = (os[3], os[4]);
    let pre = first_spikes(input, b, t, c * h * w)?;
    let post = first_spikes(output, b, t, o * oh * ow)?;
    let jobs: Vec<(usize, Job)> = picked
        .iter()
        .map(|&(bi, z, y, x, cfg)| (z, (bi, y, x, cfg)))
        .collect();
    let shape = [
        o, c, kh, kw, h, w, oh, ow, stride.y, stride.x, pad.top, pad.left, t,
    ];
    let shape = shape.map(|v| v as u64);
    update(&dev, "conv", kernel, (&pre, Some(&post)), &jobs, &shape)
}

/// FC STDP on CUDA tensors (validated by the caller): `kernel` `[O, I]`, `input` `[B, T, I]`,
/// `output` `[B, T, O]`, `picked` = `(sample, neuron, config)` in winner order; `post_zero`
/// uses post time 0 (the original CPU build) instead of the output's first spikes.
pub(crate) fn fc_stdp(
    kernel: &Tensor,
    input: &Tensor,
    output: &Tensor,
    picked: &[(usize, usize, STDPConfig)],
    post_zero: bool,
) -> Result<()> {
    let dev = one_device("FC::stdp", &[kernel, input, output])?;
    if picked.is_empty() {
        return Ok(());
    }
    let (o, i) = (kernel.shape()[0], kernel.shape()[1]);
    let is = input.shape();
    let (b, t) = (is[0], is[1]);
    let pre = first_spikes(input, b, t, i)?;
    let post = if post_zero {
        None
    } else {
        Some(first_spikes(output, b, t, o)?)
    };
    let jobs: Vec<(usize, Job)> = picked
        .iter()
        .map(|&(bi, x, cfg)| (x, (bi, 0, x, cfg)))
        .collect();
    let shape = [o as u64, i as u64, post_zero as u64];
    update(&dev, "fc", kernel, (&pre, post.as_ref()), &jobs, &shape)
}
