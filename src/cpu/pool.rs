//! CPU kernels of `pad` and `pool` (spec §5). Every output plane is computed independently, so the
//! planes are split over the library's rayon pool and results do not depend on the thread count.

use crate::{runtime, Element, Expand2, Expand4};
use rayon::prelude::*;

/// Work below this many elements per task is not worth a rayon split.
const GRAIN: usize = 1 << 14;

/// How many planes of `plane` elements one rayon task should take at least.
fn min_planes(plane: usize) -> usize {
    (GRAIN / plane.max(1)).max(1)
}

/// Copies each `h x w` plane of `src` into the middle of the corresponding padded plane of `dst`,
/// filling the border with `value`.
pub(crate) fn pad<T: Element>(
    src: &[T],
    dst: &mut [T],
    planes: usize,
    h: usize,
    w: usize,
    pad: Expand4,
    value: T,
) {
    let ow = w + pad.left + pad.right;
    let oh = h + pad.top + pad.bottom;
    debug_assert_eq!(src.len(), planes * h * w);
    debug_assert_eq!(dst.len(), planes * oh * ow);
    runtime::install(|| {
        dst.par_chunks_mut(oh * ow)
            .zip(src.par_chunks(h * w))
            .with_min_len(min_planes(oh * ow))
            .for_each(|(out, inp)| {
                let (top, rest) = out.split_at_mut(pad.top * ow);
                let (mid, bottom) = rest.split_at_mut(h * ow);
                top.fill(value);
                bottom.fill(value);
                for (orow, irow) in mid.chunks_exact_mut(ow).zip(inp.chunks_exact(w)) {
                    orow[..pad.left].fill(value);
                    orow[pad.left..pad.left + w].copy_from_slice(irow);
                    orow[pad.left + w..].fill(value);
                }
            });
    });
}

/// Geometry of one pool call on `[B, T, C, H, W]` → `[B, T, C, oh, ow]`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PoolGeom {
    pub batch: usize,
    pub time: usize,
    pub channels: usize,
    pub h: usize,
    pub w: usize,
    pub oh: usize,
    pub ow: usize,
    pub kernel: Expand2,
    pub stride: Expand2,
    pub pad: Expand4,
}

/// The data columns `[c0, c1)` one output column's window covers, and whether the window also
/// covers padding to the left / right of them.
#[derive(Debug, Clone, Copy)]
struct ColSpan {
    c0: usize,
    c1: usize,
    left_pad: bool,
    right_pad: bool,
}

/// Window of padded coordinates `[start, start + k)` clipped to the data `[0, n)` (coordinates
/// shifted by `before`): the data range and whether padding lies before / after it.
fn clip(start: usize, k: usize, before: usize, n: usize) -> (usize, usize, bool, bool) {
    let end = start + k; // exclusive, padded coordinates
    let c0 = start.max(before).min(before + n) - before;
    let c1 = end.max(before).min(before + n) - before;
    (c0, c1, start < before, end > before + n)
}

fn col_spans(g: &PoolGeom) -> Vec<ColSpan> {
    (0..g.ow)
        .map(|j| {
            let (c0, c1, left_pad, right_pad) = clip(j * g.stride.x, g.kernel.x, g.pad.left, g.w);
            ColSpan {
                c0,
                c1,
                left_pad,
                right_pad,
            }
        })
        .collect()
}

/// `acc = max(acc, x)` that never takes a NaN and keeps the earlier of equal values.
#[inline(always)]
fn take_max<T: Element>(acc: &mut T, x: T) {
    if x > *acc {
        *acc = x;
    }
}

/// Max pooling over zero-padded windows of every `(b, t, c)` plane.
///
/// The accumulator starts at the type's most negative finite value (the original's `lowest`, except
/// that f16 uses -65504 rather than the original's +2^-14, spec §14.2). The result equals a
/// row-major scan of each window with a strict `>`, so NaNs are skipped and the first of equal
/// values wins (observable only for ±0), exactly as the original. It is computed separably: the
/// maximum of each row segment first (first column on ties), then the maximum over the window's
/// rows (first row on ties), which picks the same element and reuses row maxima between
/// overlapping windows; the row pass is a contiguous loop the compiler vectorises.
pub(crate) fn max_pool<T: Element>(src: &[T], dst: &mut [T], g: &PoolGeom) {
    if T::DTYPE == crate::DType::U8 {
        return max_pool_u8(bytemuck::cast_slice(src), bytemuck::cast_slice_mut(dst), g);
    }
    let (h, w, oh, ow) = (g.h, g.w, g.oh, g.ow);
    let spans = col_spans(g);
    let (kx, sx) = (g.kernel.x, g.stride.x);
    // Non-overlapping windows without horizontal padding: plain chunks of each row.
    let chunked = kx == sx && spans.iter().all(|s| !s.left_pad && !s.right_pad);
    let zero = T::zero();
    runtime::install(|| {
        dst.par_chunks_mut(oh * ow)
            .zip(src.par_chunks(h * w))
            .with_min_len(min_planes(h * w))
            .for_each_init(
                || vec![T::zero(); h * ow],
                |rowmax, (out, inp)| {
                    for (hrow, irow) in rowmax.chunks_exact_mut(ow).zip(inp.chunks_exact(w)) {
                        if chunked {
                            for (a, seg) in hrow.iter_mut().zip(irow.chunks_exact(kx)) {
                                let mut m = T::min_value();
                                seg.iter().for_each(|&x| take_max(&mut m, x));
                                *a = m;
                            }
                        } else {
                            for (a, s) in hrow.iter_mut().zip(&spans) {
                                let mut m = T::min_value();
                                if s.left_pad {
                                    take_max(&mut m, zero);
                                }
                                irow[s.c0..s.c1].iter().for_each(|&x| take_max(&mut m, x));
                                if s.right_pad {
                                    take_max(&mut m, zero);
                                }
                                *a = m;
                            }
                        }
                    }
                    for (i, orow) in out.chunks_exact_mut(ow).enumerate() {
                        let (r0, r1, top_pad, bottom_pad) =
                            clip(i * g.stride.y, g.kernel.y, g.pad.top, h);
                        // Rows in window order: padding above, data rows, padding below; a padded
                        // row is all zeros, so one zero stands for it.
                        orow.fill(T::min_value());
                        if top_pad {
                            orow.iter_mut().for_each(|a| take_max(a, zero));
                        }
                        for hrow in rowmax[r0 * ow..r1 * ow].chunks_exact(ow) {
                            for (a, &x) in orow.iter_mut().zip(hrow) {
                                take_max(a, x);
                            }
                        }
                        if bottom_pad {
                            orow.iter_mut().for_each(|a| take_max(a, zero));
                        }
                    }
                },
            );
    });
}

