//! CPU kernels of the `conv` family: 2-D cross-correlation of every frame (`[C,H,W]` slice) of a
//! `[B·T, C, H, W]` input with a `[O, C, kh, kw]` kernel, by im2col and one GEMM per frame.
//!
//! Frames are independent, so they are spread over the library's threads; each frame's GEMM runs
//! single-threaded with fixed shapes, which makes every output bit independent of the thread count.

use crate::{f16, Element};
use rayon::prelude::*;
use std::borrow::Cow;

/// The accumulation types: the GEMM runs in f32 for f16/f32 kernels and in f64 for f64 kernels
/// (f16 is widened because the original has no f16 path and f16 sums lose too much precision).
pub(crate) trait Acc: Element {
    /// `self * a + b` with a single rounding (a fused multiply-add, as the GEMM microkernels use).
    fn fma(self, a: Self, b: Self) -> Self;
    /// `self + a`.
    fn add(self, a: Self) -> Self;
    /// `dst[m×n] = lhs[m×k] · rhs[k×n]` with explicit row/column strides (in elements), single
    /// threaded. `dst` is overwritten; it must not alias `lhs` or `rhs`.
    ///
    /// # Safety
    /// Every pointer must be valid for the elements the strides and extents address.
    #[allow(clippy::too_many_arguments)]
    unsafe fn gemm(
        m: usize,
        n: usize,
        k: usize,
        read_dst: bool,
        dst: *mut Self,
        dst_rs: isize,
        dst_cs: isize,
        lhs: *const Self,
        lhs_rs: isize,
        lhs_cs: isize,
        rhs: *const Self,
        rhs_rs: isize,
        rhs_cs: isize,
    );
}

macro_rules! impl_acc {
    ($t:ty) => {
        impl Acc for $t {
            #[inline(always)]
            fn fma(self, a: Self, b: Self) -> Self {
                self.mul_add(a, b)
            }
            #[inline(always)]
            fn add(self, a: Self) -> Self {
                self + a
            }
            #[inline]
            unsafe fn gemm(
                m: usize,
                n: usize,
                k: usize,
                read_dst: bool,
                dst: *mut Self,
                dst_rs: isize,
                dst_cs: isize,
                lhs: *const Self,
                lhs_rs: isize,
                lhs_cs: isize,
                rhs: *const Self,
                rhs_rs: isize,
                rhs_cs: isize,
            ) {
                // SAFETY: forwarded from the caller. The accumulators start at +0.0, so an
                // all-zero sum is +0.0 like the original's (never -0.0); with `read_dst` the
                // block's sum is then added to `dst` (alpha = beta = 1: one rounding).
                unsafe {
                    gemm::gemm(
                        m,
                        n,
                        k,
                        dst,
                        dst_cs,
                        dst_rs,
                        read_dst,
                        lhs,
                        lhs_cs,
                        lhs_rs,
                        rhs,
                        rhs_cs,
                        rhs_rs,
                        1.0,
                        1.0,
                        false,
                        false,
                        false,
                        gemm::Parallelism::None,
                    )
                }
            }
        }
    };
}
impl_acc!(f32);
impl_acc!(f64);

/// Maps a kernel element type to its accumulation type.
pub(crate) trait Kernel: Element {
    type Acc: Acc;
}
impl Kernel for f16 {
    type Acc = f32;
}
impl Kernel for f32 {
    type Acc = f32;
}
impl Kernel for f64 {
    type Acc = f64;
}

/// Converts a value to the kernel dtype first and then to the accumulation type, so the result is
/// what the original computes after converting the input tensor to the kernel dtype.
#[inline(always)]
pub(crate) fn to_acc<I: Element, T: Kernel>(x: I) -> T::Acc {
    x.cast::<T>().cast::<T::Acc>()
}

/// `out` viewed as the accumulation type when the two types coincide (so the GEMM can write the
/// output in place instead of through a scratch buffer).
pub(crate) fn as_acc_mut<T: Kernel>(out: &mut [T]) -> Option<&mut [T::Acc]> {
    if T::DTYPE == <T::Acc as Element>::DTYPE {
        bytemuck::try_cast_slice_mut(out).ok()
    } else {
        None
    }
}

/// `kernel` viewed as the accumulation type when the two types coincide (no converted copy).
fn as_acc<T: Kernel>(kernel: &[T]) -> Option<&[T::Acc]> {
    if T::DTYPE == <T::Acc as Element>::DTYPE {
        bytemuck::try_cast_slice(kernel).ok()
    } else {
        None
    }
}

