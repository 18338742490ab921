//! `pad` and `pool` against the original (tests/reference/pool.npz, scripts/reference/gen_pool.py),
//! bit-exact, plus the deliberate deviations and the error paths.

mod common;
use common::{assert_exact, Golden, Rng};
use spyker::{pad, pad_into, pool, pool_into, DType, ErrorKind, Expand2, Expand4, Tensor};

fn e2(g: &Golden, key: &str) -> Expand2 {
    let v = g.get(key).to_vec::<i64>().unwrap();
    Expand2::from_slice(&v).unwrap()
}

fn e4(g: &Golden, key: &str) -> Expand4 {
    let v = g.get(key).to_vec::<i64>().unwrap();
    Expand4::from_slice(&v).unwrap()
}

/// The shape without a leading 1 (the `_into` variants accept both forms).
fn short(shape: &[usize]) -> &[usize] {
    if shape[0] == 1 {
        &shape[1..]
    } else {
        shape
    }
}

#[test]
fn pad_matches_original() {
    let g = Golden::load("pool");
    let cases = g.cases_with("pad_");
    assert!(cases.len() >= 10);
    for c in cases {
        let x = g.get(&format!("{c}__input"));
        let p = e4(&g, &format!("{c}__pad"));
        let v = g.scalar(&format!("{c}__value"));
        let want = g.get(&format!("{c}__output"));
        assert_exact(&pad(&x, p, v).unwrap(), &want, &c);
        // The _into variant, with an output given without its leading 1 where possible.
        let out = Tensor::zeros(want.dtype(), short(want.shape())).unwrap();
        pad_into(&x, &out, p, v).unwrap();
        let out = out.reshape_to(want.shape()).unwrap();
        assert_exact(&out, &want, &format!("{c} (into)"));
    }
}

#[test]
fn max_pool_matches_original() {
    let g = Golden::load("pool");
    let cases = g.cases_with("max_");
    assert!(cases.len() >= 20);
    let mut dtypes = std::collections::BTreeSet::new();
    for c in cases {
        let x = g.get(&format!("{c}__input"));
        dtypes.insert(x.dtype().name());
        let k = e2(&g, &format!("{c}__kernel"));
        let s = e2(&g, &format!("{c}__stride"));
        let p = e4(&g, &format!("{c}__pad"));
        let want = g.get(&format!("{c}__output"));
        assert_exact(&pool(&x, k, Some(s), p, None).unwrap(), &want, &c);
        if s == k {
            assert_exact(&pool(&x, k, None, p, None).unwrap(), &want, &c);
        }
        let out = Tensor::zeros(want.dtype(), want.shape()).unwrap();
        pool_into(&x, &out, k, Some(s), p, None).unwrap();
        assert_exact(&out, &want, &format!("{c} (into)"));
    }
    for d in ["u8", "i16", "f32", "f64", "f16", "i64"] {
        assert!(dtypes.contains(d), "no max-pool case for {d}");
    }
}

#[test]
fn rate_pool_matches_original() {
    let g = Golden::load("pool");
    let cases = g.cases_with("rate_");
    assert!(cases.len() >= 10);
    for c in cases {
        let x = g.get(&format!("{c}__input"));
        let r = g.get(&format!("{c}__rates"));
        let k = e2(&g, &format!("{c}__kernel"));
        let s = e2(&g, &format!("{c}__stride"));
        let want = g.get(&format!("{c}__output"));
        assert_exact(&pool(&x, k, Some(s), 0, Some(&r)).unwrap(), &want, &c);
        let out = Tensor::zeros(want.dtype(), want.shape()).unwrap();
        pool_into(&x, &out, k, Some(s), 0, Some(&r)).unwrap();
        assert_exact(&out, &want, &format!("{c} (into)"));
    }
}

