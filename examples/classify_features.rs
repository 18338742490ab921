//! Runs the classifier stage alone on a features file, so the features of this library and of
//! the original (`scripts/reference/pipelines.py --dump-features`) go through the same classifier.
//!
//! `cargo run --release --example classify_features -- FILE.npz [--linear] [--threads N]`
//! where the file holds `train_x [N, F]`, `train_y [N]`, `test_x [M, F]`, `test_y [M]`.

// Only the classifier: the rest of examples/common needs the spiking ops.
#[path = "common/classify.rs"]
mod classify;

use classify::{accuracy, gamma_scale, linear_svm, to_matrix, Kernel, OneVsOne, Pca};
use std::time::Instant;

fn labels(t: &spyker::Tensor) -> Result<Vec<usize>, String> {
    let v = t.to_vec_as::<i64>().map_err(|e| e.to_string())?;
    Ok(v.into_iter().map(|x| x.max(0) as usize).collect())
}

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args
        .first()
        .ok_or("usage: classify_features FILE.npz [--linear] [--threads N]")?;
    let linear = args.iter().any(|a| a == "--linear");
    if let Some(i) = args.iter().position(|a| a == "--threads") {
        let n: i64 = args
            .get(i + 1)
            .and_then(|v| v.parse().ok())
            .ok_or("--threads N")?;
        spyker::set_max_threads(n);
    }
    let arrays = spyker::io::read_npz(path).map_err(|e| e.to_string())?;
    let get = |name: &str| {
        arrays
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t.clone())
            .ok_or(format!("{path}: no array {name}"))
    };
    let (trx, tex) = (to_matrix(&get("train_x")?)?, to_matrix(&get("test_x")?)?);
    let (try_, tey) = (labels(&get("train_y")?)?, labels(&get("test_y")?)?);
    println!("train {:?}, test {:?}", trx.dim(), tex.dim());
    let t = Instant::now();
    // The classifier's rayon calls run on the library's pool, so --threads bounds them too.
    let pred = spyker::runtime::install(|| -> Result<Vec<usize>, String> {
        let pca = Pca::fit(trx.view(), 200.min(trx.ncols()), 0)?;
        let (a, b) = (pca.transform(trx.view()), pca.transform(tex.view()));
        println!("  PCA: {:.1} s", t.elapsed().as_secs_f64());
        let gamma = gamma_scale(a.view());
        let svm = OneVsOne::fit(a.view(), &try_, 2.4, Kernel::Rbf { gamma })?;
        println!("  SVM fit: {:.1} s", t.elapsed().as_secs_f64());
        Ok(svm.predict(b.view()))
    })?;
    println!(
        "PCA(200) + RBF SVM: {:.4} in {:.1} s",
        accuracy(&pred, &tey),
        t.elapsed().as_secs_f64()
    );
    if linear {
        let t = Instant::now();
        let pred = spyker::runtime::install(|| linear_svm(trx.view(), &try_, tex.view(), 2.4))?;
        println!(
            "linear (logistic): {:.4} in {:.1} s",
            accuracy(&pred, &tey),
            t.elapsed().as_secs_f64()
        );
    }
    Ok(())
}
