//! Shirsavar (Rezghi) et al. 2022: LoG → two STDP convolution layers trained one pass each →
//! first-spike-time features → PCA(200) + RBF SVM (C = 2.4), and a linear SVM for the second
//! figure. Hyper-parameters: the original example (shared spec `reference-pipelines.md`).
//!
//! ```text
//! cargo run --release --example rezghi -- [--data DIR] [--limit N] [--epochs N] [--threads N]
//!     [--seed S] [--scaled] [--save FILE.npz | --load FILE.npz] [--batch N]
//!     [--dump-features FILE.npz] [--no-linear] [--quiet]
//! ```
//! `--epochs` sets the STDP passes of each layer (1 in the paper). `--scaled` makes the LR step
//! every 267 instead of 2,000 images, for the 8,000-image bundled split.

pub mod common;

use common::classify::{accuracy, linear_svm, pca_rbf_svm};
use common::{Args, LrStep, Phase, Res, StdpLayer};
use spyker::{Conv, DType, Device, LoG, STDPConfig, Tensor};
use std::time::Instant;

fn main() -> Res<()> {
    run(&Args::parse()?).map(|_| ())
}

/// Trains and evaluates the network; returns the test accuracy of the RBF SVM.
pub fn run(args: &Args) -> Res<f64> {
    let total = Instant::now();
    let data = common::load_data(args)?;

    let log = LoG::new(
        3,
        &[0.471404521, 1.099943882, 2.042752923],
        3,
        Device::Cpu,
        DType::F32,
    )?;
    let encode = |x: &Tensor| {
        let f = log.forward(x)?;
        spyker::threshold_inplace(&f, 0.01, 0.0)?;
        spyker::code_times(&f, 15, true)
    };
    let mut c1 = Conv::new(6, 100, 5, 1, 2, 0.5, 0.02, Device::Cpu, DType::F32)?;
    c1.stdpconfig = vec![STDPConfig::new(0.0004, -0.0003)];
    let mut c2 = Conv::new(100, 200, 3, 1, 1, 0.5, 0.02, Device::Cpu, DType::F32)?;
    c2.stdpconfig = vec![STDPConfig::new(0.0004, -0.0003)];
    let epochs = args.epochs.unwrap_or(1);
    let every = args.interval(2000);

    let loaded = common::load(args, &mut [("conv1", &mut c1), ("conv2", &mut c2)])?;
    if !loaded {
        let spec = StdpLayer {
            threshold: 16.0,
            radius: 3,
            count: 5,
            epochs,
            inhibit_input: false,
        };
        let step = Some(LrStep::new(every, 1.5, 1.5));
        common::train_layer(
            "conv1",
            &mut c1,
            &spec,
            &data.train,
            args.batch,
            step,
            encode,
        )?;
    }
    // Layer 1 on first-spike times: the same spikes as fire(conv) + pool, without T frames.
    let layer1_times = |x: &Tensor| common::fire_pool_times(&c1, &encode(x)?, 16.0, 2, 0);
    if !loaded {
        let spec = StdpLayer {
            threshold: 5.0,
            radius: 1,
            count: 8,
            epochs,
            inhibit_input: false,
        };
        let step = Some(LrStep::new(every, 1.5, 1.5));
        common::train_layer(
            "conv2",
            &mut c2,
            &spec,
            &data.train,
            args.batch,
            step,
            layer1_times,
        )?;
    }
    common::save(args, &[("conv1", &c1), ("conv2", &c2)])?;

    // 15 − first-spike time of the pooled second layer: early spikes give large features.
    // (pooled times = gather(pool(fire(conv))), exactly).
    let feature = |x: &Tensor| -> spyker::Result<Vec<f64>> {
        let p = common::fire_pool_times(&c2, &layer1_times(x)?, 5.0, 3, 0)?;
        Ok(p.to_vec::<u8>()?.iter().map(|&t| 15.0 - t as f64).collect())
    };
    let phase = Phase::start("features");
    let train_f = common::features("train features", &data.train, args.batch, feature)?;
    let test_f = common::features("test features", &data.test, args.batch, feature)?;
    phase.end(data.train_y.len() + data.test_y.len());
    common::dump_features(args, &train_f, &data, &test_f)?;

    let phase = Phase::start("PCA(200) + RBF SVM");
    let pred = spyker::runtime::install(|| {
        pca_rbf_svm(train_f.view(), &data.train_y, test_f.view(), 200, 2.4)
    })?;
    phase.end(data.train_y.len());
    let acc = accuracy(&pred, &data.test_y);
    if !args.no_linear {
        let phase = Phase::start("linear SVM");
        let pred =
            spyker::runtime::install(|| linear_svm(train_f, &data.train_y, test_f.view(), 2.4))?;
        phase.end(data.train_y.len());
        println!(
            "linear SVM: test accuracy {:.2} %",
            accuracy(&pred, &data.test_y) * 100.0
        );
    }
    common::report("rezghi (PCA + RBF SVM)", acc, total.elapsed().as_secs_f64());
    Ok(acc)
}