/// Spec §14.3: where no rate of a window beats the type's lowest value (all-zero u8, all -128 i8,
/// all-NaN f32 rates) the original copies position 0 of the whole plane. We take the window's first
/// position (the first maximum, as in every other window); elsewhere the outputs agree.
#[test]
fn rate_pool_fallback_uses_window_first_position() {
    let g = Golden::load("pool");
    let cases = g.cases_with("ratefb_");
    assert_eq!(cases.len(), 3);
    for c in cases {
        let x = g.get(&format!("{c}__input"));
        let r = g.get(&format!("{c}__rates"));
        let orig = g.get(&format!("{c}__output")).to_vec_as::<f64>().unwrap();
        let got = pool(&x, 2, None, 0, Some(&r)).unwrap();
        assert_eq!(got.shape(), &[2, 2, 1, 2, 3]);
        let got = got.to_vec_as::<f64>().unwrap();
        let xv = x.to_vec_as::<f64>().unwrap();
        let rv = r.to_vec_as::<f64>().unwrap();
        let lowest = match x.dtype() {
            DType::U8 => 0.0,
            DType::I8 => -128.0,
            _ => f64::NAN,
        };
        let is_low = |v: f64| v == lowest || (v.is_nan() && lowest.is_nan());
        let mut fallbacks = 0;
        for b in 0..2 {
            for t in 0..2 {
                for i in 0..2 {
                    for j in 0..3 {
                        let o = ((b * 2 + t) * 2 + i) * 3 + j;
                        let win = |dy: usize, dx: usize| (2 * i + dy) * 6 + 2 * j + dx;
                        let all_low = (0..4).all(|q| is_low(rv[b * 24 + win(q / 2, q % 2)]));
                        let plane = (b * 2 + t) * 24;
                        if all_low {
                            fallbacks += 1;
                            assert_eq!(got[o], xv[plane + win(0, 0)], "{c} [{o}]");
                            assert_eq!(orig[o], xv[plane], "{c} [{o}]: original fallback");
                        } else {
                            assert_eq!(got[o], orig[o], "{c} [{o}]");
                        }
                    }
                }
            }
        }
        // One window of sample 0 and all six of sample 1, at both time steps.
        assert_eq!(fallbacks, 14, "{c}");
    }
}

/// Spec §14.2: the original's f16 max pooling never returns less than 2^-14 (its f16 "lowest");
/// we return the true window maximum. Windows above 2^-14 agree.
#[test]
fn f16_max_pool_has_no_positive_floor() {
    let g = Golden::load("pool");
    let x = g.get("f16floor_k1x2__input");
    let orig = g.get("f16floor_k1x2__output").to_vec_as::<f64>().unwrap();
    let got = pool(&x, (1, 2), None, 0, None).unwrap();
    let got = got.to_vec_as::<f64>().unwrap();
    let xv = x.to_vec_as::<f64>().unwrap();
    let floor = spyker::f16::MIN_POSITIVE.to_f64();
    for (o, (&a, &b)) in got.iter().zip(&orig).enumerate() {
        let want = xv[2 * o].max(xv[2 * o + 1]);
        assert_eq!(a, want, "[{o}]");
        assert_eq!(b, want.max(floor), "[{o}] original");
    }
    assert!(got.iter().zip(&orig).any(|(a, b)| a != b));
}

#[test]
fn results_do_not_depend_on_thread_count() {
    let g = Golden::load("pool");
    let x = g.get("max_u8_5d_k3s2p1__input");
    let xr = g.get("rate_f32_5d_k2__input");
    let r = g.get("rate_f32_5d_k2__rates");
    let run = || {
        (
            pool(&x, 3, Some(2.into()), 1, None)
                .unwrap()
                .to_bytes()
                .unwrap(),
            pool(&xr, 2, None, 0, Some(&r)).unwrap().to_bytes().unwrap(),
            pad(&x, (1, 2, 3, 4), 7).unwrap().to_bytes().unwrap(),
        )
    };
    spyker::set_max_threads(1);
    let one = run();
    spyker::set_max_threads(3);
    let three = run();
    spyker::set_max_threads(0);
    assert!(one == three);
}

