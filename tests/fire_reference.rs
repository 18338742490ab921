//! Golden-vector tests of fire / threshold / quantize / gather / scatter against the original
//! (tests/reference/fire.npz, written by scripts/reference/gen_fire.py), plus relations, thread
//! independence and error paths. Every comparison is bit-exact (spec §15).

mod common;
use common::{assert_exact, Golden};
use spyker::{
    fire, fire_into, gather, gather_into, quantize, quantize_inplace, scatter, scatter_into,
    set_max_threads, threshold, threshold_inplace, Code, DType, ErrorKind, Tensor,
};

/// The parameter `field` of `case` as a list (one entry per stacked result).
fn params(g: &Golden, case: &str, field: &str) -> Vec<f64> {
    g.get(&format!("{case}__{field}"))
        .to_vec_as::<f64>()
        .unwrap()
}

fn cases(g: &Golden, prefix: &str) -> Vec<String> {
    let c = g.cases_with(prefix);
    assert!(!c.is_empty(), "no {prefix} cases");
    c
}

#[test]
fn fire_rank_matches_original() {
    let g = Golden::load("fire");
    for case in cases(&g, "firerank_") {
        let x = g.get(&format!("{case}__input"));
        let want = g.get(&format!("{case}__out"));
        for (k, thr) in params(&g, &case, "threshold").into_iter().enumerate() {
            let want = want.index(k as i64).unwrap();
            let got = fire(&x, thr, want.dtype(), Code::Rank).unwrap();
            assert_exact(&got, &want, &format!("{case} {} thr {thr}", x.dtype()));
        }
    }
}

#[test]
fn fire_rate_matches_original() {
    let g = Golden::load("fire");
    for case in cases(&g, "firerate_") {
        let x = g.get(&format!("{case}__input"));
        let want = g.get(&format!("{case}__out"));
        for (k, thr) in params(&g, &case, "threshold").into_iter().enumerate() {
            let want = want.index(k as i64).unwrap();
            let got = fire(&x, thr, want.dtype(), Code::Rate).unwrap();
            assert_exact(&got, &want, &format!("{case} {} thr {thr}", x.dtype()));
        }
    }
}

#[test]
fn threshold_matches_original_in_place_and_copying() {
    let g = Golden::load("fire");
    for case in cases(&g, "threshold_") {
        let x = g.get(&format!("{case}__input"));
        let want = g.get(&format!("{case}__out"));
        let thr = params(&g, &case, "threshold");
        let val = params(&g, &case, "value");
        for k in 0..thr.len() {
            let want = want.index(k as i64).unwrap();
            let ctx = format!("{case} {} thr {} value {}", x.dtype(), thr[k], val[k]);
            let before = x.to_bytes().unwrap();
            let copied = threshold(&x, thr[k], val[k]).unwrap();
            assert_exact(&copied, &want, &ctx);
            assert_eq!(
                x.to_bytes().unwrap(),
                before,
                "{ctx}: copy changed the input"
            );
            let y = x.copy().unwrap();
            threshold_inplace(&y, thr[k], val[k]).unwrap();
            assert_exact(&y, &want, &ctx);
        }
    }
}

#[test]
fn quantize_matches_original_in_place_and_copying() {
    let g = Golden::load("fire");
    for case in cases(&g, "quantize_") {
        let x = g.get(&format!("{case}__input"));
        let want = g.get(&format!("{case}__out"));
        let (lo, mid, up) = (
            params(&g, &case, "lower"),
            params(&g, &case, "middle"),
            params(&g, &case, "upper"),
        );
        for k in 0..lo.len() {
            let want = want.index(k as i64).unwrap();
            let ctx = format!("{case} {} ({}, {}, {})", x.dtype(), lo[k], mid[k], up[k]);
            let before = x.to_bytes().unwrap();
            assert_exact(
                &quantize(&x, lo[k], mid[k], up[k]).unwrap(),
                &want,
                &ctx,
            );
            assert_eq!(
                x.to_bytes().unwrap(),
                before,
                "{ctx}: copy changed the input"
            );
            let y = x.copy().unwrap();
            quantize_inplace(&y, lo[k], mid[k], up[k]).unwrap();
            assert_exact(&y, &want, &ctx);
        }
    }
}

