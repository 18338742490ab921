//! CUDA `fc` and the `FC` layer's forward pass against the CPU kernels.
//!
//! The GPU sums each output in input order with fused multiply-adds from +0.0; the CPU's GEMM
//! library blocks and vectorises its sums differently, so general float results agree to rounding:
//! `|gpu - cpu| <= 2 n u Σ|x·w|` (twice the classic bound of a length-`n` dot product, `u` the unit
//! roundoff of the accumulator: 2^-24 for f16/f32 kernels, 2^-53 for f64), plus one f16 ulp of the
//! result for f16 kernels (the two sums may round to neighbouring f16 values). Whenever every
//! partial sum is exact (spikes or small integers with integer-valued kernels, and `sign = true`
//! with small-integer inputs) both devices give the same bits, which the tests check with NaN,
//! ±inf and ±0 among the inputs. Skipped with a notice without a GPU.

mod cuda_harness;

use cuda_harness::{assert_same, cpu, gpu, gpu_or_skip, random, weights, Rng, GPU};
use spyker::{DType, Device, ErrorKind, Tensor, FC};

const KERNEL_DTYPES: [DType; 3] = [DType::F16, DType::F32, DType::F64];

/// (input shape, kernel [O, I]).
fn shapes() -> Vec<(Vec<usize>, [usize; 2])> {
    vec![
        (vec![2, 3, 10], [4, 10]),
        (vec![5, 15, 100], [10, 100]),
        // Rows and outputs beyond one tile, inputs not a multiple of the tile depth.
        (vec![3, 50, 77], [130, 77]),
        (vec![1, 1, 1000], [3, 1000]),
        (vec![7, 1], [65, 1]),
        // Rank 2 input (B = 1), one output.
        (vec![9, 33], [1, 33]),
    ]
}

fn abs_f64(t: &Tensor) -> Tensor {
    let v: Vec<f64> = t
        .to_vec_as::<f64>()
        .unwrap()
        .iter()
        .map(|v| v.abs())
        .collect();
    Tensor::from_vec(v, t.shape()).unwrap()
}

/// Checks `got` against the CPU result `want` within the bound above.
fn assert_close(x: &Tensor, k: &Tensor, want: &Tensor, got: &Tensor, what: &str) {
    let got = cpu(got);
    assert_eq!(want.shape(), got.shape(), "{what}: shape");
    assert_eq!(want.dtype(), got.dtype(), "{what}: dtype");
    let n = k.shape()[1] as f64;
    let u = if k.dtype() == DType::F64 {
        2f64.powi(-53)
    } else {
        2f64.powi(-24)
    };
    // Σ|x·w| per output, in f64, from the inputs as the kernel dtype sees them.
    let xs = abs_f64(&x.to_dtype(k.dtype()).unwrap());
    let mass = spyker::fc(&xs, &abs_f64(k), false).unwrap();
    let (w, g, m) = (
        want.to_vec_as::<f64>().unwrap(),
        got.to_vec_as::<f64>().unwrap(),
        mass.to_vec_as::<f64>().unwrap(),
    );
    for (i, ((a, b), s)) in w.iter().zip(&g).zip(&m).enumerate() {
        let mut tol = 2.0 * n * u * s;
        if k.dtype() == DType::F16 {
            tol += a.abs().max(b.abs()) * 2f64.powi(-10) + 2f64.powi(-24);
        }
        assert!(
            (a - b).abs() <= tol,
            "{what}: element {i}: cpu {a} vs cuda {b} (tolerance {tol})"
        );
    }
}

