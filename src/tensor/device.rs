//! Tensors in device memory: addresses for kernels, fills and copies between devices.
//!
//! Every transfer is explicit (`to_device`, `copy_from`); host access to a CUDA tensor
//! (`read`, `write`, `to_vec`) is an error. Host-bound copies wait for the device's stream, so a
//! host tensor returned from here always holds finished results.

use super::{Buffer, Tensor};
use crate::cuda::{copy, DeviceState};
use crate::{Device, Error, Result, Scalar};
use std::sync::Arc;

impl Tensor {
    /// The device and the address of this view's first element (CUDA tensors only).
    pub(crate) fn cuda_ptr(&self) -> Result<(Arc<DeviceState>, u64)> {
        let guard = self.storage.data.read_recursive();
        match &*guard {
            Buffer::Cuda(b) => {
                let start = self.offset * self.dtype.size();
                debug_assert!(start + self.bytes() <= b.len());
                Ok((b.device().clone(), b.ptr() + start as u64))
            }
            Buffer::Host(_) => Err(Error::Device(
                "expected a CUDA tensor, got one on cpu:0".to_string(),
            )),
        }
    }

    /// `fill` for a CUDA tensor.
    pub(super) fn fill_device(&self, value: Scalar) -> Result<()> {
        let (dev, ptr) = self.cuda_ptr()?;
        copy::fill(&dev, ptr, self.numel(), self.dtype, value)
    }

    /// `copy_from` when at least one side is on a CUDA device (element counts already checked).
    pub(super) fn copy_from_device(&self, src: &Tensor) -> Result<()> {
        match (src.device(), self.device()) {
            (Device::Cpu, Device::Cuda(_)) => {
                // Convert on the host (the CPU rules), then upload.
                let src = src.to_dtype(self.dtype)?;
                let (dev, dst) = self.cuda_ptr()?;
                src.host_bytes(|b| copy::copy_htod(&dev, b, dst))?
            }
            (Device::Cuda(_), Device::Cpu) => {
                if src.dtype == self.dtype {
                    let (dev, s) = src.cuda_ptr()?;
                    self.host_bytes_mut(|b| copy::copy_dtoh(&dev, s, b))?
                } else {
                    // Download, then convert on the host.
                    let tmp = src.to_device(Device::Cpu)?;
                    self.copy_from(&tmp)
                }
            }
            (Device::Cuda(a), Device::Cuda(b)) if a == b => {
                if self.same_storage(src) {
                    // Ranges may overlap: stage through a separate device buffer.
                    let tmp = Tensor::alloc_on(src.device(), src.dtype, &src.shape, false)?;
                    tmp.copy_from(src)?;
                    return self.copy_from(&tmp);
                }
                let (dev, s) = src.cuda_ptr()?;
                let (_, d) = self.cuda_ptr()?;
                copy::convert(&dev, s, src.dtype, d, self.dtype, self.numel())
            }
            (Device::Cuda(_), Device::Cuda(_)) => {
                // Different GPUs: through the host (no peer access assumed).
                let tmp = src.to_device(Device::Cpu)?;
                self.copy_from(&tmp)
            }
            (Device::Cpu, Device::Cpu) => Err(Error::Device(
                "internal: copy_from_device called for two CPU tensors".into(),
            )),
        }
    }
}
