//! CPU kernels of the fused rank-coded fast path: convolution + fire (+ pooling) computed from
//! first-spike times in one pass, instead of one convolution per time step.
//!
//! Rank-coded inputs are cumulative 0/1 trains with one spike per neuron, so a whole `[T, C, H, W]`
//! sample is described by one spike time per input (`T` = never). With non-negative weights the
//! potential of an output neuron only grows, and its first crossing can be found by scattering
//! each active input's weights into the bucket of its spike time and running a prefix sum over
//! time: about the work of one convolution instead of `T`.
//!
//! Exactness: the dense path (`conv` then `fire`) computes each potential as an f32 sum in a
//! documented order (`cpu::conv::SUM_BLOCK`: receptive-field order, block sums added). The fast
//! path sums the same terms in f32 in its own order and only trusts a decision when its potential
//! lies outside a rigorous bound of the difference of the two roundings (`2γ_m · S`, `m` = number
//! of non-zero terms, since products with 0 and 1 are exact; see [`decision_bounds`]). A neuron
//! inside the bound (a potential at or within rounding of the threshold) is decided by redoing
//! its dense sum alone ([`Field::exact`]).

use crate::cpu::conv::{self, Geometry};
use crate::Element;
use rayon::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Neurons decided by their exact f32 sum since start (diagnostics for benches and tests).
pub(crate) static EXACT_SUMS: AtomicUsize = AtomicUsize::new(0);

/// Spike times of cumulative 0/1 trains `spikes` `[B, T, N]` into `times` `[B, N]` (`T` = never).
/// Returns false (leaving `times` unspecified) when a value is not 0/1 or a train is not
/// cumulative (a 1 followed by a 0).
pub(crate) fn rank_times<I: Element>(
    spikes: &[I],
    batch: usize,
    time: usize,
    n: usize,
    times: &mut [u8],
) -> bool {
    debug_assert!(time <= 255);
    let (zero, one) = (I::zero(), I::one());
    let never = time as u8;
    let ok = crate::runtime::install(|| {
        times
            .par_chunks_mut(n.max(1))
            .enumerate()
            .map(|(b, tau)| {
                tau.fill(never);
                for t in 0..time {
                    let row = &spikes[(b * time + t) * n..(b * time + t + 1) * n];
                    for (s, x) in tau.iter_mut().zip(row) {
                        if *x == one {
                            if *s == never {
                                *s = t as u8;
                            }
                        } else if *x != zero || *s != never {
                            return false;
                        }
                    }
                }
                true
            })
            .all(|ok| ok)
    });
    ok && batch * n == times.len()
}

/// `out[b, t, j] = (times[b, j] <= t)` as 0/1 of type `O` (the inverse of [`rank_times`]).
pub(crate) fn times_to_spikes<O: Element>(times: &[u8], time: usize, n: usize, out: &mut [O]) {
    let (zero, one) = (O::zero(), O::one());
    crate::runtime::install(|| {
        out.par_chunks_mut((time * n).max(1))
            .zip(times.par_chunks(n.max(1)))
            .for_each(|(o, tau)| {
                for t in 0..time {
                    for (d, s) in o[t * n..(t + 1) * n].iter_mut().zip(tau) {
                        *d = if (*s as usize) <= t { one } else { zero };
                    }
                }
            });
    });
}

