//! DoG / Gabor / LoG against the original (tests/reference/filter.npz): kernels bit for bit,
//! outputs within a tolerance (the original convolves with oneDNN in f32, we sum in f64).

mod common;
use common::{assert_close, assert_exact, Golden};
use spyker::{
    set_max_threads, DType, Device, DoG, DoGFilter, ErrorKind, Expand4, Gabor, GaborFilter, LoG,
    Tensor,
};

const INPUTS: [&str; 4] = ["u8_3d", "f32_4d", "f64_4d", "i16_4d"];

enum Module {
    D(DoG),
    G(Gabor),
    L(LoG),
}

impl Module {
    fn forward(&self, x: &Tensor) -> spyker::Result<Tensor> {
        match self {
            Module::D(m) => m.forward(x),
            Module::G(m) => m.forward(x),
            Module::L(m) => m.forward(x),
        }
    }
    fn kernel(&self) -> &Tensor {
        match self {
            Module::D(m) => m.kernel(),
            Module::G(m) => m.kernel(),
            Module::L(m) => m.kernel(),
        }
    }
}

fn build(g: &Golden, fam: &str, n: usize, pad: Expand4, dtype: DType) -> Module {
    let case = format!("{fam}{n}");
    let size = g.scalar(&format!("{case}__size")) as usize;
    match fam {
        "dog" => {
            let p = g.get(&format!("{case}__std")).to_vec::<f64>().unwrap();
            let fs: Vec<DoGFilter> = p.chunks(2).map(|c| DoGFilter::new(c[0], c[1])).collect();
            Module::D(DoG::new(size, &fs, pad, Device::Cpu, dtype).unwrap())
        }
        "gabor" => {
            let p = g.get(&format!("{case}__params")).to_vec::<f64>().unwrap();
            let fs: Vec<GaborFilter> = p
                .chunks(5)
                .map(|c| GaborFilter::new(c[0], c[1], c[2], c[3], c[4]))
                .collect();
            Module::G(Gabor::new(size, &fs, pad, Device::Cpu, dtype).unwrap())
        }
        _ => {
            let p = g.get(&format!("{case}__std")).to_vec::<f64>().unwrap();
            Module::L(LoG::new(size, &p, pad, Device::Cpu, dtype).unwrap())
        }
    }
}

fn pad_of(t: &Tensor) -> Expand4 {
    Expand4::from_slice(&t.to_vec::<i64>().unwrap()).unwrap()
}

#[test]
fn kernels_are_bit_identical_to_the_original() {
    let g = Golden::load("filter");
    for fam in ["dog", "gabor", "log"] {
        for n in 0..3 {
            for (dt, name) in [(DType::F64, "f64"), (DType::F32, "f32")] {
                let m = build(&g, fam, n, Expand4::default(), dt);
                let want = g.get(&format!("{fam}{n}__kernel_{name}"));
                assert_exact(m.kernel(), &want, &format!("{fam}{n} kernel {name}"));
            }
        }
    }
}

/// Max |x| of an input, to scale the absolute tolerance of outputs near zero (DoG/LoG outputs
/// are differences of two sums of the input, so their rounding error scales with the input).
fn scale(x: &Tensor) -> f64 {
    x.to_vec_as::<f64>()
        .unwrap()
        .iter()
        .fold(0.0f64, |a, v| a.max(v.abs()))
}

#[test]
fn f32_outputs_match_the_original() {
    let g = Golden::load("filter");
    let mut checked = 0;
    for fam in ["dog", "gabor", "log"] {
        for n in 0..3 {
            for p in 0..3 {
                for input in INPUTS {
                    let key = format!("out_{fam}{n}_p{p}_{input}");
                    if !g.has(&format!("{key}__y")) {
                        continue;
                    }
                    let x = g.get(&format!("in_{input}__x"));
                    let m = build(
                        &g,
                        fam,
                        n,
                        pad_of(&g.get(&format!("{key}__pad"))),
                        DType::F32,
                    );
                    let got = m.forward(&x).unwrap();
                    let want = g.get(&format!("{key}__y"));
                    // Gabor kernels have large entries (signed-sum normalisation): scale by them too.
                    let kmax = scale(m.kernel()).max(1.0);
                    assert_close(&got, &want, 1e-5, 2e-6 * scale(&x) * kmax, &key);
                    checked += 1;
                }
            }
        }
    }
    assert!(checked >= 100, "only {checked} cases");
}

