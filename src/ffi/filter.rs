//! Image filters (DoG, Gabor, LoG) and ZCA whitening handles.

use super::*;
use crate::{DoG, DoGFilter, Gabor, GaborFilter, LoG, ZCA};
use std::ffi::c_char;

/// One difference-of-Gaussians filter: centre `std1`, surround `std2` (`{1, 2}` is on-centre,
/// `{2, 1}` off-centre). A frozen record (it mirrors the original's `DoGFilter`): it has no size
/// field, a new field would come as a new struct.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct spk_dog_filter {
    pub std1: f64,
    pub std2: f64,
}

/// One Gabor filter; `theta` is in degrees and `psi` in radians (the original's constructor
/// arguments). A frozen record, like `spk_dog_filter`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct spk_gabor_filter {
    pub sigma: f64,
    pub theta: f64,
    pub gamma: f64,
    pub lambda: f64,
    pub psi: f64,
}

/// A difference-of-Gaussians filter bank (opaque). Free with `spk_dog_free`.
pub struct spk_dog {
    pub(crate) inner: DoG,
}

/// A Gabor filter bank (opaque). Free with `spk_gabor_free`.
pub struct spk_gabor {
    pub(crate) inner: Gabor,
}

/// A Laplacian-of-Gaussian filter bank (opaque; on/off pair per std). Free with `spk_log_free`.
pub struct spk_log {
    pub(crate) inner: LoG,
}

/// A ZCA whitening module (opaque). Free with `spk_zca_free`. Not thread-safe.
pub struct spk_zca {
    pub(crate) inner: ZCA,
}

/// Creates a DoG bank of `count` (>= 1) filters with window `2 * size + 1` (size >= 1), zero
/// padding `pad[0..4]` (top, left, bottom, right; NULL = none), on the device `(device_kind,
/// device_index)` with element type `dtype` (f16, f32 or f64). The caller frees `*out` with
/// `spk_dog_free`.
#[no_mangle]
pub unsafe extern "C" fn spk_dog_create(
    size: usize,
    filters: *const spk_dog_filter,
    count: usize,
    pad: *const usize,
    device_kind: i32,
    device_index: i64,
    dtype: i32,
    out: *mut *mut spk_dog,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        if filters.is_null() {
            return Err(FfiError::Null("filters"));
        }
        let f: Vec<DoGFilter> = slice(filters, count, "filters")?
            .iter()
            .map(|f| DoGFilter::new(f.std1, f.std2))
            .collect();
        let p = expand4_arg(pad, "pad")?;
        let dev = device_arg(device_kind, device_index)?;
        let inner = DoG::new(size, &f, p, dev, dtype_arg(dtype)?)?;
        put_handle(out, "out", spk_dog { inner })
    })
}

/// Creates a Gabor bank; arguments as `spk_dog_create`. The caller frees `*out` with
/// `spk_gabor_free`.
#[no_mangle]
pub unsafe extern "C" fn spk_gabor_create(
    size: usize,
    filters: *const spk_gabor_filter,
    count: usize,
    pad: *const usize,
    device_kind: i32,
    device_index: i64,
    dtype: i32,
    out: *mut *mut spk_gabor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        if filters.is_null() {
            return Err(FfiError::Null("filters"));
        }
        let f: Vec<GaborFilter> = slice(filters, count, "filters")?
            .iter()
            .map(|f| GaborFilter::new(f.sigma, f.theta, f.gamma, f.lambda, f.psi))
            .collect();
        let p = expand4_arg(pad, "pad")?;
        let dev = device_arg(device_kind, device_index)?;
        let inner = Gabor::new(size, &f, p, dev, dtype_arg(dtype)?)?;
        put_handle(out, "out", spk_gabor { inner })
    })
}

/// Creates a LoG bank from `count` (>= 1) standard deviations `stds` (two output channels per
/// std: on and off); other arguments as `spk_dog_create`. The caller frees `*out` with
/// `spk_log_free`.
#[no_mangle]
pub unsafe extern "C" fn spk_log_create(
    size: usize,
    stds: *const f64,
    count: usize,
    pad: *const usize,
    device_kind: i32,
    device_index: i64,
    dtype: i32,
    out: *mut *mut spk_log,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        if stds.is_null() {
            return Err(FfiError::Null("stds"));
        }
        let s = slice(stds, count, "stds")?;
        let p = expand4_arg(pad, "pad")?;
        let dev = device_arg(device_kind, device_index)?;
        let inner = LoG::new(size, s, p, dev, dtype_arg(dtype)?)?;
        put_handle(out, "out", spk_log { inner })
    })
}

