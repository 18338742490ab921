//! The `stdp` operation family (public API): dense STDP / R-STDP for `Conv` and `FC` layers
//! (spec §8.1–8.4). The layer methods `Conv::stdp` and `FC::stdp` call into this file.

use crate::cpu::stdp::{self as kernel_cpu, ConvGeom, ConvJob, FcJob, Time};
use crate::nn::{Conv, STDPConfig};
use crate::ops::{common_device, Winner};
use crate::{bail, shape, Device, Element, Expand2, Expand4, Result, Tensor};

/// Which post-synaptic time `FC` STDP uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum FcPostTime {
    /// The first spike of the winner neuron in `output` (the intended rule, and what the
    /// original's CUDA build does).
    #[default]
    FirstSpike,
    /// Always 0, reproducing the original CPU build (spec §8.3): only inputs that spiked at the
    /// first step are potentiated. For comparisons with results of the original on the CPU.
    Zero,
}

/// Dense STDP on a convolution layer; the same as [`Conv::stdp`] (the original's Python `stdp`
/// function, broken there, spec §8.4).
pub fn stdp(
    conv: &mut Conv,
    input: &Tensor,
    winners: &[Vec<Winner>],
    output: &Tensor,
) -> Result<()> {
    conv_stdp(
        &conv.kernel,
        conv.stride,
        conv.pad,
        &conv.stdpconfig,
        input,
        winners,
        output,
    )
}

fn check_common(
    op: &str,
    kernel: &Tensor,
    configs: &[STDPConfig],
    input: &Tensor,
    output: &Tensor,
) -> Result<()> {
    common_device(&[kernel, input, output])?;
    if configs.is_empty() {
        bail!(
            Argument,
            "{op}: expected at least one STDP configuration in stdpconfig, got none"
        );
    }
    if !kernel.dtype().is_float() {
        bail!(
            DType,
            "{op}: expected a float kernel (f16, f32, f64), got {}",
            kernel.dtype()
        );
    }
    if input.dtype() != output.dtype() {
        bail!(
            DType,
            "{op}: expected input and output of the same dtype, got {} and {}",
            input.dtype(),
            output.dtype()
        );
    }
    Ok(())
}

/// The config of a winner (`None` = skipped), erroring when `c` is out of range.
fn config_of(op: &str, w: &Winner, b: usize, configs: &[STDPConfig]) -> Result<Option<STDPConfig>> {
    if w.c < 0 {
        return Ok(None);
    }
    match usize::try_from(w.c).ok().and_then(|c| configs.get(c)) {
        Some(cfg) => Ok(Some(*cfg)),
        None => bail!(
            Argument,
            "{op}: winner {w:?} of sample {b} selects STDP configuration {} but only {} exist",
            w.c,
            configs.len()
        ),
    }
}

fn check_winner_count(op: &str, winners: &[Vec<Winner>], batch: usize) -> Result<()> {
    if winners.len() < batch {
        bail!(
            Argument,
            "{op}: expected a winner list for each of the {batch} samples, got {} lists",
            winners.len()
        );
    }
    Ok(())
}

fn coord(v: i64, n: usize) -> Option<usize> {
    usize::try_from(v).ok().filter(|&u| u < n)
}

