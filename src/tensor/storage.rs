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

impl Drop for Mapping {
    fn drop(&mut self) {
        #[cfg(target_os = "linux")]
        {
            // SAFETY: `ptr`/`map_len` are exactly the mapping made in `new`; no reference into it
            // outlives the buffer (tensors borrow it through the storage lock).
            unsafe { libc::munmap(self.ptr.as_ptr() as *mut libc::c_void, self.map_len) };
            MAPPED_LIVE.fetch_sub(self.map_len, Ordering::Relaxed);
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
