//! The fused rank-coded fast paths (`conv_fire_rank`, `conv_fire_times`, `pool_times`) against
//! the dense path they replace: `conv` then rank `fire` (`potential > threshold`, spec §4.1), and
//! max pooling of cumulative trains. Equality is exact (bit for bit) everywhere.

mod common;

use common::{bundled_digits, random_times, Rng};
use spyker::{DType, Expand2, Expand4, Tensor};

fn random_kernel(r: &mut Rng, shape: [usize; 4], f: impl Fn(&mut Rng) -> f32) -> Tensor {
    let n: usize = shape.iter().product();
    let v: Vec<f32> = (0..n).map(|_| f(r)).collect();
    Tensor::from_vec(v, &shape).unwrap()
}

/// The dense reference: conv, then `out = pot > thr` per element (rank fire).
fn dense_fire(spikes: &Tensor, kernel: &Tensor, stride: Expand2, pad: Expand4, thr: f32) -> Tensor {
    let pot = spyker::conv(spikes, kernel, stride, pad).unwrap();
    let p = pot.to_vec::<f32>().unwrap();
    let o: Vec<u8> = p.iter().map(|v| u8::from(*v > thr)).collect();
    Tensor::from_vec(o, pot.shape()).unwrap()
}

fn assert_same_u8(a: &Tensor, b: &Tensor, what: &str) {
    assert_eq!(a.shape(), b.shape(), "{what}: shapes");
    let (x, y) = (a.to_vec::<u8>().unwrap(), b.to_vec::<u8>().unwrap());
    let bad = x.iter().zip(&y).filter(|(p, q)| p != q).count();
    assert_eq!(bad, 0, "{what}: {bad} of {} elements differ", x.len());
}

/// Checks conv_fire_rank and conv_fire_times against the dense path for one configuration.
fn check(times: &Tensor, time: usize, kernel: &Tensor, stride: Expand2, pad: Expand4, thr: f32) {
    let spikes = spyker::times_to_spikes(times, time).unwrap();
    let want = dense_fire(&spikes, kernel, stride, pad, thr);
    let got = spyker::conv_fire_rank(&spikes, kernel, stride, pad, thr as f64).unwrap();
    assert_same_u8(&got, &want, "conv_fire_rank");
    let t = spyker::conv_fire_times(times, time, kernel, stride, pad, thr as f64).unwrap();
    let back = spyker::times_to_spikes(&t, time).unwrap();
    assert_same_u8(
        &back.reshape_to(want.shape()).unwrap(),
        &want,
        "conv_fire_times",
    );
}

#[test]
fn random_inputs_match_dense() {
    let mut r = Rng(0x1234_5678_9abc_def1);
    for case in 0..24 {
        let time = [1, 2, 5, 15, 30][case % 5];
        let (b, c) = (1 + r.below(3), 1 + r.below(5));
        let (h, w) = (3 + r.below(10), 3 + r.below(10));
        let (kh, kw) = (1 + r.below(3.min(h)), 1 + r.below(3.min(w)));
        let o = 1 + r.below(9);
        let stride = Expand2::new(1 + r.below(2), 1 + r.below(2));
        let pad = Expand4::new(r.below(3), r.below(3), r.below(3), r.below(3));
        let times = random_times(&mut r, [b, c, h, w], time, 0.3);
        let kernel = random_kernel(&mut r, [o, c, kh, kw], |r| r.unif() as f32);
        let thr = (r.unif() * (c * kh * kw) as f64 * 0.5) as f32;
        check(&times, time, &kernel, stride, pad, thr);
    }
}

