//! CPU kernels, one file per op family. Called only from `crate::ops` / `crate::nn`, which have
//! already validated shapes and dtypes.

pub(crate) mod backprop;
pub(crate) mod canny;
pub(crate) mod code;
pub(crate) mod conv;
pub(crate) mod fc;
pub(crate) mod filter;
pub(crate) mod fire;
pub(crate) mod fused;
pub(crate) mod fused_step;
pub(crate) mod inhibit;
pub(crate) mod introsort;
pub(crate) mod pool;
pub(crate) mod stdp;
pub(crate) mod wta;
pub(crate) mod zca;