/// The geometry of one convolution call (all validated by the caller).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Geometry {
    /// Number of frames (`B·T`).
    pub frames: usize,
    pub channels: usize,
    pub height: usize,
    pub width: usize,
    pub outputs: usize,
    pub kh: usize,
    pub kw: usize,
    pub sy: usize,
    pub sx: usize,
    pub top: usize,
    pub left: usize,
    pub oh: usize,
    pub ow: usize,
}

impl Geometry {
    fn patch(&self) -> usize {
        self.channels * self.kh * self.kw
    }
    fn pixels(&self) -> usize {
        self.oh * self.ow
    }
}

/// Fills `col` (`[C·kh·kw, oh·ow]`, row-major) with the zero-padded patches of one frame
/// `[C, H, W]`, converting each element as the original's input conversion does.
fn im2col<I: Element, T: Kernel>(frame: &[I], g: &Geometry, col: &mut [T::Acc]) {
    let zero = <T::Acc as Element>::zero();
    let p = g.pixels();
    let mut row = 0;
    for c in 0..g.channels {
        let plane = &frame[c * g.height * g.width..(c + 1) * g.height * g.width];
        for u in 0..g.kh {
            for v in 0..g.kw {
                let dst = &mut col[row * p..(row + 1) * p];
                row += 1;
                // Output columns j whose input column j*sx + v - left lies inside [0, W).
                let j_lo = g.left.saturating_sub(v).div_ceil(g.sx).min(g.ow);
                let j_hi = if g.width + g.left > v {
                    ((g.width + g.left - v - 1) / g.sx + 1).min(g.ow)
                } else {
                    0
                }
                .max(j_lo);
                for i in 0..g.oh {
                    let d = &mut dst[i * g.ow..(i + 1) * g.ow];
                    let y = (i * g.sy + u) as isize - g.top as isize;
                    if y < 0 || y >= g.height as isize {
                        d.fill(zero);
                        continue;
                    }
                    let src = &plane[y as usize * g.width..(y as usize + 1) * g.width];
                    d[..j_lo].fill(zero);
                    d[j_hi..].fill(zero);
                    if j_lo == j_hi {
                        continue;
                    }
                    let x0 = j_lo * g.sx + v - g.left;
                    if g.sx == 1 {
                        let n = j_hi - j_lo;
                        for (d, s) in d[j_lo..j_hi].iter_mut().zip(&src[x0..x0 + n]) {
                            *d = to_acc::<I, T>(*s);
                        }
                    } else {
                        for (k, d) in d[j_lo..j_hi].iter_mut().enumerate() {
                            *d = to_acc::<I, T>(src[x0 + k * g.sx]);
                        }
                    }
                }
            }
        }
    }
}

/// `out[n,o,i,j] = Σ_c Σ_u Σ_v in_padded[n, c, i·sy+u, j·sx+v] · K[o,c,u,v]` for every frame `n`.
///
/// `input` is `[frames, C, H, W]`, `kernel` `[O, C, kh, kw]`, `out` `[frames, O, oh, ow]`.
pub(crate) fn conv<I: Element, T: Kernel>(input: &[I], kernel: &[T], out: &mut [T], g: &Geometry) {
    let (k, p, o) = (g.patch(), g.pixels(), g.outputs);
    let frame_in = g.channels * g.height * g.width;
    let frame_out = o * p;
    debug_assert_eq!(input.len(), g.frames * frame_in);
    debug_assert_eq!(kernel.len(), o * k);
    debug_assert_eq!(out.len(), g.frames * frame_out);
    let weights: Cow<[T::Acc]> = match as_acc::<T>(kernel) {
        Some(w) => Cow::Borrowed(w),
        None => Cow::Owned(kernel.iter().map(|w| w.cast::<T::Acc>()).collect()),
    };
    let direct = as_acc_mut::<T>(out).is_some();
    // Skipping zero inputs is exact only when no weight is infinite or NaN (0 · inf = NaN).
    let finite = weights.iter().all(|w| w.to_f64().is_finite());
    // The transposed kernel serves the sparse path and, with one output pixel per frame, the
    // GEMM path's products along `[k × o]`; built once (for a large kernel and few frames it
    // costs as much as the convolution).
    let transposed = (finite || (p == 1 && o > 1)).then(|| SparseKernel::new(&weights, o, k));
    let wt = transposed
        .as_ref()
        .filter(|_| p == 1 && o > 1)
        .map(|t| (t.wt.as_slice(), t.padded));
    let sparse = transposed.as_ref().filter(|_| finite);

    let run = |col: &mut Vec<T::Acc>,
               scratch: &mut Vec<T::Acc>,
               sp: &mut Spikes<T::Acc>,
               n: usize,
               dst: &mut [T]| {
        let frame = &input[n * frame_in..(n + 1) * frame_in];
        let target: &mut [T::Acc] = match as_acc_mut::<T>(dst) {
            Some(d) => d,
            None => scratch.as_mut_slice(),
        };
        let use_sparse = sparse.is_some() && {
            sp.collect::<I, T>(frame, g);
            takes_sparse_path(sp.nz.len(), frame_in)
        };
        match sparse {
            Some(sk) if use_sparse => sk.frame(sp, g, target),
            _ => {
                im2col::<I, T>(frame, g, col);
                gemm_blocked(o, p, k, &weights, wt, finite, col, target);
            }
        }
        if !direct {
            for (d, s) in dst.iter_mut().zip(scratch.iter()) {
                *d = s.cast::<T>();
            }
        }
    };

    let zero = <T::Acc as Element>::zero();
    let scratch_len = if direct { 0 } else { frame_out };
    crate::runtime::install(|| {
        out.par_chunks_mut(frame_out).enumerate().for_each_init(
            || {
                (
                    vec![zero; k * p],
                    vec![zero; scratch_len],
                    Spikes::default(),
                )
            },
            |(col, scratch, sp), (n, dst)| run(col, scratch, sp, n, dst),
        );
    });
}