/// `a += w`, element-wise; split out so it can be compiled for AVX2 when the CPU has it.
#[inline(always)]
fn add_row_generic(a: &mut [f32], w: &[f32]) {
    for (a, w) in a.iter_mut().zip(w) {
        *a += *w;
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn add_row_avx2(a: &mut [f32], w: &[f32]) {
    add_row_generic(a, w)
}

#[inline(always)]
pub(super) fn add_row(avx2: bool, a: &mut [f32], w: &[f32]) {
    #[cfg(target_arch = "x86_64")]
    if avx2 {
        // SAFETY: only called with `avx2` true when the CPU reports AVX2.
        unsafe { add_row_avx2(a, w) };
        return;
    }
    let _ = avx2;
    add_row_generic(a, w)
}

/// Absolute bound per operation for subnormal f32 results.
const ABS: f64 = 1.401_298_464_324_817e-45;

/// First time step at which each output neuron of `g` (`frames` ignored) fires, for every sample:
/// `times` `[B, C, H, W]` spike times (`>= time` = never), `kernel` `[O, C, kh, kw]` non-negative
/// finite f32, `out` `[B, O, oh, ow]` (`time` = never). Identical to the first `t` with
/// `conv(spikes)[b, t, o, i, j] > thr` of the dense path.
pub(crate) fn conv_fire_times(
    times: &[u8],
    kernel: &[f32],
    g: &Geometry,
    time: usize,
    thr: f32,
    out: &mut [u8],
) {
    let prep = Prepared::new(kernel, g, time, thr);
    let frame_out = g.outputs * g.oh * g.ow;
    crate::runtime::install(|| {
        out.par_chunks_mut(frame_out)
            .enumerate()
            .for_each(|(b, dst)| {
                let mut search = prep.search(times, b);
                sample(&mut search, None, dst);
                EXACT_SUMS.fetch_add(search.exact, Ordering::Relaxed);
            });
    });
}

/// What every sample's search shares: the kernel in both layouts, the decision bounds of every
/// active-input count, and whether the CPU runs AVX2.
struct Prepared<'a> {
    kernel: &'a [f32],
    kt: Vec<f32>,
    g: &'a Geometry,
    time: usize,
    thr: f32,
    bounds: Vec<(f32, f32)>,
    avx2: bool,
}

impl<'a> Prepared<'a> {
    fn new(kernel: &'a [f32], g: &'a Geometry, time: usize, thr: f32) -> Prepared<'a> {
        let rf = g.channels * g.kh * g.kw;
        Prepared {
            kernel,
            kt: channel_last(kernel, g.outputs),
            g,
            time,
            thr,
            bounds: (0..=rf as u32).map(|m| decision_bounds(m, thr)).collect(),
            avx2: super::avx2_fma(),
        }
    }

    /// A search over sample `b` of `times` `[B, C, H, W]`.
    fn search(&'a self, times: &'a [u8], b: usize) -> Search<'a> {
        let frame_in = self.g.channels * self.g.height * self.g.width;
        let tin = &times[b * frame_in..(b + 1) * frame_in];
        Search::new(tin, self)
    }
}

/// The kernel `[O, rf]` channel-last (`[rf, O]`): one contiguous row of `O` weights per
/// receptive-field entry, as the bucketed potentials add them.
pub(crate) fn channel_last(kernel: &[f32], o: usize) -> Vec<f32> {
    let rf = kernel.len() / o.max(1);
    let mut kt = vec![0f32; rf * o];
    for (oo, row) in kernel.chunks_exact(rf.max(1)).enumerate() {
        for (r, w) in row.iter().enumerate() {
            kt[r * o + oo] = *w;
        }
    }
    kt
}

/// The inputs of one output pixel's receptive field that spike before `time`: bucketed by spike
/// time (for the fast potentials) and listed in receptive-field order with their times (for the
/// dense-order sums), both filled by one walk over the field.
pub(super) struct Field {
    /// `buckets[t]`: receptive-field indices of the inputs spiking at `t`, in field order.
    pub buckets: Vec<Vec<u32>>,
    /// `(r, t)` of every input spiking at some `t < time`, in receptive-field order.
    active: Vec<(u32, u8)>,
}

impl Field {
    pub(super) fn new(time: usize) -> Field {
        Field {
            buckets: vec![Vec::new(); time],
            active: Vec::new(),
        }
    }

