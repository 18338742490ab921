//! Runtime controls (the bridge side of `src/ffi/runtime.rs`).

use super::bridge::{CacheStats, DeviceSpec, VersionNumbers};
use super::{call, BridgeResult};
use crate::ffi::index_arg;

pub fn version() -> String {
    crate::runtime::version_string().to_string()
}

pub fn version_numbers() -> BridgeResult<VersionNumbers> {
    call(|| {
        let v = crate::version();
        Ok(VersionNumbers {
            major: v.major,
            minor: v.minor,
            patch: v.patch,
        })
    })
}

pub fn random_seed(seed: i64) -> BridgeResult<()> {
    call(|| {
        crate::random_seed(seed);
        Ok(())
    })
}

pub fn set_max_threads(threads: i64) -> BridgeResult<()> {
    call(|| {
        crate::set_max_threads(threads);
        Ok(())
    })
}

pub fn max_threads() -> BridgeResult<usize> {
    call(|| Ok(crate::max_threads()))
}

pub fn cuda_available() -> BridgeResult<bool> {
    call(|| Ok(crate::cuda_available()))
}

pub fn clear_context() -> BridgeResult<()> {
    call(|| {
        crate::clear_context();
        Ok(())
    })
}

pub fn cuda_device_count() -> BridgeResult<usize> {
    call(|| Ok(crate::cuda_device_count()))
}

pub fn all_devices() -> BridgeResult<Vec<DeviceSpec>> {
    call(|| {
        Ok(crate::all_devices()
            .iter()
            .map(|d| device_spec(*d))
            .collect())
    })
}

/// The bridge form of a device.
pub(crate) fn device_spec(d: crate::Device) -> DeviceSpec {
    DeviceSpec {
        kind: d.kind() as i32,
        index: d.index() as i64,
    }
}

/// Converts a bridge device with the C ABI's check.
pub(crate) fn device_of(d: DeviceSpec) -> crate::Result<crate::Device> {
    crate::ffi::device_arg(d.kind, d.index)
}

pub fn cuda_set_device(index: i64) -> BridgeResult<()> {
    call(|| crate::cuda_set_device(index_arg(index, "index")?))
}

pub fn cuda_current_device() -> BridgeResult<i64> {
    call(|| Ok(crate::cuda_current_device()? as i64))
}

pub fn cuda_arch_list() -> BridgeResult<Vec<i32>> {
    call(crate::cuda_arch_list)
}

pub fn cuda_device_arch(index: i64) -> BridgeResult<i32> {
    call(|| crate::cuda_device_arch(index_arg(index, "index")?))
}

pub fn cuda_memory_total(index: i64) -> BridgeResult<usize> {
    call(|| crate::cuda_memory_total(index_arg(index, "index")?))
}

pub fn cuda_memory_free(index: i64) -> BridgeResult<usize> {
    call(|| crate::cuda_memory_free(index_arg(index, "index")?))
}

pub fn cuda_memory_taken(index: i64) -> BridgeResult<usize> {
    call(|| crate::cuda_memory_taken(index_arg(index, "index")?))
}

pub fn cuda_memory_used(index: i64) -> BridgeResult<usize> {
    call(|| crate::cuda_memory_used(index_arg(index, "index")?))
}

pub fn cuda_cache_enabled(index: i64) -> BridgeResult<bool> {
    call(|| crate::cuda_cache_enabled(index_arg(index, "index")?))
}

pub fn cuda_cache_enable(enable: bool, index: i64) -> BridgeResult<()> {
    call(|| crate::cuda_cache_enable(enable, index_arg(index, "index")?))
}

pub fn cuda_cache_clear(index: i64) -> BridgeResult<()> {
    call(|| crate::cuda_cache_clear(index_arg(index, "index")?))
}

pub fn cuda_cache_stats(index: i64) -> BridgeResult<CacheStats> {
    call(|| {
        let s = crate::cuda_cache_stats(index_arg(index, "index")?)?;
        Ok(CacheStats {
            device: s.device as i64,
            enabled: s.enabled,
            taken: s.taken,
            used: s.used,
            cached: s.cached,
            cached_blocks: s.cached_blocks,
            hits: s.hits,
            misses: s.misses,
        })
    })
}

pub fn cuda_cache_print(index: i64) -> BridgeResult<()> {
    call(|| crate::cuda_cache_print(index_arg(index, "index")?))
}

pub fn cuda_synchronize(index: i64) -> BridgeResult<()> {
    call(|| crate::cuda_synchronize(index_arg(index, "index")?))
}