/// Longest run of the receptive field summed in one sequence; longer patches are summed block by
/// block and the block sums added in order. Every path (GEMM, sparse kernel, the fused fast path's
/// single-neuron sums) follows this order, so the dense potential of any neuron can be redone
/// alone. 512 is what the `gemm` crate (0.18) sums in one block on every machine: it splits `k`
/// only beyond `max(512, its L1-derived block)` (tested below).
pub(crate) const SUM_BLOCK: usize = 512;

/// `dst [o × p] = w [o × k] · col [k × p]` (row-major) in the blocked order of [`SUM_BLOCK`]:
/// each output is `((s₀ + s₁) + s₂) + …` with `s_b` the sequential FMA sum of block `b` from +0.0.
/// `wt` is `w` transposed (`[k × o]`, rows `stride` apart), given when `p == 1`; `finite`: every
/// weight is finite, so
/// zero inputs may be skipped (they would add ±0.0 to a sum that is never -0.0).
#[allow(clippy::too_many_arguments)]
fn gemm_blocked<A: Acc>(
    o: usize,
    p: usize,
    k: usize,
    w: &[A],
    wt: Option<(&[A], usize)>,
    finite: bool,
    col: &[A],
    dst: &mut [A],
) {
    assert!(w.len() >= o * k && col.len() >= k * p && dst.len() >= o * p);
    // The `gemm` crate's matrix-vector kernels split sums across vector lanes: these shapes run
    // as vector updates over the outputs instead, each output keeping its own sequential sum.
    if o == 1 {
        blocked_axpy(k, |kk| w[kk], (col, p), finite, &mut dst[..p]);
        return;
    }
    if p == 1 {
        let wt = wt.expect("transposed kernel for one output pixel");
        // x = 0 skips only a zero input (the weight row may hold non-finite values otherwise).
        blocked_axpy(k, |kk| col[kk], wt, finite, &mut dst[..o]);
        return;
    }
    for (b, k0) in (0..k).step_by(SUM_BLOCK).enumerate() {
        let kb = SUM_BLOCK.min(k - k0);
        // SAFETY: the block of w is [o × kb] with row stride k, the block of col [kb × p] with
        // row stride p, dst [o × p]; all in bounds (asserted above).
        unsafe {
            A::gemm(
                o,
                p,
                kb,
                b > 0,
                dst.as_mut_ptr(),
                p as isize,
                1,
                w[k0..].as_ptr(),
                k as isize,
                1,
                col[k0 * p..].as_ptr(),
                p as isize,
                1,
            );
        }
    }
}

/// `dst[j] = Σ_kk a(kk) · rows[kk·stride + j]` for `j < n = dst.len()`, in the blocked order of
/// [`SUM_BLOCK`] (vectorised over `j`); terms with `a(kk) = 0` are skipped when `skip_zero`.
fn blocked_axpy<A: Acc>(
    k: usize,
    a: impl Fn(usize) -> A,
    (rows, stride): (&[A], usize),
    skip_zero: bool,
    dst: &mut [A],
) {
    let simd = super::avx2_fma();
    let n = dst.len();
    let mut acc = vec![A::zero(); n];
    for (b, k0) in (0..k).step_by(SUM_BLOCK).enumerate() {
        acc.fill(A::zero());
        for kk in k0..(k0 + SUM_BLOCK).min(k) {
            let x = a(kk);
            if skip_zero && x == A::zero() {
                continue;
            }
            axpy(simd, &mut acc, &rows[kk * stride..kk * stride + n], x);
        }
        if b == 0 {
            dst.copy_from_slice(&acc);
        } else {
            for (d, s) in dst.iter_mut().zip(&acc) {
                *d = d.add(*s);
            }
        }
    }
}

