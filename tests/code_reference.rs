//! Golden-vector tests of rank coding and `infinite` against the original
//! (tests/reference/code.npz, written by scripts/reference/gen_code.py), plus error paths.
//! Exact rate coding lives in `code_rate_exact.rs` (it needs a fresh process), statistics and
//! thread independence in `code_rate.rs`.

mod common;
use common::{assert_exact, Golden};
use spyker::{
    code, code_as, code_into, infinite, infinite_inplace, Code, DType, ErrorKind, Tensor,
};

#[test]
fn rank_coding_matches_original_exactly() {
    let g = Golden::load("code");
    let cases = g.cases_with("rank_");
    assert!(cases.len() >= 66, "only {} rank cases", cases.len());
    for case in cases {
        let input = g.get(&format!("{case}__input"));
        let want = g.get(&format!("{case}__output"));
        let time = g.scalar(&format!("{case}__time")) as i64;
        let sort = g.scalar(&format!("{case}__sort")) != 0.0;
        let got = code_as(&input, time, sort, want.dtype(), Code::Rank)
            .unwrap_or_else(|e| panic!("{case}: {e}"));
        assert_exact(&got, &want, &case);
    }
}

#[test]
fn default_output_is_u8_and_into_matches() {
    let g = Golden::load("code");
    let input = g.get("rank_sorted_ties_300_u8__input");
    let want = g.get("rank_sorted_ties_300_u8__output");
    let got = code(&input, 11, true, Code::Rank).unwrap();
    assert_exact(&got, &want, "code");
    let out = Tensor::zeros(DType::F32, want.shape()).unwrap();
    code_into(&input, &out, 11, true, Code::Rank).unwrap();
    assert_exact(&out, &want.to_dtype(DType::F32).unwrap(), "code_into f32");
}

#[test]
fn one_dimensional_input_gains_a_batch_dimension() {
    let g = Golden::load("code");
    let input = g.get("rank_linear_free_1d_f32__input");
    assert_eq!(input.dims(), 1);
    let got = code(&input, 6, false, Code::Rank).unwrap();
    assert_eq!(got.shape(), &[1, 6, input.numel()]);
}

/// Deviation (docs/COMPATIBILITY.md): the original's u16 spike times wrap for large inputs, so a
/// minimum-valued feature spikes; here minimum-valued features never spike. Everything else
/// matches the original.
#[test]
fn sorted_times_do_not_wrap_for_minimum_features() {
    let g = Golden::load("code");
    let input = g.get("wrap__input");
    let want = g.get("wrap__output").to_vec::<u8>().unwrap();
    let x = input.to_vec::<f32>().unwrap();
    let n = x.len();
    let got = code(&input, 15, true, Code::Rank)
        .unwrap()
        .to_vec::<u8>()
        .unwrap();
    let mut spurious = 0;
    for t in 0..15 {
        for j in 0..n {
            let (gv, wv) = (got[t * n + j], want[t * n + j]);
            if x[j] > 0.0 {
                assert_eq!(gv, wv, "non-minimum feature {j} at t {t}");
            } else {
                assert_eq!(gv, 0, "minimum feature {j} fired at t {t}");
                spurious += (wv != 0) as usize;
            }
        }
    }
    assert!(
        spurious > 0,
        "the original's wrap-around is no longer in the golden data"
    );
}

#[test]
fn infinite_matches_original() {
    let g = Golden::load("code");
    let cases = g.cases_with("inf_");
    assert_eq!(cases.len(), 5);
    for case in cases {
        let input = g.get(&format!("{case}__input"));
        let want = g.get(&format!("{case}__output"));
        let value = g.scalar(&format!("{case}__value"));
        let before = input.to_bytes().unwrap();
        let got = infinite(&input, value).unwrap();
        assert_exact(&got, &want, &case);
        assert_eq!(input.to_bytes().unwrap(), before, "{case}: input modified");
        infinite_inplace(&input, value).unwrap();
        assert_exact(&input, &want, &format!("{case} in place"));
    }
}

#[test]
fn code_rejects_invalid_arguments() {
    let x = Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 4.0], &[2, 2]).unwrap();
    for time in [0, -1, -100, 65536] {
        for c in [Code::Rank, Code::Rate] {
            let e = code(&x, time, true, c).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Argument, "time {time}");
            assert!(e.message().contains(&time.to_string()), "{e}");
        }
    }
    // NaN anywhere, any mode; infinities only where the linear rule cannot handle them.
    let nan = Tensor::from_vec(vec![1.0f32, f32::NAN, 3.0, 4.0], &[2, 2]).unwrap();
    for sort in [false, true] {
        for c in [Code::Rank, Code::Rate] {
            let e = code(&nan, 5, sort, c).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Argument);
            assert!(e.message().contains("NaN"), "{e}");
        }
    }
    let nan64 = Tensor::from_vec(vec![f64::NAN; 3], &[3]).unwrap();
    assert!(code(&nan64, 5, true, Code::Rank).is_err());
    let inf = Tensor::from_vec(vec![1.0f32, f32::INFINITY, 3.0, 4.0], &[2, 2]).unwrap();
    assert_eq!(
        code(&inf, 5, false, Code::Rank).unwrap_err().kind(),
        ErrorKind::Argument
    );
    // Rank order handles infinities: the infinite feature spikes first.
    let y = code(&inf, 2, true, Code::Rank).unwrap();
    assert_eq!(y.to_vec::<u8>().unwrap(), [0, 1, 0, 1, 0, 1, 0, 1]);
    // Output of the wrong shape (rank or extents) for code_into.
    for shape in [
        &[2, 5, 2][..],
        &[2, 4, 3],
        &[5, 2, 2],
        &[2, 5, 2, 1],
        &[10, 2],
    ] {
        let out = Tensor::zeros(DType::U8, shape).unwrap();
        let e = code_into(&x, &out, 4, true, Code::Rank).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Shape, "{shape:?}");
        assert!(e.message().contains("[2, 4, 2]"), "{e}");
    }
    // Empty tensors cannot be built, so they cannot reach `code`.
    assert_eq!(
        Tensor::zeros(DType::F32, &[2, 0]).unwrap_err().kind(),
        ErrorKind::Shape
    );
}

#[test]
fn infinite_rejects_rank_one() {
    let x = Tensor::from_vec(vec![1u8, 2, 3], &[3]).unwrap();
    let e = infinite(&x, 0.0).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Shape);
    assert!(e.message().contains("[3]"), "{e}");
    assert_eq!(
        infinite_inplace(&x, 0.0).unwrap_err().kind(),
        ErrorKind::Shape
    );
    assert_eq!(x.to_vec::<u8>().unwrap(), [1, 2, 3]);
}

#[test]
fn code_into_may_alias_its_input() {
    // time 1 gives an output with the input's element count: code a tensor into a view of itself.
    let x = Tensor::from_vec(vec![3.0f32, 1.0, 2.0, 5.0, 4.0, 4.0], &[2, 3]).unwrap();
    let want = code_as(&x, 1, true, DType::F32, Code::Rank).unwrap();
    let view = x.reshape(&[2, 1, 3]).unwrap();
    code_into(&x, &view, 1, true, Code::Rank).unwrap();
    assert_exact(&view, &want, "aliased");
}
