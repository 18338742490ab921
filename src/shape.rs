//! Rank normalisation and output-shape rules of every operation (spec §1.6–1.7).
//!
//! The original computes extents with truncating division, so some kernel-larger-than-input cases
//! slip through (spec §14.13); here those are errors.

use crate::{Error, Expand2, Expand4, Result};

/// Prepends a leading 1 when the rank is `k - 1`; then the rank must be exactly `k`
/// (the original's `to2` .. `to5`).
pub fn to_rank(shape: &[usize], k: usize, what: &str) -> Result<Vec<usize>> {
    let out = if shape.len() + 1 == k {
        std::iter::once(1).chain(shape.iter().copied()).collect()
    } else {
        shape.to_vec()
    };
    if out.len() != k {
        return Err(Error::Shape(format!(
            "expected {what} of rank {k} (or {}), got shape {shape:?}",
            k - 1
        )));
    }
    Ok(out)
}

/// Prepends a leading 1 when the rank is `k - 1`; then the rank must be at least `k`
/// (the original's `least2` / `least3`).
pub fn at_least(shape: &[usize], k: usize, what: &str) -> Result<Vec<usize>> {
    let out = if shape.len() + 1 == k {
        std::iter::once(1).chain(shape.iter().copied()).collect()
    } else {
        shape.to_vec()
    };
    if out.len() < k {
        return Err(Error::Shape(format!(
            "expected {what} of rank >= {k} (or {}), got shape {shape:?}",
            k - 1
        )));
    }
    Ok(out)
}

/// One spatial output extent: `(n + pad - k) / s + 1`, requiring the padded input to cover the
/// kernel and a non-zero stride.
pub fn window_extent(n: usize, pad: usize, k: usize, s: usize, what: &str) -> Result<usize> {
    if k == 0 || s == 0 {
        return Err(Error::Argument(format!(
            "expected {what} kernel and stride >= 1, got kernel {k} and stride {s}"
        )));
    }
    let padded = n + pad;
    if padded < k {
        return Err(Error::Shape(format!(
            "{what} kernel extent {k} is larger than the padded input extent {padded}"
        )));
    }
    Ok((padded - k) / s + 1)
}

/// `conv`: `[B,T,C,H,W]` with kernel `[O,C,kh,kw]` → `[B,T,O,H',W']`.
pub fn conv(
    input: &[usize],
    kernel: &[usize],
    stride: Expand2,
    pad: Expand4,
) -> Result<Vec<usize>> {
    if input.len() != 5 {
        return Err(Error::Shape(format!(
            "expected a conv input of rank 5 [B,T,C,H,W], got {input:?}"
        )));
    }
    if kernel.len() != 4 {
        return Err(Error::Shape(format!(
            "expected a conv kernel of rank 4 [O,C,kh,kw], got {kernel:?}"
        )));
    }
    if input[2] != kernel[1] {
        return Err(Error::Shape(format!(
            "conv input has {} channels but the kernel expects {}",
            input[2], kernel[1]
        )));
    }
    let h = window_extent(input[3], pad.top + pad.bottom, kernel[2], stride.y, "conv")?;
    let w = window_extent(input[4], pad.left + pad.right, kernel[3], stride.x, "conv")?;
    Ok(vec![input[0], input[1], kernel[0], h, w])
}

/// `fc`: `[B,T,I]` with kernel `[O,I]` → `[B,T,O]`.
pub fn fc(input: &[usize], kernel: &[usize]) -> Result<Vec<usize>> {
    if input.len() != 3 || kernel.len() != 2 {
        return Err(Error::Shape(format!(
            "expected fc input [B,T,I] and kernel [O,I], got {input:?} and {kernel:?}"
        )));
    }
    if input[2] != kernel[1] {
        return Err(Error::Shape(format!(
            "fc input has {} features but the kernel expects {}",
            input[2], kernel[1]
        )));
    }
    Ok(vec![input[0], input[1], kernel[0]])
}

/// Filters (DoG/LoG: kernel `[2,F,k,k]`, Gabor: `[F,k,k]`): `[B,C,H,W]` → `[B, C·channels, H', W']`
/// where `channels` is the number of output channels per input channel.
pub fn filter(input: &[usize], k: usize, channels: usize, pad: Expand4) -> Result<Vec<usize>> {
    if input.len() != 4 {
        return Err(Error::Shape(format!(
            "expected a filter input of rank 4 [B,C,H,W], got {input:?}"
        )));
    }
    let h = window_extent(input[2], pad.top + pad.bottom, k, 1, "filter")?;
    let w = window_extent(input[3], pad.left + pad.right, k, 1, "filter")?;
    Ok(vec![input[0], input[1] * channels, h, w])
}

