//! GPU benchmark of the Rezghi forward pass (issue 8): LoG → threshold 0.01 → rank code (T) →
//! conv1 (6→100, 5×5, pad 2) → fire 16 → pool 2 → conv2 (100→200, 3×3, pad 1) → fire 5 → pool 3
//! → gather, on bundled MNIST digits with seeded random kernels of the paper's shapes
//! (`reference-pipelines.md`), through the public dense ops, so it runs on CUDA as soon as every
//! op of the chain dispatches there.
//!
//! ```text
//! gpu_bench [--device cuda|cpu] [--batch 256] [--time 15] [--iters 20] [--warmup 3]
//!     [--stage-iters 3] [--seed 0] [--threads N] [--data DIR|FILE] [--no-check | --check]
//!     [--check-images N] [--dump DIR] [--max-seconds 60]
//! ```
//! The digits are embedded in the binary (2,000 test digits of `data/mnist10k`), so the binary
//! runs on a machine without the source tree; `--data` reads another IDX file (or the
//! `t10k-images-idx3-ubyte[.gz]` of a folder) instead. The images are uploaded once, before
//! timing: the figure is device-resident images in, device-resident features out. The warm-up
//! calls absorb the NVRTC compilation of first use (their time is printed apart). When
//! `--iters` calls would take longer than `--max-seconds`, fewer are run (and said so).
//!
//! `--dump DIR` writes the conv kernels (`conv1.f32`, `conv2.f32`: raw little-endian f32), the
//! first batch's first-spike times (`times.u8`, `[batch,200,4,4]`) and `meta.json`, so that
//! `scripts/bench/torch_rezghi.py --weights DIR` runs the PyTorch chain with the same kernels and
//! compares its output with ours.
//!
//! Output: a human-readable report and one line starting with `{"bench":` (JSON) for the docs
//! and `scripts/gpu-check.sh`. Without a GPU, `--device cuda` prints a `SKIP` notice and a JSON
//! line with `"status":"skipped"` and exits 0. A stage that fails (e.g. an op that does not run on
//! CUDA yet) prints `FAIL`, a JSON line with `"status":"error"` and exits 1.

use spyker::{Code, Conv, DType, Device, LoG, Tensor};
use std::io::Read;
use std::time::Instant;

/// 2,000 digits, 28×28 u8, gzip-compressed IDX (magic 2051).
static DIGITS: &[u8] = include_bytes!("../data/mnist10k/t10k-images-idx3-ubyte.gz");

type Res<T> = Result<T, String>;

struct Args {
    cuda: bool,
    batch: usize,
    time: usize,
    iters: usize,
    warmup: usize,
    stage_iters: usize,
    seed: i64,
    threads: Option<i64>,
    data: Option<String>,
    check: bool,
    force_check: bool,
    check_images: Option<usize>,
    dump: Option<String>,
    max_seconds: f64,
}

