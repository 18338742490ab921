//! CPU kernels of the `stdp` family.
