//! Canny edge detection: the intended algorithm of spec §2.6 (binary output, full hysteresis),
//! on synthetic images, and against the original where it is well-defined (its outputs obtained
//! through the F32-pointer trick, tests/reference/filter.npz). The original's steps 1–6 are
//! checked bit for bit by the unit test in src/cpu/canny.rs.

mod common;
use common::{assert_exact, Golden};
use spyker::{canny, canny_into, set_max_threads, DType, ErrorKind, Tensor};

fn edges(t: &Tensor) -> Vec<bool> {
    t.to_vec::<u8>()
        .unwrap()
        .iter()
        .map(|v| *v == 255)
        .collect()
}

#[test]
fn output_is_binary_and_brackets_the_original() {
    let g = Golden::load("filter");
    let mut cases = 0;
    for case in g.cases_with("canny_") {
        let x = g.get(&format!("{case}__x"));
        let low = g.scalar(&format!("{case}__low"));
        let high = g.scalar(&format!("{case}__high"));
        let orig = g.get(&format!("{case}__y")).to_vec::<u8>().unwrap();
        let y = canny(&x, low, high).unwrap();
        assert_eq!(y.shape(), x.shape());
        assert_eq!(y.dtype(), DType::U8);
        let v = y.to_vec::<u8>().unwrap();
        assert!(v.iter().all(|p| *p == 0 || *p == 255), "{case}: binary");
        let min_weak = (low as u8).max(1);
        for (i, (o, p)) in orig.iter().zip(&v).enumerate() {
            // Every pixel the original marks strong (255) is an edge here (our hysteresis only
            // adds), and every edge here is at least weak in the original (value >= low).
            if *o == 255 {
                assert_eq!(*p, 255, "{case}[{i}]: strong in the original");
            }
            if *p == 255 {
                assert!(*o >= min_weak, "{case}[{i}]: not even weak in the original");
            }
        }
        // Where one hysteresis pass links everything (no weak pixels left over in the
        // original), the two agree exactly.
        if orig.iter().all(|o| *o == 0 || *o == 255) {
            let want: Vec<u8> = orig.clone();
            assert_eq!(v, want, "{case}: equal where the original is binary");
        }
        cases += 1;
    }
    assert!(cases >= 20);
}

#[test]
fn square_edges_are_found() {
    let mut img = vec![0.0f32; 16 * 16];
    for i in 4..12 {
        for j in 4..12 {
            img[i * 16 + j] = 200.0;
        }
    }
    let x = Tensor::from_vec(img, &[1, 1, 16, 16]).unwrap();
    let e = edges(&canny(&x, 50.0, 100.0).unwrap());
    for i in 0..16 {
        for j in 0..16 {
            let on_border = (4..12).contains(&i)
                && (4..12).contains(&j)
                && (i == 4 || i == 11 || j == 4 || j == 11);
            assert_eq!(e[i * 16 + j], on_border, "pixel ({i}, {j})");
        }
    }
    // A constant image has no edges.
    let c = Tensor::full(DType::F32, &[1, 1, 9, 9], 7.0).unwrap();
    assert!(canny(&c, 1.0, 1.0)
        .unwrap()
        .to_vec::<u8>()
        .unwrap()
        .iter()
        .all(|v| *v == 0));
}

#[test]
fn hysteresis_links_chains_of_any_length() {
    let g = Golden::load("filter");
    let x = g.get("canny_linked_20_200__x");
    let orig = g.get("canny_linked_20_200__y").to_vec::<u8>().unwrap();
    let strong_orig = orig.iter().filter(|v| **v == 255).count();
    let weak_orig = orig.iter().filter(|v| **v > 0 && **v < 255).count();
    let ours = edges(&canny(&x, 20.0, 200.0).unwrap());
    let n = ours.iter().filter(|v| **v).count();
    // The original's single pass promotes only the direct neighbours of strong pixels.
    assert!(weak_orig > 0);
    assert!(n > strong_orig, "chains are followed beyond one pixel");
    // Expected: the 8-connected components of candidate pixels (value >= low in the original,
    // i.e. its NMS magnitude) that contain a pixel the original marks 255.
    let (h, w) = (x.shape()[2], x.shape()[3]);
    let cand: Vec<bool> = orig.iter().map(|v| *v >= 20).collect();
    let mut want = vec![false; h * w];
    let mut stack: Vec<usize> = (0..h * w).filter(|p| orig[*p] == 255).collect();
    stack.iter().for_each(|p| want[*p] = true);
    while let Some(p) = stack.pop() {
        let (i, j) = ((p / w) as i64, (p % w) as i64);
        for di in -1..=1 {
            for dj in -1..=1 {
                let (y, x) = (i + di, j + dj);
                if y >= 0 && x >= 0 && y < h as i64 && x < w as i64 {
                    let q = y as usize * w + x as usize;
                    if cand[q] && !want[q] {
                        want[q] = true;
                        stack.push(q);
                    }
                }
            }
        }
    }
    assert_eq!(
        ours, want,
        "edges = weak components attached to strong pixels"
    );
    // With low = high there are no weak pixels: only the strong end of the chain remains.
    let only_strong = edges(&canny(&x, 200.0, 200.0).unwrap());
    let m = only_strong.iter().filter(|v| **v).count();
    assert!(
        m >= 1 && m < strong_orig,
        "strong {m}, original {strong_orig}"
    );
    assert!(only_strong.iter().zip(&ours).all(|(s, o)| !s || *o));
}

