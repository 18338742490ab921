//! CUDA DoG / Gabor / LoG filtering and the ZCA transform and split against the CPU kernels:
//! bit-identical (same f64 sums in the same order) for every kernel dtype and several input
//! dtypes, with padding, 3-D inputs, `forward_into`, in-place whitening, fitting on a CUDA input
//! (on a host copy), the same errors and device errors. Skipped with a notice without a GPU.

mod cuda_harness;

use cuda_harness::{assert_same, cpu, gpu, gpu_or_skip, random, Rng, GPU};
use spyker::{
    DType, Device, DoG, DoGFilter, ErrorKind, Expand4, Gabor, GaborFilter, LoG, Tensor, ZCA,
};

const FLOATS: [DType; 3] = [DType::F16, DType::F32, DType::F64];

/// Inputs of several dtypes and shapes (values 0..255 like images, or signed ones).
fn inputs(rng: &mut Rng) -> Vec<Tensor> {
    vec![
        random(DType::U8, &[2, 3, 20, 17], 0, 255, false, rng),
        random(DType::F32, &[3, 9, 9], -50, 50, false, rng),
        random(DType::F64, &[1, 2, 31, 28], 0, 1000, false, rng),
        random(DType::I16, &[2, 1, 11, 13], -300, 300, false, rng),
        random(DType::F16, &[1, 1, 8, 8], -8, 8, false, rng),
    ]
}

fn pads() -> [Expand4; 3] {
    [
        Expand4::new(0, 0, 0, 0),
        Expand4::new(2, 1, 0, 3),
        Expand4::new(3, 3, 3, 3),
    ]
}

/// Runs `forward` of the CPU module and of its CUDA twin on every input.
fn check<M>(what: &str, cpu_mod: &M, gpu_mod: &M, forward: impl Fn(&M, &Tensor) -> Tensor) {
    let mut rng = Rng::new(21);
    for x in inputs(&mut rng) {
        let want = forward(cpu_mod, &x);
        let got = forward(gpu_mod, &gpu(&x));
        assert_eq!(got.device(), GPU);
        assert_same(
            &want,
            &got,
            &format!("{what} {} {:?}", x.dtype(), x.shape()),
        );
    }
}

#[test]
fn dog_matches_the_cpu() {
    let Some(_g) = gpu_or_skip("dog_matches_the_cpu") else {
        return;
    };
    let filters = [
        DoGFilter::new(1.0, 2.0),
        DoGFilter::new(2.0, 1.0),
        DoGFilter::new(0.7, 1.3),
    ];
    for dt in FLOATS {
        for pad in pads() {
            for size in [1, 3] {
                let c = DoG::new(size, &filters, pad, Device::Cpu, dt).unwrap();
                let g = DoG::new(size, &filters, pad, GPU, dt).unwrap();
                assert_eq!(g.kernel().device(), GPU);
                check(&format!("DoG {dt} {pad:?} {size}"), &c, &g, |m, x| {
                    m.forward(x).unwrap()
                });
                check(&format!("DoG into {dt}"), &c, &g, |m, x| {
                    let shape = m.forward(&cpu(x)).unwrap().shape().to_vec();
                    let out = Tensor::full(dt, &shape, 9)
                        .unwrap()
                        .to_device(x.device())
                        .unwrap();
                    m.forward_into(x, &out).unwrap();
                    out
                });
            }
        }
    }
}

#[test]
fn gabor_matches_the_cpu() {
    let Some(_g) = gpu_or_skip("gabor_matches_the_cpu") else {
        return;
    };
    let filters: Vec<GaborFilter> = [0.0, 45.0, 90.0, 135.0]
        .iter()
        .map(|&t| GaborFilter::new(2.5, t, 0.5, 5.0, 0.3))
        .collect();
    for dt in FLOATS {
        for pad in pads() {
            for size in [2, 3] {
                let c = Gabor::new(size, &filters, pad, Device::Cpu, dt).unwrap();
                let g = Gabor::new(size, &filters, pad, GPU, dt).unwrap();
                check(&format!("Gabor {dt} {pad:?} {size}"), &c, &g, |m, x| {
                    m.forward(x).unwrap()
                });
            }
        }
    }
}