    /// Refills the field for output pixel `pix`.
    pub(super) fn fill(&mut self, tin: &[u8], g: &Geometry, pix: (usize, usize)) {
        let time = self.buckets.len();
        for b in self.buckets.iter_mut() {
            b.clear();
        }
        self.active.clear();
        let (buckets, active) = (&mut self.buckets, &mut self.active);
        for_each_input(tin, g, pix, |r, t| {
            if t < time {
                buckets[t].push(r as u32);
                active.push((r as u32, t as u8));
            }
        });
    }

    /// The dense path's f32 potential after step `t < time` of the output whose kernel row is
    /// `row`: the weights of the inputs that fired by `t`, added in receptive-field order from
    /// +0.0, block sums of `conv::SUM_BLOCK` entries added in order. Inputs that never fire add
    /// +0.0 there, which leaves a non-negative sum unchanged, so only the active list is walked.
    pub(super) fn exact(&self, row: &[f32], t: usize) -> f32 {
        let t = t as u8;
        let (mut total, mut acc, mut block) = (0f32, 0f32, 0u32);
        for &(r, s) in &self.active {
            if s <= t {
                let b = r / conv::SUM_BLOCK as u32;
                if b != block {
                    total += acc;
                    acc = 0.0;
                    block = b;
                }
                acc += row[r as usize];
            }
        }
        total + acc
    }
}

/// Calls `f(r, t)` for every in-bounds input of the receptive field of output pixel `(i, j)`, in
/// receptive-field order `r = (c·kh + u)·kw + v`, with its spike time `t` (`>= time` = never).
#[inline(always)]
pub(super) fn for_each_input(
    tin: &[u8],
    g: &Geometry,
    (i, j): (usize, usize),
    mut f: impl FnMut(usize, usize),
) {
    // The kernel columns `v_lo..v_hi` fall inside the input for every row (x = x0 + v).
    let x0 = (j * g.sx) as isize - g.left as isize;
    let v_lo = (-x0).clamp(0, g.kw as isize) as usize;
    let v_hi = (g.width as isize - x0).clamp(v_lo as isize, g.kw as isize) as usize;
    if v_lo == v_hi {
        return;
    }
    let xs = (x0 + v_lo as isize) as usize;
    for c in 0..g.channels {
        for u in 0..g.kh {
            let y = (i * g.sy + u) as isize - g.top as isize;
            if y < 0 || y >= g.height as isize {
                continue;
            }
            let src = &tin[(c * g.height + y as usize) * g.width + xs..][..v_hi - v_lo];
            let base = (c * g.kh + u) * g.kw + v_lo;
            for (k, &t) in src.iter().enumerate() {
                f(base + k, t as usize);
            }
        }
    }
}

/// `(k, abs)` such that two f32 sums of the same `m` non-negative terms in any orders, `p` and
/// `d`, satisfy `|d − p| <= k·p + abs` (see [`decision_bounds`]).
pub(super) fn rounding_bound(m: usize) -> (f64, f64) {
    let mu = (m as f64 + 2.0) / 16_777_216.0;
    let gamma = mu / (1.0 - mu);
    (2.0 * gamma / (1.0 - gamma), 2.0 * (m as f64 + 2.0) * ABS)
}

/// `(lo, hi)` in f32 such that, for an f32 sum `p` (our order) of `m` non-negative terms, `p > hi`
/// proves the dense f32 sum of the same terms (its order) is above `thr`, and `p <= lo` proves it
/// is not. Both sums lie within `γ·S` of the exact sum `S` (`γ = m·u / (1 − m·u)`, `u = 2⁻²⁴`),
/// so the dense sum is within `2γ/(1 − γ)·p` of `p`; `m + 2` and the outward rounding of the
/// bounds to f32 leave slack, and `ABS` covers subnormal results.
pub(super) fn decision_bounds(m: u32, thr: f32) -> (f32, f32) {
    let (k, abs) = rounding_bound(m as usize);
    let thr = thr as f64;
    let hi = (thr + abs) / (1.0 - k);
    let lo = (thr - abs) / (1.0 + k);
    let mut hi32 = hi as f32;
    if (hi32 as f64) < hi {
        hi32 = hi32.next_up();
    }
    let mut lo32 = lo as f32;
    if (lo32 as f64) > lo {
        lo32 = lo32.next_down();
    }
    (lo32, hi32)
}

