//! CPU kernels of the `inhibit` family.