/// Frames with at most `1 / SPARSE_DENSITY_DIV` non-zero inputs (spike trains) take the sparse
/// path: the work is proportional to the spikes instead of the whole input.
const SPARSE_DENSITY_DIV: usize = 3;

/// Whether a frame of `len` inputs, `nonzero` of them non-zero, takes the sparse path (given a
/// finite kernel).
fn takes_sparse_path(nonzero: usize, len: usize) -> bool {
    nonzero * SPARSE_DENSITY_DIV <= len
}

/// Output channels accumulated together by the sparse path (kept in registers).
const CHUNK: usize = 32;

/// The kernel transposed to `[K, O']` (O' = O rounded up to [`CHUNK`], zero padded) for the
/// sparse path.
///
/// For every output pixel the sparse path adds `w[o, k] · x[k]` over the non-zero inputs `x[k]`
/// of its patch in increasing `k`, starting from +0.0, with a fused multiply-add (a plain add when
/// `x[k] = 1`, which rounds identically), block by block ([`SUM_BLOCK`]). The GEMM path computes
/// the same sequence of roundings ([`gemm_blocked`]), and a skipped zero input would have added
/// ±0.0 to a sum that is never -0.0 (so is a skipped all-zero block); so both paths give the same
/// bits.
struct SparseKernel<A> {
    wt: Vec<A>,
    outputs: usize,
    padded: usize,
}

impl<A: Acc> SparseKernel<A> {
    fn new(weights: &[A], outputs: usize, patch: usize) -> Self {
        let padded = outputs.div_ceil(CHUNK) * CHUNK;
        let mut wt = vec![A::zero(); patch * padded];
        // In tiles, so that neither the reads nor the strided writes leave the cache.
        const TILE: usize = 64;
        for o0 in (0..outputs).step_by(CHUNK) {
            for k0 in (0..patch).step_by(TILE) {
                for o in o0..(o0 + CHUNK).min(outputs) {
                    let row = &weights[o * patch..(o + 1) * patch];
                    for k in k0..(k0 + TILE).min(patch) {
                        wt[k * padded + o] = row[k];
                    }
                }
            }
        }
        SparseKernel {
            wt,
            outputs,
            padded,
        }
    }

    /// One frame (its non-zero inputs in `sp`) into `dst` (`[O, oh·ow]`).
    fn frame(&self, sp: &mut Spikes<A>, g: &Geometry, dst: &mut [A]) {
        let p_total = g.pixels();
        let simd = super::avx2_fma();
        let Spikes {
            rows,
            nz,
            list,
            binary,
            cursor,
            pix,
            bits,
        } = sp;
        pix.resize(p_total * self.padded, A::zero());
        cursor.resize(g.channels * g.kh, 0);
        // Spike frames with windows up to 64 wide: each input row as a bit set in padded
        // coordinates, so a window's spikes are one shifted word (`RowBits::window`).
        let row_bits = RowBits::new(g).filter(|_| *binary);
        if let Some(rb) = row_bits {
            rb.fill(bits, rows, nz, g);
        }
        for i in 0..g.oh {
            if let Some(rb) = row_bits {
                for j in 0..g.ow {
                    list.clear();
                    for c in 0..g.channels {
                        for u in 0..g.kh {
                            let Some(y) =
                                (i * g.sy + u).checked_sub(g.top).filter(|&y| y < g.height)
                            else {
                                continue;
                            };
                            let mut m = rb.window(bits, c * g.height + y, j * g.sx, g.kw);
                            let base = (c * g.kh + u) * g.kw;
                            while m != 0 {
                                list.push((base + m.trailing_zeros() as usize, A::one()));
                                m &= m - 1;
                            }
                        }
                    }
                    let p = i * g.ow + j;
                    let dst = &mut pix[p * self.padded..(p + 1) * self.padded];
                    accumulate(simd, &self.wt, self.padded, list, true, dst);
                }
                continue;
            }
            // cursor[c·kh + u]: first non-zero of the input row under kernel row u not yet left
            // behind by the window (x0 only grows with j).
            for c in 0..g.channels {
                for u in 0..g.kh {
                    let y = (i * g.sy + u) as isize - g.top as isize;
                    cursor[c * g.kh + u] = if y < 0 || y >= g.height as isize {
                        usize::MAX
                    } else {
                        rows[c * g.height + y as usize]
                    };
                }
            }
            for j in 0..g.ow {
                list.clear();
                // Patch column v of input column x: v = x - x0.
                let x0 = (j * g.sx) as isize - g.left as isize;
                for c in 0..g.channels {
                    for u in 0..g.kh {
                        let cu = c * g.kh + u;
                        let mut at = cursor[cu];
                        if at == usize::MAX {
                            continue;
                        }
                        let y = i * g.sy + u - g.top;
                        let end = rows[c * g.height + y + 1];
                        while at < end && (nz[at].0 as isize) < x0 {
                            at += 1;
                        }
                        cursor[cu] = at;
                        let base = cu * g.kw;
                        for &(x, val) in &nz[at..end] {
                            let v = x as isize - x0;
                            if v >= g.kw as isize {
                                break;
                            }
                            list.push((base + v as usize, val));
                        }
                    }
                }
                let p = i * g.ow + j;
                accumulate(
                    simd,
                    &self.wt,
                    self.padded,
                    list,
                    *binary,
                    &mut pix[p * self.padded..(p + 1) * self.padded],
                );
            }
        }
        // Pixel-major [P, O'] to channel-major [O, P], in tiles that stay in the L1 cache.
        #[cfg(target_arch = "x86_64")]
        if simd && A::DTYPE == crate::DType::F32 {
            if let (Ok(pix), Ok(dst)) = (
                bytemuck::try_cast_slice::<A, f32>(pix),
                bytemuck::try_cast_slice_mut::<A, f32>(dst),
            ) {
                // SAFETY: the CPU reports AVX2; the sizes are those asserted inside.
                unsafe { transpose_f32_avx2(pix, self.padded, self.outputs, p_total, dst) };
                return;
            }
        }
        const TILE: usize = 16;
        for p0 in (0..p_total).step_by(TILE) {
            let p1 = (p0 + TILE).min(p_total);
            for o in 0..self.outputs {
                let d = &mut dst[o * p_total + p0..o * p_total + p1];
                for (q, d) in d.iter_mut().enumerate() {
                    *d = pix[(p0 + q) * self.padded + o];
                }
            }
        }
    }
}

