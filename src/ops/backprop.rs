//! The `backprop` operation family (public API): the temporal error of the output layer
//! (`backward`), the `FC::backward` step and `labelize` (spec §8.5–8.7).

use crate::cpu::backprop as kernel_cpu;
use crate::cuda::copy::scalar_bits;
use crate::nn::BPConfig;
use crate::ops::common_device;
use crate::{bail, shape, DType, Device, Element, Result, Scalar, Tensor};

/// Temporal error of the last layer (spec §8.5): per row of `input` `[B, N]` (first-spike
/// times, any dtype) the target neuron `target[b]` is pulled to the earliest time `m` of the row,
/// other neurons that fired within `gamma` of it are pushed back to `min(time, m + gamma)`, and
/// the result is `(desired - input) / time`, computed in the input's dtype.
///
/// `target` is a 1-D i64 tensor of `B` class indices in `0..N`; `time >= 1`.
pub fn backward(
    input: &Tensor,
    target: &Tensor,
    time: usize,
    gamma: impl Into<Scalar>,
) -> Result<Tensor> {
    let out = Tensor::zeros_on(input.device(), input.dtype(), input.shape())?;
    backward_into(input, &out, target, time, gamma)?;
    Ok(out)
}

/// [`backward`] writing into `output` (same shape and dtype as `input`).
pub fn backward_into(
    input: &Tensor,
    output: &Tensor,
    target: &Tensor,
    time: usize,
    gamma: impl Into<Scalar>,
) -> Result<()> {
    common_device(&[input, output, target])?;
    if input.dims() != 2 {
        bail!(
            Shape,
            "backward: expected an input of rank 2 [B,N], got shape {:?}",
            input.shape()
        );
    }
    if output.shape() != input.shape() || output.dtype() != input.dtype() {
        bail!(
            Shape,
            "backward: expected an output of shape {:?} and dtype {}, got {:?} and {}",
            input.shape(),
            input.dtype(),
            output.shape(),
            output.dtype()
        );
    }
    target.expect_dtype(DType::I64, "a backward target")?;
    let (b, n) = (input.shape()[0], input.shape()[1]);
    if target.dims() != 1 || target.shape()[0] != b {
        bail!(
            Shape,
            "backward: expected a target of shape [{b}], got {:?}",
            target.shape()
        );
    }
    if time == 0 {
        bail!(Argument, "backward: expected time >= 1, got 0");
    }
    // A device target is validated from a host copy (the kernel then reads the device one).
    let host_target = target.to_device(Device::Cpu)?;
    let targets: Vec<usize> = host_target
        .read::<i64>()?
        .iter()
        .enumerate()
        .map(|(i, &t)| match usize::try_from(t).ok().filter(|&u| u < n) {
            Some(u) => Ok(u),
            None => bail!(
                Argument,
                "backward: expected target classes in 0..{n}, got {t} for sample {i}"
            ),
        })
        .collect::<Result<_>>()?;
    let gamma = gamma.into();
    crate::with_dtype!(input.dtype(), T => {
        let t = T::from_i64(time as i64);
        if t == T::zero() {
            bail!(
                Argument,
                "backward: time {time} is zero in the input dtype {}",
                input.dtype()
            );
        }
        let g = gamma.to::<T>();
        if let Device::Cuda(_) = input.device() {
            // In place is safe in the kernel only when input and output coincide exactly.
            let src = if input.same_storage(output) { input.copy()? } else { input.clone() };
            let words = (scalar_bits(t), scalar_bits(g));
            return crate::cuda::backprop::backward(&src, output, target, (b, n), words);
        }
        if input.same_storage(output) {
            let src = input.copy()?;
            kernel_cpu::backward(&src.read::<T>()?, &mut output.write::<T>()?, &targets, n, t, g);
        } else {
            kernel_cpu::backward(&input.read::<T>()?, &mut output.write::<T>()?, &targets, n, t, g);
        }
    });
    Ok(())
}

/// The predicted class of each sample (spec §8.7): the neuron of `input` `[B, T, N]` (any
/// dtype) that first exceeds `threshold` (lowest index on ties), or, when none does, the one
/// with the largest value at the last step. Returns a 1-D i64 tensor `[B]`.
pub fn labelize(input: &Tensor, threshold: impl Into<Scalar>) -> Result<Tensor> {
    let b = input.shape().first().copied().unwrap_or(1);
    let out = Tensor::zeros_on(input.device(), DType::I64, &[b])?;
    labelize_into(input, &out, threshold)?;
    Ok(out)
}

