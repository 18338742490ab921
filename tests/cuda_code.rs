//! CUDA `code` (rank and rate coding, sorted and linear latencies) and `infinite` against the CPU
//! kernels: bit-identical for every input and output dtype, with ties (the sorted rank code of
//! tied values depends on the CPU's introsort, which the GPU reproduces), constant samples, ±0,
//! infinities, extreme values (wrapping differences), `code_into`, 1-D inputs, the same errors
//! and device errors. Skipped with a notice without a GPU.

mod cuda_harness;

use cuda_harness::{assert_same, gpu, gpu_or_skip, random, Rng, GPU};
use spyker::{Code, DType, ErrorKind, Tensor};

fn is_float(dt: DType) -> bool {
    matches!(dt, DType::F16 | DType::F32 | DType::F64)
}

/// A CPU tensor of `dt` from f64 values (converted with the library's rules).
fn tensor(dt: DType, vals: Vec<f64>, shape: &[usize]) -> Tensor {
    Tensor::from_vec(vals, shape).unwrap().to_dtype(dt).unwrap()
}

/// Whether `x` holds an infinity (linear coding rejects those).
fn has_inf(x: &Tensor) -> bool {
    x.to_vec_as::<f64>()
        .unwrap()
        .iter()
        .any(|v| v.is_infinite())
}

/// Code inputs of `dt`.
fn inputs(dt: DType, rng: &mut Rng) -> Vec<Tensor> {
    let mut v = vec![
        // Many ties, more than 16 features: introsort partitions.
        random(dt, &[3, 40], -3, 3, false, rng),
        // At most 16 features: insertion sort only.
        random(dt, &[2, 7], 0, 2, false, rng),
        random(dt, &[2, 16], 0, 3, false, rng),
        random(dt, &[2, 17], 0, 3, false, rng),
        // Long samples with ties: deep partitioning.
        random(dt, &[2, 3000], -20, 20, false, rng),
        random(dt, &[1, 2, 5, 5], -100, 100, false, rng),
        // Wide ranges: wrapping differences in wide integers, f16 overflow to infinity,
        // saturation for narrow types.
        // (f16 saturates to infinities here: sorted coding only.)
        random(dt, &[2, 64], -3_000_000_000, 3_000_000_000, false, rng),
        random(dt, &[2, 64], -60_000, 60_000, false, rng),
        // 1-D: one sample.
        random(dt, &[50], 0, 9, false, rng),
        // A constant sample next to a normal one.
        tensor(
            dt,
            (0..60)
                .map(|j| if j < 30 { 3.0 } else { (j % 5) as f64 })
                .collect(),
            &[2, 30],
        ),
    ];
    // Structured orders (ascending, descending, organ pipe, sawtooth) that steer median-of-3.
    let n = 1200;
    let patterns: Vec<f64> = (0..n)
        .map(|j| (j % 97) as f64)
        .chain((0..n).map(|j| (n - j) as f64 / 8.0))
        .chain((0..n).map(|j| (if j < n / 2 { j } else { n - j }) as f64 / 4.0))
        .chain((0..n).map(|j| ((j * j) % 101) as f64))
        .collect();
    v.push(tensor(dt, patterns, &[4, n]));
    if is_float(dt) {
        let specials = [-0.0, 0.0, 0.25, -1.5, f64::INFINITY, f64::NEG_INFINITY, 2.0];
        let vals: Vec<f64> = (0..3 * 45)
            .map(|_| specials[(rng.next_u64() % specials.len() as u64) as usize])
            .collect();
        v.push(tensor(dt, vals, &[3, 45]));
        let zeros: Vec<f64> = (0..40)
            .map(|j| if j % 3 == 0 { -0.0 } else { 0.0 })
            .chain((0..40).map(|j| if j % 2 == 0 { -0.0 } else { 1.0 }))
            .collect();
        v.push(tensor(dt, zeros, &[2, 40]));
    }
    v
}

