//! CPU kernel of `inhibit` (spec §4.6).
//!
//! Two passes, each parallel over independent pieces: first the winning channel of every
//! `(sample, position)` is found (read-only, split over samples and blocks of positions), then every
//! `(sample, time, channel)` plane zeroes the positions it lost. Results do not depend on the
//! thread count.

use crate::{runtime, Element};
use rayon::prelude::*;

/// Positions per task of the winner search: a few cache lines of every channel row.
const BLOCK: usize = 1024;

/// Shape of the input viewed as `[batch, time, channels, plane]`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Geom {
    pub batch: usize,
    pub time: usize,
    pub channels: usize,
    pub plane: usize,
}

/// Zeroes (multiplies by zero) every channel but the winner at each `(b, position)`.
pub(crate) fn inhibit<T: Element>(data: &mut [T], g: &Geom, threshold: T) {
    let (tn, cn, hw) = (g.time, g.channels, g.plane);
    if cn <= 1 {
        return; // a single channel always wins
    }
    runtime::install(|| {
        let mut winners = vec![0usize; g.batch * hw];
        {
            let data: &[T] = data;
            winners
                .par_chunks_mut(hw)
                .enumerate()
                .for_each(|(b, wins)| {
                    let sample = &data[b * tn * cn * hw..][..tn * cn * hw];
                    wins.par_chunks_mut(BLOCK)
                        .enumerate()
                        .for_each(|(blk, out)| {
                            find_winners(sample, g, blk * BLOCK, threshold, out)
                        });
                });
        }
        let zero = T::zero();
        data.par_chunks_mut(hw)
            .enumerate()
            .with_min_len((BLOCK * 16 / hw).max(1))
            .for_each(|(plane, values)| {
                let (b, c) = (plane / (tn * cn), plane % cn);
                let wins = &winners[b * hw..][..hw];
                for (x, &w) in values.iter_mut().zip(wins) {
                    if w != c {
                        // A product, not a store of zero: the original's -0.0 / NaN results.
                        *x = x.wmul(zero);
                    }
                }
            });
    });
}

/// Winners of positions `p0 .. p0 + out.len()` of one sample (`[time, channels, plane]`).
fn find_winners<T: Element>(sample: &[T], g: &Geom, p0: usize, threshold: T, out: &mut [usize]) {
    let (tn, cn, hw) = (g.time, g.channels, g.plane);
    let n = out.len();
    // Arg-max channel of every step (needed once the crossing count is known) and the count.
    let mut arg = vec![0usize; tn * n];
    let mut count = vec![0usize; n];
    let mut best = vec![T::zero(); n];
    for t in 0..tn {
        let step = &sample[t * cn * hw..][..cn * hw];
        let args = &mut arg[t * n..][..n];
        // The scan starts from channel 0's value (not a sentinel): a NaN there wins.
        best.copy_from_slice(&step[p0..p0 + n]);
        for c in 1..cn {
            let row = &step[c * hw + p0..][..n];
            for ((m, a), &x) in best.iter_mut().zip(args.iter_mut()).zip(row) {
                if x > *m {
                    *m = x;
                    *a = c;
                }
            }
        }
        for (s, &m) in count.iter_mut().zip(&best) {
            if m > threshold {
                *s += 1;
            }
        }
    }
    for (q, (w, &s)) in out.iter_mut().zip(&count).enumerate() {
        let t = tn - s.max(1);
        *w = arg[t * n + q];
    }
}
