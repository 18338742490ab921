//! Golden-vector tests of `fc` and `FC::forward` against the original
//! (tests/reference/fc.npz, written by scripts/reference/gen_fc.py).

mod common;
use common::{assert_close, assert_exact, Golden};
use spyker::{DType, ErrorKind, Tensor};

/// The largest absolute difference and the largest difference in ulps of `want` (printed by the
/// tolerance tests, `--nocapture`, to document the measured agreement).
fn max_diff(got: &Tensor, want: &Tensor) -> (f64, f64) {
    let g = got.to_vec_as::<f64>().unwrap();
    let w = want.to_vec_as::<f64>().unwrap();
    let ulp = |x: f64| {
        if want.dtype() == DType::F64 {
            f64::EPSILON * x.abs().max(f64::MIN_POSITIVE)
        } else {
            f64::from(f32::EPSILON) * x.abs().max(1e-30)
        }
    };
    g.iter().zip(&w).fold((0.0, 0.0), |(a, u), (x, y)| {
        ((x - y).abs().max(a), ((x - y).abs() / ulp(*y)).max(u))
    })
}

fn run_case(g: &Golden, c: &str) -> (Tensor, Tensor) {
    let x = g.get(&format!("{c}__input"));
    let k = g.get(&format!("{c}__kernel"));
    let sign = g.scalar(&format!("{c}__sign")) != 0.0;
    let want = g.get(&format!("{c}__output"));
    let before = k.to_bytes().unwrap();
    let got = spyker::fc(&x, &k, sign).unwrap();
    assert_eq!(
        k.to_bytes().unwrap(),
        before,
        "{c}: the kernel must not change"
    );
    let into = Tensor::full(k.dtype(), want.shape(), 3.0).unwrap();
    spyker::fc_into(&x, &k, &into, sign).unwrap();
    assert_exact(&into, &got, &format!("{c}: fc_into vs fc"));
    (got, want)
}

/// Spike or small-integer inputs with kernels in multiples of 1/64 (or their signs): exact sums,
/// so bit-identical results including +0.0 for zero sums.
#[test]
fn exact_cases_match_bit_for_bit() {
    let g = Golden::load("fc");
    let cases = g.cases_with("exact_");
    assert!(cases.len() >= 15, "{cases:?}");
    for c in cases {
        let (got, want) = run_case(&g, &c);
        assert_exact(&got, &want, &c);
    }
}

#[test]
fn signed_zero_is_positive_like_the_original() {
    let g = Golden::load("fc");
    let (got, _) = run_case(&g, "exact_signed_zero");
    assert!(got
        .to_vec::<f32>()
        .unwrap()
        .iter()
        .all(|x| *x == 0.0 && x.is_sign_positive()));
}

/// General floats: MKL's summation order vs the `gemm` crate's, sums of at most 100 products.
/// Tolerance 1e-5 relative + 1e-5 absolute for f32, 1e-12 for f64.
#[test]
fn float_cases_match_within_tolerance() {
    let g = Golden::load("fc");
    let cases = g.cases_with("float_");
    assert!(cases.len() >= 5);
    for c in cases {
        let (got, want) = run_case(&g, &c);
        let (abs, ulps) = max_diff(&got, &want);
        eprintln!("fc {c}: max |diff| {abs:e}, max {ulps:.2} ulp");
        let tol = if want.dtype() == DType::F64 {
            1e-12
        } else {
            1e-5
        };
        assert_close(&got, &want, tol, tol, &c);
    }
}

#[test]
fn fc_layer_forward_matches_original() {
    let g = Golden::load("fc");
    spyker::random_seed(11);
    let layer = spyker::FC::with_defaults(100, 10).unwrap();
    assert_exact(
        &layer.kernel,
        &g.get("float_layer__kernel"),
        "FC kernel after random_seed(11)",
    );
    let x = g.get("float_layer__input");
    let want = g.get("float_layer__output");
    let got = layer.forward(&x, false).unwrap();
    assert_close(&got, &want, 1e-5, 1e-5, "FC::forward");
    let into = Tensor::zeros(DType::F32, want.shape()).unwrap();
    layer.forward_into(&x, &into, false).unwrap();
    assert_exact(&into, &got, "FC::forward_into");
}

/// f16 kernels (rejected by the original) give the exact results too: the values and partial
/// sums of the exact cases are representable in f16.
#[test]
fn f16_kernels_give_the_exact_results() {
    let g = Golden::load("fc");
    for c in [
        "exact_plain",
        "exact_sign",
        "exact_plain_rank2",
        "exact_sign_rows",
    ] {
        let x = g.get(&format!("{c}__input"));
        let k = g.get(&format!("{c}__kernel")).to_dtype(DType::F16).unwrap();
        let sign = g.scalar(&format!("{c}__sign")) != 0.0;
        let got = spyker::fc(&x, &k, sign).unwrap();
        assert_eq!(got.dtype(), DType::F16);
        let want = g.get(&format!("{c}__output"));
        assert_exact(&got.to_dtype(DType::F32).unwrap(), &want, c);
    }
}

