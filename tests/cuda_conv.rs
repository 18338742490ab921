//! CUDA `conv` and the `Conv` layer against the CPU kernels: bit-identical (NaNs compared as NaNs)
//! for every input dtype and every kernel dtype, with non-integer weights. Both devices sum each
//! output in the blocked receptive-field order of src/cpu/conv.rs (sequential fused multiply-adds
//! from +0.0, restarted every 512 entries), so exactness holds for any values, not only for sums
//! that are exact in every order. Covers the GEMM and sparse CPU paths (dense and sparse frames),
//! one output channel or one output pixel, patches longer than 512, strides, asymmetric padding,
//! non-finite weights and inputs, views, `_into`, the layer and device errors. Skipped with a
//! notice without a GPU.

mod cuda_harness;

use cuda_harness::{assert_same, cpu, gpu, gpu_or_skip, random, weights, Rng, GPU};
use spyker::{Conv, DType, Device, ErrorKind, Expand2, Expand4, Tensor};

const KERNEL_DTYPES: [DType; 3] = [DType::F16, DType::F32, DType::F64];

/// 0/1 spikes of `dtype` with the given density (per mille).
fn spikes(dtype: DType, shape: &[usize], per_mille: u64, rng: &mut Rng) -> Tensor {
    let n: usize = shape.iter().product();
    let v: Vec<f64> = (0..n)
        .map(|_| (rng.next_u64() % 1000 < per_mille) as u8 as f64)
        .collect();
    Tensor::from_vec(v, shape).unwrap().to_dtype(dtype).unwrap()
}

struct Case {
    input: Vec<usize>,
    kernel: Vec<usize>,
    stride: Expand2,
    pad: Expand4,
}

fn case(input: &[usize], kernel: &[usize], stride: (usize, usize), pad: [usize; 4]) -> Case {
    Case {
        input: input.to_vec(),
        kernel: kernel.to_vec(),
        stride: Expand2::new(stride.0, stride.1),
        pad: Expand4::new(pad[0], pad[1], pad[2], pad[3]),
    }
}

fn cases() -> Vec<Case> {
    vec![
        case(&[2, 3, 4, 9, 8], &[5, 4, 3, 3], (1, 1), [1, 1, 1, 1]),
        // The first Rezghi layer: 100 channels (two channel tiles), frames spanning tiles.
        case(&[1, 3, 6, 28, 28], &[100, 6, 5, 5], (1, 1), [2, 2, 2, 2]),
        // Patches longer than one summation block (540 and 520 entries).
        case(&[2, 2, 60, 6, 6], &[7, 60, 3, 3], (1, 1), [1, 1, 1, 1]),
        case(&[1, 1, 130, 5, 5], &[3, 130, 2, 2], (2, 2), [0, 0, 0, 0]),
        // One output pixel (the CPU's transposed matrix-vector path), 600 entries.
        case(&[1, 3, 600, 1, 1], &[5, 600, 1, 1], (1, 1), [0, 0, 0, 0]),
        case(&[2, 2, 3, 3, 3], &[4, 3, 3, 3], (1, 1), [0, 0, 0, 0]),
        // One output channel (the CPU's vector path).
        case(&[2, 1, 3, 7, 7], &[1, 3, 3, 3], (1, 1), [0, 0, 0, 0]),
        // Strides, asymmetric padding, non-square kernel, 70 channels.
        case(&[3, 2, 2, 17, 19], &[70, 2, 4, 3], (2, 3), [1, 2, 0, 1]),
        // Rank 4 input (B = 1).
        case(&[4, 2, 10, 10], &[9, 2, 1, 1], (1, 1), [0, 0, 3, 0]),
    ]
}

/// Compares `conv` on both devices for one input and kernel, and `conv_into` on the GPU.
fn check(x: &Tensor, k: &Tensor, c: &Case, what: &str) {
    let want = spyker::conv(x, k, c.stride, c.pad).unwrap();
    let (dx, dk) = (gpu(x), gpu(k));
    let got = spyker::conv(&dx, &dk, c.stride, c.pad).unwrap();
    assert_eq!(got.device(), GPU);
    assert_same(&want, &got, what);
    let out = Tensor::full(k.dtype(), want.shape(), 7.0)
        .unwrap()
        .to_device(GPU)
        .unwrap();
    spyker::conv_into(&dx, &dk, &out, c.stride, c.pad).unwrap();
    assert_same(&want, &out, &format!("{what} (into)"));
}

#[test]
fn conv_matches_the_cpu_for_every_dtype_pair() {
    let Some(_g) = gpu_or_skip("conv_matches_the_cpu_for_every_dtype_pair") else {
        return;
    };
    let mut rng = Rng::new(11);
    for c in cases() {
        for kdt in KERNEL_DTYPES {
            let k = weights(kdt, &c.kernel, &mut rng);
            for idt in DType::ALL {
                let what = format!("{idt} x {kdt} {:?} {:?}", c.input, c.kernel);
                // Dense spikes (CPU GEMM path), sparse spikes (CPU sparse path), small integers.
                check(
                    &spikes(idt, &c.input, 600, &mut rng),
                    &k,
                    &c,
                    &format!("{what} dense spikes"),
                );
                check(
                    &spikes(idt, &c.input, 60, &mut rng),
                    &k,
                    &c,
                    &format!("{what} sparse spikes"),
                );
                let x = random(idt, &c.input, -3, 3, false, &mut rng);
                check(&x, &k, &c, &format!("{what} integers"));
            }
        }
    }
}