#[test]
fn thresholds_are_monotone() {
    let g = Golden::load("filter");
    let x = g.get("canny_smooth_50_100__x");
    let count = |lo: f64, hi: f64| {
        edges(&canny(&x, lo, hi).unwrap())
            .iter()
            .filter(|v| **v)
            .count()
    };
    let mut prev = usize::MAX;
    for hi in [10.0, 50.0, 100.0, 150.0, 255.0] {
        let c = count(hi, hi);
        assert!(c <= prev, "raising high must not add edges");
        prev = c;
    }
    // Lowering low (with high fixed) only adds linked pixels.
    assert!(count(10.0, 150.0) >= count(100.0, 150.0));
    assert!(
        count(255.0, 255.0) >= 1,
        "the strongest pixel is 255 after normalisation"
    );
}

#[test]
fn any_dtype_rank3_and_threads() {
    let g = Golden::load("filter");
    let x = g.get("canny_smooth_20_200__x"); // [2, 3, 18, 21]
    set_max_threads(1);
    let a = canny(&x, 20.0, 200.0).unwrap();
    set_max_threads(2);
    let b = canny(&x, 20.0, 200.0).unwrap();
    set_max_threads(0);
    assert_exact(&a, &b, "thread count");
    // Integer-valued inputs give the same result in every dtype.
    let xi = Tensor::from_vec(
        x.to_vec::<f32>()
            .unwrap()
            .iter()
            .map(|v| v.round())
            .collect::<Vec<f32>>(),
        x.shape(),
    )
    .unwrap();
    let want = canny(&xi, 30.0, 90.0).unwrap();
    for dt in [DType::U8, DType::I16, DType::F64, DType::I64] {
        let got = canny(&xi.to_dtype(dt).unwrap(), 30.0, 90.0).unwrap();
        assert_exact(&got, &want, &format!("{dt}"));
    }
    // Planes are independent; a 3-D input gets a batch of 1.
    let p = xi.index(1).unwrap(); // [3, 18, 21]
    let y = canny(&p, 30.0, 90.0).unwrap();
    assert_eq!(y.shape(), &[1, 3, 18, 21]);
    assert_eq!(
        y.to_vec::<u8>().unwrap(),
        want.index(1).unwrap().to_vec::<u8>().unwrap()
    );
    let out = Tensor::zeros(DType::U8, &[1, 3, 18, 21]).unwrap();
    canny_into(&p, &out, 30.0, 90.0).unwrap();
    assert_exact(&out, &y, "canny_into");
}

#[test]
fn invalid_arguments_are_errors() {
    let x = Tensor::zeros(DType::F32, &[1, 1, 8, 8]).unwrap();
    let two_d = Tensor::zeros(DType::F32, &[8, 8]).unwrap();
    assert_eq!(
        canny(&two_d, 1.0, 2.0).unwrap_err().kind(),
        ErrorKind::Shape
    );
    for (lo, hi) in [
        (-1.0, 10.0),
        (10.0, 256.0),
        (f64::NAN, 10.0),
        (1.0, f64::INFINITY),
    ] {
        assert_eq!(canny(&x, lo, hi).unwrap_err().kind(), ErrorKind::Argument);
    }
    let nan = Tensor::full(DType::F32, &[1, 1, 8, 8], f32::NAN).unwrap();
    assert_eq!(
        canny(&nan, 1.0, 2.0).unwrap_err().kind(),
        ErrorKind::Argument
    );
    let bad = Tensor::zeros(DType::F32, &[1, 1, 8, 8]).unwrap();
    assert_eq!(
        canny_into(&x, &bad, 1.0, 2.0).unwrap_err().kind(),
        ErrorKind::Shape
    );
    let bad = Tensor::zeros(DType::U8, &[1, 1, 8, 7]).unwrap();
    assert_eq!(
        canny_into(&x, &bad, 1.0, 2.0).unwrap_err().kind(),
        ErrorKind::Shape
    );
}
