//! CUDA fire/threshold/quantize/gather/scatter through the public API against the CPU ops:
//! bit-identical for every pair of dtypes (NaNs compared as NaNs), including the rate code's
//! narrow-integer sums, counts that wrap or stop in the output type, first-spike times that wrap,
//! and scatter's per-dtype comparison of negative, fractional and NaN times. Skipped with a
//! notice without a GPU.

mod cuda_harness;

use cuda_harness::{assert_same, cpu, gpu, gpu_or_skip, random, Rng, GPU};
use spyker::{Code, DType, Device, ErrorKind, Tensor};

#[test]
fn fire_matches_the_cpu_for_every_dtype_pair() {
    let Some(_g) = gpu_or_skip("fire_matches_the_cpu_for_every_dtype_pair") else {
        return;
    };
    let mut rng = Rng::new(21);
    for si in DType::ALL {
        // Wide ranges: narrow integer sums leave their type; NaN/inf in float inputs.
        let x = random(si, &[3, 12, 5, 7], -130, 260, true, &mut rng);
        let dx = gpu(&x);
        for thr in [0.0, 1.0, 100.0, -1.0, 250.5] {
            for so in DType::ALL {
                for code in [Code::Rank, Code::Rate] {
                    let want = spyker::fire(&x, thr, so, code).unwrap();
                    let got = spyker::fire(&dx, thr, so, code).unwrap();
                    assert_eq!(got.device(), GPU);
                    assert_same(&want, &got, &format!("fire {code:?} {si}->{so} thr {thr}"));
                }
            }
        }
        // A 2-D input is one sample [T, N] for the rate code.
        let x2 = random(si, &[9, 11], 0, 50, true, &mut rng);
        let want = spyker::fire(&x2, 3.0, DType::U8, Code::Rate).unwrap();
        let got = spyker::fire(&gpu(&x2), 3.0, DType::U8, Code::Rate).unwrap();
        assert_same(&want, &got, &format!("fire rate 2-D {si}"));
    }
}

#[test]
fn rate_counts_wrap_or_stop_in_the_output_type() {
    let Some(_g) = gpu_or_skip("rate_counts_wrap_or_stop_in_the_output_type") else {
        return;
    };
    // A potential rising by 1 every step spikes at every step: 3000 spikes pass 255 (u8 wraps)
    // and 2048 (f16 stops, 2048 + 1 rounds back to 2048).
    let steps = 3000;
    let v: Vec<f32> = (0..steps * 2).map(|k| (k / 2) as f32 + 1.0).collect();
    let x = Tensor::from_vec(v, &[1, steps, 2]).unwrap();
    for so in DType::ALL {
        let want = spyker::fire(&x, 0.0, so, Code::Rate).unwrap();
        let got = spyker::fire(&gpu(&x), 0.0, so, Code::Rate).unwrap();
        assert_same(&want, &got, &format!("long rate fire -> {so}"));
    }
}

#[test]
fn threshold_and_quantize_match_the_cpu() {
    let Some(_g) = gpu_or_skip("threshold_and_quantize_match_the_cpu") else {
        return;
    };
    let mut rng = Rng::new(22);
    for dt in DType::ALL {
        let x = random(dt, &[4, 333], -300, 300, true, &mut rng);
        for (thr, val) in [(0.0, 0.0), (10.5, -1.0), (-1.0, 7.0), (200.0, f64::NAN)] {
            let want = spyker::threshold(&x, thr, val).unwrap();
            let dx = gpu(&x);
            let got = spyker::threshold(&dx, thr, val).unwrap();
            assert_same(&x, &dx, &format!("threshold leaves its input {dt}"));
            assert_same(&want, &got, &format!("threshold {dt} {thr} {val}"));
            spyker::threshold_inplace(&dx, thr, val).unwrap();
            assert_same(&want, &dx, &format!("threshold_inplace {dt} {thr} {val}"));
        }
        for (lo, mid, up) in [(0.0, 0.5, 1.0), (-1.0, 0.0, 2.0), (3.0, 100.0, -5.5)] {
            let want = spyker::quantize(&x, lo, mid, up).unwrap();
            let dx = gpu(&x);
            assert_same(
                &want,
                &spyker::quantize(&dx, lo, mid, up).unwrap(),
                "quantize",
            );
            spyker::quantize_inplace(&dx, lo, mid, up).unwrap();
            assert_same(
                &want,
                &dx,
                &format!("quantize_inplace {dt} {lo} {mid} {up}"),
            );
        }
    }
}