#[test]
fn fc_matches_the_cpu_within_rounding() {
    let Some(_g) = gpu_or_skip("fc_matches_the_cpu_within_rounding") else {
        return;
    };
    let mut rng = Rng::new(21);
    for (ins, ks) in shapes() {
        for kdt in KERNEL_DTYPES {
            let k = weights(kdt, &ks, &mut rng);
            for idt in DType::ALL {
                let x = random(idt, &ins, 0, 3, false, &mut rng);
                let what = format!("fc {idt} x {kdt} {ins:?} {ks:?}");
                let want = spyker::fc(&x, &k, false).unwrap();
                let got = spyker::fc(&gpu(&x), &gpu(&k), false).unwrap();
                assert_eq!(got.device(), GPU);
                assert_close(&x, &k, &want, &got, &what);
                let out = Tensor::zeros_on(GPU, kdt, want.shape()).unwrap();
                spyker::fc_into(&gpu(&x), &gpu(&k), &out, false).unwrap();
                assert_close(&x, &k, &want, &out, &format!("{what} (into)"));
            }
        }
    }
}

#[test]
fn fc_is_exact_when_sums_are_exact() {
    let Some(_g) = gpu_or_skip("fc_is_exact_when_sums_are_exact") else {
        return;
    };
    let mut rng = Rng::new(22);
    for (ins, ks) in shapes() {
        for kdt in KERNEL_DTYPES {
            // Integer-valued kernels in [-4, 4]: every partial sum of small integers is exact.
            let k = random(kdt, &ks, -4, 4, false, &mut rng);
            // Non-integer weights with `sign`: the GPU sees only -1, 0, +1.
            let kf = weights(kdt, &ks, &mut rng);
            for idt in DType::ALL {
                let what = format!("{idt} x {kdt} {ins:?} {ks:?}");
                // Spikes, and small integers with NaN, ±inf, ±0 and halves for float inputs.
                let spikes = random(idt, &ins, 0, 1, false, &mut rng);
                let ints = random(idt, &ins, -3, 3, true, &mut rng);
                for x in [&spikes, &ints] {
                    let want = spyker::fc(x, &k, false).unwrap();
                    let got = spyker::fc(&gpu(x), &gpu(&k), false).unwrap();
                    assert_same(&want, &got, &format!("exact fc {what}"));
                    let want = spyker::fc(x, &kf, true).unwrap();
                    let got = spyker::fc(&gpu(x), &gpu(&kf), true).unwrap();
                    assert_same(&want, &got, &format!("sign fc {what}"));
                    let out = Tensor::zeros_on(GPU, kdt, want.shape()).unwrap();
                    spyker::fc_into(&gpu(x), &gpu(&kf), &out, true).unwrap();
                    assert_same(&want, &out, &format!("sign fc_into {what}"));
                }
            }
        }
    }
}

#[test]
fn fc_signs_of_special_weights() {
    let Some(_g) = gpu_or_skip("fc_signs_of_special_weights") else {
        return;
    };
    // sign(NaN) = 0, sign(±0) = 0, sign(±inf) = ±1.
    let k = Tensor::from_vec(
        vec![f32::NAN, 0.0, -0.0, f32::INFINITY, f32::NEG_INFINITY, 0.5],
        &[2, 3],
    )
    .unwrap();
    let x = Tensor::from_vec(vec![1u8, 2, 3, 0, 1, 1], &[2, 3]).unwrap();
    let want = spyker::fc(&x, &k, true).unwrap();
    assert_same(
        &want,
        &spyker::fc(&gpu(&x), &gpu(&k), true).unwrap(),
        "sign",
    );
}

#[test]
fn fc_views_and_into_views() {
    let Some(_g) = gpu_or_skip("fc_views_and_into_views") else {
        return;
    };
    let mut rng = Rng::new(23);
    let x = random(DType::U8, &[4, 5, 6, 20], 0, 1, false, &mut rng);
    let kbig = random(DType::F32, &[3, 7, 20], -3, 3, false, &mut rng);
    let (dx, dk) = (gpu(&x), gpu(&kbig));
    let want = spyker::fc(&x.index(1).unwrap(), &kbig.index(2).unwrap(), false).unwrap();
    let got = spyker::fc(&dx.index(1).unwrap(), &dk.index(2).unwrap(), false).unwrap();
    assert_same(&want, &got, "fc of views");
    let big = Tensor::zeros_on(GPU, DType::F32, &[3, 5, 6, 7]).unwrap();
    spyker::fc_into(
        &dx.index(3).unwrap(),
        &dk.index(0).unwrap(),
        &big.index(1).unwrap(),
        false,
    )
    .unwrap();
    let want = spyker::fc(&x.index(3).unwrap(), &kbig.index(0).unwrap(), false).unwrap();
    assert_same(&want, &big.index(1).unwrap(), "fc_into a view");
    for i in [0, 2] {
        let rest = cpu(&big.index(i).unwrap());
        assert!(rest.to_vec::<f32>().unwrap().iter().all(|&v| v == 0.0));
    }
}