#[test]
fn no_spikes_and_all_at_zero() {
    let mut r = Rng(7);
    let kernel = random_kernel(&mut r, [4, 3, 3, 3], |r| r.unif() as f32);
    let (s, p) = (Expand2::new(1, 1), Expand4::new(1, 1, 1, 1));
    let never = Tensor::from_vec(vec![15u8; 2 * 3 * 6 * 6], &[2, 3, 6, 6]).unwrap();
    let zero = Tensor::from_vec(vec![0u8; 2 * 3 * 6 * 6], &[2, 3, 6, 6]).unwrap();
    for thr in [-1.0, 0.0, 0.5, 3.0, 100.0] {
        check(&never, 15, &kernel, s, p, thr);
        check(&zero, 15, &kernel, s, p, thr);
    }
    // No spike and a negative threshold: potential 0 > -1 fires everywhere at t = 0.
    let t = spyker::conv_fire_times(&never, 15, &kernel, s, p, -1.0).unwrap();
    assert!(t.to_vec::<u8>().unwrap().iter().all(|v| *v == 0));
    let t = spyker::conv_fire_times(&never, 15, &kernel, s, p, 0.0).unwrap();
    assert!(t.to_vec::<u8>().unwrap().iter().all(|v| *v == 15));
}

/// Thresholds set exactly to potentials the dense path computes (ties: `>` is strict), with
/// dyadic weights (exact sums, many equal potentials) and with arbitrary f32 weights (the
/// neurons at the threshold must be decided by the dense path's own value).
#[test]
fn ties_at_the_threshold() {
    let mut r = Rng(99);
    for case in 0..12 {
        let time = 10;
        let times = random_times(&mut r, [2, 4, 8, 8], time, 0.2);
        let kernel = if case % 2 == 0 {
            random_kernel(&mut r, [6, 4, 3, 3], |r| r.below(65) as f32 / 64.0)
        } else {
            random_kernel(&mut r, [6, 4, 3, 3], |r| r.unif() as f32)
        };
        let (s, p) = (Expand2::new(1, 1), Expand4::new(1, 1, 1, 1));
        let spikes = spyker::times_to_spikes(&times, time).unwrap();
        let pot = spyker::conv(&spikes, &kernel, s, p)
            .unwrap()
            .to_vec::<f32>()
            .unwrap();
        for _ in 0..3 {
            let thr = pot[r.below(pot.len())];
            let decided = spyker::fused_exact_sums;
            let before = decided();
            check(&times, time, &kernel, s, p, thr);
            // A neuron sits exactly at the threshold: the dense path's value must have decided.
            assert!(decided() > before);
        }
    }
}

/// A potential whose f32 value depends on the order of its sum: `1 + 2⁻²⁴ + 2⁻²⁴` is `1` when
/// summed from the left (each half-ulp rounds to even) and `1 + 2⁻²³` from the right. On a sparse
/// frame the dense path sums in receptive-field order, so with threshold 1 the first neuron never
/// fires and the mirrored one fires at once (an f64 sum, `1 + 2⁻²³` for both, would fire both);
/// the same on a frame dense enough for the GEMM path.
#[test]
fn order_dependent_sums_follow_the_dense_order() {
    let e = f32::EPSILON / 2.0; // 2^-24
    let kernel = Tensor::from_vec(vec![1.0, e, e, e, e, 1.0], &[2, 1, 1, 3]).unwrap();
    let (s, p) = (Expand2::new(1, 1), Expand4::new(0, 0, 0, 0));
    // Sparse: 3 of 12 inputs fire (at t = 0), under the first window only.
    let mut v = vec![2u8; 12];
    v[..3].fill(0);
    let times = Tensor::from_vec(v, &[1, 1, 1, 12]).unwrap();
    let before = spyker::fused_exact_sums();
    let got = spyker::conv_fire_times(&times, 2, &kernel, s, p, 1.0).unwrap();
    let got = got.to_vec::<u8>().unwrap();
    assert_eq!((got[0], got[10]), (2, 0), "first window of each output");
    assert!(spyker::fused_exact_sums() >= before + 2);
    check(&times, 2, &kernel, s, p, 1.0);
    // Dense: every input fires; the frame goes through the GEMM path, which sums in the same
    // order (one output pixel: the matrix-vector case).
    let times = Tensor::from_vec(vec![0u8; 3], &[1, 1, 1, 3]).unwrap();
    let before = spyker::fused_exact_sums();
    let got = spyker::conv_fire_times(&times, 2, &kernel, s, p, 1.0).unwrap();
    assert_eq!(got.to_vec::<u8>().unwrap(), vec![2, 0]);
    assert!(spyker::fused_exact_sums() >= before + 2);
    check(&times, 2, &kernel, s, p, 1.0);
}

