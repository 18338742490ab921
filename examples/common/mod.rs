//! Shared code of the reference-network examples: command line, data, progress bars, timings,
//! the STDP training loop with its learning-rate schedule, feature extraction and the classifier.
#![allow(dead_code)]

pub mod classify;

use indicatif::{ProgressBar, ProgressStyle};
use spyker::{Conv, STDPConfig, Tensor};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// Set by `--quiet`: no progress bars or phase lines.
static QUIET: AtomicBool = AtomicBool::new(false);

/// True under `--quiet`.
pub fn quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// Boxed error: examples print the message and exit non-zero.
pub type Res<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// Command-line options common to the three networks.
#[derive(Debug, Clone)]
pub struct Args {
    /// Folder with the four MNIST IDX files (raw or .gz).
    pub data: PathBuf,
    /// Use only the first N training images (and N/4 test images).
    pub limit: Option<usize>,
    /// Overrides the network's main epoch count (see each example).
    pub epochs: Option<usize>,
    /// Library threads (0: one per hardware thread).
    pub threads: i64,
    /// Seed of the library generator (kernels are drawn from it).
    pub seed: i64,
    /// Write the trained kernels to this .npz.
    pub save: Option<PathBuf>,
    /// Read trained kernels from this .npz instead of training.
    pub load: Option<PathBuf>,
    /// Multiply the learning-rate step intervals by 8,000 / 60,000 (schedules were written for
    /// 60,000 training images).
    pub scaled: bool,
    /// Images per batch.
    pub batch: usize,
    /// Write the classifier inputs (features) to this .npz.
    pub dump_features: Option<PathBuf>,
    /// Skip the linear classifier (Rezghi's second figure).
    pub no_linear: bool,
    /// Print nothing but errors and the final line (tests).
    pub quiet: bool,
}

const USAGE: &str = "options: --data DIR  --limit N  --epochs N  --threads N  --seed S  \
--save FILE.npz  --load FILE.npz  --scaled  --batch N  --dump-features FILE.npz  --no-linear  --quiet";

impl Args {
    /// Parses `std::env::args()`.
    pub fn parse() -> Res<Args> {
        Args::parse_from(std::env::args().collect())
    }

    /// Parses a command line (`argv[0]` is the program name), then sets the library's thread
    /// count and seed.
    pub fn parse_from(argv: Vec<String>) -> Res<Args> {
        let mut a = Args {
            data: spyker::helpers::bundled_mnist_dir(),
            limit: None,
            epochs: None,
            threads: 0,
            seed: 0,
            save: None,
            load: None,
            scaled: false,
            batch: 64,
            dump_features: None,
            no_linear: false,
            quiet: false,
        };
        let mut it = argv.into_iter().skip(1);
        while let Some(flag) = it.next() {
            let mut value = || it.next().ok_or(format!("{flag} needs a value; {USAGE}"));
            match flag.as_str() {
                "--data" => a.data = value()?.into(),
                "--limit" => a.limit = Some(value()?.parse()?),
                "--epochs" => a.epochs = Some(value()?.parse()?),
                "--threads" => a.threads = value()?.parse()?,
                "--seed" => a.seed = value()?.parse()?,
                "--save" => a.save = Some(value()?.into()),
                "--load" => a.load = Some(value()?.into()),
                "--batch" => a.batch = value()?.parse()?,
                "--dump-features" => a.dump_features = Some(value()?.into()),
                "--scaled" => a.scaled = true,
                "--no-linear" => a.no_linear = true,
                "--quiet" => a.quiet = true,
                "-h" | "--help" => {
                    println!("{USAGE}");
                    std::process::exit(0);
                }
                other => return Err(format!("unknown option {other}; {USAGE}").into()),
            }
        }
        if a.batch == 0 {
            return Err("--batch must be at least 1".into());
        }
        QUIET.store(a.quiet, Ordering::Relaxed);
        spyker::set_max_threads(a.threads);
        spyker::random_seed(a.seed);
        Ok(a)
    }

    /// An LR-step interval of the original schedule, scaled with `--scaled`.
    pub fn interval(&self, images: usize) -> usize {
        if self.scaled {
            ((images as f64 * 8000.0 / 60000.0).round() as usize).max(1)
        } else {
            images
        }
    }
}

/// Images as f32 in [0, 1], `[N, 1, 28, 28]`, and labels.
pub struct Data {
    pub train: Tensor,
    pub train_y: Vec<usize>,
    pub test: Tensor,
    pub test_y: Vec<usize>,
}

fn scaled_images(t: &Tensor, n: usize) -> Res<Tensor> {
    let mut shape = t.shape().to_vec();
    shape[0] = n;
    let px: usize = shape[1..].iter().product();
    let v: Vec<f32> = t.to_vec::<u8>()?[..n * px]
        .iter()
        .map(|&b| b as f32 / 255.0)
        .collect();
    Ok(Tensor::from_vec(v, &shape)?)
}

