//! CPU kernels of the `filter` family: kernel construction (DoG/LoG Gaussians, Gabor) and the
//! per-channel filtering of DoG, Gabor and LoG (spec §2.1–2.4).

use crate::{Element, Expand4};
use rayon::prelude::*;

/// A normalised `k×k` Gaussian (`k = 2·size+1`), row-major, in f64 (spec §2.1).
///
/// The expression and the row-major summation order are those of the original, so the result is
/// bit-identical to its kernels.
pub(crate) fn gaussian(size: usize, std: f64) -> Vec<f64> {
    let s = size as i64;
    let mut g = Vec::with_capacity(((2 * s + 1) * (2 * s + 1)) as usize);
    for i in -s..=s {
        for j in -s..=s {
            let r = (((i * i + j * j) as f64).sqrt()) / std;
            g.push((-0.5 * (r * r)).exp());
        }
    }
    normalise(&mut g);
    g
}

/// Parameters of one Gabor kernel, `theta` already in radians.
#[derive(Debug, Clone, Copy)]
pub(crate) struct GaborParams {
    pub sigma: f64,
    pub theta: f64,
    pub gamma: f64,
    pub lambda: f64,
    pub psi: f64,
}

/// A `k×k` Gabor kernel divided by its signed sum, row-major, in f64 (spec §2.3).
///
/// The original is compiled with floating-point contraction: the rotated coordinates and the
/// exponent's numerator are fused multiply-adds. Reproducing that (`mul_add`) makes the kernel
/// bit-identical; plain `a*b + c` differs by an ulp in a few entries.
pub(crate) fn gabor(size: usize, p: GaborParams) -> Vec<f64> {
    const PI: f64 = std::f64::consts::PI;
    let s = size as i64;
    let (sin, cos) = p.theta.sin_cos();
    let mut g = Vec::with_capacity(((2 * s + 1) * (2 * s + 1)) as usize);
    for i in -s..=s {
        for j in -s..=s {
            let (i, j) = (i as f64, j as f64);
            let x = i.mul_add(cos, j * sin);
            let y = (-i).mul_add(sin, j * cos);
            let num = x.mul_add(x, p.gamma * p.gamma * y * y);
            let e = (-num / (2.0 * p.sigma * p.sigma)).exp();
            let c = (2.0 * PI * x / p.lambda + p.psi).cos();
            g.push(e * c);
        }
    }
    normalise(&mut g);
    g
}

/// Divides every entry by the sum accumulated in row-major order (as the original does).
fn normalise(g: &mut [f64]) {
    let mut sum = 0.0;
    for v in g.iter() {
        sum += *v;
    }
    g.iter_mut().for_each(|v| *v /= sum);
}

/// How the correlations of one input channel become output channels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Kernel `[2,F,k,k]`: `max(0, A_f − B_f)`, F outputs per channel.
    DoG,
    /// Kernel `[F,k,k]`: the correlation itself, F outputs per channel.
    Gabor,
    /// Kernel `[2,F,k,k]`: `max(d_f, 0)` then `max(−d_f, 0)`, 2F outputs per channel.
    LoG,
}

/// Geometry of one filtering call.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Geometry {
    pub h: usize,
    pub w: usize,
    pub k: usize,
    pub pad: Expand4,
    pub oh: usize,
    pub ow: usize,
    /// F: the number of filters.
    pub filters: usize,
}

/// Outputs of one row computed together, in registers ([`correlate`]).
const RUN: usize = 16;

/// Row length of [`pad_plane`]'s result: the padded width plus [`RUN`] zero columns, so that the
/// last run of a row may read past the padded width without a bounds test.
fn padded_width(g: &Geometry) -> usize {
    g.w + g.pad.left + g.pad.right + RUN
}

/// `plane` (`h×w`) in f64, inside a zero border of the geometry's padding: `(h + top + bottom)`
/// rows of [`padded_width`], so that the correlation's inner loop has no bounds tests.
fn pad_plane<T: Element>(plane: &[T], g: &Geometry) -> Vec<f64> {
    let pw = padded_width(g);
    let mut p = vec![0.0f64; (g.h + g.pad.top + g.pad.bottom) * pw];
    for (y, row) in plane.chunks_exact(g.w).enumerate() {
        let dst = &mut p[(y + g.pad.top) * pw + g.pad.left..][..g.w];
        dst.iter_mut().zip(row).for_each(|(d, v)| *d = v.to_f64());
    }
    p
}

/// Stride-1 cross-correlations of one zero-padded f64 plane (`pad_plane`) with `N` f64 kernels
/// into `out[i]`.
///
/// Every output sums its taps in row-major kernel order from `0.0`, a product then a sum per tap
/// (no fused multiply-add), as the original does; taps on the border add `±0.0`, which leaves
/// every sum unchanged (a sum started at `+0.0` never becomes `-0.0`). Runs of [`RUN`] outputs of
/// a row stay in registers over all taps, and the kernels share the input loads.
fn correlate<const N: usize>(
    padded: &[f64],
    kernels: [&[f64]; N],
    g: &Geometry,
    out: &mut [Vec<f64>; N],
) {
    #[cfg(target_arch = "x86_64")]
    if super::avx2_fma() {
        // SAFETY: the CPU reports AVX2 and FMA.
        unsafe { correlate_avx2(padded, kernels, g, out) };
        return;
    }
    correlate_body(padded, kernels, g, out)
}