/// `pool`: `[B,T,C,H,W]` → `[B,T,C,H',W']`.
pub fn pool(input: &[usize], kernel: Expand2, stride: Expand2, pad: Expand4) -> Result<Vec<usize>> {
    if input.len() != 5 {
        return Err(Error::Shape(format!(
            "expected a pool input of rank 5 [B,T,C,H,W], got {input:?}"
        )));
    }
    let h = window_extent(input[3], pad.top + pad.bottom, kernel.y, stride.y, "pool")?;
    let w = window_extent(input[4], pad.left + pad.right, kernel.x, stride.x, "pool")?;
    Ok(vec![input[0], input[1], input[2], h, w])
}

/// `pad`: `[B,T,C,H,W]` → `[B,T,C,H+top+bottom,W+left+right]`.
pub fn pad(input: &[usize], pad: Expand4) -> Result<Vec<usize>> {
    if input.len() != 5 {
        return Err(Error::Shape(format!(
            "expected a pad input of rank 5 [B,T,C,H,W], got {input:?}"
        )));
    }
    Ok(vec![
        input[0],
        input[1],
        input[2],
        input[3] + pad.top + pad.bottom,
        input[4] + pad.left + pad.right,
    ])
}

/// `code` / `scatter`: insert `time` at position 1 (rank >= 2).
pub fn code(input: &[usize], time: usize) -> Result<Vec<usize>> {
    if input.len() < 2 {
        return Err(Error::Shape(format!(
            "expected an input of rank >= 2, got {input:?}"
        )));
    }
    if time == 0 {
        return Err(Error::Argument("expected time >= 1, got 0".into()));
    }
    let mut out = input.to_vec();
    out.insert(1, time);
    Ok(out)
}

/// `gather`: remove position 1 (rank >= 3).
pub fn gather(input: &[usize]) -> Result<Vec<usize>> {
    if input.len() < 3 {
        return Err(Error::Shape(format!(
            "expected an input of rank >= 3, got {input:?}"
        )));
    }
    let mut out = input.to_vec();
    out.remove(1);
    Ok(out)
}

/// `ZCA.split`: insert 2 at position 1 (rank >= 2).
pub fn zca_split(input: &[usize]) -> Result<Vec<usize>> {
    if input.len() < 2 {
        return Err(Error::Shape(format!(
            "expected an input of rank >= 2, got {input:?}"
        )));
    }
    let mut out = input.to_vec();
    out.insert(1, 2);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn normalisers() {
        assert_eq!(to_rank(&[2, 3, 4, 5], 5, "x").unwrap(), vec![1, 2, 3, 4, 5]);
        assert_eq!(
            to_rank(&[3, 4, 5], 5, "x").unwrap_err().kind(),
            ErrorKind::Shape
        );
        assert_eq!(at_least(&[4], 2, "x").unwrap(), vec![1, 4]);
        assert_eq!(at_least(&[2, 3, 4], 2, "x").unwrap(), vec![2, 3, 4]);
        assert!(at_least(&[4], 3, "x").is_err());
    }

    #[test]
    fn conv_and_pool_shapes() {
        let s = conv(
            &[2, 3, 4, 10, 12],
            &[8, 4, 3, 5],
            Expand2::new(1, 2),
            Expand4::new(1, 2, 3, 4),
        )
        .unwrap();
        assert_eq!(s, vec![2, 3, 8, (10 + 4 - 3) + 1, (12 + 6 - 5) / 2 + 1]);
        assert_eq!(
            conv(&[1, 1, 3, 5, 5], &[1, 4, 3, 3], 1.into(), 0.into())
                .unwrap_err()
                .kind(),
            ErrorKind::Shape
        );
        // The original accepts this (truncating division); we reject it.
        assert_eq!(
            pool(&[1, 1, 1, 5, 5], 7.into(), 7.into(), 0.into())
                .unwrap_err()
                .kind(),
            ErrorKind::Shape
        );
        assert_eq!(
            pool(&[1, 1, 1, 5, 5], 2.into(), 0.into(), 0.into())
                .unwrap_err()
                .kind(),
            ErrorKind::Argument
        );
        assert_eq!(
            pool(&[1, 1, 1, 5, 5], 2.into(), 2.into(), 1.into()).unwrap(),
            vec![1, 1, 1, 3, 3]
        );
    }
}