#[test]
fn log_matches_the_cpu() {
    let Some(_g) = gpu_or_skip("log_matches_the_cpu") else {
        return;
    };
    for dt in FLOATS {
        for pad in pads() {
            let c = LoG::new(2, &[1.0, 2.0], pad, Device::Cpu, dt).unwrap();
            let g = LoG::new(2, &[1.0, 2.0], pad, GPU, dt).unwrap();
            check(&format!("LoG {dt} {pad:?}"), &c, &g, |m, x| {
                m.forward(x).unwrap()
            });
            check(&format!("LoG into {dt}"), &c, &g, |m, x| {
                let shape = m.forward(&cpu(x)).unwrap().shape().to_vec();
                let out = Tensor::zeros_on(x.device(), dt, &shape).unwrap();
                m.forward_into(x, &out).unwrap();
                out
            });
        }
    }
}

#[test]
fn filter_errors_match_the_cpu() {
    let Some(_g) = gpu_or_skip("filter_errors_match_the_cpu") else {
        return;
    };
    let c = DoG::new(1, &[DoGFilter::new(1.0, 2.0)], 0, Device::Cpu, DType::F32).unwrap();
    let g = DoG::new(1, &[DoGFilter::new(1.0, 2.0)], 0, GPU, DType::F32).unwrap();
    for bad in [f64::NAN, f64::INFINITY] {
        let mut v = vec![1.0; 2 * 6 * 6];
        v[40] = bad;
        let x = Tensor::from_vec(v, &[2, 1, 6, 6]).unwrap();
        let want = c.forward(&x).unwrap_err();
        let got = g.forward(&gpu(&x)).unwrap_err();
        assert_eq!(got.to_string(), want.to_string());
    }
    // A value that overflows f16 on conversion: an infinity after conversion.
    let gh = DoG::new(1, &[DoGFilter::new(1.0, 2.0)], 0, GPU, DType::F16).unwrap();
    let x = Tensor::full(DType::F32, &[1, 1, 5, 5], 1e6).unwrap();
    let e = gh.forward(&gpu(&x)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Argument, "{e}");
    // Module on the GPU, input on the CPU (and the reverse): a device error.
    let x = Tensor::zeros(DType::F32, &[1, 1, 6, 6]).unwrap();
    assert_eq!(g.forward(&x).unwrap_err().kind(), ErrorKind::Device);
    assert_eq!(c.forward(&gpu(&x)).unwrap_err().kind(), ErrorKind::Device);
    let out = Tensor::zeros(DType::F32, &[1, 1, 4, 4]).unwrap();
    let e = g.forward_into(&gpu(&x), &out).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Device, "{e}");
    // Wrong output shape or dtype.
    let out = Tensor::zeros_on(GPU, DType::F64, &[1, 1, 4, 4]).unwrap();
    assert_eq!(
        g.forward_into(&gpu(&x), &out).unwrap_err().kind(),
        ErrorKind::Shape
    );
    // Input smaller than the window.
    let x = Tensor::zeros_on(GPU, DType::F32, &[1, 1, 2, 2]).unwrap();
    assert_eq!(
        g.forward(&x).unwrap_err().kind(),
        c.forward(&cpu(&x)).unwrap_err().kind()
    );
}

/// Correlated data `[n, d]` (features mixed so the covariance is not diagonal).
fn zca_data(n: usize, d: usize, rng: &mut Rng) -> Tensor {
    let base: Vec<f64> = (0..n * d).map(|_| rng.uniform() * 10.0 - 5.0).collect();
    let v: Vec<f64> = (0..n * d)
        .map(|i| {
            let (r, c) = (i / d, i % d);
            base[i] + 0.5 * base[r * d + (c + 1) % d]
        })
        .collect();
    Tensor::from_vec(v, &[n, d]).unwrap()
}

