//! Runs the classifier stage alone on a features file, so the features of this library and of
//! the original (`scripts/reference/pipelines.py --dump-features`) go through the same classifier.
//!
//! `cargo run --release --example classify_features -- FILE.npz [--linear | --linear-only]
//! [--limit N] [--threads N]` where the file holds `train_x [N, F]`, `train_y [N]`,
//! `test_x [M, F]`, `test_y [M]`; `--limit N` keeps the first N training samples.

// Only the classifier: the rest of examples/common needs the spiking ops.
#[path = "common/classify.rs"]
mod classify;

use classify::{accuracy, gamma_scale, linear_svm, to_matrix, Kernel, OneVsOne, Pca};
use ndarray::Array2;
use std::time::Instant;

fn labels(t: &spyker::Tensor) -> Result<Vec<usize>, String> {
    let v = t.to_vec_as::<i64>().map_err(|e| e.to_string())?;
    Ok(v.into_iter().map(|x| x.max(0) as usize).collect())
}

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args.first().ok_or(
        "usage: classify_features FILE.npz [--linear | --linear-only] [--limit N] [--threads N]",
    )?;
    let linear_only = args.iter().any(|a| a == "--linear-only");
    let linear = linear_only || args.iter().any(|a| a == "--linear");
    let flag = |name: &str| -> Result<Option<usize>, String> {
        match args.iter().position(|a| a == name) {
            None => Ok(None),
            Some(i) => args
                .get(i + 1)
                .and_then(|v| v.parse().ok())
                .map(Some)
                .ok_or(format!("{name} N")),
        }
    };
    if let Some(n) = flag("--threads")? {
        spyker::set_max_threads(n as i64);
    }
    let arrays = spyker::io::read_npz(path).map_err(|e| e.to_string())?;
    let get = |name: &str| {
        arrays
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t.clone())
            .ok_or(format!("{path}: no array {name}"))
    };
    let (mut trx, tex) = (to_matrix(&get("train_x")?)?, to_matrix(&get("test_x")?)?);
    let (mut try_, tey) = (labels(&get("train_y")?)?, labels(&get("test_y")?)?);
    // The f32 tensors are not needed once converted (full MNIST: 2.9 GB).
    drop(arrays);
    if let Some(n) = flag("--limit")?.filter(|&n| n < trx.nrows()) {
        trx = trx.slice_move(ndarray::s![..n, ..]);
        try_.truncate(n);
    }
    println!("train {:?}, test {:?}", trx.dim(), tex.dim());
    if !linear_only {
        rbf(&trx, &try_, &tex, &tey)?;
    }
    if linear {
        let t = Instant::now();
        let pred = spyker::runtime::install(|| linear_svm(trx, &try_, tex.view(), 2.4))?;
        println!(
            "linear (logistic): {:.4} in {:.1} s",
            accuracy(&pred, &tey),
            t.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// PCA(200) + one-vs-one RBF SVM, the Rezghi classifier.
fn rbf(trx: &Array2<f64>, try_: &[usize], tex: &Array2<f64>, tey: &[usize]) -> Result<(), String> {
    let t = Instant::now();
    // The classifier's rayon calls run on the library's pool, so --threads bounds them too.
    let pred = spyker::runtime::install(|| -> Result<Vec<usize>, String> {
        let pca = Pca::fit(trx.view(), 200.min(trx.ncols()), 0)?;
        let (a, b) = (pca.transform(trx.view()), pca.transform(tex.view()));
        println!("  PCA: {:.1} s", t.elapsed().as_secs_f64());
        let gamma = gamma_scale(a.view());
        let svm = OneVsOne::fit(a.view(), try_, 2.4, Kernel::Rbf { gamma })?;
        println!("  SVM fit: {:.1} s", t.elapsed().as_secs_f64());
        Ok(svm.predict(b.view()))
    })?;
    println!(
        "PCA(200) + RBF SVM: {:.4} in {:.1} s",
        accuracy(&pred, tey),
        t.elapsed().as_secs_f64()
    );
    Ok(())
}
