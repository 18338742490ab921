//! CPU kernels of the `zca` family.
