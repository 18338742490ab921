//! CUDA STDP / R-STDP (Conv and FC layers) against the CPU update: kernels bit-identical after
//! several steps, for f16/f32/f64 kernels and every input dtype, strides, asymmetric padding,
//! rank-normalised inputs, duplicate and skipped winners, several configs (soft and hard bounds,
//! out-of-bound and NaN weights), both FC post-time rules, winners from the GPU's own convwta /
//! fcwta on cumulative potentials, the original's Rezghi replay, and the error paths. Skipped with
//! a notice without a GPU.

mod common;
mod cuda_harness;

use common::{golden_batch, golden_conv, golden_fc, winners_from, Golden};
use cuda_harness::{assert_same, cpu, gpu, gpu_or_skip, Rng, GPU};
use spyker::{
    Conv, DType, Device, ErrorKind, Expand2, Expand4, FcPostTime, STDPConfig, Tensor, Winner,
    Winners, FC,
};

const KERNEL_DTYPES: [DType; 3] = [DType::F16, DType::F32, DType::F64];

fn configs() -> Vec<STDPConfig> {
    vec![
        STDPConfig::new(0.004, -0.003),
        STDPConfig::with_bounds(0.05, -0.07, false, -0.5, 1.5),
        STDPConfig::with_bounds(0.3, -0.2, true, 0.1, 0.9),
    ]
}

/// Weights in [0, 1] with some exactly at and beyond the bounds, and a few NaNs.
fn weights(dt: DType, shape: &[usize], rng: &mut Rng) -> Tensor {
    let n: usize = shape.iter().product();
    let v: Vec<f64> = (0..n)
        .map(|_| {
            let u = rng.uniform();
            if u < 0.05 {
                [0.0, 1.0, -0.25, 1.25, f64::NAN, 0.5][(rng.next_u64() % 6) as usize]
            } else {
                rng.uniform()
            }
        })
        .collect();
    Tensor::from_vec(v, shape).unwrap().to_dtype(dt).unwrap()
}

/// Spike trains of `shape` `[B, T, ...]`: cumulative (once a neuron spikes it stays on, many
/// equal first-spike times) or independent 0/1, plus -0.0 (no spike) and NaN (a spike) for floats.
fn spikes(dt: DType, shape: &[usize], cumulative: bool, rng: &mut Rng) -> Tensor {
    let (b, t) = (shape[0], shape[1]);
    let n: usize = shape[2..].iter().product();
    let mut v = vec![0.0f64; b * t * n];
    for s in 0..b {
        for j in 0..n {
            let first = (rng.next_u64() % (t as u64 + 2)) as usize; // > t - 1: never
            for step in 0..t {
                let on = if cumulative {
                    step >= first
                } else {
                    rng.uniform() < 0.2
                };
                let i = (s * t + step) * n + j;
                v[i] = if on { 1.0 } else { 0.0 };
                if dt.is_float() && rng.uniform() < 0.02 {
                    v[i] = if rng.uniform() < 0.5 { -0.0 } else { f64::NAN };
                }
            }
        }
    }
    Tensor::from_vec(v, shape).unwrap().to_dtype(dt).unwrap()
}

/// Random winners: per sample up to 6, configs -1 (skipped), 0, 1, 2, duplicates included.
fn random_winners(b: usize, (o, oh, ow): (usize, usize, usize), rng: &mut Rng) -> Winners {
    (0..b)
        .map(|_| {
            let k = (rng.next_u64() % 7) as usize;
            let mut list: Vec<Winner> = (0..k)
                .map(|_| {
                    Winner::new(
                        (rng.next_u64() % 4) as i64 - 1,
                        0,
                        (rng.next_u64() % o as u64) as i64,
                        (rng.next_u64() % oh as u64) as i64,
                        (rng.next_u64() % ow as u64) as i64,
                    )
                })
                .collect();
            if let Some(&w) = list.first() {
                list.push(w); // the same neuron twice: updated twice
            }
            list
        })
        .collect()
}

struct ConvCase {
    c: usize,
    o: usize,
    k: Expand2,
    stride: Expand2,
    pad: Expand4,
    b: usize,
    t: usize,
    h: usize,
    w: usize,
    rank4: bool,
}

