//! The CUDA backend through the public API.
//!
//! Without a GPU (CI, this repository's development machine): `cuda_available()` is false,
//! `all_devices()` lists only the CPU, and every CUDA request is a clean error. With a GPU: host
//! round trips for all 11 dtypes, fill, every dtype conversion, device copies, the caching
//! allocator, and the fire/threshold/quantize kernels against the CPU ops, all exact. Each GPU test
//! prints a skip notice when no device is present.

use spyker::cuda::fire;
use spyker::{Code, DType, Device, Element, ErrorKind, Scalar, Tensor};

fn kind<T>(r: spyker::Result<T>) -> ErrorKind {
    match r {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.kind(),
    }
}

/// GPU tests run one at a time: the allocator counters they check are per device.
static GPU_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Holds the GPU for the test, or prints a skip notice and returns `None` without a device.
fn gpu_or_skip(test: &str) -> Option<std::sync::MutexGuard<'static, ()>> {
    if spyker::cuda_available() {
        Some(GPU_LOCK.lock().unwrap_or_else(|e| e.into_inner()))
    } else {
        eprintln!("SKIP {test}: no CUDA device");
        None
    }
}

// ------------------------------------------------------------------------------- no GPU

#[test]
fn without_a_gpu_every_cuda_request_is_an_error() {
    if spyker::cuda_available() {
        eprintln!("SKIP without_a_gpu_every_cuda_request_is_an_error: a CUDA device is present");
        return;
    }
    assert_eq!(spyker::cuda_device_count(), 0);
    assert_eq!(spyker::all_devices(), vec![Device::Cpu]);
    let e = Tensor::zeros_on(Device::Cuda(0), DType::F32, &[2]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Device);
    // The message says why (no driver library, no device, or disabled).
    assert!(e.message().contains("("), "{e}");
    let t = Tensor::zeros(DType::F32, &[2]).unwrap();
    assert_eq!(kind(t.to_device(Device::Cuda(0))), ErrorKind::Device);
    assert_eq!(kind(Device::cuda(0)), ErrorKind::Device);
    assert_eq!(kind(spyker::cuda_set_device(0)), ErrorKind::Device);
    assert_eq!(kind(spyker::cuda_current_device()), ErrorKind::Device);
    assert_eq!(kind(spyker::cuda_arch_list()), ErrorKind::Device);
    assert_eq!(kind(spyker::cuda_device_arch(0)), ErrorKind::Device);
    assert_eq!(kind(spyker::cuda_memory_total(0)), ErrorKind::Device);
    assert_eq!(kind(spyker::cuda_memory_free(0)), ErrorKind::Device);
    assert_eq!(kind(spyker::cuda_memory_taken(0)), ErrorKind::Device);
    assert_eq!(kind(spyker::cuda_memory_used(0)), ErrorKind::Device);
    assert_eq!(kind(spyker::cuda_cache_enabled(0)), ErrorKind::Device);
    assert_eq!(kind(spyker::cuda_cache_enable(false, 0)), ErrorKind::Device);
    assert_eq!(kind(spyker::cuda_cache_clear(0)), ErrorKind::Device);
    assert_eq!(kind(spyker::cuda_cache_print(0)), ErrorKind::Device);
    assert_eq!(kind(spyker::cuda_cache_stats(0)), ErrorKind::Device);
    assert_eq!(kind(spyker::cuda_synchronize(0)), ErrorKind::Device);
    // CPU tensors handed to the CUDA kernels directly.
    assert_eq!(
        kind(fire::threshold(&t, 0.5.into(), 0.0.into())),
        ErrorKind::Device
    );
    // clear_context is fine without CUDA.
    spyker::clear_context();
}

// ------------------------------------------------------------------------------- helpers

/// Test values of every kind a dtype can meet: small, negative, fractional, out of range, NaN,
/// infinities (conversions on both devices saturate the same way).
const VALUES: [f64; 16] = [
    0.0,
    1.0,
    -1.0,
    0.5,
    -2.75,
    3.25,
    100.0,
    127.0,
    255.9,
    -300.7,
    70000.0,
    5e9,
    -1e19,
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
];

/// A CPU tensor of `dtype` with `n` elements cycling through `VALUES`.
fn sample(dtype: DType, n: usize) -> Tensor {
    spyker::with_dtype!(dtype, T => {
        let v: Vec<T> = (0..n).map(|i| T::from_f64(VALUES[i % VALUES.len()] + (i / VALUES.len()) as f64)).collect();
        Tensor::from_vec(v, &[n]).unwrap()
    })
}

