//! NVRTC: finding `libnvrtc` at run time and compiling kernel sources to CUBIN.
//!
//! cudarc opens NVRTC by library name only (`libnvrtc.so`, `libnvrtc.so.13`, ...), found through
//! `LD_LIBRARY_PATH` and the loader cache. To use a library elsewhere (a pip wheel, a toolkit
//! that is not on the path) we open it by full path first, together with its
//! `libnvrtc-builtins`: the dynamic loader then answers cudarc's `dlopen("libnvrtc.so.13")` and
//! NVRTC's own `dlopen("libnvrtc-builtins.so.13.0")` with the already loaded objects, matched by
//! their SONAME. Search order: `$SPYKER_NVRTC_PATH` (the library file or its folder), the
//! standard names, then `$CUDA_HOME`/`$CUDA_PATH`/`/usr/local/cuda` library folders.
//!
//! We compile to CUBIN (not PTX) for the device's exact architecture: ptxas then runs inside
//! NVRTC, so CI without a GPU catches assembler errors too, and the driver does no JIT.

use crate::{Error, Result};
use cudarc::nvrtc::sys;
use std::ffi::{CStr, CString};
use std::panic::catch_unwind;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Where NVRTC was found (or why not), computed once.
fn loaded() -> &'static std::result::Result<String, String> {
    static LOADED: OnceLock<std::result::Result<String, String>> = OnceLock::new();
    LOADED.get_or_init(load)
}

fn lib_in_dir(dir: &Path) -> Option<PathBuf> {
    ["libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so"]
        .iter()
        .map(|n| dir.join(n))
        .find(|p| p.is_file())
}

/// Opens `lib` and the builtins beside it by full path and keeps them loaded for good.
fn preload(lib: &Path) -> std::result::Result<(), String> {
    if let Some(dir) = lib.parent() {
        if let Ok(entries) = std::fs::read_dir(dir) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if name.starts_with("libnvrtc-builtins.so") {
                    // SAFETY: loading NVIDIA's builtins library runs no user-visible initialisers.
                    if let Ok(l) = unsafe { libloading::Library::new(e.path()) } {
                        std::mem::forget(l);
                    }
                }
            }
        }
    }
    // SAFETY: as above; the handle is leaked so the library is never unloaded.
    let l = unsafe { libloading::Library::new(lib) }
        .map_err(|e| format!("cannot load {}: {e}", lib.display()))?;
    std::mem::forget(l);
    Ok(())
}

fn standard_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    for var in ["CUDA_HOME", "CUDA_PATH", "CUDA_ROOT"] {
        if let Some(v) = std::env::var_os(var) {
            let root = PathBuf::from(v);
            dirs.push(root.join("lib64"));
            dirs.push(root.join("lib"));
            dirs.push(root.join("targets/x86_64-linux/lib"));
        }
    }
    dirs.push("/usr/local/cuda/lib64".into());
    dirs.push("/usr/local/cuda/targets/x86_64-linux/lib".into());
    dirs
}

fn load() -> std::result::Result<String, String> {
    let mut how = String::from("standard library search");
    if let Some(p) = std::env::var_os("SPYKER_NVRTC_PATH").filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        let lib = if p.is_dir() {
            lib_in_dir(&p)
                .ok_or_else(|| format!("SPYKER_NVRTC_PATH={} has no libnvrtc", p.display()))?
        } else {
            p
        };
        preload(&lib)?;
        how = lib.display().to_string();
    } else if !unsafe { sys::is_culib_present() } {
        if let Some(lib) = standard_dirs().iter().find_map(|d| lib_in_dir(d)) {
            preload(&lib)?;
            how = lib.display().to_string();
        }
    }
    // SAFETY: only tries to dlopen the library names.
    if !unsafe { sys::is_culib_present() } {
        return Err(
            "NVRTC (libnvrtc) was not found: set SPYKER_NVRTC_PATH to the library or \
                    its folder, or add its folder to LD_LIBRARY_PATH"
                .into(),
        );
    }
    let version = catch_unwind(|| {
        let (mut major, mut minor) = (0, 0);
        // SAFETY: plain out-parameters.
        let r = unsafe { sys::nvrtcVersion(&mut major, &mut minor) };
        (r, major, minor)
    })
    .map_err(|_| "libnvrtc was found but lacks the expected symbols".to_string())?;
    if version.0 != sys::nvrtcResult::NVRTC_SUCCESS {
        return Err(format!("nvrtcVersion failed: {:?}", version.0));
    }
    Ok(format!("NVRTC {}.{} ({how})", version.1, version.2))
}