fn conv_cases() -> Vec<ConvCase> {
    let e2 = Expand2::new;
    vec![
        ConvCase {
            c: 2,
            o: 3,
            k: e2(3, 3),
            stride: e2(1, 1),
            pad: Expand4::new(0, 0, 0, 0),
            b: 2,
            t: 4,
            h: 7,
            w: 6,
            rank4: false,
        },
        ConvCase {
            c: 3,
            o: 4,
            k: e2(2, 3),
            stride: e2(2, 1),
            pad: Expand4::new(1, 0, 2, 1),
            b: 3,
            t: 5,
            h: 8,
            w: 9,
            rank4: false,
        },
        ConvCase {
            c: 1,
            o: 2,
            k: e2(5, 5),
            stride: e2(1, 1),
            pad: Expand4::new(2, 2, 2, 2),
            b: 1,
            t: 3,
            h: 6,
            w: 6,
            rank4: true,
        },
        ConvCase {
            c: 6,
            o: 20,
            k: e2(5, 5),
            stride: e2(1, 2),
            pad: Expand4::new(2, 1, 0, 2),
            b: 4,
            t: 15,
            h: 12,
            w: 11,
            rank4: false,
        },
    ]
}

fn out_hw(c: &ConvCase) -> (usize, usize) {
    (
        (c.h + c.pad.top + c.pad.bottom - c.k.y) / c.stride.y + 1,
        (c.w + c.pad.left + c.pad.right - c.k.x) / c.stride.x + 1,
    )
}

fn layers(kernel: Tensor, case: &ConvCase) -> (Conv, Conv) {
    let ks = kernel.shape().to_vec();
    let mut a = Conv::new(
        ks[1],
        ks[0],
        (ks[2], ks[3]),
        case.stride,
        case.pad,
        0.5,
        0.02,
        Device::Cpu,
        kernel.dtype(),
    )
    .unwrap();
    a.stdpconfig = configs();
    let mut d = a.clone();
    a.kernel = kernel.copy().unwrap();
    d.kernel = gpu(&kernel);
    (a, d)
}

#[test]
fn conv_stdp_matches_the_cpu() {
    let Some(_g) = gpu_or_skip("conv_stdp_matches_the_cpu") else {
        return;
    };
    let mut rng = Rng::new(31);
    for case in conv_cases() {
        let (oh, ow) = out_hw(&case);
        for kdt in KERNEL_DTYPES {
            for idt in DType::ALL {
                let k = weights(kdt, &[case.o, case.c, case.k.y, case.k.x], &mut rng);
                let (mut cpu_l, mut gpu_l) = layers(k, &case);
                for step in 0..4 {
                    let cumulative = step % 2 == 0;
                    let mut xs = vec![case.b, case.t, case.c, case.h, case.w];
                    let mut ys = vec![case.b, case.t, case.o, oh, ow];
                    let x = spikes(idt, &xs, cumulative, &mut rng);
                    let y = spikes(idt, &ys, cumulative, &mut rng);
                    let w = random_winners(case.b, (case.o, oh, ow), &mut rng);
                    let (x, y) = if case.rank4 {
                        xs.remove(0);
                        ys.remove(0);
                        let r = |s: &[usize]| s.iter().map(|&d| d as i64).collect::<Vec<_>>();
                        (x.reshape(&r(&xs)).unwrap(), y.reshape(&r(&ys)).unwrap())
                    } else {
                        (x, y)
                    };
                    cpu_l.stdp(&x, &w, &y).unwrap();
                    if step == 3 {
                        spyker::stdp(&mut gpu_l, &gpu(&x), &w, &gpu(&y)).unwrap();
                    } else {
                        gpu_l.stdp(&gpu(&x), &w, &gpu(&y)).unwrap();
                    }
                    assert_eq!(gpu_l.kernel.device(), GPU);
                    assert_same(
                        &cpu_l.kernel,
                        &gpu_l.kernel,
                        &format!(
                            "conv stdp k={kdt} in={idt} c={} o={} step {step}",
                            case.c, case.o
                        ),
                    );
                }
            }
        }
    }
}

fn fc_layers(kernel: Tensor) -> (FC, FC) {
    let mut a = FC::new(
        kernel.shape()[1],
        kernel.shape()[0],
        0.5,
        0.02,
        Device::Cpu,
        kernel.dtype(),
    )
    .unwrap();
    a.stdpconfig = configs();
    let mut d = a.clone();
    a.kernel = kernel.copy().unwrap();
    d.kernel = gpu(&kernel);
    (a, d)
}

