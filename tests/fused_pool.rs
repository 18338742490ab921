//! `conv_fire_pool_times` (convolution + rank fire + rank pooling on spike times, computing only
//! what the pooling reads) against the composition it replaces, `pool_times(conv_fire_times)`,
//! and, on the Rezghi layer, against the dense path (`conv`, `fire`, max `pool`, `gather`).
//! Equality is exact everywhere.

mod common;

use common::{bundled_digits, random_times, Rng};
use spyker::{DType, Expand2, Expand4, Tensor};

fn random_kernel(r: &mut Rng, shape: [usize; 4], f: impl Fn(&mut Rng) -> f32) -> Tensor {
    let n: usize = shape.iter().product();
    let v: Vec<f32> = (0..n).map(|_| f(r)).collect();
    Tensor::from_vec(v, &shape).unwrap()
}

struct Case<'a> {
    times: &'a Tensor,
    time: usize,
    kernel: &'a Tensor,
    stride: Expand2,
    pad: Expand4,
    thr: f64,
    pool: (Expand2, Option<Expand2>, Expand4),
}

/// Asserts the fused op equals the composition, and returns the result.
fn check(c: &Case) -> Tensor {
    let (pk, ps, pp) = c.pool;
    let fired = spyker::conv_fire_times(c.times, c.time, c.kernel, c.stride, c.pad, c.thr).unwrap();
    let want = spyker::pool_times(&fired, c.time, pk, ps, pp).unwrap();
    let got = spyker::conv_fire_pool_times(
        c.times, c.time, c.kernel, c.stride, c.pad, c.thr, pk, ps, pp,
    )
    .unwrap();
    assert_eq!(got.shape(), want.shape(), "shapes");
    let (g, w) = (got.to_vec::<u8>().unwrap(), want.to_vec::<u8>().unwrap());
    let bad = g.iter().zip(&w).filter(|(a, b)| a != b).count();
    assert_eq!(bad, 0, "{bad} of {} pooled times differ", g.len());
    got
}

/// Random geometries: disjoint windows (stride = kernel, and stride > kernel, which leaves
/// outputs no window reads), overlapping windows, padded and unpadded pools, pools that drop
/// trailing rows and columns; dense and sparse inputs; thresholds from 0 to above any potential.
#[test]
fn random_geometries_match_the_composition() {
    let mut r = Rng(0x005e_ed0f_9001);
    let mut differs_from_full = 0;
    for case in 0..60 {
        let time = [1, 3, 15, 40][case % 4];
        let (b, c) = (1 + r.below(3), 1 + r.below(6));
        let (h, w) = (4 + r.below(12), 4 + r.below(12));
        let (kh, kw) = (1 + r.below(3), 1 + r.below(3));
        let o = 1 + r.below(12);
        let stride = Expand2::new(1 + r.below(2), 1 + r.below(2));
        let pad = Expand4::new(r.below(2), r.below(2), r.below(2), r.below(2));
        let times = random_times(&mut r, [b, c, h, w], time, [0.1, 0.5, 0.9][case % 3]);
        let kernel = random_kernel(&mut r, [o, c, kh, kw], |r| r.unif() as f32);
        let thr = r.unif() * (c * kh * kw) as f64 * [0.0, 0.2, 0.5, 2.0][case % 4];
        let pk = Expand2::new(1 + r.below(3), 1 + r.below(3));
        let ps = match case % 3 {
            0 => None,
            1 => Some(Expand2::new(1 + r.below(2), 1 + r.below(2))),
            _ => Some(Expand2::new(pk.y + r.below(2), pk.x + r.below(2))),
        };
        let pp = Expand4::new(r.below(2), r.below(2), r.below(2), r.below(2));
        // A pool whose padded input is smaller than its window has no valid shape.
        let conv_out = spyker::conv_fire_times(&times, time, &kernel, stride, pad, thr).unwrap();
        if spyker::pool_times(&conv_out, time, pk, ps, pp).is_err() {
            assert!(spyker::conv_fire_pool_times(
                &times, time, &kernel, stride, pad, thr, pk, ps, pp
            )
            .is_err());
            continue;
        }
        let got = check(&Case {
            times: &times,
            time,
            kernel: &kernel,
            stride,
            pad,
            thr,
            pool: (pk, ps, pp),
        });
        differs_from_full += usize::from(got.shape() != conv_out.shape());
    }
    assert!(
        differs_from_full > 30,
        "pooling shrank only {differs_from_full} cases"
    );
}

