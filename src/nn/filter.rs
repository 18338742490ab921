//! DoG, Gabor and LoG filter modules (spec §2.1–2.4).
//!
//! Each module holds a kernel built in f64 and rounded to its dtype, and filters every input
//! channel independently with every filter (output channel `c·F + f`, or `c·2F + …` for LoG).
//!
//! Inputs on a CUDA device are filtered on that GPU, bit-identical to the CPU; the kernel must
//! live on the same device (build the module with that `device`), otherwise `Error::Device`.

use crate::cpu::filter::{self as kern, GaborParams, Geometry, Mode};
use crate::ops::common_device;
use crate::{shape, DType, Device, Error, Expand4, Result, Tensor};

/// One difference-of-Gaussians filter: centre `std1`, surround `std2` (`(1, 2)` is on-centre,
/// `(2, 1)` off-centre).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DoGFilter {
    pub std1: f64,
    pub std2: f64,
}

impl DoGFilter {
    /// A filter with the two standard deviations.
    pub fn new(std1: f64, std2: f64) -> DoGFilter {
        DoGFilter { std1, std2 }
    }
}

/// One Gabor filter. `theta` is stored in radians; [`GaborFilter::new`] takes degrees like the
/// original's constructor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GaborFilter {
    pub sigma: f64,
    /// Orientation in radians.
    pub theta: f64,
    pub gamma: f64,
    pub lambda: f64,
    /// Phase offset in radians.
    pub psi: f64,
}

impl GaborFilter {
    /// A filter with `theta_degrees` converted to radians exactly as the original does (so the
    /// kernels are bit-identical).
    pub fn new(sigma: f64, theta_degrees: f64, gamma: f64, lambda: f64, psi: f64) -> GaborFilter {
        GaborFilter {
            sigma,
            theta: theta_degrees * 0.017453292519943295,
            gamma,
            lambda,
            psi,
        }
    }
}

fn check_common(size: usize, count: usize, dtype: DType) -> Result<()> {
    if size == 0 {
        return Err(Error::Argument(
            "expected a filter half-size >= 1, got 0".into(),
        ));
    }
    if count == 0 {
        return Err(Error::Argument(
            "expected at least one filter, got none".into(),
        ));
    }
    if !dtype.is_float() {
        return Err(Error::DType(format!(
            "expected a float filter dtype (f16, f32, f64), got {dtype}"
        )));
    }
    Ok(())
}

fn check_std(v: f64, what: &str) -> Result<()> {
    if !(v.is_finite() && v > 0.0) {
        return Err(Error::Argument(format!(
            "expected a finite {what} > 0, got {v}"
        )));
    }
    Ok(())
}

/// Builds a kernel tensor from f64 values, rounds it to `dtype` and moves it to `device`.
fn finish_kernel(
    values: Vec<f64>,
    shape: &[usize],
    device: Device,
    dtype: DType,
) -> Result<Tensor> {
    Tensor::from_vec(values, shape)?
        .to_dtype(dtype)?
        .to_device(device)
}

/// Validates the input and the kernel of a filter module and returns the 4-D input view, the
/// kernel side `k`, the number of filters and the output shape.
fn prepare(
    what: &str,
    input: &Tensor,
    kernel: &Tensor,
    mode: Mode,
    pad: Expand4,
) -> Result<(Tensor, Geometry, Vec<usize>)> {
    common_device(&[input, kernel])?;
    if !kernel.dtype().is_float() {
        return Err(Error::DType(format!(
            "expected a float {what} kernel, got {}",
            kernel.dtype()
        )));
    }
    let ks = kernel.shape();
    let (filters, k) = match mode {
        Mode::Gabor => {
            if ks.len() != 3 || ks[1] != ks[2] {
                return Err(Error::Shape(format!(
                    "expected a {what} kernel [F,k,k], got {ks:?}"
                )));
            }
            (ks[0], ks[1])
        }
        Mode::DoG | Mode::LoG => {
            if ks.len() != 4 || ks[0] != 2 || ks[2] != ks[3] {
                return Err(Error::Shape(format!(
                    "expected a {what} kernel [2,F,k,k], got {ks:?}"
                )));
            }
            (ks[1], ks[2])
        }
    };
    let per_channel = if mode == Mode::LoG {
        2 * filters
    } else {
        filters
    };
    let in4 = shape::to_rank(input.shape(), 4, &format!("a {what} input [B,C,H,W]"))?;
    let out_shape = shape::filter(&in4, k, per_channel, pad)?;
    let g = Geometry {
        h: in4[2],
        w: in4[3],
        k,
        pad,
        oh: out_shape[2],
        ow: out_shape[3],
        filters,
    };
    Ok((input.reshape_to(&in4)?, g, out_shape))
}

