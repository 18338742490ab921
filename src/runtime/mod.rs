//! Library-wide state: the random generator, the thread pool, devices and versions.

pub mod rng;

use crate::Device;
use parking_lot::{Mutex, RwLock};
use rng::Mt19937;
use std::sync::{Arc, OnceLock};

fn generator() -> &'static Mutex<Mt19937> {
    static GEN: OnceLock<Mutex<Mt19937>> = OnceLock::new();
    GEN.get_or_init(|| {
        // Like the original: seeded with the wall-clock time in seconds until random_seed.
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        Mutex::new(Mt19937::new(secs as u32))
    })
}

/// Re-seeds the library's generator with `seed mod 2^32` (so `-1` is `2^32 - 1`), exactly as the
/// original: layers initialised after the same seed get the same kernels.
pub fn random_seed(seed: i64) {
    *generator().lock() = Mt19937::new(seed as u32);
}

/// Runs `f` with exclusive access to the library's generator.
pub fn with_generator<R>(f: impl FnOnce(&mut Mt19937) -> R) -> R {
    f(&mut generator().lock())
}

fn default_threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

fn pool_slot() -> &'static RwLock<Arc<rayon::ThreadPool>> {
    static POOL: OnceLock<RwLock<Arc<rayon::ThreadPool>>> = OnceLock::new();
    POOL.get_or_init(|| RwLock::new(Arc::new(build_pool(default_threads()))))
}

fn build_pool(n: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .thread_name(|i| format!("spyker-{i}"))
        .build()
        .or_else(|_| rayon::ThreadPoolBuilder::new().num_threads(1).build())
        .expect("a one-thread pool can always be built")
}

/// The number of threads the library's operations use.
pub fn max_threads() -> usize {
    pool_slot().read().current_num_threads()
}

/// Sets the number of threads; `n <= 0` means one per hardware thread. Results of every
/// deterministic operation do not depend on it.
pub fn set_max_threads(n: i64) {
    let n = if n <= 0 {
        default_threads()
    } else {
        n as usize
    };
    let mut slot = pool_slot().write();
    if slot.current_num_threads() != n {
        *slot = Arc::new(build_pool(n));
    }
}

/// Runs `f` inside the library's thread pool (rayon calls in `f` use its threads).
pub fn install<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    let pool = pool_slot().read().clone();
    if pool.current_thread_index().is_some() {
        // Already on one of our threads (nested call): do not re-enter.
        return f();
    }
    pool.install(f)
}

/// Drops cached state (rate-coding tables, compiled kernels, the large host buffers kept for
/// reuse). Results do not change except where the original's would (rate tables are rebuilt from
/// the continuing generator).
pub fn clear_context() {
    crate::cpu::code::clear_cache();
    crate::tensor::Mapping::clear_pool();
    // Nothing to report to the caller: a device in an error state keeps its modules and cache.
    let _ = crate::cuda::clear_context();
}

pub use crate::cuda::{
    cuda_arch_list, cuda_available, cuda_cache_clear, cuda_cache_enable, cuda_cache_enabled,
    cuda_cache_print, cuda_cache_stats, cuda_current_device, cuda_device_arch, cuda_device_count,
    cuda_memory_free, cuda_memory_taken, cuda_memory_total, cuda_memory_used, cuda_set_device,
    cuda_synchronize, CacheStats,
};

/// The CPU followed by every usable CUDA device.
pub fn all_devices() -> Vec<Device> {
    let mut v = vec![Device::Cpu];
    v.extend((0..cuda_device_count()).map(Device::Cuda));
    v
}

/// A semantic version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Version {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

/// The version of this library.
pub fn version() -> Version {
    let p = |s: &str| s.parse::<u32>().unwrap_or(0);
    Version {
        major: p(env!("CARGO_PKG_VERSION_MAJOR")),
        minor: p(env!("CARGO_PKG_VERSION_MINOR")),
        patch: p(env!("CARGO_PKG_VERSION_PATCH")),
    }
}

/// The version as text, e.g. "0.1.0".
pub fn version_string() -> &'static str {
    env!("CARGO_PKG_VERSION")
}
