//! CPU kernels of the `conv` family: 2-D cross-correlation of every frame (`[C,H,W]` slice) of a
//! `[B·T, C, H, W]` input with a `[O, C, kh, kw]` kernel, by im2col and one GEMM per frame.
//!
//! Frames are independent, so they are spread over the library's threads; each frame's GEMM runs
//! single-threaded with fixed shapes, which makes every output bit independent of the thread count.

use crate::{f16, Element};
use rayon::prelude::*;

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
                // SAFETY: forwarded from the caller. `read_dst = false` means the accumulators
                // start at +0.0, so an all-zero sum is +0.0 like the original's (never -0.0).
                unsafe {
                    gemm::gemm(
                        m,
                        n,
                        k,
                        dst,
                        dst_cs,
                        dst_rs,
                        false,
                        lhs,
                        lhs_cs,
                        lhs_rs,
                        rhs,
                        rhs_cs,
                        rhs_rs,
                        0.0,
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
    let weights: Vec<T::Acc> = kernel.iter().map(|w| w.cast::<T::Acc>()).collect();
    let direct = as_acc_mut::<T>(out).is_some();
    // Skipping zero inputs is exact only when no weight is infinite or NaN (0 · inf = NaN).
    let finite = weights.iter().all(|w| w.to_f64().is_finite());
    let sparse = finite.then(|| SparseKernel::new(&weights, o, k));

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
        match &sparse {
            Some(sk) if use_sparse => sk.frame(sp, g, target),
            _ => {
                im2col::<I, T>(frame, g, col);
                // SAFETY: weights is [o × k], col is [k × p] and target is [o × p], row-major.
                unsafe {
                    T::Acc::gemm(
                        o,
                        p,
                        k,
                        target.as_mut_ptr(),
                        p as isize,
                        1,
                        weights.as_ptr(),
                        k as isize,
                        1,
                        col.as_ptr(),
                        p as isize,
                        1,
                    );
                }
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

/// Frames with at most `1 / SPARSE_DENSITY_DIV` non-zero inputs (spike trains) take the sparse
/// path: the work is proportional to the spikes instead of the whole input.
const SPARSE_DENSITY_DIV: usize = 3;

/// Whether a frame of `len` inputs, `nonzero` of them non-zero, takes the sparse path (given a
/// finite kernel). The fused fast path relies on it: only sparse-path potentials are sums in
/// plain receptive-field order (the GEMM blocks and reorders long sums).
pub(crate) fn takes_sparse_path(nonzero: usize, len: usize) -> bool {
    nonzero * SPARSE_DENSITY_DIV <= len
}

/// Output channels accumulated together by the sparse path (kept in registers).
const CHUNK: usize = 32;

/// The kernel transposed to `[K, O']` (O' = O rounded up to [`CHUNK`], zero padded) for the
/// sparse path.
///
/// For every output pixel the sparse path adds `w[o, k] · x[k]` over the non-zero inputs `x[k]`
/// of its patch in increasing `k`, starting from +0.0, with a fused multiply-add (a plain add when
/// `x[k] = 1`, which rounds identically). The GEMM path computes the same sequence of roundings
/// (sequential FMA over `k` from +0.0), and a skipped zero input would have added ±0.0 to a sum
/// that is never -0.0; so both paths give the same bits.
struct SparseKernel<A> {
    wt: Vec<A>,
    outputs: usize,
    padded: usize,
}

impl<A: Acc> SparseKernel<A> {
    fn new(weights: &[A], outputs: usize, patch: usize) -> Self {
        let padded = outputs.div_ceil(CHUNK) * CHUNK;
        let mut wt = vec![A::zero(); patch * padded];
        for o in 0..outputs {
            for k in 0..patch {
                wt[k * padded + o] = weights[o * patch + k];
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
        let simd = simd_available();
        let Spikes {
            rows,
            nz,
            list,
            binary,
            cursor,
            pix,
        } = sp;
        pix.resize(p_total * self.padded, A::zero());
        cursor.resize(g.channels * g.kh, 0);
        for i in 0..g.oh {
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

fn simd_available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
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
    for (oc, out) in out.chunks_exact_mut(CHUNK).enumerate() {
        let oc = oc * CHUNK;
        let mut acc = [A::zero(); CHUNK];
        if binary {
            for &(k, _) in list {
                let w = &wt[k * padded + oc..k * padded + oc + CHUNK];
                for (a, w) in acc.iter_mut().zip(w) {
                    *a = a.add(*w);
                }
            }
        } else {
            for &(k, x) in list {
                let w = &wt[k * padded + oc..k * padded + oc + CHUNK];
                for (a, w) in acc.iter_mut().zip(w) {
                    *a = w.fma(x, *a);
                }
            }
        }
        out.copy_from_slice(&acc);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sparse and GEMM paths give identical bits on spike and small-integer inputs with
    /// general float kernels, over strides and pads.
    #[test]
    fn sparse_and_gemm_paths_agree_bit_for_bit() {
        let mut state = 12345u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for (sy, sx, top, left, kh, kw, maxval) in [
            (1, 1, 2, 2, 5, 5, 1u64),
            (2, 1, 1, 0, 3, 4, 1),
            (1, 3, 0, 3, 4, 2, 3),
            (1, 1, 1, 1, 3, 3, 255),
        ] {
            let (c, h, w, o) = (3, 11, 10, 37);
            let oh = (h + 2 * top - kh) / sy + 1;
            let ow = (w + 2 * left - kw) / sx + 1;
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
            let input: Vec<u8> = (0..c * h * w)
                .map(|_| {
                    if next() % 4 == 0 {
                        (next() % maxval + 1) as u8
                    } else {
                        0
                    }
                })
                .collect();
            let weights: Vec<f32> = (0..o * c * kh * kw)
                .map(|_| (next() % 2_000_001) as f32 / 1e6 - 1.0)
                .collect();
            let mut col = vec![0f32; c * kh * kw * oh * ow];
            im2col::<u8, f32>(&input, &g, &mut col);
            let mut dense = vec![0f32; o * oh * ow];
            unsafe {
                f32::gemm(
                    o,
                    oh * ow,
                    c * kh * kw,
                    dense.as_mut_ptr(),
                    (oh * ow) as isize,
                    1,
                    weights.as_ptr(),
                    (c * kh * kw) as isize,
                    1,
                    col.as_ptr(),
                    (oh * ow) as isize,
                    1,
                );
            }
            let sk = SparseKernel::new(&weights, o, c * kh * kw);
            let mut sparse = vec![f32::NAN; o * oh * ow];
            let mut sp = Spikes::default();
            sp.collect::<u8, f32>(&input, &g);
            sk.frame(&mut sp, &g, &mut sparse);
            let a: Vec<u32> = dense.iter().map(|x| x.to_bits()).collect();
            let b: Vec<u32> = sparse.iter().map(|x| x.to_bits()).collect();
            assert_eq!(
                a, b,
                "stride ({sy},{sx}) pad ({top},{left}) kernel {kh}x{kw}"
            );
        }
    }
}
