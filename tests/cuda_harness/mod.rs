//! Shared harness of the CUDA equivalence tests (`tests/cuda_<family>.rs`): the GPU lock, the
//! skip notice, random inputs of every dtype and NaN-aware bitwise comparison of CPU and CUDA
//! results.

#![allow(dead_code)]

use spyker::{DType, Device, Element, Tensor};

/// The device the equivalence tests run on.
pub const GPU: Device = Device::Cuda(0);

/// GPU tests of one binary run one at a time (allocator state is per device).
static GPU_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Holds the GPU for the test, or prints a skip notice and returns `None` without a device.
pub fn gpu_or_skip(test: &str) -> Option<std::sync::MutexGuard<'static, ()>> {
    if spyker::cuda_available() {
        Some(GPU_LOCK.lock().unwrap_or_else(|e| e.into_inner()))
    } else {
        eprintln!("SKIP {test}: no CUDA device");
        None
    }
}

/// A small deterministic generator (xorshift64*), so failures reproduce.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in `[0, 1)`.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The dtypes whose special values (NaN, ±0, ±inf) the samples include.
fn is_float(dt: DType) -> bool {
    matches!(dt, DType::F16 | DType::F32 | DType::F64)
}

/// A CPU tensor of `dtype` and `shape` with small integers in `[lo, hi]` (many ties), and for
/// float dtypes also fractions, -0.0, NaN and infinities when `specials`.
pub fn random(
    dtype: DType,
    shape: &[usize],
    lo: i64,
    hi: i64,
    specials: bool,
    rng: &mut Rng,
) -> Tensor {
    let n: usize = shape.iter().product();
    let span = (hi - lo + 1) as f64;
    let vals: Vec<f64> = (0..n)
        .map(|_| {
            let u = rng.uniform();
            if specials && is_float(dtype) && u < 0.08 {
                [
                    f64::NAN,
                    -0.0,
                    f64::INFINITY,
                    f64::NEG_INFINITY,
                    0.0,
                    0.25,
                    -0.5,
                    1.5,
                ][(rng.next_u64() % 8) as usize]
            } else {
                lo as f64 + (rng.uniform() * span).floor()
            }
        })
        .collect();
    spyker::with_dtype!(dtype, T => {
        let v: Vec<T> = vals.iter().map(|&x| T::from_f64(x)).collect();
        Tensor::from_vec(v, shape).unwrap()
    })
}

/// A tensor of `shape` and `dtype` with non-integer values in ±[0.05, 1.05) (never zero): kernels
/// whose sums round, for the conv and fc equivalence tests.
pub fn weights(dtype: DType, shape: &[usize], rng: &mut Rng) -> Tensor {
    let n: usize = shape.iter().product();
    let v: Vec<f64> = (0..n)
        .map(|_| {
            let m = 0.05 + rng.uniform();
            if rng.next_u64().is_multiple_of(2) {
                m
            } else {
                -m
            }
        })
        .collect();
    Tensor::from_vec(v, shape).unwrap().to_dtype(dtype).unwrap()
}

/// Copies a tensor to the CPU.
pub fn cpu(t: &Tensor) -> Tensor {
    t.to_device(Device::Cpu).unwrap()
}

/// Copies a tensor to the GPU.
pub fn gpu(t: &Tensor) -> Tensor {
    t.to_device(GPU).unwrap()
}

/// Bitwise equality of a CPU tensor and a CUDA (or CPU) tensor, except that any two NaNs are
/// equal (the GPU writes canonical NaNs, the CPU may keep payloads).
pub fn assert_same(want: &Tensor, got: &Tensor, what: &str) {
    let got = cpu(got);
    assert_eq!(want.dtype(), got.dtype(), "{what}: dtype");
    assert_eq!(want.shape(), got.shape(), "{what}: shape");
    spyker::with_dtype!(want.dtype(), T => {
        let (x, y) = (want.to_vec::<T>().unwrap(), got.to_vec::<T>().unwrap());
        for (i, (p, q)) in x.iter().zip(&y).enumerate() {
            let same = bytemuck::bytes_of(p) == bytemuck::bytes_of(q) || (p.is_nan() && q.is_nan());
            assert!(same, "{what}: first difference at element {i}: cpu {p:?} vs cuda {q:?}");
        }
    })
}

/// Largest absolute difference between a CPU tensor and another tensor, both read as f64 (NaN
/// where exactly one side is NaN).
pub fn max_abs_diff(want: &Tensor, got: &Tensor) -> f64 {
    let got = cpu(got);
    assert_eq!(want.shape(), got.shape());
    let (x, y) = (
        want.to_vec_as::<f64>().unwrap(),
        got.to_vec_as::<f64>().unwrap(),
    );
    x.iter()
        .zip(&y)
        .map(|(a, b)| {
            if a.is_nan() && b.is_nan() {
                0.0
            } else {
                (a - b).abs()
            }
        })
        .fold(0.0, |m, d| if d.is_nan() || d > m { d } else { m })
}