/// `dst[o·p + q] = pix[q·padded + o]` for `o < outputs`, `q < p` (`pix` `[p, padded]`): 8 × 8
/// blocks through registers, the ragged edges element by element.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn transpose_f32_avx2(
    pix: &[f32],
    padded: usize,
    outputs: usize,
    p: usize,
    dst: &mut [f32],
) {
    use std::arch::x86_64::*;
    assert!(pix.len() >= p * padded && dst.len() >= outputs * p && outputs <= padded);
    let (p8, o8) = (p / 8 * 8, outputs / 8 * 8);
    for q0 in (0..p8).step_by(8) {
        for o0 in (0..o8).step_by(8) {
            // SAFETY (loads and stores): q0 + 8 <= p, o0 + 8 <= outputs <= padded (asserted).
            let r: [__m256; 8] =
                std::array::from_fn(|i| _mm256_loadu_ps(pix.as_ptr().add((q0 + i) * padded + o0)));
            let t0 = _mm256_unpacklo_ps(r[0], r[1]);
            let t1 = _mm256_unpackhi_ps(r[0], r[1]);
            let t2 = _mm256_unpacklo_ps(r[2], r[3]);
            let t3 = _mm256_unpackhi_ps(r[2], r[3]);
            let t4 = _mm256_unpacklo_ps(r[4], r[5]);
            let t5 = _mm256_unpackhi_ps(r[4], r[5]);
            let t6 = _mm256_unpacklo_ps(r[6], r[7]);
            let t7 = _mm256_unpackhi_ps(r[6], r[7]);
            let u0 = _mm256_shuffle_ps::<0x44>(t0, t2);
            let u1 = _mm256_shuffle_ps::<0xEE>(t0, t2);
            let u2 = _mm256_shuffle_ps::<0x44>(t1, t3);
            let u3 = _mm256_shuffle_ps::<0xEE>(t1, t3);
            let u4 = _mm256_shuffle_ps::<0x44>(t4, t6);
            let u5 = _mm256_shuffle_ps::<0xEE>(t4, t6);
            let u6 = _mm256_shuffle_ps::<0x44>(t5, t7);
            let u7 = _mm256_shuffle_ps::<0xEE>(t5, t7);
            let c = [
                _mm256_permute2f128_ps::<0x20>(u0, u4),
                _mm256_permute2f128_ps::<0x20>(u1, u5),
                _mm256_permute2f128_ps::<0x20>(u2, u6),
                _mm256_permute2f128_ps::<0x20>(u3, u7),
                _mm256_permute2f128_ps::<0x31>(u0, u4),
                _mm256_permute2f128_ps::<0x31>(u1, u5),
                _mm256_permute2f128_ps::<0x31>(u2, u6),
                _mm256_permute2f128_ps::<0x31>(u3, u7),
            ];
            for (i, c) in c.iter().enumerate() {
                _mm256_storeu_ps(dst.as_mut_ptr().add((o0 + i) * p + q0), *c);
            }
        }
    }
    for o in 0..outputs {
        let rows = if o < o8 { p8..p } else { 0..p };
        for q in rows {
            dst[o * p + q] = pix[q * padded + o];
        }
    }
}

