//! CUDA `fcwta` / `convwta` against the CPU selection: the same winner lists (order, coordinates,
//! counts) for every dtype, with ties, ±0, NaN and infinities, constant samples, large layers,
//! huge radii and counts, rank-normalised inputs, views, and the original's golden cases.
//! Skipped with a notice without a GPU.

mod common;
mod cuda_harness;

use common::{golden_batch, winners_from, Golden};
use cuda_harness::{gpu, gpu_or_skip, random, Rng};
use spyker::{convwta, fcwta, DType, Expand2, Tensor, Winner, Winners};

/// Cumulative potentials `[B, T, ...]` (the usual conv/fc output): non-decreasing in time, small
/// integer increments so equal first-crossing steps and equal potentials are common.
fn cumulative(dtype: DType, b: usize, t: usize, n: usize, rng: &mut Rng) -> Tensor {
    let mut v = vec![0.0f64; b * t * n];
    for s in 0..b {
        for j in 0..n {
            let mut acc = 0.0;
            for step in 0..t {
                acc += (rng.next_u64() % 3) as f64;
                v[(s * t + step) * n + j] = acc;
            }
        }
    }
    spyker::with_dtype!(dtype, T => {
        let d: Vec<T> = v.iter().map(|&x| <T as spyker::Element>::from_f64(x)).collect();
        Tensor::from_vec(d, &[b, t, n]).unwrap()
    })
}

/// Spike trains `[B, T, N]` of 0/1 with density `p` (integer-style inputs).
fn spikes(dtype: DType, shape: &[usize], p: f64, rng: &mut Rng) -> Tensor {
    let n: usize = shape.iter().product();
    let v: Vec<f64> = (0..n)
        .map(|_| if rng.uniform() < p { 1.0 } else { 0.0 })
        .collect();
    Tensor::from_vec(v, shape).unwrap().to_dtype(dtype).unwrap()
}

fn check_fc(x: &Tensor, radius: usize, count: usize, thr: f64, what: &str) {
    let want = fcwta(x, radius, count, thr).unwrap();
    let got = fcwta(&gpu(x), radius, count, thr).unwrap();
    assert_eq!(
        got,
        want,
        "fcwta {what} {} {:?} r={radius} k={count} thr={thr}",
        x.dtype(),
        x.shape()
    );
}

fn check_conv(x: &Tensor, radius: Expand2, count: usize, thr: f64, what: &str) {
    let want = convwta(x, radius, count, thr).unwrap();
    let got = convwta(&gpu(x), radius, count, thr).unwrap();
    assert_eq!(
        got,
        want,
        "convwta {what} {} {:?} r={radius:?} k={count} thr={thr}",
        x.dtype(),
        x.shape()
    );
}

#[test]
fn fcwta_matches_the_cpu() {
    let Some(_g) = gpu_or_skip("fcwta_matches_the_cpu") else {
        return;
    };
    let mut rng = Rng::new(21);
    for dt in DType::ALL {
        for shape in [
            vec![3, 5, 17],
            vec![1, 1, 1],
            vec![2, 4, 300],
            vec![6, 9],
            vec![4, 15, 1000],
        ] {
            let n = *shape.last().unwrap();
            let x = random(dt, &shape, -2, 6, true, &mut rng);
            let s = spikes(dt, &shape, 0.2, &mut rng);
            for (radius, count) in [(0, 1), (1, 3), (2, 5), (0, n + 7), (usize::MAX, 4)] {
                for thr in [0.0, 2.0, 5.5, -100.0] {
                    check_fc(&x, radius, count, thr, "random");
                }
                check_fc(&s, radius, count, 0.0, "spikes");
            }
        }
        for (b, t, n) in [(2, 10, 40), (3, 15, 513), (1, 30, 7)] {
            let x = cumulative(dt, b, t, n, &mut rng);
            for thr in [0.0, 3.0, 12.0] {
                check_fc(&x, 1, 5, thr, "cumulative");
                check_fc(&x, 0, n, thr, "cumulative, all");
            }
        }
    }
}

#[test]
fn convwta_matches_the_cpu() {
    let Some(_g) = gpu_or_skip("convwta_matches_the_cpu") else {
        return;
    };
    let mut rng = Rng::new(22);
    for dt in DType::ALL {
        for shape in [
            vec![2, 5, 4, 6, 7],
            vec![3, 3, 3, 3],
            vec![1, 1, 1, 1, 1],
            vec![2, 3, 1, 4, 4],
            vec![2, 15, 20, 9, 9],
        ] {
            let c = shape[shape.len() - 3];
            let x = random(dt, &shape, -2, 6, true, &mut rng);
            let s = spikes(dt, &shape, 0.15, &mut rng);
            for (radius, count) in [
                (Expand2::new(0, 0), 1),
                (Expand2::new(1, 1), 3),
                (Expand2::new(2, 0), c + 3),
                (Expand2::new(0, 3), 5),
                (Expand2::new(usize::MAX, 1), 4),
            ] {
                for thr in [0.0, 2.0, 5.5, -100.0] {
                    check_conv(&x, radius, count, thr, "random");
                }
                check_conv(&s, radius, count, 0.0, "spikes");
            }
        }
        // A layer-sized case: 20 maps of 24 x 24, cumulative potentials.
        let x = cumulative(dt, 2, 15, 20 * 24 * 24, &mut rng)
            .reshape(&[2, 15, 20, 24, 24])
            .unwrap();
        for thr in [0.0, 5.0, 15.0] {
            check_conv(&x, Expand2::new(3, 3), 5, thr, "layer");
            check_conv(&x, Expand2::new(0, 0), 30, thr, "layer, all maps");
        }
    }
}