/// Dense conv STDP on `kernel` `[O, C, kh, kw]` (spec §8.2). Everything is validated before the
/// first weight changes, so an error leaves the kernel untouched.
pub(crate) fn conv_stdp(
    kernel: &Tensor,
    stride: Expand2,
    pad: Expand4,
    configs: &[STDPConfig],
    input: &Tensor,
    winners: &[Vec<Winner>],
    output: &Tensor,
) -> Result<()> {
    const OP: &str = "Conv::stdp";
    check_common(OP, kernel, configs, input, output)?;
    let ishape = shape::to_rank(input.shape(), 5, "a conv STDP input [B,T,C,H,W]")?;
    let oshape = shape::to_rank(output.shape(), 5, "a conv STDP output [B,T,O,H',W']")?;
    let want = shape::conv(&ishape, kernel.shape(), stride, pad)?;
    if oshape != want {
        bail!(
            Shape,
            "{OP}: expected an output of shape {want:?} for input {ishape:?} and kernel {:?}, got {oshape:?}",
            kernel.shape()
        );
    }
    let (b, t) = (ishape[0], ishape[1]);
    let (o, oh, ow) = (want[2], want[3], want[4]);
    check_winner_count(OP, winners, b)?;

    // Validate every winner and gather the jobs per feature map, before any update.
    let mut picked = Vec::new();
    for (bi, list) in winners.iter().take(b).enumerate() {
        for w in list {
            let Some(cfg) = config_of(OP, w, bi, configs)? else {
                continue;
            };
            let (Some(z), Some(y), Some(x)) = (coord(w.z, o), coord(w.y, oh), coord(w.x, ow))
            else {
                bail!(
                    Argument,
                    "{OP}: winner {w:?} of sample {bi} is outside the output (channels {o}, rows {oh}, cols {ow})"
                );
            };
            picked.push((bi, z, y, x, cfg));
        }
    }

    let out = output.reshape_to(&oshape)?;
    if let Device::Cuda(_) = kernel.device() {
        let inp = input.reshape_to(&ishape)?;
        return crate::cuda::stdp::conv_stdp(kernel, &inp, &out, (stride, pad), &picked);
    }
    let post: Vec<Time> = crate::with_dtype!(out.dtype(), T => {
        let g = out.read::<T>()?;
        picked
            .iter()
            .map(|&(bi, z, y, x, _)| {
                let base = bi * t * o * oh * ow + (z * oh + y) * ow + x;
                (0..t)
                    .find(|&s| g[base + s * o * oh * ow] != T::zero())
                    .unwrap_or(t) as Time
            })
            .collect()
    });
    let mut jobs: Vec<Vec<ConvJob>> = (0..o).map(|_| Vec::new()).collect();
    for (&(bi, z, y, x, cfg), &post) in picked.iter().zip(&post) {
        jobs[z].push(ConvJob {
            b: bi,
            y,
            x,
            post,
            cfg,
        });
    }
    if picked.is_empty() {
        return Ok(());
    }

    let inp = input.reshape_to(&ishape)?;
    let dims = [ishape[0], ishape[1], ishape[2], ishape[3], ishape[4]];
    let (pre, hp, wp) = crate::with_dtype!(inp.dtype(), T => {
        kernel_cpu::first_spikes_padded(&inp.read::<T>()?, dims, pad)
    });
    let ks = kernel.shape();
    let geom = ConvGeom {
        c: ks[1],
        kh: ks[2],
        kw: ks[3],
        sy: stride.y,
        sx: stride.x,
        hp,
        wp,
    };
    crate::with_float_dtype!(kernel.dtype(), K => {
        kernel_cpu::conv_update(&mut kernel.write::<K>()?, &jobs, &pre, &geom);
    }, else unreachable!("checked to be a float kernel"));
    Ok(())
}

/// Dense FC STDP on `kernel` `[O, I]` (spec §8.3), with the post-synaptic time chosen by `post`.
/// Everything is validated before the first weight changes.
pub(crate) fn fc_stdp(
    kernel: &Tensor,
    configs: &[STDPConfig],
    input: &Tensor,
    winners: &[Vec<Winner>],
    output: &Tensor,
    post: FcPostTime,
) -> Result<()> {
    const OP: &str = "FC::stdp";
    check_common(OP, kernel, configs, input, output)?;
    let ishape = shape::to_rank(input.shape(), 3, "an FC STDP input [B,T,I]")?;
    let oshape = shape::to_rank(output.shape(), 3, "an FC STDP output [B,T,O]")?;
    let want = shape::fc(&ishape, kernel.shape())?;
    if oshape != want {
        bail!(
            Shape,
            "{OP}: expected an output of shape {want:?} for input {ishape:?} and kernel {:?}, got {oshape:?}",
            kernel.shape()
        );
    }
    let (b, t, i, o) = (ishape[0], ishape[1], ishape[2], want[2]);
    check_winner_count(OP, winners, b)?;

    let mut picked = Vec::new();
    for (bi, list) in winners.iter().take(b).enumerate() {
        for w in list {
            let Some(cfg) = config_of(OP, w, bi, configs)? else {
                continue;
            };
            let Some(x) = coord(w.x, o) else {
                bail!(
                    Argument,
                    "{OP}: winner {w:?} of sample {bi} selects neuron {} of {o}",
                    w.x
                );
            };
            picked.push((bi, x, cfg));
        }
    }
    let out = output.reshape_to(&oshape)?;
    if let Device::Cuda(_) = kernel.device() {
        let inp = input.reshape_to(&ishape)?;
        let zero = post == FcPostTime::Zero;
        return crate::cuda::stdp::fc_stdp(kernel, &inp, &out, &picked, zero);
    }
    if picked.is_empty() {
        return Ok(());
    }

    let posts: Vec<Time> = match post {
        FcPostTime::Zero => vec![0; picked.len()],
        FcPostTime::FirstSpike => crate::with_dtype!(out.dtype(), T => {
            let g = out.read::<T>()?;
            picked
                .iter()
                .map(|&(bi, x, _)| {
                    (0..t)
                        .find(|&s| g[(bi * t + s) * o + x] != T::zero())
                        .unwrap_or(t) as Time
                })
                .collect()
        }),
    };
    let mut jobs: Vec<Vec<FcJob>> = (0..o).map(|_| Vec::new()).collect();
    for (&(bi, x, cfg), &post) in picked.iter().zip(&posts) {
        jobs[x].push(FcJob { b: bi, post, cfg });
    }

    let inp = input.reshape_to(&ishape)?;
    let pre = crate::with_dtype!(inp.dtype(), T => {
        kernel_cpu::first_spikes(&inp.read::<T>()?, b, t, i)
    });
    crate::with_float_dtype!(kernel.dtype(), K => {
        kernel_cpu::fc_update(&mut kernel.write::<K>()?, &jobs, &pre, i);
    }, else unreachable!("checked to be a float kernel"));
    Ok(())
}