/// Bitwise equality of two CPU tensors, except that any two NaNs are equal (the GPU writes the
/// canonical NaN, the CPU keeps payloads).
fn assert_bits_eq(a: &Tensor, b: &Tensor, what: &str) {
    assert_eq!(a.dtype(), b.dtype(), "{what}: dtype");
    assert_eq!(a.shape(), b.shape(), "{what}: shape");
    assert_eq!(a.device(), Device::Cpu);
    assert_eq!(b.device(), Device::Cpu);
    spyker::with_dtype!(a.dtype(), T => {
        let (x, y) = (a.to_vec::<T>().unwrap(), b.to_vec::<T>().unwrap());
        for (i, (p, q)) in x.iter().zip(&y).enumerate() {
            let same = bytemuck::bytes_of(p) == bytemuck::bytes_of(q) || (p.is_nan() && q.is_nan());
            assert!(same, "{what}: first difference at element {i}: {p:?} vs {q:?}");
        }
    })
}

fn cpu(t: &Tensor) -> Tensor {
    t.to_device(Device::Cpu).unwrap()
}

const GPU: Device = Device::Cuda(0);

// ------------------------------------------------------------------------------- GPU

#[test]
fn round_trips_for_all_dtypes() {
    let Some(_gpu) = gpu_or_skip("round_trips_for_all_dtypes") else {
        return;
    };
    for dt in DType::ALL {
        for n in [1, 7, 1000, 100_003] {
            let h = sample(dt, n);
            let d = h.to_device(GPU).unwrap();
            assert_eq!(d.device(), GPU);
            assert_eq!(d.dtype(), dt);
            // Host access to device memory is an error: copies are explicit.
            assert_eq!(kind(d.to_bytes()), ErrorKind::Device);
            assert_bits_eq(&cpu(&d), &h, &format!("{dt} n={n}"));
            // device -> device copy, then back.
            assert_bits_eq(&cpu(&d.copy().unwrap()), &h, &format!("{dt} copy"));
        }
        // Views keep their offset on the device.
        let h = sample(dt, 60).reshape(&[6, 10]).unwrap();
        let d = h.to_device(GPU).unwrap();
        assert_bits_eq(
            &cpu(&d.index(4).unwrap()),
            &h.index(4).unwrap(),
            &format!("{dt} view"),
        );
        let dst = Tensor::zeros_on(GPU, dt, &[6, 10]).unwrap();
        dst.slice(1, 3)
            .unwrap()
            .copy_from(&h.slice(2, 4).unwrap())
            .unwrap();
        let back = cpu(&dst);
        assert_bits_eq(
            &back.slice(1, 3).unwrap().copy().unwrap(),
            &h.slice(2, 4).unwrap().copy().unwrap(),
            &format!("{dt} slice upload"),
        );
        assert!(back
            .index(0)
            .unwrap()
            .to_bytes()
            .unwrap()
            .iter()
            .all(|&b| b == 0));
    }
}

#[test]
fn zeros_and_fill_match_the_cpu() {
    let Some(_gpu) = gpu_or_skip("zeros_and_fill_match_the_cpu") else {
        return;
    };
    for dt in DType::ALL {
        let z = Tensor::zeros_on(GPU, dt, &[3, 333]).unwrap();
        assert_bits_eq(
            &cpu(&z),
            &Tensor::zeros(dt, &[3, 333]).unwrap(),
            &format!("zeros {dt}"),
        );
        for v in [
            0.0,
            1.0,
            -1.0,
            0.5,
            -2.9,
            300.0,
            40000.0,
            5e9,
            1e300,
            f64::NAN,
        ] {
            let d = Tensor::zeros_on(GPU, dt, &[1001]).unwrap();
            d.fill(v).unwrap();
            let h = Tensor::full(dt, &[1001], v).unwrap();
            assert_bits_eq(&cpu(&d), &h, &format!("fill {dt} {v}"));
        }
        // Fill a view only.
        let d = Tensor::zeros_on(GPU, dt, &[4, 5]).unwrap();
        d.index(2).unwrap().fill(7.0).unwrap();
        let h = Tensor::zeros(dt, &[4, 5]).unwrap();
        h.index(2).unwrap().fill(7.0).unwrap();
        assert_bits_eq(&cpu(&d), &h, &format!("fill view {dt}"));
    }
}

#[test]
fn every_dtype_conversion_matches_the_cpu() {
    let Some(_gpu) = gpu_or_skip("every_dtype_conversion_matches_the_cpu") else {
        return;
    };
    for from in DType::ALL {
        let h = sample(from, 4099);
        let d = h.to_device(GPU).unwrap();
        for to in DType::ALL {
            let gd = d.to_dtype(to).unwrap();
            assert_eq!(gd.device(), GPU);
            assert_bits_eq(
                &cpu(&gd),
                &h.to_dtype(to).unwrap(),
                &format!("{from} -> {to} on cuda"),
            );
            // Mixed-device copies convert too.
            let up = Tensor::zeros_on(GPU, to, &[4099]).unwrap();
            up.copy_from(&h).unwrap();
            assert_bits_eq(
                &cpu(&up),
                &h.to_dtype(to).unwrap(),
                &format!("{from} -> {to} upload"),
            );
            let down = Tensor::zeros(to, &[4099]).unwrap();
            down.copy_from(&d).unwrap();
            assert_bits_eq(
                &down,
                &h.to_dtype(to).unwrap(),
                &format!("{from} -> {to} download"),
            );
        }
    }
}