/// [`max_pool`] for u8 (rank spikes, spike counts): every value is `>= 0`, so zero padding never
/// changes a maximum and ties cannot be told apart. The window's data rows are combined first with
/// a contiguous element-wise max (vectorised), then each output takes the max of its data columns:
/// the same values as the row-major scan, with the per-element work on whole rows.
fn max_pool_u8(src: &[u8], dst: &mut [u8], g: &PoolGeom) {
    let (h, w, oh, ow) = (g.h, g.w, g.oh, g.ow);
    let spans = col_spans(g);
    // Output column j covers data columns 2j and 2j + 1 (no horizontal padding in any window).
    let pairs = spans
        .iter()
        .enumerate()
        .all(|(j, s)| s.c0 == 2 * j && s.c1 == 2 * j + 2 && !s.left_pad && !s.right_pad);
    runtime::install(|| {
        dst.par_chunks_mut(oh * ow)
            .zip(src.par_chunks(h * w))
            .with_min_len(min_planes(h * w))
            .for_each_init(
                || vec![0u8; w],
                |colmax, (out, inp)| {
                    for (i, orow) in out.chunks_exact_mut(ow).enumerate() {
                        let (r0, r1, _, _) = clip(i * g.stride.y, g.kernel.y, g.pad.top, h);
                        colmax.fill(0);
                        for row in inp[r0 * w..r1 * w].chunks_exact(w) {
                            for (a, &x) in colmax.iter_mut().zip(row) {
                                *a = (*a).max(x);
                            }
                        }
                        match pairs {
                            // 2-wide windows side by side: a contiguous loop the compiler
                            // vectorises.
                            true => {
                                for (o, p) in orow.iter_mut().zip(colmax.chunks_exact(2)) {
                                    *o = p[0].max(p[1]);
                                }
                            }
                            false => {
                                for (o, sp) in orow.iter_mut().zip(&spans) {
                                    *o = colmax[sp.c0..sp.c1].iter().copied().max().unwrap_or(0);
                                }
                            }
                        }
                    }
                },
            );
    });
}

/// Rate-guided pooling (no padding): for each `(b, c)` and window, the position of the highest
/// rate (first in row-major order on ties) is chosen once, then copied at every time step.
///
/// The search starts at the window's first position with the type's most negative finite value, so
/// a window whose rates are all at that value (or NaN) selects its own first position; the original
/// falls back to position 0 of the whole plane there (spec §14.3).
pub(crate) fn rate_pool<T: Element>(src: &[T], rates: &[T], dst: &mut [T], g: &PoolGeom) {
    let (h, w, oh, ow) = (g.h, g.w, g.oh, g.ow);
    let (ky, kx, sy, sx) = (g.kernel.y, g.kernel.x, g.stride.y, g.stride.x);
    let (t_len, c_len) = (g.time, g.channels);
    let cells = oh * ow;
    runtime::install(|| {
        // Selected flat position within the plane, per (b, c, i, j).
        let mut index = vec![0usize; g.batch * c_len * cells];
        index
            .par_chunks_mut(cells)
            .zip(rates.par_chunks(h * w))
            .with_min_len(min_planes(h * w))
            .for_each(|(idx, rate)| {
                for i in 0..oh {
                    for j in 0..ow {
                        let first = i * sy * w + j * sx;
                        let mut best = T::min_value();
                        let mut k = first;
                        for r in i * sy..i * sy + ky {
                            let row = &rate[r * w..(r + 1) * w];
                            for (col, &x) in row.iter().enumerate().skip(j * sx).take(kx) {
                                if x > best {
                                    best = x;
                                    k = r * w + col;
                                }
                            }
                        }
                        idx[i * ow + j] = k;
                    }
                }
            });
        dst.par_chunks_mut(cells)
            .zip(src.par_chunks(h * w))
            .enumerate()
            .with_min_len(min_planes(h * w))
            .for_each(|(plane, (out, inp))| {
                let (b, c) = (plane / (t_len * c_len), plane % c_len);
                let idx = &index[(b * c_len + c) * cells..][..cells];
                for (o, &k) in out.iter_mut().zip(idx) {
                    *o = inp[k];
                }
            });
    });
}