/// Loads NVRTC if needed; a description of what was loaded.
pub fn nvrtc_info() -> Result<String> {
    loaded().clone().map_err(Error::Cuda)
}

/// True when NVRTC can be loaded.
pub fn nvrtc_available() -> bool {
    loaded().is_ok()
}

/// The NVRTC version (major, minor).
pub fn nvrtc_version() -> Result<(i32, i32)> {
    nvrtc_info()?;
    let (mut major, mut minor) = (0, 0);
    // SAFETY: NVRTC is loaded; plain out-parameters.
    let r = unsafe { sys::nvrtcVersion(&mut major, &mut minor) };
    nvrtc_check(r, "nvrtcVersion")?;
    Ok((major, minor))
}

/// The real architectures (e.g. 90 for sm_90) this NVRTC can compile for.
pub fn supported_archs() -> Result<Vec<i32>> {
    nvrtc_info()?;
    let mut n = 0;
    // SAFETY: NVRTC is loaded; `v` has room for the `n` entries reported.
    nvrtc_check(
        unsafe { sys::nvrtcGetNumSupportedArchs(&mut n) },
        "nvrtcGetNumSupportedArchs",
    )?;
    let mut v = vec![0i32; n.max(0) as usize];
    nvrtc_check(
        unsafe { sys::nvrtcGetSupportedArchs(v.as_mut_ptr()) },
        "nvrtcGetSupportedArchs",
    )?;
    Ok(v)
}

fn nvrtc_check(r: sys::nvrtcResult, what: &str) -> Result<()> {
    if r == sys::nvrtcResult::NVRTC_SUCCESS {
        return Ok(());
    }
    // SAFETY: returns a static string for any code.
    let msg = unsafe { CStr::from_ptr(sys::nvrtcGetErrorString(r)) }
        .to_string_lossy()
        .into_owned();
    Err(Error::Cuda(format!("{what} failed: {msg}")))
}

/// The folder of CUDA headers passed to NVRTC, if one is found: `$SPYKER_CUDA_INCLUDE`, the
/// `include` folder beside NVRTC's (pip wheels), or the toolkit's. The kernels include no headers
/// today; this keeps `#include <cuda_fp16.h>` usable for later ones.
fn include_dir() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("SPYKER_CUDA_INCLUDE").filter(|p| !p.is_empty()) {
        return Some(p.into());
    }
    let mut cands = Vec::new();
    if let Some(p) = std::env::var_os("SPYKER_NVRTC_PATH").filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        let dir = if p.is_dir() {
            p
        } else {
            p.parent().map(Path::to_path_buf).unwrap_or_default()
        };
        cands.push(dir.join("../include"));
    }
    for var in ["CUDA_HOME", "CUDA_PATH", "CUDA_ROOT"] {
        if let Some(v) = std::env::var_os(var) {
            cands.push(PathBuf::from(v).join("include"));
        }
    }
    cands.push("/usr/local/cuda/include".into());
    cands.into_iter().find(|d| d.join("cuda_fp16.h").is_file())
}

/// The architecture to compile for on a device of compute capability `arch`: the device's own
/// when NVRTC supports it, else the newest supported one of the same major version (CUBINs run on
/// later minors of their major).
pub fn target_arch(arch: (i32, i32)) -> Result<i32> {
    let want = arch.0 * 10 + arch.1;
    let archs = supported_archs()?;
    if archs.contains(&want) {
        return Ok(want);
    }
    archs
        .iter()
        .copied()
        .filter(|&a| a / 10 == arch.0 && a <= want)
        .max()
        .ok_or_else(|| {
            Error::Cuda(format!(
                "this NVRTC cannot compile for sm_{want}; it supports {archs:?}"
            ))
        })
}

