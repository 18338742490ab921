//! Tensor handles: creation, caller memory, copies in and out, views and conversions.

use super::*;
use crate::{Error, Scalar, Tensor};
use std::ffi::c_void;

/// An n-dimensional array (opaque). A handle is one reference to possibly shared memory: views
/// (`spk_tensor_reshape`, `spk_tensor_index`, `spk_tensor_slice`, `spk_conv_kernel`, ...) share
/// the memory of their source, which lives until the last handle or view using it is freed.
/// Free every handle you receive with `spk_tensor_free`.
///
/// A tensor may be used from several threads at once (accesses lock the memory), but a handle
/// must not be freed while another thread uses it.
pub struct spk_tensor {
    pub(crate) inner: Tensor,
}

/// Called once with `user` when the library no longer needs memory wrapped by
/// `spk_tensor_wrap` (the last handle or view using it was freed). It may run on any thread.
pub type spk_release_fn = Option<unsafe extern "C" fn(user: *mut c_void)>;

/// The tensor behind a handle argument.
pub(crate) unsafe fn tensor<'a>(p: *const spk_tensor, name: &'static str) -> FfiResult<&'a Tensor> {
    // SAFETY: forwarded contract (a live handle or NULL).
    Ok(&unsafe { arg(p, name) }?.inner)
}

/// Writes a new tensor handle through `out`.
pub(crate) unsafe fn put_tensor(
    out: *mut *mut spk_tensor,
    name: &'static str,
    t: Tensor,
) -> FfiResult {
    // SAFETY: forwarded contract.
    unsafe { put_handle(out, name, spk_tensor { inner: t }) }
}

/// Rejects a rank-0 shape (shared with the C++ bridge).
pub(crate) fn check_rank(rank: usize) -> crate::Result<()> {
    if rank == 0 {
        return Err(Error::Shape("expected a rank >= 1, got 0".into()));
    }
    Ok(())
}

unsafe fn shape_arg(shape: *const usize, rank: usize) -> FfiResult<Vec<usize>> {
    check_rank(rank)?;
    // SAFETY: `rank` elements (caller contract).
    Ok(unsafe { slice(shape, rank, "shape") }?.to_vec())
}

pub(crate) fn expect_bytes(t: &Tensor, bytes: usize, what: &str) -> crate::Result<()> {
    if bytes != t.bytes() {
        return Err(Error::Shape(format!(
            "expected {what} of exactly {} bytes ({} elements of {}), got {bytes} bytes",
            t.bytes(),
            t.numel(),
            t.dtype()
        )));
    }
    Ok(())
}

/// Creates a zero-filled CPU tensor of `dtype` (an `spk_dtype`) with `rank` extents read from
/// `shape` (every extent >= 1). The caller frees `*out` with `spk_tensor_free`.
#[no_mangle]
pub unsafe extern "C" fn spk_tensor_create(
    dtype: i32,
    shape: *const usize,
    rank: usize,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let shape = shape_arg(shape, rank)?;
        put_tensor(out, "out", Tensor::zeros(dtype_arg(dtype)?, &shape)?)
    })
}

/// Like `spk_tensor_create` on the device `(device_kind, device_index)`; index -1 means the
/// default device of that kind. The caller frees `*out` with `spk_tensor_free`.
#[no_mangle]
pub unsafe extern "C" fn spk_tensor_create_on(
    device_kind: i32,
    device_index: i64,
    dtype: i32,
    shape: *const usize,
    rank: usize,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let shape = shape_arg(shape, rank)?;
        let device = device_arg(device_kind, device_index)?;
        put_tensor(
            out,
            "out",
            Tensor::zeros_on(device, dtype_arg(dtype)?, &shape)?,
        )
    })
}

/// Creates a CPU tensor holding a copy of `bytes` bytes at `data` (row-major elements of `dtype`;
/// `bytes` must equal the tensor's size). `data` is only read during the call. The caller frees
/// `*out` with `spk_tensor_free`.
#[no_mangle]
pub unsafe extern "C" fn spk_tensor_from_data(
    dtype: i32,
    shape: *const usize,
    rank: usize,
    data: *const c_void,
    bytes: usize,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let shape = shape_arg(shape, rank)?;
        let t = Tensor::zeros(dtype_arg(dtype)?, &shape)?;
        expect_bytes(&t, bytes, "data")?;
        let src = slice(data as *const u8, bytes, "data")?;
        t.host_bytes_mut(|dst| dst.copy_from_slice(src))?;
        put_tensor(out, "out", t)
    })
}

/// A tensor over `bytes` bytes of caller memory at `data` (non-NULL), checked against the shape
/// (shared with the C++ bridge).
///
/// # Safety
/// `data` is valid for reads and writes of `bytes` bytes until the last view is dropped.
pub(crate) unsafe fn wrap_memory(
    data: *mut u8,
    bytes: usize,
    dtype: crate::DType,
    shape: &[usize],
    release: Option<crate::Release>,
) -> crate::Result<Tensor> {
    let n = crate::tensor::check_shape(shape)?;
    let need = n.saturating_mul(dtype.size());
    if bytes < need {
        return Err(Error::Shape(format!(
            "expected at least {need} bytes of memory for shape {shape:?} of {dtype}, got {bytes}"
        )));
    }
    // SAFETY: forwarded contract; the size was checked above.
    unsafe { Tensor::from_raw(data, dtype, shape, release) }
}

