//! Memory behind tensors: host buffers owned by the library or borrowed from a caller, and
//! device buffers (`crate::cuda::CudaBuffer`).

use crate::Device;
use parking_lot::RwLock;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Called once when the last tensor viewing caller-owned memory is dropped.
pub type Release = Box<dyn FnOnce() + Send + Sync>;

/// Host memory: either a library allocation (8-byte aligned, zeroed) or a caller's region.
pub(crate) enum HostBuffer {
    Owned(Vec<u64>, usize),
    /// A large allocation in its own anonymous mapping (Linux), see [`HostBuffer::zeroed`].
    Mapped(Mapping),
    External {
        ptr: NonNull<u8>,
        bytes: usize,
        release: Option<Release>,
    },
}

// SAFETY: an External buffer is only created through `Tensor::from_raw`, whose contract requires
// the region to stay valid and not be accessed outside the library while tensors use it; a Mapped
// buffer owns its mapping exclusively. All access goes through the storage's RwLock.
unsafe impl Send for HostBuffer {}
unsafe impl Sync for HostBuffer {}

impl HostBuffer {
    /// `bytes` zeroed bytes, 8-byte aligned. Allocations of 4 MiB and more get their own
    /// anonymous mapping with transparent huge pages (see [`Mapping`]); smaller ones are a `Vec`.
    pub(crate) fn zeroed(bytes: usize) -> HostBuffer {
        if let Some(m) = Mapping::new(bytes) {
            return HostBuffer::Mapped(m);
        }
        HostBuffer::Owned(vec![0u64; bytes.div_ceil(8)], bytes)
    }

    pub(crate) fn len(&self) -> usize {
        match self {
            HostBuffer::Owned(_, b) => *b,
            HostBuffer::Mapped(m) => m.bytes,
            HostBuffer::External { bytes, .. } => *bytes,
        }
    }

    pub(crate) fn as_ptr(&self) -> *const u8 {
        match self {
            HostBuffer::Owned(v, _) => v.as_ptr() as *const u8,
            HostBuffer::Mapped(m) => m.ptr.as_ptr(),
            HostBuffer::External { ptr, .. } => ptr.as_ptr(),
        }
    }

    pub(crate) fn as_mut_ptr(&mut self) -> *mut u8 {
        match self {
            HostBuffer::Owned(v, _) => v.as_mut_ptr() as *mut u8,
            HostBuffer::Mapped(m) => m.ptr.as_ptr(),
            HostBuffer::External { ptr, .. } => ptr.as_ptr(),
        }
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        // SAFETY: the pointer is valid for `len` bytes (owned: the Vec; external: caller contract).
        unsafe { std::slice::from_raw_parts(self.as_ptr(), self.len()) }
    }

    pub(crate) fn as_bytes_mut(&mut self) -> &mut [u8] {
        let len = self.len();
        // SAFETY: as above, and `&mut self` gives exclusive access.
        unsafe { std::slice::from_raw_parts_mut(self.as_mut_ptr(), len) }
    }
}

/// Bytes of live [`Mapping`]s and their high-water mark since the last reset (diagnostics: these
/// allocations bypass the global allocator, so a counting allocator cannot see them).
static MAPPED_LIVE: AtomicUsize = AtomicUsize::new(0);
static MAPPED_HIGH: AtomicUsize = AtomicUsize::new(0);

/// `(live, high-water)` bytes of the library's large host allocations; `reset` sets the
/// high-water mark to the live figure first (benches measure one call's peak this way).
#[doc(hidden)]
pub fn mapped_host_bytes(reset: bool) -> (usize, usize) {
    let live = MAPPED_LIVE.load(Ordering::Relaxed);
    if reset {
        MAPPED_HIGH.store(live, Ordering::Relaxed);
    }
    (live, MAPPED_HIGH.load(Ordering::Relaxed))
}

