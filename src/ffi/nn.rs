//! Layer handles (Conv, FC) and learning configurations.

use super::*;
use crate::{BPConfig, Conv, Error, Expand2, Expand4, STDPConfig, Tensor, FC};

// ------------------------------------------------------------------------------------- configs

/// STDP parameters. `positive` applies to causal pairs (pre <= post), `negative` to the others;
/// the sign is part of the value (typically 0.004 and -0.003). With `stabilize`, updates are
/// scaled by `(w - lower)(upper - w)`. Initialise with `spk_stdp_config_init`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct spk_stdp_config {
    /// `sizeof(spk_stdp_config)` as the caller compiled it (set by `spk_stdp_config_init`).
    pub size: u32,
    pub positive: f64,
    pub negative: f64,
    pub stabilize: bool,
    pub lower: f64,
    pub upper: f64,
}

impl Default for spk_stdp_config {
    fn default() -> Self {
        STDPConfig::new(0.0, 0.0).into()
    }
}

impl From<STDPConfig> for spk_stdp_config {
    fn from(c: STDPConfig) -> Self {
        spk_stdp_config {
            size: std::mem::size_of::<spk_stdp_config>() as u32,
            positive: c.positive,
            negative: c.negative,
            stabilize: c.stabilize,
            lower: c.lower,
            upper: c.upper,
        }
    }
}

impl From<spk_stdp_config> for STDPConfig {
    fn from(c: spk_stdp_config) -> Self {
        STDPConfig::with_bounds(c.positive, c.negative, c.stabilize, c.lower, c.upper)
    }
}

impl Versioned for spk_stdp_config {
    const MIN_SIZE: usize = std::mem::size_of::<spk_stdp_config>();
    const NAME: &'static str = "spk_stdp_config";
    fn set_size_field(&mut self, size: u32) {
        self.size = size;
    }
}

/// Backpropagation parameters of the FC layer (stored as float like the original).
/// Initialise with `spk_bp_config_init` (defaults 1, 1, 1, 0).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct spk_bp_config {
    /// `sizeof(spk_bp_config)` as the caller compiled it (set by `spk_bp_config_init`).
    pub size: u32,
    pub sfactor: f32,
    pub lrate: f32,
    pub lrf: f32,
    pub lambda: f32,
}

impl Default for spk_bp_config {
    fn default() -> Self {
        BPConfig::default().into()
    }
}

impl From<BPConfig> for spk_bp_config {
    fn from(c: BPConfig) -> Self {
        spk_bp_config {
            size: std::mem::size_of::<spk_bp_config>() as u32,
            sfactor: c.sfactor,
            lrate: c.lrate,
            lrf: c.lrf,
            lambda: c.lambda,
        }
    }
}

impl From<spk_bp_config> for BPConfig {
    fn from(c: spk_bp_config) -> Self {
        BPConfig::new(c.sfactor, c.lrate, c.lrf, c.lambda)
    }
}

impl Versioned for spk_bp_config {
    const MIN_SIZE: usize = std::mem::size_of::<spk_bp_config>();
    const NAME: &'static str = "spk_bp_config";
    fn set_size_field(&mut self, size: u32) {
        self.size = size;
    }
}

/// Fills `*config` with the defaults (positive 0, negative 0, stabilize on, bounds [0, 1]) and
/// sets `config->size = size`. Pass `sizeof(spk_stdp_config)` as `size`.
#[no_mangle]
pub unsafe extern "C" fn spk_stdp_config_init(
    config: *mut spk_stdp_config,
    size: usize,
) -> spk_status {
    guard(|| unsafe { init_sized(config, size, "config") })
}

/// Fills `*config` with the defaults (sfactor 1, lrate 1, lrf 1, lambda 0) and sets
/// `config->size = size`. Pass `sizeof(spk_bp_config)` as `size`.
#[no_mangle]
pub unsafe extern "C" fn spk_bp_config_init(config: *mut spk_bp_config, size: usize) -> spk_status {
    guard(|| unsafe { init_sized(config, size, "config") })
}

pub(crate) fn stdp_get(list: &[STDPConfig], index: usize) -> crate::Result<STDPConfig> {
    list.get(index).copied().ok_or_else(|| {
        Error::Argument(format!(
            "expected an STDP config index below {}, got {index}",
            list.len()
        ))
    })
}

pub(crate) fn float_kernel(t: &Tensor, rank: usize, what: &str) -> crate::Result<()> {
    if t.dims() != rank {
        return Err(Error::Shape(format!(
            "expected a {what} kernel of rank {rank}, got shape {:?}",
            t.shape()
        )));
    }
    if !t.dtype().is_float() {
        return Err(Error::DType(format!(
            "expected a {what} kernel of dtype f16, f32 or f64, got {}",
            t.dtype()
        )));
    }
    Ok(())
}