/// Loads `args.data`, keeping the first `--limit` training and `--limit / 4` test images.
pub fn load_data(args: &Args) -> Res<Data> {
    let t = Instant::now();
    let m = spyker::helpers::load_mnist_dir(&args.data)?;
    let (ntr, nte) = (m.train_images.shape()[0], m.test_images.shape()[0]);
    let (ntr, nte) = match args.limit {
        Some(l) => (l.min(ntr), (l / 4).max(1).min(nte)),
        None => (ntr, nte),
    };
    let labels = |t: &Tensor, n: usize| -> Res<Vec<usize>> {
        Ok(t.to_vec::<u8>()?[..n].iter().map(|&l| l as usize).collect())
    };
    let d = Data {
        train: scaled_images(&m.train_images, ntr)?,
        train_y: labels(&m.train_labels, ntr)?,
        test: scaled_images(&m.test_images, nte)?,
        test_y: labels(&m.test_labels, nte)?,
    };
    if !quiet() {
        println!(
            "data: {} ({ntr} train, {nte} test images) in {:.1} s, {} threads",
            args.data.display(),
            t.elapsed().as_secs_f64(),
            spyker::max_threads()
        );
    }
    Ok(d)
}

/// The batches `[start, end)` of `n` items.
pub fn batches(n: usize, size: usize) -> impl Iterator<Item = (usize, usize)> {
    (0..n).step_by(size).map(move |s| (s, (s + size).min(n)))
}

