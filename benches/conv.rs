//! Throughput of `conv` on the Rezghi layer-1 shape: batch 64, T = 15, 6×28×28 u8 spike input,
//! 100×6×5×5 f32 kernel, pad 2 (the original's `op_conv1` in scripts/bench/original.py).
//!
//! `cargo bench --bench conv [-- THREADS [REPS]]` (defaults: 2 threads, 5 repetitions). Prints
//! seconds per call and GMAC/s (multiply-accumulates of the direct formula, padding included).

use spyker::{DType, Device, Tensor};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let threads: i64 = args.first().and_then(|s| s.parse().ok()).unwrap_or(2);
    let reps: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(5);
    let modulus = if args.get(2).map(String::as_str) == Some("dense") {
        19
    } else {
        70
    };
    spyker::set_max_threads(threads);

    let (b, t, c, h, w, o, k) = (64, 15, 6, 28, 28, 100, 5);
    // Cumulative spike trains with a fixed pseudo-random first-spike time per neuron, about as
    // dense as the rank-coded LoG features of the digits (1.4% at t = 0 rising to 21% at t = 14,
    // measured with the original's pipeline); `dense` as 3rd argument: 5% .. 79%.
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut first = vec![0u8; b * c * h * w];
    for f in first.iter_mut() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        *f = (state % modulus) as u8;
    }
    let mut spikes = vec![0u8; b * t * c * h * w];
    let plane = c * h * w;
    for bi in 0..b {
        for ti in 0..t {
            for i in 0..plane {
                spikes[(bi * t + ti) * plane + i] = u8::from(first[bi * plane + i] as usize <= ti);
            }
        }
    }
    let density = spikes.iter().map(|&s| f64::from(s)).sum::<f64>() / spikes.len() as f64;
    let input = Tensor::from_vec(spikes, &[b, t, c, h, w]).unwrap();
    spyker::random_seed(0);
    let layer = spyker::Conv::new(c, o, k, 1, 2, 0.5, 0.02, Device::Cpu, DType::F32).unwrap();

    let out = layer.forward(&input).unwrap(); // warm-up (allocations, thread pool)
    let macs = (b * t * o * h * w * c * k * k) as f64;
    // The machine may be shared: report the fastest call (wall) and the CPU time per call.
    let measure = |f: &dyn Fn()| {
        let mut best = f64::INFINITY;
        let cpu0 = cpu_seconds();
        for _ in 0..reps {
            let start = Instant::now();
            f();
            best = best.min(start.elapsed().as_secs_f64());
        }
        (best, (cpu_seconds() - cpu0) / reps as f64)
    };
    let (secs, cpu) = measure(&|| {
        std::hint::black_box(layer.forward(&input).unwrap());
    });
    let (into_secs, into_cpu) = measure(&|| layer.forward_into(&input, &out).unwrap());
    println!(
        "conv rezghi-l1 [64,15,6,28,28]u8 (spike density {:.1}%) * [100,6,5,5]f32 pad 2, \
         {threads} threads: conv best {secs:.4} s ({:.2} GMAC/s), {cpu:.3} CPU-s/call; \
         conv_into best {into_secs:.4} s ({:.2} GMAC/s), {into_cpu:.3} CPU-s/call",
        density * 100.0,
        macs / secs / 1e9,
        macs / into_secs / 1e9
    );
}

/// User + system CPU time of this process so far (Linux; 0 elsewhere).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<f64> = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|v| v.parse().ok())
        .collect();
    f.iter().sum::<f64>() / 100.0
}
