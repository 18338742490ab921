//! Shared helpers of the integration tests: loading golden vectors written by
//! `scripts/reference/generate.py` and comparing tensors.
#![allow(dead_code)]

use spyker::{Conv, DType, Device, Expand4, STDPConfig, Tensor, Winner, Winners, FC};
use std::collections::BTreeMap;

/// The arrays of one `tests/reference/<family>.npz`, keyed `<case>__<field>`.
pub struct Golden {
    pub family: String,
    map: BTreeMap<String, Tensor>,
}

impl Golden {
    pub fn load(family: &str) -> Golden {
        let path = format!(
            "{}/tests/reference/{family}.npz",
            env!("CARGO_MANIFEST_DIR")
        );
        let map = spyker::io::read_npz(&path)
            .unwrap_or_else(|e| panic!("cannot load {path}: {e} (run scripts/reference/regen.sh)"))
            .into_iter()
            .collect();
        Golden {
            family: family.into(),
            map,
        }
    }

    /// The array `key`; panics with a clear message when missing.
    pub fn get(&self, key: &str) -> Tensor {
        self.map
            .get(key)
            .unwrap_or_else(|| panic!("{}.npz has no array {key:?}", self.family))
            .clone()
    }

    pub fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    /// A scalar parameter stored as a 1-element array.
    pub fn scalar(&self, key: &str) -> f64 {
        let t = self.get(key);
        assert_eq!(t.numel(), 1, "{key} is not a scalar");
        t.to_vec_as::<f64>().unwrap()[0]
    }

    /// The distinct case names (the part before `__`), in sorted order.
    pub fn cases(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .map
            .keys()
            .filter_map(|k| k.split_once("__").map(|(c, _)| c.to_string()))
            .collect();
        v.dedup();
        v
    }

    /// Case names starting with `prefix`.
    pub fn cases_with(&self, prefix: &str) -> Vec<String> {
        self.cases()
            .into_iter()
            .filter(|c| c.starts_with(prefix))
            .collect()
    }

    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.map.keys()
    }
}

/// Winner rows `(b, c, t, z, y, x)` of a golden array (after its sentinel row), grouped into `b`
/// per-sample lists.
pub fn winners_from(t: &Tensor, b: usize) -> Winners {
    let v = t.to_vec::<i64>().unwrap();
    let mut out: Winners = vec![Vec::new(); b];
    for r in v.chunks(6).skip(1) {
        out[r[0] as usize].push(Winner::new(r[1], r[2], r[3], r[4], r[5]));
    }
    out
}

/// The batch size of a golden input whose batched form has `rank` dimensions (1 when unbatched).
pub fn golden_batch(input: &Tensor, rank: usize) -> usize {
    if input.dims() == rank {
        input.shape()[0]
    } else {
        1
    }
}

/// STDP configurations stored as rows `(pos, neg, stabilize, low, high)`.
pub fn configs_from(t: &Tensor) -> Vec<STDPConfig> {
    t.to_vec::<f64>()
        .unwrap()
        .chunks(5)
        .map(|r| STDPConfig::with_bounds(r[0], r[1], r[2] != 0.0, r[3], r[4]))
        .collect()
}

/// The CPU `Conv` layer of golden STDP case `c`: its initial kernel, stride, padding and configs.
pub fn golden_conv(g: &Golden, c: &str) -> Conv {
    let k0 = g.get(&format!("{c}__kernel0"));
    let s = g.get(&format!("{c}__stride")).to_vec::<i64>().unwrap();
    let p = g.get(&format!("{c}__pad")).to_vec::<i64>().unwrap();
    let ks = k0.shape().to_vec();
    let mut conv = Conv::new(
        ks[1],
        ks[0],
        (ks[2], ks[3]),
        (s[0] as usize, s[1] as usize),
        Expand4::from_slice(&p).unwrap(),
        0.5,
        0.02,
        Device::Cpu,
        k0.dtype(),
    )
    .unwrap();
    conv.kernel = k0.copy().unwrap();
    conv.stdpconfig = configs_from(&g.get(&format!("{c}__configs")));
    conv
}