// ------------------------------------------------------------------------------------- conv

/// A 2-D convolution layer of integrate-and-fire neurons with STDP (opaque). Free with
/// `spk_conv_free`. Not thread-safe: do not use one layer from two threads at once.
pub struct spk_conv {
    pub(crate) inner: Conv,
}

/// Parameters of `spk_conv_create`. Initialise with `spk_conv_options_init`, then set fields.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct spk_conv_options {
    /// `sizeof(spk_conv_options)` as the caller compiled it (set by `spk_conv_options_init`).
    pub size: u32,
    /// Input channels (>= 1).
    pub insize: usize,
    /// Output channels (>= 1).
    pub outsize: usize,
    /// Kernel extents (rows, columns), each >= 1. Default 5 x 5.
    pub kernel: [usize; 2],
    /// Stride (rows, columns), each >= 1. Default 1.
    pub stride: [usize; 2],
    /// Padding (top, left, bottom, right). Default 0.
    pub pad: [usize; 4],
    /// Mean of the normal distribution of the initial weights. Default 0.5.
    pub mean: f64,
    /// Standard deviation of the initial weights (>= 0). Default 0.02.
    pub std: f64,
    /// An `spk_device_kind`. Default CPU.
    pub device_kind: i32,
    /// Device index (-1 = default of the kind). Default -1.
    pub device_index: i64,
    /// Kernel element type, an `spk_dtype` (f16, f32 or f64). Default f32.
    pub dtype: i32,
}

impl Default for spk_conv_options {
    fn default() -> Self {
        spk_conv_options {
            size: std::mem::size_of::<spk_conv_options>() as u32,
            insize: 1,
            outsize: 1,
            kernel: [5, 5],
            stride: [1, 1],
            pad: [0; 4],
            mean: 0.5,
            std: 0.02,
            device_kind: 0,
            device_index: -1,
            dtype: crate::DType::F32 as i32,
        }
    }
}

impl Versioned for spk_conv_options {
    const MIN_SIZE: usize = std::mem::size_of::<spk_conv_options>();
    const NAME: &'static str = "spk_conv_options";
    fn set_size_field(&mut self, size: u32) {
        self.size = size;
    }
}

/// Fills `*options` with the defaults (1 -> 1 channels, 5 x 5 kernel, stride 1, no padding,
/// N(0.5, 0.02) f32 weights on the CPU) and sets `options->size = size`. Pass
/// `sizeof(spk_conv_options)` as `size`.
#[no_mangle]
pub unsafe extern "C" fn spk_conv_options_init(
    options: *mut spk_conv_options,
    size: usize,
) -> spk_status {
    guard(|| unsafe { init_sized(options, size, "options") })
}

/// Creates a convolution layer; its kernel `[outsize, insize, kernel[0], kernel[1]]` is drawn
/// from the library generator (same values as the original after the same `spk_random_seed`).
/// The caller frees `*out` with `spk_conv_free`.
#[no_mangle]
pub unsafe extern "C" fn spk_conv_create(
    options: *const spk_conv_options,
    out: *mut *mut spk_conv,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let o = read_sized(options, "options")?;
        let conv = Conv::new(
            o.insize,
            o.outsize,
            Expand2::new(o.kernel[0], o.kernel[1]),
            Expand2::new(o.stride[0], o.stride[1]),
            Expand4::new(o.pad[0], o.pad[1], o.pad[2], o.pad[3]),
            o.mean,
            o.std,
            device_arg(o.device_kind, o.device_index)?,
            dtype_arg(o.dtype)?,
        )?;
        put_handle(out, "out", spk_conv { inner: conv })
    })
}

/// Frees a layer. NULL is a no-op; freeing twice is undefined behaviour. Kernel handles obtained
/// from it stay valid (they share the memory).
#[no_mangle]
pub unsafe extern "C" fn spk_conv_free(conv: *mut spk_conv) {
    let _ = guard(|| {
        unsafe { free_handle(conv) };
        Ok(())
    });
}

/// A handle to the kernel `[out, in, kh, kw]`, sharing its memory (writes through it change the
/// layer). The caller frees `*out` with `spk_tensor_free`.
#[no_mangle]
pub unsafe extern "C" fn spk_conv_kernel(
    conv: *const spk_conv,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        put_tensor(out, "out", arg(conv, "conv")?.inner.kernel.clone())
    })
}

