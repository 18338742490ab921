//! Statistical and determinism tests of rate (Poisson) coding.
//!
//! Tests in this binary share the library's generator and thread pool, so each one holds `LOCK`.

use spyker::{code, code_as, random_seed, set_max_threads, Code, DType, Tensor};
use std::sync::Mutex;

static LOCK: Mutex<()> = Mutex::new(());

fn lock() -> std::sync::MutexGuard<'static, ()> {
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// Expected cumulative count at each step `t` of a renewal process whose intervals follow a
/// zero-truncated Poisson(λ) law, starting at 0 (the first spike is one interval after 0).
fn expected_counts(lam: f64, time: usize) -> Vec<f64> {
    let norm = 1.0 - (-lam).exp();
    let mut pmf = vec![0.0; time + 1];
    let mut p = (-lam).exp(); // P(X = 0)
    for (k, slot) in pmf.iter_mut().enumerate().skip(1) {
        p *= lam / k as f64;
        *slot = p / norm;
    }
    // m[t] = Σ_{k<=t} pmf[k] (1 + m[t-k])
    let mut m = vec![0.0; time];
    for t in 0..time {
        m[t] = (1..=t).map(|k| pmf[k] * (1.0 + m[t - k])).sum();
    }
    m
}

/// Spike times of the rank (latency) code, which rate coding draws its intervals with.
fn latencies(input: &Tensor, time: i64, sort: bool) -> Vec<usize> {
    let r = code(input, time, sort, Code::Rank).unwrap();
    let n = *r.shape().last().unwrap();
    let v = r.to_vec::<u8>().unwrap();
    (0..n)
        .map(|j| (0..time as usize).filter(|&t| v[t * n + j] == 0).count())
        .collect()
}

#[test]
fn mean_counts_follow_the_poisson_rates() {
    let _g = lock();
    let (b, n, time) = (3000usize, 12usize, 16i64);
    // Every sample is the same ramp, so each feature has one spike time across the batch.
    let row: Vec<f32> = (0..n).map(|j| j as f32).collect();
    let data: Vec<f32> = (0..b).flat_map(|_| row.clone()).collect();
    let x = Tensor::from_vec(data, &[b, n]).unwrap();
    for sort in [false, true] {
        random_seed(17);
        let tau = latencies(&x.index(0).unwrap(), time, sort);
        let y = code_as(&x, time, sort, DType::I32, Code::Rate).unwrap();
        let v = y.to_vec::<i32>().unwrap();
        let t = time as usize;
        for j in 0..n {
            let per_t: Vec<Vec<f64>> = (0..t)
                .map(|s| (0..b).map(|i| v[(i * t + s) * n + j] as f64).collect())
                .collect();
            if tau[j] >= t {
                assert!(per_t.iter().flatten().all(|&c| c == 0.0), "feature {j}");
                continue;
            }
            let want = expected_counts(tau[j] as f64 + 1.0, t);
            for (s, counts) in per_t.iter().enumerate() {
                let mean = counts.iter().sum::<f64>() / b as f64;
                let var = counts.iter().map(|c| (c - mean).powi(2)).sum::<f64>() / b as f64;
                let se = (var / b as f64).sqrt();
                // 5 standard errors, plus 1.5% + 0.01 for the 1/1024 quantisation of the tables (which
                // also drops tail probabilities below 1/2048).
                let tol = 5.0 * se + 0.015 * want[s] + 0.01;
                assert!(
                    (mean - want[s]).abs() <= tol,
                    "sort {sort} feature {j} (τ {}) step {s}: mean {mean} expected {} ± {tol}",
                    tau[j],
                    want[s]
                );
            }
        }
        // Brighter features (earlier latency) spike more.
        let last: Vec<f64> = (0..n)
            .map(|j| {
                (0..b)
                    .map(|i| v[(i * t + t - 1) * n + j] as f64)
                    .sum::<f64>()
            })
            .collect();
        for j in 1..n {
            assert!(last[j] >= last[j - 1], "sort {sort}: {last:?}");
        }
    }
}

#[test]
fn counts_start_at_zero_and_never_decrease() {
    let _g = lock();
    let (b, n, time) = (7usize, 50usize, 40usize);
    let data: Vec<f64> = (0..b * n)
        .map(|i| ((i * 7919) % 101) as f64 * 0.3)
        .collect();
    let x = Tensor::from_vec(data, &[b, 5, 10]).unwrap();
    for sort in [false, true] {
        random_seed(3);
        let y = code_as(&x, time as i64, sort, DType::U16, Code::Rate).unwrap();
        assert_eq!(y.shape(), &[b, time, 5, 10]);
        let v = y.to_vec::<u16>().unwrap();
        for i in 0..b {
            for j in 0..n {
                let at = |t: usize| v[(i * time + t) * n + j];
                assert_eq!(at(0), 0, "spike at t = 0");
                for t in 1..time {
                    let (now, before) = (at(t), at(t - 1));
                    assert!(
                        now >= before && now - before <= 1,
                        "counts must not decrease and rise by at most one per step"
                    );
                }
            }
        }
        assert!(v.iter().any(|&c| c > 0));
    }
}

#[test]
fn same_seed_same_output_for_any_thread_count() {
    let _g = lock();
    let data: Vec<u8> = (0..64 * 100).map(|i| ((i * 31) % 251) as u8).collect();
    let x = Tensor::from_vec(data, &[64, 100]).unwrap();
    for sort in [false, true] {
        let mut outs = Vec::new();
        for threads in [1, 2, 3, 1] {
            set_max_threads(threads);
            random_seed(2024);
            outs.push(
                code(&x, 30, sort, Code::Rate)
                    .unwrap()
                    .to_vec::<u8>()
                    .unwrap(),
            );
        }
        for o in &outs[1..] {
            assert!(
                o == &outs[0],
                "sort {sort}: output depends on the thread count"
            );
        }
        // The next call draws a new seed and differs.
        let next = code(&x, 30, sort, Code::Rate)
            .unwrap()
            .to_vec::<u8>()
            .unwrap();
        assert!(next != outs[0]);
    }
    set_max_threads(-1);
}

#[test]
fn constant_samples_spike_at_the_highest_rate() {
    let _g = lock();
    random_seed(9);
    let (b, n, time) = (200usize, 10usize, 30usize);
    let x = Tensor::full(DType::F32, &[b, n], 2.5).unwrap();
    let v = code_as(&x, time as i64, true, DType::F64, Code::Rate)
        .unwrap()
        .to_vec::<f64>()
        .unwrap();
    let want = expected_counts(1.0, time)[time - 1];
    let mean = (0..b * n)
        .map(|k| v[((k / n) * time + time - 1) * n + k % n])
        .sum::<f64>()
        / (b * n) as f64;
    assert!(
        (mean - want).abs() < 0.03 * want,
        "mean {mean}, expected {want}"
    );
}
