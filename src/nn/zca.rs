//! ZCA whitening module (spec §2.5).

use crate::cpu::zca as kern;
use crate::ops::common_device;
use crate::{shape, DType, Device, Error, Result, Tensor};
use std::path::Path;

/// ZCA whitening: learns the feature means `μ` and the symmetric whitening matrix `W` of a data
/// set, then maps samples to `(x − μ)·W`.
///
/// The original computes in f32 with LAPACK; this port computes the covariance and its
/// eigen-decomposition in f64 (own Jacobi solver) and stores `mean` / `transform` in f32 like the
/// original, so results agree with it to about 1e-5 relative.
///
/// `mean` and `transform` always live on the host. CUDA inputs are whitened and split on their
/// GPU (bit-identical to the CPU); [`ZCA::fit`] on a CUDA input fits on a host copy (one
/// download; the eigen-decomposition is a sequential f64 solver) and, with `transform`, whitens
/// the input on its GPU.
#[derive(Debug, Clone, Default)]
pub struct ZCA {
    mean: Option<Tensor>,
    transform: Option<Tensor>,
}

/// `t` as an f32 tensor on the host, in its own memory.
fn host_f32(t: &Tensor) -> Result<Tensor> {
    t.to_device(Device::Cpu)?.to_dtype(DType::F32)?.copy()
}

/// `[N, D]` view of a tensor of rank `>= 2` (rank 1 promoted to `[1, D]` when `promote`).
fn as_matrix(input: &Tensor, promote: bool, what: &str) -> Result<(usize, usize)> {
    let s = if promote {
        shape::at_least(input.shape(), 2, what)?
    } else {
        if input.dims() < 2 {
            return Err(Error::Shape(format!(
                "expected {what} of rank >= 2, got shape {:?}",
                input.shape()
            )));
        }
        input.shape().to_vec()
    };
    let n = s[0];
    Ok((n, s[1..].iter().product()))
}

fn check_float(input: &Tensor, what: &str) -> Result<()> {
    if !input.dtype().is_float() {
        return Err(Error::DType(format!(
            "expected {what} of a float dtype (f16, f32, f64), got {}",
            input.dtype()
        )));
    }
    Ok(())
}

impl ZCA {
    /// An unfitted module; [`ZCA::fit`] or [`ZCA::load`] make it usable.
    pub fn new() -> ZCA {
        ZCA::default()
    }

    /// A fitted module from a mean `[D]` and a transform `[D, D]` (converted to f32 and copied to
    /// the host, from any device).
    pub fn from_parts(mean: &Tensor, transform: &Tensor) -> Result<ZCA> {
        let d = mean.numel();
        if mean.dims() != 1 || transform.shape() != [d, d] {
            return Err(Error::Shape(format!(
                "expected a ZCA mean [D] and transform [D, D], got {:?} and {:?}",
                mean.shape(),
                transform.shape()
            )));
        }
        Ok(ZCA {
            mean: Some(host_f32(mean)?),
            transform: Some(host_f32(transform)?),
        })
    }

    /// The learned feature means `[D]` (f32), `None` before fitting.
    pub fn mean(&self) -> Option<&Tensor> {
        self.mean.as_ref()
    }

    /// The learned whitening matrix `[D, D]` (f32), `None` before fitting.
    pub fn transform(&self) -> Option<&Tensor> {
        self.transform.as_ref()
    }

    /// Learns mean and whitening matrix from `input` `[N, ...]` (N samples of `D = product of the
    /// trailing extents` features, float dtype, `N >= 2`, finite values). `epsilon >= 0` is added
    /// to every eigenvalue. With `transform`, `input` is also whitened in place.
    pub fn fit(&mut self, input: &Tensor, epsilon: f64, transform: bool) -> Result<&mut ZCA> {
        check_float(input, "a ZCA fit input")?;
        let (n, d) = as_matrix(input, false, "a ZCA fit input [N, ...]")?;
        if n < 2 {
            return Err(Error::Shape(format!(
                "expected at least 2 samples to fit ZCA, got shape {:?}",
                input.shape()
            )));
        }
        if !(epsilon.is_finite() && epsilon >= 0.0) {
            return Err(Error::Argument(format!(
                "expected a finite ZCA epsilon >= 0, got {epsilon}"
            )));
        }
        let x = input.to_device(Device::Cpu)?.to_vec_as::<f64>()?;
        if x.iter().any(|v| !v.is_finite()) {
            return Err(Error::Argument(
                "expected finite values in the ZCA fit input, got NaN or infinity".into(),
            ));
        }
        let mu = kern::mean(&x, n, d);
        let cov = kern::covariance(&x, &mu, n, d);
        let (values, vectors) = kern::jacobi_eigen(cov, d);
        if values.iter().any(|l| l.max(0.0) + epsilon <= 0.0) {
            return Err(Error::Argument(
                "the covariance is singular: use an epsilon > 0".into(),
            ));
        }
        let w = kern::whitening(&values, &vectors, d, epsilon);
        let mean = Tensor::from_vec(mu, &[d])?.to_dtype(DType::F32)?;
        let wt = Tensor::from_vec(w, &[d, d])?.to_dtype(DType::F32)?;
        self.mean = Some(mean);
        self.transform = Some(wt);
        if transform {
            self.apply_inplace(input)?;
        }
        Ok(self)
    }