#[test]
fn conv_special_values_match_the_cpu() {
    let Some(_g) = gpu_or_skip("conv_special_values_match_the_cpu") else {
        return;
    };
    let mut rng = Rng::new(12);
    for c in cases() {
        for kdt in KERNEL_DTYPES {
            // NaN, ±inf, ±0 and fractions among the inputs (several channels: the CPU skips zero
            // weights with a single output channel, where 0 · inf would differ).
            let k = weights(kdt, &c.kernel, &mut rng);
            for idt in [DType::F16, DType::F32, DType::F64] {
                let x = random(idt, &c.input, -2, 2, true, &mut rng);
                check(&x, &k, &c, &format!("specials {idt} x {kdt} {:?}", c.input));
            }
            if c.kernel[0] > 1 {
                // Non-finite weights: 0 · inf = NaN also at padded positions, on both devices.
                let mut kv = k.to_vec_as::<f64>().unwrap();
                let n = kv.len();
                kv[n / 3] = f64::INFINITY;
                kv[n / 2] = f64::NAN;
                kv[n - 1] = f64::NEG_INFINITY;
                let k = Tensor::from_vec(kv, &c.kernel)
                    .unwrap()
                    .to_dtype(kdt)
                    .unwrap();
                let x = spikes(DType::U8, &c.input, 300, &mut rng);
                check(&x, &k, &c, &format!("inf weights {kdt} {:?}", c.input));
            }
        }
    }
}

#[test]
fn conv_of_long_spike_trains_matches_the_cpu() {
    let Some(_g) = gpu_or_skip("conv_of_long_spike_trains_matches_the_cpu") else {
        return;
    };
    // Cumulative spike trains (the common input: frames grow denser over time, early frames are
    // all zero so whole tiles are skipped) through both Rezghi layers.
    let mut rng = Rng::new(13);
    let (b, t) = (3, 15);
    let mut v = vec![0u8; b * t * 6 * 28 * 28];
    for s in 0..b {
        for p in 0..6 * 28 * 28 {
            let at = rng.next_u64() % 40; // fires at step `at` when < t, else never
            for step in (at as usize)..t {
                v[(s * t + step) * 6 * 28 * 28 + p] = 1;
            }
        }
    }
    let x = Tensor::from_vec(v, &[b, t, 6, 28, 28]).unwrap();
    let k1 = weights(DType::F32, &[100, 6, 5, 5], &mut rng);
    let c1 = case(&[b, t, 6, 28, 28], &[100, 6, 5, 5], (1, 1), [2, 2, 2, 2]);
    check(&x, &k1, &c1, "rezghi conv1");
    let x2 = spikes(DType::F32, &[b, t, 100, 14, 14], 150, &mut rng);
    let k2 = weights(DType::F32, &[200, 100, 3, 3], &mut rng);
    let c2 = case(
        &[b, t, 100, 14, 14],
        &[200, 100, 3, 3],
        (1, 1),
        [1, 1, 1, 1],
    );
    check(&x2, &k2, &c2, "rezghi conv2 (900-entry patches)");
}

#[test]
fn conv_views_and_into_views() {
    let Some(_g) = gpu_or_skip("conv_views_and_into_views") else {
        return;
    };
    let mut rng = Rng::new(14);
    let x = spikes(DType::F32, &[4, 3, 2, 10, 10], 400, &mut rng);
    let kbig = weights(DType::F32, &[3, 6, 2, 3, 3], &mut rng);
    let (dx, dkbig) = (gpu(&x), gpu(&kbig));
    // Input and kernel views with offsets into their device storage.
    let k = kbig.index(1).unwrap();
    let dk = dkbig.index(1).unwrap();
    let want = spyker::conv(&x.index(2).unwrap(), &k, 1, 1).unwrap();
    let got = spyker::conv(&dx.index(2).unwrap(), &dk, 1, 1).unwrap();
    assert_same(&want, &got, "conv of views");
    // Writing into a view of a larger device tensor leaves the rest alone.
    let big = Tensor::zeros_on(GPU, DType::F32, &[3, 1, 3, 6, 10, 10]).unwrap();
    spyker::conv_into(&dx.slice(1, 2).unwrap(), &dk, &big.index(1).unwrap(), 1, 1).unwrap();
    let want = spyker::conv(&x.slice(1, 2).unwrap(), &k, 1, 1).unwrap();
    assert_same(&want, &big.index(1).unwrap(), "conv_into a view");
    for i in [0, 2] {
        let rest = cpu(&big.index(i).unwrap());
        assert!(rest.to_vec::<f32>().unwrap().iter().all(|&v| v == 0.0));
    }
    // A rank-4 output for B = 1.
    let out4 = Tensor::zeros_on(GPU, DType::F32, &[3, 6, 10, 10]).unwrap();
    spyker::conv_into(&dx.index(0).unwrap(), &dk, &out4, 1, 1).unwrap();
    let want = spyker::conv(&x.index(0).unwrap(), &k, 1, 1).unwrap();
    assert_same(
        &want.reshape_to(&[3, 6, 10, 10]).unwrap(),
        &out4,
        "rank-4 out",
    );
}

