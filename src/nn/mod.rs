//! Stateful modules: layers (Conv, FC) and filters (DoG, Gabor, LoG, ZCA), and their configs.

// Families land one by one; empty ones re-export nothing yet. TODO(integration): remove.
#![allow(unused_imports, dead_code)]

mod config;
mod conv;
mod fc;
mod filter;
mod zca;

pub use config::{BPConfig, STDPConfig};
pub use conv::Conv;
pub use fc::FC;
pub use filter::*;
pub use zca::*;

use crate::runtime::rng::Normal;
use crate::{DType, Error, Result, Tensor};

/// A kernel of `shape` filled in row-major order with N(mean, std) draws from the library's
/// generator (a fresh distribution per kernel, spec §6.3 / A.1), rounded to `dtype`.
pub(crate) fn normal_kernel(shape: &[usize], mean: f64, std: f64, dtype: DType) -> Result<Tensor> {
    if !dtype.is_float() {
        return Err(Error::DType(format!(
            "expected a float kernel dtype (f16, f32, f64), got {dtype}"
        )));
    }
    if !(std.is_finite() && mean.is_finite()) || std < 0.0 {
        return Err(Error::Argument(format!(
            "expected a finite mean and a finite std >= 0, got mean {mean} and std {std}"
        )));
    }
    let n = crate::tensor::check_shape(shape)?;
    let mut dist = Normal::new(mean, std);
    let values: Vec<f64> =
        crate::runtime::with_generator(|g| (0..n).map(|_| dist.sample(g)).collect());
    Tensor::from_vec(values, shape)?.to_dtype(dtype)
}
