//! CPU kernels of the `backprop` family: temporal error (`backward`), `FC::backward` and
//! `labelize` (spec §8.5–8.7).

use crate::nn::BPConfig;
use crate::{runtime, Element};
use half::f16;
use rayon::prelude::*;

/// `(desired - row) / time` with C++ arithmetic: 8- and 16-bit integers are promoted to `int`
/// (so a negative difference divides toward zero before wrapping into the type), wider integers
/// wrap in their own type, floats use IEEE arithmetic in the element type.
pub(crate) trait DiffDiv: Element {
    fn diff_div(self, row: Self, time: Self) -> Self;
}

macro_rules! diff_div_promoted {
    ($($t:ty),*) => {$(
        impl DiffDiv for $t {
            #[inline]
            fn diff_div(self, row: Self, time: Self) -> Self {
                ((self as i32 - row as i32) / time as i32) as $t
            }
        }
    )*};
}
diff_div_promoted!(i8, i16, u8, u16);

macro_rules! diff_div_wide {
    ($($t:ty),*) => {$(
        impl DiffDiv for $t {
            #[inline]
            fn diff_div(self, row: Self, time: Self) -> Self {
                self.wrapping_sub(row).wrapping_div(time)
            }
        }
    )*};
}
diff_div_wide!(i32, i64, u32, u64);

macro_rules! diff_div_float {
    ($($t:ty),*) => {$(
        impl DiffDiv for $t {
            #[inline]
            fn diff_div(self, row: Self, time: Self) -> Self {
                (self - row) / time
            }
        }
    )*};
}
diff_div_float!(f16, f32, f64);

/// `backward` on rows of `n` elements (`time` and `gamma` already in the element type; `time`
/// is non-zero).
pub(crate) fn backward<T: DiffDiv>(
    input: &[T],
    output: &mut [T],
    target: &[usize],
    n: usize,
    time: T,
    gamma: T,
) {
    runtime::install(|| {
        output
            .par_chunks_mut(n)
            .zip(input.par_chunks(n))
            .zip(target.par_iter())
            .for_each(|((out, row), &target)| {
                let mut m = row[0];
                for &v in &row[1..] {
                    if v < m {
                        m = v;
                    }
                }
                let u = m.wadd(gamma);
                // std::min(time, u) and std::max(0, m), argument order as in the original.
                let v = if u < time { u } else { time };
                out.copy_from_slice(row);
                if m != time {
                    for d in out.iter_mut() {
                        if *d < u {
                            *d = v;
                        }
                    }
                }
                out[target] = if T::zero() < m { m } else { T::zero() };
                for (d, &r) in out.iter_mut().zip(row) {
                    *d = d.diff_div(r, time);
                }
            })
    });
}

/// `labelize` on `b` samples of `[t, n]`: the earliest neuron above `thr` (first index on ties),
/// or, when none fires, the first maximum of the last step.
pub(crate) fn labelize<T: Element>(x: &[T], out: &mut [i64], t: usize, n: usize, thr: T) {
    runtime::install(|| {
        out.par_iter_mut().enumerate().for_each(|(i, label)| {
            let sample = &x[i * t * n..(i + 1) * t * n];
            // The first step at which anything fires; the first neuron firing then.
            let fired =
                (0..t).find_map(|s| sample[s * n..(s + 1) * n].iter().position(|&v| v > thr));
            *label = match fired {
                Some(j) => j as i64,
                None => {
                    let last = &sample[(t - 1) * n..];
                    let mut best = 0;
                    for (j, &v) in last.iter().enumerate().skip(1) {
                        if v > last[best] {
                            best = j;
                        }
                    }
                    best as i64
                }
            };
        })
    });
}

/// `FC::backward` on an f32 kernel `[o, i]` for `b` samples; `next` receives `[b, i]`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn fc_backward<T: Element>(
    kernel: &mut [f32],
    cfg: &mut BPConfig,
    input: &[T],
    output: &[T],
    grad: &[T],
    next: &mut [T],
    (b, o, i): (usize, usize, usize),
) {
    // The sign is taken once, from the kernel as it was before this call.
    let sign: Vec<f32> = kernel
        .iter()
        .map(|&k| {
            if k > 0.0 {
                1.0
            } else if k < 0.0 {
                -1.0
            } else {
                0.0
            }
        })
        .collect();
    let mut sel = vec![0f32; o * i];
    let mut acc = vec![0f32; i];
    let decay = cfg.lrate * cfg.lambda;
    for s in 0..b {
        let inp = &input[s * i..(s + 1) * i];
        let (out, g) = (&output[s * o..(s + 1) * o], &grad[s * o..(s + 1) * o]);
        let (lrate, lrf) = (cfg.lrate, cfg.lrf);
        let rows: Vec<f32> = runtime::install(|| {
            kernel
                .par_chunks_mut(i)
                .zip(sel.par_chunks_mut(i))
                .zip(sign.par_chunks(i))
                .enumerate()
                .map(|(r, ((k, sl), sg))| {
                    let gr: f32 = g[r].cast::<f32>();
                    let mut part = 0f32;
                    for c in 0..i {
                        let v = if inp[c] < out[r] { gr } else { 0.0 };
                        sl[c] = v;
                        k[c] = (-lrate).mul_add(v, k[c]);
                        k[c] = (-decay).mul_add(k[c], k[c]);
                        part += lrf * v * sg[c];
                    }
                    part
                })
                .collect()
        });
        // Row partial sums, added in row order: deterministic for any thread count.
        let total: f32 = rows.iter().sum();
        cfg.sfactor -= total / (o * i) as f32;
        // next[c] = sum over rows of k * sel, rows in order; columns split across threads.
        let chunk = i.div_ceil(runtime::max_threads().max(1)).max(64);
        runtime::install(|| {
            acc.par_chunks_mut(chunk).enumerate().for_each(|(ci, a)| {
                let c0 = ci * chunk;
                a.fill(0.0);
                for r in 0..o {
                    let k = &kernel[r * i + c0..r * i + c0 + a.len()];
                    let sl = &sel[r * i + c0..r * i + c0 + a.len()];
                    for ((d, &kv), &sv) in a.iter_mut().zip(k).zip(sl) {
                        *d = kv.mul_add(sv, *d);
                    }
                }
            })
        });
        for (d, &v) in next[s * i..(s + 1) * i].iter_mut().zip(&acc) {
            *d = T::from_f32(v);
        }
    }
}