/// No spikes, all spikes at t = 0, thresholds below zero and at exact dense potentials (ties),
/// with dyadic weights so that many channels and pixels tie.
#[test]
fn edge_cases_and_ties() {
    let mut r = Rng(41);
    let kernel = random_kernel(&mut r, [7, 3, 3, 3], |r| r.below(9) as f32 / 8.0);
    let (s, p) = (Expand2::new(1, 1), Expand4::new(1, 1, 1, 1));
    let never = Tensor::from_vec(vec![15u8; 2 * 3 * 9 * 9], &[2, 3, 9, 9]).unwrap();
    let zero = Tensor::from_vec(vec![0u8; 2 * 3 * 9 * 9], &[2, 3, 9, 9]).unwrap();
    let mixed = random_times(&mut r, [2, 3, 9, 9], 15, 0.3);
    let spikes = spyker::times_to_spikes(&mixed, 15).unwrap();
    let pot = spyker::conv(&spikes, &kernel, s, p)
        .unwrap()
        .to_vec::<f32>()
        .unwrap();
    let mut thresholds = vec![-1.0, 0.0, 1.0, 100.0];
    thresholds.extend((0..4).map(|_| pot[r.below(pot.len())] as f64));
    for times in [&never, &zero, &mixed] {
        for &thr in &thresholds {
            for pool in [
                (Expand2::new(3, 3), None, Expand4::new(0, 0, 0, 0)),
                (Expand2::new(2, 2), None, Expand4::new(1, 1, 1, 1)),
                (
                    Expand2::new(3, 3),
                    Some(Expand2::new(2, 2)),
                    Expand4::new(1, 0, 0, 1),
                ),
            ] {
                check(&Case {
                    times,
                    time: 15,
                    kernel: &kernel,
                    stride: s,
                    pad: p,
                    thr,
                    pool,
                });
            }
        }
    }
}

/// Rezghi layer 2 on the bundled digits (conv 100 → 200, 3×3 pad 1, threshold 5, pool 3 on
/// 14×14, which reads 12 of 14 rows and columns), against the dense path: `gather(pool(fire(
/// conv(spikes))))`, with the initial kernels and with trained-looking bimodal ones.
#[test]
fn rezghi_layer_2_matches_the_dense_path() {
    let x = bundled_digits(6);
    let stds = [0.471404521, 1.099943882, 2.042752923];
    let log = spyker::LoG::new(3, &stds, 3, spyker::Device::Cpu, DType::F32).unwrap();
    let f = spyker::threshold(&log.forward(&x).unwrap(), 0.01, 0.0).unwrap();
    let t0 = spyker::code_times(&f, 15, true).unwrap();
    let c1 =
        spyker::Conv::new(6, 100, 5, 1, 2, 0.5, 0.02, spyker::Device::Cpu, DType::F32).unwrap();
    let p1 = c1
        .forward_fire_pool_times(&t0, 15, 16.0, 2, None, 0)
        .unwrap();
    let mut r = Rng(77);
    let trained = random_kernel(&mut r, [200, 100, 3, 3], |r| {
        (if r.unif() < 0.3 {
            0.9 + 0.1 * r.unif()
        } else {
            0.1 * r.unif()
        }) as f32
    });
    let initial = spyker::Conv::new(
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
    .unwrap();
    for k2 in [initial.kernel.clone(), trained] {
        let got = spyker::conv_fire_pool_times(&p1, 15, &k2, 1, 1, 5.0, 3, None, 0).unwrap();
        let spikes = spyker::times_to_spikes(&p1, 15).unwrap();
        let pot = spyker::conv(&spikes, &k2, 1, 1).unwrap();
        let fired = spyker::fire(&pot, 5.0, DType::U8, spyker::Code::Rank).unwrap();
        let pooled = spyker::pool(&fired, 3, None, 0, None).unwrap();
        let want = spyker::gather(&pooled, 0.0, DType::U8, spyker::Code::Rank).unwrap();
        assert_eq!(got.shape(), &[6, 200, 4, 4]);
        assert_eq!(got.to_vec::<u8>().unwrap(), want.to_vec::<u8>().unwrap());
        let fired_any = got
            .to_vec::<u8>()
            .unwrap()
            .iter()
            .filter(|t| **t < 15)
            .count();
        assert!(fired_any > 1000, "only {fired_any} pooled neurons fired");
    }
}

/// Negative or non-f32 kernels follow the composition's rules (an error, the dense path); the
/// thread count does not change the result.
#[test]
fn fallbacks_errors_and_threads() {
    let mut r = Rng(5);
    let times = random_times(&mut r, [3, 4, 10, 10], 15, 0.3);
    let k = random_kernel(&mut r, [9, 4, 3, 3], |r| r.unif() as f32);
    let pool = (Expand2::new(2, 2), None, Expand4::new(1, 1, 1, 1));
    let case = |kernel| Case {
        times: &times,
        time: 15,
        kernel,
        stride: Expand2::new(1, 1),
        pad: Expand4::new(0, 0, 0, 0),
        thr: 4.0,
        pool,
    };
    let k64 = k.to_dtype(DType::F64).unwrap();
    check(&case(&k64));
    let neg = random_kernel(&mut r, [9, 4, 3, 3], |r| r.unif() as f32 - 0.2);
    let err = spyker::conv_fire_pool_times(&times, 15, &neg, 1, 0, 4.0, 2, None, 1).unwrap_err();
    assert!(err.to_string().contains("non-negative"), "{err}");
    let late = Tensor::from_vec(vec![16u8; 4 * 100], &[1, 4, 10, 10]).unwrap();
    let err = spyker::conv_fire_pool_times(&late, 15, &k, 1, 0, 4.0, 2, None, 1).unwrap_err();
    assert!(err.to_string().contains("0..=15"), "{err}");
    let err = spyker::conv_fire_pool_times(&times, 15, &k, 1, 0, 4.0, 0, None, 0).unwrap_err();
    assert!(err.to_string().contains("pool kernel"), "{err}");
    spyker::set_max_threads(1);
    let a = check(&case(&k));
    spyker::set_max_threads(2);
    let b = check(&case(&k));
    assert_eq!(a.to_vec::<u8>().unwrap(), b.to_vec::<u8>().unwrap());
}
