//! The classifier stage of the reference networks: PCA + RBF SVM and a linear SVM, standing in
//! for the original scripts' scikit-learn `PCA(200)` + `SVC(C=2.4)` and `LinearSVC(C=2.4)`.
//!
//! Design (measured on real features, see docs/REPRODUCTION.md):
//! - PCA: covariance `XcᵀXc` with ndarray's GEMM (column blocks in parallel), then block
//!   subspace iteration with QR re-orthonormalisation and a Rayleigh–Ritz step solved with
//!   `linfa-linalg`'s symmetric eigen solver. scikit-learn's own PCA on data this size is also a
//!   randomized subspace method; an RBF kernel only sees the subspace, not the basis.
//! - SVM: `linfa-svm` binary C-SVMs, combined one-vs-one with majority voting like libsvm
//!   (which sklearn's `SVC` wraps), so each binary problem only holds two classes
//!   (~1,600 samples on the bundled split instead of 8,000). The pairs train in parallel.
//! - `gamma = 1 / (n_features · Var(X))` as sklearn's `gamma="scale"`.
#![allow(dead_code)]

use linfa::prelude::*;
use linfa_linalg::{eigh::Eigh, qr::QR};
use linfa_svm::Svm;
use ndarray::{s, Array1, Array2, ArrayView2, Axis};
use rayon::prelude::*;

/// A fitted principal-component projection.
pub struct Pca {
    mean: Array1<f64>,
    /// `[features, components]`, orthonormal columns, by decreasing variance.
    components: Array2<f64>,
}

impl Pca {
    /// Fits `k` components to the rows of `x`.
    pub fn fit(x: ArrayView2<f64>, k: usize, seed: u64) -> Result<Pca, String> {
        let (n, d) = x.dim();
        if n < 2 || k == 0 || k > d.min(n) {
            return Err(format!(
                "PCA: expected 0 < components <= min(samples, features), got {k} for {n}x{d}"
            ));
        }
        let mean = x.mean_axis(Axis(0)).ok_or("PCA: empty input")?;
        let xc = &x - &mean;
        let cov = covariance(xc.view());
        // Oversampled block, as randomized SVD does; extra iterations make the leading k exact
        // to far below what changes a classifier's decision.
        let width = (k + 20).min(d);
        let mut q = gaussian(d, width, seed);
        for _ in 0..10 {
            let y = par_dot(cov.view(), q.view());
            q = orthonormal(y)?;
        }
        let b = q.t().dot(&par_dot(cov.view(), q.view()));
        let b = (&b + &b.t()) * 0.5;
        let (vals, vecs) = b.eigh().map_err(|e| format!("PCA eigen solver: {e}"))?;
        let mut order: Vec<usize> = (0..vals.len()).collect();
        order.sort_by(|&i, &j| vals[j].total_cmp(&vals[i]));
        let mut top = Array2::zeros((width, k));
        for (c, &i) in order.iter().take(k).enumerate() {
            top.column_mut(c).assign(&vecs.column(i));
        }
        Ok(Pca {
            mean,
            components: q.dot(&top),
        })
    }

    /// The components as columns, `[features, k]`.
    pub fn components(&self) -> &Array2<f64> {
        &self.components
    }

    /// Projects the rows of `x` onto the components.
    pub fn transform(&self, x: ArrayView2<f64>) -> Array2<f64> {
        let xc = &x - &self.mean;
        par_dot(xc.view(), self.components.view())
    }
}

/// `XᵀX / (n − 1)`, computed in parallel over column blocks (each block is an independent
/// GEMM, so the result does not depend on the thread count).
fn covariance(xc: ArrayView2<f64>) -> Array2<f64> {
    let (n, d) = xc.dim();
    let xt = xc.t();
    let block = 128;
    let blocks: Vec<Array2<f64>> = (0..d.div_ceil(block))
        .into_par_iter()
        .map(|b| {
            let cols = b * block..((b + 1) * block).min(d);
            xt.dot(&xc.slice(s![.., cols]))
        })
        .collect();
    let mut cov = Array2::zeros((d, d));
    for (b, m) in blocks.into_iter().enumerate() {
        let c0 = b * block;
        cov.slice_mut(s![.., c0..c0 + m.ncols()]).assign(&m);
    }
    cov / (n as f64 - 1.0)
}

/// `a · b` with the rows of `a` split over threads (row blocks are independent products).
fn par_dot(a: ArrayView2<f64>, b: ArrayView2<f64>) -> Array2<f64> {
    let rows = 256;
    let parts: Vec<Array2<f64>> = (0..a.nrows().div_ceil(rows))
        .into_par_iter()
        .map(|i| {
            let r = i * rows..((i + 1) * rows).min(a.nrows());
            a.slice(s![r, ..]).dot(&b)
        })
        .collect();
    let views: Vec<_> = parts.iter().map(|p| p.view()).collect();
    ndarray::concatenate(Axis(0), &views).expect("row blocks share the column count")
}

