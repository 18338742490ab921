//! Data helpers: MNIST IDX files, images and CSV text.

pub mod csv;
pub mod image;
pub mod mnist;