#[test]
fn fc_layer_runs_on_the_gpu() {
    let Some(_g) = gpu_or_skip("fc_layer_runs_on_the_gpu") else {
        return;
    };
    let mut rng = Rng::new(24);
    for dt in KERNEL_DTYPES {
        let layer = FC::new(50, 12, 0.5, 0.02, Device::Cpu, dt).unwrap();
        let dlayer = layer.to_device(GPU).unwrap();
        assert_eq!(dlayer.device(), GPU);
        assert_eq!(layer.device(), Device::Cpu);
        let x = random(DType::U8, &[3, 4, 50], 0, 1, false, &mut rng);
        for sign in [false, true] {
            let want = layer.forward(&x, sign).unwrap();
            let got = dlayer.forward(&gpu(&x), sign).unwrap();
            let what = format!("FC::forward {dt} sign {sign}");
            if sign {
                assert_same(&want, &got, &what);
            } else {
                assert_close(&x, &layer.kernel, &want, &got, &what);
            }
            let out = Tensor::zeros_on(GPU, dt, want.shape()).unwrap();
            dlayer.forward_into(&gpu(&x), &out, sign).unwrap();
            if sign {
                assert_same(&want, &out, &what);
            }
        }
        let e = dlayer.forward(&x, false).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Device, "{e}");
        spyker::random_seed(9);
        let a = FC::new(7, 3, 0.5, 0.02, GPU, dt).unwrap();
        spyker::random_seed(9);
        let b = FC::new(7, 3, 0.5, 0.02, Device::Cpu, dt).unwrap();
        assert_same(&b.kernel, &a.kernel, "FC kernel drawn for the GPU");
        assert_same(
            &layer.kernel,
            &dlayer.to_device(Device::Cpu).unwrap().kernel,
            "FC::to_device(cpu)",
        );
    }
}

#[test]
fn fc_device_and_argument_errors() {
    let Some(_g) = gpu_or_skip("fc_device_and_argument_errors") else {
        return;
    };
    let x = Tensor::zeros(DType::F32, &[2, 3, 5]).unwrap();
    let k = Tensor::full(DType::F32, &[4, 5], 1.0).unwrap();
    let (dx, dk) = (gpu(&x), gpu(&k));
    for (a, b) in [(&dx, &k), (&x, &dk)] {
        let e = spyker::fc(a, b, false).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Device, "{e}");
    }
    let out_cpu = Tensor::zeros(DType::F32, &[2, 3, 4]).unwrap();
    let e = spyker::fc_into(&dx, &dk, &out_cpu, false).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Device, "{e}");
    let e = spyker::fc(&dx, &gpu(&k.to_dtype(DType::I8).unwrap()), false).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::DType, "{e}");
    let e = spyker::fc(
        &dx,
        &gpu(&Tensor::zeros(DType::F32, &[4, 6]).unwrap()),
        false,
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Shape, "{e}");
    let e = spyker::fc(&gpu(&Tensor::zeros(DType::F32, &[5]).unwrap()), &dk, false).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Shape, "{e}");
    let e = spyker::fc_into(
        &dx,
        &dk,
        &gpu(&out_cpu.to_dtype(DType::F64).unwrap()),
        false,
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::DType, "{e}");
    let e = spyker::fc_into(&dx, &dk, &dx, false).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Shape, "{e}");
    spyker::fc_into(&dx, &dk, &gpu(&out_cpu), false).unwrap();
}