#[test]
fn pool_and_pad_errors() {
    let x = Tensor::zeros(DType::F32, &[1, 2, 3, 5, 5]).unwrap();
    let kind = |r: spyker::Result<Tensor>| r.unwrap_err().kind();
    // Kernel larger than the padded input (the original accepts 7 on 5 through truncation).
    assert_eq!(kind(pool(&x, 7, None, 0, None)), ErrorKind::Shape);
    assert_eq!(kind(pool(&x, (6, 2), None, 0, None)), ErrorKind::Shape);
    assert!(pool(&x, 7, None, 1, None).is_ok()); // 5 + 2 >= 7
                                                 // Zero kernel / stride (the original's Python crashes on stride 0).
    assert_eq!(kind(pool(&x, 0, None, 0, None)), ErrorKind::Argument);
    assert_eq!(
        kind(pool(&x, 2, Some(0.into()), 0, None)),
        ErrorKind::Argument
    );
    assert_eq!(
        kind(pool(&x, 2, Some(Expand2::new(1, 0)), 0, None)),
        ErrorKind::Argument
    );
    // Wrong rank: 3-D and 6-D.
    let x3 = Tensor::zeros(DType::F32, &[3, 5, 5]).unwrap();
    let x6 = Tensor::zeros(DType::F32, &[1, 1, 2, 3, 5, 5]).unwrap();
    assert_eq!(kind(pool(&x3, 2, None, 0, None)), ErrorKind::Shape);
    assert_eq!(kind(pool(&x6, 2, None, 0, None)), ErrorKind::Shape);
    assert_eq!(kind(pad(&x3, 1, 0)), ErrorKind::Shape);
    assert_eq!(kind(pad(&x6, 1, 0)), ErrorKind::Shape);
    // Rates: wrong dtype, wrong shape (the 5-D and 3-D forms the original also rejects), padding.
    let r = Tensor::zeros(DType::F32, &[1, 3, 5, 5]).unwrap();
    assert!(pool(&x, 2, None, 0, Some(&r)).is_ok());
    let r64 = Tensor::zeros(DType::F64, &[1, 3, 5, 5]).unwrap();
    assert_eq!(kind(pool(&x, 2, None, 0, Some(&r64))), ErrorKind::DType);
    for bad in [
        &[1, 1, 3, 5, 5][..],
        &[3, 5, 5],
        &[1, 3, 5, 4],
        &[1, 2, 5, 5],
    ] {
        let rb = Tensor::zeros(DType::F32, bad).unwrap();
        assert_eq!(
            kind(pool(&x, 2, None, 0, Some(&rb))),
            ErrorKind::Shape,
            "{bad:?}"
        );
    }
    assert_eq!(kind(pool(&x, 2, None, 1, Some(&r))), ErrorKind::Argument);
    // Empty tensors cannot be built (every extent must be >= 1).
    assert_eq!(
        Tensor::zeros(DType::F32, &[1, 0, 3, 5, 5])
            .unwrap_err()
            .kind(),
        ErrorKind::Shape
    );
    // Messages say what was expected and what was given.
    let e = pool(&x, 7, None, 0, None).unwrap_err();
    assert!(
        e.message().contains('7') && e.message().contains('5'),
        "{e}"
    );
    let e = pool(&x, 2, None, 0, Some(&r64)).unwrap_err();
    assert!(
        e.message().contains("f32") && e.message().contains("f64"),
        "{e}"
    );
}

#[test]
fn into_variants_check_their_output() {
    let x = Tensor::zeros(DType::U8, &[1, 2, 3, 4, 4]).unwrap();
    let unit = |r: spyker::Result<()>| r.unwrap_err().kind();
    let good = Tensor::zeros(DType::U8, &[2, 3, 2, 2]).unwrap(); // leading 1 omitted
    pool_into(&x, &good, 2, None, 0, None).unwrap();
    let wrong_dtype = Tensor::zeros(DType::I8, &[1, 2, 3, 2, 2]).unwrap();
    assert_eq!(
        unit(pool_into(&x, &wrong_dtype, 2, None, 0, None)),
        ErrorKind::DType
    );
    let wrong_shape = Tensor::zeros(DType::U8, &[1, 2, 3, 3, 2]).unwrap();
    assert_eq!(
        unit(pool_into(&x, &wrong_shape, 2, None, 0, None)),
        ErrorKind::Shape
    );
    assert_eq!(unit(pad_into(&x, &wrong_shape, 1, 0)), ErrorKind::Shape);
    // An output sharing memory with the input or the rates would be read while written.
    let shared = Tensor::zeros(DType::U8, &[96 + 24]).unwrap();
    let a = shared
        .slice(0, 96)
        .unwrap()
        .reshape(&[1, 2, 3, 4, 4])
        .unwrap();
    let b = shared
        .slice(96, 120)
        .unwrap()
        .reshape(&[1, 2, 3, 2, 2])
        .unwrap();
    assert_eq!(
        unit(pool_into(&a, &b, 2, None, 0, None)),
        ErrorKind::Argument
    );
    let shared = Tensor::zeros(DType::U8, &[48 + 24]).unwrap();
    let r = shared.slice(0, 48).unwrap().reshape(&[1, 3, 4, 4]).unwrap();
    let o = shared
        .slice(48, 72)
        .unwrap()
        .reshape(&[1, 2, 3, 2, 2])
        .unwrap();
    assert_eq!(
        unit(pool_into(&x, &o, 2, None, 0, Some(&r))),
        ErrorKind::Argument
    );
}

