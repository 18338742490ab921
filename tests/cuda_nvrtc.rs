//! Every kernel file compiles through NVRTC (no GPU needed): the CI check of the CUDA backend.
//!
//! Runs when libnvrtc is found (`SPYKER_NVRTC_PATH`, `LD_LIBRARY_PATH`, `$CUDA_HOME`,
//! `/usr/local/cuda`) and prints a skip notice otherwise; with `SPYKER_REQUIRE_NVRTC=1`
//! (set by `scripts/ci-nvrtc.sh`) a missing NVRTC fails. Architectures: `SPYKER_NVRTC_ARCHS`
//! (comma-separated, e.g. `90,80`), default 90 (H100/H200).

use spyker::cuda::{kernels, nvrtc};
use spyker::DType;

fn nvrtc_or_skip() -> bool {
    match nvrtc::nvrtc_info() {
        Ok(info) => {
            eprintln!("using {info}");
            true
        }
        Err(e) => {
            if std::env::var_os("SPYKER_REQUIRE_NVRTC").is_some_and(|v| v != "0") {
                panic!("SPYKER_REQUIRE_NVRTC is set but NVRTC is unavailable: {e}");
            }
            eprintln!("SKIP cuda_nvrtc: {e}");
            false
        }
    }
}

fn archs() -> Vec<i32> {
    std::env::var("SPYKER_NVRTC_ARCHS")
        .ok()
        .map(|s| {
            s.split(',')
                .filter(|a| !a.trim().is_empty())
                .map(|a| {
                    a.trim()
                        .trim_start_matches("sm_")
                        .parse()
                        .expect("an arch number")
                })
                .collect()
        })
        .unwrap_or_else(|| vec![90])
}

fn contains(hay: &[u8], needle: &str) -> bool {
    let n = needle.as_bytes();
    // Symbol names are NUL-terminated in the ELF string table: match whole names.
    hay.windows(n.len() + 2)
        .any(|w| w[0] == 0 && &w[1..=n.len()] == n && w[n.len() + 1] == 0)
}

/// The kernel names the host side launches, per file.
fn expected_kernels() -> Vec<(&'static str, String)> {
    let mut v = Vec::new();
    for b in [1, 2, 4, 8] {
        v.push(("core.cu", format!("spk_fill_b{b}")));
    }
    for s in DType::ALL {
        for d in DType::ALL {
            v.push(("core.cu", format!("spk_convert_{s}_{d}")));
            v.push(("fire.cu", format!("spk_fire_rank_{s}_{d}")));
            v.push(("fire.cu", format!("spk_fire_rate_{s}_{d}")));
            v.push(("gather.cu", format!("spk_gather_rank_{s}_{d}")));
            v.push(("gather.cu", format!("spk_gather_rate_{s}_{d}")));
            v.push(("gather.cu", format!("spk_scatter_{s}_{d}")));
        }
        v.push(("fire.cu", format!("spk_threshold_{s}")));
        v.push(("fire.cu", format!("spk_quantize_{s}")));
        for k in ["pad", "max_pool", "rate_pool"] {
            v.push(("pool.cu", format!("spk_{k}_{s}")));
        }
        v.push(("inhibit.cu", format!("spk_inhibit_{s}")));
        for k in ["code_times", "code_rank", "code_rate", "infinite"] {
            v.push(("code.cu", format!("spk_{k}_{s}")));
        }
        v.push(("filter.cu", format!("spk_zca_split_{s}")));
        if matches!(s, DType::F16 | DType::F32 | DType::F64) {
            v.push(("code.cu", format!("spk_code_check_{s}")));
            for k in ["filter_check", "filter", "zca_apply"] {
                v.push(("filter.cu", format!("spk_{k}_{s}")));
            }
        }
        v.push(("wta.cu", format!("spk_wta_{s}")));
        for k in ["backward", "labelize", "fcb_update", "fcb_next"] {
            v.push(("backprop.cu", format!("spk_{k}_{s}")));
        }
        v.push(("stdp.cu", format!("spk_first_spike_{s}")));
    }
    for k in ["f16", "f32", "f64"] {
        for i in ["u8", k] {
            v.push(("conv.cu", format!("spk_conv_{i}_{k}")));
            v.push(("fc.cu", format!("spk_fc_{i}_{k}")));
        }
    }
    v.push(("backprop.cu", "spk_fcb_sign".to_string()));
    v.push(("backprop.cu", "spk_fcb_rows".to_string()));
    for k in ["f16", "f32", "f64"] {
        v.push(("stdp.cu", format!("spk_conv_stdp_{k}")));
        v.push(("stdp.cu", format!("spk_fc_stdp_{k}")));
    }
    v
}

#[test]
fn every_kernel_file_compiles_to_cubin() {
    if !nvrtc_or_skip() {
        return;
    }
    let supported = nvrtc::supported_archs().unwrap();
    eprintln!("NVRTC supports {supported:?}");
    for arch in archs() {
        let t = std::time::Instant::now();
        let built = kernels::compile_all(arch).unwrap_or_else(|e| panic!("sm_{arch}: {e}"));
        assert_eq!(built.len(), kernels::SOURCES.len());
        for (name, cubin) in &built {
            // An ELF image.
            assert_eq!(
                &cubin[..4],
                b"\x7fELF",
                "{name} for sm_{arch} is not a CUBIN"
            );
            eprintln!("sm_{arch} {name}: {} bytes", cubin.len());
        }
        for (file, kernel) in expected_kernels() {
            let (_, cubin) = built.iter().find(|(n, _)| *n == file).unwrap();
            assert!(
                contains(cubin, &kernel),
                "{file} for sm_{arch} lacks {kernel}"
            );
        }
        eprintln!("sm_{arch}: all kernels compiled in {:.1?}", t.elapsed());
    }
}

#[test]
fn compile_errors_carry_the_nvrtc_log() {
    if !nvrtc_or_skip() {
        return;
    }
    let e = nvrtc::compile(
        "broken.cu",
        "extern \"C\" __global__ void k() { undefined_name; }",
        90,
    )
    .unwrap_err();
    assert_eq!(e.kind(), spyker::ErrorKind::Cuda);
    assert!(e.message().contains("undefined_name"), "{e}");
    assert!(e.message().contains("broken.cu"), "{e}");
}

#[test]
fn target_arch_falls_back_within_the_major_version() {
    if !nvrtc_or_skip() {
        return;
    }
    assert_eq!(nvrtc::target_arch((9, 0)).unwrap(), 90);
    // sm_91 does not exist in NVRTC's list: the sm_90 CUBIN runs on it.
    assert_eq!(nvrtc::target_arch((9, 1)).unwrap(), 90);
    assert_eq!(
        nvrtc::target_arch((1, 0)).unwrap_err().kind(),
        spyker::ErrorKind::Cuda
    );
}