/// [`correlate_body`] with AVX intrinsics: a run of 16 outputs is four `__m256d` per kernel
/// (eight independent sums for a DoG/LoG pair, enough to hide the latency of the adds); a product
/// then a sum per tap, as in the portable body.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn correlate_avx2<const N: usize>(
    padded: &[f64],
    kernels: [&[f64]; N],
    g: &Geometry,
    out: &mut [Vec<f64>; N],
) {
    use std::arch::x86_64::*;
    const { assert!(RUN == 16) };
    let pw = padded_width(g);
    let rows = g.oh + g.k - 1;
    assert!(padded.len() >= rows * pw && kernels.iter().all(|k| k.len() >= g.k * g.k));
    assert!(out.iter().all(|o| o.len() >= g.oh * g.ow));
    for oy in 0..g.oh {
        for x0 in (0..g.ow).step_by(RUN) {
            let mut acc = [[_mm256_setzero_pd(); 4]; N];
            for ky in 0..g.k {
                let prow = padded.as_ptr().add((oy + ky) * pw + x0);
                for kx in 0..g.k {
                    // SAFETY: x0 + kx + 16 <= ow - 1 + k - 1 + 16 < pw: inside the row (asserted
                    // sizes; padded_width adds RUN columns).
                    let src = [
                        _mm256_loadu_pd(prow.add(kx)),
                        _mm256_loadu_pd(prow.add(kx + 4)),
                        _mm256_loadu_pd(prow.add(kx + 8)),
                        _mm256_loadu_pd(prow.add(kx + 12)),
                    ];
                    for n in 0..N {
                        let kv = _mm256_set1_pd(*kernels[n].get_unchecked(ky * g.k + kx));
                        for (a, x) in acc[n].iter_mut().zip(src) {
                            *a = _mm256_add_pd(*a, _mm256_mul_pd(x, kv));
                        }
                    }
                }
            }
            let n_out = RUN.min(g.ow - x0);
            for n in 0..N {
                let mut run = [0.0f64; RUN];
                for (q, a) in acc[n].iter().enumerate() {
                    _mm256_storeu_pd(run.as_mut_ptr().add(4 * q), *a);
                }
                out[n][oy * g.ow + x0..][..n_out].copy_from_slice(&run[..n_out]);
            }
        }
    }
}

#[inline(always)]
fn correlate_body<const N: usize>(
    padded: &[f64],
    kernels: [&[f64]; N],
    g: &Geometry,
    out: &mut [Vec<f64>; N],
) {
    let pw = padded_width(g);
    for oy in 0..g.oh {
        for x0 in (0..g.ow).step_by(RUN) {
            let mut acc = [[0.0f64; RUN]; N];
            for ky in 0..g.k {
                let prow = &padded[(oy + ky) * pw + x0..];
                for kx in 0..g.k {
                    let src: &[f64; RUN] = prow[kx..kx + RUN].try_into().unwrap();
                    for (a, kernel) in acc.iter_mut().zip(&kernels) {
                        let kv = kernel[ky * g.k + kx];
                        for (a, x) in a.iter_mut().zip(src) {
                            *a += x * kv;
                        }
                    }
                }
            }
            let n = RUN.min(g.ow - x0);
            for (o, a) in out.iter_mut().zip(&acc) {
                o[oy * g.ow + x0..][..n].copy_from_slice(&a[..n]);
            }
        }
    }
}

