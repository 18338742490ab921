//! ZCA against the original (tests/reference/filter.npz): fit (mean, whitening matrix), whitening
//! in place and by copy, split, save/load. The original computes in f32 with LAPACK, we compute in
//! f64, so comparisons use tolerances; the whitening matrix is compared directly because it does
//! not depend on the eigenvectors' signs.

mod common;
use common::{assert_close, assert_exact, Golden};
use spyker::{set_max_threads, DType, ErrorKind, Tensor, ZCA};

fn max_abs(t: &Tensor) -> f64 {
    t.to_vec_as::<f64>()
        .unwrap()
        .iter()
        .fold(0.0f64, |a, v| a.max(v.abs()))
}

#[test]
fn fit_and_apply_match_the_original() {
    let g = Golden::load("filter");
    for case in ["zca0", "zca1", "zca2"] {
        let x = g.get(&format!("{case}__x"));
        let eps = g.scalar(&format!("{case}__eps"));
        let mut z = ZCA::new();
        let y = x.copy().unwrap();
        z.fit(&y, eps, true).unwrap();
        let mean = g.get(&format!("{case}__mean"));
        let w = g.get(&format!("{case}__transform"));
        assert_close(z.mean().unwrap(), &mean, 1e-5, 1e-5 * max_abs(&mean), case);
        assert_close(z.transform().unwrap(), &w, 1e-4, 1e-4 * max_abs(&w), case);
        let want = g.get(&format!("{case}__fit_transformed"));
        assert_close(&y, &want, 1e-4, 1e-4 * max_abs(&want), case);
        // Copying application leaves its input alone; in place changes it.
        let x2 = g.get(&format!("{case}__x2"));
        let before = x2.copy().unwrap();
        let a = z.apply(&x2).unwrap();
        assert_exact(&x2, &before, "apply must not modify its input");
        let want = g.get(&format!("{case}__applied"));
        assert_close(&a, &want, 1e-4, 1e-4 * max_abs(&want), case);
        z.apply_inplace(&x2).unwrap();
        assert_exact(&x2, &a, "in place equals copy");
    }
}

#[test]
fn whitened_data_has_identity_covariance() {
    let g = Golden::load("filter");
    let x = g.get("zca0__x");
    let mut z = ZCA::new();
    let x64 = x.to_dtype(DType::F64).unwrap();
    z.fit(&x64, 0.0, true).unwrap();
    let v = x64.to_vec::<f64>().unwrap();
    let (n, d) = (x.shape()[0], x.shape()[1]);
    for a in 0..d {
        for b in 0..d {
            let c: f64 = (0..n).map(|r| v[r * d + a] * v[r * d + b]).sum::<f64>() / (n - 1) as f64;
            let want = if a == b { 1.0 } else { 0.0 };
            assert!((c - want).abs() < 1e-4, "cov[{a}][{b}] = {c}");
        }
    }
}

#[test]
fn fit_is_thread_count_independent() {
    let g = Golden::load("filter");
    let x = g.get("zca1__x");
    set_max_threads(1);
    let mut a = ZCA::new();
    a.fit(&x, 0.1, false).unwrap();
    set_max_threads(2);
    let mut b = ZCA::new();
    b.fit(&x, 0.1, false).unwrap();
    set_max_threads(0);
    assert_exact(a.transform().unwrap(), b.transform().unwrap(), "threads");
}

#[test]
fn split_matches_the_original_except_unsigned_wrap() {
    let g = Golden::load("filter");
    for dt in ["f32", "f64", "i16", "1d"] {
        let x = g.get(&format!("split_{dt}__x"));
        let y = ZCA::split(&x).unwrap();
        assert_exact(&y, &g.get(&format!("split_{dt}__y")), dt);
        let out = Tensor::zeros(y.dtype(), y.shape()).unwrap();
        ZCA::split_into(&x, &out).unwrap();
        assert_exact(&out, &y, "split_into");
    }
    // u8: the original wraps −x (3 → 253); the negative part of an unsigned value is 0 here.
    let x = g.get("split_u8__x");
    let want = g.get("split_u8__y");
    let y = ZCA::split(&x).unwrap();
    assert_eq!(y.shape(), want.shape());
    let (yv, wv) = (y.to_vec::<u8>().unwrap(), want.to_vec::<u8>().unwrap());
    let d = 7;
    for r in 0..3 {
        assert_eq!(yv[r * 2 * d..r * 2 * d + d], wv[r * 2 * d..r * 2 * d + d]);
        assert!(yv[r * 2 * d + d..(r + 1) * 2 * d].iter().all(|v| *v == 0));
    }
    assert!(wv[d..2 * d].iter().any(|v| *v != 0), "the original wraps");
}

