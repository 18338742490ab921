//! The `canny` operation family (public API, spec §2.6).

use crate::ops::require_cpu;
use crate::{shape, DType, Error, Result, Tensor};

/// Converts a threshold to the u8 magnitude scale of the non-maximum-suppressed image.
fn threshold(v: f64, what: &str) -> Result<u8> {
    if !(v.is_finite() && (0.0..256.0).contains(&v)) {
        return Err(Error::Argument(format!(
            "expected a canny {what} threshold in [0, 255], got {v}"
        )));
    }
    Ok(v as u8)
}

fn prepare(input: &Tensor, low: f64, high: f64) -> Result<(Vec<usize>, u8, u8)> {
    require_cpu("canny", &[input])?;
    let s = shape::to_rank(input.shape(), 4, "a canny input [B,C,H,W]")?;
    Ok((s, threshold(low, "low")?, threshold(high, "high")?))
}

/// Canny edge detection of every `[H, W]` plane of a `[B,C,H,W]` (or `[C,H,W]`) input of any
/// dtype (converted to f32): a u8 tensor of the same 4-D shape holding 255 on edges, 0 elsewhere.
///
/// `low` and `high` (in `[0, 255]`, truncated to integers) apply to the gradient magnitude after
/// non-maximum suppression, normalised so the plane's strongest edge is 255. Pixels `>= high` are
/// edges, pixels `>= low` are edges when connected (8-neighbourhood, through such pixels) to one.
/// Unlike the original this accepts every dtype, gives a binary output, follows chains of weak
/// pixels to any length, and is deterministic; steps up to the thresholds are identical to it.
/// NaN or infinite input values are an error.
pub fn canny(input: &Tensor, low: f64, high: f64) -> Result<Tensor> {
    let (s, _, _) = prepare(input, low, high)?;
    let out = Tensor::zeros(DType::U8, &s)?;
    canny_into(input, &out, low, high)?;
    Ok(out)
}

/// [`canny`] into a caller-provided u8 output of the input's 4-D shape.
pub fn canny_into(input: &Tensor, output: &Tensor, low: f64, high: f64) -> Result<()> {
    let (s, lo, hi) = prepare(input, low, high)?;
    require_cpu("canny", &[output])?;
    if output.dtype() != DType::U8 || output.shape() != s.as_slice() {
        return Err(Error::Shape(format!(
            "expected a canny output {s:?} of dtype u8, got {:?} of dtype {}",
            output.shape(),
            output.dtype()
        )));
    }
    super::ensure_distinct("canny", output, &[("input", input)])?;
    let x = input.to_dtype(DType::F32)?;
    let xs = x.read::<f32>()?;
    if xs.iter().any(|v| !v.is_finite()) {
        return Err(Error::Argument(
            "expected finite canny input values, got NaN or infinity".into(),
        ));
    }
    let mut o = output.write::<u8>()?;
    crate::cpu::canny::canny(&xs, s[2], s[3], lo, hi, &mut o);
    Ok(())
}
