//! The kernel sources (`kernels/*.cu`, embedded in the library), their compilation per device
//! and kernel launches.
//!
//! Each file is compiled by NVRTC for the device's architecture the first time one of its kernels
//! runs on that device, then kept loaded (one module per file and device) until
//! `clear_context`.

use super::driver::{check, DeviceState, Function, Module};
use super::nvrtc;
use crate::{Error, Result};
use cudarc::driver::result as cu;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::ffi::{c_void, CString};
use std::sync::Arc;

/// The prelude every kernel file is compiled with (types, conversions, loop macro).
pub const PRELUDE: &str = include_str!("../../kernels/common.cuh");

/// Every kernel file: (file name, CUDA C++ source), one per op family.
pub const SOURCES: &[(&str, &str)] = &[
    ("core.cu", include_str!("../../kernels/core.cu")),
    ("fire.cu", include_str!("../../kernels/fire.cu")),
    ("gather.cu", include_str!("../../kernels/gather.cu")),
    ("pool.cu", include_str!("../../kernels/pool.cu")),
    ("inhibit.cu", include_str!("../../kernels/inhibit.cu")),
    ("conv.cu", include_str!("../../kernels/conv.cu")),
    ("fc.cu", include_str!("../../kernels/fc.cu")),
    ("backprop.cu", include_str!("../../kernels/backprop.cu")),
    ("code.cu", include_str!("../../kernels/code.cu")),
    ("filter.cu", include_str!("../../kernels/filter.cu")),
    ("wta.cu", include_str!("../../kernels/wta.cu")),
    ("stdp.cu", include_str!("../../kernels/stdp.cu")),
];

/// The full text NVRTC compiles for `name`: the prelude, then the file (line numbers in messages
/// refer to the file).
pub fn full_source(name: &str, source: &str) -> String {
    format!("{PRELUDE}\n#line 1 \"{name}\"\n{source}")
}

/// Compiles every kernel file for `sm_<arch>` (e.g. 90) and returns (file name, CUBIN) pairs.
/// Fails with NVRTC's log on the first file that does not compile. Needs only NVRTC, no GPU.
pub fn compile_all(arch: i32) -> Result<Vec<(&'static str, Vec<u8>)>> {
    SOURCES
        .iter()
        .map(|&(name, src)| Ok((name, nvrtc::compile(name, &full_source(name, src), arch)?)))
        .collect()
}

fn source_of(file: &str) -> Result<&'static str> {
    SOURCES
        .iter()
        .find(|(n, _)| *n == file)
        .map(|(_, s)| *s)
        .ok_or_else(|| Error::Cuda(format!("no kernel file named {file}")))
}

/// The module of `file` on `dev`, compiled and loaded on first use.
fn module(dev: &DeviceState, file: &'static str) -> Result<Arc<Module>> {
    let mut mods = dev.modules.lock();
    if let Some(m) = mods.get(file) {
        return Ok(m.clone());
    }
    let arch = nvrtc::target_arch(dev.arch)?;
    let cubin = nvrtc::compile(file, &full_source(file, source_of(file)?), arch)?;
    dev.bind()?;
    // SAFETY: `cubin` is a complete image produced by NVRTC for this device's architecture.
    let m = check(
        unsafe { cu::module::load_data(cubin.as_ptr() as *const c_void) },
        "cuModuleLoadData",
    )
    .map_err(|e| {
        Error::Cuda(format!(
            "{} (kernels/{file} for sm_{arch} on cuda:{}; a driver older than NVRTC {} cannot \
             load its output)",
            e.message(),
            dev.ordinal,
            nvrtc::nvrtc_version()
                .map(|(a, b)| format!("{a}.{b}"))
                .unwrap_or_default()
        ))
    })?;
    let m = Arc::new(Module {
        module: m,
        functions: Mutex::new(HashMap::new()),
    });
    mods.insert(file, m.clone());
    Ok(m)
}

/// The kernel `name` of `file` on `dev`.
pub(crate) fn function(dev: &DeviceState, file: &'static str, name: &str) -> Result<Function> {
    let m = module(dev, file)?;
    let mut fns = m.functions.lock();
    if let Some(f) = fns.get(name) {
        return Ok(*f);
    }
    let cname = CString::new(name).map_err(|_| Error::Argument(format!("bad kernel {name:?}")))?;
    dev.bind()?;
    // SAFETY: the module is loaded and stays loaded while it is in the device's map.
    let f = check(
        unsafe { cu::module::get_function(m.module, cname) },
        &format!("cuModuleGetFunction({name})"),
    )?;
    let f = Function(f);
    fns.insert(name.to_string(), f);
    Ok(f)
}

/// Threads per block of the element-wise kernels.
const BLOCK: u32 = 256;

/// Launches `file::name` over `n` work items (grid-stride kernels) with 64-bit arguments.
/// Asynchronous: queued on the device's stream.
pub(crate) fn launch(
    dev: &DeviceState,
    file: &'static str,
    name: &str,
    n: usize,
    args: &[u64],
) -> Result<()> {
    if n == 0 {
        return Ok(());
    }
    let blocks = (n as u64).div_ceil(BLOCK as u64);
    // Enough blocks to fill every SM several times; the grid-stride loop covers the rest.
    let grid = blocks.min(dev.sm_count as u64 * 32).max(1) as u32;
    launch_grid(dev, file, name, (grid, BLOCK), args)
}

/// Launches `file::name` on `grid` blocks of `block` threads with 64-bit arguments (every kernel
/// launch goes through here). Asynchronous: queued on the device's stream.
pub(crate) fn launch_grid(
    dev: &DeviceState,
    file: &'static str,
    name: &str,
    (grid, block): (u32, u32),
    args: &[u64],
) -> Result<()> {
    let f = function(dev, file, name)?;
    let mut vals: Vec<u64> = args.to_vec();
    let mut params: Vec<*mut c_void> = vals
        .iter_mut()
        .map(|v| v as *mut u64 as *mut c_void)
        .collect();
    dev.bind()?;
    // SAFETY: every kernel of kernels/*.cu takes exactly 64-bit arguments (pointers and words) in
    // the order the callers pass them, and is launched with the block size it is written for; the
    // values outlive the call (the driver copies them).
    check(
        unsafe { cu::launch_kernel(f.0, (grid, 1, 1), (block, 1, 1), 0, dev.stream, &mut params) },
        &format!("launching {name}"),
    )
}

/// Unloads every module of `dev` (after its queued work finished).
pub(crate) fn unload_all(dev: &DeviceState) -> Result<()> {
    let mut mods = dev.modules.lock();
    if mods.is_empty() {
        return Ok(());
    }
    dev.synchronize()?;
    for (_, m) in mods.drain() {
        // SAFETY: no queued work uses the module any more; its functions are dropped with it.
        let _ = unsafe { cu::module::unload(m.module) };
    }
    Ok(())
}
