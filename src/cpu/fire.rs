//! CPU kernels of the `fire` family.