/// Filters every `[H,W]` plane of `input` (`B·C` planes, already in the kernel dtype `T`) into
/// `out` (`B·C` groups of `per_channel` output planes), in parallel over planes.
///
/// Each correlation is accumulated in f64 and rounded once to `T`; the DoG/LoG difference and the
/// rectification are then done in `T`, as in the original.
pub(crate) fn apply<T: Element>(input: &[T], kernel: &[T], mode: Mode, g: Geometry, out: &mut [T]) {
    let kk = g.k * g.k;
    let kernel: Vec<f64> = kernel.iter().map(|v| v.to_f64()).collect();
    let plane_in = g.h * g.w;
    let plane_out = g.oh * g.ow;
    let per_channel = match mode {
        Mode::LoG => 2 * g.filters,
        _ => g.filters,
    };
    crate::runtime::install(|| {
        out.par_chunks_mut(per_channel * plane_out)
            .zip(input.par_chunks(plane_in))
            .for_each(|(o, x)| {
                let x = pad_plane(x, &g);
                let mut ab = [vec![0.0f64; plane_out], vec![0.0f64; plane_out]];
                for f in 0..g.filters {
                    let first = &kernel[f * kk..(f + 1) * kk];
                    match mode {
                        Mode::Gabor => {
                            let [a, _] = &mut ab;
                            let a = std::array::from_mut(a);
                            correlate(&x, [first], &g, a);
                            let dst = &mut o[f * plane_out..(f + 1) * plane_out];
                            dst.iter_mut()
                                .zip(a[0].iter())
                                .for_each(|(d, v)| *d = T::from_f64(*v));
                        }
                        Mode::DoG | Mode::LoG => {
                            let second = g.filters * kk;
                            let second = &kernel[second + f * kk..second + (f + 1) * kk];
                            correlate(&x, [first, second], &g, &mut ab);
                            let zero = T::zero();
                            for (p, (va, vb)) in ab[0].iter().zip(&ab[1]).enumerate() {
                                let d = T::from_f64(*va).wsub(T::from_f64(*vb));
                                o[f * plane_out + p] = if d > zero { d } else { zero };
                                if mode == Mode::LoG {
                                    let n = d.wneg();
                                    o[(g.filters + f) * plane_out + p] =
                                        if n > zero { n } else { zero };
                                }
                            }
                        }
                    }
                }
            });
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaussian_is_normalised_and_symmetric() {
        let g = gaussian(2, 1.3);
        assert_eq!(g.len(), 25);
        assert!((g.iter().sum::<f64>() - 1.0).abs() < 1e-15);
        assert_eq!(g[0], g[24]);
        assert_eq!(g[1], g[5]);
        assert!(g[12] > g[11]);
    }

    #[test]
    fn correlation_does_not_flip_and_pads_with_zeros() {
        // 1×1 input, 3×3 kernel, pad 1: the output is the input times the centre tap only.
        let g = Geometry {
            h: 2,
            w: 2,
            k: 3,
            pad: Expand4::new(1, 1, 1, 1),
            oh: 2,
            ow: 2,
            filters: 1,
        };
        let k: Vec<f64> = (1..=9).map(|v| v as f64).collect();
        let mut out = [vec![0.0; 4]];
        correlate(&pad_plane(&[1.0f64, 0.0, 0.0, 0.0], &g), [&k], &g, &mut out);
        let out = &out[0];
        // out(y,x) = sum k(ky,kx) in(y+ky-1, x+kx-1): the one at (0,0) is seen by kernel tap
        // (1-y, 1-x).
        assert_eq!(*out, vec![5.0, 4.0, 2.0, 1.0]);
    }
    /// The correlation as a plain loop over outputs and taps (product, then sum, in row-major tap
    /// order from 0.0) with explicit bounds tests instead of a zero border.
    fn naive(plane: &[f64], kernel: &[f64], g: &Geometry) -> Vec<f64> {
        let mut out = vec![0.0; g.oh * g.ow];
        for oy in 0..g.oh {
            for ox in 0..g.ow {
                let mut acc = 0.0f64;
                for ky in 0..g.k {
                    for kx in 0..g.k {
                        let (y, x) = (
                            (oy + ky) as isize - g.pad.top as isize,
                            (ox + kx) as isize - g.pad.left as isize,
                        );
                        let v = if y >= 0 && x >= 0 && (y as usize) < g.h && (x as usize) < g.w {
                            plane[y as usize * g.w + x as usize]
                        } else {
                            0.0
                        };
                        acc += v * kernel[ky * g.k + kx];
                    }
                }
                out[oy * g.ow + ox] = acc;
            }
        }
        out
    }

    #[test]
    fn register_runs_sum_like_the_plain_loop() {
        let mut bits = crate::cpu::xorshift(7);
        let mut next = move || (bits() >> 11) as f64 / (1u64 << 53) as f64 - 0.3;
        for (h, w, k, pad) in [
            (28, 28, 7, Expand4::new(3, 3, 3, 3)),
            (5, 3, 3, Expand4::new(0, 2, 1, 0)),
            (9, 17, 5, Expand4::new(1, 0, 4, 2)),
            (1, 1, 1, Expand4::new(0, 0, 0, 0)),
            (12, 40, 9, Expand4::new(4, 4, 0, 0)),
        ] {
            let (oh, ow) = (
                h + pad.top + pad.bottom - k + 1,
                w + pad.left + pad.right - k + 1,
            );
            let g = Geometry {
                h,
                w,
                k,
                pad,
                oh,
                ow,
                filters: 1,
            };
            let plane: Vec<f64> = (0..h * w).map(|_| next()).collect();
            let ka: Vec<f64> = (0..k * k).map(|_| next()).collect();
            let kb: Vec<f64> = (0..k * k).map(|_| next()).collect();
            let mut out = [vec![0.0; oh * ow], vec![0.0; oh * ow]];
            correlate(&pad_plane(&plane, &g), [&ka, &kb], &g, &mut out);
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&out[0]), bits(&naive(&plane, &ka, &g)), "{h}x{w} k{k}");
            assert_eq!(bits(&out[1]), bits(&naive(&plane, &kb, &g)), "{h}x{w} k{k}");
        }
    }
}