/// The non-zero inputs of one frame, row by row, and a per-pixel work list (reused buffers).
struct Spikes<A> {
    /// `nz[rows[c·H + y] .. rows[c·H + y + 1]]` are the `(x, value)` of row `y` of channel `c`.
    rows: Vec<usize>,
    nz: Vec<(usize, A)>,
    /// `(patch index k, value)` of one output pixel, in increasing `k`.
    list: Vec<(usize, A)>,
    /// Every non-zero value is 1 (spikes): plain adds instead of FMAs (same rounding).
    binary: bool,
    /// Per kernel row, the scan position in `nz` (see `SparseKernel::frame`).
    cursor: Vec<usize>,
    /// Pixel-major sums `[P, O']` before the transpose into the output.
    pix: Vec<A>,
    /// Row bit sets of a spike frame ([`RowBits`]).
    bits: Vec<u64>,
}

/// The layout of a spike frame's rows as bit sets: bit `x + left` of row `c·H + y` is set when
/// input `(c, y, x)` spikes, so output column `j`'s window starts at bit `j·sx`.
#[derive(Clone, Copy)]
struct RowBits {
    /// Words per row: room for every window's start word and the word after it.
    words: usize,
}

impl RowBits {
    /// The layout for windows up to 64 wide (`None` beyond).
    fn new(g: &Geometry) -> Option<RowBits> {
        (g.kw <= 64 && g.ow > 0).then(|| RowBits {
            words: ((g.ow - 1) * g.sx / 64 + 2).max((g.left + g.width).div_ceil(64)),
        })
    }

    fn fill<A>(&self, bits: &mut Vec<u64>, rows: &[usize], nz: &[(usize, A)], g: &Geometry) {
        bits.clear();
        bits.resize(g.channels * g.height * self.words, 0);
        for (r, row) in bits.chunks_exact_mut(self.words).enumerate() {
            for &(x, _) in &nz[rows[r]..rows[r + 1]] {
                let b = x + g.left;
                row[b / 64] |= 1 << (b % 64);
            }
        }
    }

    /// Bits `start .. start + len` of row `r` (`len <= 64`), bit 0 = `start`.
    #[inline(always)]
    fn window(&self, bits: &[u64], r: usize, start: usize, len: usize) -> u64 {
        let row = &bits[r * self.words..(r + 1) * self.words];
        let (w, b) = (start / 64, start % 64);
        let lo = row[w] >> b;
        let hi = if b == 0 { 0 } else { row[w + 1] << (64 - b) };
        let mask = if len == 64 {
            u64::MAX
        } else {
            (1u64 << len) - 1
        };
        (lo | hi) & mask
    }
}

impl<A> Default for Spikes<A> {
    fn default() -> Self {
        Spikes {
            rows: Vec::new(),
            nz: Vec::new(),
            list: Vec::new(),
            binary: true,
            cursor: Vec::new(),
            pix: Vec::new(),
            bits: Vec::new(),
        }
    }
}

impl<A: Acc> Spikes<A> {
    fn collect<I: Element, T: Kernel<Acc = A>>(&mut self, frame: &[I], g: &Geometry) {
        self.rows.clear();
        self.nz.clear();
        self.binary = true;
        for row in frame.chunks_exact(g.width) {
            self.rows.push(self.nz.len());
            for (x, v) in row.iter().enumerate() {
                let val = to_acc::<I, T>(*v);
                if val != A::zero() {
                    self.binary &= val == A::one();
                    self.nz.push((x, val));
                }
            }
        }
        self.rows.push(self.nz.len());
    }
}