/// The first-crossing search of one sample's output pixels (per-thread state: the field, the
/// potentials and the list of neurons within rounding of the threshold).
struct Search<'a> {
    tin: &'a [u8],
    kt: &'a [f32],
    kernel: &'a [f32],
    g: &'a Geometry,
    thr: f32,
    bounds: &'a [(f32, f32)],
    avx2: bool,
    field: Field,
    pot: Vec<f32>,
    unsure: Vec<usize>,
    candidates: Vec<u32>,
    capped: Vec<u32>,
    fired_capped: Vec<u32>,
    /// Neurons decided by their exact f32 sum so far.
    exact: usize,
}

impl<'a> Search<'a> {
    fn new(tin: &'a [u8], p: &'a Prepared<'a>) -> Search<'a> {
        Search {
            tin,
            kt: &p.kt,
            kernel: p.kernel,
            g: p.g,
            thr: p.thr,
            bounds: &p.bounds,
            avx2: p.avx2,
            field: Field::new(p.time),
            pot: vec![0f32; p.g.outputs],
            unsure: Vec::new(),
            candidates: Vec::new(),
            capped: vec![0; p.time + 1],
            fired_capped: vec![0; p.time + 1],
            exact: 0,
        }
    }

    /// `res[o]`: the first step `t < cap[o]` at which channel `o` of output pixel `pix` fires,
    /// or `time` (never) when it does not fire before `cap[o]`. With every cap at `time` this is
    /// the plain first firing time; a smaller cap (the earliest time already found in a pooling
    /// window) lets the search skip channels, and stop at steps, that cannot lower the window's
    /// minimum.
    ///
    /// The active inputs of the receptive field are bucketed by spike time; the potentials of
    /// all channels grow bucket by bucket (one contiguous kernel row per input) and are tested
    /// after each step that added something, until no channel can fire before its cap.
    fn pixel(&mut self, pix: (usize, usize), cap: Option<&[u8]>, res: &mut [u8]) {
        let o = self.g.outputs;
        let rf = self.g.channels * self.g.kh * self.g.kw;
        let time = self.field.buckets.len();
        let never = time as u8;
        res.fill(never);
        // A channel that has fired, or whose cap has passed, gets the potential −∞ (adding finite
        // weights keeps it there), so one vector comparison per eight channels finds the few
        // channels to look at after a step. How many channels are still open is counted from
        // the caps: `capped[c]` channels have cap `c`, `fired_capped[c]` of them have fired.
        // Without caps (every cap `time`) that count needs no pass over the channels.
        self.capped[..=time].fill(0);
        self.fired_capped[..=time].fill(0);
        match cap {
            Some(cap) => cap.iter().for_each(|&c| self.capped[c as usize] += 1),
            None => self.capped[time] = o as u32,
        }
        let cap_of = |oo: usize| cap.map_or(never, |c| c[oo]);
        // A channel capped at 0 can never fire (firing needs `t < cap`): closed from the start.
        let (mut fired, mut closed, mut bound) = (0usize, self.capped[0] as usize, 0usize);
        if closed >= o {
            return;
        }
        self.field.fill(self.tin, self.g, pix);
        self.pot.fill(0.0);
        let mut m = 0;
        for (t, bucket) in self.field.buckets.iter().enumerate() {
            // Without new inputs the potentials, bounds and exact sums are unchanged.
            if bucket.is_empty() && t > 0 {
                continue;
            }
            for &r in bucket {
                let r = r as usize;
                add_row(self.avx2, &mut self.pot, &self.kt[r * o..(r + 1) * o]);
            }
            m += bucket.len();
            let (lo, hi) = self.bounds[m];
            let tt = t as u8;
            above(self.avx2, &self.pot, lo, &mut self.candidates);
            self.unsure.clear();
            for &oo in &self.candidates {
                let oo = oo as usize;
                if cap_of(oo) <= tt {
                    self.pot[oo] = f32::NEG_INFINITY;
                } else if self.pot[oo] > hi {
                    res[oo] = tt;
                    self.pot[oo] = f32::NEG_INFINITY;
                    self.fired_capped[cap_of(oo) as usize] += 1;
                    fired += 1;
                } else {
                    self.unsure.push(oo);
                }
            }
            for i in 0..self.unsure.len() {
                let oo = self.unsure[i];
                let row = &self.kernel[oo * rf..(oo + 1) * rf];
                if self.field.exact(row, t) > self.thr {
                    res[oo] = tt;
                    self.pot[oo] = f32::NEG_INFINITY;
                    self.fired_capped[cap_of(oo) as usize] += 1;
                    fired += 1;
                }
            }
            self.exact += self.unsure.len();
            // Channels with cap <= t + 1 cannot fire at a later step before their cap.
            while bound < (t + 1).min(time) {
                bound += 1;
                closed += (self.capped[bound] - self.fired_capped[bound]) as usize;
            }
            if fired + closed >= o {
                break;
            }
        }
    }
}

/// The indices of the entries of `pot` above `lo`, in increasing order, into `out`.
#[inline(always)]
fn above(avx2: bool, pot: &[f32], lo: f32, out: &mut Vec<u32>) {
    out.clear();
    let mut start = 0;
    #[cfg(target_arch = "x86_64")]
    if avx2 {
        // SAFETY: only called with `avx2` true when the CPU reports AVX2.
        start = unsafe { above_avx2(pot, lo, out) };
    }
    let _ = avx2;
    for (i, p) in pot.iter().enumerate().skip(start) {
        if *p > lo {
            out.push(i as u32);
        }
    }
}

/// [`above`] for the whole groups of eight; returns where the scalar tail starts.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn above_avx2(pot: &[f32], lo: f32, out: &mut Vec<u32>) -> usize {
    use std::arch::x86_64::*;
    let l = _mm256_set1_ps(lo);
    let groups = pot.len() / 8;
    for g in 0..groups {
        // SAFETY: g * 8 + 8 <= pot.len().
        let v = _mm256_loadu_ps(pot.as_ptr().add(g * 8));
        let mut mask = _mm256_movemask_ps(_mm256_cmp_ps::<_CMP_GT_OQ>(v, l)) as u32;
        while mask != 0 {
            out.push((g * 8) as u32 + mask.trailing_zeros());
            mask &= mask - 1;
        }
    }
    groups * 8
}

