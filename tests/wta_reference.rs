//! Winner-take-all against the original (tests/reference/wta.npz, scripts/reference/gen_wta.py):
//! winner lists must be identical (order, coordinates, counts).

mod common;
use common::{golden_batch, winners_from, Golden};
use spyker::{convwta, fcwta, DType, ErrorKind, Expand2, Tensor, Winner};

#[test]
fn fcwta_matches_original() {
    let g = Golden::load("wta");
    let cases = g.cases_with("fcwta_");
    assert!(cases.len() >= 40, "{} cases", cases.len());
    for c in cases {
        let x = g.get(&format!("{c}__input"));
        let radius = g.scalar(&format!("{c}__radius")) as usize;
        let count = g.scalar(&format!("{c}__count")) as usize;
        let thr = g.scalar(&format!("{c}__threshold"));
        let want = winners_from(&g.get(&format!("{c}__winners")), golden_batch(&x, 3));
        let got = fcwta(&x, radius, count, thr).unwrap();
        assert_eq!(got, want, "{c} ({} {:?})", x.dtype(), x.shape());
    }
}

#[test]
fn convwta_matches_original() {
    let g = Golden::load("wta");
    let cases = g.cases_with("convwta_");
    assert!(cases.len() >= 40, "{} cases", cases.len());
    for c in cases {
        let x = g.get(&format!("{c}__input"));
        let r = g.get(&format!("{c}__radius")).to_vec::<i64>().unwrap();
        let count = g.scalar(&format!("{c}__count")) as usize;
        let thr = g.scalar(&format!("{c}__threshold"));
        let want = winners_from(&g.get(&format!("{c}__winners")), golden_batch(&x, 5));
        let got = convwta(&x, (r[0] as usize, r[1] as usize), count, thr).unwrap();
        assert_eq!(got, want, "{c} ({} {:?})", x.dtype(), x.shape());
    }
}

#[test]
fn constant_sample_gives_exactly_neuron_zero() {
    let g = Golden::load("wta");
    let x = g.get("fcwta_const__input");
    let got = fcwta(&x, 1, 4, 0.0).unwrap();
    assert_eq!(got, vec![vec![Winner::fc(0, 0)]; 2]);
    let x = g.get("convwta_const__input");
    let got = convwta(&x, 1, 4, 0.0).unwrap();
    assert_eq!(got, vec![vec![Winner::new(0, 0, 0, 0, 0)]]);
}

#[test]
fn results_do_not_depend_on_thread_count() {
    let g = Golden::load("wta");
    let x = g.get("convwta_large__input");
    spyker::set_max_threads(1);
    let one = convwta(&x, 3, 5, 0.0).unwrap();
    spyker::set_max_threads(4);
    let four = convwta(&x, 3, 5, 0.0).unwrap();
    spyker::set_max_threads(-1);
    assert_eq!(one, four);
    // Each feature map wins at most once per sample, and winners are 7x7 apart.
    for list in &one {
        for (i, a) in list.iter().enumerate() {
            for b in &list[i + 1..] {
                assert_ne!(a.z, b.z);
                assert!((a.y - b.y).abs() > 3 || (a.x - b.x).abs() > 3);
            }
        }
    }
}

#[test]
fn invalid_arguments_are_errors() {
    let x = Tensor::zeros(DType::F32, &[2, 3, 4]).unwrap();
    assert_eq!(
        fcwta(&x, 1, 0, 0.0).unwrap_err().kind(),
        ErrorKind::Argument
    );
    let x1 = Tensor::zeros(DType::F32, &[4]).unwrap();
    assert_eq!(fcwta(&x1, 1, 1, 0.0).unwrap_err().kind(), ErrorKind::Shape);
    let x4 = Tensor::zeros(DType::U8, &[1, 2, 3, 4]).unwrap();
    assert_eq!(fcwta(&x4, 1, 1, 0.0).unwrap_err().kind(), ErrorKind::Shape);
    let c = Tensor::zeros(DType::U8, &[1, 2, 3, 4, 4]).unwrap();
    assert_eq!(
        convwta(&c, 1, 0, 0.0).unwrap_err().kind(),
        ErrorKind::Argument
    );
    let c3 = Tensor::zeros(DType::U8, &[2, 3, 4]).unwrap();
    assert_eq!(
        convwta(&c3, 1, 1, 0.0).unwrap_err().kind(),
        ErrorKind::Shape
    );
    // Huge radii are fine (everything is excluded after one winner).
    let s = Tensor::full(DType::U8, &[1, 1, 2, 3, 3], 1).unwrap();
    let w = convwta(&s, Expand2::new(usize::MAX, usize::MAX), 5, 0.0).unwrap();
    assert_eq!(w, vec![vec![Winner::new(0, 0, 0, 0, 0)]]);
    let w = fcwta(&x.reshape(&[1, 6, 4]).unwrap(), usize::MAX, 5, -1.0).unwrap();
    assert_eq!(w.len(), 1);
}
