//! The fused STDP training step (`Conv::stdp_step`, `Conv::stdp_step_times`) against the dense
//! composition it replaces: `inhibit(threshold(conv(x), θ))` → `convwta` → `stdp(x, winners,
//! fire(pot))`. Winners must be equal and the updated kernels identical bit for bit.

mod common;

use common::{random_times, Rng};
use spyker::{Conv, DType, Expand2, Expand4, STDPConfig, Tensor, Winners};

fn layer(kernel: Vec<f32>, shape: [usize; 4], stride: Expand2, pad: Expand4) -> Conv {
    let mut c = Conv::new(
        shape[1],
        shape[0],
        Expand2::new(shape[2], shape[3]),
        stride,
        pad,
        0.5,
        0.02,
        spyker::Device::Cpu,
        DType::F32,
    )
    .unwrap();
    c.kernel = Tensor::from_vec(kernel, &shape).unwrap();
    c.stdpconfig = vec![STDPConfig::new(0.004, -0.003)];
    c
}

fn dense_step(c: &mut Conv, x: &Tensor, thr: f32, radius: usize, count: usize) -> Winners {
    let pot = c.forward(x).unwrap();
    spyker::threshold_inplace(&pot, thr as f64, 0.0).unwrap();
    spyker::inhibit_inplace(&pot, 0.0).unwrap();
    let w = spyker::convwta(&pot, radius, count, 0.0).unwrap();
    let out = spyker::fire(&pot, 0.0, x.dtype(), spyker::Code::Rank).unwrap();
    c.stdp(x, &w, &out).unwrap();
    w
}

/// Runs `steps` training steps on both paths from the same kernel and compares winners and
/// kernels after each; returns the number of winners seen (so tests can insist on real work).
#[allow(clippy::too_many_arguments)]
fn check(
    times: &[Tensor],
    time: usize,
    kernel: &[f32],
    shape: [usize; 4],
    stride: Expand2,
    pad: Expand4,
    thr: f32,
    radius: usize,
    count: usize,
) -> usize {
    let mut fast = layer(kernel.to_vec(), shape, stride, pad);
    let mut dense = layer(kernel.to_vec(), shape, stride, pad);
    let mut seen = 0;
    for (step, t) in times.iter().enumerate() {
        let spikes = spyker::times_to_spikes(t, time).unwrap();
        let want = dense_step(&mut dense, &spikes, thr, radius, count);
        let got = if step % 2 == 0 {
            fast.stdp_step_times(t, time, thr as f64, radius, count)
                .unwrap()
        } else {
            fast.stdp_step(&spikes, thr as f64, radius, count).unwrap()
        };
        assert_eq!(
            got, want,
            "winners at step {step} (thr {thr}, shape {shape:?})"
        );
        let (a, b) = (
            fast.kernel.to_vec::<f32>().unwrap(),
            dense.kernel.to_vec::<f32>().unwrap(),
        );
        let bad = a
            .iter()
            .zip(&b)
            .filter(|(x, y)| x.to_bits() != y.to_bits())
            .count();
        assert_eq!(bad, 0, "kernel after step {step}: {bad} weights differ");
        seen += want.iter().map(Vec::len).sum::<usize>();
    }
    seen
}

#[test]
fn random_layers_match_dense() {
    let mut r = Rng(0x5eed_1234_abcd_0001);
    let mut seen = 0;
    // Every crossing pixel of the spike-time path takes at least one exact sum: proof that the
    // fast path (not the dense fallback) ran.
    let sums = spyker::fused_exact_sums();
    for case in 0..20 {
        let time = [1, 3, 15, 15, 40][case % 5];
        let (b, c, o) = (1 + r.below(3), 1 + r.below(4), 2 + r.below(9));
        let (kh, kw) = (1 + r.below(4), 1 + r.below(4));
        let (h, w) = (kh + r.below(8), kw + r.below(8));
        let stride = Expand2::new(1 + r.below(2), 1 + r.below(2));
        let pad = Expand4::new(r.below(2), r.below(2), r.below(2), r.below(2));
        let n = o * c * kh * kw;
        // Dyadic weights make equal potentials (ties between channels) common.
        let kernel: Vec<f32> = (0..n)
            .map(|_| {
                if case % 2 == 0 {
                    r.below(4) as f32 * 0.25
                } else {
                    r.unif() as f32
                }
            })
            .collect();
        let thr = (c * kh * kw) as f32 * [0.1, 0.25, 0.4][case % 3];
        let batches: Vec<Tensor> = (0..3)
            .map(|_| random_times(&mut r, [b, c, h, w], time, 0.3))
            .collect();
        let (radius, count) = (r.below(3), 1 + r.below(6));
        seen += check(
            &batches,
            time,
            &kernel,
            [o, c, kh, kw],
            stride,
            pad,
            thr,
            radius,
            count,
        );
    }
    assert!(seen > 50, "only {seen} winners over all cases");
    assert!(
        spyker::fused_exact_sums() > sums,
        "the spike-time path did not run"
    );
}

