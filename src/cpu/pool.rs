//! CPU kernels of the `pool` family.