#[test]
fn zca_matches_the_cpu() {
    let Some(_g) = gpu_or_skip("zca_matches_the_cpu") else {
        return;
    };
    let mut rng = Rng::new(22);
    let data = zca_data(40, 12, &mut rng);
    let mut zca = ZCA::new();
    zca.fit(&data, 1e-2, false).unwrap();
    for dt in FLOATS {
        for shape in [vec![7, 12], vec![3, 3, 4], vec![12], vec![5, 2, 2, 3]] {
            let n: usize = shape.iter().product();
            let x = random(dt, &[n], -6, 6, false, &mut rng)
                .reshape_to(&shape)
                .unwrap();
            let what = format!("ZCA {dt} {shape:?}");
            let want = zca.apply(&x).unwrap();
            let got = zca.apply(&gpu(&x)).unwrap();
            assert_eq!(got.device(), GPU);
            assert_same(&want, &got, &what);
            let g = gpu(&x);
            zca.apply_inplace(&g).unwrap();
            assert_same(&want, &g, &format!("{what} inplace"));
        }
        // NaN and infinities propagate like on the CPU.
        let x = Tensor::from_vec(
            vec![
                f64::NAN,
                1.0,
                f64::INFINITY,
                -0.0,
                2.0,
                3.0,
                4.0,
                5.0,
                6.0,
                7.0,
                8.0,
                9.0,
            ],
            &[1, 12],
        )
        .unwrap()
        .to_dtype(dt)
        .unwrap();
        assert_same(
            &zca.apply(&x).unwrap(),
            &zca.apply(&gpu(&x)).unwrap(),
            "specials",
        );
    }
    // Fitting on a CUDA input fits on a host copy: the same mean and transform, and with
    // `transform` the input is whitened on its GPU.
    for dt in FLOATS {
        let x = data.to_dtype(dt).unwrap();
        let mut c = ZCA::new();
        c.fit(&x, 1e-3, false).unwrap();
        let want = c.apply(&x).unwrap();
        let g = gpu(&x);
        let mut z = ZCA::new();
        z.fit(&g, 1e-3, true).unwrap();
        assert_eq!(z.mean().unwrap().device(), Device::Cpu);
        assert_same(c.mean().unwrap(), z.mean().unwrap(), "fit mean");
        assert_same(
            c.transform().unwrap(),
            z.transform().unwrap(),
            "fit transform",
        );
        assert_same(&want, &g, &format!("fit transform {dt}"));
    }
    // Parts from CUDA tensors are copied to the host.
    let z = ZCA::from_parts(&gpu(zca.mean().unwrap()), &gpu(zca.transform().unwrap())).unwrap();
    let x = random(DType::F32, &[4, 12], -3, 3, false, &mut rng);
    assert_same(
        &zca.apply(&x).unwrap(),
        &z.apply(&gpu(&x)).unwrap(),
        "from_parts",
    );
    // Errors as on the CPU.
    let xi = gpu(&Tensor::zeros(DType::I32, &[2, 12]).unwrap());
    assert_eq!(zca.apply(&xi).unwrap_err().kind(), ErrorKind::DType);
    let xs = gpu(&Tensor::zeros(DType::F32, &[2, 11]).unwrap());
    assert_eq!(zca.apply_inplace(&xs).unwrap_err().kind(), ErrorKind::Shape);
    let xf = gpu(&Tensor::zeros(DType::F32, &[2, 12]).unwrap());
    assert_eq!(
        ZCA::new().apply(&xf).unwrap_err().kind(),
        ErrorKind::Argument
    );
    let mut bad = Tensor::from_vec(vec![1.0f32; 24], &[2, 12]).unwrap();
    bad = bad.to_device(GPU).unwrap();
    let e = ZCA::new().fit(&bad, 0.0, false).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Argument, "{e}");
}

#[test]
fn zca_split_matches_the_cpu() {
    let Some(_g) = gpu_or_skip("zca_split_matches_the_cpu") else {
        return;
    };
    let mut rng = Rng::new(23);
    for dt in DType::ALL {
        for shape in [vec![3, 10], vec![2, 3, 4, 5], vec![17]] {
            let x = random(dt, &shape, -128, 127, true, &mut rng);
            let what = format!("split {dt} {shape:?}");
            let want = ZCA::split(&x).unwrap();
            let got = ZCA::split(&gpu(&x)).unwrap();
            assert_eq!(got.device(), GPU);
            assert_same(&want, &got, &what);
            let out = Tensor::full(dt, want.shape(), 3)
                .unwrap()
                .to_device(GPU)
                .unwrap();
            ZCA::split_into(&gpu(&x), &out).unwrap();
            assert_same(&want, &out, &format!("{what} into"));
        }
    }
    let x = gpu(&Tensor::zeros(DType::F32, &[2, 5]).unwrap());
    let out = Tensor::zeros(DType::F32, &[2, 2, 5]).unwrap();
    assert_eq!(
        ZCA::split_into(&x, &out).unwrap_err().kind(),
        ErrorKind::Device
    );
    let out = Tensor::zeros_on(GPU, DType::F32, &[2, 2, 4]).unwrap();
    assert_eq!(
        ZCA::split_into(&x, &out).unwrap_err().kind(),
        ErrorKind::Shape
    );
    assert_eq!(
        ZCA::split_into(&x, &x).unwrap_err().kind(),
        ErrorKind::Shape,
        "shape checked first"
    );
}
