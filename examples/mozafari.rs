//! Mozafari et al. 2019: DoG → two STDP convolution layers → a third layer trained with
//! reward-modulated STDP whose winner channel is the decision (no external classifier).
//! Hyper-parameters: the original example (shared spec `reference-pipelines.md`).
//!
//! ```text
//! cargo run --release --example mozafari -- [--data DIR] [--limit N] [--epochs N] [--threads N]
//!     [--seed S] [--scaled] [--save FILE.npz | --load FILE.npz] [--batch N]
//! ```
//! `--epochs` sets the R-STDP epochs (default 14; the original runs up to 680). The kernel of
//! the epoch with the best test accuracy is kept, as in the original. `--load` skips the two
//! STDP layers (and starts R-STDP from the stored third kernel).

pub mod common;

use common::{Args, LrStep, Phase, Res, StdpLayer};
use spyker::{Code, Conv, DType, Device, DoG, DoGFilter, STDPConfig, Tensor, Winner};
use std::time::Instant;

/// Label of each sample's winner channel (`z / 20`: 20 channels per digit), −1 when silent.
fn decide(c3: &Conv, a: &Tensor) -> spyker::Result<(Vec<i64>, Vec<Vec<Winner>>, Tensor)> {
    // Only the last step survives `infinite`: convolve that one (same potentials, 1/T the work).
    let pot = c3.forward_infinite(a, 0.0)?;
    let winners = spyker::convwta(&pot, 0, 1, 0.0)?;
    let pred = winners
        .iter()
        .map(|w| w.first().map_or(-1, |w| w.z / 20))
        .collect();
    Ok((pred, winners, pot))
}

fn main() -> Res<()> {
    run(&Args::parse()?).map(|_| ())
}

