//! Times this library on the workloads of `scripts/bench/original.py` (same names, same inputs:
//! the first `--batch` bundled digits, T = 15) and prints one JSON object
//! `{"library": "spyker-rs", "threads": n, "batch": b, "seconds": {name: seconds per call}}`.
//! `scripts/bench/compare.sh` runs it next to the original and prints the ratios.
//!
//! Pipelines use the fused rank-coded fast path where its preconditions hold (spike times,
//! `conv_fire_pool_times`); `*_dense` entries time the straightforward dense path.

use spyker::{Code, Conv, DType, Device, DoG, DoGFilter, LoG, STDPConfig, Tensor};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

const T: usize = 15;

struct Args {
    threads: i64,
    batch: usize,
    reps: usize,
    only: Vec<String>,
}

fn args() -> Args {
    let mut a = Args {
        threads: 2,
        batch: 64,
        reps: 3,
        only: Vec::new(),
    };
    let v: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < v.len() {
        let next = v.get(i + 1).cloned().unwrap_or_default();
        match v[i].as_str() {
            "--threads" => a.threads = next.parse().expect("--threads N"),
            "--batch" => a.batch = next.parse().expect("--batch N"),
            "--reps" => a.reps = next.parse().expect("--reps N"),
            "--only" => {
                a.only = next
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect()
            }
            // `cargo bench` passes --bench; ignore anything else.
            _ => {
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    a
}

fn digits(n: usize) -> Tensor {
    let dir = spyker::helpers::bundled_mnist_dir();
    let x = spyker::helpers::mnist_data(dir.join("train-images-idx3-ubyte.gz"))
        .expect("bundled digits");
    let x = x.slice(0, n).unwrap().to_vec_as::<f32>().unwrap();
    let x: Vec<f32> = x.iter().map(|v| v / 255.0).collect();
    Tensor::from_vec(x, &[n, 1, 28, 28]).unwrap()
}

fn conv(
    i: usize,
    o: usize,
    k: usize,
    pad: usize,
    mean: f64,
    std: f64,
    stdp: Option<(f64, f64)>,
) -> Conv {
    let mut c = Conv::new(i, o, k, 1, pad, mean, std, Device::Cpu, DType::F32).unwrap();
    if let Some((p, n)) = stdp {
        c.stdpconfig = vec![STDPConfig::new(p, n)];
    }
    c
}

/// `code(threshold(x, 0.01), 15)` (the threshold in place on the fresh filter output).
fn code_of(filtered: Tensor) -> Tensor {
    spyker::threshold_inplace(&filtered, 0.01, 0.0).unwrap();
    spyker::code(&filtered, T as i64, true, Code::Rank).unwrap()
}

/// The spike times of `code_of(filtered)` straight from the filter output (`code_times`: no
/// `T` frames).
fn times_of(filtered: Tensor) -> Tensor {
    spyker::threshold_inplace(&filtered, 0.01, 0.0).unwrap();
    spyker::code_times(&filtered, T, true).unwrap()
}

/// `inhibit(threshold(x, thr))` in place, as the original's defaults do it.
fn threshold_inhibit(x: Tensor, thr: f64) -> Tensor {
    spyker::threshold_inplace(&x, thr, 0.0).unwrap();
    spyker::inhibit_inplace(&x, 0.0).unwrap();
    x
}

fn fire(x: &Tensor, thr: f64) -> Tensor {
    spyker::fire(x, thr, DType::U8, Code::Rank).unwrap()
}

fn pool(x: &Tensor, k: usize, pad: usize) -> Tensor {
    spyker::pool(x, k, None, pad, None).unwrap()
}

/// The system allocator, counting live heap bytes and their high-water mark, so that the bench
/// reports the heap one call adds (`heap_mb`): every tensor of this library is a heap `Vec`.
struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static HIGH: AtomicUsize = AtomicUsize::new(0);

impl Counting {
    fn grew(by: usize) {
        let now = LIVE.fetch_add(by, Ordering::Relaxed) + by;
        HIGH.fetch_max(now, Ordering::Relaxed);
    }
}

// SAFETY: every call forwards to `System` unchanged; the counters only observe sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = System.alloc(l);
        if !p.is_null() {
            Counting::grew(l.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        let p = System.alloc_zeroed(l);
        if !p.is_null() {
            Counting::grew(l.size());
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        System.dealloc(p, l);
        LIVE.fetch_sub(l.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, size: usize) -> *mut u8 {
        let q = System.realloc(p, l, size);
        if !q.is_null() {
            if size >= l.size() {
                Counting::grew(size - l.size());
            } else {
                LIVE.fetch_sub(l.size() - size, Ordering::Relaxed);
            }
        }
        q
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Peak memory one call adds above what is live before it (MiB): heap plus the library's own
/// large mappings (counted apart, each side's peak taken separately: an upper bound).
fn heap_mb(f: &mut dyn FnMut()) -> f64 {
    let base = LIVE.load(Ordering::Relaxed);
    HIGH.store(base, Ordering::Relaxed);
    let (mapped, _) = spyker::mapped_host_bytes(true);
    f();
    let heap = HIGH.load(Ordering::Relaxed) - base;
    let (_, mapped_high) = spyker::mapped_host_bytes(false);
    (heap + (mapped_high - mapped)) as f64 / (1024.0 * 1024.0)
}

/// `kB` of a `/proc/self/status` field.
fn vm_kb(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Peak resident memory one call adds above what the process holds before it (MiB), as
/// `original.py` measures it: the high-water mark is reset through `/proc/self/clear_refs`.
fn peak_mb(f: &mut dyn FnMut()) -> Option<f64> {
    std::fs::write("/proc/self/clear_refs", "5").ok()?;
    let base = vm_kb("VmRSS:")?;
    f();
    Some((vm_kb("VmHWM:")? - base).max(0.0) / 1024.0)
}

fn main() {
    let a = args();
    spyker::set_max_threads(a.threads);
    spyker::random_seed(0);
    let x = digits(a.batch);
    let log = LoG::new(
        3,
        &[0.471404521, 1.099943882, 2.042752923],
        3,
        Device::Cpu,
        DType::F32,
    )
    .unwrap();
    let dog = DoG::new(
        3,
        &[DoGFilter::new(1.0, 2.0), DoGFilter::new(2.0, 1.0)],
        3,
        Device::Cpu,
        DType::F32,
    )
    .unwrap();
    let dog6 = DoG::new(
        3,
        &[
            DoGFilter::new(3.0 / 9.0, 6.0 / 9.0),
            DoGFilter::new(6.0 / 9.0, 3.0 / 9.0),
            DoGFilter::new(7.0 / 9.0, 14.0 / 9.0),
            DoGFilter::new(14.0 / 9.0, 7.0 / 9.0),
            DoGFilter::new(13.0 / 9.0, 26.0 / 9.0),
            DoGFilter::new(26.0 / 9.0, 13.0 / 9.0),
        ],
        3,
        Device::Cpu,
        DType::F32,
    )
    .unwrap();
    let c1 = conv(6, 100, 5, 2, 0.5, 0.02, Some((0.0004, -0.0003)));
    let mut c2 = conv(100, 200, 3, 1, 0.5, 0.02, Some((0.0004, -0.0003)));
    let k1 = conv(2, 32, 5, 2, 0.8, 0.05, None);
    let mut k2 = conv(32, 150, 2, 1, 0.8, 0.05, Some((0.004, -0.003)));
    let m1 = conv(6, 30, 5, 2, 0.8, 0.05, None);
    let m2 = conv(30, 250, 3, 1, 0.8, 0.05, None);
    let m3 = conv(250, 200, 5, 0, 0.8, 0.05, None);

    let filt = log.forward(&x).unwrap();
    let spikes = code_of(filt.copy().unwrap());
    let pot1 = c1.forward(&spikes).unwrap();
    let out1 = spyker::inhibit(&spyker::threshold(&pot1, 16.0, 0.0).unwrap(), 0.0).unwrap();
    let fired1 = fire(&pot1, 16.0);
    let pooled1 = pool(&fired1, 2, 0);
    let pot2 = c2.forward(&pooled1).unwrap();

    // Layer 1 of Rezghi on spike times: code → times → conv+fire → pool, all without frames.
    let rezghi_l1_times = |c1: &Conv, x: &Tensor| {
        let s = times_of(log.forward(x).unwrap());
        c1.forward_fire_pool_times(&s, T, 16.0, 2, None, 0).unwrap()
    };
    let kh_l1_times = |x: &Tensor| {
        let s = times_of(dog.forward(x).unwrap());
        k1.forward_fire_pool_times(&s, T, 10.0, 2, None, 1).unwrap()
    };

    type Work<'a> = Box<dyn FnMut() + 'a>;
    let mut work: Vec<(&str, Work)> = vec![
        ("op_log_filter", Box::new(|| drop(log.forward(&x).unwrap()))),
        ("op_dog_filter", Box::new(|| drop(dog.forward(&x).unwrap()))),
        (
            "op_code_rank",
            Box::new(|| drop(spyker::code(&filt, T as i64, true, Code::Rank).unwrap())),
        ),
        (
            "op_threshold",
            Box::new(|| drop(spyker::threshold(&pot1, 16.0, 0.0).unwrap())),
        ),
        ("op_conv1", Box::new(|| drop(c1.forward(&spikes).unwrap()))),
        ("op_fire", Box::new(|| drop(fire(&pot1, 16.0)))),
        (
            "op_inhibit",
            Box::new(|| drop(spyker::inhibit(&pot1, 16.0).unwrap())),
        ),
        (
            "op_convwta",
            Box::new(|| drop(spyker::convwta(&out1, 3, 5, 0.0).unwrap())),
        ),
        ("op_pool2", Box::new(|| drop(pool(&fired1, 2, 0)))),
        ("op_conv2", Box::new(|| drop(c2.forward(&pooled1).unwrap()))),
        (
            "op_gather",
            Box::new(|| drop(spyker::gather(&pot2, 5.0, DType::U8, Code::Rank).unwrap())),
        ),
        (
            "fused_conv1_fire",
            Box::new(|| drop(c1.forward_fire(&spikes, 16.0).unwrap())),
        ),
        (
            "rezghi_forward",
            Box::new(|| {
                let p1 = rezghi_l1_times(&c1, &x);
                let p2 = c2.forward_fire_pool_times(&p1, T, 5.0, 3, None, 0).unwrap();
                let f: Vec<u8> = p2
                    .to_vec::<u8>()
                    .unwrap()
                    .iter()
                    .map(|t| T as u8 - t)
                    .collect();
                drop(f);
            }),
        ),
        (
            "rezghi_forward_dense",
            Box::new(|| {
                let s = code_of(log.forward(&x).unwrap());
                let a = pool(&fire(&c1.forward(&s).unwrap(), 16.0), 2, 0);
                let g = spyker::gather(
                    &pool(&fire(&c2.forward(&a).unwrap(), 5.0), 3, 0),
                    0.0,
                    DType::U8,
                    Code::Rank,
                );
                drop(g.unwrap());
            }),
        ),
        (
            "kheradpisheh_forward",
            Box::new(|| {
                let p1 = kh_l1_times(&x);
                let p2 = k2.forward_fire_pool_times(&p1, T, 1.0, 2, None, 1).unwrap();
                // Max over time of cumulative spikes: fired at all.
                let f: Vec<u8> = p2
                    .to_vec::<u8>()
                    .unwrap()
                    .iter()
                    .map(|t| u8::from((*t as usize) < T))
                    .collect();
                drop(f);
            }),
        ),
        (
            "mozafari_forward",
            Box::new(|| {
                let s = times_of(dog6.forward(&x).unwrap());
                let p1 = m1.forward_fire_pool_times(&s, T, 15.0, 2, None, 1).unwrap();
                let p2 = m2
                    .forward_fire_pool_times(&p1, T, 10.0, 3, None, 1)
                    .unwrap();
                let pot = m3
                    .forward_infinite(&spyker::times_to_spikes(&p2, T).unwrap(), 0.0)
                    .unwrap();
                drop(spyker::convwta(&pot, 0, 1, 0.0).unwrap());
            }),
        ),
    ];
    // Training steps mutate their layers: they work on copies.
    let mut c1s = c1.clone();
    let mut train: Vec<(&str, Work)> = vec![(
        "op_stdp1",
        Box::new(|| {
            let w = spyker::convwta(&out1, 3, 5, 0.0).unwrap();
            c1s.stdp(&spikes, &w, &fired1).unwrap();
        }),
    )];
    let mut res: Vec<(String, f64)> = Vec::new();
    let mut peaks: Vec<(String, f64)> = Vec::new();
    let mut heaps: Vec<(String, f64)> = Vec::new();
    let only = |n: &str| a.only.is_empty() || a.only.iter().any(|o| o == n);
    let mut time_it = |name: &str, f: &mut dyn FnMut()| {
        if !only(name) {
            return;
        }
        f();
        let t = Instant::now();
        for _ in 0..a.reps {
            f();
        }
        res.push((name.to_string(), t.elapsed().as_secs_f64() / a.reps as f64));
        if let Some(mb) = peak_mb(f) {
            peaks.push((name.to_string(), mb));
        }
        heaps.push((name.to_string(), heap_mb(f)));
    };
    for (n, f) in work.iter_mut() {
        time_it(n, f.as_mut());
    }
    for (n, f) in train.iter_mut() {
        time_it(n, f.as_mut());
    }
    drop(train);
    drop(work);
    let mut c1b = c1.clone();
    c1b.kernel = c1.kernel.copy().unwrap();
    let mut c1d = c1.clone();
    c1d.kernel = c1.kernel.copy().unwrap();
    // The training steps through the fused step (`Conv::stdp_step`, identical winners and
    // kernels, tests/fused_step.rs); `rezghi_l1_step_dense` keeps the composition for reference.
    time_it("rezghi_l1_step", &mut || {
        let s = times_of(log.forward(&x).unwrap());
        c1b.stdp_step_times(&s, T, 16.0, 3, 5).unwrap();
    });
    time_it("rezghi_l1_step_dense", &mut || {
        let s = code_of(log.forward(&x).unwrap());
        let o = threshold_inhibit(c1d.forward(&s).unwrap(), 16.0);
        let w = spyker::convwta(&o, 3, 5, 0.0).unwrap();
        c1d.stdp(&s, &w, &fire(&o, 0.0)).unwrap();
    });
    time_it("rezghi_l2_step", &mut || {
        let p1 = rezghi_l1_times(&c1, &x);
        c2.stdp_step_times(&p1, T, 5.0, 1, 8).unwrap();
    });
    time_it("kheradpisheh_l2_step", &mut || {
        let a1 = spyker::times_to_spikes(&kh_l1_times(&x), T).unwrap();
        spyker::inhibit_inplace(&a1, 0.0).unwrap();
        k2.stdp_step(&a1, 1.0, 1, 8).unwrap();
    });
    let json = |v: &[(String, f64)]| {
        let items: Vec<String> = v.iter().map(|(k, x)| format!("\"{k}\": {x:.6e}")).collect();
        items.join(", ")
    };
    println!(
        "{{\"library\": \"spyker-rs\", \"threads\": {}, \"batch\": {}, \"exact_sums\": {}, \"seconds\": {{{}}}, \"peak_mb\": {{{}}}, \"heap_mb\": {{{}}}}}",
        a.threads,
        a.batch,
        spyker::fused_exact_sums(),
        json(&res),
        json(&peaks),
        json(&heaps)
    );
}