/// Frees a DoG bank. NULL is a no-op; freeing twice is undefined behaviour.
#[no_mangle]
pub unsafe extern "C" fn spk_dog_free(filter: *mut spk_dog) {
    let _ = guard(|| {
        unsafe { free_handle(filter) };
        Ok(())
    });
}

/// Frees a Gabor bank. NULL is a no-op; freeing twice is undefined behaviour.
#[no_mangle]
pub unsafe extern "C" fn spk_gabor_free(filter: *mut spk_gabor) {
    let _ = guard(|| {
        unsafe { free_handle(filter) };
        Ok(())
    });
}

/// Frees a LoG bank. NULL is a no-op; freeing twice is undefined behaviour.
#[no_mangle]
pub unsafe extern "C" fn spk_log_free(filter: *mut spk_log) {
    let _ = guard(|| {
        unsafe { free_handle(filter) };
        Ok(())
    });
}

/// Filters images `input` `[B, C, H, W]` (or `[C, H, W]`): every channel by every filter, result
/// `[B, C * F, H', W']` in the bank's dtype. The caller frees `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_dog_apply(
    filter: *const spk_dog,
    input: *const spk_tensor,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let f = &arg(filter, "filter")?.inner;
        put_tensor(out, "out", f.forward(tensor(input, "input")?)?)
    })
}

/// `spk_dog_apply` into `output`.
#[no_mangle]
pub unsafe extern "C" fn spk_dog_apply_into(
    filter: *const spk_dog,
    input: *const spk_tensor,
    output: *const spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        let f = &arg(filter, "filter")?.inner;
        Ok(f.forward_into(tensor(input, "input")?, tensor(output, "output")?)?)
    })
}

/// Filters images with a Gabor bank (as `spk_dog_apply`). The caller frees `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_gabor_apply(
    filter: *const spk_gabor,
    input: *const spk_tensor,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let f = &arg(filter, "filter")?.inner;
        put_tensor(out, "out", f.forward(tensor(input, "input")?)?)
    })
}

/// `spk_gabor_apply` into `output`.
#[no_mangle]
pub unsafe extern "C" fn spk_gabor_apply_into(
    filter: *const spk_gabor,
    input: *const spk_tensor,
    output: *const spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        let f = &arg(filter, "filter")?.inner;
        Ok(f.forward_into(tensor(input, "input")?, tensor(output, "output")?)?)
    })
}

/// Filters images with a LoG bank (as `spk_dog_apply`; two channels per std). The caller frees
/// `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_log_apply(
    filter: *const spk_log,
    input: *const spk_tensor,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let f = &arg(filter, "filter")?.inner;
        put_tensor(out, "out", f.forward(tensor(input, "input")?)?)
    })
}

/// `spk_log_apply` into `output`.
#[no_mangle]
pub unsafe extern "C" fn spk_log_apply_into(
    filter: *const spk_log,
    input: *const spk_tensor,
    output: *const spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        let f = &arg(filter, "filter")?.inner;
        Ok(f.forward_into(tensor(input, "input")?, tensor(output, "output")?)?)
    })
}

/// A handle to the DoG kernel, sharing its memory. The caller frees `*out` with
/// `spk_tensor_free`.
#[no_mangle]
pub unsafe extern "C" fn spk_dog_kernel(
    filter: *const spk_dog,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        put_tensor(out, "out", arg(filter, "filter")?.inner.kernel.clone())
    })
}

/// A handle to the Gabor kernel, sharing its memory. The caller frees `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_gabor_kernel(
    filter: *const spk_gabor,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        put_tensor(out, "out", arg(filter, "filter")?.inner.kernel.clone())
    })
}

/// A handle to the LoG kernel, sharing its memory. The caller frees `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_log_kernel(
    filter: *const spk_log,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        put_tensor(out, "out", arg(filter, "filter")?.inner.kernel.clone())
    })
}

// ------------------------------------------------------------------------------------- ZCA

/// Creates an unfitted ZCA module (fit it with `spk_zca_fit` or load one with `spk_zca_load`).
/// The caller frees `*out` with `spk_zca_free`.
#[no_mangle]
pub unsafe extern "C" fn spk_zca_create(out: *mut *mut spk_zca) -> spk_status {
    guard(|| unsafe { put_handle(out, "out", spk_zca { inner: ZCA::new() }) })
}

