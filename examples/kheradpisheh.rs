//! Kheradpisheh et al. 2018: DoG → two STDP convolution layers → spike features (maximum over
//! time of the pooled second layer) → linear classifier (C = 2.4). Hyper-parameters: the
//! original example (shared spec `reference-pipelines.md`).
//!
//! ```text
//! cargo run --release --example kheradpisheh -- [--data DIR] [--limit N] [--epochs N]
//!     [--threads N] [--seed S] [--scaled] [--save FILE.npz | --load FILE.npz] [--batch N]
//!     [--dump-features FILE.npz]
//! ```
//! `--epochs` sets the second layer's epochs (20). `--scaled` makes the first layer's LR step
//! every 67 instead of 500 images.

pub mod common;

use common::classify::{accuracy, linear_svm};
use common::{Args, LrStep, Phase, Res, StdpLayer};
use spyker::{Conv, DType, Device, DoG, DoGFilter, STDPConfig, Tensor};
use std::time::Instant;

fn main() -> Res<()> {
    run(&Args::parse()?).map(|_| ())
}

/// Trains and evaluates the network; returns its test accuracy.
pub fn run(args: &Args) -> Res<f64> {
    let total = Instant::now();
    let data = common::load_data(args)?;

    let filters = [DoGFilter::new(1.0, 2.0), DoGFilter::new(2.0, 1.0)];
    let dog = DoG::new(3, &filters, 3, Device::Cpu, DType::F32)?;
    let encode = |x: &Tensor| {
        let f = dog.forward(x)?;
        spyker::threshold_inplace(&f, 0.01, 0.0)?;
        spyker::code_times(&f, 15, true)
    };
    let mut c1 = Conv::new(2, 32, 5, 1, 2, 0.8, 0.05, Device::Cpu, DType::F32)?;
    c1.stdpconfig = vec![STDPConfig::new(0.004, -0.003)];
    let mut c2 = Conv::new(32, 150, 2, 1, 1, 0.8, 0.05, Device::Cpu, DType::F32)?;
    c2.stdpconfig = vec![STDPConfig::new(0.004, -0.003)];

    let loaded = common::load(args, &mut [("conv1", &mut c1), ("conv2", &mut c2)])?;
    if !loaded {
        let spec = StdpLayer {
            threshold: 10.0,
            radius: 2,
            count: 5,
            epochs: 2,
            inhibit_input: false,
        };
        let step = Some(LrStep::new(args.interval(500), 2.0, 0.15));
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
    let layer1_times = |x: &Tensor| common::fire_pool_times(&c1, &encode(x)?, 10.0, 2, 1);
    if !loaded {
        // The second layer sees inhibited first-layer spikes and has no LR schedule.
        let spec = StdpLayer {
            threshold: 1.0,
            radius: 1,
            count: 8,
            epochs: args.epochs.unwrap_or(20),
            inhibit_input: true,
        };
        common::train_layer(
            "conv2",
            &mut c2,
            &spec,
            &data.train,
            args.batch,
            None,
            layer1_times,
        )?;
    }
    common::save(args, &[("conv1", &c1), ("conv2", &c2)])?;

    // Features: which pooled second-layer neurons fired at all (cumulative spikes, last step).
    // (a neuron fired at all = its pooled first-spike time is before T).
    let feature = |x: &Tensor| -> spyker::Result<Vec<f64>> {
        let p = common::fire_pool_times(&c2, &layer1_times(x)?, 1.0, 2, 1)?;
        Ok(p.to_vec::<u8>()?
            .iter()
            .map(|&t| f64::from(t < 15))
            .collect())
    };
    let phase = Phase::start("features");
    let train_f = common::features("train features", &data.train, args.batch, feature)?;
    let test_f = common::features("test features", &data.test, args.batch, feature)?;
    phase.end(data.train_y.len() + data.test_y.len());
    common::dump_features(args, &train_f, &data, &test_f)?;

    let phase = Phase::start("linear classifier");
    let pred = spyker::runtime::install(|| linear_svm(train_f, &data.train_y, test_f.view(), 2.4))?;
    phase.end(data.train_y.len());
    let acc = accuracy(&pred, &data.test_y);
    common::report("kheradpisheh", acc, total.elapsed().as_secs_f64());
    Ok(acc)
}
