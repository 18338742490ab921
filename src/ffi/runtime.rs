//! Version, random seed, threads and devices.

use super::*;
use std::ffi::c_char;

/// The library version as a static string, e.g. "0.1.0". Never NULL; never freed.
#[no_mangle]
pub extern "C" fn spk_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr() as *const c_char
}

/// The library version as numbers. Any of the pointers may be NULL (that part is skipped).
#[no_mangle]
pub unsafe extern "C" fn spk_version_numbers(
    major: *mut u32,
    minor: *mut u32,
    patch: *mut u32,
) -> spk_status {
    guard(|| {
        let v = crate::version();
        for (p, x) in [(major, v.major), (minor, v.minor), (patch, v.patch)] {
            if !p.is_null() {
                // SAFETY: non-NULL out-pointer (caller contract).
                unsafe { put(p, "version part", x)? };
            }
        }
        Ok(())
    })
}

/// The C ABI version of the loaded library; compare it with the header's `SPK_ABI_VERSION` to
/// detect a header/library mismatch at run time.
#[no_mangle]
pub extern "C" fn spk_abi_version() -> u32 {
    SPK_ABI_VERSION
}

/// Re-seeds the library's random generator with `seed mod 2^32` (layers created after the same
/// seed get the same kernels as in the original library).
#[no_mangle]
pub extern "C" fn spk_random_seed(seed: i64) -> spk_status {
    guard(|| {
        crate::random_seed(seed);
        Ok(())
    })
}

/// Sets the number of threads operations use; `threads <= 0` means one per hardware thread.
/// Results do not depend on it.
#[no_mangle]
pub extern "C" fn spk_set_max_threads(threads: i64) -> spk_status {
    guard(|| {
        crate::set_max_threads(threads);
        Ok(())
    })
}

/// Writes the number of threads operations use to `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_max_threads(out: *mut usize) -> spk_status {
    guard(|| unsafe { put(out, "out", crate::max_threads()) })
}

/// Writes whether a usable CUDA device and driver are present to `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_cuda_available(out: *mut bool) -> spk_status {
    guard(|| unsafe { put(out, "out", crate::cuda_available()) })
}

/// Writes the number of usable CUDA devices to `*out` (0 without a driver).
#[no_mangle]
pub unsafe extern "C" fn spk_cuda_device_count(out: *mut usize) -> spk_status {
    guard(|| unsafe { put(out, "out", crate::cuda_device_count()) })
}

/// Lists the devices: the CPU first, then every usable CUDA device. Writes the total to `*count`
/// and the first `min(capacity, total)` devices to `kinds[i]` (an `spk_device_kind`) and
/// `indices[i]`. Call with `capacity` 0 (arrays may then be NULL) to learn the count.
#[no_mangle]
pub unsafe extern "C" fn spk_all_devices(
    kinds: *mut i32,
    indices: *mut i64,
    capacity: usize,
    count: *mut usize,
) -> spk_status {
    guard(|| {
        check_out(count, "count")?;
        let devices = crate::all_devices();
        let n = capacity.min(devices.len());
        // SAFETY: arrays of `capacity` elements (caller contract); NULL only with capacity 0.
        let kinds = unsafe { slice_mut(kinds, n, "kinds")? };
        let indices = unsafe { slice_mut(indices, n, "indices")? };
        for (i, d) in devices.iter().take(n).enumerate() {
            kinds[i] = d.kind() as i32;
            indices[i] = d.index() as i64;
        }
        unsafe { put(count, "count", devices.len()) }
    })
}

/// Drops cached state (rate-coding tables, compiled kernels).
#[no_mangle]
pub extern "C" fn spk_clear_context() -> spk_status {
    guard(|| {
        crate::clear_context();
        Ok(())
    })
}

// ------------------------------------------------------------------------------------- CUDA

/// Makes CUDA device `index` (>= 0, below the device count) the default one.
#[no_mangle]
pub extern "C" fn spk_cuda_set_device(index: i64) -> spk_status {
    guard(|| Ok(crate::cuda_set_device(index_arg(index, "index")?)?))
}

/// Writes the index of the default CUDA device to `*out` (a device error without CUDA).
#[no_mangle]
pub unsafe extern "C" fn spk_cuda_current_device(out: *mut i64) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        put(out, "out", crate::cuda_current_device()? as i64)
    })
}

/// Lists the compute capabilities (e.g. 90 for sm_90) the library's kernels can target: writes
/// the total to `*count` and the first `min(capacity, total)` to `archs` (NULL with capacity 0).
#[no_mangle]
pub unsafe extern "C" fn spk_cuda_arch_list(
    archs: *mut i32,
    capacity: usize,
    count: *mut usize,
) -> spk_status {
    guard(|| unsafe {
        check_out(count, "count")?;
        let list = crate::cuda_arch_list()?;
        let n = capacity.min(list.len());
        slice_mut(archs, n, "archs")?.copy_from_slice(&list[..n]);
        put(count, "count", list.len())
    })
}

