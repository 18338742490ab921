//! # spyker
//!
//! A fast spiking-neural-network engine: filters (DoG, Gabor, LoG, ZCA), spike coding (rank order,
//! Poisson rate), integrate-and-fire convolution and fully connected layers, pooling, lateral
//! inhibition, winner-take-all, STDP / R-STDP and temporal backprop, on CPU (and NVIDIA GPUs).
//! It re-implements the behaviour of the original Spyker library (C++/CUDA, BSD-3) and is tested
//! against it; see `docs/COMPATIBILITY.md` for deliberate differences.
//!
//! Layers: this crate's public API (`Tensor`, free functions in [`ops`], modules in [`nn`]) is the
//! single engine; the C ABI ([`ffi`]) and the C++ wrapper are thin layers over it. Each op family
//! has one file per backend with the same name (`cpu/pool.rs`, `cuda/pool.rs`, `kernels/pool.cu`).

pub mod dtype;
pub mod error;

mod device;
mod expand;
mod scalar;
mod tensor;

pub(crate) mod cpu;
pub mod cuda;
#[cfg(feature = "cxx")]
pub mod cxxbridge;
pub mod ffi;
pub mod helpers;
pub mod io;
pub mod nn;
pub mod ops;
pub mod runtime;
pub mod shape;

pub use device::{Device, DeviceKind};
pub use dtype::{DType, Element};
pub use error::{Error, ErrorKind, Result};
pub use expand::{Expand2, Expand4};
pub use half::f16;
pub use nn::*;
pub use ops::*;
pub use runtime::{
    all_devices, clear_context, cuda_arch_list, cuda_available, cuda_cache_clear,
    cuda_cache_enable, cuda_cache_enabled, cuda_cache_print, cuda_cache_stats, cuda_current_device,
    cuda_device_arch, cuda_device_count, cuda_memory_free, cuda_memory_taken, cuda_memory_total,
    cuda_memory_used, cuda_set_device, cuda_synchronize, max_threads, random_seed, set_max_threads,
    version, CacheStats, Version,
};
pub use scalar::Scalar;
pub use tensor::{mapped_host_bytes, ReadGuard, Release, Tensor, WriteGuard};