/// The first firing times of one sample's output pixels into `dst` `[O, oh, ow]`, uncapped: all
/// pixels, or only those in rows and columns marked by `need` (the others are left as they are).
fn sample(search: &mut Search, need: Option<(&[bool], &[bool])>, dst: &mut [u8]) {
    let g = search.g;
    let plane = g.oh * g.ow;
    let mut res = vec![0u8; g.outputs];
    let wanted = |i: usize, j: usize| need.is_none_or(|(r, c)| r[i] && c[j]);
    for i in 0..g.oh {
        for j in (0..g.ow).filter(|&j| wanted(i, j)) {
            search.pixel((i, j), None, &mut res);
            let pix = i * g.ow + j;
            for (oo, r) in res.iter().enumerate() {
                dst[oo * plane + pix] = *r;
            }
        }
    }
}

/// Geometry of the rank pooling that follows a convolution in [`conv_fire_pool_times`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct PoolGeometry {
    pub kernel: (usize, usize),
    pub stride: (usize, usize),
    /// Top and left padding (padding never fires).
    pub pad: (usize, usize),
    /// Pooled output size.
    pub out: (usize, usize),
}

impl PoolGeometry {
    /// The in-bounds rows (or columns) `lo..hi` of window `i` along one axis of length `n`.
    fn span(i: usize, kernel: usize, stride: usize, pad: usize, n: usize) -> (usize, usize) {
        let start = (i * stride) as isize - pad as isize;
        let lo = start.clamp(0, n as isize) as usize;
        let hi = (start + kernel as isize).clamp(lo as isize, n as isize) as usize;
        (lo, hi)
    }
}

