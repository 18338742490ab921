//! CUDA kernels of `pad` and `pool` (spec §5, `kernels/pool.cu`). The op layer
//! (`spyker::pad`, `spyker::pool`) validates shapes and arguments and calls these for CUDA
//! tensors; results are bit-identical to the CPU kernels.

use super::copy::{scalar_bits, scalar_word};
use super::kernels::launch;
use super::one_device;
use crate::cpu::pool::PoolGeom;
use crate::{with_dtype, DType, Element, Expand4, Result, Scalar, Tensor};

/// The argument word of the dtype's most negative finite value, the start of every max scan
/// (taken from the host so the GPU uses exactly the CPU's sentinel, f16 included).
fn lowest_word(dtype: DType) -> u64 {
    with_dtype!(dtype, T => scalar_bits::<T>(<T as Element>::min_value()))
}

/// Constant padding of `planes` planes of `h x w` from `input` into `output` (both contiguous,
/// same CUDA device, same dtype, shapes checked by the caller).
pub(crate) fn pad(
    input: &Tensor,
    output: &Tensor,
    planes: usize,
    (h, w): (usize, usize),
    pad: Expand4,
    value: Scalar,
) -> Result<()> {
    let dev = one_device("pad", &[input, output])?;
    let (_, x) = input.cuda_ptr()?;
    let (_, y) = output.cuda_ptr()?;
    let (oh, ow) = (h + pad.top + pad.bottom, w + pad.left + pad.right);
    let dt = input.dtype();
    let n = planes * oh * ow;
    let name = format!("spk_pad_{}", dt.name());
    let words = [
        x,
        y,
        planes as u64,
        h as u64,
        w as u64,
        oh as u64,
        ow as u64,
        pad.top as u64,
        pad.left as u64,
        scalar_word(value, dt),
    ];
    launch(&dev, "pool.cu", &name, n, &words)
}

/// Max pooling (`rates == None`) or rate-guided pooling of `input` into `output` with the
/// geometry `g` (validated by the caller; rate pooling has no padding).
pub(crate) fn pool(
    input: &Tensor,
    output: &Tensor,
    rates: Option<&Tensor>,
    g: &PoolGeom,
) -> Result<()> {
    let dt = input.dtype();
    let planes = g.batch * g.time * g.channels;
    let n = planes * g.oh * g.ow;
    let common = [
        g.h as u64,
        g.w as u64,
        g.oh as u64,
        g.ow as u64,
        g.kernel.y as u64,
        g.kernel.x as u64,
        g.stride.y as u64,
        g.stride.x as u64,
    ];
    match rates {
        None => {
            let dev = one_device("pool", &[input, output])?;
            let (_, x) = input.cuda_ptr()?;
            let (_, y) = output.cuda_ptr()?;
            let mut words = vec![x, y, planes as u64];
            words.extend_from_slice(&common);
            words.extend_from_slice(&[g.pad.top as u64, g.pad.left as u64, lowest_word(dt)]);
            let name = format!("spk_max_pool_{}", dt.name());
            launch(&dev, "pool.cu", &name, n, &words)
        }
        Some(r) => {
            let dev = one_device("pool", &[input, r, output])?;
            let (_, x) = input.cuda_ptr()?;
            let (_, rp) = r.cuda_ptr()?;
            let (_, y) = output.cuda_ptr()?;
            let mut words = vec![x, rp, y, g.time as u64, g.channels as u64];
            words.extend_from_slice(&common);
            words.extend_from_slice(&[n as u64, lowest_word(dt)]);
            let name = format!("spk_rate_pool_{}", dt.name());
            launch(&dev, "pool.cu", &name, n, &words)
        }
    }
}
