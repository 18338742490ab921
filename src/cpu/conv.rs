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

    let run = |col: &mut Vec<T::Acc>, scratch: &mut Vec<T::Acc>, n: usize, dst: &mut [T]| {
        im2col::<I, T>(&input[n * frame_in..(n + 1) * frame_in], g, col);
        let target: &mut [T::Acc] = match as_acc_mut::<T>(dst) {
            Some(d) => d,
            None => scratch.as_mut_slice(),
        };
        // SAFETY: weights is [o × k], col is [k × p] and target is [o × p], all row-major.
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
            || (vec![zero; k * p], vec![zero; scratch_len]),
            |(col, scratch), (n, dst)| run(col, scratch, n, dst),
        );
    });
}