#[test]
fn gather_matches_original() {
    let g = Golden::load("fire");
    for case in cases(&g, "gather_") {
        let x = g.get(&format!("{case}__input"));
        let want = g.get(&format!("{case}__out"));
        let code = if g.scalar(&format!("{case}__code")) == 0.0 {
            Code::Rank
        } else {
            Code::Rate
        };
        for (k, thr) in params(&g, &case, "threshold").into_iter().enumerate() {
            let want = want.index(k as i64).unwrap();
            let ctx = format!("{case} {} {code:?} thr {thr}", x.dtype());
            let got = gather(&x, thr, want.dtype(), code).unwrap();
            assert_exact(&got, &want, &ctx);
            let into = Tensor::full(want.dtype(), want.shape(), 7).unwrap();
            gather_into(&x, &into, thr, code).unwrap();
            assert_exact(&into, &want, &ctx);
        }
    }
}

#[test]
fn scatter_matches_original() {
    let g = Golden::load("fire");
    for case in cases(&g, "scatter_") {
        let x = g.get(&format!("{case}__input"));
        let want = g.get(&format!("{case}__out"));
        let time = g.scalar(&format!("{case}__time")) as usize;
        let ctx = format!("{case} {} time {time}", x.dtype());
        let got = scatter(&x, time, want.dtype()).unwrap();
        assert_exact(&got, &want, &ctx);
        let into = Tensor::full(want.dtype(), want.shape(), 7).unwrap();
        scatter_into(&x, &into).unwrap();
        assert_exact(&into, &want, &ctx);
    }
}

#[test]
fn fire_into_matches_fire_and_overwrites() {
    let g = Golden::load("fire");
    for case in cases(&g, "firerate_").into_iter().take(20) {
        let x = g.get(&format!("{case}__input"));
        let thr = params(&g, &case, "threshold")[0];
        for code in [Code::Rank, Code::Rate] {
            let want = fire(&x, thr, DType::I16, code).unwrap();
            let out = Tensor::full(DType::I16, x.shape(), 9).unwrap();
            fire_into(&x, &out, thr, code).unwrap();
            assert_exact(&out, &want, &case);
        }
    }
}

/// A deterministic pseudo-random tensor (no RNG dependency): cumulative along dim 1.
fn big_cumulative(shape: &[usize]) -> Tensor {
    let n: usize = shape.iter().product();
    let mut v = vec![0f32; n];
    let inner: usize = shape[2..].iter().product();
    let mut s = 12345u32;
    for b in 0..shape[0] {
        for t in 0..shape[1] {
            for j in 0..inner {
                s = s.wrapping_mul(1664525).wrapping_add(1013904223);
                let inc = (s >> 28) as f32 / 4.0;
                let i = (b * shape[1] + t) * inner + j;
                v[i] = if t == 0 { inc } else { v[i - inner] + inc };
            }
        }
    }
    Tensor::from_vec(v, shape).unwrap()
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    // Large enough to be split into many tasks (several feature chunks, several element chunks).
    let x = big_cumulative(&[2, 6, 3, 50, 120]);
    let times = gather(&x, 3.0, DType::U16, Code::Rank).unwrap();
    let run = || {
        let mut outs = vec![
            fire(&x, 1.5, DType::U8, Code::Rank).unwrap(),
            fire(&x, 0.75, DType::U8, Code::Rate).unwrap(),
            gather(&x, 3.0, DType::I32, Code::Rank).unwrap(),
            gather(&x, 0.0, DType::F32, Code::Rate).unwrap(),
            scatter(&times, 7, DType::U8).unwrap(),
            threshold(&x, 2.0, -1.0).unwrap(),
            quantize(&x, 0.0, 2.0, 1.0).unwrap(),
        ];
        outs.push(scatter(&x.reshape(&[2, -1]).unwrap(), 5, DType::F16).unwrap());
        outs.into_iter()
            .map(|t| t.to_bytes().unwrap())
            .collect::<Vec<_>>()
    };
    set_max_threads(1);
    let one = run();
    set_max_threads(3);
    let three = run();
    set_max_threads(0);
    assert_eq!(one, three);
}

