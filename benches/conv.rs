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
    spyker::set_max_threads(threads);

    let (b, t, c, h, w, o, k) = (64, 15, 6, 28, 28, 100, 5);
    // Cumulative spike trains with a fixed pseudo-random first-spike time per neuron (about 20% of
    // the neurons never fire), like rank-coded LoG features.
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut first = vec![0u8; b * c * h * w];
    for f in first.iter_mut() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        *f = (state % 19) as u8;
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
    let input = Tensor::from_vec(spikes, &[b, t, c, h, w]).unwrap();
    spyker::random_seed(0);
    let layer = spyker::Conv::new(c, o, k, 1, 2, 0.5, 0.02, Device::Cpu, DType::F32).unwrap();

    let out = layer.forward(&input).unwrap(); // warm-up (allocations, thread pool)
    let macs = (b * t * o * h * w * c * k * k) as f64;
    let start = Instant::now();
    for _ in 0..reps {
        let y = layer.forward(&input).unwrap();
        std::hint::black_box(&y);
    }
    let secs = start.elapsed().as_secs_f64() / reps as f64;
    let into_start = Instant::now();
    for _ in 0..reps {
        layer.forward_into(&input, &out).unwrap();
    }
    let into_secs = into_start.elapsed().as_secs_f64() / reps as f64;
    println!(
        "conv rezghi-l1 [64,15,6,28,28]u8 * [100,6,5,5]f32 pad 2, {threads} threads: \
         {secs:.4} s/call ({:.2} GMAC/s); conv_into {into_secs:.4} s/call ({:.2} GMAC/s)",
        macs / secs / 1e9,
        macs / into_secs / 1e9
    );
}
