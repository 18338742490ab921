//! Checked conversions from raw C pointers. Entry points use only these, never ad-hoc casts.
//!
//! Safety contract shared by every helper: a non-NULL pointer must point to a live object of the
//! stated type (a handle created by this library and not yet freed, or caller memory of the stated
//! length). NULL is always detected and reported as `SPK_STATUS_NULL_POINTER`.

use super::{FfiError, FfiResult};

/// `&T` from a pointer argument, rejecting NULL.
pub(crate) unsafe fn arg<'a, T>(p: *const T, name: &'static str) -> FfiResult<&'a T> {
    // SAFETY: non-NULL pointers are valid per the module contract.
    unsafe { p.as_ref() }.ok_or(FfiError::Null(name))
}

/// `&mut T` from a pointer argument, rejecting NULL.
pub(crate) unsafe fn arg_mut<'a, T>(p: *mut T, name: &'static str) -> FfiResult<&'a mut T> {
    // SAFETY: non-NULL pointers are valid and unaliased per the module contract.
    unsafe { p.as_mut() }.ok_or(FfiError::Null(name))
}

/// Writes `value` through an out-pointer, rejecting NULL.
pub(crate) unsafe fn put<T>(out: *mut T, name: &'static str, value: T) -> FfiResult {
    if out.is_null() {
        return Err(FfiError::Null(name));
    }
    // SAFETY: non-NULL out-pointers are valid for a write per the module contract.
    unsafe { out.write(value) };
    Ok(())
}

/// Rejects a NULL out-pointer before any work is done (so nothing is computed, then dropped).
pub(crate) fn check_out<T>(out: *mut T, name: &'static str) -> FfiResult {
    if out.is_null() {
        return Err(FfiError::Null(name));
    }
    Ok(())
}

/// `&[T]` of `len` elements; NULL is accepted only when `len` is 0.
pub(crate) unsafe fn slice<'a, T>(
    p: *const T,
    len: usize,
    name: &'static str,
) -> FfiResult<&'a [T]> {
    if len == 0 {
        return Ok(&[]);
    }
    if p.is_null() {
        return Err(FfiError::Null(name));
    }
    // SAFETY: valid for `len` elements per the module contract.
    Ok(unsafe { std::slice::from_raw_parts(p, len) })
}

/// `&mut [T]` of `len` elements; NULL is accepted only when `len` is 0.
pub(crate) unsafe fn slice_mut<'a, T>(
    p: *mut T,
    len: usize,
    name: &'static str,
) -> FfiResult<&'a mut [T]> {
    if len == 0 {
        return Ok(&mut []);
    }
    if p.is_null() {
        return Err(FfiError::Null(name));
    }
    // SAFETY: valid and unaliased for `len` elements per the module contract.
    Ok(unsafe { std::slice::from_raw_parts_mut(p, len) })
}

/// Moves `value` into a new heap handle and writes it through `out` (the caller frees it with the
/// matching `*_free`).
pub(crate) unsafe fn put_handle<T>(out: *mut *mut T, name: &'static str, value: T) -> FfiResult {
    check_out(out, name)?;
    // SAFETY: checked non-NULL above.
    unsafe { put(out, name, Box::into_raw(Box::new(value))) }
}

/// Frees a handle made by [`put_handle`]; NULL is a no-op.
pub(crate) unsafe fn free_handle<T>(p: *mut T) {
    if !p.is_null() {
        // SAFETY: made by Box::into_raw in put_handle and not freed before (caller contract).
        drop(unsafe { Box::from_raw(p) });
    }
}

/// A C struct that starts with a `uint32_t size` field so it can grow: the library reads and
/// writes only the first `size` bytes and uses defaults for fields beyond them.
pub(crate) trait Versioned: Copy + Default {
    /// The size of the first published version of the struct (older callers cannot be smaller).
    const MIN_SIZE: usize;
    fn set_size_field(&mut self, size: u32);
    const NAME: &'static str;
}

fn check_size<T: Versioned>(size: usize) -> FfiResult<usize> {
    if size < T::MIN_SIZE {
        return Err(crate::Error::Argument(format!(
            "expected `{}.size` >= {} (set it with the *_init function), got {size}",
            T::NAME,
            T::MIN_SIZE
        ))
        .into());
    }
    Ok(size.min(std::mem::size_of::<T>()))
}