/// [`labelize`] writing into `output` (1-D i64 `[B]`).
pub fn labelize_into(input: &Tensor, output: &Tensor, threshold: impl Into<Scalar>) -> Result<()> {
    common_device(&[input, output])?;
    if input.dims() != 3 {
        bail!(
            Shape,
            "labelize: expected an input of rank 3 [B,T,N], got shape {:?}",
            input.shape()
        );
    }
    output.expect_dtype(DType::I64, "a labelize output")?;
    let (b, t, n) = (input.shape()[0], input.shape()[1], input.shape()[2]);
    if output.shape() != [b] {
        bail!(
            Shape,
            "labelize: expected an output of shape [{b}], got {:?}",
            output.shape()
        );
    }
    super::ensure_distinct("labelize", output, &[("input", input)])?;
    if t == 0 && b > 0 {
        bail!(
            Argument,
            "labelize: expected at least one time step, got shape {:?}",
            input.shape()
        );
    }
    let threshold = threshold.into();
    if let Device::Cuda(_) = input.device() {
        let thr = crate::with_dtype!(input.dtype(), T => scalar_bits(threshold.to::<T>()));
        return crate::cuda::backprop::labelize(input, output, (b, t, n), thr);
    }
    crate::with_dtype!(input.dtype(), T => {
        let thr = threshold.to::<T>();
        kernel_cpu::labelize(&input.read::<T>()?, &mut output.write::<i64>()?, t, n, thr);
    });
    Ok(())
}

/// `FC::backward` (spec §8.6) on `kernel` `[O, I]` (f32) with `cfg`; writes `[B, I]` into
/// `next` or a new tensor of `grad`'s dtype, which it returns.
pub(crate) fn fc_backward(
    kernel: &Tensor,
    cfg: &mut BPConfig,
    input: &Tensor,
    output: &Tensor,
    grad: &Tensor,
    next: Option<&Tensor>,
) -> Result<Tensor> {
    const OP: &str = "FC::backward";
    common_device(&[kernel, input, output, grad])?;
    kernel.expect_dtype(DType::F32, "an FC::backward kernel")?;
    if kernel.dims() != 2 {
        bail!(
            Shape,
            "{OP}: expected a kernel of rank 2 [O,I], got {:?}",
            kernel.shape()
        );
    }
    let (o, i) = (kernel.shape()[0], kernel.shape()[1]);
    let ishape = shape::to_rank(input.shape(), 2, "an FC::backward input [B,I]")?;
    let oshape = shape::to_rank(output.shape(), 2, "an FC::backward output [B,O]")?;
    let gshape = shape::to_rank(grad.shape(), 2, "an FC::backward grad [B,O]")?;
    let b = ishape[0];
    if ishape[1] != i || oshape != [b, o] || gshape != [b, o] {
        bail!(
            Shape,
            "{OP}: expected input [B,{i}], output and grad [B,{o}] with one B for kernel {:?}, got {ishape:?}, {oshape:?}, {gshape:?}",
            kernel.shape()
        );
    }
    let dt = input.dtype();
    if output.dtype() != dt || grad.dtype() != dt {
        bail!(
            DType,
            "{OP}: expected input, output and grad of one dtype, got {}, {} and {}",
            dt,
            output.dtype(),
            grad.dtype()
        );
    }
    let next = match next {
        Some(t) => {
            common_device(&[kernel, t])?;
            if t.dtype() != dt
                || t.numel() != b * i
                || shape::to_rank(t.shape(), 2, "next")? != [b, i]
            {
                bail!(
                    Shape,
                    "{OP}: expected next of shape [{b},{i}] and dtype {dt}, got {:?} and {}",
                    t.shape(),
                    t.dtype()
                );
            }
            t.clone()
        }
        None => Tensor::zeros_on(kernel.device(), dt, &[b, i])?,
    };
    let inputs = [("input", input), ("output", output), ("grad", grad)];
    super::ensure_distinct(
        OP,
        &next,
        &[inputs.as_slice(), &[("kernel", kernel)]].concat(),
    )?;
    super::ensure_distinct(OP, kernel, &inputs)?;
    if let Device::Cuda(_) = kernel.device() {
        crate::cuda::backprop::fc_backward(kernel, cfg, input, output, grad, &next, (b, o, i))?;
        return Ok(next);
    }
    crate::with_dtype!(dt, T => {
        let (inp, out, g) = (input.read::<T>()?, output.read::<T>()?, grad.read::<T>()?);
        let mut k = kernel.write::<f32>()?;
        kernel_cpu::fc_backward::<T>(&mut k, cfg, &inp, &out, &g, &mut next.write::<T>()?, (b, o, i));
    });
    Ok(next)
}