fn orthonormal(y: Array2<f64>) -> Result<Array2<f64>, String> {
    let qr = y.qr().map_err(|e| format!("PCA QR: {e}"))?;
    Ok(qr.generate_q())
}

/// Deterministic standard-normal matrix (splitmix64 + Box–Muller): the starting block only has
/// to be in general position.
fn gaussian(rows: usize, cols: usize, seed: u64) -> Array2<f64> {
    let mut state = seed ^ 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    };
    Array2::from_shape_simple_fn((rows, cols), || {
        let u1 = next().max(1e-300);
        let u2 = next();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    })
}

/// Kernel of the binary SVMs.
#[derive(Clone, Copy, Debug)]
pub enum Kernel {
    /// `exp(−gamma ‖x − y‖²)`.
    Rbf { gamma: f64 },
    /// `x · y`.
    Linear,
}

/// sklearn's `gamma="scale"`: `1 / (n_features · Var(X))` over all entries of `x`.
pub fn gamma_scale(x: ArrayView2<f64>) -> f64 {
    let var = x.var(0.0);
    if var > 0.0 {
        1.0 / (x.ncols() as f64 * var)
    } else {
        1.0
    }
}

/// A one-vs-one multi-class C-SVM made of `linfa-svm` binary machines.
pub struct OneVsOne {
    classes: Vec<usize>,
    /// `(i, j, machine)`: `true` votes for `classes[i]`, `false` for `classes[j]`.
    machines: Vec<(usize, usize, Svm<f64, bool>)>,
}