/// Per-frame results of `conv` do not depend on how many frames one call holds (each potential
/// is one f32 sum in a fixed order, which the fast path redoes for undecided neurons).
#[test]
fn conv_frames_are_batch_independent() {
    let mut r = Rng(5);
    let times = random_times(&mut r, [3, 6, 28, 28], 15, 0.5);
    let kernel = random_kernel(&mut r, [20, 6, 5, 5], |r| r.unif() as f32);
    let spikes = spyker::times_to_spikes(&times, 15).unwrap();
    let all = spyker::conv(&spikes, &kernel, 1, 2)
        .unwrap()
        .to_vec::<f32>()
        .unwrap();
    let per = 20 * 28 * 28;
    let frames = spikes.reshape(&[45, 1, 6, 28, 28]).unwrap();
    for n in [0usize, 17, 44] {
        let one = spyker::conv(&frames.index(n as i64).unwrap(), &kernel, 1, 2).unwrap();
        let one = one.to_vec::<f32>().unwrap();
        assert!(one
            .iter()
            .zip(&all[n * per..(n + 1) * per])
            .all(|(a, b)| a.to_bits() == b.to_bits()));
    }
}

/// Trained-looking (bimodal, close to 0 or 1 as STDP leaves them) non-negative kernels.
fn trained_kernel(r: &mut Rng, shape: [usize; 4]) -> Tensor {
    random_kernel(r, shape, |r| {
        let v = if r.unif() < 0.3 {
            0.9 + 0.1 * r.unif()
        } else {
            0.1 * r.unif()
        };
        v as f32
    })
}

/// Rezghi layers 1 and 2 on the bundled digits (LoG, rank code, conv 5×5/thr 16, pool 2,
/// conv 3×3/thr 5, pool 3): fused path identical to the dense one at every stage, also with the
/// initial N(0.5, 0.02) kernels.
#[test]
fn rezghi_digits_match_dense() {
    let x = bundled_digits(8);
    let stds = [0.471404521, 1.099943882, 2.042752923];
    let log = spyker::LoG::new(3, &stds, 3, spyker::Device::Cpu, DType::F32).unwrap();
    let f = log.forward(&x).unwrap();
    let fv: Vec<f32> = f
        .to_vec::<f32>()
        .unwrap()
        .iter()
        .map(|v| if *v <= 0.01 { 0.0 } else { *v })
        .collect();
    let f = Tensor::from_vec(fv, f.shape()).unwrap();
    let spikes = spyker::code(&f, 15, true, spyker::Code::Rank).unwrap();
    let mut r = Rng(2024);
    for trained in [false, true] {
        let k1 = if trained {
            trained_kernel(&mut r, [100, 6, 5, 5])
        } else {
            spyker::Conv::new(6, 100, 5, 1, 2, 0.5, 0.02, spyker::Device::Cpu, DType::F32)
                .unwrap()
                .kernel
        };
        let k2 = if trained {
            trained_kernel(&mut r, [200, 100, 3, 3])
        } else {
            spyker::Conv::new(
                100,
                200,
                3,
                1,
                1,
                0.5,
                0.02,
                spyker::Device::Cpu,
                DType::F32,
            )
            .unwrap()
            .kernel
        };
        let s1 = dense_fire(
            &spikes,
            &k1,
            Expand2::new(1, 1),
            Expand4::new(2, 2, 2, 2),
            16.0,
        );
        let f1 = spyker::conv_fire_rank(&spikes, &k1, 1, 2, 16.0).unwrap();
        assert_same_u8(&f1, &s1, "layer 1");
        let t1 = spyker::rank_times(&f1).unwrap().unwrap();
        let p1 = spyker::pool_times(&t1, 15, 2, None, 0).unwrap();
        let p1_dense = naive_pool(&s1, 2, 2);
        assert_same_u8(
            &spyker::times_to_spikes(&p1, 15).unwrap(),
            &p1_dense,
            "pool 1",
        );
        let s2 = dense_fire(
            &p1_dense,
            &k2,
            Expand2::new(1, 1),
            Expand4::new(1, 1, 1, 1),
            5.0,
        );
        let t2 = spyker::conv_fire_times(&p1, 15, &k2, 1, 1, 5.0).unwrap();
        assert_same_u8(&spyker::times_to_spikes(&t2, 15).unwrap(), &s2, "layer 2");
        let p2 = spyker::pool_times(&t2, 15, 3, None, 0).unwrap();
        assert_same_u8(
            &spyker::times_to_spikes(&p2, 15).unwrap(),
            &naive_pool(&s2, 3, 3),
            "pool 2",
        );
    }
}

