//! Layers, filters and ZCA (the bridge side of `src/ffi/nn.rs` and `src/ffi/filter.rs`).

use super::bridge::{
    BpConfig, ConvGeometry, DeviceSpec, DogFilter, Ext2, Ext4, GaborFilter, StdpConfig, WinnerList,
};
use super::ops::{engine_winners, ext2, ext4};
use super::runtime::device_of;
use super::tensor::{boxed, Tensor};
use super::{call, BridgeResult};
use crate::ffi::{dtype_arg, fitted, float_kernel};
use crate::FcPostTime;

/// A convolution layer owned by C++.
pub struct Conv(pub(crate) crate::Conv);
/// A fully connected layer owned by C++.
pub struct Fc(pub(crate) crate::FC);
/// A DoG filter bank owned by C++.
pub struct Dog(pub(crate) crate::DoG);
/// A Gabor filter bank owned by C++.
pub struct Gabor(pub(crate) crate::Gabor);
/// A LoG filter bank owned by C++.
pub struct Log(pub(crate) crate::LoG);
/// A ZCA whitening module owned by C++.
pub struct Zca(pub(crate) crate::ZCA);

fn stdp_of(c: &StdpConfig) -> crate::STDPConfig {
    crate::STDPConfig {
        positive: c.positive,
        negative: c.negative,
        stabilize: c.stabilize,
        lower: c.lower,
        upper: c.upper,
    }
}

fn stdp_spec(c: &crate::STDPConfig) -> StdpConfig {
    StdpConfig {
        positive: c.positive,
        negative: c.negative,
        stabilize: c.stabilize,
        lower: c.lower,
        upper: c.upper,
    }
}

#[allow(clippy::too_many_arguments)]
pub fn conv_new(
    input: usize,
    output: usize,
    kernel: Ext2,
    stride: Ext2,
    pad: Ext4,
    mean: f64,
    std: f64,
    device: DeviceSpec,
    dtype: i32,
) -> BridgeResult<Box<Conv>> {
    call(|| {
        let (k, s, p) = (ext2(kernel), ext2(stride), ext4(pad));
        let (d, t) = (device_of(device)?, dtype_arg(dtype)?);
        Ok(Box::new(Conv(crate::Conv::new(
            input, output, k, s, p, mean, std, d, t,
        )?)))
    })
}

pub fn conv_forward(c: &Conv, x: &Tensor) -> BridgeResult<Box<Tensor>> {
    call(|| Ok(boxed(c.0.forward(&x.0)?)))
}

pub fn conv_forward_into(c: &Conv, x: &Tensor, y: &Tensor) -> BridgeResult<()> {
    call(|| c.0.forward_into(&x.0, &y.0))
}

pub fn conv_stdp(c: &mut Conv, x: &Tensor, winners: &[WinnerList], y: &Tensor) -> BridgeResult<()> {
    call(|| c.0.stdp(&x.0, &engine_winners(winners), &y.0))
}

pub fn conv_kernel(c: &Conv) -> BridgeResult<Box<Tensor>> {
    call(|| Ok(boxed(c.0.kernel.clone())))
}

pub fn conv_set_kernel(c: &mut Conv, kernel: &Tensor) -> BridgeResult<()> {
    call(|| {
        float_kernel(&kernel.0, 4, "convolution")?;
        c.0.kernel = kernel.0.clone();
        Ok(())
    })
}

pub fn conv_geometry(c: &Conv) -> BridgeResult<ConvGeometry> {
    call(|| {
        let (s, p) = (c.0.stride, c.0.pad);
        Ok(ConvGeometry {
            stride: Ext2 { y: s.y, x: s.x },
            pad: Ext4 {
                top: p.top,
                left: p.left,
                bottom: p.bottom,
                right: p.right,
            },
        })
    })
}

pub fn conv_stdp_configs(c: &Conv) -> BridgeResult<Vec<StdpConfig>> {
    call(|| Ok(c.0.stdpconfig.iter().map(stdp_spec).collect()))
}

pub fn conv_set_stdp_configs(c: &mut Conv, configs: &[StdpConfig]) -> BridgeResult<()> {
    call(|| {
        c.0.stdpconfig = configs.iter().map(stdp_of).collect();
        Ok(())
    })
}

pub fn conv_save(c: &Conv, path: &str) -> BridgeResult<()> {
    call(|| crate::io::model::save_conv(&c.0, path))
}

pub fn conv_load(path: &str) -> BridgeResult<Box<Conv>> {
    call(|| Ok(Box::new(Conv(crate::io::model::load_conv(path)?))))
}