#[test]
fn rank_code_matches_the_cpu() {
    let Some(_g) = gpu_or_skip("rank_code_matches_the_cpu") else {
        return;
    };
    let mut rng = Rng::new(11);
    for dt in DType::ALL {
        for x in inputs(dt, &mut rng) {
            let xg = gpu(&x);
            let inf = has_inf(&x);
            for sort in [true, false] {
                if inf && !sort {
                    continue;
                }
                for time in [1, 7, 64, 300] {
                    let what = format!("rank {dt} {:?} sort {sort} time {time}", x.shape());
                    let want = spyker::code(&x, time, sort, Code::Rank).unwrap();
                    let got = spyker::code(&xg, time, sort, Code::Rank).unwrap();
                    assert_eq!(got.device(), GPU);
                    assert_same(&want, &got, &what);
                }
            }
        }
    }
}

#[test]
fn rank_code_output_dtypes_and_into() {
    let Some(_g) = gpu_or_skip("rank_code_output_dtypes_and_into") else {
        return;
    };
    let mut rng = Rng::new(12);
    for dt in [DType::U8, DType::F16, DType::I64, DType::F64] {
        let x = random(dt, &[3, 2, 9], -4, 4, false, &mut rng);
        for odt in DType::ALL {
            for sort in [true, false] {
                let what = format!("rank {dt} -> {odt} sort {sort}");
                let want = spyker::code_as(&x, 9, sort, odt, Code::Rank).unwrap();
                let got = spyker::code_as(&gpu(&x), 9, sort, odt, Code::Rank).unwrap();
                assert_same(&want, &got, &what);
                let out = Tensor::full(odt, want.shape(), 5)
                    .unwrap()
                    .to_device(GPU)
                    .unwrap();
                spyker::code_into(&gpu(&x), &out, 9, sort, Code::Rank).unwrap();
                assert_same(&want, &out, &format!("{what} into"));
            }
        }
    }
}

#[test]
fn rate_code_matches_the_cpu() {
    let Some(_g) = gpu_or_skip("rate_code_matches_the_cpu") else {
        return;
    };
    let mut rng = Rng::new(13);
    let mut seed = 100;
    for dt in DType::ALL {
        let cases = [
            random(dt, &[5, 30], 0, 9, false, &mut rng),
            random(dt, &[2, 3, 4, 4], -50, 50, false, &mut rng),
            random(dt, &[40], 0, 3, false, &mut rng),
        ];
        for x in &cases {
            for sort in [true, false] {
                for time in [1, 5, 40, 300] {
                    for odt in [DType::U8, DType::I32, DType::F16, DType::F32] {
                        seed += 1;
                        let what =
                            format!("rate {dt} -> {odt} {:?} sort {sort} time {time}", x.shape());
                        spyker::random_seed(seed);
                        let want = spyker::code_as(x, time, sort, odt, Code::Rate).unwrap();
                        spyker::random_seed(seed);
                        let got = spyker::code_as(&gpu(x), time, sort, odt, Code::Rate).unwrap();
                        assert_same(&want, &got, &what);
                    }
                }
            }
        }
    }
    // Counts past 255 wrap in u8 and stop being exact in f16, every output dtype, `code_into`.
    let x = random(DType::F32, &[3, 6], 0, 9, false, &mut rng);
    for odt in DType::ALL {
        for time in [600, 2100] {
            seed += 1;
            spyker::random_seed(seed);
            let want = spyker::code_as(&x, time, true, odt, Code::Rate).unwrap();
            spyker::random_seed(seed);
            let out = Tensor::zeros_on(GPU, odt, want.shape()).unwrap();
            spyker::code_into(&gpu(&x), &out, time, true, Code::Rate).unwrap();
            assert_same(&want, &out, &format!("rate into {odt} time {time}"));
        }
    }
    // The GPU path consumes one generator draw per call, like the CPU: two calls in a row match.
    spyker::random_seed(5);
    let a = spyker::code(&x, 20, false, Code::Rate).unwrap();
    let b = spyker::code(&x, 20, false, Code::Rate).unwrap();
    spyker::random_seed(5);
    let c = spyker::code(&gpu(&x), 20, false, Code::Rate).unwrap();
    let d = spyker::code(&gpu(&x), 20, false, Code::Rate).unwrap();
    assert_same(&a, &c, "first call");
    assert_same(&b, &d, "second call");
}