/// Creates a fitted ZCA module from a mean `[D]` and a transform `[D, D]` (copied as f32). The
/// caller frees `*out` with `spk_zca_free`.
#[no_mangle]
pub unsafe extern "C" fn spk_zca_from_parts(
    mean: *const spk_tensor,
    transform: *const spk_tensor,
    out: *mut *mut spk_zca,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let inner = ZCA::from_parts(tensor(mean, "mean")?, tensor(transform, "transform")?)?;
        put_handle(out, "out", spk_zca { inner })
    })
}

/// Frees a ZCA module. NULL is a no-op; freeing twice is undefined behaviour.
#[no_mangle]
pub unsafe extern "C" fn spk_zca_free(zca: *mut spk_zca) {
    let _ = guard(|| {
        unsafe { free_handle(zca) };
        Ok(())
    });
}

/// Fits the module to samples `input` `[N, ...]` (float) with regulariser `epsilon` (> 0); with
/// `transform` the input is also whitened in place.
#[no_mangle]
pub unsafe extern "C" fn spk_zca_fit(
    zca: *mut spk_zca,
    input: *const spk_tensor,
    epsilon: f64,
    transform: bool,
) -> spk_status {
    guard(|| unsafe {
        let z = &mut arg_mut(zca, "zca")?.inner;
        z.fit(tensor(input, "input")?, epsilon, transform)?;
        Ok(())
    })
}

/// A whitened copy of `input` `[N, ...]` (the module must be fitted). The caller frees `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_zca_apply(
    zca: *const spk_zca,
    input: *const spk_tensor,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let z = &arg(zca, "zca")?.inner;
        put_tensor(out, "out", z.apply(tensor(input, "input")?)?)
    })
}

/// Whitens `input` in place (the module must be fitted).
#[no_mangle]
pub unsafe extern "C" fn spk_zca_apply_inplace(
    zca: *const spk_zca,
    input: *const spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        let z = &arg(zca, "zca")?.inner;
        Ok(z.apply_inplace(tensor(input, "input")?)?)
    })
}

/// Splits `input` `[N, ...]` into positive and negative parts `[N, 2, ...]` (`max(x, 0)` then
/// `max(-x, 0)`). The caller frees `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_zca_split(
    input: *const spk_tensor,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        put_tensor(out, "out", ZCA::split(tensor(input, "input")?)?)
    })
}

/// `spk_zca_split` into `output`.
#[no_mangle]
pub unsafe extern "C" fn spk_zca_split_into(
    input: *const spk_tensor,
    output: *const spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        Ok(ZCA::split_into(
            tensor(input, "input")?,
            tensor(output, "output")?,
        )?)
    })
}

pub(crate) fn fitted<'a>(
    t: Option<&'a crate::Tensor>,
    what: &str,
) -> crate::Result<&'a crate::Tensor> {
    t.ok_or_else(|| {
        crate::Error::Argument(format!(
            "expected a fitted ZCA module for its {what}, got an unfitted one"
        ))
    })
}

/// A handle to the learned mean `[D]` (f32; the module must be fitted). The caller frees `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_zca_mean(
    zca: *const spk_zca,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let z = &arg(zca, "zca")?.inner;
        put_tensor(out, "out", fitted(z.mean(), "mean")?.clone())
    })
}

/// A handle to the learned transform `[D, D]` (f32; the module must be fitted). The caller frees
/// `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_zca_transform(
    zca: *const spk_zca,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let z = &arg(zca, "zca")?.inner;
        put_tensor(out, "out", fitted(z.transform(), "transform")?.clone())
    })
}

/// Writes the fitted module to the `.npz` file `path` (UTF-8; arrays `mean` and `transform`).
#[no_mangle]
pub unsafe extern "C" fn spk_zca_save(zca: *const spk_zca, path: *const c_char) -> spk_status {
    guard(|| unsafe {
        let z = &arg(zca, "zca")?.inner;
        Ok(z.save(cstr(path, "path")?)?)
    })
}

/// Reads a module saved by `spk_zca_save` (or the original's `save`) from `path`. The caller
/// frees `*out` with `spk_zca_free`.
#[no_mangle]
pub unsafe extern "C" fn spk_zca_load(path: *const c_char, out: *mut *mut spk_zca) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let inner = ZCA::load(cstr(path, "path")?)?;
        put_handle(out, "out", spk_zca { inner })
    })
}