struct UserData(*mut c_void);
// SAFETY: the pointer is only handed back to the caller's release function; the caller's
// documented contract is that the function may run on any thread.
unsafe impl Send for UserData {}
unsafe impl Sync for UserData {}
impl UserData {
    fn get(&self) -> *mut c_void {
        self.0
    }
}

/// Wraps caller memory as a CPU tensor without copying: `data` must hold at least
/// `product(shape) * sizeof(dtype)` bytes (`bytes` says how many it holds), aligned to the element
/// size. Zero-copy: writes through the tensor are seen in `data` and the other way round.
///
/// Ownership stays with the caller: the memory must stay valid, and must not be accessed while a
/// library call uses the tensor, until the library releases it. When the last handle or view
/// using it is freed, the library calls `release(user)` once (if `release` is not NULL); without
/// `release`, the memory must outlive every handle and view made from it. On error `release` is
/// not called. The caller frees `*out` with `spk_tensor_free`.
#[no_mangle]
pub unsafe extern "C" fn spk_tensor_wrap(
    data: *mut c_void,
    bytes: usize,
    dtype: i32,
    shape: *const usize,
    rank: usize,
    release: spk_release_fn,
    user: *mut c_void,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        if data.is_null() {
            return Err(FfiError::Null("data"));
        }
        let shape = shape_arg(shape, rank)?;
        let dtype = dtype_arg(dtype)?;
        let release = release.map(|f| {
            let user = UserData(user);
            Box::new(move || f(user.get())) as crate::Release
        });
        let t = wrap_memory(data as *mut u8, bytes, dtype, &shape, release)?;
        put_tensor(out, "out", t)
    })
}

/// Frees a tensor handle (the memory itself is freed or released when no other handle or view
/// uses it). NULL is a no-op; freeing a handle twice is undefined behaviour.
#[no_mangle]
pub unsafe extern "C" fn spk_tensor_free(tensor: *mut spk_tensor) {
    let _ = guard(|| {
        // SAFETY: a live handle or NULL (caller contract).
        unsafe { free_handle(tensor) };
        Ok(())
    });
}

/// Copies the tensor's elements (row-major, native endianness) to `dst`, which holds `bytes`
/// bytes; `bytes` must equal the tensor's size (`spk_tensor_bytes`).
#[no_mangle]
pub unsafe extern "C" fn spk_tensor_read(
    tensor: *const spk_tensor,
    dst: *mut c_void,
    bytes: usize,
) -> spk_status {
    guard(|| unsafe {
        let t = super::tensor(tensor, "tensor")?;
        expect_bytes(t, bytes, "dst")?;
        let dst = slice_mut(dst as *mut u8, bytes, "dst")?;
        t.host_bytes(|src| dst.copy_from_slice(src))?;
        Ok(())
    })
}

/// Copies `bytes` bytes from `src` into the tensor's elements; `bytes` must equal the tensor's
/// size. Every view of the same memory sees the new values.
#[no_mangle]
pub unsafe extern "C" fn spk_tensor_write(
    tensor: *mut spk_tensor,
    src: *const c_void,
    bytes: usize,
) -> spk_status {
    guard(|| unsafe {
        let t = super::tensor(tensor, "tensor")?;
        expect_bytes(t, bytes, "src")?;
        let src = slice(src as *const u8, bytes, "src")?;
        t.host_bytes_mut(|dst| dst.copy_from_slice(src))?;
        Ok(())
    })
}

/// Writes the rank (number of dimensions, >= 1) to `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_tensor_rank(tensor: *const spk_tensor, out: *mut usize) -> spk_status {
    guard(|| unsafe { put(out, "out", super::tensor(tensor, "tensor")?.dims()) })
}

/// Writes the extents, outermost first, to `shape[0..rank]`; `capacity` (the length of `shape`)
/// must be at least the rank.
#[no_mangle]
pub unsafe extern "C" fn spk_tensor_shape(
    tensor: *const spk_tensor,
    shape: *mut usize,
    capacity: usize,
) -> spk_status {
    guard(|| unsafe {
        let t = super::tensor(tensor, "tensor")?;
        if capacity < t.dims() {
            return Err(Error::Shape(format!(
                "expected a shape buffer of capacity >= {} (the rank), got {capacity}",
                t.dims()
            ))
            .into());
        }
        slice_mut(shape, t.dims(), "shape")?.copy_from_slice(t.shape());
        Ok(())
    })
}

/// Writes the number of elements to `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_tensor_numel(
    tensor: *const spk_tensor,
    out: *mut usize,
) -> spk_status {
    guard(|| unsafe { put(out, "out", super::tensor(tensor, "tensor")?.numel()) })
}

