//! The dense tensor: shared, typed, row-major, with views.

mod convert;
mod device;
mod storage;

pub use storage::{mapped_host_bytes, Release};
pub(crate) use storage::{Buffer, HostBuffer, Mapping, Storage};

use crate::{DType, Device, Element, Error, Result, Scalar};
use parking_lot::{RwLockReadGuard, RwLockWriteGuard};
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

/// A dense, row-major, n-dimensional array of one [`DType`] on one [`Device`].
///
/// Cloning a `Tensor` is cheap and shares the memory (reference semantics, like the original):
/// `reshape`, `index` and `slice` return views of the same memory, and in-place operations on one
/// view are seen through every other. Use [`Tensor::copy`] for an independent copy.
///
/// Access to the elements goes through [`Tensor::read`] / [`Tensor::write`], which lock the shared
/// memory (many readers or one writer), so sharing tensors across threads is safe.
#[derive(Clone)]
pub struct Tensor {
    storage: Arc<Storage>,
    /// Offset of the first element, in elements of `dtype`.
    offset: usize,
    shape: Vec<usize>,
    dtype: DType,
}

/// Checks the original's rule for shapes: at least one dimension, every extent >= 1.
pub(crate) fn check_shape(shape: &[usize]) -> Result<usize> {
    if shape.is_empty() {
        return Err(Error::Shape(
            "expected at least one dimension, got an empty shape".into(),
        ));
    }
    let mut n: usize = 1;
    for &d in shape {
        if d == 0 {
            return Err(Error::Shape(format!(
                "expected every extent >= 1, got {shape:?}"
            )));
        }
        n = n
            .checked_mul(d)
            .ok_or_else(|| Error::Shape(format!("shape {shape:?} has too many elements")))?;
    }
    Ok(n)
}

impl Tensor {
    // ----------------------------------------------------------------------------- creation

    /// A zero-filled tensor on the CPU.
    pub fn zeros(dtype: DType, shape: &[usize]) -> Result<Tensor> {
        Tensor::zeros_on(Device::Cpu, dtype, shape)
    }

    /// A zero-filled tensor on `device`.
    pub fn zeros_on(device: Device, dtype: DType, shape: &[usize]) -> Result<Tensor> {
        Tensor::alloc_on(device, dtype, shape, true)
    }

    /// A tensor on `device`; device memory is zeroed only when `zero` (host memory always is).
    pub(crate) fn alloc_on(
        device: Device,
        dtype: DType,
        shape: &[usize],
        zero: bool,
    ) -> Result<Tensor> {
        let n = check_shape(shape)?;
        let bytes = n
            .checked_mul(dtype.size())
            .ok_or_else(|| Error::Shape(format!("shape {shape:?} is too large")))?;
        let storage = match device {
            Device::Cpu => Storage::host(HostBuffer::zeroed(bytes)),
            Device::Cuda(i) => {
                let buf = if zero {
                    crate::cuda::CudaBuffer::zeroed(i, bytes)?
                } else {
                    crate::cuda::CudaBuffer::uninit(i, bytes)?
                };
                Storage::cuda(i, buf)
            }
        };
        Ok(Tensor {
            storage: Arc::new(storage),
            offset: 0,
            shape: shape.to_vec(),
            dtype,
        })
    }

    /// A tensor with every element set to `value` converted to `dtype` (spec §1.4).
    pub fn full(dtype: DType, shape: &[usize], value: impl Into<Scalar>) -> Result<Tensor> {
        let t = Tensor::zeros(dtype, shape)?;
        t.fill(value)?;
        Ok(t)
    }

    /// A CPU tensor taking the elements of `data` (row-major) with the given shape.
    pub fn from_vec<T: Element>(data: Vec<T>, shape: &[usize]) -> Result<Tensor> {
        Tensor::from_slice(&data, shape)
    }

    /// A CPU tensor copying the elements of `data` (row-major) with the given shape.
    pub fn from_slice<T: Element>(data: &[T], shape: &[usize]) -> Result<Tensor> {
        let n = check_shape(shape)?;
        if n != data.len() {
            return Err(Error::Shape(format!(
                "shape {shape:?} holds {n} elements, but {} were given",
                data.len()
            )));
        }
        let t = Tensor::zeros(T::DTYPE, shape)?;
        t.write::<T>()?.copy_from_slice(data);
        Ok(t)
    }

