//! Tensors (the bridge side of `src/ffi/tensor.rs`).

use super::bridge::DeviceSpec;
use super::runtime::{device_of, device_spec};
use super::{call, BridgeResult};
use crate::ffi::{check_rank, dtype_arg, expect_bytes, wrap_memory};
use crate::Error;

/// A tensor handle owned by C++ (`rust::Box<spyker::bridge::Tensor>`): one reference to shared
/// storage, like `spk_tensor`.
pub struct Tensor(pub(crate) crate::Tensor);

/// Boxes a result tensor for C++.
pub(crate) fn boxed(t: crate::Tensor) -> Box<Tensor> {
    Box::new(Tensor(t))
}

pub fn tensor_zeros(device: DeviceSpec, dtype: i32, shape: &[usize]) -> BridgeResult<Box<Tensor>> {
    call(|| {
        check_rank(shape.len())?;
        let t = crate::Tensor::zeros_on(device_of(device)?, dtype_arg(dtype)?, shape)?;
        Ok(boxed(t))
    })
}

pub fn tensor_from_bytes(dtype: i32, shape: &[usize], data: &[u8]) -> BridgeResult<Box<Tensor>> {
    call(|| {
        check_rank(shape.len())?;
        let t = crate::Tensor::zeros(dtype_arg(dtype)?, shape)?;
        expect_bytes(&t, data.len(), "data")?;
        t.host_bytes_mut(|dst| dst.copy_from_slice(data))?;
        Ok(boxed(t))
    })
}

/// # Safety
/// `data` is valid for `bytes` bytes until the last view of the tensor is dropped.
pub unsafe fn tensor_wrap(
    data: *mut u8,
    bytes: usize,
    dtype: i32,
    shape: &[usize],
) -> BridgeResult<Box<Tensor>> {
    call(|| {
        if data.is_null() {
            return Err(Error::Argument(
                "expected non-null memory to wrap, got a null pointer".into(),
            ));
        }
        check_rank(shape.len())?;
        // SAFETY: forwarded contract.
        let t = unsafe { wrap_memory(data, bytes, dtype_arg(dtype)?, shape, None) }?;
        Ok(boxed(t))
    })
}

pub fn tensor_share(t: &Tensor) -> BridgeResult<Box<Tensor>> {
    call(|| Ok(boxed(t.0.clone())))
}

pub fn tensor_shape(t: &Tensor) -> BridgeResult<Vec<usize>> {
    call(|| Ok(t.0.shape().to_vec()))
}

pub fn tensor_rank(t: &Tensor) -> BridgeResult<usize> {
    call(|| Ok(t.0.dims()))
}

pub fn tensor_numel(t: &Tensor) -> BridgeResult<usize> {
    call(|| Ok(t.0.numel()))
}

pub fn tensor_bytes(t: &Tensor) -> BridgeResult<usize> {
    call(|| Ok(t.0.bytes()))
}

pub fn tensor_dtype(t: &Tensor) -> BridgeResult<i32> {
    call(|| Ok(t.0.dtype() as i32))
}

pub fn tensor_device(t: &Tensor) -> BridgeResult<DeviceSpec> {
    call(|| Ok(device_spec(t.0.device())))
}

pub fn tensor_reshape(t: &Tensor, shape: &[i64]) -> BridgeResult<Box<Tensor>> {
    call(|| {
        check_rank(shape.len())?;
        Ok(boxed(t.0.reshape(shape)?))
    })
}

pub fn tensor_index(t: &Tensor, index: i64) -> BridgeResult<Box<Tensor>> {
    call(|| Ok(boxed(t.0.index(index)?)))
}

pub fn tensor_slice(t: &Tensor, start: usize, end: usize) -> BridgeResult<Box<Tensor>> {
    call(|| Ok(boxed(t.0.slice(start, end)?)))
}

pub fn tensor_fill(t: &Tensor, value: f64) -> BridgeResult<()> {
    call(|| {
        t.0.fill(value)?;
        Ok(())
    })
}

/// `spk_tensor_fill_int`: exact for 64-bit integer tensors (no trip through f64).
pub fn tensor_fill_int(t: &Tensor, value: i64) -> BridgeResult<()> {
    call(|| {
        t.0.fill(crate::Scalar::I64(value))?;
        Ok(())
    })
}

pub fn tensor_to_dtype(t: &Tensor, dtype: i32) -> BridgeResult<Box<Tensor>> {
    call(|| Ok(boxed(t.0.to_dtype(dtype_arg(dtype)?)?)))
}

pub fn tensor_to_device(t: &Tensor, device: DeviceSpec) -> BridgeResult<Box<Tensor>> {
    call(|| Ok(boxed(t.0.to_device(device_of(device)?)?)))
}

pub fn tensor_copy(t: &Tensor) -> BridgeResult<Box<Tensor>> {
    call(|| Ok(boxed(t.0.copy()?)))
}

pub fn tensor_assign(dst: &Tensor, src: &Tensor) -> BridgeResult<()> {
    call(|| dst.0.copy_from(&src.0))
}

/// The C++ element type of a typed read or write must be the tensor's (the C ABI only sees
/// bytes; here the type is known, so a mismatch is a dtype error rather than garbage).
fn same_dtype(t: &crate::Tensor, dtype: i32, what: &str) -> crate::Result<()> {
    let d = dtype_arg(dtype)?;
    if d != t.dtype() {
        return Err(Error::DType(format!(
            "expected {what} elements of the tensor's dtype {}, got {d}",
            t.dtype()
        )));
    }
    Ok(())
}

pub fn tensor_read(t: &Tensor, dtype: i32, dst: &mut [u8]) -> BridgeResult<()> {
    call(|| {
        same_dtype(&t.0, dtype, "destination")?;
        expect_bytes(&t.0, dst.len(), "dst")?;
        t.0.host_bytes(|src| dst.copy_from_slice(src))
    })
}

pub fn tensor_write(t: &Tensor, dtype: i32, src: &[u8]) -> BridgeResult<()> {
    call(|| {
        same_dtype(&t.0, dtype, "source")?;
        expect_bytes(&t.0, src.len(), "src")?;
        t.0.host_bytes_mut(|dst| dst.copy_from_slice(src))
    })
}

pub fn tensor_same_storage(a: &Tensor, b: &Tensor) -> BridgeResult<bool> {
    call(|| Ok(a.0.same_storage(&b.0)))
}
