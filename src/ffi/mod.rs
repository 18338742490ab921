//! The C ABI: every `spk_*` function of `include/spyker.h`.
//!
//! Conventions (stated once here and in the header):
//! - Every fallible entry point returns an [`spk_status`] and writes results through out-pointers.
//!   On failure the out-pointers are left unchanged and [`spk_last_error_message`] returns a
//!   message saying what was expected and what was given.
//! - Every entry point goes through [`guard`] (catches panics, maps errors to status codes,
//!   records the message); pointer arguments go through the checked helpers of [`ptr`]. No entry
//!   point dereferences a raw pointer any other way.
//! - Handles (`spk_tensor`, `spk_conv`, `spk_fc`, `spk_winners`) are opaque; each has a
//!   `*_free` that accepts NULL. Using a handle after freeing it is undefined behaviour.
//! - Enumerations are passed as `int32_t` and validated, so a value from a newer header is an
//!   error, never undefined behaviour. Enumerations only ever grow.
//! - Option/config structs start with a `size` field (set by the `*_init` functions) so they can
//!   grow without breaking old callers: the library reads and writes only the first `size` bytes.
//!
//! Adding an op entry point (after its family lands) is a few lines in `src/ffi/<family>.rs`:
//!
//! ```ignore
//! /// Integrate-and-fire ... (doc comment becomes the header comment)
//! #[no_mangle]
//! pub unsafe extern "C" fn spk_fire(input: *const spk_tensor, threshold: f64,
//!                                   out: *mut *mut spk_tensor) -> spk_status {
//!     guard(|| {
//!         let x = tensor(input, "input")?;
//!         put_tensor(out, "out", crate::fire(x, threshold)?)
//!     })
//! }
//! ```
//!
//! cbindgen cannot expand macros, so the functions themselves are written out; all their logic
//! lives in the helpers.

#![allow(non_camel_case_types)]
// The safety contract is the same for every entry point and is stated once, above and in the
// header: each pointer argument is NULL or valid for its documented use; handles are live.
#![allow(clippy::missing_safety_doc)]

mod error;
mod filter;
mod fused;
mod io;
mod nn;
mod ops;
mod ptr;
mod runtime;
mod tensor;
mod wta;

#[cfg(test)]
mod tests;

pub use error::{spk_last_error_message, spk_status, spk_status_string};
pub use filter::*;
pub use fused::*;
pub use io::*;
pub use nn::*;
pub use ops::*;
pub use runtime::*;
pub use tensor::*;
pub use wta::*;

pub(crate) use error::{guard, FfiError, FfiResult};
#[cfg(feature = "cxx")]
pub(crate) use error::{panic_message, status_of};
pub(crate) use ptr::*;

/// The version of the C ABI. It increases whenever a function, struct or enum changes
/// incompatibly; additions (new functions, new enum values, new fields at the end of a sized
/// struct) keep it. The shared library's SONAME is `libspyker.so.<SPK_ABI_VERSION>`.
pub const SPK_ABI_VERSION: u32 = 1;

/// The largest `time` accepted by `spk_encode` (the original stores spike times in 16 bits).
pub const SPK_MAX_CODE_TIME: i64 = 65535;
/// The largest number of time steps of the spike-time fast path (one byte per neuron).
pub const SPK_MAX_TIME: usize = 255;
/// Version of the layer file layout written by `spk_conv_save`, `spk_fc_save` and `spk_layers_save`.
pub const SPK_LAYER_FORMAT_VERSION: i64 = 1;
const _: () = assert!(
    SPK_MAX_CODE_TIME == crate::MAX_CODE_TIME
        && SPK_MAX_TIME == crate::MAX_TIME
        && SPK_LAYER_FORMAT_VERSION == crate::io::model::LAYER_FORMAT_VERSION
);

/// Element types (values of the `dtype` arguments, same numbering as the original's `Type`).
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum spk_dtype {
    I8 = 0,
    I16 = 1,
    I32 = 2,
    I64 = 3,
    U8 = 4,
    U16 = 5,
    U32 = 6,
    U64 = 7,
    F16 = 8,
    F32 = 9,
    F64 = 10,
}

/// Device kinds (values of the `device_kind` arguments).
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum spk_device_kind {
    Cpu = 0,
    Cuda = 1,
}

/// Spike codings (values of the `code` arguments of the coding and neuron functions).
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum spk_code {
    Rank = 0,
    Rate = 1,
}

/// Keeps the enums above in step with the Rust ones (compile-time check).
const _: () = {
    assert!(spk_dtype::F64 as i32 == crate::DType::F64 as i32);
    assert!(spk_dtype::U8 as i32 == crate::DType::U8 as i32);
    assert!(spk_device_kind::Cuda as i32 == crate::DeviceKind::Cuda as i32);
    assert!(spk_code::Rate as i32 == crate::Code::Rate as i32);
};

/// Converts a C `dtype` argument.
pub(crate) fn dtype_arg(code: i32) -> crate::Result<crate::DType> {
    crate::DType::from_index(code)
}

/// Converts a C `(device_kind, device_index)` pair (index -1 = the default device of the kind).
pub(crate) fn device_arg(kind: i32, index: i64) -> crate::Result<crate::Device> {
    let kind = match kind {
        0 => crate::DeviceKind::Cpu,
        1 => crate::DeviceKind::Cuda,
        _ => {
            return Err(crate::Error::Device(format!(
                "expected a device kind 0 (CPU) or 1 (CUDA), got {kind}"
            )))
        }
    };
    crate::Device::new(kind, index)
}

/// Converts a C `code` argument.
pub(crate) fn code_arg(code: i32) -> crate::Result<crate::Code> {
    match code {
        0 => Ok(crate::Code::Rank),
        1 => Ok(crate::Code::Rate),
        _ => Err(crate::Error::Argument(format!(
            "expected a code 0 (rank) or 1 (rate), got {code}"
        ))),
    }
}
