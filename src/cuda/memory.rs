//! Device memory behind tensors.

use super::alloc;
use super::driver::{self, check, DeviceState};
use crate::Result;
use cudarc::driver::{result as cu, sys};
use std::sync::Arc;

/// One device allocation owned by a tensor storage; its block goes back to the device's caching
/// allocator when dropped.
pub(crate) struct CudaBuffer {
    dev: Arc<DeviceState>,
    ptr: sys::CUdeviceptr,
    bytes: usize,
    block: usize,
}

impl CudaBuffer {
    /// `bytes` of uninitialised memory on device `ordinal`.
    pub(crate) fn uninit(ordinal: usize, bytes: usize) -> Result<CudaBuffer> {
        let dev = driver::device(ordinal)?;
        let (ptr, block) = alloc::allocate(&dev, bytes)?;
        Ok(CudaBuffer {
            dev,
            ptr,
            bytes,
            block,
        })
    }

    /// `bytes` of zeroed memory on device `ordinal` (the memset is queued on the stream).
    pub(crate) fn zeroed(ordinal: usize, bytes: usize) -> Result<CudaBuffer> {
        let b = CudaBuffer::uninit(ordinal, bytes)?;
        b.dev.bind()?;
        // SAFETY: the block holds at least `bytes` bytes and belongs to this device.
        check(
            unsafe { cu::memset_d8_async(b.ptr, 0, bytes, b.dev.stream) },
            "cuMemsetD8Async",
        )?;
        Ok(b)
    }

    /// The device state this buffer lives on.
    pub(crate) fn device(&self) -> &Arc<DeviceState> {
        &self.dev
    }

    /// The device address of the first byte.
    pub(crate) fn ptr(&self) -> sys::CUdeviceptr {
        self.ptr
    }

    /// The size requested (the block may be larger).
    pub(crate) fn len(&self) -> usize {
        self.bytes
    }
}

impl Drop for CudaBuffer {
    fn drop(&mut self) {
        alloc::release(&self.dev, self.ptr, self.block);
    }
}
