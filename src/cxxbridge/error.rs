//! The error every bridge function returns, and the wrapper every bridge body runs in.
//!
//! cxx turns an `Err` into a C++ `rust::Error` whose `what()` is the error's `Display`. A C++
//! exception carries only that string, so the category travels in it: `"<status>:<message>"`,
//! where `<status>` is the decimal `spk_status` of the same failure through the C ABI and
//! `<message>` the same text `spk_last_error_message()` would give. `spyker.hpp` parses it back
//! into `spyker::Error { status(), what() }`.

use crate::ffi::{panic_message, spk_status, status_of};
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// A failed bridge call: the C status code and the library's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BridgeError {
    pub status: spk_status,
    pub message: String,
}

impl fmt::Display for BridgeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.status as i32, self.message)
    }
}

impl From<crate::Error> for BridgeError {
    fn from(e: crate::Error) -> Self {
        BridgeError {
            status: status_of(e.kind()),
            message: e.to_string(),
        }
    }
}

/// The result of every bridge function.
pub type BridgeResult<T> = Result<T, BridgeError>;

/// Runs a bridge body: a panic must not unwind into C++ (cxx would abort the process), so it
/// becomes an `Internal` error with the same message as through the C ABI.
pub(crate) fn call<T>(body: impl FnOnce() -> crate::Result<T>) -> BridgeResult<T> {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(r) => r.map_err(BridgeError::from),
        Err(payload) => Err(BridgeError {
            status: spk_status::Internal,
            message: panic_message(&*payload),
        }),
    }
}
