//! CUDA backend (cudarc driver API + NVRTC, loaded at run time).
//!
//! The same library file runs on machines without CUDA: nothing CUDA is linked at build time,
//! the driver library is only opened after checking that it exists, and every CUDA request on a
//! machine without a usable GPU answers with an [`Error::Device`] naming the reason. Driver and
//! NVRTC failures become [`Error::Cuda`] with the driver's message. See `docs/CUDA.md`.
//!
//! Layout: `driver` (detection, per-device context and stream), `alloc` (caching allocator),
//! `memory` (device buffers behind tensors), `nvrtc` (finding and running NVRTC), `kernels`
//! (the embedded `kernels/*.cu`, per-device module cache, launches), then one file per op family
//! (`copy` for kernels/core.cu, `fire`, ...).

mod alloc;
pub(crate) mod backprop;
pub(crate) mod code;
pub(crate) mod conv;
pub(crate) mod copy;
mod driver;
pub(crate) mod fc;
pub(crate) mod filter;
pub mod fire;
pub(crate) mod inhibit;
pub mod kernels;
mod memory;
pub mod nvrtc;
pub(crate) mod pool;
pub(crate) mod stdp;
pub(crate) mod wta;

pub use alloc::CacheStats;
pub(crate) use driver::DeviceState;
pub(crate) use memory::CudaBuffer;

use crate::{Error, Result, Tensor};
use std::sync::Arc;

/// Why CUDA cannot be used, appended to device errors (empty when a device is present).
pub(crate) fn unavailable_reason() -> String {
    driver::unavailable_reason()
}

/// Number of usable CUDA devices (0 without a driver or GPU; never panics).
pub(crate) fn device_count() -> usize {
    driver::device_count()
}

/// The error for a CUDA request that cannot be served: no device, or an operation that has no
/// CUDA kernel yet.
pub(crate) fn unavailable<T>(what: &str) -> Result<T> {
    if device_count() == 0 {
        Err(Error::Device(format!(
            "{what} needs a CUDA device, but none is available{}",
            unavailable_reason()
        )))
    } else {
        Err(Error::Device(format!(
            "{what} has no CUDA implementation yet; move the inputs to the CPU first"
        )))
    }
}

/// The device state shared by `tensors`, all of which must be CUDA tensors on one device: the
/// op layer only checks that the device kinds agree, kernels need the same GPU (no implicit
/// copies between GPUs).
pub(crate) fn one_device(op: &str, tensors: &[&Tensor]) -> Result<Arc<DeviceState>> {
    let first = tensors
        .first()
        .ok_or_else(|| Error::Argument(format!("{op}: expected at least one tensor")))?;
    let (dev, _) = first.cuda_ptr()?;
    for t in &tensors[1..] {
        if t.device() != first.device() {
            return Err(Error::Device(format!(
                "{op}: expected all tensors on {}, got one on {}",
                first.device(),
                t.device()
            )));
        }
    }
    Ok(dev)
}

/// True when a usable CUDA device and driver are present.
pub fn cuda_available() -> bool {
    device_count() > 0
}

/// The number of usable CUDA devices (0 without a driver).
pub fn cuda_device_count() -> usize {
    device_count()
}

/// Sets the device used where none is named (`Device::new(DeviceKind::Cuda, -1)`).
pub fn cuda_set_device(index: usize) -> Result<()> {
    driver::set_current_device(index)
}

/// The device used where none is named.
pub fn cuda_current_device() -> Result<usize> {
    driver::current_device()
}

/// The architectures kernels can be built for, as `10 * major + minor` (e.g. 90 for sm_90):
/// those of the NVRTC found at run time.
pub fn cuda_arch_list() -> Result<Vec<i32>> {
    driver::check_ordinal(0, "cuda_arch_list")?;
    nvrtc::supported_archs()
}

/// The compute capability of device `index` as `10 * major + minor`.
pub fn cuda_device_arch(index: usize) -> Result<i32> {
    let d = driver::device(index)?;
    Ok(d.arch.0 * 10 + d.arch.1)
}

fn mem_info(index: usize) -> Result<(usize, usize)> {
    let d = driver::device(index)?;
    d.bind()?;
    driver::check(cudarc::driver::result::mem_get_info(), "cuMemGetInfo")
}

/// Total memory of device `index` in bytes.
pub fn cuda_memory_total(index: usize) -> Result<usize> {
    Ok(mem_info(index)?.1)
}

/// Free memory of device `index` in bytes, as the driver reports it (memory cached by this
/// library counts as taken).
pub fn cuda_memory_free(index: usize) -> Result<usize> {
    Ok(mem_info(index)?.0)
}

/// Bytes this library holds on device `index`: in use by tensors plus cached for reuse.
pub fn cuda_memory_taken(index: usize) -> Result<usize> {
    Ok(cuda_cache_stats(index)?.taken)
}

/// Bytes in use by live tensors on device `index`.
pub fn cuda_memory_used(index: usize) -> Result<usize> {
    Ok(cuda_cache_stats(index)?.used)
}

/// Whether the caching allocator of device `index` keeps freed blocks.
pub fn cuda_cache_enabled(index: usize) -> Result<bool> {
    Ok(driver::device(index)?.alloc.lock().enabled())
}

/// Enables or disables the caching allocator of device `index`; disabling returns the cached
/// blocks to the driver.
pub fn cuda_cache_enable(enable: bool, index: usize) -> Result<()> {
    let d = driver::device(index)?;
    alloc::set_enabled(&d, enable)
}

/// Returns the cached (unused) blocks of device `index` to the driver.
pub fn cuda_cache_clear(index: usize) -> Result<()> {
    let d = driver::device(index)?;
    alloc::clear(&d)
}

/// The allocator counters of device `index`.
pub fn cuda_cache_stats(index: usize) -> Result<CacheStats> {
    Ok(driver::device(index)?.alloc.lock().stats())
}

/// Prints the allocator counters of device `index` to standard output.
pub fn cuda_cache_print(index: usize) -> Result<()> {
    println!("{}", cuda_cache_stats(index)?);
    Ok(())
}

/// Waits until all work queued on device `index` has finished (results read back to the host
/// are always complete without it; this is for timing).
pub fn cuda_synchronize(index: usize) -> Result<()> {
    driver::device(index)?.synchronize()
}

/// Drops compiled kernels and cached memory of every device in use (part of
/// `spyker::clear_context`).
pub(crate) fn clear_context() -> Result<()> {
    let mut first = Ok(());
    for d in driver::created_states() {
        let r = kernels::unload_all(&d).and_then(|_| alloc::clear(&d));
        if first.is_ok() {
            first = r;
        }
    }
    first
}