    /// Wraps memory owned by the caller without copying it.
    ///
    /// `release` (if any) is called exactly once, when the last tensor or view using the memory
    /// is dropped; the caller may free the memory then and not before.
    ///
    /// # Safety
    /// `ptr` must be valid for reads and writes of `product(shape) * dtype.size()` bytes, aligned
    /// to `dtype.size()`, and must not be accessed by anything other than this library until
    /// `release` is called (or, without `release`, for as long as any tensor using it lives).
    pub unsafe fn from_raw(
        ptr: *mut u8,
        dtype: DType,
        shape: &[usize],
        release: Option<Release>,
    ) -> Result<Tensor> {
        let n = check_shape(shape)?;
        let ptr = std::ptr::NonNull::new(ptr)
            .ok_or_else(|| Error::Argument("expected a non-null data pointer".into()))?;
        if !(ptr.as_ptr() as usize).is_multiple_of(dtype.size()) {
            return Err(Error::Argument(format!(
                "expected a data pointer aligned to {} bytes for {dtype}",
                dtype.size()
            )));
        }
        let bytes = n
            .checked_mul(dtype.size())
            .ok_or_else(|| Error::Shape(format!("shape {shape:?} is too large")))?;
        let buf = HostBuffer::External {
            ptr,
            bytes,
            release,
        };
        Ok(Tensor {
            storage: Arc::new(Storage::host(buf)),
            offset: 0,
            shape: shape.to_vec(),
            dtype,
        })
    }

    // ----------------------------------------------------------------------------- accessors

    /// The extents, outermost first.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// The extent of dimension `i`.
    pub fn dim(&self, i: usize) -> Result<usize> {
        self.shape.get(i).copied().ok_or_else(|| {
            Error::Shape(format!(
                "dimension {i} requested from a tensor of rank {}",
                self.shape.len()
            ))
        })
    }

    /// The rank.
    pub fn dims(&self) -> usize {
        self.shape.len()
    }

    /// The number of elements.
    pub fn numel(&self) -> usize {
        self.shape.iter().product()
    }

    /// The size of the elements in bytes.
    pub fn bytes(&self) -> usize {
        self.numel() * self.dtype.size()
    }

    /// The element type.
    pub fn dtype(&self) -> DType {
        self.dtype
    }

    /// The device holding the memory.
    pub fn device(&self) -> Device {
        self.storage.device
    }

    /// True when both tensors view the same allocation (they may still not overlap).
    pub fn same_storage(&self, other: &Tensor) -> bool {
        Arc::ptr_eq(&self.storage, &other.storage)
    }

    /// Errors unless the tensor has the given dtype.
    pub fn expect_dtype(&self, dtype: DType, what: &str) -> Result<()> {
        if self.dtype != dtype {
            return Err(Error::DType(format!(
                "expected {what} of dtype {dtype}, got {}",
                self.dtype
            )));
        }
        Ok(())
    }

    fn byte_range(&self) -> std::ops::Range<usize> {
        let s = self.offset * self.dtype.size();
        s..s + self.bytes()
    }

    // ----------------------------------------------------------------------------- element access

    fn check_host<T: Element>(&self) -> Result<()> {
        if T::DTYPE != self.dtype {
            return Err(Error::DType(format!(
                "tensor of dtype {} accessed as {}",
                self.dtype,
                T::DTYPE
            )));
        }
        if self.device() != Device::Cpu {
            return Err(Error::Device(format!(
                "expected a CPU tensor for host access, got one on {}",
                self.device()
            )));
        }
        Ok(())
    }

