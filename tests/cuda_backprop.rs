//! CUDA `backward`, `labelize` and `FC::backward` against the CPU kernels: bit-identical for every
//! dtype (NaNs compared as NaNs), including in-place `backward`, integer wrap-around, ties and
//! nothing-fired rows, and `FC::backward`'s kernel, `sfactor` and result. Skipped with a notice
//! without a GPU.

mod cuda_harness;

use cuda_harness::{assert_same, cpu, gpu, gpu_or_skip, random, Rng, GPU};
use spyker::{BPConfig, DType, Device, ErrorKind, Tensor, FC};

fn targets(b: usize, n: usize, rng: &mut Rng) -> Tensor {
    let v: Vec<i64> = (0..b).map(|_| (rng.next_u64() % n as u64) as i64).collect();
    Tensor::from_vec(v, &[b]).unwrap()
}

#[test]
fn backward_matches_the_cpu_for_every_dtype() {
    let Some(_g) = gpu_or_skip("backward_matches_the_cpu_for_every_dtype") else {
        return;
    };
    let mut rng = Rng::new(31);
    for dt in DType::ALL {
        for (b, n) in [(1, 1), (4, 10), (37, 3), (300, 17)] {
            for (time, gamma) in [(10usize, 3.0), (15, 0.0), (1, 1.0), (200, -2.5), (7, 100.0)] {
                // Times in [0, time] (many equal to `time`: not fired), specials for floats,
                // and a row where nothing fired.
                let x = random(dt, &[b, n], 0, time as i64, true, &mut rng);
                if b > 1 {
                    x.index(0).unwrap().fill(time as f64).unwrap();
                }
                let t = targets(b, n, &mut rng);
                let what = format!("backward {dt} [{b},{n}] time {time} gamma {gamma}");
                let want = spyker::backward(&x, &t, time, gamma).unwrap();
                let got = spyker::backward(&gpu(&x), &gpu(&t), time, gamma).unwrap();
                assert_eq!(got.device(), GPU);
                assert_same(&want, &got, &what);
                let out = Tensor::zeros_on(GPU, dt, &[b, n]).unwrap();
                spyker::backward_into(&gpu(&x), &out, &gpu(&t), time, gamma).unwrap();
                assert_same(&want, &out, &format!("{what} (into)"));
                // In place.
                let dx = gpu(&x);
                spyker::backward_into(&dx, &dx, &gpu(&t), time, gamma).unwrap();
                assert_same(&want, &dx, &format!("{what} (in place)"));
            }
        }
        // Negative and wrapping values (signed promotion vs wide wrap-around).
        let x = random(dt, &[8, 9], -120, 120, false, &mut rng);
        let t = targets(8, 9, &mut rng);
        let want = spyker::backward(&x, &t, 3, 7.0).unwrap();
        let got = spyker::backward(&gpu(&x), &gpu(&t), 3, 7.0).unwrap();
        assert_same(&want, &got, &format!("backward {dt} negative"));
    }
    // The spec example.
    let x = Tensor::from_vec(vec![3f32, 5., 7., 10.], &[1, 4]).unwrap();
    let t = Tensor::from_vec(vec![2i64], &[1]).unwrap();
    let got = spyker::backward(&gpu(&x), &gpu(&t), 10, 3.0).unwrap();
    assert_eq!(
        cpu(&got).to_vec::<f32>().unwrap(),
        vec![0.3, 0.1, -0.4, 0.0]
    );
}

#[test]
fn backward_errors() {
    let Some(_g) = gpu_or_skip("backward_errors") else {
        return;
    };
    let x = gpu(&Tensor::zeros(DType::F32, &[2, 3]).unwrap());
    let bad = gpu(&Tensor::from_vec(vec![0i64, 3], &[2]).unwrap());
    let e = spyker::backward(&x, &bad, 5, 1.0).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Argument, "{e}");
    let t = Tensor::from_vec(vec![0i64, 1], &[2]).unwrap();
    let e = spyker::backward(&x, &t, 5, 1.0).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Device, "{e}");
    let e = spyker::backward(&x, &gpu(&t), 0, 1.0).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Argument, "{e}");
    let e = spyker::backward(&x, &gpu(&t.to_dtype(DType::I32).unwrap()), 5, 1.0).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::DType, "{e}");
    let out = Tensor::zeros(DType::F32, &[2, 3]).unwrap();
    let e = spyker::backward_into(&x, &out, &gpu(&t), 5, 1.0).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Device, "{e}");
}

