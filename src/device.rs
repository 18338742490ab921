//! Devices a tensor can live on.

use crate::{Error, Result};
use std::fmt;
use std::str::FromStr;

/// The kind of a device (C ABI enum: 0 = CPU, 1 = CUDA).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeviceKind {
    Cpu = 0,
    Cuda = 1,
}

/// Where a tensor's memory lives and where operations on it run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Device {
    /// The host; there is exactly one (index 0).
    #[default]
    Cpu,
    /// An NVIDIA GPU by ordinal.
    Cuda(usize),
}

impl Device {
    /// Builds a device from the original's `(kind, index)` pair: CPU accepts index -1 or 0; CUDA
    /// accepts -1 (the current device) or an ordinal below the device count.
    pub fn new(kind: DeviceKind, index: i64) -> Result<Device> {
        match kind {
            DeviceKind::Cpu => {
                if index == -1 || index == 0 {
                    Ok(Device::Cpu)
                } else {
                    Err(Error::Device(format!(
                        "expected CPU index -1 or 0, got {index}"
                    )))
                }
            }
            DeviceKind::Cuda => {
                let count = crate::runtime::cuda_device_count();
                if count == 0 {
                    return Err(Error::Device(format!(
                        "CUDA device {index} requested, but no CUDA device is available{}",
                        crate::cuda::unavailable_reason()
                    )));
                }
                let idx = if index == -1 {
                    crate::runtime::cuda_current_device()?
                } else {
                    usize::try_from(index).map_err(|_| {
                        Error::Device(format!("expected a CUDA index >= -1, got {index}"))
                    })?
                };
                if idx >= count {
                    return Err(Error::Device(format!(
                        "expected a CUDA index below the device count {count}, got {idx}"
                    )));
                }
                Ok(Device::Cuda(idx))
            }
        }
    }

    /// A CUDA device, checked against the devices present.
    pub fn cuda(index: usize) -> Result<Device> {
        Device::new(DeviceKind::Cuda, index as i64)
    }

    /// The kind of this device.
    pub fn kind(self) -> DeviceKind {
        match self {
            Device::Cpu => DeviceKind::Cpu,
            Device::Cuda(_) => DeviceKind::Cuda,
        }
    }

    /// The ordinal (0 for the CPU).
    pub fn index(self) -> usize {
        match self {
            Device::Cpu => 0,
            Device::Cuda(i) => i,
        }
    }

    /// True when an operation may combine tensors of both devices (same kind; CUDA ordinals
    /// may differ, as in the original).
    pub fn compatible(self, other: Device) -> bool {
        self.kind() == other.kind()
    }
}

impl fmt::Display for Device {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Device::Cpu => write!(f, "cpu:0"),
            Device::Cuda(i) => write!(f, "cuda:{i}"),
        }
    }
}

impl FromStr for Device {
    type Err = Error;
    /// Parses "cpu", "cpu:0", "cuda", "cuda:N" (kind case-insensitive).
    fn from_str(s: &str) -> Result<Device> {
        let lower = s.to_ascii_lowercase();
        let (kind, index) = match lower.split_once(':') {
            Some((k, i)) => (
                k.to_string(),
                i.parse::<i64>()
                    .map_err(|_| Error::Device(format!("expected a device index, got {i:?}")))?,
            ),
            None => (lower.clone(), -1),
        };
        let kind = match kind.as_str() {
            "cpu" => DeviceKind::Cpu,
            "cuda" => DeviceKind::Cuda,
            _ => {
                return Err(Error::Device(format!(
                    "expected a device \"cpu\" or \"cuda[:N]\", got {s:?}"
                )))
            }
        };
        Device::new(kind, index)
    }
}