/// Max pooling of `u8 [B,T,C,H,W]` without padding (the spec §5.2 definition).
fn naive_pool(x: &Tensor, k: usize, s: usize) -> Tensor {
    let sh = x.shape().to_vec();
    let (h, w) = (sh[3], sh[4]);
    let (oh, ow) = ((h - k) / s + 1, (w - k) / s + 1);
    let v = x.to_vec::<u8>().unwrap();
    let planes = sh[0] * sh[1] * sh[2];
    let mut out = vec![0u8; planes * oh * ow];
    for p in 0..planes {
        for i in 0..oh {
            for j in 0..ow {
                let mut m = 0;
                for u in 0..k {
                    for q in 0..k {
                        m = m.max(v[p * h * w + (i * s + u) * w + j * s + q]);
                    }
                }
                out[(p * oh + i) * ow + j] = m;
            }
        }
    }
    Tensor::from_vec(out, &[sh[0], sh[1], sh[2], oh, ow]).unwrap()
}

#[test]
fn pool_times_matches_dense_pool_with_padding() {
    let mut r = Rng(11);
    for _ in 0..10 {
        let (h, w) = (4 + r.below(8), 4 + r.below(8));
        let times = random_times(&mut r, [2, 3, h, w], 15, 0.4);
        let k = 1 + r.below(3);
        let pad = r.below(2);
        let got = spyker::pool_times(&times, 15, k, None, pad).unwrap();
        // Dense reference: pad the cumulative trains with zeros (no spike), then max pool.
        let spikes = spyker::times_to_spikes(&times, 15).unwrap();
        let sv = spikes.to_vec::<u8>().unwrap();
        let (ph, pw) = (h + 2 * pad, w + 2 * pad);
        let mut padded = vec![0u8; 2 * 15 * 3 * ph * pw];
        for pl in 0..2 * 15 * 3 {
            for y in 0..h {
                for x in 0..w {
                    padded[(pl * ph + y + pad) * pw + x + pad] = sv[(pl * h + y) * w + x];
                }
            }
        }
        let padded = Tensor::from_vec(padded, &[2, 15, 3, ph, pw]).unwrap();
        let want = naive_pool(&padded, k, k);
        assert_same_u8(
            &spyker::times_to_spikes(&got, 15).unwrap(),
            &want,
            "pool_times",
        );
    }
}