#[test]
fn save_and_load_round_trip() {
    let g = Golden::load("filter");
    let mut z = ZCA::new();
    z.fit(&g.get("zca2__x"), 1e-3, false).unwrap();
    let dir = std::env::temp_dir().join(format!("spyker-zca-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("zca.npz");
    z.save(&path).unwrap();
    let l = ZCA::load(&path).unwrap();
    assert_exact(l.mean().unwrap(), z.mean().unwrap(), "mean");
    assert_exact(l.transform().unwrap(), z.transform().unwrap(), "transform");
    // A file in the original's format (keys mean, transform; f32).
    spyker::io::write_npz(
        &path,
        &[
            ("mean", &g.get("zca2__mean")),
            ("transform", &g.get("zca2__transform")),
        ],
    )
    .unwrap();
    let o = ZCA::load(&path).unwrap();
    let want = g.get("zca2__applied");
    let got = o.apply(&g.get("zca2__x2")).unwrap();
    assert_close(&got, &want, 1e-5, 1e-5 * max_abs(&want), "loaded original");
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(
        ZCA::load(dir.join("missing.npz")).unwrap_err().kind(),
        ErrorKind::Io
    );
}

#[test]
fn invalid_arguments_are_errors() {
    let mut z = ZCA::new();
    let x = Tensor::zeros(DType::F32, &[5, 3]).unwrap();
    // Use before fit.
    assert_eq!(z.apply(&x).unwrap_err().kind(), ErrorKind::Argument);
    assert_eq!(
        z.save(std::env::temp_dir().join("never.npz"))
            .unwrap_err()
            .kind(),
        ErrorKind::Argument
    );
    // Rank 1, one sample, integer dtype, NaN, negative epsilon.
    let r1 = Tensor::zeros(DType::F32, &[5]).unwrap();
    assert_eq!(z.fit(&r1, 0.1, false).unwrap_err().kind(), ErrorKind::Shape);
    let one = Tensor::zeros(DType::F32, &[1, 5]).unwrap();
    assert_eq!(
        z.fit(&one, 0.1, false).unwrap_err().kind(),
        ErrorKind::Shape
    );
    let u = Tensor::zeros(DType::U8, &[4, 3]).unwrap();
    assert_eq!(z.fit(&u, 0.1, false).unwrap_err().kind(), ErrorKind::DType);
    let nan = Tensor::from_vec(vec![1.0f32, f32::NAN, 2.0, 3.0], &[2, 2]).unwrap();
    assert_eq!(
        z.fit(&nan, 0.1, false).unwrap_err().kind(),
        ErrorKind::Argument
    );
    let ok = Tensor::from_vec(vec![1.0f32, 2.0, 2.0, 5.0, 0.0, 1.0], &[3, 2]).unwrap();
    assert_eq!(
        z.fit(&ok, -1.0, false).unwrap_err().kind(),
        ErrorKind::Argument
    );
    // Constant data with epsilon 0: singular.
    let c = Tensor::full(DType::F32, &[4, 2], 1.0).unwrap();
    assert_eq!(
        z.fit(&c, 0.0, false).unwrap_err().kind(),
        ErrorKind::Argument
    );
    z.fit(&ok, 0.1, false).unwrap();
    // Feature count mismatch, integer input to apply.
    assert_eq!(z.apply(&x).unwrap_err().kind(), ErrorKind::Shape);
    let ui = Tensor::zeros(DType::I32, &[4, 2]).unwrap();
    assert_eq!(z.apply(&ui).unwrap_err().kind(), ErrorKind::DType);
    // One sample as rank 1 is promoted.
    let s = Tensor::from_vec(vec![1.0f32, 2.0], &[2]).unwrap();
    assert_eq!(z.apply(&s).unwrap().shape(), &[2]);
    // split_into with the wrong shape.
    let bad = Tensor::zeros(DType::F32, &[5, 3]).unwrap();
    assert_eq!(
        ZCA::split_into(&x, &bad).unwrap_err().kind(),
        ErrorKind::Shape
    );
    assert_eq!(
        ZCA::from_parts(&x, &x).unwrap_err().kind(),
        ErrorKind::Shape
    );
}
