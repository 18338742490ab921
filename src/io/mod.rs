//! File formats: NumPy `.npy` / `.npz` (golden vectors, model files).

pub mod model;
pub mod npz;

pub use npz::{read_npy, read_npz, write_npy, write_npz};
