//! The CUDA driver: safe detection, one primary context and one stream per device, errors.
//!
//! cudarc loads `libcuda` on first use and panics when it is missing, so nothing here touches a
//! driver function before `is_culib_present()` said the library exists, and the first calls run
//! inside `catch_unwind`: a machine without a GPU (or with a broken driver) sees zero devices and a
//! reason, never a panic.

use super::alloc::Allocator;
use crate::{Error, Result};
use cudarc::driver::{result as cu, sys};
use parking_lot::Mutex;
use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

/// What driver detection found, computed once per process.
struct Detection {
    count: usize,
    /// Why no device can be used (empty when `count > 0`).
    reason: String,
}

fn detection() -> &'static Detection {
    static DETECTED: OnceLock<Detection> = OnceLock::new();
    DETECTED.get_or_init(detect)
}

fn detect() -> Detection {
    if std::env::var_os("SPYKER_DISABLE_CUDA").is_some_and(|v| !v.is_empty() && v != "0") {
        return Detection {
            count: 0,
            reason: "CUDA is disabled by SPYKER_DISABLE_CUDA".into(),
        };
    }
    // SAFETY: only tries to dlopen the library names; calls nothing in it.
    if !unsafe { sys::is_culib_present() } {
        return Detection {
            count: 0,
            reason: "the CUDA driver library (libcuda) was not found".into(),
        };
    }
    let probe = catch_unwind(|| -> std::result::Result<usize, String> {
        cu::init().map_err(|e| describe(e, "cuInit"))?;
        let n = cu::device::get_count().map_err(|e| describe(e, "cuDeviceGetCount"))?;
        Ok(n.max(0) as usize)
    });
    match probe {
        Ok(Ok(0)) => Detection {
            count: 0,
            reason: "the CUDA driver reports no device".into(),
        },
        Ok(Ok(n)) => Detection {
            count: n,
            reason: String::new(),
        },
        Ok(Err(msg)) => Detection {
            count: 0,
            reason: msg,
        },
        Err(_) => Detection {
            count: 0,
            reason: "the CUDA driver library could not be used (missing symbols)".into(),
        },
    }
}

/// The number of usable devices (0 without a driver or GPU).
pub(crate) fn device_count() -> usize {
    detection().count
}

/// Why CUDA cannot be used, for error messages (" (reason)" or empty).
pub(crate) fn unavailable_reason() -> String {
    let d = detection();
    if d.count > 0 {
        String::new()
    } else {
        format!(" ({})", d.reason)
    }
}

/// The driver's name and message for an error code.
pub(crate) fn describe(e: cu::DriverError, what: &str) -> String {
    let name = e
        .error_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|_| format!("{:?}", e.0));
    let text = e
        .error_string()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!("{what} failed: {name}: {text}")
}

/// Turns a driver result into a library error carrying the driver's message.
pub(crate) fn check<T>(r: std::result::Result<T, cu::DriverError>, what: &str) -> Result<T> {
    r.map_err(|e| Error::Cuda(describe(e, what)))
}

/// A compiled module and the functions looked up in it.
pub(crate) struct Module {
    pub(crate) module: sys::CUmodule,
    pub(crate) functions: Mutex<HashMap<String, Function>>,
}

/// A kernel handle (valid while its module is loaded).
#[derive(Clone, Copy)]
pub(crate) struct Function(pub(crate) sys::CUfunction);

// SAFETY: driver handles are plain identifiers usable from any thread once the context is current.
unsafe impl Send for Function {}
unsafe impl Sync for Function {}
unsafe impl Send for Module {}
unsafe impl Sync for Module {}

/// Everything the library keeps per device.
pub(crate) struct DeviceState {
    pub(crate) ordinal: usize,
    ctx: sys::CUcontext,
    /// The one stream every operation on this device is queued on, so work is ordered without
    /// events; results are complete once a host copy synchronises it.
    pub(crate) stream: sys::CUstream,
    /// Compute capability (major, minor).
    pub(crate) arch: (i32, i32),
    pub(crate) sm_count: u32,
    pub(crate) alloc: Mutex<Allocator>,
    /// Loaded modules by kernel-file name.
    pub(crate) modules: Mutex<HashMap<&'static str, Arc<Module>>>,
}

// SAFETY: the context and stream handles are shared by design; the driver is thread-safe and every
// use first makes the context current on the calling thread.
unsafe impl Send for DeviceState {}
unsafe impl Sync for DeviceState {}