pub fn fc_new(
    input: usize,
    output: usize,
    mean: f64,
    std: f64,
    device: DeviceSpec,
    dtype: i32,
) -> BridgeResult<Box<Fc>> {
    call(|| {
        let (d, t) = (device_of(device)?, dtype_arg(dtype)?);
        Ok(Box::new(Fc(crate::FC::new(
            input, output, mean, std, d, t,
        )?)))
    })
}

pub fn fc_forward(f: &Fc, x: &Tensor, sign: bool) -> BridgeResult<Box<Tensor>> {
    call(|| Ok(boxed(f.0.forward(&x.0, sign)?)))
}

pub fn fc_forward_into(f: &Fc, x: &Tensor, y: &Tensor, sign: bool) -> BridgeResult<()> {
    call(|| f.0.forward_into(&x.0, &y.0, sign))
}

pub fn fc_stdp(
    f: &mut Fc,
    x: &Tensor,
    winners: &[WinnerList],
    y: &Tensor,
    zero_post_time: bool,
) -> BridgeResult<()> {
    call(|| {
        let post = match zero_post_time {
            true => FcPostTime::Zero,
            false => FcPostTime::FirstSpike,
        };
        f.0.stdp_with(&x.0, &engine_winners(winners), &y.0, post)
    })
}

pub fn fc_backward(f: &mut Fc, x: &Tensor, y: &Tensor, grad: &Tensor) -> BridgeResult<Box<Tensor>> {
    call(|| Ok(boxed(f.0.backward(&x.0, &y.0, &grad.0)?)))
}

pub fn fc_backward_into(
    f: &mut Fc,
    x: &Tensor,
    y: &Tensor,
    grad: &Tensor,
    next: &Tensor,
) -> BridgeResult<()> {
    call(|| f.0.backward_into(&x.0, &y.0, &grad.0, &next.0))
}

pub fn fc_kernel(f: &Fc) -> BridgeResult<Box<Tensor>> {
    call(|| Ok(boxed(f.0.kernel.clone())))
}

pub fn fc_set_kernel(f: &mut Fc, kernel: &Tensor) -> BridgeResult<()> {
    call(|| {
        float_kernel(&kernel.0, 2, "fully connected")?;
        f.0.kernel = kernel.0.clone();
        Ok(())
    })
}

pub fn fc_stdp_configs(f: &Fc) -> BridgeResult<Vec<StdpConfig>> {
    call(|| Ok(f.0.stdpconfig.iter().map(stdp_spec).collect()))
}

pub fn fc_set_stdp_configs(f: &mut Fc, configs: &[StdpConfig]) -> BridgeResult<()> {
    call(|| {
        f.0.stdpconfig = configs.iter().map(stdp_of).collect();
        Ok(())
    })
}

pub fn fc_bp_config(f: &Fc) -> BridgeResult<BpConfig> {
    call(|| {
        let b = f.0.bpconfig;
        Ok(BpConfig {
            sfactor: b.sfactor,
            lrate: b.lrate,
            lrf: b.lrf,
            lambda: b.lambda,
        })
    })
}

pub fn fc_set_bp_config(f: &mut Fc, config: BpConfig) -> BridgeResult<()> {
    call(|| {
        f.0.bpconfig = crate::BPConfig {
            sfactor: config.sfactor,
            lrate: config.lrate,
            lrf: config.lrf,
            lambda: config.lambda,
        };
        Ok(())
    })
}

pub fn fc_save(f: &Fc, path: &str) -> BridgeResult<()> {
    call(|| crate::io::model::save_fc(&f.0, path))
}

pub fn fc_load(path: &str) -> BridgeResult<Box<Fc>> {
    call(|| Ok(Box::new(Fc(crate::io::model::load_fc(path)?))))
}

pub fn dog_new(
    size: usize,
    filters: &[DogFilter],
    pad: Ext4,
    device: DeviceSpec,
    dtype: i32,
) -> BridgeResult<Box<Dog>> {
    call(|| {
        let f: Vec<_> = filters
            .iter()
            .map(|f| crate::DoGFilter::new(f.std1, f.std2))
            .collect();
        let (d, t) = (device_of(device)?, dtype_arg(dtype)?);
        Ok(Box::new(Dog(crate::DoG::new(size, &f, ext4(pad), d, t)?)))
    })
}

pub fn dog_apply(f: &Dog, x: &Tensor) -> BridgeResult<Box<Tensor>> {
    call(|| Ok(boxed(f.0.forward(&x.0)?)))
}