#[test]
fn no_spikes_all_at_zero_and_threshold_zero() {
    let mut r = Rng(99);
    let shape = [6, 2, 3, 3];
    let kernel: Vec<f32> = (0..6 * 2 * 9).map(|_| r.unif() as f32).collect();
    let never = Tensor::from_vec(vec![15u8; 2 * 2 * 7 * 7], &[2, 2, 7, 7]).unwrap();
    let zero = Tensor::from_vec(vec![0u8; 2 * 2 * 7 * 7], &[2, 2, 7, 7]).unwrap();
    let p = (Expand2::new(1, 1), Expand4::new(1, 1, 1, 1));
    assert_eq!(
        check(
            std::slice::from_ref(&never),
            15,
            &kernel,
            shape,
            p.0,
            p.1,
            1.0,
            1,
            4
        ),
        0
    );
    assert!(
        check(
            std::slice::from_ref(&zero),
            15,
            &kernel,
            shape,
            p.0,
            p.1,
            1.0,
            1,
            4
        ) > 0
    );
    check(&[never, zero], 15, &kernel, shape, p.0, p.1, 0.0, 0, 30);
}

/// Thresholds set exactly to potentials of the dense path, arbitrary (non-dyadic) weights: the
/// crossing decisions and the winner comparisons need the exact f32 values.
#[test]
fn thresholds_at_dense_potentials() {
    let mut r = Rng(4242);
    let shape = [8, 3, 3, 3];
    let kernel: Vec<f32> = (0..8 * 27).map(|_| (r.unif() * 0.3) as f32).collect();
    let times = random_times(&mut r, [2, 3, 6, 6], 5, 0.2);
    let spikes = spyker::times_to_spikes(&times, 5).unwrap();
    let k = Tensor::from_vec(kernel.clone(), &shape).unwrap();
    let pot = spyker::conv(&spikes, &k, 1, 0)
        .unwrap()
        .to_vec::<f32>()
        .unwrap();
    for i in (0..pot.len()).step_by(pot.len() / 12) {
        let thr = pot[i];
        check(
            std::slice::from_ref(&times),
            5,
            &kernel,
            shape,
            1.into(),
            0.into(),
            thr,
            1,
            3,
        );
    }
}

/// A patch of 600 (two summation blocks of the dense path) on dense frames.
#[test]
fn long_patches_use_the_dense_frames() {
    let mut r = Rng(7);
    let shape = [5, 24, 5, 5];
    let kernel: Vec<f32> = (0..5 * 600).map(|_| (r.unif() * 0.05) as f32).collect();
    let times = random_times(&mut r, [2, 24, 7, 7], 15, 0.1);
    let seen = check(&[times], 15, &kernel, shape, 1.into(), 1.into(), 4.0, 1, 3);
    assert!(seen > 0);
}

fn bundled_spikes(n: usize) -> Tensor {
    let x = common::bundled_digits(n);
    let stds = [0.471404521, 1.099943882, 2.042752923];
    let log = spyker::LoG::new(3, &stds, 3, spyker::Device::Cpu, DType::F32).unwrap();
    let f = log.forward(&x).unwrap();
    spyker::threshold_inplace(&f, 0.01, 0.0).unwrap();
    spyker::code(&f, 15, true, spyker::Code::Rank).unwrap()
}