#[test]
fn code_errors_match_the_cpu() {
    let Some(_g) = gpu_or_skip("code_errors_match_the_cpu") else {
        return;
    };
    for dt in [DType::F16, DType::F32, DType::F64] {
        let mut vals = vec![1.0; 24];
        vals[3] = f64::NEG_INFINITY;
        vals[5] = f64::NAN;
        vals[9] = f64::INFINITY;
        let x = tensor(dt, vals, &[2, 12]);
        for sort in [true, false] {
            for code in [Code::Rank, Code::Rate] {
                let want = spyker::code(&x, 5, sort, code).unwrap_err();
                let got = spyker::code(&gpu(&x), 5, sort, code).unwrap_err();
                assert_eq!(got.kind(), want.kind(), "{dt} {sort}");
                assert_eq!(got.to_string(), want.to_string(), "{dt} {sort}");
            }
        }
        // Only +inf, linear coding: the message names the value.
        let mut vals = vec![1.0; 8];
        vals[6] = f64::INFINITY;
        let x = tensor(dt, vals, &[8]);
        let want = spyker::code(&x, 5, false, Code::Rank).unwrap_err();
        let got = spyker::code(&gpu(&x), 5, false, Code::Rank).unwrap_err();
        assert_eq!(got.to_string(), want.to_string());
    }
    let x = Tensor::zeros(DType::F32, &[2, 5]).unwrap();
    let out = Tensor::zeros_on(GPU, DType::U8, &[2, 4, 5]).unwrap();
    let e = spyker::code_into(&x, &out, 4, true, Code::Rank).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Device, "{e}");
    let e = spyker::code_into(&gpu(&x), &out, 5, true, Code::Rank).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Shape, "{e}");
    let e = spyker::code(&gpu(&x), 0, true, Code::Rank).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Argument, "{e}");
}

#[test]
fn infinite_matches_the_cpu() {
    let Some(_g) = gpu_or_skip("infinite_matches_the_cpu") else {
        return;
    };
    let mut rng = Rng::new(14);
    for dt in DType::ALL {
        for shape in [
            vec![2, 5, 3, 4],
            vec![4, 1, 7],
            vec![6, 10],
            vec![3, 2, 2, 2, 5],
        ] {
            let x = random(dt, &shape, -9, 9, true, &mut rng);
            for v in [0.0, -1.5, 300.0, f64::NAN] {
                let what = format!("infinite {dt} {shape:?} {v}");
                let want = spyker::infinite(&x, v).unwrap();
                let got = spyker::infinite(&gpu(&x), v).unwrap();
                assert_eq!(got.device(), GPU);
                assert_same(&want, &got, &what);
                let g = gpu(&x);
                spyker::infinite_inplace(&g, v).unwrap();
                assert_same(&want, &g, &format!("{what} inplace"));
            }
        }
        // A view: only the viewed samples change.
        let x = random(dt, &[4, 3, 5], -9, 9, false, &mut rng);
        let want = x.copy().unwrap();
        spyker::infinite_inplace(&want.slice(1, 3).unwrap(), 7).unwrap();
        let g = gpu(&x);
        spyker::infinite_inplace(&g.slice(1, 3).unwrap(), 7).unwrap();
        assert_same(&want, &g, &format!("infinite view {dt}"));
    }
    let e = spyker::infinite(&gpu(&Tensor::zeros(DType::F32, &[5]).unwrap()), 1).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Shape, "{e}");
}