/// Replaces the kernel with `kernel` (rank 4, f16/f32/f64); the layer shares its memory.
#[no_mangle]
pub unsafe extern "C" fn spk_conv_set_kernel(
    conv: *mut spk_conv,
    kernel: *const spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        let c = arg_mut(conv, "conv")?;
        let k = tensor(kernel, "kernel")?;
        float_kernel(k, 4, "convolution")?;
        c.inner.kernel = k.clone();
        Ok(())
    })
}

/// Writes the stride (rows, columns) to `stride[0..2]` and the padding (top, left, bottom, right)
/// to `pad[0..4]`; either may be NULL to skip it.
#[no_mangle]
pub unsafe extern "C" fn spk_conv_geometry(
    conv: *const spk_conv,
    stride: *mut usize,
    pad: *mut usize,
) -> spk_status {
    guard(|| unsafe {
        let c = &arg(conv, "conv")?.inner;
        if !stride.is_null() {
            slice_mut(stride, 2, "stride")?.copy_from_slice(&[c.stride.y, c.stride.x]);
        }
        if !pad.is_null() {
            let p = c.pad;
            slice_mut(pad, 4, "pad")?.copy_from_slice(&[p.top, p.left, p.bottom, p.right]);
        }
        Ok(())
    })
}

/// Writes the number of STDP configurations of the layer to `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_conv_stdp_count(conv: *const spk_conv, out: *mut usize) -> spk_status {
    guard(|| unsafe { put(out, "out", arg(conv, "conv")?.inner.stdpconfig.len()) })
}

/// Appends a copy of `*config` to the layer's STDP configurations (selected per winner by
/// `spk_winner.c`).
#[no_mangle]
pub unsafe extern "C" fn spk_conv_stdp_add(
    conv: *mut spk_conv,
    config: *const spk_stdp_config,
) -> spk_status {
    guard(|| unsafe {
        let c = arg_mut(conv, "conv")?;
        let cfg = read_sized(config, "config")?;
        c.inner.stdpconfig.push(cfg.into());
        Ok(())
    })
}

/// Copies STDP configuration `index` into `*config` (whose `size` the caller set, e.g. with
/// `spk_stdp_config_init`).
#[no_mangle]
pub unsafe extern "C" fn spk_conv_stdp_get(
    conv: *const spk_conv,
    index: usize,
    config: *mut spk_stdp_config,
) -> spk_status {
    guard(|| unsafe {
        check_out(config, "config")?;
        let c = arg(conv, "conv")?;
        let cfg = stdp_get(&c.inner.stdpconfig, index)?;
        write_sized(config, "config", cfg.into())
    })
}

/// Removes every STDP configuration of the layer.
#[no_mangle]
pub unsafe extern "C" fn spk_conv_stdp_clear(conv: *mut spk_conv) -> spk_status {
    guard(|| unsafe {
        arg_mut(conv, "conv")?.inner.stdpconfig.clear();
        Ok(())
    })
}

// ------------------------------------------------------------------------------------- fc

/// A fully connected layer with STDP and temporal backprop (opaque). Free with `spk_fc_free`.
/// Not thread-safe: do not use one layer from two threads at once.
pub struct spk_fc {
    pub(crate) inner: FC,
}

/// Parameters of `spk_fc_create`. Initialise with `spk_fc_options_init`, then set fields.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct spk_fc_options {
    /// `sizeof(spk_fc_options)` as the caller compiled it (set by `spk_fc_options_init`).
    pub size: u32,
    /// Inputs (>= 1).
    pub insize: usize,
    /// Neurons (>= 1).
    pub outsize: usize,
    /// Mean of the normal distribution of the initial weights. Default 0.5.
    pub mean: f64,
    /// Standard deviation of the initial weights (>= 0). Default 0.02.
    pub std: f64,
    /// An `spk_device_kind`. Default CPU.
    pub device_kind: i32,
    /// Device index (-1 = default of the kind). Default -1.
    pub device_index: i64,
    /// Kernel element type, an `spk_dtype` (f16, f32 or f64). Default f32.
    pub dtype: i32,
}

impl Default for spk_fc_options {
    fn default() -> Self {
        spk_fc_options {
            size: std::mem::size_of::<spk_fc_options>() as u32,
            insize: 1,
            outsize: 1,
            mean: 0.5,
            std: 0.02,
            device_kind: 0,
            device_index: -1,
            dtype: crate::DType::F32 as i32,
        }
    }
}

impl Versioned for spk_fc_options {
    const MIN_SIZE: usize = std::mem::size_of::<spk_fc_options>();
    const NAME: &'static str = "spk_fc_options";
    fn set_size_field(&mut self, size: u32) {
        self.size = size;
    }
}