fn run(
    what: &str,
    input: &Tensor,
    kernel: &Tensor,
    mode: Mode,
    pad: Expand4,
    output: Option<&Tensor>,
) -> Result<Tensor> {
    let (x, g, out_shape) = prepare(what, input, kernel, mode, pad)?;
    let out = match output {
        Some(o) => {
            common_device(&[input, kernel, o])?;
            if o.shape() != out_shape.as_slice() || o.dtype() != kernel.dtype() {
                return Err(Error::Shape(format!(
                    "expected a {what} output {out_shape:?} of dtype {}, got {:?} of dtype {}",
                    kernel.dtype(),
                    o.shape(),
                    o.dtype()
                )));
            }
            crate::ops::ensure_distinct(what, o, &[("input", input), ("kernel", kernel)])?;
            o.clone()
        }
        // Every element is written by the kernels.
        None => Tensor::alloc_on(input.device(), kernel.dtype(), &out_shape, false)?,
    };
    // The input is converted to the kernel dtype first, like the original.
    let x = x.to_dtype(kernel.dtype())?;
    let non_finite = || {
        Err(Error::Argument(format!(
            "expected finite {what} input values (after conversion to {}), got NaN or infinity",
            kernel.dtype()
        )))
    };
    if let Device::Cuda(_) = x.device() {
        if crate::cuda::filter::has_non_finite(what, &x)? {
            return non_finite();
        }
        crate::cuda::filter::apply(what, &x, kernel, &out, mode, &g)?;
        return Ok(out);
    }
    crate::with_float_dtype!(kernel.dtype(), T => {
        let xs = x.read::<T>()?;
        if xs.iter().any(|v| !crate::Element::to_f64(*v).is_finite()) {
            return non_finite();
        }
        let ks = kernel.read::<T>()?;
        let mut os = out.write::<T>()?;
        kern::apply::<T>(&xs, &ks, mode, g, &mut os);
    }, else unreachable!("checked to be a float dtype"));
    Ok(out)
}

/// Difference-of-Gaussians filtering (spec §2.2): rectified `Gauss(std1) − Gauss(std2)` responses,
/// output `[B, C·F, H', W']` of the kernel dtype.
#[derive(Debug, Clone)]
pub struct DoG {
    /// `[2, F, k, k]`: centre Gaussians then surround Gaussians. May be replaced by the caller.
    pub kernel: Tensor,
    /// Zero padding `(top, left, bottom, right)`.
    pub pad: Expand4,
}

impl DoG {
    /// A module with window `k = 2·size+1`, one kernel pair per filter, on `device` in `dtype`
    /// (f16, f32 or f64; the original only runs f32).
    pub fn new(
        size: usize,
        filters: &[DoGFilter],
        pad: impl Into<Expand4>,
        device: Device,
        dtype: DType,
    ) -> Result<DoG> {
        check_common(size, filters.len(), dtype)?;
        let k = 2 * size + 1;
        let mut v = Vec::with_capacity(2 * filters.len() * k * k);
        for f in filters {
            check_std(f.std1, "DoG std1")?;
            check_std(f.std2, "DoG std2")?;
        }
        for f in filters {
            v.extend(kern::gaussian(size, f.std1));
        }
        for f in filters {
            v.extend(kern::gaussian(size, f.std2));
        }
        Ok(DoG {
            kernel: finish_kernel(v, &[2, filters.len(), k, k], device, dtype)?,
            pad: pad.into(),
        })
    }

    /// [`DoG::new`] with the original's defaults: no padding, f32 on the CPU.
    pub fn with_defaults(size: usize, filters: &[DoGFilter]) -> Result<DoG> {
        DoG::new(size, filters, 0, Device::Cpu, DType::F32)
    }

    /// The kernel `[2, F, k, k]`.
    pub fn kernel(&self) -> &Tensor {
        &self.kernel
    }

    /// Filters a `[B,C,H,W]` (or `[C,H,W]`) input of any dtype into a new `[B, C·F, H', W']`
    /// tensor of the kernel dtype.
    pub fn forward(&self, input: &Tensor) -> Result<Tensor> {
        run("DoG", input, &self.kernel, Mode::DoG, self.pad, None)
    }

    /// [`DoG::forward`] into a caller-provided output of the exact output shape and kernel dtype.
    pub fn forward_into(&self, input: &Tensor, output: &Tensor) -> Result<()> {
        run(
            "DoG",
            input,
            &self.kernel,
            Mode::DoG,
            self.pad,
            Some(output),
        )
        .map(|_| ())
    }
}

/// Gabor filtering (spec §2.3): signed, not rectified, output `[B, C·F, H', W']`.
#[derive(Debug, Clone)]
pub struct Gabor {
    /// `[F, k, k]`. May be replaced by the caller.
    pub kernel: Tensor,
    /// Zero padding `(top, left, bottom, right)`.
    pub pad: Expand4,
}