#[test]
fn special_samples_match_the_cpu() {
    let Some(_g) = gpu_or_skip("special_samples_match_the_cpu") else {
        return;
    };
    for dt in [DType::F16, DType::F32, DType::F64] {
        // Constant sample above the threshold: NaN scores, exactly neuron 0.
        let x = Tensor::full(dt, &[2, 3, 8], 1.0).unwrap();
        check_fc(&x, 1, 4, 0.0, "constant");
        assert_eq!(
            fcwta(&gpu(&x), 1, 4, 0.0).unwrap(),
            vec![vec![Winner::fc(0, 0)]; 2]
        );
        let x = Tensor::full(dt, &[1, 2, 3, 4, 4], 2.0).unwrap();
        check_conv(&x, Expand2::new(1, 1), 4, 0.0, "constant");
        // Nothing above the threshold: no winner.
        let x = Tensor::full(dt, &[2, 3, 8], -1.0).unwrap();
        check_fc(&x, 1, 4, 0.0, "silent");
        // NaN at element 0 and elsewhere; ±0 as extremes; infinities.
        for first in [f64::NAN, -0.0, 0.0, f64::INFINITY, f64::NEG_INFINITY] {
            let mut v: Vec<f64> = (0..2 * 4 * 12).map(|i| ((i * 7) % 5) as f64).collect();
            v[0] = first;
            v[13] = f64::NAN;
            v[30] = -0.0;
            v[31] = 0.0;
            let x = Tensor::from_vec(v, &[2, 4, 12])
                .unwrap()
                .to_dtype(dt)
                .unwrap();
            for thr in [-1.0, 0.0, 2.0] {
                check_fc(&x, 1, 6, thr, "specials");
                check_conv(
                    &x.reshape(&[2, 4, 3, 2, 2]).unwrap(),
                    Expand2::new(0, 1),
                    6,
                    thr,
                    "specials",
                );
            }
        }
    }
    // u16 spike scores wrap like the original: T = 65537 makes the first step score 1.
    let mut v = vec![0u8; 65537 * 3];
    v[1] = 1; // neuron 1 at t = 0 (score 65537 -> 1)
    v[3 + 2] = 1; // neuron 2 at t = 1 (score 65536 -> 0: silent)
    v[3 * 65000] = 1; // neuron 0 at t = 65000 (score 537)
    let x = Tensor::from_vec(v, &[1, 65537, 3]).unwrap();
    check_fc(&x, 0, 3, 0.0, "u16 wrap");
}

#[test]
fn views_and_huge_counts() {
    let Some(_g) = gpu_or_skip("views_and_huge_counts") else {
        return;
    };
    let mut rng = Rng::new(23);
    let x = random(DType::F32, &[4, 6, 3, 5, 5], -2, 6, true, &mut rng);
    let d = gpu(&x);
    for i in 0..4 {
        let want = convwta(&x.index(i).unwrap(), 1, 3, 1.0).unwrap();
        let got = convwta(&d.index(i).unwrap(), 1, 3, 1.0).unwrap();
        assert_eq!(got, want, "view {i}");
    }
    let want: Winners = fcwta(&x.reshape(&[4, 6, 75]).unwrap(), 2, usize::MAX, 0.0).unwrap();
    let got = fcwta(&d.reshape(&[4, 6, 75]).unwrap(), 2, usize::MAX, 0.0).unwrap();
    assert_eq!(got, want, "count usize::MAX");
    // Invalid arguments are the CPU's errors.
    assert_eq!(
        fcwta(&d.reshape(&[4, 6, 75]).unwrap(), 1, 0, 0.0)
            .unwrap_err()
            .kind(),
        spyker::ErrorKind::Argument
    );
    assert_eq!(
        convwta(&d.reshape(&[24, 75]).unwrap(), 1, 1, 0.0)
            .unwrap_err()
            .kind(),
        spyker::ErrorKind::Shape
    );
}

#[test]
fn golden_cases_on_the_gpu() {
    let Some(_g) = gpu_or_skip("golden_cases_on_the_gpu") else {
        return;
    };
    let g = Golden::load("wta");
    for c in g.cases_with("fcwta_") {
        if !g.has(&format!("{c}__winners")) {
            continue;
        }
        let x = g.get(&format!("{c}__input"));
        let radius = g.scalar(&format!("{c}__radius")) as usize;
        let count = g.scalar(&format!("{c}__count")) as usize;
        let thr = g.scalar(&format!("{c}__threshold"));
        let want = winners_from(&g.get(&format!("{c}__winners")), golden_batch(&x, 3));
        assert_eq!(fcwta(&gpu(&x), radius, count, thr).unwrap(), want, "{c}");
    }
    for c in g.cases_with("convwta_") {
        if !g.has(&format!("{c}__winners")) {
            continue;
        }
        let x = g.get(&format!("{c}__input"));
        let r = g.get(&format!("{c}__radius")).to_vec_as::<i64>().unwrap();
        let (ry, rx) = (r[0] as usize, *r.last().unwrap() as usize);
        let count = g.scalar(&format!("{c}__count")) as usize;
        let thr = g.scalar(&format!("{c}__threshold"));
        let want = winners_from(&g.get(&format!("{c}__winners")), golden_batch(&x, 5));
        let got = convwta(&gpu(&x), (ry, rx), count, thr).unwrap();
        assert_eq!(got, want, "{c}");
    }
    // Large layer case: the GPU equals the CPU.
    let x = g.get("convwta_large__input");
    assert_eq!(
        convwta(&gpu(&x), 3, 5, 0.0).unwrap(),
        convwta(&x, 3, 5, 0.0).unwrap()
    );
}
