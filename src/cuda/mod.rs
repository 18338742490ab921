//! CUDA backend. This build has no CUDA support yet: every request answers with one clear error,
//! so callers never need `#[cfg]`. The CUDA issue replaces this module with the cudarc backend.

use crate::{Error, Result};

/// Device memory (placeholder until the CUDA backend lands; never constructed).
pub(crate) struct CudaBuffer {
    _private: (),
}

/// Why CUDA cannot be used, appended to device errors.
pub(crate) fn unavailable_reason() -> &'static str {
    " (this build of spyker has no CUDA backend yet)"
}

/// Number of usable CUDA devices.
pub(crate) fn device_count() -> usize {
    0
}

/// The error returned by every CUDA request in this build.
pub(crate) fn unavailable<T>(what: &str) -> Result<T> {
    Err(Error::Device(format!(
        "{what} needs a CUDA device, but none is available{}",
        unavailable_reason()
    )))
}