#[test]
fn labelize_matches_the_cpu_for_every_dtype() {
    let Some(_g) = gpu_or_skip("labelize_matches_the_cpu_for_every_dtype") else {
        return;
    };
    let mut rng = Rng::new(32);
    for dt in DType::ALL {
        for (b, t, n) in [(1, 1, 1), (5, 4, 10), (300, 15, 7), (3, 2, 1)] {
            for (lo, hi, thr) in [(0, 1, 0.5), (0, 3, 2.0), (-5, 5, 9.0), (0, 9, -1.0)] {
                let x = random(dt, &[b, t, n], lo, hi, true, &mut rng);
                let what = format!("labelize {dt} [{b},{t},{n}] thr {thr}");
                let want = spyker::labelize(&x, thr).unwrap();
                let got = spyker::labelize(&gpu(&x), thr).unwrap();
                assert_eq!(got.device(), GPU);
                assert_same(&want, &got, &what);
                let out = Tensor::zeros_on(GPU, DType::I64, &[b]).unwrap();
                spyker::labelize_into(&gpu(&x), &out, thr).unwrap();
                assert_same(&want, &out, &format!("{what} (into)"));
            }
        }
    }
    let x = gpu(&Tensor::zeros(DType::F32, &[2, 3, 4]).unwrap());
    let e = spyker::labelize_into(&x, &Tensor::zeros(DType::I64, &[2]).unwrap(), 0.5).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Device, "{e}");
    let e =
        spyker::labelize(&gpu(&Tensor::zeros(DType::F32, &[2, 0, 4]).unwrap()), 0.5).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Argument, "{e}");
}

/// One FC::backward call on both devices with the same kernel and config.
fn check_fc_backward(dt: DType, (b, o, i): (usize, usize, usize), cfg: BPConfig, rng: &mut Rng) {
    let what = format!("FC::backward {dt} b {b} o {o} i {i}");
    let mut layer = FC::new(i, o, 0.5, 0.3, Device::Cpu, DType::F32).unwrap();
    // Some zero weights (sign 0) and negative ones.
    let kv: Vec<f32> = layer
        .kernel
        .to_vec::<f32>()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(j, &v)| if j % 7 == 3 { 0.0 } else { v - 0.5 })
        .collect();
    layer.kernel = Tensor::from_vec(kv, &[o, i]).unwrap();
    layer.bpconfig = cfg;
    let mut dlayer = layer.to_device(GPU).unwrap();
    let input = random(dt, &[b, i], 0, 15, false, rng);
    let output = random(dt, &[b, o], 0, 15, false, rng);
    let grad = random(dt, &[b, o], -3, 3, false, rng);
    let want = layer.backward(&input, &output, &grad).unwrap();
    let got = dlayer
        .backward(&gpu(&input), &gpu(&output), &gpu(&grad))
        .unwrap();
    assert_eq!(got.device(), GPU);
    assert_same(&want, &got, &format!("{what}: next"));
    assert_same(&layer.kernel, &dlayer.kernel, &format!("{what}: kernel"));
    assert_eq!(
        layer.bpconfig.sfactor.to_bits(),
        dlayer.bpconfig.sfactor.to_bits(),
        "{what}: sfactor {} vs {}",
        layer.bpconfig.sfactor,
        dlayer.bpconfig.sfactor
    );
    // Into a caller's tensor, from the updated kernels.
    let next = Tensor::zeros_on(GPU, dt, &[b, i]).unwrap();
    let want = layer.backward(&input, &output, &grad).unwrap();
    dlayer
        .backward_into(&gpu(&input), &gpu(&output), &gpu(&grad), &next)
        .unwrap();
    assert_same(&want, &next, &format!("{what}: next (into)"));
    assert_same(&layer.kernel, &dlayer.kernel, &format!("{what}: kernel 2"));
    assert_eq!(
        layer.bpconfig.sfactor.to_bits(),
        dlayer.bpconfig.sfactor.to_bits()
    );
}

#[test]
fn fc_backward_matches_the_cpu() {
    let Some(_g) = gpu_or_skip("fc_backward_matches_the_cpu") else {
        return;
    };
    let mut rng = Rng::new(33);
    let cfgs = [
        BPConfig::default(),
        BPConfig {
            sfactor: 0.75,
            lrate: 0.01,
            lrf: 0.3,
            lambda: 0.001,
        },
    ];
    for dt in DType::ALL {
        for cfg in cfgs {
            check_fc_backward(dt, (3, 10, 50), cfg, &mut rng);
        }
    }
    for dims in [(1, 1, 1), (20, 10, 3200), (5, 130, 7), (2, 3, 1000)] {
        check_fc_backward(DType::F32, dims, cfgs[1], &mut rng);
    }
}

#[test]
fn fc_backward_errors() {
    let Some(_g) = gpu_or_skip("fc_backward_errors") else {
        return;
    };
    let mut layer = FC::new(4, 3, 0.5, 0.02, GPU, DType::F32).unwrap();
    let x = Tensor::zeros(DType::F32, &[2, 4]).unwrap();
    let y = Tensor::zeros(DType::F32, &[2, 3]).unwrap();
    // CPU tensors into a GPU layer.
    let e = layer.backward(&x, &y, &y).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Device, "{e}");
    let e = layer
        .backward_into(&gpu(&x), &gpu(&y), &gpu(&y), &x)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Device, "{e}");
    // The kernel must be f32; shapes must agree.
    let e = layer.backward(&gpu(&x), &gpu(&y), &gpu(&x)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Shape, "{e}");
    let mut f64_layer = FC::new(4, 3, 0.5, 0.02, GPU, DType::F64).unwrap();
    let e = f64_layer
        .backward(&gpu(&x), &gpu(&y), &gpu(&y))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::DType, "{e}");
}