/// `pool_times(conv_fire_times(times, kernel, g, thr), pool)` without the convolution outputs
/// that no pooling window reads, and with each window's search capped by the earliest time
/// already found in it when windows do not overlap. Identical to the composition.
/// `out` `[B, O, ph, pw]`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn conv_fire_pool_times(
    times: &[u8],
    kernel: &[f32],
    g: &Geometry,
    time: usize,
    thr: f32,
    pool: &PoolGeometry,
    out: &mut [u8],
) {
    let o = g.outputs;
    let prep = Prepared::new(kernel, g, time, thr);
    let (ph, pw) = pool.out;
    let disjoint = pool.stride.0 >= pool.kernel.0 && pool.stride.1 >= pool.kernel.1;
    let never = time as u8;
    let rows = |i| PoolGeometry::span(i, pool.kernel.0, pool.stride.0, pool.pad.0, g.oh);
    let cols = |j| PoolGeometry::span(j, pool.kernel.1, pool.stride.1, pool.pad.1, g.ow);
    // The convolution rows and columns some window reads.
    let (mut need_r, mut need_c) = (vec![false; g.oh], vec![false; g.ow]);
    (0..ph).for_each(|pi| {
        let (y0, y1) = rows(pi);
        need_r[y0..y1].fill(true)
    });
    (0..pw).for_each(|pj| {
        let (x0, x1) = cols(pj);
        need_c[x0..x1].fill(true)
    });
    crate::runtime::install(|| {
        out.par_chunks_mut((o * ph * pw).max(1))
            .enumerate()
            .for_each(|(b, dst)| {
                let mut search = prep.search(times, b);
                if disjoint {
                    // Each convolution output lies in at most one window: search it with the
                    // window's minimum so far as the cap.
                    let mut res = vec![0u8; o];
                    let mut best = vec![never; o];
                    for pi in 0..ph {
                        for pj in 0..pw {
                            best.fill(never);
                            let ((y0, y1), (x0, x1)) = (rows(pi), cols(pj));
                            for i in y0..y1 {
                                for j in x0..x1 {
                                    search.pixel((i, j), Some(&best), &mut res);
                                    best.iter_mut()
                                        .zip(&res)
                                        .for_each(|(b, r)| *b = (*b).min(*r));
                                }
                            }
                            for (oo, v) in best.iter().enumerate() {
                                dst[(oo * ph + pi) * pw + pj] = *v;
                            }
                        }
                    }
                } else {
                    // Overlapping windows: every output some window reads, uncapped, then the
                    // window minima.
                    let plane = g.oh * g.ow;
                    let mut full = vec![never; o * plane];
                    sample(&mut search, Some((&need_r, &need_c)), &mut full);
                    for (src, d) in full.chunks_exact(plane).zip(dst.chunks_exact_mut(ph * pw)) {
                        pool_plane(src, (g.oh, g.ow), pool, never, d);
                    }
                }
                EXACT_SUMS.fetch_add(search.exact, Ordering::Relaxed);
            });
    });
}

/// The earliest time of each window of one `[h, w]` plane (padding never fires).
fn pool_plane(src: &[u8], (h, w): (usize, usize), pool: &PoolGeometry, never: u8, dst: &mut [u8]) {
    let (oh, ow) = pool.out;
    for i in 0..oh {
        let (y0, y1) = PoolGeometry::span(i, pool.kernel.0, pool.stride.0, pool.pad.0, h);
        for j in 0..ow {
            let (x0, x1) = PoolGeometry::span(j, pool.kernel.1, pool.stride.1, pool.pad.1, w);
            let mut best = never;
            for y in y0..y1 {
                for &v in &src[y * w + x0..y * w + x1] {
                    best = best.min(v);
                }
            }
            dst[i * ow + j] = best;
        }
    }
}