    fn parts(&self) -> Result<(Vec<f64>, Vec<f64>)> {
        match (&self.mean, &self.transform) {
            (Some(m), Some(t)) => Ok((m.to_vec_as::<f64>()?, t.to_vec_as::<f64>()?)),
            _ => Err(Error::Argument(
                "the ZCA module is used before fit or load".into(),
            )),
        }
    }

    /// Whitens `input` `[N, ...]` (or one sample `[D]`) in place: `x ← (x − μ)·W`.
    pub fn apply_inplace(&self, input: &Tensor) -> Result<()> {
        let d = self.check_input(input)?;
        if let Device::Cuda(_) = input.device() {
            // Each output reads a whole input row: stage through a temporary.
            let tmp = Tensor::alloc_on(input.device(), input.dtype(), input.shape(), false)?;
            self.apply_cuda(input, &tmp, d)?;
            return input.copy_from(&tmp);
        }
        let (mu, w) = self.parts()?;
        crate::with_float_dtype!(input.dtype(), T => {
            let mut x = input.write::<T>()?;
            kern::apply::<T>(&mut x, &mu, &w, d);
        }, else unreachable!("checked to be a float dtype"));
        Ok(())
    }

    /// The feature count of a valid (float, fitted, matching) whitening input.
    fn check_input(&self, input: &Tensor) -> Result<usize> {
        check_float(input, "a ZCA input")?;
        let features = match &self.mean {
            Some(m) if self.transform.is_some() => m.numel(),
            _ => {
                return Err(Error::Argument(
                    "the ZCA module is used before fit or load".into(),
                ))
            }
        };
        let (_, d) = as_matrix(input, true, "a ZCA input [N, ...]")?;
        if d != features {
            return Err(Error::Shape(format!(
                "expected ZCA input samples of {features} features, got shape {:?}",
                input.shape()
            )));
        }
        Ok(d)
    }

    /// `out = (input − μ)·W` on the input's GPU (`out` distinct from `input`).
    fn apply_cuda(&self, input: &Tensor, out: &Tensor, d: usize) -> Result<()> {
        match (&self.mean, &self.transform) {
            (Some(m), Some(t)) => crate::cuda::filter::zca_apply(input, m, t, out, d),
            _ => Err(Error::Argument(
                "the ZCA module is used before fit or load".into(),
            )),
        }
    }

    /// Whitens a copy of `input` and returns it (same shape and dtype; `input` is unchanged).
    pub fn apply(&self, input: &Tensor) -> Result<Tensor> {
        if let Device::Cuda(_) = input.device() {
            let d = self.check_input(input)?;
            let out = Tensor::alloc_on(input.device(), input.dtype(), input.shape(), false)?;
            self.apply_cuda(input, &out, d)?;
            return Ok(out);
        }
        let out = input.copy()?;
        self.apply_inplace(&out)?;
        Ok(out)
    }

    /// Splits `input` `[N, ...]` (rank 1 promoted to `[1, D]`, any dtype) into positive and
    /// negative parts: output `[N, 2, ...]` with `max(x, 0)` then `max(−x, 0)`.
    pub fn split(input: &Tensor) -> Result<Tensor> {
        let s = shape::at_least(input.shape(), 2, "a ZCA split input [N, ...]")?;
        let out = Tensor::zeros_on(input.device(), input.dtype(), &shape::zca_split(&s)?)?;
        ZCA::split_into(input, &out)?;
        Ok(out)
    }

    /// [`ZCA::split`] into a caller-provided output of the same dtype and shape `[N, 2, ...]`.
    pub fn split_into(input: &Tensor, output: &Tensor) -> Result<()> {
        common_device(&[input, output])?;
        let s = shape::at_least(input.shape(), 2, "a ZCA split input [N, ...]")?;
        let want = shape::zca_split(&s)?;
        if output.shape() != want.as_slice() || output.dtype() != input.dtype() {
            return Err(Error::Shape(format!(
                "expected a ZCA split output {want:?} of dtype {}, got {:?} of dtype {}",
                input.dtype(),
                output.shape(),
                output.dtype()
            )));
        }
        crate::ops::ensure_distinct("ZCA split", output, &[("input", input)])?;
        let d: usize = s[1..].iter().product();
        if let Device::Cuda(_) = input.device() {
            return crate::cuda::filter::zca_split(input, output, d);
        }
        crate::with_dtype!(input.dtype(), T => {
            let x = input.read::<T>()?;
            let mut o = output.write::<T>()?;
            kern::split::<T>(&x, &mut o, d);
        });
        Ok(())
    }

    /// Writes `mean` and `transform` to a `.npz` file (the original's format).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        match (&self.mean, &self.transform) {
            (Some(m), Some(t)) => crate::io::write_npz(path, &[("mean", m), ("transform", t)]),
            _ => Err(Error::Argument(
                "the ZCA module is saved before fit or load".into(),
            )),
        }
    }

    /// A module read from a `.npz` file with arrays `mean` `[D]` and `transform` `[D, D]` (as
    /// written by [`ZCA::save`] or the original's `save`). Unlike the original, this does not
    /// need a fitted module to load into.
    pub fn load(path: impl AsRef<Path>) -> Result<ZCA> {
        let arrays = crate::io::read_npz(path)?;
        let get = |k: &str| {
            arrays
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, t)| t)
                .ok_or_else(|| Error::Io(format!("expected an array {k:?} in the ZCA file")))
        };
        ZCA::from_parts(get("mean")?, get("transform")?)
    }
}