#[test]
fn fallbacks_match_dense() {
    let mut r = Rng(3);
    let times = random_times(&mut r, [2, 3, 7, 7], 8, 0.3);
    let spikes = spyker::times_to_spikes(&times, 8).unwrap();
    let (s, p) = (Expand2::new(1, 1), Expand4::new(1, 1, 1, 1));
    // Negative weights: dense path.
    let neg = random_kernel(&mut r, [4, 3, 3, 3], |r| r.unif() as f32 - 0.3);
    assert_same_u8(
        &spyker::conv_fire_rank(&spikes, &neg, s, p, 1.0).unwrap(),
        &dense_fire(&spikes, &neg, s, p, 1.0),
        "negative weights",
    );
    assert!(spyker::conv_fire_times(&times, 8, &neg, s, p, 1.0).is_err());
    // Non-binary (rate-like) input: dense path.
    let pos = random_kernel(&mut r, [4, 3, 3, 3], |r| r.unif() as f32);
    let mut rate = spikes.to_vec::<u8>().unwrap();
    rate[5] = 2;
    let rate = Tensor::from_vec(rate, spikes.shape()).unwrap();
    assert!(spyker::rank_times(&rate).unwrap().is_none());
    assert_same_u8(
        &spyker::conv_fire_rank(&rate, &pos, s, p, 1.0).unwrap(),
        &dense_fire(&rate, &pos, s, p, 1.0),
        "rate input",
    );
    // Non-cumulative 0/1 input: dense path.
    let mut v = vec![0u8; 8 * 3 * 7 * 7];
    v[0] = 1; // t = 0 fires, t = 1 does not
    let nc = Tensor::from_vec(v, &[1, 8, 3, 7, 7]).unwrap();
    assert!(spyker::rank_times(&nc).unwrap().is_none());
    assert_same_u8(
        &spyker::conv_fire_rank(&nc, &pos, s, p, 0.1).unwrap(),
        &dense_fire(&nc, &pos, s, p, 0.1),
        "non-cumulative input",
    );
    // f64 kernel: times API through the dense conv, same answer as the f32-free reference.
    let k64 = pos.to_dtype(DType::F64).unwrap();
    let t64 = spyker::conv_fire_times(&times, 8, &k64, s, p, 1.5).unwrap();
    let pot = spyker::conv(&spikes, &k64, s, p)
        .unwrap()
        .to_vec::<f64>()
        .unwrap();
    let want: Vec<u8> = pot.iter().map(|v| u8::from(*v > 1.5)).collect();
    let back = spyker::times_to_spikes(&t64, 8)
        .unwrap()
        .to_vec::<u8>()
        .unwrap();
    assert_eq!(back, want);
}

#[test]
fn thread_count_does_not_change_results() {
    let mut r = Rng(17);
    let times = random_times(&mut r, [4, 6, 12, 12], 15, 0.3);
    let kernel = random_kernel(&mut r, [10, 6, 5, 5], |r| r.unif() as f32);
    spyker::set_max_threads(1);
    let a = spyker::conv_fire_times(&times, 15, &kernel, 1, 2, 8.0).unwrap();
    spyker::set_max_threads(2);
    let b = spyker::conv_fire_times(&times, 15, &kernel, 1, 2, 8.0).unwrap();
    assert_same_u8(&a, &b, "threads");
}

