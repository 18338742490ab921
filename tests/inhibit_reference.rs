//! `inhibit` against the original (tests/reference/inhibit.npz, scripts/reference/gen_inhibit.py),
//! bit-exact, plus in-place semantics, thread-count independence and error paths.

mod common;
use common::{assert_exact, Golden};
use spyker::{inhibit, inhibit_inplace, DType, ErrorKind, Tensor};

#[test]
fn inhibit_matches_original() {
    let g = Golden::load("inhibit");
    let cases = g.cases_with("inh_");
    assert!(cases.len() >= 17);
    let mut dtypes = std::collections::BTreeSet::new();
    for c in cases {
        let x = g.get(&format!("{c}__input"));
        dtypes.insert(x.dtype().name());
        let thr = g.scalar(&format!("{c}__threshold"));
        let want = g.get(&format!("{c}__output"));
        let before = x.to_bytes().unwrap();
        assert_exact(&inhibit(&x, thr).unwrap(), &want, &c);
        assert_eq!(x.to_bytes().unwrap(), before, "{c}: input modified");
        // In place, through a view: the caller's memory changes.
        let y = x.copy().unwrap();
        let view = y.reshape(&[-1]).unwrap().reshape_to(x.shape()).unwrap();
        inhibit_inplace(&view, thr).unwrap();
        assert_exact(&y, &want, &format!("{c} (in place)"));
    }
    for d in ["u8", "i16", "i32", "f32", "f64", "f16"] {
        assert!(dtypes.contains(d), "no inhibit case for {d}");
    }
}

#[test]
fn inhibit_ties_pick_the_lowest_channel_at_the_first_crossing() {
    // [T=3, C=3, 1x1]: channels 1 and 2 tie at the first crossing (t = 1); channel 2 is larger later.
    let x = Tensor::from_vec(vec![0u8, 0, 0, 1, 2, 2, 1, 2, 9], &[3, 3, 1, 1]).unwrap();
    let y = inhibit(&x, 1).unwrap();
    assert_eq!(y.shape(), &[3, 3, 1, 1]);
    assert_eq!(y.to_vec::<u8>().unwrap(), vec![0, 0, 0, 0, 2, 0, 0, 2, 0]);
    // Nothing crosses: the winner is the largest channel at the last step.
    let y = inhibit(&x, 100).unwrap();
    assert_eq!(y.to_vec::<u8>().unwrap(), vec![0, 0, 0, 0, 0, 2, 0, 0, 9]);
}

#[test]
fn inhibit_does_not_depend_on_thread_count() {
    let g = Golden::load("inhibit");
    let x = g.get("inh_f32_5d_cum__input");
    let big = Tensor::zeros(DType::F32, &[2, 3, 4, 40, 40]).unwrap();
    {
        let mut w = big.write::<f32>().unwrap();
        let mut s = 12345u32;
        for v in w.iter_mut() {
            s = s.wrapping_mul(1664525).wrapping_add(1013904223);
            *v = (s >> 28) as f32;
        }
    }
    let run = || {
        (
            inhibit(&x, 1.5).unwrap().to_bytes().unwrap(),
            inhibit(&big, 7).unwrap().to_bytes().unwrap(),
        )
    };
    spyker::set_max_threads(1);
    let one = run();
    spyker::set_max_threads(4);
    let four = run();
    spyker::set_max_threads(0);
    assert!(one == four);
}

#[test]
fn inhibit_errors() {
    for bad in [&[3, 5, 5][..], &[5], &[1, 1, 2, 3, 5, 5]] {
        let x = Tensor::zeros(DType::F32, bad).unwrap();
        let e = inhibit(&x, 0).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Shape, "{bad:?}");
        assert!(e.message().contains("rank 5"), "{e}");
        assert_eq!(inhibit_inplace(&x, 0).unwrap_err().kind(), ErrorKind::Shape);
    }
}