#[test]
fn f64_and_f16_kernels_agree_with_the_original_f32_outputs() {
    let g = Golden::load("filter");
    for fam in ["dog", "gabor", "log"] {
        for input in INPUTS {
            let key = format!("out_{fam}1_p1_{input}");
            let x = g.get(&format!("in_{input}__x"));
            let want = g.get(&format!("{key}__y"));
            let pad = pad_of(&g.get(&format!("{key}__pad")));
            let m64 = build(&g, fam, 1, pad, DType::F64);
            let got = m64.forward(&x).unwrap();
            assert_eq!(got.dtype(), DType::F64);
            let kmax = scale(m64.kernel()).max(1.0);
            assert_close(
                &got.to_dtype(DType::F32).unwrap(),
                &want,
                1e-5,
                2e-6 * scale(&x) * kmax,
                &format!("{key} f64"),
            );
            let m16 = build(&g, fam, 1, pad, DType::F16);
            let got = m16.forward(&x).unwrap();
            assert_eq!(got.dtype(), DType::F16);
            assert_close(
                &got.to_dtype(DType::F32).unwrap(),
                &want,
                1e-2,
                1e-2 * scale(&x) * kmax,
                &format!("{key} f16"),
            );
        }
    }
}

#[test]
fn output_channel_order_and_forward_into() {
    let g = Golden::load("filter");
    let x = g.get("in_f32_4d__x");
    let m = build(&g, "log", 2, Expand4::new(1, 2, 3, 4), DType::F32);
    let want = m.forward(&x).unwrap();
    // [B, C·2F, H', W'] with C = 2, F = 3.
    assert_eq!(want.shape(), &[2, 12, 8 + 4 - 6, 9 + 6 - 6]);
    let out = Tensor::zeros(DType::F32, want.shape()).unwrap();
    if let Module::L(l) = &m {
        l.forward_into(&x, &out).unwrap();
    }
    assert_exact(&out, &want, "forward_into");
    // Channel c·2F + f is the positive part, c·2F + F + f the negative part: never both > 0.
    let v = want.to_vec::<f32>().unwrap();
    let plane = want.shape()[2] * want.shape()[3];
    for b in 0..2 {
        for c in 0..2 {
            for f in 0..3 {
                let pos = ((b * 12) + c * 6 + f) * plane;
                let neg = ((b * 12) + c * 6 + 3 + f) * plane;
                for i in 0..plane {
                    assert!(v[pos + i] == 0.0 || v[neg + i] == 0.0);
                }
            }
        }
    }
    // Each input channel is filtered on its own: channel 1 alone gives output channels 6..12.
    let c1 = x.index(0).unwrap().index(1).unwrap().copy().unwrap();
    let c1 = c1.reshape(&[1, 1, 8, 9]).unwrap();
    let alone = m.forward(&c1).unwrap();
    let got: Vec<f32> = v[6 * plane..12 * plane].to_vec();
    assert_eq!(alone.to_vec::<f32>().unwrap(), got);
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let g = Golden::load("filter");
    let x = g.get("in_u8_3d__x");
    let m = build(&g, "gabor", 1, Expand4::from(2), DType::F32);
    set_max_threads(1);
    let a = m.forward(&x).unwrap();
    set_max_threads(2);
    let b = m.forward(&x).unwrap();
    set_max_threads(0);
    assert_exact(&a, &b, "threads");
}