/// A large zeroed host allocation in its own anonymous mapping, advised for transparent huge
/// pages. Spike trains and potentials are tens to hundreds of MiB written once per call: with
/// 4 KiB pages the first-touch faults cost more than the op itself (a 75 MiB `fire` output took
/// ~40 ms of faults on 2 cores, ~5 ms with huge pages). The mapping is private to the tensor and
/// returned to the system on drop: advising huge pages on memory that the allocator later reuses
/// for small objects made each small first touch zero a whole 2 MiB page (a quarter of the Rezghi
/// forward pass went to page clearing).
pub(crate) struct Mapping {
    ptr: NonNull<u8>,
    bytes: usize,
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    map_len: usize,
}

impl Mapping {
    const MIN: usize = 4 << 20;

    #[cfg(target_os = "linux")]
    fn new(bytes: usize) -> Option<Mapping> {
        const HUGE: usize = 2 << 20;
        if bytes < Self::MIN {
            return None;
        }
        // Extra room so that a 2 MiB-aligned run covers the data (huge pages need alignment).
        let map_len = bytes.checked_add(HUGE)?;
        if let Some(m) = Self::reuse(bytes, map_len) {
            return Some(m);
        }
        // SAFETY: a fresh private anonymous mapping; no existing memory is affected.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                map_len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return None;
        }
        // SAFETY: the range is the mapping just made; the advice only changes paging and its
        // failure (THP disabled) is harmless.
        unsafe { libc::madvise(base, map_len, libc::MADV_HUGEPAGE) };
        let live = MAPPED_LIVE.fetch_add(map_len, Ordering::Relaxed) + map_len;
        MAPPED_HIGH.fetch_max(live, Ordering::Relaxed);
        Some(Mapping {
            ptr: NonNull::new(base as *mut u8)?,
            bytes,
            map_len,
        })
    }

    #[cfg(not(target_os = "linux"))]
    fn new(_bytes: usize) -> Option<Mapping> {
        None
    }
}

/// Freed mappings kept for reuse, `(base, map_len)`, oldest first, and their total size.
/// Touching fresh pages is what large allocations cost (in a virtual machine each first touch of
/// a huge page is a fault in the guest and in the host: ~70 ms per 288 MiB conv output on 2
/// cores); memory that was already touched only needs zeroing.
#[cfg(target_os = "linux")]
static POOL: parking_lot::Mutex<Vec<(usize, usize)>> = parking_lot::const_mutex(Vec::new());
#[cfg(target_os = "linux")]
static POOL_BYTES: AtomicUsize = AtomicUsize::new(0);
/// Most bytes of freed mappings kept (beyond it the oldest are returned to the system).
pub(crate) const POOL_MAX: usize = 1 << 30;

impl Mapping {
    /// A cached mapping of at least `map_len` bytes (at most twice as large), zeroed over `bytes`.
    #[cfg(target_os = "linux")]
    fn reuse(bytes: usize, map_len: usize) -> Option<Mapping> {
        let (base, len) = {
            let mut pool = POOL.lock();
            let best = pool
                .iter()
                .enumerate()
                .filter(|(_, (_, len))| *len >= map_len && *len / 2 <= map_len)
                .min_by_key(|(_, (_, len))| *len)
                .map(|(i, _)| i)?;
            let e = pool.remove(best);
            POOL_BYTES.fetch_sub(e.1, Ordering::Relaxed);
            e
        };
        let live = MAPPED_LIVE.fetch_add(len, Ordering::Relaxed) + len;
        MAPPED_HIGH.fetch_max(live, Ordering::Relaxed);
        let m = Mapping {
            ptr: NonNull::new(base as *mut u8)?,
            bytes,
            map_len: len,
        };
        // SAFETY: the mapping is ours alone (removed from the pool) and `bytes < len`.
        let data = unsafe { std::slice::from_raw_parts_mut(m.ptr.as_ptr(), bytes) };
        crate::runtime::install(|| {
            use rayon::prelude::*;
            data.par_chunks_mut(8 << 20).for_each(|c| c.fill(0));
        });
        Some(m)
    }