fn parse_args() -> Res<Args> {
    let mut a = Args {
        cuda: true,
        batch: 256,
        time: 15,
        iters: 20,
        warmup: 3,
        stage_iters: 3,
        seed: 0,
        threads: None,
        data: None,
        check: true,
        force_check: false,
        check_images: None,
        dump: None,
        max_seconds: 60.0,
    };
    let v: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < v.len() {
        let flag = v[i].as_str();
        let value = || -> Res<&str> {
            v.get(i + 1)
                .map(String::as_str)
                .ok_or(format!("{flag} needs a value"))
        };
        let num = || -> Res<usize> {
            let s = value()?;
            s.parse()
                .map_err(|_| format!("{flag}: expected a number, got {s:?}"))
        };
        match flag {
            "--device" => {
                a.cuda = match value()? {
                    "cuda" | "gpu" => true,
                    "cpu" => false,
                    d => return Err(format!("--device: expected cuda or cpu, got {d:?}")),
                }
            }
            "--batch" => a.batch = num()?,
            "--time" => a.time = num()?,
            "--iters" => a.iters = num()?,
            "--warmup" => a.warmup = num()?,
            "--stage-iters" => a.stage_iters = num()?,
            "--seed" => a.seed = num()? as i64,
            "--threads" => a.threads = Some(num()? as i64),
            "--data" => a.data = Some(value()?.to_string()),
            "--check-images" => a.check_images = Some(num()?),
            "--dump" => a.dump = Some(value()?.to_string()),
            "--max-seconds" => {
                let s = value()?;
                a.max_seconds = s
                    .parse::<f64>()
                    .ok()
                    .filter(|v| *v > 0.0)
                    .ok_or(format!("--max-seconds: expected seconds > 0, got {s:?}"))?;
            }
            "--no-check" => {
                a.check = false;
                i += 1;
                continue;
            }
            // Runs the check on a CPU run too (CPU against CPU: a rehearsal of the check itself).
            "--check" => {
                a.force_check = true;
                i += 1;
                continue;
            }
            "-h" | "--help" => {
                println!(
                    "gpu_bench [--device cuda|cpu] [--batch 256] [--time 15] [--iters 20] \
                     [--warmup 3] [--stage-iters 3] [--seed 0] [--threads N] [--data DIR|FILE] \
                     [--no-check | --check] [--check-images N] [--dump DIR] [--max-seconds 60]"
                );
                std::process::exit(0);
            }
            // `cargo bench`/`cargo run` pass-through flags.
            "--bench" => {
                i += 1;
                continue;
            }
            _ => return Err(format!("unknown argument {flag:?} (see --help)")),
        }
        i += 2;
    }
    if a.batch == 0 || a.iters == 0 {
        return Err("--batch and --iters must be >= 1".into());
    }
    if !(1..=255).contains(&a.time) {
        // gather writes u8 times; T = 255 would be ambiguous with "never" wrapping.
        return Err("--time must be in 1..=255".into());
    }
    Ok(a)
}

/// Parses an IDX image file (raw bytes): returns (count, pixels).
fn parse_idx(bytes: &[u8]) -> Res<(usize, Vec<u8>)> {
    let word = |i: usize| -> Res<usize> {
        let b = bytes.get(4 * i..4 * i + 4).ok_or("truncated IDX header")?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
    };
    if word(0)? != 2051 || word(2)? != 28 || word(3)? != 28 {
        return Err("not a 28×28 IDX image file (magic 2051)".into());
    }
    let n = word(1)?;
    let px = bytes.get(16..16 + n * 784).ok_or("truncated IDX payload")?;
    Ok((n, px.to_vec()))
}

/// The digits as u8 pixels: embedded, or from `--data`.
fn load_digits(data: Option<&str>) -> Res<(usize, Vec<u8>, String)> {
    match data {
        None => {
            let mut raw = Vec::new();
            flate2::read::GzDecoder::new(DIGITS)
                .read_to_end(&mut raw)
                .map_err(|e| format!("embedded digits: {e}"))?;
            let (n, px) = parse_idx(&raw)?;
            Ok((n, px, "embedded mnist10k t10k".into()))
        }
        Some(p) => {
            let mut path = std::path::PathBuf::from(p);
            if path.is_dir() {
                let dir = path.clone();
                path = ["t10k-images-idx3-ubyte", "t10k-images-idx3-ubyte.gz"]
                    .iter()
                    .map(|f| dir.join(f))
                    .find(|f| f.is_file())
                    .ok_or(format!("no t10k-images-idx3-ubyte[.gz] in {p}"))?;
            }
            let t = spyker::helpers::mnist_data(&path).map_err(|e| format!("{p}: {e}"))?;
            let n = t.shape()[0];
            let px = t.to_vec_as::<u8>().map_err(|e| e.to_string())?;
            Ok((n, px, path.display().to_string()))
        }
    }
}

/// The chain's modules on one device.
struct Chain {
    log: LoG,
    c1: Conv,
    c2: Conv,
    time: usize,
}