#[test]
fn gather_matches_the_cpu_for_every_dtype_pair() {
    let Some(_g) = gpu_or_skip("gather_matches_the_cpu_for_every_dtype_pair") else {
        return;
    };
    let mut rng = Rng::new(23);
    for si in DType::ALL {
        let x = random(si, &[2, 7, 3, 5], -3, 3, true, &mut rng);
        let dx = gpu(&x);
        // 300 steps: first-spike times and the "never" value T wrap in u8/i8 outputs.
        let long = random(si, &[2, 300, 4], -400, 3, false, &mut rng);
        let dlong = gpu(&long);
        for so in DType::ALL {
            for code in [Code::Rank, Code::Rate] {
                for thr in [0.0, 2.0, -10.0] {
                    let want = spyker::gather(&x, thr, so, code).unwrap();
                    let got = spyker::gather(&dx, thr, so, code).unwrap();
                    assert_same(&want, &got, &format!("gather {code:?} {si}->{so} {thr}"));
                }
                let want = spyker::gather(&long, 0.0, so, code).unwrap();
                let got = spyker::gather(&dlong, 0.0, so, code).unwrap();
                assert_same(&want, &got, &format!("gather long {code:?} {si}->{so}"));
            }
        }
    }
}

#[test]
fn scatter_matches_the_cpu_for_every_dtype_pair() {
    let Some(_g) = gpu_or_skip("scatter_matches_the_cpu_for_every_dtype_pair") else {
        return;
    };
    let mut rng = Rng::new(24);
    for si in DType::ALL {
        // Negative, fractional (floats), NaN/inf, beyond `time`.
        let x = random(si, &[3, 4, 6], -4, 20, true, &mut rng);
        let dx = gpu(&x);
        for so in DType::ALL {
            for time in [1, 15, 19] {
                let want = spyker::scatter(&x, time, so).unwrap();
                let got = spyker::scatter(&dx, time, so).unwrap();
                assert_same(&want, &got, &format!("scatter {si}->{so} T={time}"));
            }
        }
        // gather(scatter(x)) round trip on the device.
        let t = spyker::scatter(&dx, 15, DType::U8).unwrap();
        let back = spyker::gather(&t, 0.0, si, Code::Rank).unwrap();
        let want = spyker::gather(
            &spyker::scatter(&x, 15, DType::U8).unwrap(),
            0.0,
            si,
            Code::Rank,
        )
        .unwrap();
        assert_same(&want, &back, &format!("scatter/gather {si}"));
    }
}

#[test]
fn fire_family_device_errors() {
    let Some(_g) = gpu_or_skip("fire_family_device_errors") else {
        return;
    };
    let x = Tensor::zeros(DType::F32, &[2, 3, 4]).unwrap();
    let dx = gpu(&x);
    let kind = |r: spyker::Result<()>| r.unwrap_err().kind();
    let out = Tensor::zeros(DType::U8, &[2, 3, 4]).unwrap();
    assert_eq!(
        kind(spyker::fire_into(&dx, &out, 0.0, Code::Rank)),
        ErrorKind::Device
    );
    assert_eq!(
        kind(spyker::fire_into(&x, &gpu(&out), 0.0, Code::Rank)),
        ErrorKind::Device
    );
    let g = Tensor::zeros(DType::U8, &[2, 4]).unwrap();
    assert_eq!(
        kind(spyker::gather_into(&dx, &g, 0.0, Code::Rank)),
        ErrorKind::Device
    );
    let s = Tensor::zeros(DType::U8, &[2, 5, 3, 4]).unwrap();
    assert_eq!(kind(spyker::scatter_into(&gpu(&g), &s)), ErrorKind::Device);
    // Argument errors as on the CPU.
    assert_eq!(
        spyker::fire(&dx, f64::NAN, DType::U8, Code::Rank)
            .unwrap_err()
            .kind(),
        ErrorKind::Argument
    );
    assert_eq!(
        kind(spyker::fire_into(&dx, &dx, 0.0, Code::Rank)),
        spyker::fire_into(&x, &x, 0.0, Code::Rank)
            .unwrap_err()
            .kind()
    );
    if spyker::cuda_device_count() > 1 {
        let other = x.to_device(Device::Cuda(1)).unwrap();
        let o = Tensor::zeros_on(GPU, DType::U8, &[2, 3, 4]).unwrap();
        assert_eq!(
            kind(spyker::fire_into(&other, &o, 0.0, Code::Rank)),
            ErrorKind::Device
        );
    }
    let _ = cpu(&dx);
}