    /// Locks the memory for reading and returns the elements as a slice. Fails for a dtype other
    /// than `T` or a tensor that is not on the CPU.
    pub fn read<T: Element>(&self) -> Result<ReadGuard<'_, T>> {
        self.check_host::<T>()?;
        let guard = self.storage.data.read_recursive();
        let ptr = match &*guard {
            Buffer::Host(h) => h.as_ptr(),
            Buffer::Cuda(_) => unreachable!("checked to be on the CPU"),
        };
        // SAFETY: the range lies inside the allocation (checked at view creation) and the pointer is
        // aligned for T (allocation 8-aligned or checked in from_raw; offsets are whole elements).
        let ptr = unsafe { ptr.add(self.offset * self.dtype.size()) } as *const T;
        Ok(ReadGuard {
            _guard: guard,
            ptr,
            len: self.numel(),
        })
    }

    /// Locks the memory for writing and returns the elements as a mutable slice.
    ///
    /// The lock is exclusive for the whole allocation: do not hold a read guard of another view
    /// of the same memory on this thread at the same time (it would deadlock).
    pub fn write<T: Element>(&self) -> Result<WriteGuard<'_, T>> {
        self.check_host::<T>()?;
        let mut guard = self.storage.data.write();
        let ptr = match &mut *guard {
            Buffer::Host(h) => h.as_mut_ptr(),
            Buffer::Cuda(_) => unreachable!("checked to be on the CPU"),
        };
        // SAFETY: as in `read`; the write lock gives exclusive access.
        let ptr = unsafe { ptr.add(self.offset * self.dtype.size()) } as *mut T;
        Ok(WriteGuard {
            _guard: guard,
            ptr,
            len: self.numel(),
        })
    }

    /// The elements as a new vector (the dtype must be `T`).
    pub fn to_vec<T: Element>(&self) -> Result<Vec<T>> {
        Ok(self.read::<T>()?.to_vec())
    }

    /// The elements converted to `T` (spec §1.5) as a new vector.
    pub fn to_vec_as<T: Element>(&self) -> Result<Vec<T>> {
        self.to_dtype(T::DTYPE)?.to_vec::<T>()
    }

    /// The raw bytes of the elements (native endianness) as a new vector.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        self.host_bytes(|b| b.to_vec())
    }

    pub(crate) fn host_bytes<R>(&self, f: impl FnOnce(&[u8]) -> R) -> Result<R> {
        let guard = self.storage.data.read_recursive();
        match &*guard {
            Buffer::Host(h) => Ok(f(&h.as_bytes()[self.byte_range()])),
            Buffer::Cuda(_) => Err(Error::Device(format!(
                "expected a CPU tensor for host access, got one on {}",
                self.device()
            ))),
        }
    }

    pub(crate) fn host_bytes_mut<R>(&self, f: impl FnOnce(&mut [u8]) -> R) -> Result<R> {
        let range = self.byte_range();
        let mut guard = self.storage.data.write();
        match &mut *guard {
            Buffer::Host(h) => Ok(f(&mut h.as_bytes_mut()[range])),
            Buffer::Cuda(_) => Err(Error::Device(format!(
                "expected a CPU tensor for host access, got one on {}",
                self.device()
            ))),
        }
    }

    // ----------------------------------------------------------------------------- views

    /// A view with a new shape; at most one extent may be `-1` and is then inferred
    /// (`numel / product(others)`). The element count must not change.
    pub fn reshape(&self, shape: &[i64]) -> Result<Tensor> {
        let numel = self.numel();
        let mut placeholder = None;
        let mut known: usize = 1;
        let mut out = Vec::with_capacity(shape.len());
        for (i, &d) in shape.iter().enumerate() {
            if d == -1 {
                if placeholder.replace(i).is_some() {
                    return Err(Error::Shape(format!(
                        "expected at most one -1 in a reshape, got {shape:?}"
                    )));
                }
                out.push(0);
            } else if d >= 1 {
                known = known.saturating_mul(d as usize);
                out.push(d as usize);
            } else {
                return Err(Error::Shape(format!(
                    "expected reshape extents >= 1 or one -1, got {shape:?}"
                )));
            }
        }
        if let Some(i) = placeholder {
            out[i] = numel / known.max(1);
        }
        let n = check_shape(&out)?;
        if n != numel {
            return Err(Error::Shape(format!(
                "cannot reshape {:?} ({numel} elements) to {shape:?} ({n} elements)",
                self.shape
            )));
        }
        Ok(Tensor {
            shape: out,
            ..self.clone()
        })
    }

    /// [`Tensor::reshape`] with a shape of known extents.
    pub fn reshape_to(&self, shape: &[usize]) -> Result<Tensor> {
        let n = check_shape(shape)?;
        if n != self.numel() {
            return Err(Error::Shape(format!(
                "cannot reshape {:?} ({} elements) to {shape:?} ({n} elements)",
                self.shape,
                self.numel()
            )));
        }
        Ok(Tensor {
            shape: shape.to_vec(),
            ..self.clone()
        })
    }

    /// The view of slice `i` along dimension 0 (the shape without its first extent; a 1-D tensor
    /// gives a one-element tensor of shape `[1]`). Negative indices are an error (the original
    /// silently reads before the buffer, spec §14.19).
    pub fn index(&self, i: i64) -> Result<Tensor> {
        let n = self.shape[0];
        if i < 0 || i as u64 >= n as u64 {
            return Err(Error::Argument(format!(
                "expected an index in 0..{n} along dimension 0, got {i}"
            )));
        }
        let inner: usize = self.shape[1..].iter().product();
        let shape = if self.shape.len() > 1 {
            self.shape[1..].to_vec()
        } else {
            vec![1]
        };
        Ok(Tensor {
            storage: self.storage.clone(),
            offset: self.offset + i as usize * inner,
            shape,
            dtype: self.dtype,
        })
    }

    /// The view of slices `start..end` along dimension 0.
    pub fn slice(&self, start: usize, end: usize) -> Result<Tensor> {
        let n = self.shape[0];
        if start >= end || end > n {
            return Err(Error::Argument(format!(
                "expected a non-empty range within 0..{n} along dimension 0, got {start}..{end}"
            )));
        }
        let inner: usize = self.shape[1..].iter().product();
        let mut shape = self.shape.clone();
        shape[0] = end - start;
        Ok(Tensor {
            storage: self.storage.clone(),
            offset: self.offset + start * inner,
            shape,
            dtype: self.dtype,
        })
    }

    // ----------------------------------------------------------------------------- copies

    /// A deep copy: same dtype, device and shape, independent memory.
    pub fn copy(&self) -> Result<Tensor> {
        let out = Tensor::alloc_on(self.device(), self.dtype, &self.shape, false)?;
        out.copy_from(self)?;
        Ok(out)
    }

    /// Sets every element to `value` converted to this dtype (spec §1.4). Returns `self`.
    pub fn fill(&self, value: impl Into<Scalar>) -> Result<&Tensor> {
        let value = value.into();
        if let Device::Cuda(_) = self.device() {
            self.fill_device(value)?;
            return Ok(self);
        }
        crate::with_dtype!(self.dtype, T => {
            let v: T = value.to::<T>();
            self.write::<T>()?.fill(v);
        });
        Ok(self)
    }

    /// This tensor converted to `dtype`: the same tensor (shared) when the dtype already matches,
    /// otherwise a new one with every element converted (spec §1.5).
    pub fn to_dtype(&self, dtype: DType) -> Result<Tensor> {
        if dtype == self.dtype {
            return Ok(self.clone());
        }
        let out = Tensor::alloc_on(self.device(), dtype, &self.shape, false)?;
        out.copy_from(self)?;
        Ok(out)
    }

    /// This tensor on `device`: the same tensor when it is already there, otherwise a copy.
    /// This is the one way to read a CUDA tensor's elements from the host:
    /// `t.to_device(Device::Cpu)?.to_vec::<f32>()`.
    pub fn to_device(&self, device: Device) -> Result<Tensor> {
        if device == self.device() {
            return Ok(self.clone());
        }
        let out = Tensor::alloc_on(device, self.dtype, &self.shape, false)?;
        out.copy_from(self)?;
        Ok(out)
    }

    /// Copies the elements of `src` into `self`, converting the dtype (spec §1.5). Only the
    /// element counts must match (a flat copy, like the original's `to(Tensor)`).
    pub fn copy_from(&self, src: &Tensor) -> Result<()> {
        if src.numel() != self.numel() {
            return Err(Error::Shape(format!(
                "expected the same number of elements to copy, got {} into {}",
                src.numel(),
                self.numel()
            )));
        }
        if self.device() != Device::Cpu || src.device() != Device::Cpu {
            return self.copy_from_device(src);
        }
        if self.same_storage(src) {
            // Source and destination share a lock: stage through a temporary.
            let tmp = src.copy_detached()?;
            return self.copy_from(&tmp);
        }
        convert::convert(src, self)
    }

    fn copy_detached(&self) -> Result<Tensor> {
        let bytes = self.to_bytes()?;
        let out = Tensor::zeros(self.dtype, &self.shape)?;
        out.host_bytes_mut(|b| b.copy_from_slice(&bytes))?;
        Ok(out)
    }
}