/// The CPU `FC` layer of golden STDP case `c`: its initial kernel and configs.
pub fn golden_fc(g: &Golden, c: &str) -> FC {
    let k0 = g.get(&format!("{c}__kernel0"));
    let mut fc = FC::new(
        k0.shape()[1],
        k0.shape()[0],
        0.5,
        0.02,
        Device::Cpu,
        k0.dtype(),
    )
    .unwrap();
    fc.kernel = k0.copy().unwrap();
    fc.stdpconfig = configs_from(&g.get(&format!("{c}__configs")));
    fc
}

/// Asserts identical shape, dtype and bits (NaN equal to NaN, -0.0 distinct from 0.0).
pub fn assert_exact(got: &Tensor, want: &Tensor, ctx: &str) {
    assert_eq!(got.shape(), want.shape(), "{ctx}: shape");
    assert_eq!(got.dtype(), want.dtype(), "{ctx}: dtype");
    let (g, w) = (got.to_bytes().unwrap(), want.to_bytes().unwrap());
    if g != w {
        let gv = got.to_vec_as::<f64>().unwrap();
        let wv = want.to_vec_as::<f64>().unwrap();
        let bad: Vec<_> = gv
            .iter()
            .zip(&wv)
            .enumerate()
            .filter(|(_, (a, b))| a.to_bits() != b.to_bits())
            .take(8)
            .map(|(i, (a, b))| format!("[{i}] got {a} want {b}"))
            .collect();
        panic!(
            "{ctx}: {} of {} elements differ; first: {}",
            gv.iter()
                .zip(&wv)
                .filter(|(a, b)| a.to_bits() != b.to_bits())
                .count(),
            gv.len(),
            bad.join(", ")
        );
    }
}

/// Asserts equal shape and dtype and `|got - want| <= atol + rtol * |want|` element-wise.
pub fn assert_close(got: &Tensor, want: &Tensor, rtol: f64, atol: f64, ctx: &str) {
    assert_eq!(got.shape(), want.shape(), "{ctx}: shape");
    assert_eq!(got.dtype(), want.dtype(), "{ctx}: dtype");
    let gv = got.to_vec_as::<f64>().unwrap();
    let wv = want.to_vec_as::<f64>().unwrap();
    let mut worst = (0usize, 0.0f64);
    let mut bad = 0;
    for (i, (a, b)) in gv.iter().zip(&wv).enumerate() {
        let ok = (a.is_nan() && b.is_nan()) || (a - b).abs() <= atol + rtol * b.abs();
        if !ok {
            bad += 1;
            if (a - b).abs() > worst.1 || worst.1.is_nan() {
                worst = (i, (a - b).abs());
            }
        }
    }
    assert!(
        bad == 0,
        "{ctx}: {bad} of {} elements outside rtol {rtol} atol {atol}; worst [{}] got {} want {}",
        gv.len(),
        worst.0,
        gv[worst.0],
        wv[worst.0]
    );
}

/// Converts a golden array to `dtype` (for inputs stored in a wider type).
pub fn as_dtype(t: &Tensor, dtype: DType) -> Tensor {
    t.to_dtype(dtype).unwrap()
}

/// xorshift64*: deterministic test data without a dependency.
pub struct Rng(pub u64);
impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn unif(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Random u8 spike times `[b, c, h, w]` in `0..=time`; `p_never` of them never fire (`time`).
pub fn random_times(r: &mut Rng, shape: [usize; 4], time: usize, p_never: f64) -> Tensor {
    let n: usize = shape.iter().product();
    let v: Vec<u8> = (0..n)
        .map(|_| {
            if r.unif() < p_never {
                time as u8
            } else {
                r.below(time) as u8
            }
        })
        .collect();
    Tensor::from_vec(v, &shape).unwrap()
}

/// The first `n` bundled training digits as f32 `[n, 1, 28, 28]` in `[0, 1]`.
pub fn bundled_digits(n: usize) -> Tensor {
    let dir = spyker::helpers::bundled_mnist_dir();
    let x = spyker::helpers::mnist_data(dir.join("train-images-idx3-ubyte.gz")).unwrap();
    let x = x.slice(0, n).unwrap().to_vec_as::<f32>().unwrap();
    let x: Vec<f32> = x.iter().map(|v| v / 255.0).collect();
    Tensor::from_vec(x, &[n, 1, 28, 28]).unwrap()
}
