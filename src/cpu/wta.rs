//! CPU kernels of the `wta` family.
