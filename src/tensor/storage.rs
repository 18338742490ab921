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
        HostBuffer::Owned(vec![0u64; bytes.div_ceil(8)], bytes)
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
