//! Golden-vector tests of `conv` and `Conv::forward` against the original
//! (tests/reference/conv.npz, written by scripts/reference/gen_conv.py).

mod common;
use common::{assert_close, assert_exact, Golden};
use spyker::{DType, ErrorKind, Expand2, Expand4, Tensor};

fn expand2(t: &Tensor) -> Expand2 {
    Expand2::from_slice(&t.to_vec::<i64>().unwrap()).unwrap()
}

fn expand4(t: &Tensor) -> Expand4 {
    Expand4::from_slice(&t.to_vec::<i64>().unwrap()).unwrap()
}

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

/// Runs golden case `c` through `conv` and `conv_into`.
fn run_case(g: &Golden, c: &str) -> (Tensor, Tensor) {
    let x = g.get(&format!("{c}__input"));
    let k = g.get(&format!("{c}__kernel"));
    let s = expand2(&g.get(&format!("{c}__stride")));
    let p = expand4(&g.get(&format!("{c}__pad")));
    let want = g.get(&format!("{c}__output"));
    let got = spyker::conv(&x, &k, s, p).unwrap();
    let into = Tensor::full(k.dtype(), want.shape(), 7.0).unwrap();
    spyker::conv_into(&x, &k, &into, s, p).unwrap();
    assert_exact(&into, &got, &format!("{c}: conv_into vs conv"));
    (got, want)
}

/// Spike or small-integer inputs with kernels in multiples of 1/64: every partial sum is exact,
/// so the result is bit-identical whatever the summation order (including +0.0 for zero sums).
#[test]
fn exact_cases_match_bit_for_bit() {
    let g = Golden::load("conv");
    let cases = g.cases_with("exact_");
    assert!(cases.len() >= 20, "{cases:?}");
    for c in cases {
        let (got, want) = run_case(&g, &c);
        assert_exact(&got, &want, &c);
    }
}

#[test]
fn signed_zero_is_positive_like_the_original() {
    let g = Golden::load("conv");
    let (got, _) = run_case(&g, "exact_signed_zero");
    let v = got.to_vec::<f32>().unwrap();
    assert!(v.contains(&0.0));
    assert!(v.iter().all(|x| *x != 0.0 || x.is_sign_positive()));
}

/// General floats: the original sums in oneDNN's order with FMA, we in the `gemm` crate's order;
/// both are f32 sums of at most C·kh·kw = 150 products, so the difference is a few ulps of the
/// sum of magnitudes. Tolerance: 1e-5 relative plus 1e-5 absolute (values are O(1..100)).
#[test]
fn float_cases_match_within_tolerance() {
    let g = Golden::load("conv");
    let cases = g.cases_with("float_");
    assert!(cases.len() >= 3);
    for c in cases {
        let (got, want) = run_case(&g, &c);
        let (abs, ulps) = max_diff(&got, &want);
        eprintln!("conv {c}: max |diff| {abs:e}, max {ulps:.2} ulp");
        assert_close(&got, &want, 1e-5, 1e-5, &c);
    }
}

#[test]
fn conv_layer_forward_matches_original() {
    let g = Golden::load("conv");
    let mut layer =
        spyker::Conv::new(6, 16, 5, 1, 2, 0.5, 0.02, spyker::Device::Cpu, DType::F32).unwrap();
    layer.kernel = g.get("float_rezghi__kernel");
    let x = g.get("float_rezghi__input");
    let want = g.get("float_rezghi__layer");
    let got = layer.forward(&x).unwrap();
    assert_close(&got, &want, 1e-5, 1e-5, "Conv::forward");
    let into = Tensor::zeros(DType::F32, want.shape()).unwrap();
    layer.forward_into(&x, &into).unwrap();
    assert_exact(&into, &got, "Conv::forward_into");
    // The layer's own initialisation after the same seed gives the same kernel.
    spyker::random_seed(7);
    let fresh =
        spyker::Conv::new(6, 16, 5, 1, 2, 0.5, 0.02, spyker::Device::Cpu, DType::F32).unwrap();
    assert_exact(
        &fresh.kernel,
        &layer.kernel,
        "Conv kernel after random_seed(7)",
    );
}