    /// Returns every cached mapping to the system (`clear_context`).
    pub(crate) fn clear_pool() {
        #[cfg(target_os = "linux")]
        {
            let drained: Vec<(usize, usize)> = std::mem::take(&mut *POOL.lock());
            for (base, len) in drained {
                POOL_BYTES.fetch_sub(len, Ordering::Relaxed);
                // SAFETY: a mapping made by `new`, owned by the pool alone.
                unsafe { libc::munmap(base as *mut libc::c_void, len) };
            }
        }
    }

    /// Bytes of freed mappings held for reuse.
    #[cfg(test)]
    pub(crate) fn pooled_bytes() -> usize {
        #[cfg(target_os = "linux")]
        {
            POOL_BYTES.load(Ordering::Relaxed)
        }
        #[cfg(not(target_os = "linux"))]
        {
            0
        }
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        #[cfg(target_os = "linux")]
        {
            MAPPED_LIVE.fetch_sub(self.map_len, Ordering::Relaxed);
            if self.map_len <= POOL_MAX {
                let mut pool = POOL.lock();
                pool.push((self.ptr.as_ptr() as usize, self.map_len));
                let mut total =
                    POOL_BYTES.fetch_add(self.map_len, Ordering::Relaxed) + self.map_len;
                while total > POOL_MAX {
                    let (base, len) = pool.remove(0);
                    total = POOL_BYTES.fetch_sub(len, Ordering::Relaxed) - len;
                    // SAFETY: a mapping made by `new`, owned by the pool alone.
                    unsafe { libc::munmap(base as *mut libc::c_void, len) };
                }
                return;
            }
            // SAFETY: `ptr`/`map_len` are exactly the mapping made in `new`; no reference into it
            // outlives the buffer (tensors borrow it through the storage lock).
            unsafe { libc::munmap(self.ptr.as_ptr() as *mut libc::c_void, self.map_len) };
        }
    }
}

impl Drop for HostBuffer {
    fn drop(&mut self) {
        if let HostBuffer::External { release, .. } = self {
            if let Some(f) = release.take() {
                f();
            }
        }
    }
}

/// The memory of one allocation, on one device.
pub(crate) enum Buffer {
    Host(HostBuffer),
    Cuda(crate::cuda::CudaBuffer),
}

/// A shared allocation. Tensors hold it through an `Arc`; views share it.
pub(crate) struct Storage {
    pub(crate) device: Device,
    pub(crate) data: RwLock<Buffer>,
}

impl Storage {
    pub(crate) fn host(buf: HostBuffer) -> Storage {
        Storage {
            device: Device::Cpu,
            data: RwLock::new(Buffer::Host(buf)),
        }
    }

    pub(crate) fn cuda(ordinal: usize, buf: crate::cuda::CudaBuffer) -> Storage {
        Storage {
            device: Device::Cuda(ordinal),
            data: RwLock::new(Buffer::Cuda(buf)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reused_large_buffers_come_back_zeroed_and_the_pool_is_bounded() {
        let bytes = (Mapping::MIN + 12_345) & !7;
        let mut a = HostBuffer::zeroed(bytes);
        assert!(matches!(a, HostBuffer::Mapped(_)));
        assert!(a.as_bytes().iter().all(|b| *b == 0));
        a.as_bytes_mut().fill(0xa5);
        let ptr = a.as_ptr();
        drop(a);
        assert!(Mapping::pooled_bytes() <= POOL_MAX);
        // Same size again: zeroed, whether or not it is the same mapping (other tests run
        // concurrently and may take it first).
        let b = HostBuffer::zeroed(bytes - 64);
        assert!(b.as_bytes().iter().all(|v| *v == 0));
        let reused = b.as_ptr() == ptr;
        drop(b);
        if cfg!(target_os = "linux") && reused {
            assert!(Mapping::pooled_bytes() >= bytes);
        }
        // Much smaller requests do not take a large cached mapping.
        let big = HostBuffer::zeroed(64 << 20);
        let big_ptr = big.as_ptr();
        drop(big);
        let small = HostBuffer::zeroed(Mapping::MIN);
        assert_ne!(small.as_ptr(), big_ptr);
        Mapping::clear_pool();
    }
}
