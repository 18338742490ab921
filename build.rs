//! Build script: gives the shared library the SONAME `libspyker.so.<SPK_ABI_VERSION>` on Linux,
//! so that programs linked against one C ABI version refuse to load an incompatible one.

use std::fs;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=src/ffi/mod.rs");
    let src = fs::read_to_string("src/ffi/mod.rs").unwrap_or_default();
    // The constant is the single source of truth (the header and CMake read it too).
    let abi = src
        .lines()
        .find_map(|l| l.trim().strip_prefix("pub const SPK_ABI_VERSION: u32 = "))
        .and_then(|rest| rest.trim_end_matches(';').trim().parse::<u32>().ok())
        .unwrap_or(1);
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libspyker.so.{abi}");
    }
}