/// f16 and f64 kernels (rejected by the original): the exact cases give the same values in every
/// float type, since multiples of 1/64 and the partial sums are representable in f16 as well.
#[test]
fn f16_and_f64_kernels_give_the_exact_results() {
    let g = Golden::load("conv");
    for c in [
        "exact_s1p1",
        "exact_s21p1234",
        "exact_rank4",
        "exact_dtype_f64",
    ] {
        let x = g.get(&format!("{c}__input"));
        let s = expand2(&g.get(&format!("{c}__stride")));
        let p = expand4(&g.get(&format!("{c}__pad")));
        let want = g.get(&format!("{c}__output"));
        for dt in [DType::F16, DType::F64] {
            let k = g.get(&format!("{c}__kernel")).to_dtype(dt).unwrap();
            let got = spyker::conv(&x, &k, s, p).unwrap();
            assert_eq!(got.dtype(), dt);
            assert_exact(
                &got.to_dtype(DType::F32).unwrap(),
                &want,
                &format!("{c} {dt}"),
            );
        }
    }
}

/// f64 kernels with general floats agree with the original's f32 result to f32 precision.
#[test]
fn f64_kernel_general_floats() {
    let g = Golden::load("conv");
    let c = "float_normal";
    let x = g.get(&format!("{c}__input"));
    let k = g.get(&format!("{c}__kernel")).to_dtype(DType::F64).unwrap();
    let want = g.get(&format!("{c}__output")).to_dtype(DType::F64).unwrap();
    let got = spyker::conv(&x, &k, 1, 1).unwrap();
    assert_close(&got, &want, 1e-5, 1e-5, "f64 kernel");
}

/// Results do not depend on the number of threads.
#[test]
fn deterministic_across_thread_counts() {
    let g = Golden::load("conv");
    let x = g.get("float_normal__input");
    let k = g.get("float_normal__kernel");
    let before = spyker::max_threads();
    spyker::set_max_threads(1);
    let one = spyker::conv(&x, &k, 1, 1).unwrap();
    spyker::set_max_threads(3);
    let three = spyker::conv(&x, &k, 1, 1).unwrap();
    spyker::set_max_threads(before as i64);
    assert_exact(&three, &one, "1 vs 3 threads");
}

/// A tiny hand-checked case: 1 channel 3×3 input, 2×2 kernel, pad (top 1, left 0, bottom 0,
/// right 0), stride 1 → 3×2 output.
#[test]
fn hand_checked_small_case() {
    let x = Tensor::from_vec(vec![1.0f32, 2., 3., 4., 5., 6., 7., 8., 9.], &[1, 1, 3, 3]).unwrap();
    let k = Tensor::from_vec(vec![1.0f32, 0., 0., -1.], &[1, 1, 2, 2]).unwrap();
    let y = spyker::conv(&x, &k, 1, (1, 0, 0, 0)).unwrap();
    assert_eq!(y.shape(), &[1, 1, 1, 3, 2]);
    // Row 0 sees the zero pad row on top: 0 - in[0][j+1]; rows 1.. : in[i-1][j] - in[i][j+1].
    assert_eq!(
        y.to_vec::<f32>().unwrap(),
        vec![-2., -3., 1. - 5., 2. - 6., 4. - 8., 5. - 9.]
    );
}

fn err(r: spyker::Result<Tensor>) -> ErrorKind {
    r.expect_err("expected an error").kind()
}