struct Program(sys::nvrtcProgram);

impl Drop for Program {
    fn drop(&mut self) {
        // SAFETY: created by nvrtcCreateProgram and destroyed once.
        unsafe {
            sys::nvrtcDestroyProgram(&mut self.0);
        }
    }
}

fn program_log(p: &Program) -> String {
    let mut n = 0usize;
    // SAFETY: valid program; the buffer has the reported size.
    if unsafe { sys::nvrtcGetProgramLogSize(p.0, &mut n) } != sys::nvrtcResult::NVRTC_SUCCESS {
        return String::new();
    }
    let mut buf = vec![0u8; n.max(1)];
    unsafe { sys::nvrtcGetProgramLog(p.0, buf.as_mut_ptr().cast()) };
    String::from_utf8_lossy(&buf)
        .trim_end_matches('\0')
        .trim()
        .to_string()
}

/// Compiles CUDA C++ `source` (file name `name`, for messages) to a CUBIN for `sm_<arch>`
/// (e.g. 90). Compile errors carry NVRTC's log.
pub fn compile(name: &str, source: &str, arch: i32) -> Result<Vec<u8>> {
    nvrtc_info()?;
    let src = CString::new(source)
        .map_err(|_| Error::Argument(format!("kernel source {name} contains a NUL byte")))?;
    let cname = CString::new(name)
        .map_err(|_| Error::Argument(format!("kernel name {name:?} contains a NUL byte")))?;
    let mut raw: sys::nvrtcProgram = std::ptr::null_mut();
    // SAFETY: the strings outlive the program (destroyed at the end of this function).
    nvrtc_check(
        unsafe {
            sys::nvrtcCreateProgram(
                &mut raw,
                src.as_ptr(),
                cname.as_ptr(),
                0,
                std::ptr::null(),
                std::ptr::null(),
            )
        },
        "nvrtcCreateProgram",
    )?;
    let prog = Program(raw);
    let mut opts = vec![
        format!("--gpu-architecture=sm_{arch}"),
        "--std=c++17".to_string(),
        // Separate multiply and add, as the CPU kernels compute, so float results agree.
        "--fmad=false".to_string(),
        "-DSPYKER_NVRTC=1".to_string(),
    ];
    if let Some(dir) = include_dir() {
        opts.push(format!("--include-path={}", dir.display()));
    }
    let copts: Vec<CString> = opts
        .iter()
        .map(|o| CString::new(o.as_str()).unwrap_or_default())
        .collect();
    let ptrs: Vec<*const std::ffi::c_char> = copts.iter().map(|c| c.as_ptr()).collect();
    // SAFETY: `ptrs` point into `copts`, alive for the call.
    let r = unsafe { sys::nvrtcCompileProgram(prog.0, ptrs.len() as i32, ptrs.as_ptr()) };
    if r != sys::nvrtcResult::NVRTC_SUCCESS {
        return Err(Error::Cuda(format!(
            "compiling kernels/{name} for sm_{arch} failed ({r:?}):\n{}",
            program_log(&prog)
        )));
    }
    let mut n = 0usize;
    nvrtc_check(
        unsafe { sys::nvrtcGetCUBINSize(prog.0, &mut n) },
        "nvrtcGetCUBINSize",
    )?;
    let mut cubin = vec![0u8; n];
    nvrtc_check(
        unsafe { sys::nvrtcGetCUBIN(prog.0, cubin.as_mut_ptr().cast()) },
        "nvrtcGetCUBIN",
    )?;
    if cubin.is_empty() {
        return Err(Error::Cuda(format!(
            "NVRTC produced no CUBIN for kernels/{name} (sm_{arch})"
        )));
    }
    Ok(cubin)
}
