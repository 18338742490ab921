//! CUDA `pad` and `pool` against the CPU kernels: bit-identical for every dtype (NaNs compared as
//! NaNs), with ties, ±0, NaN and infinities in the inputs, overlapping and padded windows, rate
//! pooling, `_into` variants, views, and device errors. Skipped with a notice without a GPU.

mod cuda_harness;

use cuda_harness::{assert_same, cpu, gpu, gpu_or_skip, random, Rng, GPU};
use spyker::{DType, Device, ErrorKind, Expand2, Expand4, Tensor};

#[test]
fn pad_matches_the_cpu() {
    let Some(_g) = gpu_or_skip("pad_matches_the_cpu") else {
        return;
    };
    let mut rng = Rng::new(1);
    for dt in DType::ALL {
        for (shape, p) in [
            (vec![2, 3, 2, 5, 7], Expand4::new(1, 2, 3, 0)),
            (vec![3, 1, 4, 4], Expand4::new(0, 0, 0, 0)),
            (vec![1, 2, 3, 1, 1], Expand4::new(2, 2, 2, 2)),
            (vec![2, 4, 3, 17, 9], Expand4::new(0, 5, 1, 1)),
        ] {
            let x = random(dt, &shape, -5, 5, true, &mut rng);
            for v in [0.0, -1.0, 2.5, f64::NAN] {
                let want = spyker::pad(&x, p, v).unwrap();
                let got = spyker::pad(&gpu(&x), p, v).unwrap();
                assert_eq!(got.device(), GPU);
                assert_same(&want, &got, &format!("pad {dt} {shape:?} {p:?} {v}"));
                let out = Tensor::zeros_on(GPU, dt, want.shape()).unwrap();
                spyker::pad_into(&gpu(&x), &out, p, v).unwrap();
                assert_same(&want, &out, &format!("pad_into {dt} {shape:?}"));
            }
        }
    }
}

#[test]
fn max_pool_matches_the_cpu() {
    let Some(_g) = gpu_or_skip("max_pool_matches_the_cpu") else {
        return;
    };
    let mut rng = Rng::new(2);
    let cases: [(Vec<usize>, Expand2, Option<Expand2>, Expand4); 6] = [
        (
            vec![2, 3, 4, 8, 8],
            Expand2::new(2, 2),
            None,
            Expand4::default(),
        ),
        (
            vec![1, 2, 3, 9, 11],
            Expand2::new(3, 3),
            Some(Expand2::new(2, 2)),
            Expand4::new(1, 1, 1, 1),
        ),
        (
            vec![3, 5, 6, 6],
            Expand2::new(2, 3),
            Some(Expand2::new(1, 2)),
            Expand4::new(0, 1, 2, 0),
        ),
        (
            vec![2, 2, 2, 7, 5],
            Expand2::new(7, 5),
            None,
            Expand4::default(),
        ),
        (
            vec![1, 1, 1, 4, 4],
            Expand2::new(3, 3),
            Some(Expand2::new(1, 1)),
            Expand4::new(2, 2, 2, 2),
        ),
        (
            vec![2, 4, 8, 27, 27],
            Expand2::new(3, 3),
            Some(Expand2::new(3, 3)),
            Expand4::new(1, 1, 1, 1),
        ),
    ];
    for dt in DType::ALL {
        for (shape, k, s, p) in &cases {
            for (lo, hi) in [(-3, 3), (-1000, -990)] {
                let x = random(dt, shape, lo, hi, true, &mut rng);
                let want = spyker::pool(&x, *k, *s, *p, None).unwrap();
                let got = spyker::pool(&gpu(&x), *k, *s, *p, None).unwrap();
                assert_same(
                    &want,
                    &got,
                    &format!("pool {dt} {shape:?} {k:?} {s:?} {p:?}"),
                );
            }
        }
        // All-NaN windows keep the scan's start value on both devices.
        if matches!(dt, DType::F16 | DType::F32 | DType::F64) {
            let x = Tensor::full(dt, &[1, 1, 1, 4, 4], f64::NAN).unwrap();
            let want = spyker::pool(&x, 2, None, 0, None).unwrap();
            assert_same(
                &want,
                &spyker::pool(&gpu(&x), 2, None, 0, None).unwrap(),
                "nan",
            );
        }
    }
}

