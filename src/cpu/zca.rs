//! CPU kernels of the `zca` family: column means, covariance, a cyclic Jacobi symmetric
//! eigen-decomposition, the whitening matrix, its application and the sign split (spec §2.5).
//!
//! Everything is computed in f64 with fixed summation orders, so results do not depend on the
//! thread count.

use crate::Element;
use rayon::prelude::*;

/// Column means of the row-major `[n, d]` matrix `x`.
pub(crate) fn mean(x: &[f64], n: usize, d: usize) -> Vec<f64> {
    let mut m = vec![0.0f64; d];
    for row in x.chunks(d) {
        m.iter_mut().zip(row).for_each(|(m, v)| *m += v);
    }
    m.iter_mut().for_each(|v| *v /= n as f64);
    m
}

/// Unbiased covariance `(X−μ)ᵀ(X−μ)/(n−1)` as a row-major `[d, d]` matrix (`n >= 2`).
pub(crate) fn covariance(x: &[f64], mu: &[f64], n: usize, d: usize) -> Vec<f64> {
    let centred: Vec<f64> = x
        .chunks(d)
        .flat_map(|row| row.iter().zip(mu).map(|(v, m)| v - m))
        .collect();
    let mut cov = vec![0.0f64; d * d];
    crate::runtime::install(|| {
        cov.par_chunks_mut(d).enumerate().for_each(|(a, out)| {
            for (b, o) in out.iter_mut().enumerate() {
                let mut s = 0.0;
                for r in 0..n {
                    s += centred[r * d + a] * centred[r * d + b];
                }
                *o = s / (n - 1) as f64;
            }
        });
    });
    cov
}

/// Eigen-decomposition of the symmetric row-major `[d, d]` matrix `a` by cyclic Jacobi rotations.
///
/// Returns the eigenvalues and the row-major matrix whose *columns* are the eigenvectors.
/// Jacobi is chosen over tridiagonal QR for its simplicity and its accuracy on the small, positive
/// semi-definite matrices ZCA works with.
pub(crate) fn jacobi_eigen(mut a: Vec<f64>, d: usize) -> (Vec<f64>, Vec<f64>) {
    let mut v = vec![0.0f64; d * d];
    for i in 0..d {
        v[i * d + i] = 1.0;
    }
    let norm2: f64 = a.iter().map(|x| x * x).sum();
    for _sweep in 0..100 {
        let mut off = 0.0;
        for p in 0..d {
            for q in p + 1..d {
                off += a[p * d + q] * a[p * d + q];
            }
        }
        // Quadratic convergence: stop once the off-diagonal part is negligible in f64.
        if off <= norm2 * 1e-32 || off == 0.0 {
            break;
        }
        for p in 0..d {
            for q in p + 1..d {
                let apq = a[p * d + q];
                if apq == 0.0 {
                    continue;
                }
                let theta = (a[q * d + q] - a[p * d + p]) / (2.0 * apq);
                let t = if theta.abs() > 1e150 {
                    0.5 / theta
                } else {
                    theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt())
                };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                // A ← A·J (columns p, q), then A ← Jᵀ·A (rows p, q), V ← V·J.
                for k in 0..d {
                    let (kp, kq) = (a[k * d + p], a[k * d + q]);
                    a[k * d + p] = c * kp - s * kq;
                    a[k * d + q] = s * kp + c * kq;
                }
                for k in 0..d {
                    let (pk, qk) = (a[p * d + k], a[q * d + k]);
                    a[p * d + k] = c * pk - s * qk;
                    a[q * d + k] = s * pk + c * qk;
                }
                // Exact zero by construction; removes rounding residue.
                a[p * d + q] = 0.0;
                a[q * d + p] = 0.0;
                for k in 0..d {
                    let (kp, kq) = (v[k * d + p], v[k * d + q]);
                    v[k * d + p] = c * kp - s * kq;
                    v[k * d + q] = s * kp + c * kq;
                }
            }
        }
    }
    let values = (0..d).map(|i| a[i * d + i]).collect();
    (values, v)
}

/// The whitening matrix `V·diag(1/sqrt(max(λ,0)+ε))·Vᵀ` (row-major `[d, d]`).
pub(crate) fn whitening(values: &[f64], vectors: &[f64], d: usize, eps: f64) -> Vec<f64> {
    let scale: Vec<f64> = values
        .iter()
        .map(|l| 1.0 / (l.max(0.0) + eps).sqrt())
        .collect();
    let mut w = vec![0.0f64; d * d];
    crate::runtime::install(|| {
        w.par_chunks_mut(d).enumerate().for_each(|(a, out)| {
            for (b, o) in out.iter_mut().enumerate() {
                let mut s = 0.0;
                for i in 0..d {
                    s += vectors[a * d + i] * scale[i] * vectors[b * d + i];
                }
                *o = s;
            }
        });
    });
    w
}

/// `y[r] = (x[r] − μ)·W` for every row of the `[n, d]` tensor data `x`, in place, computed in
/// f64 and rounded to `T`.
pub(crate) fn apply<T: Element>(x: &mut [T], mu: &[f64], w: &[f64], d: usize) {
    crate::runtime::install(|| {
        x.par_chunks_mut(d).for_each(|row| {
            let c: Vec<f64> = row.iter().zip(mu).map(|(v, m)| v.to_f64() - m).collect();
            for (b, o) in row.iter_mut().enumerate() {
                let mut s = 0.0;
                for (a, ca) in c.iter().enumerate() {
                    s += ca * w[a * d + b];
                }
                *o = T::from_f64(s);
            }
        });
    });
}

/// `out[r, 0, :] = max(x, 0)`, `out[r, 1, :] = max(−x, 0)` for the `[n, d]` input.
///
/// For unsigned types the negative part is zero (the original wraps `−x`, spec §14.15). For
/// floats a zero input gives `-0.0` in the negative part, like the original (`max(-0.0, 0)`
/// keeps its first argument).
pub(crate) fn split<T: Element>(x: &[T], out: &mut [T], d: usize) {
    let unsigned = T::min_value() == T::zero();
    let zero = T::zero();
    crate::runtime::install(|| {
        out.par_chunks_mut(2 * d)
            .zip(x.par_chunks(d))
            .for_each(|(o, row)| {
                let (pos, neg) = o.split_at_mut(d);
                for ((p, n), v) in pos.iter_mut().zip(neg.iter_mut()).zip(row) {
                    *p = if *v < zero { zero } else { *v };
                    *n = if unsigned {
                        zero
                    } else {
                        let m = v.wneg();
                        if m < zero {
                            zero
                        } else {
                            m
                        }
                    };
                }
            });
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jacobi_reconstructs_a_symmetric_matrix() {
        let d = 5;
        let mut a = vec![0.0; d * d];
        for i in 0..d {
            for j in 0..d {
                a[i * d + j] = 1.0 / (1 + i + j) as f64 + if i == j { 1.0 } else { 0.0 };
            }
        }
        let (l, v) = jacobi_eigen(a.clone(), d);
        for i in 0..d {
            for j in 0..d {
                let r: f64 = (0..d).map(|k| v[i * d + k] * l[k] * v[j * d + k]).sum();
                assert!((r - a[i * d + j]).abs() < 1e-13, "{i},{j}");
                let o: f64 = (0..d).map(|k| v[k * d + i] * v[k * d + j]).sum();
                assert!((o - if i == j { 1.0 } else { 0.0 }).abs() < 1e-13);
            }
        }
    }
}