#[test]
fn invalid_arguments_are_errors() {
    let x = Tensor::zeros(DType::U8, &[1, 2, 3, 6, 6]).unwrap();
    let k = Tensor::zeros(DType::F32, &[4, 3, 3, 3]).unwrap();
    // Stride 0 (the original crashes with SIGFPE).
    assert_eq!(err(spyker::conv(&x, &k, 0, 0)), ErrorKind::Argument);
    assert_eq!(err(spyker::conv(&x, &k, (1, 0), 0)), ErrorKind::Argument);
    // Kernel larger than the padded input, also where truncating division would accept it.
    let big = Tensor::zeros(DType::F32, &[4, 3, 7, 7]).unwrap();
    assert_eq!(err(spyker::conv(&x, &big, 7, 0)), ErrorKind::Shape);
    assert_eq!(err(spyker::conv(&x, &big, 1, 0)), ErrorKind::Shape);
    assert!(spyker::conv(&x, &big, 1, (1, 0, 0, 0)).is_err());
    assert!(spyker::conv(&x, &big, 1, (1, 1, 0, 0)).is_ok());
    // Channel mismatch.
    let k2 = Tensor::zeros(DType::F32, &[4, 2, 3, 3]).unwrap();
    assert_eq!(err(spyker::conv(&x, &k2, 1, 0)), ErrorKind::Shape);
    // Integer kernels.
    for dt in [DType::I32, DType::U8, DType::I64] {
        let ki = Tensor::zeros(dt, &[4, 3, 3, 3]).unwrap();
        assert_eq!(err(spyker::conv(&x, &ki, 1, 0)), ErrorKind::DType);
    }
    // Wrong ranks: input of rank 3 or 6, kernel of rank 3 or 5.
    let x3 = Tensor::zeros(DType::U8, &[3, 6, 6]).unwrap();
    assert_eq!(err(spyker::conv(&x3, &k, 1, 0)), ErrorKind::Shape);
    let x6 = Tensor::zeros(DType::U8, &[1, 1, 2, 3, 6, 6]).unwrap();
    assert_eq!(err(spyker::conv(&x6, &k, 1, 0)), ErrorKind::Shape);
    let k3 = Tensor::zeros(DType::F32, &[3, 3, 3]).unwrap();
    assert_eq!(err(spyker::conv(&x, &k3, 1, 0)), ErrorKind::Shape);
    let k5 = Tensor::zeros(DType::F32, &[1, 4, 3, 3, 3]).unwrap();
    assert_eq!(err(spyker::conv(&x, &k5, 1, 0)), ErrorKind::Shape);
    // Empty tensors cannot be built at all.
    assert!(Tensor::zeros(DType::U8, &[1, 0, 3, 6, 6]).is_err());
}

#[test]
fn invalid_outputs_are_errors() {
    let x = Tensor::zeros(DType::U8, &[1, 2, 3, 6, 6]).unwrap();
    let k = Tensor::zeros(DType::F32, &[4, 3, 3, 3]).unwrap();
    let ok = Tensor::zeros(DType::F32, &[1, 2, 4, 4, 4]).unwrap();
    spyker::conv_into(&x, &k, &ok, 1, 0).unwrap();
    // Rank-4 output for B = 1 is accepted (rank normalisation).
    let ok4 = Tensor::zeros(DType::F32, &[2, 4, 4, 4]).unwrap();
    spyker::conv_into(&x, &k, &ok4, 1, 0).unwrap();
    let bad_shape = Tensor::zeros(DType::F32, &[1, 2, 4, 4, 5]).unwrap();
    assert_eq!(
        spyker::conv_into(&x, &k, &bad_shape, 1, 0)
            .unwrap_err()
            .kind(),
        ErrorKind::Shape
    );
    let bad_dtype = Tensor::zeros(DType::F64, &[1, 2, 4, 4, 4]).unwrap();
    assert_eq!(
        spyker::conv_into(&x, &k, &bad_dtype, 1, 0)
            .unwrap_err()
            .kind(),
        ErrorKind::DType
    );
    // Output sharing memory with the input.
    let buf = Tensor::zeros(DType::F32, &[2 * 3 * 36 + 2 * 4 * 16]).unwrap();
    let xin = buf
        .slice(0, 2 * 3 * 36)
        .unwrap()
        .reshape_to(&[1, 2, 3, 6, 6])
        .unwrap();
    let yout = buf
        .slice(2 * 3 * 36, 2 * 3 * 36 + 2 * 4 * 16)
        .unwrap()
        .reshape_to(&[1, 2, 4, 4, 4])
        .unwrap();
    assert_eq!(
        spyker::conv_into(&xin, &k, &yout, 1, 0).unwrap_err().kind(),
        ErrorKind::Argument
    );
}