impl OneVsOne {
    /// Trains one binary machine per pair of classes present in `y`.
    pub fn fit(x: ArrayView2<f64>, y: &[usize], c: f64, kernel: Kernel) -> Result<Self, String> {
        if x.nrows() != y.len() || y.is_empty() {
            return Err(format!(
                "SVM: expected one label per sample, got {} samples and {} labels",
                x.nrows(),
                y.len()
            ));
        }
        let mut classes = y.to_vec();
        classes.sort_unstable();
        classes.dedup();
        if classes.len() < 2 {
            return Err(format!(
                "SVM: expected at least two classes, got {classes:?}"
            ));
        }
        let pairs: Vec<(usize, usize)> = (0..classes.len())
            .flat_map(|i| (i + 1..classes.len()).map(move |j| (i, j)))
            .collect();
        let machines = pairs
            .into_par_iter()
            .map(|(i, j)| {
                let idx: Vec<usize> = (0..y.len())
                    .filter(|&s| y[s] == classes[i] || y[s] == classes[j])
                    .collect();
                let records = x.select(Axis(0), &idx);
                let targets: Array1<bool> = idx.iter().map(|&s| y[s] == classes[i]).collect();
                let params = Svm::<f64, bool>::params().pos_neg_weights(c, c);
                let params = match kernel {
                    Kernel::Rbf { gamma } => params.gaussian_kernel(1.0 / gamma),
                    Kernel::Linear => params.linear_kernel(),
                };
                // libsvm's (and so sklearn's) stopping tolerance.
                let params = params.eps(1e-3);
                let svm = params
                    .fit(&Dataset::new(records, targets))
                    .map_err(|e| format!("SVM {}-vs-{}: {e}", classes[i], classes[j]))?;
                Ok((i, j, svm))
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(OneVsOne { classes, machines })
    }

    /// Majority vote of the pairwise machines; ties go to the lower class, as in libsvm.
    pub fn predict(&self, x: ArrayView2<f64>) -> Vec<usize> {
        let k = self.classes.len();
        let decisions: Vec<Array1<bool>> = self
            .machines
            .par_iter()
            .map(|(_, _, m)| m.predict(&x))
            .collect();
        (0..x.nrows())
            .map(|s| {
                let mut votes = vec![0usize; k];
                for ((i, j, _), d) in self.machines.iter().zip(&decisions) {
                    votes[if d[s] { *i } else { *j }] += 1;
                }
                let best = (0..k).fold(0, |b, c| if votes[c] > votes[b] { c } else { b });
                self.classes[best]
            })
            .collect()
    }
}

/// Fraction of `pred` equal to `truth`.
pub fn accuracy(pred: &[usize], truth: &[usize]) -> f64 {
    let hits = pred.iter().zip(truth).filter(|(a, b)| a == b).count();
    hits as f64 / truth.len().max(1) as f64
}

/// The Rezghi classifier: PCA to `components` dimensions, then a one-vs-one RBF SVM
/// (`gamma="scale"`). Returns the test predictions.
pub fn pca_rbf_svm(
    train: ArrayView2<f64>,
    train_y: &[usize],
    test: ArrayView2<f64>,
    components: usize,
    c: f64,
) -> Result<Vec<usize>, String> {
    let k = components.min(train.ncols()).min(train.nrows());
    let pca = Pca::fit(train, k, 0)?;
    let (tr, te) = (pca.transform(train), pca.transform(test));
    let gamma = gamma_scale(tr.view());
    let svm = OneVsOne::fit(tr.view(), train_y, c, Kernel::Rbf { gamma })?;
    Ok(svm.predict(te.view()))
}

/// Converts a `[N, ...]` feature tensor (any dtype) into an `N × F` f64 matrix.
pub fn to_matrix(t: &spyker::Tensor) -> Result<Array2<f64>, String> {
    let n = t.shape().first().copied().unwrap_or(0);
    let f = t.numel().checked_div(n).unwrap_or(0);
    let v = t.to_vec_as::<f64>().map_err(|e| e.to_string())?;
    Array2::from_shape_vec((n, f), v).map_err(|e| e.to_string())
}

/// The linear figure: multinomial logistic regression (`linfa-logistic`, L-BFGS) with the L2
/// weight `alpha = 1 / c`, the same regularisation balance as sklearn's `C`. It stands in for
/// sklearn's `LinearSVC(C=2.4)`: a kernel SVM solver (`linfa-svm`) builds an `n × n` kernel
/// pair by pair, far too slow on 3,200–12,150 raw features; the accuracy difference measured on
/// the same features is in docs/REPRODUCTION.md. Takes the training matrix by value: the solver
/// needs it owned, and a copy of full-MNIST features is 5.8 GB.
pub fn linear_svm(
    train: Array2<f64>,
    train_y: &[usize],
    test: ArrayView2<f64>,
    c: f64,
) -> Result<Vec<usize>, String> {
    if train.nrows() != train_y.len() || train_y.is_empty() {
        return Err(format!(
            "linear classifier: expected one label per sample, got {} samples and {} labels",
            train.nrows(),
            train_y.len()
        ));
    }
    if test.ncols() != train.ncols() {
        return Err(format!(
            "linear classifier: expected test samples of {} features, got {}",
            train.ncols(),
            test.ncols()
        ));
    }
    let (train, keep) = drop_zero_columns(train);
    let targets: Array1<usize> = train_y.iter().copied().collect();
    let model = linfa_logistic::MultiLogisticRegression::default()
        .alpha(1.0 / c)
        .max_iterations(100)
        .fit(&Dataset::new(train, targets))
        .map_err(|e| format!("linear classifier: {e}"))?;
    let pred = match &keep {
        Some(cols) => model.predict(&test.select(Axis(1), cols)),
        None => model.predict(&test),
    };
    Ok(pred.to_vec())
}

/// Removes the columns that are zero in every training row, in place; returns the kept column
/// indices when any was removed. Under the L2 penalty such a feature's weight has gradient
/// `alpha · w` and starts at 0, so it stays exactly 0 and never changes a prediction: the model
/// is the same, the solver's GEMMs are smaller. Spiking features have many (Kheradpisheh on full
/// MNIST: 5,326 of 12,150 pooled positions never fire on the training set).
pub fn drop_zero_columns(train: Array2<f64>) -> (Array2<f64>, Option<Vec<usize>>) {
    let (n, d) = train.dim();
    let mut used = vec![false; d];
    for row in train.rows() {
        for (u, &v) in used.iter_mut().zip(row) {
            *u |= v != 0.0;
        }
    }
    let keep: Vec<usize> = (0..d).filter(|&c| used[c]).collect();
    if keep.len() == d || keep.is_empty() {
        return (train, None);
    }
    let k = keep.len();
    // `as_standard_layout` would borrow, and `into_owned` then copy, an array already in order.
    let train = if train.is_standard_layout() {
        train
    } else {
        train.as_standard_layout().into_owned()
    };
    let (mut v, offset) = train.into_raw_vec_and_offset();
    let offset = offset.unwrap_or(0);
    // Entry (r, j) moves from offset + r·d + keep[j] to r·k + j: never past its source, and
    // sources are read in increasing order, so no entry is overwritten before it is read.
    for r in 0..n {
        for (j, &col) in keep.iter().enumerate() {
            v[r * k + j] = v[offset + r * d + col];
        }
    }
    v.truncate(n * k);
    let compact = Array2::from_shape_vec((n, k), v).expect("n · k entries were kept");
    (compact, Some(keep))
}
