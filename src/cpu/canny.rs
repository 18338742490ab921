//! CPU kernels of the `canny` family (spec §2.6).
//!
//! Steps 1–5 (smoothing, gradients, magnitude, non-maximum suppression, classification) are the
//! original's, in f32, bit-identical to it. Hysteresis is a full flood fill from strong pixels
//! through weak ones (the original does one pass without chaining) and the output is binary.

use rayon::prelude::*;

const SMOOTH: [f32; 25] = [
    0.0030, 0.0133, 0.0219, 0.0133, 0.0030, //
    0.0133, 0.0596, 0.0983, 0.0596, 0.0133, //
    0.0219, 0.0983, 0.1621, 0.0983, 0.0219, //
    0.0133, 0.0596, 0.0983, 0.0596, 0.0133, //
    0.0030, 0.0133, 0.0219, 0.0133, 0.0030,
];
const KX: [f32; 25] = [
    -1., -1., 0., 1., 1., //
    -2., -2., 0., 2., 2., //
    -3., -6., 0., 6., 3., //
    -2., -2., 0., 2., 2., //
    -1., -1., 0., 1., 1.,
];
const KY: [f32; 25] = [
    1., 2., 3., 2., 1., //
    1., 2., 6., 2., 1., //
    0., 0., 0., 0., 0., //
    -1., -2., -6., -2., -1., //
    -1., -2., -3., -2., -1.,
];

/// Pixel classes after thresholding.
const NONE: u8 = 0;
const WEAK: u8 = 1;
const STRONG: u8 = 2;

/// Same-size 5×5 cross-correlation with zero padding 2, accumulated in f32 in row-major order
/// with fused multiply-adds: the original is compiled with contraction, and plain `a*b + c` flips
/// near-ties in non-maximum suppression (seen on a linear ramp).
fn corr5(src: &[f32], h: usize, w: usize, k: &[f32; 25]) -> Vec<f32> {
    let mut out = vec![0.0f32; h * w];
    for y in 0..h {
        for x in 0..w {
            let mut acc = 0.0f32;
            for ky in 0..5 {
                let sy = y as isize + ky as isize - 2;
                if sy < 0 || sy >= h as isize {
                    continue;
                }
                for kx in 0..5 {
                    let sx = x as isize + kx as isize - 2;
                    if sx < 0 || sx >= w as isize {
                        continue;
                    }
                    acc = src[sy as usize * w + sx as usize].mul_add(k[ky * 5 + kx], acc);
                }
            }
            out[y * w + x] = acc;
        }
    }
    out
}

/// Steps 1–4: the normalised non-maximum-suppressed magnitude (0..=255) of one plane.
pub(crate) fn suppressed(src: &[f32], h: usize, w: usize) -> Vec<u8> {
    let smooth = corr5(src, h, w, &SMOOTH);
    let gx = corr5(&smooth, h, w, &KX);
    let gy = corr5(&smooth, h, w, &KY);
    let mut mag: Vec<f32> = gx
        .iter()
        .zip(&gy)
        .map(|(x, y)| (x * x + y * y).sqrt())
        .collect();
    let max = mag.iter().copied().fold(f32::MIN, f32::max);
    let factor = 255.0f32 / (max - 1e-5);
    mag.iter_mut().for_each(|m| *m *= factor);
    let mut n = vec![0u8; h * w];
    let to_deg = (180.0 / std::f64::consts::PI) as f32;
    for i in 1..h.saturating_sub(1) {
        for j in 1..w.saturating_sub(1) {
            let p = i * w + j;
            let mut deg = gy[p].atan2(gx[p]) * to_deg;
            if deg < 0.0 {
                deg += 180.0;
            }
            let (a, b) = if !(22.5..157.5).contains(&deg) {
                (p + 1, p - 1)
            } else if deg < 67.5 {
                (p + w - 1, p - w + 1)
            } else if deg < 112.5 {
                (p + w, p - w)
            } else {
                (p - w - 1, p + w + 1)
            };
            if mag[p] >= mag[a] && mag[p] >= mag[b] {
                n[p] = mag[p] as u8;
            }
        }
    }
    let nmax = n.iter().copied().max().unwrap_or(0);
    if nmax > 0 {
        let f = 255.0f32 / (nmax as f32 - 1e-5);
        n.iter_mut().for_each(|v| *v = (*v as f32 * f) as u8);
    }
    n
}

/// Step 5: strong where `n >= high`, weak where `n >= low`. A zero magnitude is never an edge
/// candidate (the original classes it weak when `low == 0`).
fn classify(n: &[u8], low: u8, high: u8) -> Vec<u8> {
    n.iter()
        .map(|&v| {
            if v == 0 {
                NONE
            } else if v >= high {
                STRONG
            } else if v >= low {
                WEAK
            } else {
                NONE
            }
        })
        .collect()
}

