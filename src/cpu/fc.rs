//! CPU kernels of the `fc` family.