const STAGES: [&str; 10] = [
    "log",
    "threshold",
    "code",
    "conv1",
    "fire1",
    "pool1",
    "conv2",
    "fire2",
    "pool2",
    "gather",
];

impl Chain {
    /// Kernels drawn on the CPU from the library generator (seeded), then copied to `device`,
    /// so the CPU and CUDA chains share bit-identical weights.
    fn new(seed: i64, time: usize) -> spyker::Result<Chain> {
        spyker::random_seed(seed);
        let log = LoG::new(
            3,
            &[0.471404521, 1.099943882, 2.042752923],
            3,
            Device::Cpu,
            DType::F32,
        )?;
        let c1 = Conv::new(6, 100, 5, 1, 2, 0.5, 0.02, Device::Cpu, DType::F32)?;
        let c2 = Conv::new(100, 200, 3, 1, 1, 0.5, 0.02, Device::Cpu, DType::F32)?;
        Ok(Chain { log, c1, c2, time })
    }

    fn to_device(&self, device: Device) -> spyker::Result<Chain> {
        let mut log = self.log.clone();
        log.kernel = log.kernel.to_device(device)?;
        let mut c1 = self.c1.clone();
        c1.kernel = c1.kernel.to_device(device)?;
        let mut c2 = self.c2.clone();
        c2.kernel = c2.kernel.to_device(device)?;
        Ok(Chain {
            log,
            c1,
            c2,
            time: self.time,
        })
    }

    /// Stage `i` alone on `x` (the previous stage's output). `fresh`: `x` is a temporary that
    /// the threshold stage may change in place (the original's `threshold(x)` default);
    /// otherwise it works on a copy.
    fn stage(&self, i: usize, x: &Tensor, fresh: bool) -> spyker::Result<Tensor> {
        match i {
            0 => self.log.forward(x),
            1 => {
                let f = if fresh { x.clone() } else { x.copy()? };
                spyker::threshold_inplace(&f, 0.01, 0.0)?;
                Ok(f)
            }
            2 => spyker::code(x, self.time as i64, true, Code::Rank),
            3 => self.c1.forward(x),
            4 => spyker::fire(x, 16.0, DType::U8, Code::Rank),
            5 => spyker::pool(x, 2, None, 0, None),
            6 => self.c2.forward(x),
            7 => spyker::fire(x, 5.0, DType::U8, Code::Rank),
            8 => spyker::pool(x, 3, None, 0, None),
            _ => spyker::gather(x, 0.0, DType::U8, Code::Rank),
        }
    }

    /// Runs the chain on `x` (`[B,1,28,28]` f32 in [0, 1]); `after(stage_index, output)` is
    /// called after every stage (timing hooks, keeping intermediates). Returns the first-spike
    /// times `[B,200,4,4]` u8 (T = never); the features are `T − times`. Each stage's input is
    /// dropped as soon as its output exists (the conv1 potentials are the largest tensor).
    fn forward(
        &self,
        x: &Tensor,
        after: &mut dyn FnMut(usize, &Tensor) -> spyker::Result<()>,
    ) -> Result<Tensor, (usize, spyker::Error)> {
        let mut cur = self.stage(0, x, false).map_err(|e| (0, e))?;
        after(0, &cur).map_err(|e| (0, e))?;
        for i in 1..STAGES.len() {
            cur = self.stage(i, &cur, true).map_err(|e| (i, e))?;
            after(i, &cur).map_err(|e| (i, e))?;
        }
        Ok(cur)
    }
}