#[test]
fn overlapping_device_copy_is_staged() {
    let Some(_gpu) = gpu_or_skip("overlapping_device_copy_is_staged") else {
        return;
    };
    let h = Tensor::from_vec((0..10).map(|i| i as f32).collect::<Vec<_>>(), &[10]).unwrap();
    let d = h.to_device(GPU).unwrap();
    d.slice(2, 10)
        .unwrap()
        .copy_from(&d.slice(0, 8).unwrap())
        .unwrap();
    h.slice(2, 10)
        .unwrap()
        .copy_from(&h.slice(0, 8).unwrap())
        .unwrap();
    assert_bits_eq(&cpu(&d), &h, "overlap");
}

#[test]
fn runtime_controls_and_the_caching_allocator() {
    let Some(_gpu) = gpu_or_skip("runtime_controls_and_the_caching_allocator") else {
        return;
    };
    let n = spyker::cuda_device_count();
    assert!(n >= 1);
    assert_eq!(spyker::all_devices().len(), n + 1);
    assert_eq!(kind(spyker::cuda_device_arch(n)), ErrorKind::Device);
    assert_eq!(
        kind(Tensor::zeros_on(Device::Cuda(n), DType::U8, &[1])),
        ErrorKind::Device
    );
    spyker::cuda_set_device(0).unwrap();
    assert_eq!(spyker::cuda_current_device().unwrap(), 0);
    assert_eq!(Device::new(spyker::DeviceKind::Cuda, -1).unwrap(), GPU);
    let arch = spyker::cuda_device_arch(0).unwrap();
    eprintln!(
        "cuda:0 arch {arch}, NVRTC archs {:?}",
        spyker::cuda_arch_list().unwrap()
    );
    assert!(arch >= 50);
    let total = spyker::cuda_memory_total(0).unwrap();
    let free = spyker::cuda_memory_free(0).unwrap();
    assert!(total > 0 && free <= total);

    spyker::cuda_cache_enable(true, 0).unwrap();
    assert!(spyker::cuda_cache_enabled(0).unwrap());
    let before = spyker::cuda_cache_stats(0).unwrap();
    let bytes = 3 << 20;
    let t = Tensor::zeros_on(GPU, DType::U8, &[bytes]).unwrap();
    let during = spyker::cuda_cache_stats(0).unwrap();
    assert!(during.used >= before.used + bytes, "{before} / {during}");
    assert!(spyker::cuda_memory_taken(0).unwrap() >= spyker::cuda_memory_used(0).unwrap());
    drop(t);
    let after = spyker::cuda_cache_stats(0).unwrap();
    assert_eq!(after.used, before.used);
    assert!(after.cached >= bytes);
    // The same size is served from the cache.
    let t = Tensor::zeros_on(GPU, DType::U8, &[bytes]).unwrap();
    assert_eq!(spyker::cuda_cache_stats(0).unwrap().hits, after.hits + 1);
    drop(t);
    spyker::cuda_cache_print(0).unwrap();
    spyker::cuda_cache_clear(0).unwrap();
    assert_eq!(spyker::cuda_cache_stats(0).unwrap().cached, 0);
    // Disabled: blocks go straight back to the driver.
    spyker::cuda_cache_enable(false, 0).unwrap();
    let t = Tensor::zeros_on(GPU, DType::F32, &[1000]).unwrap();
    drop(t);
    assert_eq!(spyker::cuda_cache_stats(0).unwrap().cached, 0);
    spyker::cuda_cache_enable(true, 0).unwrap();
    // Kernels are rebuilt after clear_context.
    spyker::clear_context();
    let t = Tensor::zeros_on(GPU, DType::F32, &[10]).unwrap();
    t.fill(2.0).unwrap();
    assert_eq!(cpu(&t).to_vec::<f32>().unwrap(), vec![2.0; 10]);
    spyker::cuda_synchronize(0).unwrap();
}

// ------------------------------------------------------------------------------- fire family

/// Cumulative-looking potentials `[2, 9, 37]` of dtype `dt` (with a few negative steps).
fn potentials(dt: DType) -> Tensor {
    let shape = [2usize, 9, 37];
    let n: usize = shape.iter().product();
    let v: Vec<f64> = (0..n)
        .map(|k| {
            let (t, j) = ((k / 37) % 9, k % 37);
            (t as f64) * ((j % 7) as f64 * 0.75) - (j % 3) as f64
                + if j == 5 { f64::NAN } else { 0.0 }
        })
        .collect();
    spyker::with_dtype!(dt, T => Tensor::from_vec(v.iter().map(|&x| T::from_f64(x)).collect::<Vec<T>>(), &shape).unwrap())
}

