//! The spike-time fast paths (the bridge side of `src/ffi/fused.rs`): same engine calls.

use super::bridge::{Ext2, Ext4, WinnerList};
use super::io::TensorList;
use super::nn::Conv;
use super::ops::{ext2, ext4, pool_stride, winner_lists};
use super::tensor::{boxed, Tensor};
use super::{call, BridgeResult};

/// The first-spike times of rank-coded trains as a list of one tensor, or an empty list when the
/// input is not rank-coded (cxx has no optional return; `spyker.hpp` makes it `std::optional`).
pub fn rank_times(x: &Tensor) -> BridgeResult<Box<TensorList>> {
    call(|| {
        let times = crate::rank_times(&x.0)?;
        Ok(Box::new(TensorList(
            times
                .into_iter()
                .map(|t| ("times".to_string(), t))
                .collect(),
        )))
    })
}

pub fn code_times(x: &Tensor, time: usize, sort: bool) -> BridgeResult<Box<Tensor>> {
    call(|| Ok(boxed(crate::code_times(&x.0, time, sort)?)))
}

pub fn times_to_spikes(times: &Tensor, time: usize) -> BridgeResult<Box<Tensor>> {
    call(|| Ok(boxed(crate::times_to_spikes(&times.0, time)?)))
}

pub fn conv_fire_times(
    times: &Tensor,
    time: usize,
    kernel: &Tensor,
    stride: Ext2,
    pad: Ext4,
    threshold: f64,
) -> BridgeResult<Box<Tensor>> {
    call(|| {
        let (s, p) = (ext2(stride), ext4(pad));
        Ok(boxed(crate::conv_fire_times(
            &times.0, time, &kernel.0, s, p, threshold,
        )?))
    })
}

#[allow(clippy::too_many_arguments)]
pub fn conv_fire_pool_times(
    times: &Tensor,
    time: usize,
    kernel: &Tensor,
    stride: Ext2,
    pad: Ext4,
    threshold: f64,
    pool_kernel: Ext2,
    pool_stride_: Ext2,
    pool_pad: Ext4,
) -> BridgeResult<Box<Tensor>> {
    call(|| {
        let (s, p) = (ext2(stride), ext4(pad));
        let (pk, ps, pp) = (ext2(pool_kernel), pool_stride(pool_stride_), ext4(pool_pad));
        Ok(boxed(crate::conv_fire_pool_times(
            &times.0, time, &kernel.0, s, p, threshold, pk, ps, pp,
        )?))
    })
}

pub fn conv_fire_rank(
    x: &Tensor,
    kernel: &Tensor,
    stride: Ext2,
    pad: Ext4,
    threshold: f64,
) -> BridgeResult<Box<Tensor>> {
    call(|| {
        let (s, p) = (ext2(stride), ext4(pad));
        Ok(boxed(crate::conv_fire_rank(
            &x.0, &kernel.0, s, p, threshold,
        )?))
    })
}

pub fn conv_infinite(
    x: &Tensor,
    kernel: &Tensor,
    stride: Ext2,
    pad: Ext4,
    value: f64,
) -> BridgeResult<Box<Tensor>> {
    call(|| {
        let (s, p) = (ext2(stride), ext4(pad));
        Ok(boxed(crate::conv_infinite(&x.0, &kernel.0, s, p, value)?))
    })
}

pub fn conv_forward_infinite(c: &Conv, x: &Tensor, value: f64) -> BridgeResult<Box<Tensor>> {
    call(|| Ok(boxed(c.0.forward_infinite(&x.0, value)?)))
}

pub fn pool_times(
    times: &Tensor,
    time: usize,
    kernel: Ext2,
    stride: Ext2,
    pad: Ext4,
) -> BridgeResult<Box<Tensor>> {
    call(|| {
        let (k, s, p) = (ext2(kernel), pool_stride(stride), ext4(pad));
        Ok(boxed(crate::pool_times(&times.0, time, k, s, p)?))
    })
}

pub fn conv_forward_fire(c: &Conv, x: &Tensor, threshold: f64) -> BridgeResult<Box<Tensor>> {
    call(|| Ok(boxed(c.0.forward_fire(&x.0, threshold)?)))
}

pub fn conv_forward_fire_times(
    c: &Conv,
    times: &Tensor,
    time: usize,
    threshold: f64,
) -> BridgeResult<Box<Tensor>> {
    call(|| Ok(boxed(c.0.forward_fire_times(&times.0, time, threshold)?)))
}

pub fn conv_forward_fire_pool_times(
    c: &Conv,
    times: &Tensor,
    time: usize,
    threshold: f64,
    pool_kernel: Ext2,
    pool_stride_: Ext2,
    pool_pad: Ext4,
) -> BridgeResult<Box<Tensor>> {
    call(|| {
        let (pk, ps, pp) = (ext2(pool_kernel), pool_stride(pool_stride_), ext4(pool_pad));
        Ok(boxed(c.0.forward_fire_pool_times(
            &times.0, time, threshold, pk, ps, pp,
        )?))
    })
}

pub fn conv_stdp_step(
    c: &mut Conv,
    x: &Tensor,
    threshold: f64,
    radius: Ext2,
    count: usize,
) -> BridgeResult<Vec<WinnerList>> {
    call(|| {
        let w = c.0.stdp_step(&x.0, threshold, ext2(radius), count)?;
        Ok(winner_lists(w))
    })
}

pub fn conv_stdp_step_times(
    c: &mut Conv,
    times: &Tensor,
    time: usize,
    threshold: f64,
    radius: Ext2,
    count: usize,
) -> BridgeResult<Vec<WinnerList>> {
    call(|| {
        let w =
            c.0.stdp_step_times(&times.0, time, threshold, ext2(radius), count)?;
        Ok(winner_lists(w))
    })
}