/// Read access to a tensor's elements; derefs to `[T]`. Holds a shared lock on the memory.
pub struct ReadGuard<'a, T> {
    _guard: RwLockReadGuard<'a, Buffer>,
    ptr: *const T,
    len: usize,
}

impl<T> Deref for ReadGuard<'_, T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        // SAFETY: valid for `len` elements while the lock is held.
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }
}

/// Write access to a tensor's elements; derefs to `[T]`. Holds an exclusive lock on the memory.
pub struct WriteGuard<'a, T> {
    _guard: RwLockWriteGuard<'a, Buffer>,
    ptr: *mut T,
    len: usize,
}

impl<T> Deref for WriteGuard<'_, T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        // SAFETY: valid for `len` elements while the lock is held.
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }
}

impl<T> DerefMut for WriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut [T] {
        // SAFETY: valid and exclusive for `len` elements while the write lock is held.
        unsafe { std::slice::from_raw_parts_mut(self.ptr, self.len) }
    }
}

impl<T: fmt::Debug> fmt::Debug for ReadGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<T: fmt::Debug> fmt::Debug for WriteGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl fmt::Debug for Tensor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dims: Vec<String> = self.shape.iter().map(|d| d.to_string()).collect();
        write!(
            f,
            "Tensor<{}, {}, {}>",
            dims.join("x"),
            self.dtype,
            self.device()
        )
    }
}

impl fmt::Display for Tensor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}