#[test]
fn errors_are_reported() {
    let k = Tensor::from_vec(vec![0.5f32; 2 * 3 * 3 * 3], &[2, 3, 3, 3]).unwrap();
    let t = Tensor::from_vec(vec![0u8; 3 * 5 * 5], &[1, 3, 5, 5]).unwrap();
    let msg = |r: spyker::Result<Tensor>| r.unwrap_err().to_string();
    // Wrong dtype of times.
    let tf = t.to_dtype(DType::F32).unwrap();
    assert!(msg(spyker::conv_fire_times(&tf, 15, &k, 1, 0, 1.0)).contains("u8"));
    // Time out of range, values beyond time.
    assert!(spyker::conv_fire_times(&t, 0, &k, 1, 0, 1.0).is_err());
    assert!(spyker::conv_fire_times(&t, 256, &k, 1, 0, 1.0).is_err());
    let big = Tensor::from_vec(vec![9u8; 3 * 5 * 5], &[1, 3, 5, 5]).unwrap();
    assert!(msg(spyker::conv_fire_times(&big, 5, &k, 1, 0, 1.0)).contains("0..=5"));
    // Channel mismatch, kernel larger than input, stride 0, integer kernel, wrong ranks.
    let k4 = Tensor::from_vec(vec![0.5f32; 2 * 4 * 3 * 3], &[2, 4, 3, 3]).unwrap();
    assert!(spyker::conv_fire_times(&t, 15, &k4, 1, 0, 1.0).is_err());
    let k9 = Tensor::from_vec(vec![0.5f32; 2 * 3 * 9 * 9], &[2, 3, 9, 9]).unwrap();
    assert!(spyker::conv_fire_times(&t, 15, &k9, 1, 0, 1.0).is_err());
    assert!(spyker::conv_fire_times(&t, 15, &k, 0, 0, 1.0).is_err());
    let ki = k.to_dtype(DType::I32).unwrap();
    assert!(spyker::conv_fire_times(&t, 15, &ki, 1, 0, 1.0).is_err());
    assert!(spyker::conv_fire_rank(&t, &ki, 1, 0, 1.0).is_err());
    let flat = Tensor::from_vec(vec![0u8; 75], &[75]).unwrap();
    assert!(spyker::conv_fire_times(&flat, 15, &k, 1, 0, 1.0).is_err());
    assert!(spyker::pool_times(&flat, 15, 2, None, 0).is_err());
    assert!(spyker::pool_times(&t, 15, 0, None, 0).is_err());
    assert!(spyker::pool_times(&t, 15, 7, None, 0).is_err());
    assert!(spyker::rank_times(&flat).is_err());
    assert!(spyker::times_to_spikes(&big, 5).is_err());
}

#[test]
fn code_times_equals_the_gathered_rank_code() {
    let mut r = Rng(0x5eed_c0de);
    // Random values with many ties and zeros (minimum values never spike), two samples.
    let v: Vec<f32> = (0..2 * 3 * 7 * 7)
        .map(|_| match r.below(4) {
            0 => 0.0,
            1 => 0.5,
            _ => r.below(1000) as f32 / 997.0,
        })
        .collect();
    let x = Tensor::from_vec(v, &[2, 3, 7, 7]).unwrap();
    let digits = bundled_digits(6);
    for (input, what) in [(&x, "random"), (&digits, "digits")] {
        for time in [1usize, 2, 15, 255] {
            for sort in [true, false] {
                let got = spyker::code_times(input, time, sort).unwrap();
                let trains = spyker::code(input, time as i64, sort, spyker::Code::Rank).unwrap();
                let want = spyker::rank_times(&trains).unwrap().expect("rank-coded");
                assert_eq!(got.shape(), input.shape());
                assert_same_u8(&got, &want, &format!("{what}, time {time}, sort {sort}"));
                let fired = got.to_vec::<u8>().unwrap();
                assert!(fired.iter().any(|t| (*t as usize) < time), "{what} {time}");
                assert!(fired.iter().any(|t| *t as usize == time), "{what} {time}");
            }
        }
    }
    // A 1-D input is one sample; time outside 1..=255 and NaN are errors.
    let flat = Tensor::from_vec(vec![3.0f32, 1.0, 2.0], &[3]).unwrap();
    let t = spyker::code_times(&flat, 3, true).unwrap();
    assert_eq!(t.shape(), &[1, 3]);
    assert_eq!(t.to_vec::<u8>().unwrap(), vec![0, 3, 1]);
    assert!(spyker::code_times(&x, 0, true).is_err());
    assert!(spyker::code_times(&x, 256, true).is_err());
    let nan = Tensor::from_vec(vec![f32::NAN, 1.0], &[1, 2]).unwrap();
    assert!(spyker::code_times(&nan, 15, true).is_err());
}