#[test]
fn large_inputs_agree_with_a_scalar_model() {
    // Cross-checks the chunked kernels on shapes with partial chunks against the plain rules.
    let shape = [3, 5, 4100];
    let x = big_cumulative(&shape);
    let v = x.to_vec::<f32>().unwrap();
    let (b, t, n) = (shape[0], shape[1], shape[2]);
    let rate = fire(&x, 0.5, DType::U8, Code::Rate)
        .unwrap()
        .to_vec::<u8>()
        .unwrap();
    let first = gather(&x, 1.0, DType::I64, Code::Rank)
        .unwrap()
        .to_vec::<i64>()
        .unwrap();
    for bi in 0..b {
        for j in 0..n {
            let (mut level, mut count) = (0f32, 0u8);
            let mut f = t as i64;
            for ti in 0..t {
                let xv = v[(bi * t + ti) * n + j];
                if level + 0.5 < xv {
                    level = xv;
                    count += 1;
                }
                if xv > 1.0 && f == t as i64 {
                    f = ti as i64;
                }
                assert_eq!(rate[(bi * t + ti) * n + j], count);
            }
            assert_eq!(first[bi * n + j], f);
        }
    }
}

#[test]
fn relations_between_fire_gather_and_scatter() {
    let x = big_cumulative(&[2, 9, 3, 7, 5]);
    for thr in [0.0, 1.0, 2.5, 4.0] {
        // gather(fire(x)) == gather(x) for rank coding.
        let spikes = fire(&x, thr, DType::U8, Code::Rank).unwrap();
        let a = gather(&spikes, 0.0, DType::U8, Code::Rank).unwrap();
        let b = gather(&x, thr, DType::U8, Code::Rank).unwrap();
        assert_exact(&a, &b, "gather(fire(x)) == gather(x)");
        // scatter(gather(s), T) == s for cumulative 0/1 spike trains.
        let back = scatter(&a, 9, DType::U8).unwrap();
        assert_exact(&back, &spikes, "scatter(gather(s)) == s");
    }
}

#[test]
fn hand_checked_cases() {
    // Spec §4.1: x = [0, 1, 1.5, 3, 3.2, 5], threshold 0.9 -> counts [0, 1, 1, 2, 2, 3].
    let x = Tensor::from_vec(vec![0f32, 1.0, 1.5, 3.0, 3.2, 5.0], &[1, 6, 1]).unwrap();
    let r = fire(&x, 0.9, DType::U8, Code::Rate).unwrap();
    assert_eq!(r.to_vec::<u8>().unwrap(), vec![0, 1, 1, 2, 2, 3]);
    // A 2-D input is one sample [T, N] for rate firing and gather (the original raises
    // IndexError for rate firing, spec §14.7).
    let x2 = x.reshape(&[6, 1]).unwrap();
    let r2 = fire(&x2, 0.9, DType::U8, Code::Rate).unwrap();
    assert_eq!(r2.shape(), &[6, 1]);
    assert_eq!(r2.to_vec::<u8>().unwrap(), vec![0, 1, 1, 2, 2, 3]);
    let g = gather(&x2, 1.2, DType::U8, Code::Rank).unwrap();
    assert_eq!(g.shape(), &[1, 1]);
    assert_eq!(g.to_vec::<u8>().unwrap(), vec![2]);
    // Scalar conversion: 0.5 on u8 is 0, -1.0 on u8 is 255.
    let u = Tensor::from_vec(vec![0u8, 1, 2, 255], &[4]).unwrap();
    let f = fire(&u, 0.5, DType::U8, Code::Rank).unwrap();
    assert_eq!(f.to_vec::<u8>().unwrap(), vec![0, 1, 1, 1]);
    let f = fire(&u, -1.0, DType::U8, Code::Rank).unwrap();
    assert_eq!(f.to_vec::<u8>().unwrap(), vec![0, 0, 0, 0]);
    // Scatter of a 1-D input is one sample.
    let s = scatter(
        &Tensor::from_vec(vec![0.5f32, -1.0, 2.0], &[3]).unwrap(),
        3,
        DType::U8,
    )
    .unwrap();
    assert_eq!(s.shape(), &[1, 3, 3]);
    assert_eq!(s.to_vec::<u8>().unwrap(), vec![0, 1, 0, 1, 1, 0, 1, 1, 1]);
}