/// Every stage alone on the device, fed with the CPU chain's input of that stage (`cpu_out[i -
/// 1]`, uploaded), against the CPU chain's output: locates a difference (or an op that does not
/// run on the device yet) without the earlier stages' differences mixed in. One line per stage.
fn isolated(
    chain: &Chain,
    device: Device,
    x: &Tensor,
    cpu_out: &[Tensor],
) -> spyker::Result<(Vec<String>, usize)> {
    let mut lines = Vec::new();
    let mut bad = 0;
    for (i, name) in STAGES.iter().enumerate() {
        let input = if i == 0 { x } else { &cpu_out[i - 1] };
        let r = input
            .to_device(device)
            .and_then(|d| chain.stage(i, &d, false));
        match r {
            Ok(out) => {
                let (diff, len, max) = compare(&cpu_out[i], &out)?;
                if diff > 0 {
                    bad += 1;
                }
                lines.push(if cpu_out[i].dtype() == DType::F32 {
                    format!("{name} {diff}/{len} differ (max |diff| {max:.3e})")
                } else {
                    format!("{name} {diff}/{len} differ")
                });
            }
            Err(e) => {
                bad += 1;
                lines.push(format!("{name} ERROR {e}"));
            }
        }
    }
    Ok((lines, bad))
}

/// The CPU chain's output of every stage for `x` (copies: the threshold stage works in place).
fn cpu_stages(cpu_chain: &Chain, x: &Tensor) -> Res<Vec<Tensor>> {
    let mut out: Vec<Tensor> = Vec::new();
    let mut keep = |_: usize, t: &Tensor| {
        out.push(t.copy()?);
        Ok(())
    };
    cpu_chain
        .forward(x, &mut keep)
        .map_err(|(i, e)| format!("CPU chain, stage {}: {e}", STAGES[i]))?;
    Ok(out)
}

fn sync(device: Device) -> spyker::Result<()> {
    match device {
        Device::Cuda(i) => spyker::cuda_synchronize(i),
        Device::Cpu => Ok(()),
    }
}

/// Prints the JSON line (flat object; values are already JSON literals).
fn json(fields: &[(&str, String)]) {
    let body: Vec<String> = fields.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
    println!("{{{}}}", body.join(","));
}

/// A JSON string literal.
fn quote(s: &str) -> String {
    let mut q = String::with_capacity(s.len() + 2);
    q.push('"');
    for c in s.chars() {
        match c {
            '"' => q.push_str("\\\""),
            '\\' => q.push_str("\\\\"),
            '\n' => q.push_str("\\n"),
            c if (c as u32) < 0x20 => q.push_str(&format!("\\u{:04x}", c as u32)),
            c => q.push(c),
        }
    }
    q.push('"');
    q
}

/// Counts of differing elements between the CPU and device outputs of one stage, plus the
/// largest absolute difference for float stages.
fn compare(a: &Tensor, b: &Tensor) -> spyker::Result<(usize, usize, f64)> {
    let b = b.to_device(Device::Cpu)?;
    if a.dtype() == DType::F32 {
        let (x, y) = (a.to_vec::<f32>()?, b.to_vec::<f32>()?);
        let mut diff = 0;
        let mut max = 0f64;
        for (p, q) in x.iter().zip(&y) {
            if p.to_bits() != q.to_bits() && !(p.is_nan() && q.is_nan()) {
                diff += 1;
                max = max.max((*p as f64 - *q as f64).abs());
            }
        }
        Ok((diff, x.len(), max))
    } else {
        let (x, y) = (a.to_vec_as::<u8>()?, b.to_vec_as::<u8>()?);
        let diff = x.iter().zip(&y).filter(|(p, q)| p != q).count();
        Ok((diff, x.len(), 0.0))
    }
}