#[test]
fn deterministic_across_thread_counts() {
    let g = Golden::load("fc");
    // 150 rows of general floats: more than one 64-row block.
    let v: Vec<f32> = (0..3 * 50 * 33).map(|i| (i as f32 * 0.37).sin()).collect();
    let x = Tensor::from_vec(v, &[3, 50, 33]).unwrap();
    let k = g.get("exact_plain_rows__kernel");
    let before = spyker::max_threads();
    spyker::set_max_threads(1);
    let one = spyker::fc(&x, &k, false).unwrap();
    spyker::set_max_threads(3);
    let three = spyker::fc(&x, &k, false).unwrap();
    spyker::set_max_threads(before as i64);
    assert_exact(&three, &one, "1 vs 3 threads");
}

/// Hand-checked: `[1, 2, 3] · [[1, 0, -1], [0.5, 0.5, 0.5]]ᵀ = [-2, 3]`; with `sign`,
/// `[[1, 0, -1], [1, 1, 1]]` gives `[-2, 6]`.
#[test]
fn hand_checked_small_case() {
    let x = Tensor::from_vec(vec![1.0f64, 2., 3.], &[1, 3]).unwrap();
    let k = Tensor::from_vec(vec![1.0f64, 0., -1., 0.5, 0.5, 0.5], &[2, 3]).unwrap();
    let y = spyker::fc(&x, &k, false).unwrap();
    assert_eq!(y.shape(), &[1, 1, 2]);
    assert_eq!(y.to_vec::<f64>().unwrap(), vec![-2.0, 3.0]);
    let y = spyker::fc(&x, &k, true).unwrap();
    assert_eq!(y.to_vec::<f64>().unwrap(), vec![-2.0, 6.0]);
}

#[test]
fn invalid_arguments_are_errors() {
    let x = Tensor::zeros(DType::U8, &[2, 3, 5]).unwrap();
    let k = Tensor::zeros(DType::F32, &[4, 5]).unwrap();
    // Feature mismatch.
    let k6 = Tensor::zeros(DType::F32, &[4, 6]).unwrap();
    assert_eq!(
        spyker::fc(&x, &k6, false).unwrap_err().kind(),
        ErrorKind::Shape
    );
    // Integer kernel.
    let ki = Tensor::zeros(DType::I32, &[4, 5]).unwrap();
    assert_eq!(
        spyker::fc(&x, &ki, false).unwrap_err().kind(),
        ErrorKind::DType
    );
    // Wrong ranks: 1-D and 4-D inputs (the original fails both), 1-D and 3-D kernels.
    let x1 = Tensor::zeros(DType::U8, &[5]).unwrap();
    assert_eq!(
        spyker::fc(&x1, &k, false).unwrap_err().kind(),
        ErrorKind::Shape
    );
    let x4 = Tensor::zeros(DType::U8, &[1, 2, 3, 5]).unwrap();
    assert_eq!(
        spyker::fc(&x4, &k, false).unwrap_err().kind(),
        ErrorKind::Shape
    );
    let k1 = Tensor::zeros(DType::F32, &[5]).unwrap();
    assert_eq!(
        spyker::fc(&x, &k1, false).unwrap_err().kind(),
        ErrorKind::Shape
    );
    let k3 = Tensor::zeros(DType::F32, &[1, 4, 5]).unwrap();
    assert_eq!(
        spyker::fc(&x, &k3, false).unwrap_err().kind(),
        ErrorKind::Shape
    );
    // Outputs: wrong shape, wrong dtype, aliasing the input.
    let o = Tensor::zeros(DType::F32, &[2, 3, 4]).unwrap();
    spyker::fc_into(&x, &k, &o, false).unwrap();
    let o = Tensor::zeros(DType::F32, &[2, 3, 5]).unwrap();
    assert_eq!(
        spyker::fc_into(&x, &k, &o, false).unwrap_err().kind(),
        ErrorKind::Shape
    );
    let o = Tensor::zeros(DType::F64, &[2, 3, 4]).unwrap();
    assert_eq!(
        spyker::fc_into(&x, &k, &o, false).unwrap_err().kind(),
        ErrorKind::DType
    );
    let xf = Tensor::zeros(DType::F32, &[2, 3, 4]).unwrap();
    let k4 = Tensor::zeros(DType::F32, &[4, 4]).unwrap();
    assert_eq!(
        spyker::fc_into(&xf, &k4, &xf, false).unwrap_err().kind(),
        ErrorKind::Argument
    );
}