#[test]
fn fire_rank_and_rate_match_the_cpu_for_every_dtype_pair() {
    let Some(_gpu) = gpu_or_skip("fire_rank_and_rate_match_the_cpu_for_every_dtype_pair") else {
        return;
    };
    for si in DType::ALL {
        let h = potentials(si);
        let d = h.to_device(GPU).unwrap();
        for thr in [0.0, 0.9, 2.5, -1.0] {
            let thr_s = Scalar::from(thr);
            for so in DType::ALL {
                for code in [Code::Rank, Code::Rate] {
                    let out = Tensor::zeros_on(GPU, so, h.shape()).unwrap();
                    fire::fire_into(&d, &out, thr_s, code).unwrap();
                    // The library's CPU op is the reference (its golden tests pin it to the
                    // original), including the rate code's promoted narrow-int sums.
                    let expect = Tensor::zeros(so, h.shape()).unwrap();
                    spyker::fire_into(&h, &expect, thr_s, code).unwrap();
                    assert_bits_eq(
                        &cpu(&out),
                        &expect,
                        &format!("fire {code:?} {si}->{so} thr {thr}"),
                    );
                }
            }
        }
    }
}

#[test]
fn threshold_and_quantize_match_cpu_loops() {
    let Some(_gpu) = gpu_or_skip("threshold_and_quantize_match_cpu_loops") else {
        return;
    };
    for dt in DType::ALL {
        let h = sample(dt, 5000);
        for (thr, val) in [(0.0, 0.0), (1.7, -5.0), (-1.0, 3.0), (100.0, 0.5)] {
            let d = h.to_device(GPU).unwrap();
            fire::threshold(&d, thr.into(), val.into()).unwrap();
            let expect = spyker::with_dtype!(dt, T => {
                let (t, v): (T, T) = (Scalar::from(thr).to::<T>(), Scalar::from(val).to::<T>());
                let x: Vec<T> = h.to_vec::<T>().unwrap().into_iter().map(|x| if x <= t { v } else { x }).collect();
                Tensor::from_vec(x, &[5000]).unwrap()
            });
            assert_bits_eq(&cpu(&d), &expect, &format!("threshold {dt} {thr} {val}"));
        }
        for (lo, mid, up) in [(0.0, 0.5, 1.0), (-1.0, 2.0, 9.0), (3.0, -2.5, 4.0)] {
            let d = h.to_device(GPU).unwrap();
            fire::quantize(&d, lo.into(), mid.into(), up.into()).unwrap();
            let expect = spyker::with_dtype!(dt, T => {
                let (l, m, u): (T, T, T) = (Scalar::from(lo).to::<T>(), Scalar::from(mid).to::<T>(), Scalar::from(up).to::<T>());
                let x: Vec<T> = h.to_vec::<T>().unwrap().into_iter().map(|x| if x < m { l } else { u }).collect();
                Tensor::from_vec(x, &[5000]).unwrap()
            });
            assert_bits_eq(&cpu(&d), &expect, &format!("quantize {dt} {lo} {mid} {up}"));
        }
    }
}

#[test]
fn fire_argument_errors() {
    let Some(_gpu) = gpu_or_skip("fire_argument_errors") else {
        return;
    };
    let d = Tensor::zeros_on(GPU, DType::F32, &[2, 3, 4]).unwrap();
    let h = Tensor::zeros(DType::U8, &[2, 3, 4]).unwrap();
    assert_eq!(
        kind(fire::fire_into(&d, &h, 0.0.into(), Code::Rank)),
        ErrorKind::Device
    );
    let small = Tensor::zeros_on(GPU, DType::U8, &[5]).unwrap();
    assert_eq!(
        kind(fire::fire_into(&d, &small, 0.0.into(), Code::Rank)),
        ErrorKind::Shape
    );
    assert_eq!(
        kind(fire::fire_into(&d, &d, 0.0.into(), Code::Rank)),
        ErrorKind::Argument
    );
    let flat = Tensor::zeros_on(GPU, DType::F32, &[4]).unwrap();
    let flat_out = Tensor::zeros_on(GPU, DType::U8, &[4]).unwrap();
    assert_eq!(
        kind(fire::fire_into(&flat, &flat_out, 0.0.into(), Code::Rate)),
        ErrorKind::Shape
    );
    assert_eq!(kind(d.read::<f32>()), ErrorKind::Device);
    assert_eq!(kind(d.write::<f32>()), ErrorKind::Device);
    assert_eq!(kind(d.to_vec::<f32>()), ErrorKind::Device);
}