#[test]
fn fc_stdp_matches_the_cpu() {
    let Some(_g) = gpu_or_skip("fc_stdp_matches_the_cpu") else {
        return;
    };
    let mut rng = Rng::new(32);
    for (i, o, b, t) in [(5, 3, 2, 4), (40, 10, 3, 15), (300, 7, 4, 6), (1, 1, 1, 1)] {
        for kdt in KERNEL_DTYPES {
            for idt in DType::ALL {
                for post in [FcPostTime::FirstSpike, FcPostTime::Zero] {
                    let k = weights(kdt, &[o, i], &mut rng);
                    let (mut cpu_l, mut gpu_l) = fc_layers(k);
                    for step in 0..4 {
                        let cumulative = step % 2 == 0;
                        let x = spikes(idt, &[b, t, i], cumulative, &mut rng);
                        let y = spikes(idt, &[b, t, o], cumulative, &mut rng);
                        let w: Winners = random_winners(b, (1, 1, o), &mut rng)
                            .into_iter()
                            .map(|l| l.into_iter().map(|w| Winner::fc(w.c, w.x)).collect())
                            .collect();
                        let (x, y) = if b == 1 && step == 1 {
                            (
                                x.reshape(&[t as i64, i as i64]).unwrap(),
                                y.reshape(&[t as i64, o as i64]).unwrap(),
                            )
                        } else {
                            (x, y)
                        };
                        cpu_l.stdp_with(&x, &w, &y, post).unwrap();
                        if post == FcPostTime::FirstSpike && step == 2 {
                            gpu_l.stdp(&gpu(&x), &w, &gpu(&y)).unwrap();
                        } else {
                            gpu_l.stdp_with(&gpu(&x), &w, &gpu(&y), post).unwrap();
                        }
                        assert_same(
                            &cpu_l.kernel,
                            &gpu_l.kernel,
                            &format!("fc stdp k={kdt} in={idt} {i}x{o} {post:?} step {step}"),
                        );
                    }
                }
            }
        }
    }
}

/// Cumulative potentials `[B, T, n]` with small integer increments (many ties).
fn potentials(b: usize, t: usize, n: usize, rng: &mut Rng) -> Vec<f32> {
    let mut v = vec![0f32; b * t * n];
    for s in 0..b {
        for j in 0..n {
            let mut acc = 0f32;
            for step in 0..t {
                acc += (rng.next_u64() % 3) as f32;
                v[(s * t + step) * n + j] = acc;
            }
        }
    }
    v
}

/// A training-like chain: potentials → GPU convwta / fcwta → spikes (potential > threshold) →
/// STDP on the GPU, for several batches; the CPU does the same chain. Winners and kernels equal.
#[test]
fn wta_then_stdp_chain_matches_the_cpu() {
    let Some(_g) = gpu_or_skip("wta_then_stdp_chain_matches_the_cpu") else {
        return;
    };
    let mut rng = Rng::new(33);
    let thr = 9.0f32;
    let case = &conv_cases()[3];
    let (oh, ow) = out_hw(case);
    for kdt in KERNEL_DTYPES {
        let k = weights(kdt, &[case.o, case.c, case.k.y, case.k.x], &mut rng);
        let (mut cpu_l, mut gpu_l) = layers(k, case);
        let fk = weights(kdt, &[10, case.o * oh * ow], &mut rng);
        let (mut cpu_f, mut gpu_f) = fc_layers(fk);
        for batch in 0..3 {
            let xs = [case.b, case.t, case.c, case.h, case.w];
            let x = spikes(DType::U8, &xs, true, &mut rng);
            let pv = potentials(case.b, case.t, case.o * oh * ow, &mut rng);
            let sp: Vec<u8> = pv.iter().map(|&p| (p > thr) as u8).collect();
            let ys = [case.b, case.t, case.o, oh, ow];
            let pot = Tensor::from_vec(pv, &ys).unwrap();
            let y = Tensor::from_vec(sp, &ys).unwrap();
            let want = spyker::convwta(&pot, 3, 5, thr).unwrap();
            let got = spyker::convwta(&gpu(&pot), 3, 5, thr).unwrap();
            assert_eq!(got, want, "convwta batch {batch}");
            cpu_l.stdp(&x, &want, &y).unwrap();
            gpu_l.stdp(&gpu(&x), &got, &gpu(&y)).unwrap();
            assert_same(
                &cpu_l.kernel,
                &gpu_l.kernel,
                &format!("conv {kdt} batch {batch}"),
            );

            // FC on the conv output spikes, winners from fcwta of new potentials.
            let fx = y.reshape(&[case.b as i64, case.t as i64, -1]).unwrap();
            let fp = Tensor::from_vec(
                potentials(case.b, case.t, 10, &mut rng),
                &[case.b, case.t, 10],
            )
            .unwrap();
            let fy = Tensor::from_vec(
                fp.to_vec::<f32>()
                    .unwrap()
                    .iter()
                    .map(|&p| (p > thr) as u8)
                    .collect::<Vec<u8>>(),
                &[case.b, case.t, 10],
            )
            .unwrap();
            let fw = spyker::fcwta(&fp, 0, 1, thr).unwrap();
            assert_eq!(
                spyker::fcwta(&gpu(&fp), 0, 1, thr).unwrap(),
                fw,
                "fcwta batch {batch}"
            );
            // R-STDP style: reward the first sample's winner, punish the others.
            let fw: Winners = fw
                .into_iter()
                .enumerate()
                .map(|(s, l)| {
                    l.into_iter()
                        .map(|w| Winner::fc((s > 0) as i64, w.x))
                        .collect()
                })
                .collect();
            cpu_f.stdp(&fx, &fw, &fy).unwrap();
            gpu_f.stdp(&gpu(&fx), &fw, &gpu(&fy)).unwrap();
            assert_same(
                &cpu_f.kernel,
                &gpu_f.kernel,
                &format!("fc {kdt} batch {batch}"),
            );
        }
    }
}

