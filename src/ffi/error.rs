//! Status codes, the thread-local last-error message and the one wrapper every entry point uses.

use crate::{Error, ErrorKind};
use std::cell::RefCell;
use std::ffi::{c_char, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// The result of every fallible `spk_*` function. 0 is success; new codes may be added.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum spk_status {
    /// Success.
    Ok = 0,
    /// A tensor has the wrong rank or extents, or shapes (or byte counts) do not agree.
    Shape = 1,
    /// A tensor or argument has an element type the function does not accept.
    Dtype = 2,
    /// A device is unknown or unavailable, or tensors live on different devices.
    Device = 3,
    /// Any other invalid argument (out of range, negative, ...).
    Argument = 4,
    /// Reading or writing a file failed.
    Io = 5,
    /// The CUDA driver or a kernel reported an error.
    Cuda = 6,
    /// A required pointer argument was NULL.
    NullPointer = 7,
    /// A bug inside the library (a caught Rust panic); the library stays usable.
    Internal = 8,
}

/// What an entry point body can fail with: a library error or a NULL pointer argument.
pub(crate) enum FfiError {
    Lib(Error),
    Null(&'static str),
}

impl From<Error> for FfiError {
    fn from(e: Error) -> Self {
        FfiError::Lib(e)
    }
}

/// The result type of entry point bodies.
pub(crate) type FfiResult<T = ()> = std::result::Result<T, FfiError>;

thread_local! {
    // Per thread, so concurrent callers never see each other's messages.
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

fn set_message(msg: String) {
    // Interior NULs would truncate the C string silently; make them visible instead.
    let msg = CString::new(msg.replace('\0', "\u{FFFD}")).unwrap_or_default();
    LAST_ERROR.with(|m| *m.borrow_mut() = msg);
}

fn clear_message() {
    LAST_ERROR.with(|m| {
        let mut m = m.borrow_mut();
        if !m.as_bytes().is_empty() {
            *m = CString::default();
        }
    });
}

pub(crate) fn status_of(kind: ErrorKind) -> spk_status {
    match kind {
        ErrorKind::Shape => spk_status::Shape,
        ErrorKind::DType => spk_status::Dtype,
        ErrorKind::Device => spk_status::Device,
        ErrorKind::Argument => spk_status::Argument,
        ErrorKind::Io => spk_status::Io,
        ErrorKind::Cuda => spk_status::Cuda,
    }
}

/// The message of a caught panic (shared with the C++ bridge, which reports it the same way).
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    format!(
        "internal error (a bug in spyker, please report it): {}",
        panic_text(payload)
    )
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic payload".to_string()
    }
}

/// Runs the body of an entry point: catches panics (unwinding into C is undefined behaviour),
/// maps the outcome to a status and records the message (cleared on success).
pub(crate) fn guard(body: impl FnOnce() -> FfiResult) -> spk_status {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => {
            clear_message();
            spk_status::Ok
        }
        Ok(Err(FfiError::Lib(e))) => {
            set_message(e.to_string());
            status_of(e.kind())
        }
        Ok(Err(FfiError::Null(name))) => {
            set_message(format!(
                "null pointer: expected a non-NULL `{name}`, got NULL"
            ));
            spk_status::NullPointer
        }
        Err(payload) => {
            set_message(panic_message(&*payload));
            spk_status::Internal
        }
    }
}

/// The message of the last failed `spk_*` call on the calling thread, or "" when the last call
/// succeeded. Never NULL. Borrowed: valid until the next `spk_*` call on the same thread (copy it
/// to keep it).
#[no_mangle]
pub extern "C" fn spk_last_error_message() -> *const c_char {
    LAST_ERROR.with(|m| m.borrow().as_ptr())
}

/// A static name for a status code ("ok", "shape error", ...; "unknown status" for values this
/// version does not know). Never NULL; never freed.
#[no_mangle]
pub extern "C" fn spk_status_string(status: i32) -> *const c_char {
    let s: &'static [u8] = match status {
        0 => b"ok\0",
        1 => b"shape error\0",
        2 => b"dtype error\0",
        3 => b"device error\0",
        4 => b"invalid argument\0",
        5 => b"io error\0",
        6 => b"cuda error\0",
        7 => b"null pointer\0",
        8 => b"internal error\0",
        _ => b"unknown status\0",
    };
    s.as_ptr() as *const c_char
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    fn last() -> String {
        unsafe { CStr::from_ptr(spk_last_error_message()) }
            .to_string_lossy()
            .into_owned()
    }

    #[test]
    fn panics_become_internal_errors_and_success_clears() {
        let s = guard(|| panic!("boom"));
        assert_eq!(s, spk_status::Internal);
        assert!(last().contains("boom"), "{}", last());
        assert_eq!(guard(|| Ok(())), spk_status::Ok);
        assert_eq!(last(), "");
    }

    #[test]
    fn error_kinds_map_to_statuses() {
        let s = guard(|| Err(Error::Shape("expected 5, got 3".into()).into()));
        assert_eq!(s, spk_status::Shape);
        assert_eq!(last(), "shape error: expected 5, got 3");
        let s = guard(|| Err(FfiError::Null("out")));
        assert_eq!(s, spk_status::NullPointer);
        assert!(last().contains("`out`"));
        let s = guard(|| Err(Error::Argument("a\0b".into()).into()));
        assert_eq!(s, spk_status::Argument);
        assert!(last().contains("a\u{FFFD}b"));
    }

    #[test]
    fn status_strings_cover_every_code() {
        for (code, name) in [
            (0, "ok"),
            (7, "null pointer"),
            (8, "internal error"),
            (99, "unknown status"),
        ] {
            let s = unsafe { CStr::from_ptr(spk_status_string(code)) };
            assert_eq!(s.to_str().unwrap(), name);
        }
    }
}
