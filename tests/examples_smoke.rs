//! End-to-end smoke tests of the reference-network examples on a few hundred bundled digits:
//! each network must train, classify and beat a bound that a broken pipeline (dead features,
//! wrong labels, no learning) cannot reach. The example files themselves are compiled in, so
//! this runs exactly the code users run.

// Each example file brings its own `mod common;`, so the shared module is compiled once per example.
#![allow(clippy::duplicate_mod)]

#[allow(dead_code)]
#[path = "../examples/rezghi.rs"]
mod rezghi;

#[allow(dead_code)]
#[path = "../examples/kheradpisheh.rs"]
mod kheradpisheh;

#[allow(dead_code)]
#[path = "../examples/mozafari.rs"]
mod mozafari;

// Each example compiles its own copy of `common`, so each test parses with its module's `Args`.
fn argv(extra: &[&str]) -> Vec<String> {
    let mut v = vec!["test", "--limit", "320", "--threads", "2", "--quiet"];
    v.extend_from_slice(extra);
    v.into_iter().map(String::from).collect()
}

fn args(extra: &[&str]) -> rezghi::common::Args {
    rezghi::common::Args::parse_from(argv(extra)).unwrap()
}

#[test]
fn rezghi_small_run_learns_and_reloads() {
    let file = std::env::temp_dir().join(format!("spyker_rezghi_{}.npz", std::process::id()));
    let f = file.to_str().unwrap();
    let trained = rezghi::run(&args(&["--scaled", "--no-linear", "--save", f])).unwrap();
    // Measured 0.5125 on 320/80 images (chance is 0.1; a broken pipeline stays near it).
    assert!(trained > 0.4, "rezghi accuracy {trained} on 320/80 images");
    // The saved kernels reproduce the run exactly (features and classifier are deterministic).
    let reloaded = rezghi::run(&args(&["--scaled", "--no-linear", "--load", f])).unwrap();
    std::fs::remove_file(&file).ok();
    assert_eq!(trained, reloaded);
}

#[test]
fn kheradpisheh_small_run_learns() {
    let acc = kheradpisheh::run(
        &kheradpisheh::common::Args::parse_from(argv(&["--scaled", "--epochs", "1"])).unwrap(),
    )
    .unwrap();
    assert!(acc > 0.5, "kheradpisheh accuracy {acc} on 320/80 images");
}

#[test]
fn mozafari_small_run_runs() {
    // R-STDP needs many epochs; one epoch only has to run and decide (silent = −1 never counts).
    let acc = mozafari::run(
        &mozafari::common::Args::parse_from(argv(&["--scaled", "--epochs", "1"])).unwrap(),
    )
    .unwrap();
    assert!((0.0..=1.0).contains(&acc));
}

#[test]
fn bad_options_are_errors() {
    let bad = |v: &[&str]| {
        rezghi::common::Args::parse_from(v.iter().map(|s| s.to_string()).collect()).err()
    };
    assert!(bad(&["x", "--limit"])
        .unwrap()
        .to_string()
        .contains("needs a value"));
    assert!(bad(&["x", "--frobnicate"])
        .unwrap()
        .to_string()
        .contains("unknown option"));
    assert!(bad(&["x", "--batch", "0"]).is_some());
    let a = args(&["--data", "/nonexistent/folder"]);
    assert!(rezghi::run(&a).is_err());
}
