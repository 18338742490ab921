//! Operations (the bridge side of `src/ffi/ops.rs`): same engine calls, same argument checks.

use super::bridge::{Ext2, Ext4, WinnerList};
use super::tensor::{boxed, Tensor};
use super::{call, BridgeResult};
use crate::ffi::{code_arg, dtype_arg};

pub(crate) fn ext2(e: Ext2) -> crate::Expand2 {
    crate::Expand2::new(e.y, e.x)
}

pub(crate) fn ext4(e: Ext4) -> crate::Expand4 {
    crate::Expand4::new(e.top, e.left, e.bottom, e.right)
}

/// The bridge form of winners (one list per sample).
pub(crate) fn winner_lists(w: crate::Winners) -> Vec<WinnerList> {
    w.into_iter()
        .map(|s| WinnerList {
            items: s
                .into_iter()
                .map(|w| super::bridge::Winner {
                    c: w.c,
                    t: w.t,
                    z: w.z,
                    y: w.y,
                    x: w.x,
                })
                .collect(),
        })
        .collect()
}

/// The engine form of bridge winners.
pub(crate) fn engine_winners(w: &[WinnerList]) -> crate::Winners {
    w.iter()
        .map(|s| {
            s.items
                .iter()
                .map(|w| crate::Winner {
                    c: w.c,
                    t: w.t,
                    z: w.z,
                    y: w.y,
                    x: w.x,
                })
                .collect()
        })
        .collect()
}

pub fn encode(
    x: &Tensor,
    time: i64,
    sort: bool,
    dtype: i32,
    code: i32,
) -> BridgeResult<Box<Tensor>> {
    call(|| {
        let t = crate::code_as(&x.0, time, sort, dtype_arg(dtype)?, code_arg(code)?)?;
        Ok(boxed(t))
    })
}

pub fn encode_into(x: &Tensor, y: &Tensor, time: i64, sort: bool, code: i32) -> BridgeResult<()> {
    call(|| crate::code_into(&x.0, &y.0, time, sort, code_arg(code)?))
}

pub fn infinite(x: &Tensor, value: f64) -> BridgeResult<Box<Tensor>> {
    call(|| Ok(boxed(crate::infinite(&x.0, value)?)))
}

pub fn infinite_inplace(x: &Tensor, value: f64) -> BridgeResult<()> {
    call(|| crate::infinite_inplace(&x.0, value))
}

pub fn fire(x: &Tensor, threshold: f64, dtype: i32, code: i32) -> BridgeResult<Box<Tensor>> {
    call(|| {
        let t = crate::fire(&x.0, threshold, dtype_arg(dtype)?, code_arg(code)?)?;
        Ok(boxed(t))
    })
}

pub fn fire_into(x: &Tensor, y: &Tensor, threshold: f64, code: i32) -> BridgeResult<()> {
    call(|| crate::fire_into(&x.0, &y.0, threshold, code_arg(code)?))
}

pub fn threshold(x: &Tensor, threshold: f64, value: f64) -> BridgeResult<Box<Tensor>> {
    call(|| Ok(boxed(crate::threshold(&x.0, threshold, value)?)))
}

pub fn threshold_inplace(x: &Tensor, threshold: f64, value: f64) -> BridgeResult<()> {
    call(|| crate::threshold_inplace(&x.0, threshold, value))
}

pub fn quantize(x: &Tensor, lower: f64, middle: f64, upper: f64) -> BridgeResult<Box<Tensor>> {
    call(|| Ok(boxed(crate::quantize(&x.0, lower, middle, upper)?)))
}

pub fn quantize_inplace(x: &Tensor, lower: f64, middle: f64, upper: f64) -> BridgeResult<()> {
    call(|| crate::quantize_inplace(&x.0, lower, middle, upper))
}

pub fn gather(x: &Tensor, threshold: f64, dtype: i32, code: i32) -> BridgeResult<Box<Tensor>> {
    call(|| {
        let t = crate::gather(&x.0, threshold, dtype_arg(dtype)?, code_arg(code)?)?;
        Ok(boxed(t))
    })
}

pub fn gather_into(x: &Tensor, y: &Tensor, threshold: f64, code: i32) -> BridgeResult<()> {
    call(|| crate::gather_into(&x.0, &y.0, threshold, code_arg(code)?))
}

pub fn scatter(x: &Tensor, time: usize, dtype: i32) -> BridgeResult<Box<Tensor>> {
    call(|| Ok(boxed(crate::scatter(&x.0, time, dtype_arg(dtype)?)?)))
}

pub fn scatter_into(x: &Tensor, y: &Tensor) -> BridgeResult<()> {
    call(|| crate::scatter_into(&x.0, &y.0))
}

pub fn inhibit(x: &Tensor, threshold: f64) -> BridgeResult<Box<Tensor>> {
    call(|| Ok(boxed(crate::inhibit(&x.0, threshold)?)))
}

pub fn inhibit_inplace(x: &Tensor, threshold: f64) -> BridgeResult<()> {
    call(|| crate::inhibit_inplace(&x.0, threshold))
}

pub fn pad(x: &Tensor, pad: Ext4, value: f64) -> BridgeResult<Box<Tensor>> {
    call(|| Ok(boxed(crate::pad(&x.0, ext4(pad), value)?)))
}