#[test]
fn conv_layer_runs_on_the_gpu() {
    let Some(_g) = gpu_or_skip("conv_layer_runs_on_the_gpu") else {
        return;
    };
    let mut rng = Rng::new(15);
    for dt in KERNEL_DTYPES {
        let layer = Conv::new(6, 30, 5, 1, 2, 0.5, 0.02, Device::Cpu, dt).unwrap();
        let dlayer = layer.to_device(GPU).unwrap();
        assert_eq!(dlayer.device(), GPU);
        assert_eq!(dlayer.kernel.device(), GPU);
        assert_eq!(layer.device(), Device::Cpu);
        let x = spikes(DType::U8, &[2, 4, 6, 12, 12], 300, &mut rng);
        let want = layer.forward(&x).unwrap();
        let got = dlayer.forward(&gpu(&x)).unwrap();
        assert_same(&want, &got, &format!("Conv::forward {dt}"));
        let out = Tensor::zeros_on(GPU, dt, want.shape()).unwrap();
        dlayer.forward_into(&gpu(&x), &out).unwrap();
        assert_same(&want, &out, &format!("Conv::forward_into {dt}"));
        // A layer created on the GPU holds its kernel there (same draws as on the CPU).
        spyker::random_seed(5);
        let a = Conv::new(2, 3, 3, 1, 0, 0.5, 0.02, GPU, dt).unwrap();
        spyker::random_seed(5);
        let b = Conv::new(2, 3, 3, 1, 0, 0.5, 0.02, Device::Cpu, dt).unwrap();
        assert_eq!(a.kernel.device(), GPU);
        assert_same(&b.kernel, &a.kernel, "kernel drawn for the GPU");
        // Back to the CPU.
        let back = dlayer.to_device(Device::Cpu).unwrap();
        assert_same(&layer.kernel, &back.kernel, "Conv::to_device(cpu)");
        // CPU input into a GPU layer is a device error, not a copy.
        let e = dlayer.forward(&x).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Device, "{e}");
    }
}

#[test]
fn conv_device_and_argument_errors() {
    let Some(_g) = gpu_or_skip("conv_device_and_argument_errors") else {
        return;
    };
    let x = Tensor::zeros(DType::F32, &[1, 1, 2, 6, 6]).unwrap();
    let k = Tensor::full(DType::F32, &[3, 2, 3, 3], 1.0).unwrap();
    let (dx, dk) = (gpu(&x), gpu(&k));
    for (a, b) in [(&dx, &k), (&x, &dk)] {
        let e = spyker::conv(a, b, 1, 0).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Device, "{e}");
    }
    let out_cpu = Tensor::zeros(DType::F32, &[1, 1, 3, 4, 4]).unwrap();
    let e = spyker::conv_into(&dx, &dk, &out_cpu, 1, 0).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Device, "{e}");
    // Argument, shape and dtype errors are the CPU's.
    let out = gpu(&out_cpu);
    let e = spyker::conv(&dx, &dk, (0, 1), 0).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Argument, "{e}");
    let e = spyker::conv(&dx, &gpu(&k.to_dtype(DType::I32).unwrap()), 1, 0).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::DType, "{e}");
    let e = spyker::conv(
        &dx,
        &gpu(&Tensor::zeros(DType::F32, &[3, 1, 3, 3]).unwrap()),
        1,
        0,
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Shape, "{e}");
    let e = spyker::conv_into(&dx, &dk, &gpu(&out_cpu.to_dtype(DType::F64).unwrap()), 1, 0)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::DType, "{e}");
    let wrong = Tensor::zeros_on(GPU, DType::F32, &[1, 1, 3, 5, 4]).unwrap();
    let e = spyker::conv_into(&dx, &dk, &wrong, 1, 0).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Shape, "{e}");
    // An output sharing the kernel's device memory is refused.
    let buf = Tensor::zeros_on(GPU, DType::F32, &[54 + 48]).unwrap();
    let kv = buf.slice(0, 54).unwrap().reshape_to(&[3, 2, 3, 3]).unwrap();
    let ov = buf
        .slice(54, 102)
        .unwrap()
        .reshape_to(&[1, 1, 3, 4, 4])
        .unwrap();
    let e = spyker::conv_into(&dx, &kv, &ov, 1, 0).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Argument, "{e}");
    spyker::conv_into(&dx, &dk, &out, 1, 0).unwrap();
}
