//! CPU kernels of the `conv` family.