/// Writes the size of the elements in bytes to `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_tensor_bytes(
    tensor: *const spk_tensor,
    out: *mut usize,
) -> spk_status {
    guard(|| unsafe { put(out, "out", super::tensor(tensor, "tensor")?.bytes()) })
}

/// Writes the element type (an `spk_dtype`) to `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_tensor_dtype(tensor: *const spk_tensor, out: *mut i32) -> spk_status {
    guard(|| unsafe { put(out, "out", super::tensor(tensor, "tensor")?.dtype() as i32) })
}

/// Writes the device kind (an `spk_device_kind`) to `*kind` and its index to `*index`.
#[no_mangle]
pub unsafe extern "C" fn spk_tensor_device(
    tensor: *const spk_tensor,
    kind: *mut i32,
    index: *mut i64,
) -> spk_status {
    guard(|| unsafe {
        let d = super::tensor(tensor, "tensor")?.device();
        check_out(index, "index")?;
        put(kind, "kind", d.kind() as i32)?;
        put(index, "index", d.index() as i64)
    })
}

/// A view with `rank` new extents from `shape` (at most one may be -1 and is then inferred); the
/// element count must not change. The view shares memory with `tensor`. The caller frees `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_tensor_reshape(
    tensor: *const spk_tensor,
    shape: *const i64,
    rank: usize,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let t = super::tensor(tensor, "tensor")?;
        if rank == 0 {
            return Err(Error::Shape("expected a rank >= 1, got 0".into()).into());
        }
        let shape = slice(shape, rank, "shape")?;
        put_tensor(out, "out", t.reshape(shape)?)
    })
}

/// The view of slice `index` along dimension 0 (`0 <= index < extent`). The view shares memory
/// with `tensor`. The caller frees `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_tensor_index(
    tensor: *const spk_tensor,
    index: i64,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        put_tensor(out, "out", super::tensor(tensor, "tensor")?.index(index)?)
    })
}

/// The view of slices `start..end` (end exclusive, non-empty) along dimension 0. The view shares
/// memory with `tensor`. The caller frees `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_tensor_slice(
    tensor: *const spk_tensor,
    start: usize,
    end: usize,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        put_tensor(
            out,
            "out",
            super::tensor(tensor, "tensor")?.slice(start, end)?,
        )
    })
}

/// Sets every element to `value` converted to the tensor's dtype (floats truncate toward zero
/// for integer tensors; out-of-range values wrap as in the original library).
#[no_mangle]
pub unsafe extern "C" fn spk_tensor_fill(tensor: *mut spk_tensor, value: f64) -> spk_status {
    guard(|| unsafe {
        super::tensor(tensor, "tensor")?.fill(value)?;
        Ok(())
    })
}

/// Like `spk_tensor_fill` with an integer value (exact for 64-bit integer tensors).
#[no_mangle]
pub unsafe extern "C" fn spk_tensor_fill_int(tensor: *mut spk_tensor, value: i64) -> spk_status {
    guard(|| unsafe {
        super::tensor(tensor, "tensor")?.fill(Scalar::I64(value))?;
        Ok(())
    })
}

/// The tensor converted to `dtype` (an `spk_dtype`): a new handle sharing the memory when the
/// dtype already matches, otherwise a converted copy. The caller frees `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_tensor_to_dtype(
    tensor: *const spk_tensor,
    dtype: i32,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let t = super::tensor(tensor, "tensor")?;
        put_tensor(out, "out", t.to_dtype(dtype_arg(dtype)?)?)
    })
}

/// The tensor on device `(device_kind, device_index)`: a new handle sharing the memory when it
/// is already there, otherwise a copy. The caller frees `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_tensor_to_device(
    tensor: *const spk_tensor,
    device_kind: i32,
    device_index: i64,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let t = super::tensor(tensor, "tensor")?;
        put_tensor(
            out,
            "out",
            t.to_device(device_arg(device_kind, device_index)?)?,
        )
    })
}

/// A deep copy (same dtype, device and shape; independent memory). The caller frees `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_tensor_copy(
    tensor: *const spk_tensor,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        put_tensor(out, "out", super::tensor(tensor, "tensor")?.copy()?)
    })
}

/// Copies the elements of `src` into `dst`, converting the dtype; only the element counts must
/// match (a flat copy).
#[no_mangle]
pub unsafe extern "C" fn spk_tensor_assign(
    dst: *mut spk_tensor,
    src: *const spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        let d = super::tensor(dst, "dst")?;
        d.copy_from(super::tensor(src, "src")?)?;
        Ok(())
    })
}

/// Writes whether `a` and `b` view the same allocation to `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_tensor_same_storage(
    a: *const spk_tensor,
    b: *const spk_tensor,
    out: *mut bool,
) -> spk_status {
    guard(|| unsafe {
        let same = super::tensor(a, "a")?.same_storage(super::tensor(b, "b")?);
        put(out, "out", same)
    })
}