#[test]
fn small_hand_checked_cases() {
    // 4x4 arange, kernel 2: window maxima are the bottom-right elements.
    let x = Tensor::from_vec((0..16).map(|v| v as f32).collect(), &[1, 1, 4, 4]).unwrap();
    let y = pool(&x, 2, None, 0, None).unwrap();
    assert_eq!(y.shape(), &[1, 1, 1, 2, 2]);
    assert_eq!(y.to_vec::<f32>().unwrap(), vec![5.0, 7.0, 13.0, 15.0]);
    // Zero padding takes part in the maximum even for negative data.
    let n = Tensor::full(DType::F32, &[1, 1, 2, 2], -1.0).unwrap();
    let y = pool(&n, 2, None, 1, None).unwrap();
    assert_eq!(y.to_vec::<f32>().unwrap(), vec![0.0; 4]);
    // pad keeps the dtype and converts the value (u8: -1 -> 255).
    let u = Tensor::from_vec(vec![1u8, 2, 3, 4], &[1, 1, 2, 2]).unwrap();
    let y = pad(&u, (0, 1, 0, 0), -1.0).unwrap();
    assert_eq!(y.shape(), &[1, 1, 1, 2, 3]);
    assert_eq!(y.to_vec::<u8>().unwrap(), vec![255, 1, 2, 255, 3, 4]);
}

#[test]
fn views_with_an_offset_are_pooled_like_copies() {
    let g = Golden::load("pool");
    let x = g.get("max_f32_5d_k2__input"); // [2, 3, 4, 6, 6]
    let r = g.get("rate_f32_5d_k2__rates"); // [2, 3, 6, 8]
    let xr = g.get("rate_f32_5d_k2__input");
    let view = x.slice(1, 2).unwrap();
    let copy = view.copy().unwrap();
    assert_exact(
        &pool(&view, 3, Some(2.into()), 1, None).unwrap(),
        &pool(&copy, 3, Some(2.into()), 1, None).unwrap(),
        "max pool of a view",
    );
    assert_exact(
        &pad(&view, (1, 0, 2, 3), 9).unwrap(),
        &pad(&copy, (1, 0, 2, 3), 9).unwrap(),
        "pad of a view",
    );
    let (xv, rv) = (xr.slice(1, 2).unwrap(), r.slice(1, 2).unwrap());
    assert_exact(
        &pool(&xv, 2, None, 0, Some(&rv)).unwrap(),
        &pool(&xv.copy().unwrap(), 2, None, 0, Some(&rv.copy().unwrap())).unwrap(),
        "rate pool of views",
    );
}

/// The u8 kernel (separate row and column passes, a pairwise pass for 2-wide windows) against the
/// generic one on the same values as f32, over window shapes with and without padding, odd and
/// even widths.
#[test]
fn u8_max_pool_equals_the_float_one() {
    let mut rng = Rng(99);
    let mut next = move || rng.next();
    for (h, w, k, s, p) in [
        (28, 28, 2, 2, 0),
        (7, 9, 2, 2, 0),
        (9, 7, 2, 2, 1),
        (6, 10, 3, 2, 0),
        (5, 5, 2, 1, 0),
        (8, 8, 2, 3, 0),
        (11, 13, 3, 3, 1),
    ] {
        let n = 2 * 3 * 2 * h * w;
        let v: Vec<u8> = (0..n)
            .map(|_| match next() % 4 {
                0 => (next() % 256) as u8,
                _ => (next() % 2) as u8,
            })
            .collect();
        let x = Tensor::from_vec(v, &[2, 3, 2, h, w]).unwrap();
        let xf = x.to_dtype(DType::F32).unwrap();
        let got = pool(&x, k, Some(Expand2::new(s, s)), p, None).unwrap();
        let want = pool(&xf, k, Some(Expand2::new(s, s)), p, None).unwrap();
        assert_eq!(
            got.to_dtype(DType::F32).unwrap().to_vec::<f32>().unwrap(),
            want.to_vec::<f32>().unwrap(),
            "{h}x{w} k{k} s{s} p{p}"
        );
    }
}