/// Full hysteresis: every weak pixel 8-connected (through weak pixels) to a strong one becomes an
/// edge. The result is a set, so it does not depend on the visiting order. Output 255 / 0.
fn hysteresis(class: &[u8], h: usize, w: usize, out: &mut [u8]) {
    let mut stack: Vec<usize> = Vec::new();
    for (p, c) in class.iter().enumerate() {
        if *c == STRONG {
            out[p] = 255;
            stack.push(p);
        } else {
            out[p] = 0;
        }
    }
    while let Some(p) = stack.pop() {
        let (i, j) = ((p / w) as isize, (p % w) as isize);
        for di in -1..=1isize {
            for dj in -1..=1isize {
                let (y, x) = (i + di, j + dj);
                if y < 0 || x < 0 || y >= h as isize || x >= w as isize {
                    continue;
                }
                let q = y as usize * w + x as usize;
                if class[q] == WEAK && out[q] == 0 {
                    out[q] = 255;
                    stack.push(q);
                }
            }
        }
    }
}

/// Edge maps of `planes` `[H,W]` planes of `src` into `out` (255 edge, 0 background), in
/// parallel over planes (each plane has its own scratch memory).
pub(crate) fn canny(src: &[f32], h: usize, w: usize, low: u8, high: u8, out: &mut [u8]) {
    crate::runtime::install(|| {
        out.par_chunks_mut(h * w)
            .zip(src.par_chunks(h * w))
            .for_each(|(o, s)| {
                let n = suppressed(s, h, w);
                hysteresis(&classify(&n, low, high), h, w, o);
            });
    });
}

/// The original's output for one plane (one-pass hysteresis, `max(255·strong, n)`), used only to
/// check steps 1–5 bit for bit against the original.
#[cfg(test)]
pub(crate) fn original_plane(src: &[f32], h: usize, w: usize, low: u8, high: u8) -> Vec<u8> {
    let n = suppressed(src, h, w);
    let class: Vec<u8> = n
        .iter()
        .map(|&v| {
            if v >= high {
                STRONG
            } else if v >= low {
                WEAK
            } else {
                NONE
            }
        })
        .collect();
    let mut next = class.clone();
    for (di, dj) in [
        (-1, -1),
        (-1, 0),
        (-1, 1),
        (0, -1),
        (0, 1),
        (1, -1),
        (1, 0),
        (1, 1),
    ] {
        for i in 1..h.saturating_sub(1) {
            for j in 1..w.saturating_sub(1) {
                let p = i * w + j;
                let q = (i as isize + di) as usize * w + (j as isize + dj) as usize;
                if next[p] == WEAK && class[q] == STRONG {
                    next[p] = STRONG;
                }
            }
        }
    }
    next.iter()
        .zip(&n)
        .map(|(c, v)| if *c == STRONG { 255 } else { *v })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Tensor;
    use std::collections::BTreeMap;

    fn golden() -> BTreeMap<String, Tensor> {
        let path = format!("{}/tests/reference/filter.npz", env!("CARGO_MANIFEST_DIR"));
        crate::io::read_npz(path).unwrap().into_iter().collect()
    }

    /// Steps 1–6 reproduce the original bit for bit (through the F32-pointer trick, spec §2.6).
    #[test]
    fn original_algorithm_is_reproduced_exactly() {
        let g = golden();
        let mut cases = 0;
        let mut failed = Vec::new();
        for key in g
            .keys()
            .filter(|k| k.starts_with("canny_") && k.ends_with("__x"))
        {
            let case = key.trim_end_matches("__x");
            let x = &g[key];
            let y = g[&format!("{case}__y")].to_vec::<u8>().unwrap();
            let low = g[&format!("{case}__low")].to_vec::<f64>().unwrap()[0] as u8;
            let high = g[&format!("{case}__high")].to_vec::<f64>().unwrap()[0] as u8;
            let s = x.shape();
            let (h, w) = (s[2], s[3]);
            let xs = x.to_vec::<f32>().unwrap();
            let mut bad = 0;
            for (p, plane) in xs.chunks(h * w).enumerate() {
                let got = original_plane(plane, h, w, low, high);
                bad += got
                    .iter()
                    .zip(&y[p * h * w..(p + 1) * h * w])
                    .filter(|(a, b)| a != b)
                    .count();
            }
            if bad > 0 {
                failed.push(format!("{case}: {bad}"));
            }
            cases += 1;
        }
        assert!(
            failed.is_empty(),
            "pixels differing from the original: {failed:?}"
        );
        assert!(cases >= 10);
    }
}