/// The original's Rezghi layer-1 replay (see tests/stdp_reference.rs) on the GPU: the final
/// kernel equals the original's bit for bit.
#[test]
fn rezghi_replay_on_the_gpu() {
    let Some(_g) = gpu_or_skip("rezghi_replay_on_the_gpu") else {
        return;
    };
    let g = Golden::load("stdp");
    let times = g.get("rezghi__in_times").to_vec::<u8>().unwrap();
    let rows = g.get("rezghi__winners").to_vec::<i64>().unwrap();
    let (nb, b, c, h, w, t, o) = (4usize, 16usize, 6usize, 28usize, 28usize, 15usize, 100usize);
    let mut conv = Conv::new(6, 100, 5, 1, 2, 0.5, 0.02, Device::Cpu, DType::F32).unwrap();
    conv.kernel = gpu(&g.get("rezghi__kernel0"));
    conv.stdpconfig = vec![STDPConfig::new(0.0004, -0.0003)];
    let plane = c * h * w;
    for batch in 0..nb {
        let mut x = vec![0u8; b * t * plane];
        for s in 0..b {
            let tm = &times[(batch * b + s) * plane..(batch * b + s + 1) * plane];
            for step in 0..t {
                let dst = &mut x[(s * t + step) * plane..(s * t + step + 1) * plane];
                for (d, &ft) in dst.iter_mut().zip(tm) {
                    *d = (ft as usize <= step) as u8;
                }
            }
        }
        let mut y = vec![0u8; b * t * o * h * w];
        let mut winners: Winners = vec![Vec::new(); b];
        for r in rows.chunks(8).skip(1).filter(|r| r[0] == batch as i64) {
            let (s, z, yy, xx, post) = (r[1] as usize, r[4], r[5], r[6], r[7] as usize);
            winners[s].push(Winner::new(r[2], r[3], z, yy, xx));
            for step in post..t {
                y[((s * t + step) * o + z as usize) * h * w + yy as usize * w + xx as usize] = 1;
            }
        }
        let x = gpu(&Tensor::from_vec(x, &[b, t, c, h, w]).unwrap());
        let y = gpu(&Tensor::from_vec(y, &[b, t, o, h, w]).unwrap());
        conv.stdp(&x, &winners, &y).unwrap();
    }
    assert_same(&g.get("rezghi__kernel"), &conv.kernel, "rezghi replay");
}

/// The original's golden conv / fc cases on the GPU.
#[test]
fn golden_cases_on_the_gpu() {
    let Some(_g) = gpu_or_skip("golden_cases_on_the_gpu") else {
        return;
    };
    let g = Golden::load("stdp");
    for c in g.cases_with("conv_") {
        let mut conv = golden_conv(&g, &c);
        conv.kernel = gpu(&conv.kernel);
        let x = g.get(&format!("{c}__input"));
        let y = g.get(&format!("{c}__output"));
        let w = winners_from(&g.get(&format!("{c}__winners")), golden_batch(&x, 5));
        conv.stdp(&gpu(&x), &w, &gpu(&y)).unwrap();
        assert_same(&g.get(&format!("{c}__kernel")), &conv.kernel, &c);
    }
    for (prefix, post) in [
        ("fc_cpu_", FcPostTime::Zero),
        ("fc_int_", FcPostTime::FirstSpike),
    ] {
        for c in g.cases_with(prefix) {
            let mut fc = golden_fc(&g, &c);
            fc.kernel = gpu(&fc.kernel);
            let x = g.get(&format!("{c}__input"));
            let y = g.get(&format!("{c}__output"));
            let w = winners_from(&g.get(&format!("{c}__winners")), x.shape()[0]);
            fc.stdp_with(&gpu(&x), &w, &gpu(&y), post).unwrap();
            assert_same(&g.get(&format!("{c}__kernel")), &fc.kernel, &c);
        }
    }
}

