//! Build script: gives the shared library the SONAME `libspyker.so.<SPK_ABI_VERSION>` on Linux,
//! so that programs linked against one C ABI version refuse to load an incompatible one; with the
//! feature `cxx`, compiles the C++ side of the bridge (src/cxxbridge/) into the library.

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
    #[cfg(feature = "cxx")]
    cxx_bridge();
}

/// Compiles the generated C++ glue (bundled into libspyker.a, which C++ users link) and copies
/// the headers C++ users include to `<target>/<profile>/cxxbridge/include` (`spyker/bridge.rs.h`,
/// `rust/cxx.h`), a path CMake can know in advance, unlike OUT_DIR.
#[cfg(feature = "cxx")]
fn cxx_bridge() {
    use std::path::PathBuf;
    const BRIDGE: &str = "src/cxxbridge/mod.rs";
    println!("cargo:rerun-if-changed={BRIDGE}");
    cxx_build::bridge(BRIDGE)
        .std("c++17")
        .flag_if_supported("-fvisibility=hidden")
        .compile("spyker_cxxbridge");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    let generated = out.join("cxxbridge/include");
    // OUT_DIR is <target>/<profile>/build/<pkg>-<hash>/out.
    let profile_dir = out
        .ancestors()
        .nth(3)
        .expect("OUT_DIR layout")
        .to_path_buf();
    let dest = profile_dir.join("cxxbridge/include");
    for (from, to) in [
        (
            generated.join("spyker/src/cxxbridge/mod.rs.h"),
            dest.join("spyker/bridge.rs.h"),
        ),
        (generated.join("rust/cxx.h"), dest.join("rust/cxx.h")),
    ] {
        fs::create_dir_all(to.parent().expect("parent")).expect("create include dir");
        fs::copy(&from, &to).unwrap_or_else(|e| panic!("copy {}: {e}", from.display()));
    }
}