#[test]
fn error_paths() {
    let x3 = Tensor::zeros(DType::F32, &[2, 3, 4]).unwrap();
    let x1 = Tensor::zeros(DType::F32, &[4]).unwrap();
    // Wrong rank.
    assert_eq!(
        fire(&x1, 0.0, DType::U8, Code::Rate).unwrap_err().kind(),
        ErrorKind::Shape
    );
    assert_eq!(
        gather(&x1, 0.0, DType::U8, Code::Rank).unwrap_err().kind(),
        ErrorKind::Shape
    );
    // Empty tensors cannot be created (every extent must be >= 1, as in the original).
    assert_eq!(
        Tensor::zeros(DType::F32, &[2, 0, 3]).unwrap_err().kind(),
        ErrorKind::Shape
    );
    // Time out of range.
    let e = scatter(&x3, 0, DType::U8).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Argument);
    assert!(e.message().contains("time"), "{e}");
    // NaN comparison operands.
    for e in [
        fire(&x3, f64::NAN, DType::U8, Code::Rank).unwrap_err(),
        gather(&x3, f32::NAN, DType::U8, Code::Rank).unwrap_err(),
        threshold_inplace(&x3, f64::NAN, 0.0).unwrap_err(),
        threshold(&x3, f64::NAN, 0.0).unwrap_err(),
        quantize_inplace(&x3, 0.0, f64::NAN, 1.0).unwrap_err(),
        quantize(&x3, 0.0, f64::NAN, 1.0).unwrap_err(),
    ] {
        assert_eq!(e.kind(), ErrorKind::Argument);
        assert!(e.message().contains("NaN"), "{e}");
    }
    // Output shapes of the _into variants.
    let bad = Tensor::zeros(DType::U8, &[2, 12]).unwrap();
    for e in [
        fire_into(&x3, &bad, 0.0, Code::Rank).unwrap_err(),
        gather_into(
            &x3,
            &Tensor::zeros(DType::U8, &[2, 5]).unwrap(),
            0.0,
            Code::Rank,
        )
        .unwrap_err(),
        scatter_into(&x3, &Tensor::zeros(DType::U8, &[2, 3, 3]).unwrap()).unwrap_err(),
        scatter_into(&x3, &Tensor::zeros(DType::U8, &[2]).unwrap()).unwrap_err(),
    ] {
        assert_eq!(e.kind(), ErrorKind::Shape, "{e}");
        assert!(e.message().contains("expected"), "{e}");
    }
    // Output sharing memory with the input.
    let e = fire_into(&x3, &x3, 0.0, Code::Rank).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Argument);
    let flat = x3.reshape(&[2, 12]).unwrap();
    let e = gather_into(
        &x3,
        &flat.slice(0, 1).unwrap().reshape(&[2, 6]).unwrap(),
        0.0,
        Code::Rank,
    );
    assert!(e.is_err());
}
