//! Shared helpers of the integration tests: loading golden vectors written by
//! `scripts/reference/generate.py` and comparing tensors.
#![allow(dead_code)]

use spyker::{DType, Tensor};
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
