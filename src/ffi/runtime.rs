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
