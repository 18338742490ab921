//! CPU kernels of the `backprop` family.