pub fn pad_into(x: &Tensor, y: &Tensor, pad: Ext4, value: f64) -> BridgeResult<()> {
    call(|| crate::pad_into(&x.0, &y.0, ext4(pad), value))
}

/// A stride of (0, 0) means "the kernel", like a NULL stride of `spk_pool`.
pub(crate) fn pool_stride(stride: Ext2) -> Option<crate::Expand2> {
    (stride != Ext2 { y: 0, x: 0 }).then(|| ext2(stride))
}

pub fn pool(x: &Tensor, kernel: Ext2, stride: Ext2, pad: Ext4) -> BridgeResult<Box<Tensor>> {
    call(|| {
        let t = crate::pool(&x.0, ext2(kernel), pool_stride(stride), ext4(pad), None)?;
        Ok(boxed(t))
    })
}

pub fn pool_rates(
    x: &Tensor,
    kernel: Ext2,
    stride: Ext2,
    pad: Ext4,
    rates: &Tensor,
) -> BridgeResult<Box<Tensor>> {
    call(|| {
        let (k, s, p) = (ext2(kernel), pool_stride(stride), ext4(pad));
        Ok(boxed(crate::pool(&x.0, k, s, p, Some(&rates.0))?))
    })
}

pub fn pool_into(
    x: &Tensor,
    y: &Tensor,
    kernel: Ext2,
    stride: Ext2,
    pad: Ext4,
) -> BridgeResult<()> {
    call(|| {
        crate::pool_into(
            &x.0,
            &y.0,
            ext2(kernel),
            pool_stride(stride),
            ext4(pad),
            None,
        )
    })
}

pub fn pool_rates_into(
    x: &Tensor,
    y: &Tensor,
    kernel: Ext2,
    stride: Ext2,
    pad: Ext4,
    rates: &Tensor,
) -> BridgeResult<()> {
    call(|| {
        let (k, s, p) = (ext2(kernel), pool_stride(stride), ext4(pad));
        crate::pool_into(&x.0, &y.0, k, s, p, Some(&rates.0))
    })
}

pub fn convolve(x: &Tensor, kernel: &Tensor, stride: Ext2, pad: Ext4) -> BridgeResult<Box<Tensor>> {
    call(|| {
        Ok(boxed(crate::conv(
            &x.0,
            &kernel.0,
            ext2(stride),
            ext4(pad),
        )?))
    })
}

pub fn convolve_into(
    x: &Tensor,
    kernel: &Tensor,
    y: &Tensor,
    stride: Ext2,
    pad: Ext4,
) -> BridgeResult<()> {
    call(|| crate::conv_into(&x.0, &kernel.0, &y.0, ext2(stride), ext4(pad)))
}

pub fn fully_connected(x: &Tensor, kernel: &Tensor, sign: bool) -> BridgeResult<Box<Tensor>> {
    call(|| Ok(boxed(crate::fc(&x.0, &kernel.0, sign)?)))
}

pub fn fully_connected_into(
    x: &Tensor,
    kernel: &Tensor,
    y: &Tensor,
    sign: bool,
) -> BridgeResult<()> {
    call(|| crate::fc_into(&x.0, &kernel.0, &y.0, sign))
}

pub fn fcwta(
    x: &Tensor,
    radius: usize,
    count: usize,
    threshold: f64,
) -> BridgeResult<Vec<WinnerList>> {
    call(|| Ok(winner_lists(crate::fcwta(&x.0, radius, count, threshold)?)))
}

pub fn convwta(
    x: &Tensor,
    radius: Ext2,
    count: usize,
    threshold: f64,
) -> BridgeResult<Vec<WinnerList>> {
    call(|| {
        Ok(winner_lists(crate::convwta(
            &x.0,
            ext2(radius),
            count,
            threshold,
        )?))
    })
}

pub fn backward(x: &Tensor, target: &Tensor, time: usize, gamma: f64) -> BridgeResult<Box<Tensor>> {
    call(|| Ok(boxed(crate::backward(&x.0, &target.0, time, gamma)?)))
}

pub fn backward_into(
    x: &Tensor,
    y: &Tensor,
    target: &Tensor,
    time: usize,
    gamma: f64,
) -> BridgeResult<()> {
    call(|| crate::backward_into(&x.0, &y.0, &target.0, time, gamma))
}

pub fn labelize(x: &Tensor, threshold: f64) -> BridgeResult<Box<Tensor>> {
    call(|| Ok(boxed(crate::labelize(&x.0, threshold)?)))
}

pub fn labelize_into(x: &Tensor, y: &Tensor, threshold: f64) -> BridgeResult<()> {
    call(|| crate::labelize_into(&x.0, &y.0, threshold))
}

pub fn canny(x: &Tensor, low: f64, high: f64) -> BridgeResult<Box<Tensor>> {
    call(|| Ok(boxed(crate::canny(&x.0, low, high)?)))
}

pub fn canny_into(x: &Tensor, y: &Tensor, low: f64, high: f64) -> BridgeResult<()> {
    call(|| crate::canny_into(&x.0, &y.0, low, high))
}