/// Writes the files of `--dump` (see the module comment).
fn dump(dir: &str, chain: &Chain, times: &Tensor, args: &Args, dev: &str) -> Res<()> {
    let err = |e: spyker::Error| e.to_string();
    let dir = std::path::Path::new(dir);
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let write = |name: &str, bytes: Vec<u8>| {
        std::fs::write(dir.join(name), bytes).map_err(|e| format!("{name}: {e}"))
    };
    let le = |t: &Tensor| -> Res<Vec<u8>> {
        Ok(t.to_vec::<f32>()
            .map_err(err)?
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect())
    };
    write("conv1.f32", le(&chain.c1.kernel)?)?;
    write("conv2.f32", le(&chain.c2.kernel)?)?;
    write(
        "times.u8",
        times
            .to_device(Device::Cpu)
            .map_err(err)?
            .to_vec::<u8>()
            .map_err(err)?,
    )?;
    let meta = format!(
        "{{\"batch\":{},\"time\":{},\"seed\":{},\"device\":{},\"data\":{}}}\n",
        args.batch,
        args.time,
        args.seed,
        quote(dev),
        quote(args.data.as_deref().unwrap_or("embedded"))
    );
    write("meta.json", meta.into_bytes())
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("gpu_bench: {e}");
            std::process::exit(2);
        }
    };
    let code = match run(&args) {
        Ok(()) => 0,
        Err(e) => {
            println!("FAIL: gpu_bench: {e}");
            json(&[
                ("bench", quote("rezghi_forward")),
                ("library", quote("spyker-rs")),
                ("device", quote(if args.cuda { "cuda" } else { "cpu" })),
                ("status", quote("error")),
                ("error", quote(&e)),
            ]);
            1
        }
    };
    std::process::exit(code);
}