fn same_bits(a: &Tensor, b: &Tensor) -> bool {
    a.shape() == b.shape()
        && a.dtype() == b.dtype()
        && a.to_bytes().unwrap() == b.to_bytes().unwrap()
}

#[test]
fn conv_infinite_equals_infinite_of_conv() {
    let mut r = Rng(0x51);
    for case in 0..18 {
        let time = [1, 2, 15][case % 3];
        let (b, c) = (1 + r.below(3), 1 + r.below(4));
        let (h, w) = (3 + r.below(8), 3 + r.below(8));
        let (kh, kw) = (1 + r.below(3), 1 + r.below(3));
        let o = 1 + r.below(6);
        let stride = Expand2::new(1 + r.below(2), 1 + r.below(2));
        let pad = Expand4::new(r.below(3), r.below(2), r.below(3), r.below(2));
        // Spike trains (u8), real-valued frames (f32, with negative values) and an f64 kernel.
        let times = random_times(&mut r, [b, c, h, w], time, 0.3);
        let spikes = spyker::times_to_spikes(&times, time).unwrap();
        let n = b * time * c * h * w;
        let real: Vec<f32> = (0..n).map(|_| r.unif() as f32 * 4.0 - 1.0).collect();
        let real = Tensor::from_vec(real, &[b, time, c, h, w]).unwrap();
        let k32 = random_kernel(&mut r, [o, c, kh, kw], |r| r.unif() as f32 - 0.3);
        let k64 = k32.to_dtype(DType::F64).unwrap();
        for input in [&spikes, &real] {
            for kernel in [&k32, &k64] {
                for value in [0.0, -2.5, f64::NAN] {
                    let want = spyker::conv(input, kernel, stride, pad).unwrap();
                    let want = spyker::infinite(&want, value).unwrap();
                    let got = spyker::conv_infinite(input, kernel, stride, pad, value).unwrap();
                    assert!(
                        same_bits(&got, &want),
                        "case {case}, {} input, {} kernel, value {value}",
                        input.dtype(),
                        kernel.dtype()
                    );
                }
            }
        }
    }
    // A 4-D input is one step; the layer method uses the layer's geometry; errors are conv's.
    let x = Tensor::from_vec(vec![1u8; 2 * 3 * 5 * 5], &[2, 3, 5, 5]).unwrap();
    let mut r = Rng(3);
    let k = random_kernel(&mut r, [4, 3, 3, 3], |r| r.unif() as f32);
    let want = spyker::infinite(&spyker::conv(&x, &k, 1, 1).unwrap(), 0.0).unwrap();
    assert!(same_bits(
        &spyker::conv_infinite(&x, &k, 1, 1, 0.0).unwrap(),
        &want
    ));
    let mut layer =
        spyker::Conv::new(3, 4, 3, 1, 1, 0.5, 0.02, spyker::Device::Cpu, DType::F32).unwrap();
    layer.kernel = k.copy().unwrap();
    let frames = spyker::times_to_spikes(&random_times(&mut r, [2, 3, 5, 5], 15, 0.2), 15).unwrap();
    let want = spyker::infinite(&layer.forward(&frames).unwrap(), 0.0).unwrap();
    assert!(same_bits(
        &layer.forward_infinite(&frames, 0.0).unwrap(),
        &want
    ));
    let wrong = Tensor::from_vec(vec![1u8; 2 * 2 * 5 * 5], &[2, 2, 5, 5]).unwrap();
    assert!(spyker::conv_infinite(&wrong, &k, 1, 1, 0.0).is_err());
    let int_kernel = Tensor::from_vec(vec![1i32; 4 * 3 * 9], &[4, 3, 3, 3]).unwrap();
    assert!(spyker::conv_infinite(&x, &int_kernel, 1, 1, 0.0).is_err());
    assert!(spyker::conv_infinite(&x, &k, 0, 1, 0.0).is_err());
}
