//! CPU kernels of the `canny` family.