/// A progress bar over `n` images.
pub fn bar(n: usize, what: &str) -> ProgressBar {
    if quiet() {
        return ProgressBar::hidden();
    }
    let b = ProgressBar::new(n as u64);
    b.set_style(
        ProgressStyle::with_template("{msg:>22} [{bar:30}] {pos}/{len} images {per_sec} eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    b.set_message(what.to_string());
    b
}

/// Wall time of a phase, printed with its throughput when it ends.
pub struct Phase {
    name: String,
    start: Instant,
}

impl Phase {
    pub fn start(name: &str) -> Phase {
        Phase {
            name: name.into(),
            start: Instant::now(),
        }
    }

    /// Prints and returns the seconds spent; `images` is the work done, for images/s.
    pub fn end(self, images: usize) -> f64 {
        let s = self.start.elapsed().as_secs_f64();
        if quiet() {
            return s;
        }
        println!(
            "{:>22}: {s:8.1} s  {:9.1} images/s",
            self.name,
            images as f64 / s.max(1e-9)
        );
        s
    }
}

/// The original's LR step: every `every` images seen, `positive *= m` (capped at `cap`) and
/// `negative` keeps its ratio to `positive`.
pub struct LrStep {
    pub every: usize,
    pub m: f64,
    pub cap: f64,
    seen: usize,
}

impl LrStep {
    pub fn new(every: usize, m: f64, cap: f64) -> LrStep {
        LrStep {
            every: every.max(1),
            m,
            cap,
            seen: 0,
        }
    }

    /// Records `n` more images and applies the steps that became due.
    pub fn update(&mut self, layer: &mut Conv, n: usize) {
        let before = self.seen / self.every;
        self.seen += n;
        for _ in before..self.seen / self.every {
            let cfg = layer.stdpconfig[0];
            let ratio = cfg.negative / cfg.positive;
            let pos = (cfg.positive * self.m).min(self.cap);
            layer.stdpconfig = vec![STDPConfig::new(pos, pos * ratio)];
        }
    }
}

/// One STDP layer's hyper-parameters (spec reference-pipelines).
pub struct StdpLayer {
    pub threshold: f32,
    pub radius: usize,
    pub count: usize,
    pub epochs: usize,
    /// Inhibit the layer's input spikes before use (Kheradpisheh's second layer).
    pub inhibit_input: bool,
}

/// Trains `layer` with STDP: per batch `pot = inhibit(threshold(conv(a), θ))`,
/// `layer.stdp(a, convwta(pot), fire(pot))`, where `a = times_to_spikes(input(images))`
/// (`Conv::stdp_step_times`: `input` gives first-spike times, `T` = 15).
pub fn train_layer(
    name: &str,
    layer: &mut Conv,
    spec: &StdpLayer,
    images: &Tensor,
    batch: usize,
    mut step: Option<LrStep>,
    input: impl Fn(&Tensor) -> spyker::Result<Tensor>,
) -> Res<f64> {
    let n = images.shape()[0];
    let phase = Phase::start(&format!("train {name}"));
    for epoch in 0..spec.epochs {
        let pb = bar(n, &format!("{name} epoch {}/{}", epoch + 1, spec.epochs));
        for (s, e) in batches(n, batch) {
            let times = input(&images.slice(s, e)?)?;
            // The whole step, fused on spike times (same winners and weights as the
            // composition, tests/fused_step.rs).
            if spec.inhibit_input {
                let a = spyker::times_to_spikes(&times, 15)?;
                spyker::inhibit_inplace(&a, 0.0)?;
                layer.stdp_step(&a, spec.threshold, spec.radius, spec.count)?;
            } else {
                layer.stdp_step_times(&times, 15, spec.threshold, spec.radius, spec.count)?;
            }
            if let Some(st) = step.as_mut() {
                st.update(layer, e - s);
            }
            pb.inc((e - s) as u64);
        }
        pb.finish_and_clear();
    }
    Ok(phase.end(n * spec.epochs))
}

/// Runs `f` over all images in batches and stacks the flattened results into an `N × F`
/// f64 matrix (the classifier's input).
pub fn features(
    what: &str,
    images: &Tensor,
    batch: usize,
    f: impl Fn(&Tensor) -> spyker::Result<Vec<f64>>,
) -> Res<ndarray::Array2<f64>> {
    let n = images.shape()[0];
    let pb = bar(n, what);
    let mut rows = Vec::new();
    for (s, e) in batches(n, batch) {
        rows.extend(f(&images.slice(s, e)?)?);
        pb.inc((e - s) as u64);
    }
    pb.finish_and_clear();
    let width = rows.len() / n.max(1);
    Ok(ndarray::Array2::from_shape_vec((n, width), rows)?)
}

/// One layer on first-spike times: `gather(pool(fire(conv(scatter(times)), threshold)))`
/// exactly, through `Conv::forward_fire_pool_times` (no `T` frames, and only the convolution
/// outputs the pooling reads).
pub fn fire_pool_times(
    conv: &Conv,
    times: &Tensor,
    threshold: f32,
    pool: usize,
    pad: usize,
) -> spyker::Result<Tensor> {
    conv.forward_fire_pool_times(times, 15, threshold, pool, None, pad)
}

/// Writes the classifier inputs so both libraries' features can go through one classifier
/// (`examples/classify_features.rs`, `scripts/reference/pipelines.py --dump-features`).
pub fn dump_features(
    args: &Args,
    train: &ndarray::Array2<f64>,
    data: &Data,
    test: &ndarray::Array2<f64>,
) -> Res<()> {
    if let Some(path) = &args.dump_features {
        let f32s = |m: &ndarray::Array2<f64>| -> spyker::Result<Tensor> {
            Tensor::from_vec(
                m.iter().map(|&x| x as f32).collect(),
                &[m.nrows(), m.ncols()],
            )
        };
        let ints = |y: &[usize]| -> spyker::Result<Tensor> {
            Tensor::from_vec(y.iter().map(|&l| l as i64).collect(), &[y.len()])
        };
        let (a, b) = (f32s(train)?, f32s(test)?);
        let (c, d) = (ints(&data.train_y)?, ints(&data.test_y)?);
        spyker::io::write_npz(
            path,
            &[
                ("train_x", &a),
                ("train_y", &c),
                ("test_x", &b),
                ("test_y", &d),
            ],
        )?;
        println!("features written to {}", path.display());
    }
    Ok(())
}

/// Saves the named kernels with `--save`.
pub fn save(args: &Args, layers: &[(&str, &Conv)]) -> Res<()> {
    if let Some(path) = &args.save {
        let named: Vec<(&str, &Tensor)> = layers.iter().map(|(n, c)| (*n, &c.kernel)).collect();
        spyker::io::model::save_layers(path, &named)?;
        println!("kernels saved to {}", path.display());
    }
    Ok(())
}

/// With `--load`, replaces each layer's kernel by the one of the same name in the file and
/// returns true (training is then skipped).
pub fn load(args: &Args, layers: &mut [(&str, &mut Conv)]) -> Res<bool> {
    let Some(path) = &args.load else {
        return Ok(false);
    };
    let stored = spyker::io::model::load_layers(path)?;
    for (name, conv) in layers.iter_mut() {
        let (_, k) = stored
            .iter()
            .find(|(n, _)| n == *name)
            .ok_or(format!("{}: no layer named {name}", path.display()))?;
        if k.shape() != conv.kernel.shape() {
            return Err(format!(
                "{}: layer {name} has shape {:?}, the network needs {:?}",
                path.display(),
                k.shape(),
                conv.kernel.shape()
            )
            .into());
        }
        conv.kernel = k.clone();
    }
    println!("kernels loaded from {}", path.display());
    Ok(true)
}

/// Prints the final line every example ends with.
pub fn report(name: &str, accuracy: f64, total_s: f64) {
    println!(
        "{name}: test accuracy {:.2} % ({total_s:.1} s in all)",
        accuracy * 100.0
    );
}