/// Trains and evaluates the network; returns its test accuracy.
pub fn run(args: &Args) -> Res<f64> {
    let total = Instant::now();
    let data = common::load_data(args)?;

    let stds = [(3, 6), (6, 3), (7, 14), (14, 7), (13, 26), (26, 13)];
    let filters: Vec<DoGFilter> = stds
        .iter()
        .map(|&(a, b)| DoGFilter::new(a as f64 / 9.0, b as f64 / 9.0))
        .collect();
    let dog = DoG::new(3, &filters, 3, Device::Cpu, DType::F32)?;
    let encode = |x: &Tensor| {
        let f = dog.forward(x)?;
        spyker::threshold_inplace(&f, 0.02, 0.0)?;
        spyker::code_times(&f, 15, true)
    };
    let conv = |i: usize, o: usize, k: usize, pad: usize| {
        Conv::new(i, o, k, 1, pad, 0.8, 0.05, Device::Cpu, DType::F32)
    };
    let mut c1 = conv(6, 30, 5, 2)?;
    c1.stdpconfig = vec![STDPConfig::new(0.004, -0.003)];
    let mut c2 = conv(30, 250, 3, 1)?;
    c2.stdpconfig = vec![STDPConfig::new(0.004, -0.003)];
    let mut c3 = conv(250, 200, 5, 2)?;

    let every = args.interval(500);
    let layers = &mut [("conv1", &mut c1), ("conv2", &mut c2), ("conv3", &mut c3)];
    let loaded = common::load(args, layers)?;
    let l1 = StdpLayer {
        threshold: 15.0,
        radius: 3,
        count: 5,
        epochs: 2,
        inhibit_input: false,
    };
    if !loaded {
        let step = Some(LrStep::new(every, 2.0, 0.15));
        common::train_layer("conv1", &mut c1, &l1, &data.train, args.batch, step, encode)?;
    }
    // Layers 1 and 2 on first-spike times: the same spikes as fire(conv) + pool, exactly.
    let layer1_times = |x: &Tensor| common::fire_pool_times(&c1, &encode(x)?, 15.0, 2, 0);
    if !loaded {
        let l2 = StdpLayer {
            threshold: 5.0,
            radius: 1,
            count: 8,
            epochs: 4,
            inhibit_input: false,
        };
        let step = Some(LrStep::new(every, 2.0, 0.15));
        common::train_layer(
            "conv2",
            &mut c2,
            &l2,
            &data.train,
            args.batch,
            step,
            layer1_times,
        )?;
    }
    // The third layer's inputs do not change during R-STDP: compute them once and keep only
    // the first-spike times (15× smaller than the spike trains; `scatter` restores them).
    let layer2 = |x: &Tensor| -> spyker::Result<Tensor> {
        common::fire_pool_times(&c2, &layer1_times(x)?, 5.0, 3, 0)
    };
    let phase = Phase::start("layer-3 inputs");
    let inputs = |images: &Tensor, what: &str| -> Res<Vec<Tensor>> {
        let n = images.shape()[0];
        let pb = common::bar(n, what);
        let mut v = Vec::new();
        for (s, e) in common::batches(n, args.batch) {
            v.push(layer2(&images.slice(s, e)?)?);
            pb.inc((e - s) as u64);
        }
        pb.finish_and_clear();
        Ok(v)
    };
    let (a_train, a_test) = (inputs(&data.train, "train")?, inputs(&data.test, "test")?);
    phase.end(data.train_y.len() + data.test_y.len());
    let spikes = |g: &Tensor| spyker::scatter(g, 15, DType::U8);

    let evaluate = |c3: &Conv| -> Res<f64> {
        let mut hits = 0;
        for (i, g) in a_test.iter().enumerate() {
            let (pred, _, _) = decide(c3, &spikes(g)?)?;
            let truth = &data.test_y[i * args.batch..];
            hits += pred
                .iter()
                .zip(truth)
                .filter(|(p, t)| **p == **t as i64)
                .count();
        }
        Ok(hits as f64 / data.test_y.len() as f64)
    };

    // R-STDP: config 0 rewards (winner right), config 1 punishes (winner wrong); their rates
    // follow the miss and hit fractions of the last 1,024 training images.
    let (reward, punish) = ((0.004, -0.003), (-0.004, 0.0005));
    let (mut hit_frac, mut miss_frac) = (0.5, 0.5);
    let (mut seen, mut seen_hits) = (0usize, 0usize);
    let epochs = args.epochs.unwrap_or(14);
    // As in the original, only trained epochs compete (the untrained layer when there are none).
    let first = if epochs == 0 { evaluate(&c3)? } else { -1.0 };
    let (mut best, mut best_kernel) = (first, c3.kernel.copy()?);
    let phase = Phase::start("R-STDP");
    for epoch in 0..epochs {
        let pb = common::bar(
            data.train_y.len(),
            &format!("R-STDP {}/{epochs}", epoch + 1),
        );
        for (i, g) in a_train.iter().enumerate() {
            c3.stdpconfig = vec![
                STDPConfig::with_bounds(
                    reward.0 * miss_frac,
                    reward.1 * miss_frac,
                    false,
                    0.2,
                    0.8,
                ),
                STDPConfig::with_bounds(punish.0 * hit_frac, punish.1 * hit_frac, false, 0.2, 0.8),
            ];
            let a = spikes(g)?;
            let (pred, mut winners, pot) = decide(&c3, &a)?;
            let target = &data.train_y[i * args.batch..i * args.batch + pred.len()];
            for ((ws, p), t) in winners.iter_mut().zip(&pred).zip(target) {
                for w in ws.iter_mut() {
                    w.c = i64::from(*p != *t as i64);
                }
            }
            let out = spyker::fire(&pot, 0.0, DType::U8, Code::Rank)?;
            c3.stdp(&a, &winners, &out)?;
            seen += pred.len();
            seen_hits += pred
                .iter()
                .zip(target)
                .filter(|(p, t)| **p == **t as i64)
                .count();
            if seen >= 1024 {
                hit_frac = seen_hits as f64 / seen as f64;
                miss_frac = 1.0 - hit_frac;
                (seen, seen_hits) = (0, 0);
            }
            pb.inc(pred.len() as u64);
        }
        pb.finish_and_clear();
        let acc = evaluate(&c3)?;
        println!(
            "  R-STDP epoch {}: test accuracy {:.2} %",
            epoch + 1,
            acc * 100.0
        );
        if acc > best {
            (best, best_kernel) = (acc, c3.kernel.copy()?);
        }
    }
    phase.end(data.train_y.len() * epochs);
    c3.kernel = best_kernel;
    common::save(args, &[("conv1", &c1), ("conv2", &c2), ("conv3", &c3)])?;
    common::report("mozafari", best, total.elapsed().as_secs_f64());
    Ok(best)
}
