//! The caching allocator: device memory freed by tensors is kept for reuse instead of being
//! returned to the driver, because `cuMemAlloc`/`cuMemFree` synchronise the device and cost far
//! more than the kernels of a spiking network's small layers.
//!
//! Safety of reuse without events: every operation on a device is queued on that device's single
//! stream, so work that reads a block before it was freed is ordered before any work that writes
//! it after reuse.

use super::driver::{check, describe, DeviceState};
use crate::{Error, Result};
use cudarc::driver::{result as cu, sys};
use std::collections::BTreeMap;
use std::fmt;

/// Requests up to this size are rounded to `SMALL_ROUND`, larger ones to `LARGE_ROUND`.
const SMALL_LIMIT: usize = 1 << 20;
const SMALL_ROUND: usize = 512;
const LARGE_ROUND: usize = 2 << 20;

/// Memory counters of one device's allocator, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CacheStats {
    /// The device ordinal.
    pub device: usize,
    /// Whether freed blocks are kept for reuse.
    pub enabled: bool,
    /// Bytes obtained from the driver and not yet returned (in use plus cached).
    pub taken: usize,
    /// Bytes held by live tensors.
    pub used: usize,
    /// Bytes kept for reuse (`taken - used`).
    pub cached: usize,
    /// Number of cached blocks.
    pub cached_blocks: usize,
    /// Allocations answered from the cache since the start.
    pub hits: u64,
    /// Allocations that went to the driver since the start.
    pub misses: u64,
}

impl fmt::Display for CacheStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mib = |b: usize| b as f64 / (1024.0 * 1024.0);
        write!(
            f,
            "cuda:{} cache {}: taken {:.2} MiB, used {:.2} MiB, cached {:.2} MiB in {} blocks, \
             {} hits, {} misses",
            self.device,
            if self.enabled { "enabled" } else { "disabled" },
            mib(self.taken),
            mib(self.used),
            mib(self.cached),
            self.cached_blocks,
            self.hits,
            self.misses
        )
    }
}

/// Per-device allocator state (behind the device's mutex).
pub(crate) struct Allocator {
    device: usize,
    enabled: bool,
    /// Free blocks by size.
    free: BTreeMap<usize, Vec<sys::CUdeviceptr>>,
    taken: usize,
    used: usize,
    cached: usize,
    cached_blocks: usize,
    hits: u64,
    misses: u64,
}

/// The size a request of `bytes` is served with.
pub(crate) fn block_size(bytes: usize) -> usize {
    let b = bytes.max(1);
    if b <= SMALL_LIMIT {
        b.div_ceil(SMALL_ROUND) * SMALL_ROUND
    } else {
        b.div_ceil(LARGE_ROUND) * LARGE_ROUND
    }
}

impl Allocator {
    pub(crate) fn new(device: usize) -> Allocator {
        Allocator {
            device,
            enabled: true,
            free: BTreeMap::new(),
            taken: 0,
            used: 0,
            cached: 0,
            cached_blocks: 0,
            hits: 0,
            misses: 0,
        }
    }

    pub(crate) fn stats(&self) -> CacheStats {
        CacheStats {
            device: self.device,
            enabled: self.enabled,
            taken: self.taken,
            used: self.used,
            cached: self.cached,
            cached_blocks: self.cached_blocks,
            hits: self.hits,
            misses: self.misses,
        }
    }

    pub(crate) fn enabled(&self) -> bool {
        self.enabled
    }

    /// A cached block of exactly `size` bytes, if any.
    fn take_cached(&mut self, size: usize) -> Option<sys::CUdeviceptr> {
        let list = self.free.get_mut(&size)?;
        let ptr = list.pop()?;
        if list.is_empty() {
            self.free.remove(&size);
        }
        self.cached -= size;
        self.cached_blocks -= 1;
        Some(ptr)
    }

    /// Returns every cached block to the driver (the caller has bound the context and
    /// synchronised the stream).
    fn release_cached(&mut self) -> Result<()> {
        let free = std::mem::take(&mut self.free);
        let mut first_err = None;
        for (size, ptrs) in free {
            for p in ptrs {
                // SAFETY: the block came from cuMemAlloc and no queued work uses it any more.
                match unsafe { cu::free_sync(p) } {
                    Ok(()) => {}
                    Err(e) => {
                        first_err.get_or_insert_with(|| Error::Cuda(describe(e, "cuMemFree")));
                    }
                }
                self.taken -= size;
            }
        }
        self.cached = 0;
        self.cached_blocks = 0;
        first_err.map_or(Ok(()), Err)
    }
}

/// Allocates a block of at least `bytes` on `dev`; returns the pointer and the block size.
pub(crate) fn allocate(dev: &DeviceState, bytes: usize) -> Result<(sys::CUdeviceptr, usize)> {
    let size = block_size(bytes);
    let mut a = dev.alloc.lock();
    if a.enabled {
        if let Some(p) = a.take_cached(size) {
            a.hits += 1;
            a.used += size;
            return Ok((p, size));
        }
    }
    dev.bind()?;
    // SAFETY: the context is current; the size is non-zero.
    let ptr = match unsafe { cu::malloc_sync(size) } {
        Ok(p) => p,
        Err(e) if e.0 == sys::CUresult::CUDA_ERROR_OUT_OF_MEMORY && a.cached > 0 => {
            // Give the cache back and try once more before failing.
            dev.synchronize()?;
            a.release_cached()?;
            check(unsafe { cu::malloc_sync(size) }, "cuMemAlloc")?
        }
        Err(e) => {
            return Err(Error::Cuda(format!(
                "{} (allocating {bytes} bytes on cuda:{})",
                describe(e, "cuMemAlloc"),
                dev.ordinal
            )))
        }
    };
    a.misses += 1;
    a.taken += size;
    a.used += size;
    Ok((ptr, size))
}

/// Gives a block back: to the cache when enabled, else to the driver.
pub(crate) fn release(dev: &DeviceState, ptr: sys::CUdeviceptr, size: usize) {
    let mut a = dev.alloc.lock();
    a.used -= size;
    if a.enabled {
        a.free.entry(size).or_default().push(ptr);
        a.cached += size;
        a.cached_blocks += 1;
        return;
    }
    // Errors cannot be reported from a destructor; a failed free leaks the block, which is all
    // that can be done once the driver is in an error state.
    if dev.synchronize().is_ok() {
        // SAFETY: the block came from cuMemAlloc and the stream has drained.
        let _ = unsafe { cu::free_sync(ptr) };
    }
    a.taken -= size;
}

/// Returns the cached blocks of `dev` to the driver.
pub(crate) fn clear(dev: &DeviceState) -> Result<()> {
    let mut a = dev.alloc.lock();
    if a.cached_blocks == 0 {
        return Ok(());
    }
    dev.synchronize()?;
    a.release_cached()
}

/// Enables or disables caching on `dev`; disabling also returns the cache to the driver.
pub(crate) fn set_enabled(dev: &DeviceState, enabled: bool) -> Result<()> {
    dev.alloc.lock().enabled = enabled;
    if !enabled {
        clear(dev)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_sizes_round_up() {
        assert_eq!(block_size(0), 512);
        assert_eq!(block_size(1), 512);
        assert_eq!(block_size(512), 512);
        assert_eq!(block_size(513), 1024);
        assert_eq!(block_size(1 << 20), 1 << 20);
        assert_eq!(block_size((1 << 20) + 1), 2 << 20);
        assert_eq!(block_size((2 << 20) + 1), 4 << 20);
    }
}