fn run(args: &Args) -> Res<()> {
    let err = |e: spyker::Error| e.to_string();
    let stage_err = |(i, e): (usize, spyker::Error)| format!("stage {}: {e}", STAGES[i]);
    if let Some(t) = args.threads {
        spyker::set_max_threads(t);
    }
    let device = if args.cuda {
        if !spyker::cuda_available() {
            // The allocation error carries the detection's reason (no libcuda, no device, ...).
            let why = Tensor::zeros_on(Device::Cuda(0), DType::U8, &[1])
                .err()
                .map(|e| e.to_string())
                .unwrap_or_else(|| "cuda_available() is false".into());
            println!("SKIP: gpu_bench --device cuda: no CUDA device ({why})");
            json(&[
                ("bench", quote("rezghi_forward")),
                ("library", quote("spyker-rs")),
                ("device", quote("cuda")),
                ("status", quote("skipped")),
                ("reason", quote(&why)),
            ]);
            return Ok(());
        }
        Device::Cuda(0)
    } else {
        Device::Cpu
    };
    let dev_name = match device {
        Device::Cuda(i) => format!(
            "cuda:{i} (sm_{}, {:.0} GiB)",
            spyker::cuda_device_arch(i).map_err(err)?,
            spyker::cuda_memory_total(i).map_err(err)? as f64 / (1u64 << 30) as f64
        ),
        Device::Cpu => format!("cpu ({} threads)", spyker::max_threads()),
    };

    let (n, px, source) = load_digits(args.data.as_deref())?;
    if n == 0 {
        return Err("no digits".into());
    }
    // Distinct batches cycled through by the timed loop (images repeat when batch > n).
    let nb = (n / args.batch).max(1);
    let total = nb * args.batch;
    let host: Vec<f32> = (0..total)
        .flat_map(|i| {
            let img = &px[(i % n) * 784..(i % n + 1) * 784];
            img.iter().map(|&v| v as f32 / 255.0)
        })
        .collect();
    let host = Tensor::from_vec(host, &[total, 1, 28, 28]).map_err(err)?;
    let cpu_chain = Chain::new(args.seed, args.time).map_err(err)?;
    let chain = cpu_chain.to_device(device).map_err(err)?;
    let images = host.to_device(device).map_err(err)?;
    let batch = |i: usize| {
        let k = i % nb;
        images.slice(k * args.batch, (k + 1) * args.batch)
    };
    println!(
        "gpu_bench: rezghi forward (LoG → code → conv1 → fire → pool → conv2 → fire → pool → \
         gather) on {dev_name}, batch {}, T {}, {} distinct batches from {source}, seed {}",
        args.batch, args.time, nb, args.seed
    );

    let mut none = |_: usize, _: &Tensor| Ok(());
    // First call: NVRTC compilation of every kernel module the chain uses, allocator growth.
    let t0 = Instant::now();
    let first = match chain.forward(&batch(0).map_err(err)?, &mut none) {
        Ok(t) => t,
        Err(e) => {
            let e = stage_err(e);
            if device != Device::Cpu {
                // Which stages run on the device at all, each alone (a few images).
                let m = args.batch.min(8);
                // The original error is what gets reported, whatever happens here.
                let diagnosis = host.slice(0, m).map_err(err).and_then(|x| {
                    let cpu_out = cpu_stages(&cpu_chain, &x)?;
                    isolated(&chain, device, &x, &cpu_out).map_err(err)
                });
                match diagnosis {
                    Ok((lines, _)) => println!(
                        "stages alone on {dev_name} (CPU inputs, {m} images): {}",
                        lines.join("; ")
                    ),
                    Err(d) => println!("stages alone on {dev_name}: not available ({d})"),
                }
            }
            return Err(e);
        }
    };
    sync(device).map_err(err)?;
    let first_s = t0.elapsed().as_secs_f64();
    println!(
        "first call: {first_s:.3} s{}",
        if args.cuda {
            " (includes NVRTC compilation of the kernels)"
        } else {
            ""
        }
    );
    let t0 = Instant::now();
    for i in 1..args.warmup.max(1) {
        drop(
            chain
                .forward(&batch(i).map_err(err)?, &mut none)
                .map_err(stage_err)?,
        );
    }
    sync(device).map_err(err)?;
    // A slow chain (e.g. a first, naive kernel) must not eat a short GPU session: fewer
    // iterations when `iters` calls would exceed --max-seconds.
    let per_call = if args.warmup > 1 {
        t0.elapsed().as_secs_f64() / (args.warmup - 1) as f64
    } else {
        first_s
    };
    let mut iters = args.iters;
    if per_call * iters as f64 > args.max_seconds {
        iters = ((args.max_seconds / per_call) as usize).max(1);
        println!(
            "note: {per_call:.3} s per call, {} iterations reduced to {iters} (--max-seconds {})",
            args.iters, args.max_seconds
        );
    }
    let stage_iters = if per_call * args.stage_iters as f64 > args.max_seconds {
        args.stage_iters.min(1)
    } else {
        args.stage_iters
    };

    // The timed loop: one synchronise before and after, none inside.
    let t0 = Instant::now();
    for i in 0..iters {
        drop(
            chain
                .forward(&batch(i).map_err(err)?, &mut none)
                .map_err(stage_err)?,
        );
    }
    sync(device).map_err(err)?;
    let secs = t0.elapsed().as_secs_f64();
    let ms = secs * 1e3 / iters as f64;
    let ips = (iters * args.batch) as f64 / secs;
    println!(
        "rezghi_forward: {ips:.1} images/s, {ms:.3} ms per batch of {} ({} iterations)",
        args.batch, iters
    );

    // Per-stage times: a synchronise after every stage (so their sum exceeds the loop's figure
    // a little on CUDA: launch latency is no longer hidden).
    let mut stage_ms = [0f64; STAGES.len()];
    if stage_iters > 0 {
        for i in 0..stage_iters {
            sync(device).map_err(err)?;
            let mut last = Instant::now();
            let mut hook = |s: usize, _: &Tensor| {
                sync(device)?;
                let now = Instant::now();
                stage_ms[s] += (now - last).as_secs_f64() * 1e3;
                last = now;
                Ok(())
            };
            drop(
                chain
                    .forward(&batch(i).map_err(err)?, &mut hook)
                    .map_err(stage_err)?,
            );
        }
        for v in &mut stage_ms {
            *v /= stage_iters as f64;
        }
        let parts: Vec<String> = STAGES
            .iter()
            .zip(&stage_ms)
            .map(|(n, v)| format!("{n} {v:.3}"))
            .collect();
        println!("stages (ms per batch, synchronised): {}", parts.join(", "));
    }

    // CPU vs CUDA on the first batch: every stage's output, element by element, along the
    // chain (differences propagate), then every stage alone on the CPU chain's input.
    let mut check_json = "null".to_string();
    if args.force_check || (args.check && device != Device::Cpu) {
        let m = args.check_images.unwrap_or(args.batch).clamp(1, args.batch);
        let xd = images.slice(0, m).map_err(err)?;
        let xc = host.slice(0, m).map_err(err)?;
        let t0 = Instant::now();
        let mut dev_out: Vec<Tensor> = Vec::new();
        let mut keep_dev = |_: usize, t: &Tensor| {
            // A copy in every case: the threshold stage later changes the LoG output in place.
            dev_out.push(match t.device() {
                Device::Cpu => t.copy()?,
                Device::Cuda(_) => t.to_device(Device::Cpu)?,
            });
            Ok(())
        };
        chain.forward(&xd, &mut keep_dev).map_err(stage_err)?;
        let cpu_out = cpu_stages(&cpu_chain, &xc)?;
        let mut parts = Vec::new();
        let mut obj = Vec::new();
        for (i, (c, d)) in cpu_out.iter().zip(&dev_out).enumerate() {
            let (diff, len, max) = compare(c, d).map_err(err)?;
            if c.dtype() == DType::F32 {
                parts.push(format!("{} {diff}/{len} (max |diff| {max:.3e})", STAGES[i]));
            } else {
                parts.push(format!("{} {diff}/{len}", STAGES[i]));
            }
            obj.push(format!("\"{}\":[{diff},{len}]", STAGES[i]));
        }
        drop(dev_out);
        println!(
            "check, CPU vs {dev_name} along the chain, first {m} images (differing elements per \
             stage): {}",
            parts.join(", ")
        );
        let (lines, bad) = isolated(&chain, device, &xc, &cpu_out).map_err(err)?;
        println!(
            "check, each stage alone on the CPU chain's input: {} ({:.1} s for the checks)",
            lines.join("; "),
            t0.elapsed().as_secs_f64()
        );
        let last = obj.len() - 1;
        let features_differ = compare(&cpu_out[last], &first.slice(0, m).map_err(err)?)
            .map_err(err)?
            .0;
        println!(
            "check result: final output (first-spike times [{m},200,4,4]) {} ({features_differ} \
             differing elements; {bad} stages differ when run alone)",
            if features_differ == 0 {
                "IDENTICAL"
            } else {
                "DIFFERS"
            }
        );
        check_json = format!(
            "{{\"images\":{m},\"stages_alone_differ\":{bad},\"chain\":{{{}}}}}",
            obj.join(",")
        );
    } else if args.check {
        println!("check: skipped (CPU run; the check compares CPU and CUDA)");
    }
    if let Some(dir) = &args.dump {
        dump(dir, &cpu_chain, &first, args, &dev_name).map_err(|e| format!("--dump {dir}: {e}"))?;
        println!("dump: kernels and first-batch times written to {dir}");
    }
    drop(first);

    let stages: Vec<String> = STAGES
        .iter()
        .zip(&stage_ms)
        .map(|(n, v)| format!("\"{n}\":{v:.4}"))
        .collect();
    json(&[
        ("bench", quote("rezghi_forward")),
        ("library", quote("spyker-rs")),
        ("status", quote("ok")),
        (
            "device",
            quote(&match device {
                Device::Cuda(i) => format!("cuda:{i}"),
                Device::Cpu => "cpu".into(),
            }),
        ),
        ("device_info", quote(&dev_name)),
        ("batch", args.batch.to_string()),
        ("time", args.time.to_string()),
        ("iters", iters.to_string()),
        ("warmup", args.warmup.max(1).to_string()),
        ("images_per_s", format!("{ips:.1}")),
        ("ms_per_batch", format!("{ms:.4}")),
        ("first_call_s", format!("{first_s:.4}")),
        (
            "stage_ms",
            if stage_iters > 0 {
                format!("{{{}}}", stages.join(","))
            } else {
                "null".into()
            },
        ),
        ("check", check_json),
    ]);
    Ok(())
}