/// Writes the compute capability of CUDA device `index` (e.g. 90) to `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_cuda_device_arch(index: i64, out: *mut i32) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        put(
            out,
            "out",
            crate::cuda_device_arch(index_arg(index, "index")?)?,
        )
    })
}

/// Writes the total memory of CUDA device `index`, in bytes, to `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_cuda_memory_total(index: i64, out: *mut usize) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        put(
            out,
            "out",
            crate::cuda_memory_total(index_arg(index, "index")?)?,
        )
    })
}

/// Writes the free memory of CUDA device `index`, in bytes, to `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_cuda_memory_free(index: i64, out: *mut usize) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        put(
            out,
            "out",
            crate::cuda_memory_free(index_arg(index, "index")?)?,
        )
    })
}

/// Writes the bytes the library's allocator holds on CUDA device `index` (in use plus cached) to
/// `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_cuda_memory_taken(index: i64, out: *mut usize) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        put(
            out,
            "out",
            crate::cuda_memory_taken(index_arg(index, "index")?)?,
        )
    })
}

/// Writes the bytes held by live tensors on CUDA device `index` to `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_cuda_memory_used(index: i64, out: *mut usize) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        put(
            out,
            "out",
            crate::cuda_memory_used(index_arg(index, "index")?)?,
        )
    })
}

/// Writes whether CUDA device `index` keeps freed blocks for reuse to `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_cuda_cache_enabled(index: i64, out: *mut bool) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        put(
            out,
            "out",
            crate::cuda_cache_enabled(index_arg(index, "index")?)?,
        )
    })
}

/// Turns the memory cache of CUDA device `index` on or off (off also releases cached blocks).
#[no_mangle]
pub extern "C" fn spk_cuda_cache_enable(enable: bool, index: i64) -> spk_status {
    guard(|| {
        Ok(crate::cuda_cache_enable(
            enable,
            index_arg(index, "index")?,
        )?)
    })
}

/// Returns the cached (unused) blocks of CUDA device `index` to the driver.
#[no_mangle]
pub extern "C" fn spk_cuda_cache_clear(index: i64) -> spk_status {
    guard(|| Ok(crate::cuda_cache_clear(index_arg(index, "index")?)?))
}

/// The counters of one CUDA device's caching allocator, in bytes unless noted (see
/// `spk_cuda_cache_stats`). Initialise with `spk_cache_stats_init`: the library writes only the
/// first `size` bytes, so fields added later do not break older callers.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct spk_cache_stats {
    /// `sizeof(spk_cache_stats)` as the caller compiled it (set by `spk_cache_stats_init`).
    pub size: u32,
    /// The device index.
    pub device: i64,
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
    /// Allocations answered from the cache since the start (a count).
    pub hits: u64,
    /// Allocations that went to the driver since the start (a count).
    pub misses: u64,
}

impl Default for spk_cache_stats {
    fn default() -> Self {
        crate::CacheStats::default().into()
    }
}

impl From<crate::CacheStats> for spk_cache_stats {
    fn from(s: crate::CacheStats) -> Self {
        spk_cache_stats {
            size: std::mem::size_of::<spk_cache_stats>() as u32,
            device: s.device as i64,
            enabled: s.enabled,
            taken: s.taken,
            used: s.used,
            cached: s.cached,
            cached_blocks: s.cached_blocks,
            hits: s.hits,
            misses: s.misses,
        }
    }
}

impl Versioned for spk_cache_stats {
    const MIN_SIZE: usize = std::mem::size_of::<spk_cache_stats>();
    const NAME: &'static str = "spk_cache_stats";
    fn set_size_field(&mut self, size: u32) {
        self.size = size;
    }
}

/// Fills `*stats` with zeros and sets `stats->size = size`. Pass `sizeof(spk_cache_stats)` as
/// `size`.
#[no_mangle]
pub unsafe extern "C" fn spk_cache_stats_init(
    stats: *mut spk_cache_stats,
    size: usize,
) -> spk_status {
    guard(|| unsafe { init_sized(stats, size, "stats") })
}

/// Copies the allocator counters of CUDA device `index` into `*stats` (whose `size` the caller
/// set, e.g. with `spk_cache_stats_init`): what `spk_cuda_cache_print` prints.
#[no_mangle]
pub unsafe extern "C" fn spk_cuda_cache_stats(
    index: i64,
    stats: *mut spk_cache_stats,
) -> spk_status {
    guard(|| unsafe {
        check_out(stats, "stats")?;
        let s = crate::cuda_cache_stats(index_arg(index, "index")?)?;
        write_sized(stats, "stats", s.into())
    })
}

/// Prints the allocator counters of CUDA device `index` to standard output.
#[no_mangle]
pub extern "C" fn spk_cuda_cache_print(index: i64) -> spk_status {
    guard(|| Ok(crate::cuda_cache_print(index_arg(index, "index")?)?))
}

/// Waits until all work queued on CUDA device `index` has finished (for timing).
#[no_mangle]
pub extern "C" fn spk_cuda_synchronize(index: i64) -> spk_status {
    guard(|| Ok(crate::cuda_synchronize(index_arg(index, "index")?)?))
}