/// Reads a sized struct: the caller's first `size` bytes over the defaults.
pub(crate) unsafe fn read_sized<T: Versioned>(p: *const T, name: &'static str) -> FfiResult<T> {
    if p.is_null() {
        return Err(FfiError::Null(name));
    }
    // SAFETY: the first field is a u32 at offset 0 (repr(C)); every version has it.
    let size = unsafe { (p as *const u32).read_unaligned() } as usize;
    let n = check_size::<T>(size)?;
    let mut v = T::default();
    // SAFETY: the caller's struct is valid for `size` >= n bytes; `v` is a plain repr(C) struct.
    unsafe { std::ptr::copy_nonoverlapping(p as *const u8, &mut v as *mut T as *mut u8, n) };
    v.set_size_field(std::mem::size_of::<T>() as u32);
    Ok(v)
}

/// Writes a sized struct into the caller's first `size` bytes (the caller set `size`, usually
/// through the `*_init` function); the `size` field is left as the caller set it.
pub(crate) unsafe fn write_sized<T: Versioned>(
    p: *mut T,
    name: &'static str,
    value: T,
) -> FfiResult {
    if p.is_null() {
        return Err(FfiError::Null(name));
    }
    // SAFETY: as in read_sized.
    let size = unsafe { (p as *const u32).read_unaligned() };
    let n = check_size::<T>(size as usize)?;
    let mut value = value;
    value.set_size_field(size);
    // SAFETY: the caller's struct is valid for `size` >= n bytes.
    unsafe { std::ptr::copy_nonoverlapping(&value as *const T as *const u8, p as *mut u8, n) };
    Ok(())
}

/// Fills a sized struct with defaults, for a caller whose struct is `size` bytes.
pub(crate) unsafe fn init_sized<T: Versioned>(
    p: *mut T,
    size: usize,
    name: &'static str,
) -> FfiResult {
    if p.is_null() {
        return Err(FfiError::Null(name));
    }
    let size = u32::try_from(size).unwrap_or(u32::MAX);
    // SAFETY: write the size first (the caller passes the size of its own struct), then the rest.
    unsafe { (p as *mut u32).write_unaligned(size) };
    unsafe { write_sized(p, name, T::default()) }
}

/// A UTF-8 string argument (a NUL-terminated C string), rejecting NULL and invalid UTF-8.
pub(crate) unsafe fn cstr<'a>(
    p: *const std::ffi::c_char,
    name: &'static str,
) -> FfiResult<&'a str> {
    if p.is_null() {
        return Err(FfiError::Null(name));
    }
    // SAFETY: a NUL-terminated string per the module contract.
    let s = unsafe { std::ffi::CStr::from_ptr(p) };
    s.to_str().map_err(|e| {
        crate::Error::Argument(format!(
            "expected `{name}` to be UTF-8 text, got invalid bytes at offset {}",
            e.valid_up_to()
        ))
        .into()
    })
}

/// A 2-D extent read from `p[0..2]` (rows, columns); NULL gives `default`.
pub(crate) unsafe fn expand2_arg(
    p: *const usize,
    name: &'static str,
    default: crate::Expand2,
) -> FfiResult<crate::Expand2> {
    if p.is_null() {
        return Ok(default);
    }
    // SAFETY: two elements per the documented contract.
    let v = unsafe { slice(p, 2, name) }?;
    Ok(crate::Expand2::new(v[0], v[1]))
}

/// Padding read from `p[0..4]` (top, left, bottom, right); NULL means no padding.
pub(crate) unsafe fn expand4_arg(p: *const usize, name: &'static str) -> FfiResult<crate::Expand4> {
    if p.is_null() {
        return Ok(crate::Expand4::new(0, 0, 0, 0));
    }
    // SAFETY: four elements per the documented contract.
    let v = unsafe { slice(p, 4, name) }?;
    Ok(crate::Expand4::new(v[0], v[1], v[2], v[3]))
}

/// A non-negative index or count passed as a signed C integer.
pub(crate) fn index_arg(value: i64, name: &str) -> crate::Result<usize> {
    usize::try_from(value)
        .map_err(|_| crate::Error::Argument(format!("expected `{name}` >= 0, got {value}")))
}
