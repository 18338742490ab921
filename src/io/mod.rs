//! File formats: NumPy `.npy` / `.npz` (golden vectors, model files).

pub mod model;
pub mod npz;

pub use model::{load_conv, load_fc, load_layers, save_conv, save_fc, save_layers};
pub use npz::{read_npy, read_npz, write_npy, write_npz};