#[test]
fn rate_pool_matches_the_cpu() {
    let Some(_g) = gpu_or_skip("rate_pool_matches_the_cpu") else {
        return;
    };
    let mut rng = Rng::new(3);
    for dt in DType::ALL {
        for (shape, k, s) in [
            (vec![2, 3, 4, 8, 8], Expand2::new(2, 2), None),
            (
                vec![1, 5, 3, 9, 7],
                Expand2::new(3, 2),
                Some(Expand2::new(2, 1)),
            ),
            (vec![3, 2, 2, 6, 6], Expand2::new(6, 6), None),
        ] {
            let x = random(dt, &shape, 0, 9, true, &mut rng);
            let rshape = [shape[0], shape[2], shape[3], shape[4]];
            // Few distinct rates: many ties; specials: NaN rates never win.
            let r = random(dt, &rshape, 0, 3, true, &mut rng);
            let want = spyker::pool(&x, k, s, 0, Some(&r)).unwrap();
            let got = spyker::pool(&gpu(&x), k, s, 0, Some(&gpu(&r))).unwrap();
            assert_same(&want, &got, &format!("rate pool {dt} {shape:?} {k:?}"));
            let out = Tensor::zeros_on(GPU, dt, want.shape()).unwrap();
            spyker::pool_into(&gpu(&x), &out, k, s, 0, Some(&gpu(&r))).unwrap();
            assert_same(&want, &out, &format!("rate pool_into {dt}"));
        }
        // Rates all at the type's lowest value: each window selects its own first position.
        let x = random(dt, &[1, 2, 1, 4, 4], 0, 9, false, &mut rng);
        let r = spyker::with_dtype!(dt, T => Tensor::full(dt, &[1, 1, 4, 4], spyker::Element::to_f64(<T as spyker::Element>::min_value())).unwrap());
        let want = spyker::pool(&x, 2, None, 0, Some(&r)).unwrap();
        let got = spyker::pool(&gpu(&x), 2, None, 0, Some(&gpu(&r))).unwrap();
        assert_same(&want, &got, &format!("rate pool lowest {dt}"));
    }
}

#[test]
fn pool_views_and_rank4_inputs() {
    let Some(_g) = gpu_or_skip("pool_views_and_rank4_inputs") else {
        return;
    };
    let mut rng = Rng::new(4);
    let x = random(DType::F32, &[4, 3, 2, 10, 10], -9, 9, true, &mut rng);
    let dx = gpu(&x);
    // A view with an offset into the device storage.
    let want = spyker::pool(&x.index(2).unwrap(), 3, Some(2.into()), 1, None).unwrap();
    let got = spyker::pool(&dx.index(2).unwrap(), 3, Some(2.into()), 1, None).unwrap();
    assert_same(&want, &got, "pool of a view");
    let want = spyker::pad(&x.slice(1, 3).unwrap(), 2, 7.0).unwrap();
    let got = spyker::pad(&dx.slice(1, 3).unwrap(), 2, 7.0).unwrap();
    assert_same(&want, &got, "pad of a slice");
    // Writing into a view of a larger device tensor.
    let big = Tensor::zeros_on(GPU, DType::F32, &[3, 3, 2, 5, 5]).unwrap();
    spyker::pool_into(
        &dx.index(0).unwrap(),
        &big.index(1).unwrap(),
        2,
        None,
        0,
        None,
    )
    .unwrap();
    let want = spyker::pool(&x.index(0).unwrap(), 2, None, 0, None).unwrap();
    assert_same(&want, &big.index(1).unwrap(), "pool_into a view");
    let rest = cpu(&big.index(0).unwrap());
    assert!(rest.to_vec::<f32>().unwrap().iter().all(|&v| v == 0.0));
}

#[test]
fn pool_device_errors() {
    let Some(_g) = gpu_or_skip("pool_device_errors") else {
        return;
    };
    let x = Tensor::zeros(DType::F32, &[1, 1, 1, 4, 4]).unwrap();
    let dx = gpu(&x);
    let out_cpu = Tensor::zeros(DType::F32, &[1, 1, 1, 2, 2]).unwrap();
    let out_gpu = gpu(&out_cpu);
    let e = spyker::pool_into(&dx, &out_cpu, 2, None, 0, None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Device, "{e}");
    let e = spyker::pool_into(&x, &out_gpu, 2, None, 0, None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Device, "{e}");
    let r = Tensor::zeros(DType::F32, &[1, 1, 4, 4]).unwrap();
    let e = spyker::pool(&dx, 2, None, 0, Some(&r)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Device, "{e}");
    let e = spyker::pad_into(
        &dx,
        &Tensor::zeros(DType::F32, &[1, 1, 1, 6, 6]).unwrap(),
        1,
        0.0,
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Device, "{e}");
    // Argument errors are the same as on the CPU.
    let e = spyker::pool(&dx, 5, None, 0, None).unwrap_err();
    assert_eq!(
        e.kind(),
        spyker::pool(&x, 5, None, 0, None).unwrap_err().kind()
    );
    if spyker::cuda_device_count() > 1 {
        let other = x.to_device(Device::Cuda(1)).unwrap();
        let e = spyker::pool_into(&other, &out_gpu, 2, None, 0, None).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Device, "{e}");
    }
}