pub fn dog_apply_into(f: &Dog, x: &Tensor, y: &Tensor) -> BridgeResult<()> {
    call(|| f.0.forward_into(&x.0, &y.0))
}

pub fn dog_kernel(f: &Dog) -> BridgeResult<Box<Tensor>> {
    call(|| Ok(boxed(f.0.kernel.clone())))
}

pub fn gabor_new(
    size: usize,
    filters: &[GaborFilter],
    pad: Ext4,
    device: DeviceSpec,
    dtype: i32,
) -> BridgeResult<Box<Gabor>> {
    call(|| {
        let f: Vec<_> = filters
            .iter()
            .map(|f| crate::GaborFilter::new(f.sigma, f.theta, f.gamma, f.lambda, f.psi))
            .collect();
        let (d, t) = (device_of(device)?, dtype_arg(dtype)?);
        Ok(Box::new(Gabor(crate::Gabor::new(
            size,
            &f,
            ext4(pad),
            d,
            t,
        )?)))
    })
}

pub fn gabor_apply(f: &Gabor, x: &Tensor) -> BridgeResult<Box<Tensor>> {
    call(|| Ok(boxed(f.0.forward(&x.0)?)))
}

pub fn gabor_apply_into(f: &Gabor, x: &Tensor, y: &Tensor) -> BridgeResult<()> {
    call(|| f.0.forward_into(&x.0, &y.0))
}

pub fn gabor_kernel(f: &Gabor) -> BridgeResult<Box<Tensor>> {
    call(|| Ok(boxed(f.0.kernel.clone())))
}

pub fn log_new(
    size: usize,
    stds: &[f64],
    pad: Ext4,
    device: DeviceSpec,
    dtype: i32,
) -> BridgeResult<Box<Log>> {
    call(|| {
        let (d, t) = (device_of(device)?, dtype_arg(dtype)?);
        Ok(Box::new(Log(crate::LoG::new(size, stds, ext4(pad), d, t)?)))
    })
}

pub fn log_apply(f: &Log, x: &Tensor) -> BridgeResult<Box<Tensor>> {
    call(|| Ok(boxed(f.0.forward(&x.0)?)))
}

pub fn log_apply_into(f: &Log, x: &Tensor, y: &Tensor) -> BridgeResult<()> {
    call(|| f.0.forward_into(&x.0, &y.0))
}

pub fn log_kernel(f: &Log) -> BridgeResult<Box<Tensor>> {
    call(|| Ok(boxed(f.0.kernel.clone())))
}

pub fn zca_new() -> BridgeResult<Box<Zca>> {
    call(|| Ok(Box::new(Zca(crate::ZCA::new()))))
}

pub fn zca_from_parts(mean: &Tensor, transform: &Tensor) -> BridgeResult<Box<Zca>> {
    call(|| {
        Ok(Box::new(Zca(crate::ZCA::from_parts(
            &mean.0,
            &transform.0,
        )?)))
    })
}

pub fn zca_fit(z: &mut Zca, x: &Tensor, epsilon: f64, transform: bool) -> BridgeResult<()> {
    call(|| {
        z.0.fit(&x.0, epsilon, transform)?;
        Ok(())
    })
}

pub fn zca_apply(z: &Zca, x: &Tensor) -> BridgeResult<Box<Tensor>> {
    call(|| Ok(boxed(z.0.apply(&x.0)?)))
}

pub fn zca_apply_inplace(z: &Zca, x: &Tensor) -> BridgeResult<()> {
    call(|| z.0.apply_inplace(&x.0))
}

pub fn zca_split(x: &Tensor) -> BridgeResult<Box<Tensor>> {
    call(|| Ok(boxed(crate::ZCA::split(&x.0)?)))
}

pub fn zca_split_into(x: &Tensor, y: &Tensor) -> BridgeResult<()> {
    call(|| crate::ZCA::split_into(&x.0, &y.0))
}

pub fn zca_mean(z: &Zca) -> BridgeResult<Box<Tensor>> {
    call(|| Ok(boxed(fitted(z.0.mean(), "mean")?.clone())))
}

pub fn zca_transform(z: &Zca) -> BridgeResult<Box<Tensor>> {
    call(|| Ok(boxed(fitted(z.0.transform(), "transform")?.clone())))
}

pub fn zca_save(z: &Zca, path: &str) -> BridgeResult<()> {
    call(|| z.0.save(path))
}

pub fn zca_load(path: &str) -> BridgeResult<Box<Zca>> {
    call(|| Ok(Box::new(Zca(crate::ZCA::load(path)?))))
}
