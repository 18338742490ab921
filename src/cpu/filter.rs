//! CPU kernels of the `filter` family.