impl Gabor {
    /// A module with window `k = 2·size+1` and one kernel per filter. Each kernel is divided by
    /// its signed sum like the original's; a sum of exactly zero (or a non-finite kernel) is an
    /// error instead of a kernel of infinities.
    pub fn new(
        size: usize,
        filters: &[GaborFilter],
        pad: impl Into<Expand4>,
        device: Device,
        dtype: DType,
    ) -> Result<Gabor> {
        check_common(size, filters.len(), dtype)?;
        let k = 2 * size + 1;
        let mut v = Vec::with_capacity(filters.len() * k * k);
        for f in filters {
            check_std(f.sigma, "Gabor sigma")?;
            let finite = [f.lambda, f.theta, f.gamma, f.psi]
                .iter()
                .all(|v| v.is_finite());
            if !finite || f.lambda == 0.0 {
                return Err(Error::Argument(format!(
                    "expected finite Gabor parameters and lambda != 0, got {f:?}"
                )));
            }
            let g = kern::gabor(
                size,
                GaborParams {
                    sigma: f.sigma,
                    theta: f.theta,
                    gamma: f.gamma,
                    lambda: f.lambda,
                    psi: f.psi,
                },
            );
            if g.iter().any(|x| !x.is_finite()) {
                return Err(Error::Argument(format!(
                    "the Gabor kernel of {f:?} sums to zero and cannot be normalised"
                )));
            }
            v.extend(g);
        }
        Ok(Gabor {
            kernel: finish_kernel(v, &[filters.len(), k, k], device, dtype)?,
            pad: pad.into(),
        })
    }

    /// [`Gabor::new`] with the original's defaults: no padding, f32 on the CPU.
    pub fn with_defaults(size: usize, filters: &[GaborFilter]) -> Result<Gabor> {
        Gabor::new(size, filters, 0, Device::Cpu, DType::F32)
    }

    /// The kernel `[F, k, k]`.
    pub fn kernel(&self) -> &Tensor {
        &self.kernel
    }

    /// Filters a `[B,C,H,W]` (or `[C,H,W]`) input into a new `[B, C·F, H', W']` tensor.
    pub fn forward(&self, input: &Tensor) -> Result<Tensor> {
        run("Gabor", input, &self.kernel, Mode::Gabor, self.pad, None)
    }

    /// [`Gabor::forward`] into a caller-provided output.
    pub fn forward_into(&self, input: &Tensor, output: &Tensor) -> Result<()> {
        run(
            "Gabor",
            input,
            &self.kernel,
            Mode::Gabor,
            self.pad,
            Some(output),
        )
        .map(|_| ())
    }
}

/// Laplacian-of-Gaussian filtering approximated by a DoG pair per std (spec §2.4): for every
/// input channel, F positive-part then F negative-part outputs, `[B, C·2F, H', W']`.
#[derive(Debug, Clone)]
pub struct LoG {
    /// `[2, F, k, k]`: `Gauss(σ/√2)` then `Gauss(σ·√2)`. May be replaced by the caller.
    pub kernel: Tensor,
    /// Zero padding `(top, left, bottom, right)`.
    pub pad: Expand4,
}

impl LoG {
    /// A module with window `k = 2·size+1` and one kernel pair per standard deviation.
    pub fn new(
        size: usize,
        stds: &[f64],
        pad: impl Into<Expand4>,
        device: Device,
        dtype: DType,
    ) -> Result<LoG> {
        check_common(size, stds.len(), dtype)?;
        let k = 2 * size + 1;
        for &s in stds {
            check_std(s, "LoG std")?;
        }
        let mut v = Vec::with_capacity(2 * stds.len() * k * k);
        for &s in stds {
            v.extend(kern::gaussian(size, s / std::f64::consts::SQRT_2));
        }
        for &s in stds {
            v.extend(kern::gaussian(size, s * std::f64::consts::SQRT_2));
        }
        Ok(LoG {
            kernel: finish_kernel(v, &[2, stds.len(), k, k], device, dtype)?,
            pad: pad.into(),
        })
    }

    /// [`LoG::new`] with the original's defaults: no padding, f32 on the CPU.
    pub fn with_defaults(size: usize, stds: &[f64]) -> Result<LoG> {
        LoG::new(size, stds, 0, Device::Cpu, DType::F32)
    }

    /// The kernel `[2, F, k, k]`.
    pub fn kernel(&self) -> &Tensor {
        &self.kernel
    }

    /// Filters a `[B,C,H,W]` (or `[C,H,W]`) input into a new `[B, C·2F, H', W']` tensor.
    pub fn forward(&self, input: &Tensor) -> Result<Tensor> {
        run("LoG", input, &self.kernel, Mode::LoG, self.pad, None)
    }

    /// [`LoG::forward`] into a caller-provided output.
    pub fn forward_into(&self, input: &Tensor, output: &Tensor) -> Result<()> {
        run(
            "LoG",
            input,
            &self.kernel,
            Mode::LoG,
            self.pad,
            Some(output),
        )
        .map(|_| ())
    }
}