/// Rezghi's first layer (6→100, 5×5, pad 2, threshold 16, radius 3, 5 winners) trained over a
/// few batches of bundled digits, starting from the initial N(0.5, 0.02) kernels.
#[test]
fn rezghi_layer_one_on_digits() {
    let spikes = bundled_spikes(24);
    let times = spyker::rank_times(&spikes).unwrap().unwrap();
    let batches: Vec<Tensor> = (0..3)
        .map(|i| times.slice(i * 8, (i + 1) * 8).unwrap().copy().unwrap())
        .collect();
    let init = Conv::new(6, 100, 5, 1, 2, 0.5, 0.02, spyker::Device::Cpu, DType::F32).unwrap();
    let kernel = init.kernel.to_vec::<f32>().unwrap();
    let pad = Expand4::new(2, 2, 2, 2);
    let seen = check(
        &batches,
        15,
        &kernel,
        [100, 6, 5, 5],
        1.into(),
        pad,
        16.0,
        3,
        5,
    );
    assert_eq!(seen, 24 * 5, "every digit should give 5 winners");
}

#[test]
fn fallbacks_and_errors() {
    let mut r = Rng(3);
    let times = random_times(&mut r, [2, 2, 6, 6], 7, 0.2);
    let spikes = spyker::times_to_spikes(&times, 7).unwrap();
    // Negative weights, a negative threshold and one output channel take the dense path.
    let mut kernel: Vec<f32> = (0..4 * 2 * 9).map(|_| r.unif() as f32).collect();
    kernel[5] = -0.5;
    check(
        std::slice::from_ref(&times),
        7,
        &kernel,
        [4, 2, 3, 3],
        1.into(),
        0.into(),
        1.0,
        1,
        3,
    );
    let pos: Vec<f32> = kernel.iter().map(|v| v.abs()).collect();
    check(
        std::slice::from_ref(&times),
        7,
        &pos,
        [4, 2, 3, 3],
        1.into(),
        0.into(),
        -1.0,
        1,
        3,
    );
    let one: Vec<f32> = (0..18).map(|_| r.unif() as f32).collect();
    check(
        std::slice::from_ref(&times),
        7,
        &one,
        [1, 2, 3, 3],
        1.into(),
        0.into(),
        1.0,
        0,
        2,
    );
    // Rate-coded (non-cumulative) input: dense path, same result as the composition.
    let mut fast = layer(one.clone(), [1, 2, 3, 3], 1.into(), 0.into());
    let mut dense = layer(one, [1, 2, 3, 3], 1.into(), 0.into());
    let mut v = spikes.to_vec::<u8>().unwrap();
    v[0] = 2;
    let rate = Tensor::from_vec(v, spikes.shape()).unwrap();
    assert_eq!(
        fast.stdp_step(&rate, 1.0, 1, 2).unwrap(),
        dense_step(&mut dense, &rate, 1.0, 1, 2)
    );
    // Errors: no configuration, zero winners, bad times.
    let mut c = layer(vec![0.5; 36], [2, 2, 3, 3], 1.into(), 0.into());
    c.stdpconfig.clear();
    let e = c.stdp_step_times(&times, 7, 1.0, 1, 2).unwrap_err();
    assert!(e.to_string().contains("STDP configuration"), "{e}");
    c.stdpconfig = vec![STDPConfig::new(0.1, -0.1)];
    assert!(c.stdp_step_times(&times, 7, 1.0, 1, 0).is_err());
    assert!(
        c.stdp_step_times(&times, 6, 1.0, 1, 2).is_err(),
        "time 7 > 6"
    );
    let f = Tensor::from_vec(vec![0f32; 72], &[2, 2, 6, 3]).unwrap();
    assert!(c.stdp_step_times(&f, 7, 1.0, 1, 2).is_err(), "f32 times");
}

#[test]
fn thread_count_does_not_change_results() {
    let spikes = bundled_spikes(8);
    let init = Conv::new(6, 30, 5, 1, 2, 0.5, 0.02, spyker::Device::Cpu, DType::F32).unwrap();
    let run = |threads: i64| {
        spyker::set_max_threads(threads);
        let mut c = init.clone();
        c.kernel = init.kernel.copy().unwrap();
        c.stdpconfig = vec![STDPConfig::new(0.004, -0.003)];
        let w = c.stdp_step(&spikes, 12.0, 2, 4).unwrap();
        (w, c.kernel.to_vec::<f32>().unwrap())
    };
    let one = run(1);
    let two = run(2);
    spyker::set_max_threads(0);
    assert_eq!(one.0, two.0);
    assert_eq!(one.1, two.1);
}
