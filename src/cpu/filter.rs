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

/// `plane` (`h×w`) in f64, inside a zero border of the geometry's padding: `(h + top + bottom) ×
/// (w + left + right)`, so that the correlation's inner loop has no bounds tests.
fn pad_plane<T: Element>(plane: &[T], g: &Geometry) -> Vec<f64> {
    let pw = g.w + g.pad.left + g.pad.right;
    let mut p = vec![0.0f64; (g.h + g.pad.top + g.pad.bottom) * pw];
    for (y, row) in plane.chunks_exact(g.w).enumerate() {
        let dst = &mut p[(y + g.pad.top) * pw + g.pad.left..][..g.w];
        dst.iter_mut().zip(row).for_each(|(d, v)| *d = v.to_f64());
    }
    p
}

/// Stride-1 cross-correlation of one zero-padded f64 plane (`pad_plane`) with one f64 kernel.
///
/// Every output sums its taps in row-major kernel order, as the original does; taps on the
/// border add `±0.0`, which leaves every sum unchanged (a sum started at `+0.0` never becomes
/// `-0.0`). The loops run along output rows so that the compiler vectorises them.
fn correlate(padded: &[f64], kernel: &[f64], g: &Geometry, out: &mut [f64]) {
    let pw = g.w + g.pad.left + g.pad.right;
    for (oy, orow) in out.chunks_exact_mut(g.ow).take(g.oh).enumerate() {
        orow.fill(0.0);
        for (ky, krow) in kernel.chunks_exact(g.k).enumerate() {
            let prow = &padded[(oy + ky) * pw..];
            for (kx, &kv) in krow.iter().enumerate() {
                let src = &prow[kx..kx + g.ow];
                orow.iter_mut().zip(src).for_each(|(o, x)| *o += x * kv);
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
                let mut a = vec![0.0f64; plane_out];
                let mut b = vec![0.0f64; plane_out];
                for f in 0..g.filters {
                    match mode {
                        Mode::Gabor => {
                            correlate(&x, &kernel[f * kk..(f + 1) * kk], &g, &mut a);
                            let dst = &mut o[f * plane_out..(f + 1) * plane_out];
                            dst.iter_mut()
                                .zip(&a)
                                .for_each(|(d, v)| *d = T::from_f64(*v));
                        }
                        Mode::DoG | Mode::LoG => {
                            let second = g.filters * kk;
                            correlate(&x, &kernel[f * kk..(f + 1) * kk], &g, &mut a);
                            correlate(
                                &x,
                                &kernel[second + f * kk..second + (f + 1) * kk],
                                &g,
                                &mut b,
                            );
                            let zero = T::zero();
                            for (p, (va, vb)) in a.iter().zip(&b).enumerate() {
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
        let mut out = vec![0.0; 4];
        correlate(&pad_plane(&[1.0f64, 0.0, 0.0, 0.0], &g), &k, &g, &mut out);
        // out(y,x) = sum k(ky,kx) in(y+ky-1, x+kx-1): the one at (0,0) is seen by kernel tap
        // (1-y, 1-x).
        assert_eq!(out, vec![5.0, 4.0, 2.0, 1.0]);
    }
}