/// Fills `*options` with the defaults (1 -> 1, N(0.5, 0.02) f32 weights on the CPU) and sets
/// `options->size = size`. Pass `sizeof(spk_fc_options)` as `size`.
#[no_mangle]
pub unsafe extern "C" fn spk_fc_options_init(
    options: *mut spk_fc_options,
    size: usize,
) -> spk_status {
    guard(|| unsafe { init_sized(options, size, "options") })
}

/// Creates a fully connected layer; its kernel `[outsize, insize]` is drawn from the library
/// generator. The caller frees `*out` with `spk_fc_free`.
#[no_mangle]
pub unsafe extern "C" fn spk_fc_create(
    options: *const spk_fc_options,
    out: *mut *mut spk_fc,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let o = read_sized(options, "options")?;
        let fc = FC::new(
            o.insize,
            o.outsize,
            o.mean,
            o.std,
            device_arg(o.device_kind, o.device_index)?,
            dtype_arg(o.dtype)?,
        )?;
        put_handle(out, "out", spk_fc { inner: fc })
    })
}

/// Frees a layer. NULL is a no-op; freeing twice is undefined behaviour.
#[no_mangle]
pub unsafe extern "C" fn spk_fc_free(fc: *mut spk_fc) {
    let _ = guard(|| {
        unsafe { free_handle(fc) };
        Ok(())
    });
}

/// A handle to the kernel `[out, in]`, sharing its memory. The caller frees `*out` with
/// `spk_tensor_free`.
#[no_mangle]
pub unsafe extern "C" fn spk_fc_kernel(fc: *const spk_fc, out: *mut *mut spk_tensor) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        put_tensor(out, "out", arg(fc, "fc")?.inner.kernel.clone())
    })
}

/// Replaces the kernel with `kernel` (rank 2, f16/f32/f64); the layer shares its memory.
#[no_mangle]
pub unsafe extern "C" fn spk_fc_set_kernel(
    fc: *mut spk_fc,
    kernel: *const spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        let f = arg_mut(fc, "fc")?;
        let k = tensor(kernel, "kernel")?;
        float_kernel(k, 2, "fully connected")?;
        f.inner.kernel = k.clone();
        Ok(())
    })
}

/// Writes the number of STDP configurations of the layer to `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_fc_stdp_count(fc: *const spk_fc, out: *mut usize) -> spk_status {
    guard(|| unsafe { put(out, "out", arg(fc, "fc")?.inner.stdpconfig.len()) })
}

/// Appends a copy of `*config` to the layer's STDP configurations.
#[no_mangle]
pub unsafe extern "C" fn spk_fc_stdp_add(
    fc: *mut spk_fc,
    config: *const spk_stdp_config,
) -> spk_status {
    guard(|| unsafe {
        let f = arg_mut(fc, "fc")?;
        let cfg = read_sized(config, "config")?;
        f.inner.stdpconfig.push(cfg.into());
        Ok(())
    })
}

/// Copies STDP configuration `index` into `*config` (whose `size` the caller set).
#[no_mangle]
pub unsafe extern "C" fn spk_fc_stdp_get(
    fc: *const spk_fc,
    index: usize,
    config: *mut spk_stdp_config,
) -> spk_status {
    guard(|| unsafe {
        check_out(config, "config")?;
        let f = arg(fc, "fc")?;
        let cfg = stdp_get(&f.inner.stdpconfig, index)?;
        write_sized(config, "config", cfg.into())
    })
}

/// Removes every STDP configuration of the layer.
#[no_mangle]
pub unsafe extern "C" fn spk_fc_stdp_clear(fc: *mut spk_fc) -> spk_status {
    guard(|| unsafe {
        arg_mut(fc, "fc")?.inner.stdpconfig.clear();
        Ok(())
    })
}

/// Copies the layer's backprop configuration into `*config` (whose `size` the caller set).
#[no_mangle]
pub unsafe extern "C" fn spk_fc_bp_get(
    fc: *const spk_fc,
    config: *mut spk_bp_config,
) -> spk_status {
    guard(|| unsafe {
        let f = arg(fc, "fc")?;
        write_sized(config, "config", f.inner.bpconfig.into())
    })
}

/// Sets the layer's backprop configuration from `*config`.
#[no_mangle]
pub unsafe extern "C" fn spk_fc_bp_set(
    fc: *mut spk_fc,
    config: *const spk_bp_config,
) -> spk_status {
    guard(|| unsafe {
        let f = arg_mut(fc, "fc")?;
        f.inner.bpconfig = read_sized(config, "config")?.into();
        Ok(())
    })
}