#[test]
fn errors_leave_the_gpu_kernel_untouched() {
    let Some(_g) = gpu_or_skip("errors_leave_the_gpu_kernel_untouched") else {
        return;
    };
    let mut conv = Conv::new(2, 3, 3, 1, 0, 0.5, 0.02, GPU, DType::F32).unwrap();
    conv.stdpconfig = vec![STDPConfig::new(0.004, -0.003), STDPConfig::new(0.1, -0.1)];
    let before = cpu(&conv.kernel);
    let x = gpu(&Tensor::full(DType::U8, &[2, 4, 2, 5, 5], 1).unwrap());
    let y = gpu(&Tensor::full(DType::U8, &[2, 4, 3, 3, 3], 1).unwrap());
    let ok = Winner::new(0, 0, 1, 1, 1);
    for (w, kind) in [
        (
            vec![vec![ok], vec![ok, Winner::new(2, 0, 0, 0, 0)]],
            ErrorKind::Argument,
        ),
        (vec![vec![ok]], ErrorKind::Argument),
        (
            vec![vec![ok], vec![Winner::new(0, 0, 3, 0, 0)]],
            ErrorKind::Argument,
        ),
        (
            vec![vec![ok], vec![Winner::new(0, 0, 0, 0, -1)]],
            ErrorKind::Argument,
        ),
    ] {
        assert_eq!(conv.stdp(&x, &w, &y).unwrap_err().kind(), kind, "{w:?}");
    }
    assert_same(&before, &conv.kernel, "after errors");
    // Skipped winners and empty lists change nothing.
    conv.stdp(&x, &[vec![Winner::new(-1, 0, 99, 99, 99)], vec![]], &y)
        .unwrap();
    assert_same(&before, &conv.kernel, "after skipped winners");
    // Mixed devices are device errors, before anything runs.
    let xc = cpu(&x);
    assert_eq!(
        conv.stdp(&xc, &[vec![ok], vec![]], &y).unwrap_err().kind(),
        ErrorKind::Device
    );
    let mut host = conv.clone();
    host.kernel = before.copy().unwrap();
    assert_eq!(
        host.stdp(&x, &[vec![ok], vec![]], &y).unwrap_err().kind(),
        ErrorKind::Device
    );
    // Integer kernels and dtype mismatches are the CPU's errors.
    let mut int = conv.clone();
    int.kernel = gpu(&Tensor::zeros(DType::I32, &[3, 2, 3, 3]).unwrap());
    assert_eq!(
        int.stdp(&x, &[vec![ok], vec![]], &y).unwrap_err().kind(),
        ErrorKind::DType
    );
    let yf = gpu(&cpu(&y).to_dtype(DType::F32).unwrap());
    assert_eq!(
        conv.stdp(&x, &[vec![ok], vec![]], &yf).unwrap_err().kind(),
        ErrorKind::DType
    );
    assert_same(&before, &conv.kernel, "after dtype errors");

    let mut fc = FC::new(4, 3, 0.5, 0.02, GPU, DType::F64).unwrap();
    fc.stdpconfig = vec![STDPConfig::new(0.004, -0.003)];
    let fbefore = cpu(&fc.kernel);
    let fx = gpu(&Tensor::full(DType::U8, &[2, 5, 4], 1).unwrap());
    let fy = gpu(&Tensor::full(DType::U8, &[2, 5, 3], 1).unwrap());
    for w in [
        vec![vec![Winner::fc(0, 0)], vec![Winner::fc(0, 3)]],
        vec![vec![Winner::fc(0, 0)], vec![Winner::fc(1, 0)]],
        vec![vec![Winner::fc(0, 0)]],
    ] {
        assert_eq!(
            fc.stdp(&fx, &w, &fy).unwrap_err().kind(),
            ErrorKind::Argument
        );
    }
    assert_eq!(
        fc.stdp(&cpu(&fx), &[vec![], vec![]], &fy)
            .unwrap_err()
            .kind(),
        ErrorKind::Device
    );
    assert_same(&fbefore, &fc.kernel, "fc after errors");
}