/// Rank pooling on spike times: `out[n, i, j]` = earliest time in the window (padding never
/// fires), which is what max pooling does to cumulative spike trains. `times` `[N, H, W]`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn pool_times(
    times: &[u8],
    h: usize,
    w: usize,
    kernel: (usize, usize),
    stride: (usize, usize),
    pad: (usize, usize),
    out_size: (usize, usize),
    time: usize,
    out: &mut [u8],
) {
    let pool = PoolGeometry {
        kernel,
        stride,
        pad,
        out: out_size,
    };
    crate::runtime::install(|| {
        out.par_chunks_mut((out_size.0 * out_size.1).max(1))
            .zip(times.par_chunks((h * w).max(1)))
            .for_each(|(dst, src)| pool_plane(src, (h, w), &pool, time as u8, dst));
    });
}

/// First time step with `pot[b, t, n] > thr` (`time` if none) for dense potentials
/// `[B, T, N]` (the fallback of the times API for kernels the fast kernel does not take).
pub(crate) fn first_crossing<T: Element>(pot: &[T], thr: T, time: usize, n: usize, out: &mut [u8]) {
    crate::runtime::install(|| {
        out.par_chunks_mut(n.max(1))
            .enumerate()
            .for_each(|(b, dst)| {
                dst.fill(time as u8);
                for t in (0..time).rev() {
                    let row = &pot[(b * time + t) * n..(b * time + t + 1) * n];
                    for (d, p) in dst.iter_mut().zip(row) {
                        if *p > thr {
                            *d = t as u8;
                        }
                    }
                }
            });
    });
}

#[cfg(test)]
mod tests {
    use super::decision_bounds;

    /// The bounds are sound: for sums of the same non-negative f32 terms in two orders (forward,
    /// backward, and largest-first), `p > hi` implies the other sum is above the threshold and
    /// `p <= lo` implies it is not, for thresholds at, just around and far from the sums.
    #[test]
    fn decision_bounds_are_sound_for_any_summation_order() {
        let mut next = crate::cpu::xorshift(0x9e37_79b9_7f4a_7c15);
        let sum = |v: &[f32]| v.iter().fold(0f32, |a, b| a + b);
        let mut decided = 0;
        for case in 0..3000 {
            let m = 1 + (next() % 400) as usize;
            let scale = [1.0, 1e-3, 1e-38, 3.0][case % 4];
            let mut v: Vec<f32> = (0..m)
                .map(|_| (next() >> 40) as f32 / (1u64 << 24) as f32 * scale)
                .collect();
            if case % 5 == 0 {
                v[0] = 1.0; // one large term among small ones: order matters most
            }
            let p = sum(&v);
            let mut orders = vec![v.iter().rev().copied().collect::<Vec<_>>()];
            let mut sorted = v.clone();
            sorted.sort_by(|a, b| b.total_cmp(a));
            orders.push(sorted);
            for d in orders.iter().map(|o| sum(o)) {
                for thr in [d, d.next_up(), d.next_down(), p, p * 0.999, p * 1.001, 0.0] {
                    let (lo, hi) = decision_bounds(m as u32, thr);
                    assert!(lo <= hi, "lo {lo} > hi {hi}");
                    if p > hi {
                        assert!(d > thr, "p {p} > hi {hi} but dense {d} <= thr {thr}");
                        decided += 1;
                    } else if p <= lo {
                        assert!(d <= thr, "p {p} <= lo {lo} but dense {d} > thr {thr}");
                        decided += 1;
                    }
                }
            }
        }
        // Far thresholds are decided by the bounds alone, so most cases must be.
        assert!(decided > 10_000, "only {decided} decisions");
    }
}