#[test]
fn invalid_arguments_are_errors() {
    let f = [DoGFilter::new(1.0, 2.0)];
    let cpu = Device::Cpu;
    let kind = |r: spyker::Result<DoG>| r.unwrap_err().kind();
    assert_eq!(
        kind(DoG::new(0, &f, 0, cpu, DType::F32)),
        ErrorKind::Argument
    );
    assert_eq!(
        kind(DoG::new(1, &[], 0, cpu, DType::F32)),
        ErrorKind::Argument
    );
    assert_eq!(kind(DoG::new(1, &f, 0, cpu, DType::U8)), ErrorKind::DType);
    assert_eq!(
        kind(DoG::new(1, &[DoGFilter::new(0.0, 1.0)], 0, cpu, DType::F32)),
        ErrorKind::Argument
    );
    assert_eq!(
        kind(DoG::new(
            1,
            &[DoGFilter::new(1.0, f64::NAN)],
            0,
            cpu,
            DType::F32
        )),
        ErrorKind::Argument
    );
    assert_eq!(
        LoG::new(1, &[-1.0], 0, cpu, DType::F32).unwrap_err().kind(),
        ErrorKind::Argument
    );
    assert_eq!(
        Gabor::new(
            1,
            &[GaborFilter::new(1.0, 0.0, 1.0, 0.0, 0.0)],
            0,
            cpu,
            DType::F32
        )
        .unwrap_err()
        .kind(),
        ErrorKind::Argument
    );
    let m = DoG::with_defaults(2, &f).unwrap();
    // 2-D input: rank 4 (or 3) expected.
    let x2 = Tensor::zeros(DType::F32, &[8, 8]).unwrap();
    assert_eq!(m.forward(&x2).unwrap_err().kind(), ErrorKind::Shape);
    // Kernel 5×5 larger than a 4×4 input (the original's truncating division lets some through).
    let small = Tensor::zeros(DType::F32, &[1, 1, 4, 4]).unwrap();
    assert_eq!(m.forward(&small).unwrap_err().kind(), ErrorKind::Shape);
    // Wrong output shape or dtype for forward_into.
    let x = Tensor::zeros(DType::U8, &[1, 2, 6, 6]).unwrap();
    let bad = Tensor::zeros(DType::F32, &[1, 2, 3, 3]).unwrap();
    assert_eq!(
        m.forward_into(&x, &bad).unwrap_err().kind(),
        ErrorKind::Shape
    );
    let bad = Tensor::zeros(DType::F64, &[1, 2, 2, 2]).unwrap();
    assert_eq!(
        m.forward_into(&x, &bad).unwrap_err().kind(),
        ErrorKind::Shape
    );
    let ok = Tensor::zeros(DType::F32, &[1, 2, 2, 2]).unwrap();
    m.forward_into(&x, &ok).unwrap();
    // NaN input, and a value that overflows an f16 kernel's dtype.
    let nan = Tensor::full(DType::F32, &[1, 1, 6, 6], f32::NAN).unwrap();
    assert_eq!(m.forward(&nan).unwrap_err().kind(), ErrorKind::Argument);
    let m16 = DoG::new(2, &f, 0, cpu, DType::F16).unwrap();
    let big = Tensor::full(DType::I32, &[1, 1, 6, 6], 100000).unwrap();
    assert_eq!(m16.forward(&big).unwrap_err().kind(), ErrorKind::Argument);
    // A replaced kernel of the wrong shape or an integer dtype.
    let mut m2 = m.clone();
    m2.kernel = Tensor::zeros(DType::F32, &[3, 1, 5, 5]).unwrap();
    assert_eq!(m2.forward(&x).unwrap_err().kind(), ErrorKind::Shape);
    m2.kernel = Tensor::zeros(DType::I32, &[2, 1, 5, 5]).unwrap();
    assert_eq!(m2.forward(&x).unwrap_err().kind(), ErrorKind::DType);
    let mut g2 = Gabor::with_defaults(1, &[GaborFilter::new(1.0, 0.0, 1.0, 3.0, 0.0)]).unwrap();
    g2.kernel = Tensor::zeros(DType::F32, &[1, 3, 2]).unwrap();
    assert_eq!(g2.forward(&x).unwrap_err().kind(), ErrorKind::Shape);
}

#[test]
fn gabor_theta_is_in_degrees_and_outputs_are_signed() {
    let f = GaborFilter::new(2.0, 45.0, 0.5, 3.0, 0.0);
    // 45 · 0.017453292519943295 (the original's factor) is exactly π/4 in f64.
    assert_eq!(f.theta, std::f64::consts::FRAC_PI_4);
    let g = Golden::load("filter");
    let m = build(&g, "gabor", 1, Expand4::default(), DType::F32);
    let y = m.forward(&g.get("in_f32_4d__x")).unwrap();
    assert!(y.to_vec::<f32>().unwrap().iter().any(|v| *v < 0.0));
}

#[test]
fn a_replaced_kernel_is_used_as_given() {
    // Identity Gabor kernel with pad 1: the output is the input (converted to f32).
    let mut m = Gabor::new(
        1,
        &[GaborFilter::new(1.0, 0.0, 1.0, 3.0, 0.0)],
        1,
        Device::Cpu,
        DType::F32,
    )
    .unwrap();
    let mut k = vec![0.0f32; 9];
    k[4] = 1.0;
    m.kernel = Tensor::from_vec(k, &[1, 3, 3]).unwrap();
    let x = Tensor::from_vec((0..24u8).collect::<Vec<_>>(), &[2, 3, 4]).unwrap();
    let y = m.forward(&x).unwrap();
    assert_eq!(y.shape(), &[1, 2, 3, 4]);
    let want: Vec<f32> = (0..24).map(|v| v as f32).collect();
    assert_eq!(y.to_vec::<f32>().unwrap(), want);
    // A shifted tap (top-left) reads the pixel up-left: no flip (cross-correlation).
    let mut k = vec![0.0f32; 9];
    k[0] = 1.0;
    m.kernel = Tensor::from_vec(k, &[1, 3, 3]).unwrap();
    let y = m.forward(&x).unwrap().to_vec::<f32>().unwrap();
    assert_eq!(y[0], 0.0); // padding
    assert_eq!(y[4 + 1], 0.0); // (1, 1) reads (0, 0) = 0
    assert_eq!(y[2 * 4 + 3], 6.0); // (2, 3) reads (1, 2) = 6
}