/// `acc[j] = row[j] · x + acc[j]` (one rounding each).
#[inline(always)]
fn axpy<A: Acc>(simd: bool, acc: &mut [A], row: &[A], x: A) {
    #[cfg(target_arch = "x86_64")]
    {
        if simd {
            // SAFETY: the caller checked that the CPU supports AVX2 and FMA.
            unsafe { axpy_avx2(acc, row, x) };
            return;
        }
    }
    let _ = simd;
    axpy_body(acc, row, x);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn axpy_avx2<A: Acc>(acc: &mut [A], row: &[A], x: A) {
    axpy_body(acc, row, x)
}

#[inline(always)]
fn axpy_body<A: Acc>(acc: &mut [A], row: &[A], x: A) {
    for (s, r) in acc.iter_mut().zip(row) {
        *s = r.fma(x, *s);
    }
}

/// Sums the weight rows of `list` for one output pixel into `out` (`O'` values).
fn accumulate<A: Acc>(
    simd: bool,
    wt: &[A],
    padded: usize,
    list: &[(usize, A)],
    binary: bool,
    out: &mut [A],
) {
    #[cfg(target_arch = "x86_64")]
    {
        if simd {
            // SAFETY: the caller checked that the CPU supports AVX2 and FMA.
            unsafe { accumulate_avx2(wt, padded, list, binary, out) };
            return;
        }
    }
    let _ = simd;
    accumulate_body(wt, padded, list, binary, out);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn accumulate_avx2<A: Acc>(
    wt: &[A],
    padded: usize,
    list: &[(usize, A)],
    binary: bool,
    out: &mut [A],
) {
    accumulate_body(wt, padded, list, binary, out)
}

#[inline(always)]
fn accumulate_body<A: Acc>(
    wt: &[A],
    padded: usize,
    list: &[(usize, A)],
    binary: bool,
    out: &mut [A],
) {
    // Two chunks at a time where they exist: eight independent vector sums hide the latency of
    // the adds, four (one chunk) do not.
    let mut oc = 0;
    while oc < padded {
        if padded - oc >= 2 * CHUNK {
            let dst: &mut [A; 2 * CHUNK] = (&mut out[oc..oc + 2 * CHUNK]).try_into().unwrap();
            sum_chunk(wt, padded, oc, list, binary, dst);
            oc += 2 * CHUNK;
        } else {
            let dst: &mut [A; CHUNK] = (&mut out[oc..oc + CHUNK]).try_into().unwrap();
            sum_chunk(wt, padded, oc, list, binary, dst);
            oc += CHUNK;
        }
    }
}

/// Output channels `oc .. oc + N` of one pixel: the weight rows of `list` summed block by block
/// ([`SUM_BLOCK`]), each block from +0.0 and the block sums added in order.
#[inline(always)]
fn sum_chunk<A: Acc, const N: usize>(
    wt: &[A],
    padded: usize,
    oc: usize,
    list: &[(usize, A)],
    binary: bool,
    out: &mut [A; N],
) {
    let mut total = [A::zero(); N];
    // One run of `list` per SUM_BLOCK of the patch (`list` is in increasing `k`).
    let mut rest = list;
    let mut first = true;
    while let Some(&(k0, _)) = rest.first() {
        let block = k0 / SUM_BLOCK;
        let len = rest
            .iter()
            .position(|&(k, _)| k / SUM_BLOCK != block)
            .unwrap_or(rest.len());
        let (run, tail) = rest.split_at(len);
        rest = tail;
        let mut acc = [A::zero(); N];
        if binary {
            for &(k, _) in run {
                let w = &wt[k * padded + oc..k * padded + oc + N];
                for (a, w) in acc.iter_mut().zip(w) {
                    *a = a.add(*w);
                }
            }
        } else {
            for &(k, x) in run {
                let w = &wt[k * padded + oc..k * padded + oc + N];
                for (a, w) in acc.iter_mut().zip(w) {
                    *a = w.fma(x, *a);
                }
            }
        }
        if first {
            total = acc;
            first = false;
        } else {
            for (t, a) in total.iter_mut().zip(&acc) {
                *t = t.add(*a);
            }
        }
    }
    *out = total;
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::cpu::xorshift as rng;

    fn geometry(c: usize, h: usize, w: usize, o: usize, k: (usize, usize)) -> Geometry {
        Geometry {
            frames: 1,
            channels: c,
            height: h,
            width: w,
            outputs: o,
            kh: k.0,
            kw: k.1,
            sy: 1,
            sx: 1,
            top: 1,
            left: 1,
            oh: h + 2 - k.0 + 1,
            ow: w + 2 - k.1 + 1,
        }
    }

    /// The documented order: sequential sums of the active weights over blocks of
    /// [`SUM_BLOCK`] receptive-field entries from +0.0, block sums added in order.
    fn blocked_reference(input: &[f32], weights: &[f32], g: &Geometry) -> Vec<f32> {
        let k = g.patch();
        let mut out = vec![0f32; g.outputs * g.oh * g.ow];
        for oo in 0..g.outputs {
            for i in 0..g.oh {
                for j in 0..g.ow {
                    let (mut total, mut acc) = (0f32, 0f32);
                    for r in 0..k {
                        if r > 0 && r % SUM_BLOCK == 0 {
                            total += acc;
                            acc = 0.0;
                        }
                        let (ch, u, v) = (r / (g.kh * g.kw), (r / g.kw) % g.kh, r % g.kw);
                        let y = (i * g.sy + u) as isize - g.top as isize;
                        let x = (j * g.sx + v) as isize - g.left as isize;
                        if y >= 0 && x >= 0 && (y as usize) < g.height && (x as usize) < g.width {
                            let at = (ch * g.height + y as usize) * g.width + x as usize;
                            acc = weights[oo * k + r].mul_add(input[at], acc);
                        }
                    }
                    out[(oo * g.oh + i) * g.ow + j] = total + acc;
                }
            }
        }
        out
    }

    /// Both paths of `conv` (GEMM for dense frames, the sparse kernel for sparse ones) follow
    /// the blocked receptive-field order bit for bit, for patches within one block and across
    /// several, one output channel or one output pixel (the matrix-vector cases) included.
    #[test]
    fn both_paths_sum_in_the_blocked_receptive_field_order() {
        let mut next = rng(777);
        for (c, kh, kw, o, h, w) in [
            (6, 5, 5, 19, 9, 8),
            (32, 2, 2, 19, 9, 8),
            (128, 2, 2, 7, 5, 6),
            (57, 3, 3, 11, 6, 6),
            (100, 3, 3, 13, 6, 5),
            (250, 5, 5, 9, 4, 4),
            (60, 3, 3, 1, 6, 6),
            (60, 3, 3, 6, 1, 1),
            (700, 1, 1, 5, 1, 1),
            // One output pixel with more outputs than a sparse chunk: the padded transpose.
            (250, 5, 5, 45, 5, 5),
        ] {
            let g = geometry(c, h, w, o, (kh, kw));
            let k = g.patch();
            let weights: Vec<f32> = (0..o * k)
                .map(|_| (next() % 1_000_003) as f32 / 7e5)
                .collect();
            // Two thirds active (GEMM) with spikes and small integers; a tenth (sparse kernel).
            for (active, maxval) in [(667u64, 1u64), (667, 3), (100, 1)] {
                let input: Vec<f32> = (0..c * h * w)
                    .map(|_| {
                        if next() % 1000 < active {
                            (next() % maxval + 1) as f32
                        } else {
                            0.0
                        }
                    })
                    .collect();
                let mut got = vec![f32::NAN; o * g.oh * g.ow];
                conv::<f32, f32>(&input, &weights, &mut got, &g);
                let want = blocked_reference(&input, &weights, &g);
                let bad = got
                    .iter()
                    .zip(&want)
                    .filter(|(a, b)| a.to_bits() != b.to_bits())
                    .count();
                assert_eq!(
                    bad, 0,
                    "patch {k}, {o} outputs, {h}x{w}, {active}/1000 active"
                );
            }
        }
    }

    /// Sparse spike frames (the bit-set window path up to 64 columns wide, the scanning path
    /// beyond) and sparse valued frames follow the same order for any stride and asymmetric
    /// padding, rows wider than one 64-bit word included.
    #[test]
    fn sparse_frames_any_stride_and_padding() {
        let mut next = rng(4242);
        // (c, h, w, o, kh, kw, sy, sx, top, left, bottom, right)
        for (c, h, w, o, kh, kw, sy, sx, top, left, bottom, right) in [
            (3, 9, 11, 40, 3, 5, 2, 3, 0, 2, 1, 3),
            (2, 6, 130, 33, 2, 7, 1, 2, 1, 0, 0, 5),
            (2, 5, 150, 9, 2, 64, 1, 9, 0, 3, 1, 2),
            (1, 4, 200, 5, 1, 70, 2, 7, 1, 1, 1, 1),
            (4, 7, 7, 70, 7, 7, 1, 1, 3, 3, 3, 3),
        ] {
            let oh = (h + top + bottom - kh) / sy + 1;
            let ow = (w + left + right - kw) / sx + 1;
            let g = Geometry {
                frames: 1,
                channels: c,
                height: h,
                width: w,
                outputs: o,
                kh,
                kw,
                sy,
                sx,
                top,
                left,
                oh,
                ow,
            };
            let k = g.patch();
            let weights: Vec<f32> = (0..o * k)
                .map(|_| (next() % 1_000_003) as f32 / 7e5)
                .collect();
            for maxval in [1u64, 3] {
                let input: Vec<f32> = (0..c * h * w)
                    .map(|_| match next() % 1000 < 150 {
                        true => (next() % maxval + 1) as f32,
                        false => 0.0,
                    })
                    .collect();
                let mut got = vec![f32::NAN; o * oh * ow];
                conv::<f32, f32>(&input, &weights, &mut got, &g);
                let want = blocked_reference(&input, &weights, &g);
                let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&got), bits(&want), "{c}x{h}x{w} k{kh}x{kw} s{sy}x{sx}");
            }
        }
    }
}
