//! Model files (`spyker::io::model`): layer save/load round trips, npz files written by numpy
//! (tests/data/, made by scripts/reference/make_helpers_testdata.py), and error paths.

mod common;
use common::assert_exact;
use spyker::io::model::{load_conv, load_fc, load_layers, save_conv, save_fc, save_layers};
use spyker::io::write_npz;
use spyker::{random_seed, BPConfig, Conv, DType, Device, ErrorKind, STDPConfig, Tensor, FC};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

fn temp_file(tag: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    std::env::temp_dir().join(format!(
        "spyker-model-{}-{tag}-{}.npz",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ))
}

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn assert_same_conv(a: &Conv, b: &Conv) {
    assert_exact(&a.kernel, &b.kernel, "kernel");
    assert_eq!(a.stride, b.stride);
    assert_eq!(a.pad, b.pad);
    assert_eq!(a.stdpconfig, b.stdpconfig);
}

#[test]
fn conv_round_trip_restores_an_identical_layer() {
    random_seed(5);
    for dtype in [DType::F16, DType::F32, DType::F64] {
        let mut c = Conv::new(
            3,
            4,
            (3, 2),
            (2, 1),
            spyker::Expand4::new(1, 2, 3, 4),
            0.5,
            0.1,
            Device::Cpu,
            dtype,
        )
        .unwrap();
        let p = temp_file("conv");
        // Without STDP configs first (the array is omitted), then with two.
        save_conv(&c, &p).unwrap();
        assert_same_conv(&load_conv(&p).unwrap(), &c);
        c.stdpconfig = vec![
            STDPConfig::new(0.004, -0.003),
            STDPConfig::with_bounds(-0.004, 0.0005, false, 0.1, 0.9),
        ];
        save_conv(&c, &p).unwrap();
        let back = load_conv(&p).unwrap();
        assert_same_conv(&back, &c);
        assert_eq!(back.kernel.dtype(), dtype);
        assert_eq!(back.kernel.device(), Device::Cpu);
        std::fs::remove_file(p).ok();
    }
}

#[test]
fn fc_round_trip_restores_an_identical_layer() {
    random_seed(9);
    let mut f = FC::new(7, 3, 0.3, 0.05, Device::Cpu, DType::F64).unwrap();
    f.stdpconfig = vec![STDPConfig::new(0.01, -0.02)];
    f.bpconfig = BPConfig::new(2.0, 0.5, 0.25, 1e-3);
    let p = temp_file("fc");
    save_fc(&f, &p).unwrap();
    let back = load_fc(&p).unwrap();
    assert_exact(&back.kernel, &f.kernel, "fc kernel");
    assert_eq!(back.stdpconfig, f.stdpconfig);
    assert_eq!(back.bpconfig, f.bpconfig);
    // Defaults survive too.
    let d = FC::with_defaults(2, 2).unwrap();
    save_fc(&d, &p).unwrap();
    let back = load_fc(&p).unwrap();
    assert_eq!(back.bpconfig, BPConfig::default());
    assert!(back.stdpconfig.is_empty());
    std::fs::remove_file(p).ok();
}

#[test]
fn conv_file_written_by_numpy_loads() {
    let c = load_conv(data("numpy_conv.npz")).unwrap();
    assert_eq!(c.kernel.shape(), &[2, 1, 3, 3]);
    assert_eq!(c.kernel.dtype(), DType::F32);
    assert_eq!(c.stride, spyker::Expand2::new(2, 1));
    assert_eq!(c.pad, spyker::Expand4::new(1, 2, 3, 4));
    assert_eq!(
        c.stdpconfig,
        vec![
            STDPConfig::with_bounds(0.004, -0.003, true, 0.0, 1.0),
            STDPConfig::with_bounds(-0.004, 0.0005, false, 0.1, 0.9),
        ]
    );
    // Its kernel is the same array as in the plain numpy file.
    let layers = load_layers(data("numpy_layers.npz")).unwrap();
    assert_exact(&c.kernel, &layers[0].1, "numpy kernel");
}

#[test]
fn npz_written_by_numpy_loads_in_order_with_all_dtypes() {
    let plain = load_layers(data("numpy_layers.npz")).unwrap();
    let packed = load_layers(data("numpy_layers_compressed.npz")).unwrap();
    let names: Vec<&str> = plain.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["conv1", "fc", "labels", "half", "counts"]);
    for ((na, a), (nb, b)) in plain.iter().zip(&packed) {
        assert_eq!(na, nb);
        assert_exact(a, b, na);
    }
    let get = |n: &str| plain.iter().find(|(k, _)| k == n).unwrap().1.clone();
    // Hand-checked values from make_helpers_testdata.py.
    let fc = get("fc");
    assert_eq!(fc.shape(), &[3, 4]);
    assert_eq!(
        fc.to_vec::<f64>().unwrap(),
        (0..12).map(|i| i as f64 / 8.0).collect::<Vec<_>>()
    );
    assert_eq!(get("labels").to_vec::<i64>().unwrap(), [3, 1, 4, 1, 5]);
    let half: Vec<f32> = get("half").to_vec_as::<f32>().unwrap();
    assert_eq!(half, [0.5, -1.25, 65504.0, 2f32.powi(-14)]);
    assert_eq!(get("half").dtype(), DType::F16);
    assert_eq!(get("counts").to_vec::<u16>().unwrap(), [0, 1, 65535]);
    let conv1 = get("conv1");
    assert_eq!(conv1.shape(), &[2, 1, 3, 3]);
    assert!(conv1
        .to_vec::<f32>()
        .unwrap()
        .iter()
        .all(|v| (v * 64.0).fract() == 0.0 && (0.0..1.0).contains(v)));
}

