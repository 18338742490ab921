//! Core device operations on raw device ranges: fill, dtype conversion and copies. The tensor
//! layer (`src/tensor/device.rs`) resolves tensors to (device, address) and calls these.

use super::driver::{check, DeviceState};
use super::kernels::launch;
use crate::{DType, Element, Result, Scalar};
use cudarc::driver::result as cu;

/// The bytes of `v` in the low bytes of a kernel argument word.
pub(crate) fn scalar_bits<T: Element>(v: T) -> u64 {
    let mut b = [0u8; 8];
    let src = bytemuck::bytes_of(&v);
    b[..src.len()].copy_from_slice(src);
    u64::from_le_bytes(b)
}

/// The argument word of `value` converted to `dtype` with the library's rules (spec 1.4).
pub(crate) fn scalar_word(value: Scalar, dtype: DType) -> u64 {
    crate::with_dtype!(dtype, T => scalar_bits::<T>(value.to::<T>()))
}

/// Sets `n` elements of `dtype` at `ptr` to `value` (converted to `dtype`).
pub(crate) fn fill(
    dev: &DeviceState,
    ptr: u64,
    n: usize,
    dtype: DType,
    value: Scalar,
) -> Result<()> {
    let name = match dtype.size() {
        1 => "spk_fill_b1",
        2 => "spk_fill_b2",
        4 => "spk_fill_b4",
        _ => "spk_fill_b8",
    };
    launch(
        dev,
        "core.cu",
        name,
        n,
        &[ptr, n as u64, scalar_word(value, dtype)],
    )
}

/// Converts `n` elements from `src` (of `from`) into `dst` (of `to`) on one device; the ranges
/// must not overlap. Same dtypes are a plain copy.
pub(crate) fn convert(
    dev: &DeviceState,
    src: u64,
    from: DType,
    dst: u64,
    to: DType,
    n: usize,
) -> Result<()> {
    if from == to {
        return copy_dtod(dev, src, dst, n * from.size());
    }
    let name = format!("spk_convert_{}_{}", from.name(), to.name());
    launch(dev, "core.cu", &name, n, &[src, dst, n as u64])
}

/// Copies `bytes` between two ranges of one device (queued, asynchronous).
pub(crate) fn copy_dtod(dev: &DeviceState, src: u64, dst: u64, bytes: usize) -> Result<()> {
    dev.bind()?;
    // SAFETY: both ranges lie inside live allocations of this device (checked by the caller).
    check(
        unsafe { cu::memcpy_dtod_async(dst, src, bytes, dev.stream) },
        "cuMemcpyDtoDAsync",
    )
}

/// Copies host bytes to the device and waits, so the host memory may change right after.
pub(crate) fn copy_htod(dev: &DeviceState, src: &[u8], dst: u64) -> Result<()> {
    dev.bind()?;
    // SAFETY: `dst` has room for `src.len()` bytes; `src` stays borrowed until the stream drained.
    check(
        unsafe { cu::memcpy_htod_async(dst, src, dev.stream) },
        "cuMemcpyHtoDAsync",
    )?;
    dev.synchronize()
}

/// Copies device bytes to the host and waits, so the host sees every earlier queued result.
pub(crate) fn copy_dtoh(dev: &DeviceState, src: u64, dst: &mut [u8]) -> Result<()> {
    dev.bind()?;
    // SAFETY: `src` holds `dst.len()` bytes; `dst` stays borrowed until the stream drained.
    check(
        unsafe { cu::memcpy_dtoh_async(dst, src, dev.stream) },
        "cuMemcpyDtoHAsync",
    )?;
    dev.synchronize()
}