impl DeviceState {
    /// Makes this device's context current on the calling thread (driver calls need it).
    pub(crate) fn bind(&self) -> Result<()> {
        // SAFETY: the primary context stays retained for the life of the process.
        check(unsafe { cu::ctx::set_current(self.ctx) }, "cuCtxSetCurrent")
    }

    /// Waits until everything queued on this device's stream is done.
    pub(crate) fn synchronize(&self) -> Result<()> {
        self.bind()?;
        // SAFETY: the stream belongs to this context and is never destroyed.
        check(
            unsafe { cu::stream::synchronize(self.stream) },
            "cuStreamSynchronize",
        )
    }
}

fn states() -> &'static Mutex<Vec<Option<Arc<DeviceState>>>> {
    static STATES: OnceLock<Mutex<Vec<Option<Arc<DeviceState>>>>> = OnceLock::new();
    STATES.get_or_init(|| Mutex::new(Vec::new()))
}

/// Errors unless `ordinal` names a usable device.
pub(crate) fn check_ordinal(ordinal: usize, what: &str) -> Result<()> {
    let n = device_count();
    if n == 0 {
        return Err(Error::Device(format!(
            "{what} needs a CUDA device, but none is available{}",
            unavailable_reason()
        )));
    }
    if ordinal >= n {
        return Err(Error::Device(format!(
            "{what}: expected a CUDA device index below {n}, got {ordinal}"
        )));
    }
    Ok(())
}

/// The state of device `ordinal`, created (context retained, stream made) on first use.
pub(crate) fn device(ordinal: usize) -> Result<Arc<DeviceState>> {
    check_ordinal(ordinal, "this operation")?;
    let mut all = states().lock();
    if all.len() <= ordinal {
        all.resize_with(ordinal + 1, || None);
    }
    if let Some(s) = &all[ordinal] {
        return Ok(s.clone());
    }
    let state = catch_unwind(AssertUnwindSafe(|| create_state(ordinal))).unwrap_or_else(|_| {
        Err(Error::Cuda(format!(
            "setting up CUDA device {ordinal} panicked inside the driver bindings"
        )))
    })?;
    let state = Arc::new(state);
    all[ordinal] = Some(state.clone());
    Ok(state)
}

fn create_state(ordinal: usize) -> Result<DeviceState> {
    let dev = check(cu::device::get(ordinal as i32), "cuDeviceGet")?;
    // SAFETY: `dev` is a valid device handle; the primary context is retained for the whole process.
    let ctx = check(
        unsafe { cu::primary_ctx::retain(dev) },
        "cuDevicePrimaryCtxRetain",
    )?;
    check(unsafe { cu::ctx::set_current(ctx) }, "cuCtxSetCurrent")?;
    let attr = |a| {
        check(
            unsafe { cu::device::get_attribute(dev, a) },
            "cuDeviceGetAttribute",
        )
    };
    use sys::CUdevice_attribute::*;
    let major = attr(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR)?;
    let minor = attr(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR)?;
    let sms = attr(CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT)?;
    // Non-blocking: our stream does not serialise with the legacy default stream of other code
    // (PyTorch, the caller) sharing the primary context.
    let stream = check(
        cu::stream::create(cu::stream::StreamKind::NonBlocking),
        "cuStreamCreate",
    )?;
    Ok(DeviceState {
        ordinal,
        ctx,
        stream,
        arch: (major, minor),
        sm_count: sms.max(1) as u32,
        alloc: Mutex::new(Allocator::new(ordinal)),
        modules: Mutex::new(HashMap::new()),
    })
}

/// Every device state created so far.
pub(crate) fn created_states() -> Vec<Arc<DeviceState>> {
    states().lock().iter().flatten().cloned().collect()
}

static CURRENT: AtomicUsize = AtomicUsize::new(0);

/// The device used where none is named (`Device::new(Cuda, -1)`).
pub(crate) fn current_device() -> Result<usize> {
    check_ordinal(0, "cuda_current_device")?;
    Ok(CURRENT.load(Ordering::Relaxed))
}

/// Sets the current device.
pub(crate) fn set_current_device(ordinal: usize) -> Result<()> {
    check_ordinal(ordinal, "cuda_set_device")?;
    CURRENT.store(ordinal, Ordering::Relaxed);
    Ok(())
}