#[test]
fn save_layers_round_trip_keeps_names_order_dtypes() {
    let ts: Vec<Tensor> = DType::ALL
        .iter()
        .map(|&d| {
            Tensor::from_vec((0..6).map(|i| i as u8).collect::<Vec<_>>(), &[2, 3])
                .unwrap()
                .to_dtype(d)
                .unwrap()
        })
        .collect();
    let names: Vec<String> = DType::ALL.iter().map(|d| format!("layer_{d}")).collect();
    let pairs: Vec<(&str, &Tensor)> = names.iter().map(|s| s.as_str()).zip(ts.iter()).collect();
    let p = temp_file("layers");
    save_layers(&p, &pairs).unwrap();
    let back = load_layers(&p).unwrap();
    assert_eq!(back.len(), ts.len());
    for ((n, t), (bn, bt)) in pairs.iter().zip(&back) {
        assert_eq!(*n, bn);
        assert_exact(bt, t, n);
    }
    // A view (slice) is saved as its own elements only.
    let big = Tensor::from_vec((0..12).map(|i| i as f32).collect::<Vec<_>>(), &[4, 3]).unwrap();
    let view = big.slice(1, 3).unwrap();
    save_layers(&p, &[("view", &view)]).unwrap();
    let back = load_layers(&p).unwrap();
    assert_eq!(back[0].1.to_vec::<f32>().unwrap(), [3., 4., 5., 6., 7., 8.]);
    std::fs::remove_file(p).ok();
}

#[test]
fn model_io_errors() {
    let t = Tensor::zeros(DType::F32, &[2]).unwrap();
    let p = temp_file("err");
    let kind = |r: spyker::Result<()>| r.unwrap_err().kind();
    assert_eq!(kind(save_layers(&p, &[])), ErrorKind::Argument);
    assert_eq!(kind(save_layers(&p, &[("", &t)])), ErrorKind::Argument);
    assert_eq!(kind(save_layers(&p, &[("a/b", &t)])), ErrorKind::Argument);
    assert_eq!(
        kind(save_layers(&p, &[("a", &t), ("a", &t)])),
        ErrorKind::Argument
    );
    assert_eq!(
        kind(save_layers(
            std::env::temp_dir().join("no/such/dir/x.npz"),
            &[("a", &t)]
        )),
        ErrorKind::Io
    );
    // Missing file, not an npz, not a layer file, wrong kind.
    assert_eq!(
        load_conv(temp_file("missing")).unwrap_err().kind(),
        ErrorKind::Io
    );
    std::fs::write(&p, b"not a zip").unwrap();
    assert_eq!(load_layers(&p).unwrap_err().kind(), ErrorKind::Io);
    let e = load_conv(data("numpy_layers.npz")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io);
    assert!(e.message().contains("spyker_layer"), "{e}");
    let e = load_fc(data("numpy_conv.npz")).unwrap_err();
    assert!(e.message().contains("expected a FC layer"), "{e}");
    // Hand-made broken layer files.
    let hdr = Tensor::from_vec(vec![1i64, 0], &[2]).unwrap();
    let k = Tensor::zeros(DType::F32, &[1, 1, 2, 2]).unwrap();
    let stride = Tensor::from_vec(vec![1i64, 1], &[2]).unwrap();
    let pad = Tensor::from_vec(vec![0i64; 4], &[4]).unwrap();
    let broken = |arrays: &[(&str, &Tensor)], what: &str| {
        write_npz(&p, arrays).unwrap();
        let e = load_conv(&p).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Io);
        assert!(e.message().contains(what), "{e} should mention {what}");
    };
    let v2 = Tensor::from_vec(vec![2i64, 0], &[2]).unwrap();
    broken(&[("spyker_layer", &v2), ("kernel", &k)], "version");
    broken(
        &[("spyker_layer", &hdr), ("stride", &stride), ("pad", &pad)],
        "'kernel'",
    );
    let ik = Tensor::zeros(DType::I32, &[1, 1, 2, 2]).unwrap();
    broken(
        &[
            ("spyker_layer", &hdr),
            ("kernel", &ik),
            ("stride", &stride),
            ("pad", &pad),
        ],
        "float",
    );
    broken(
        &[("spyker_layer", &hdr), ("kernel", &k), ("pad", &pad)],
        "'stride'",
    );
    let zero = Tensor::from_vec(vec![0i64, 1], &[2]).unwrap();
    broken(
        &[
            ("spyker_layer", &hdr),
            ("kernel", &k),
            ("stride", &zero),
            ("pad", &pad),
        ],
        "stride",
    );
    let neg = Tensor::from_vec(vec![0i64, -1, 0, 0], &[4]).unwrap();
    broken(
        &[
            ("spyker_layer", &hdr),
            ("kernel", &k),
            ("stride", &stride),
            ("pad", &neg),
        ],
        "non-negative",
    );
    let bad_stdp = Tensor::from_vec(vec![0.1f64, 0.1, 0.5, 0.0, 1.0], &[1, 5]).unwrap();
    broken(
        &[
            ("spyker_layer", &hdr),
            ("kernel", &k),
            ("stride", &stride),
            ("pad", &pad),
            ("stdpconfig", &bad_stdp),
        ],
        "stabilize",
    );
    let short_stdp = Tensor::from_vec(vec![0.1f64; 4], &[1, 4]).unwrap();
    broken(
        &[
            ("spyker_layer", &hdr),
            ("kernel", &k),
            ("stride", &stride),
            ("pad", &pad),
            ("stdpconfig", &short_stdp),
        ],
        "[n, 5]",
    );
    std::fs::remove_file(p).ok();
}
