//! Memory behind tensors: host buffers owned by the library or borrowed from a caller, and
//! device buffers (`crate::cuda::CudaBuffer`).

use crate::Device;
use parking_lot::RwLock;
use std::ptr::NonNull;

/// Called once when the last tensor viewing caller-owned memory is dropped.
pub type Release = Box<dyn FnOnce() + Send + Sync>;

/// Host memory: either a library allocation (8-byte aligned, zeroed) or a caller's region.
pub(crate) enum HostBuffer {
    Owned(Vec<u64>, usize),
    External {
        ptr: NonNull<u8>,
        bytes: usize,
        release: Option<Release>,
    },
}

// SAFETY: an External buffer is only created through `Tensor::from_raw`, whose contract requires
// the region to stay valid and not be accessed outside the library while tensors use it. All access
// goes through the storage's RwLock.
unsafe impl Send for HostBuffer {}
unsafe impl Sync for HostBuffer {}

impl HostBuffer {
    pub(crate) fn zeroed(bytes: usize) -> HostBuffer {
        let mut v = vec![0u64; bytes.div_ceil(8)];
        advise_huge_pages(v.as_mut_ptr() as *mut u8, v.len() * 8);
        HostBuffer::Owned(v, bytes)
    }

    pub(crate) fn len(&self) -> usize {
        match self {
            HostBuffer::Owned(_, b) => *b,
            HostBuffer::External { bytes, .. } => *bytes,
        }
    }

    pub(crate) fn as_ptr(&self) -> *const u8 {
        match self {
            HostBuffer::Owned(v, _) => v.as_ptr() as *const u8,
            HostBuffer::External { ptr, .. } => ptr.as_ptr(),
        }
    }

    pub(crate) fn as_mut_ptr(&mut self) -> *mut u8 {
        match self {
            HostBuffer::Owned(v, _) => v.as_mut_ptr() as *mut u8,
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

/// Asks Linux for transparent huge pages on the 2 MiB-aligned interior of a large, fresh (still
/// untouched) allocation. Spike trains and potentials are tens to hundreds of MiB written once per
/// call: with 4 KiB pages the first-touch page faults cost more than the op itself (a 75 MiB `fire`
/// output took ~40 ms of faults on 2 cores, ~5 ms with huge pages). Where THP is `madvise` (the
/// usual default) nothing else enables them; where it is `never` the call is a harmless no-op.
fn advise_huge_pages(ptr: *mut u8, len: usize) {
    const HUGE: usize = 2 << 20;
    if len < 2 * HUGE {
        return;
    }
    #[cfg(target_os = "linux")]
    {
        let start = (ptr as usize).next_multiple_of(HUGE);
        let end = (ptr as usize + len) / HUGE * HUGE;
        if end > start {
            // SAFETY: [start, end) lies inside the allocation; madvise only changes paging
            // advice for it and cannot invalidate memory. Failure (e.g. no THP) is ignored.
            unsafe { libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE) };
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = ptr;
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
