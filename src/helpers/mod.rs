//! Data helpers: MNIST IDX files, images and CSV text (spec §10).
//!
//! Unlike the original, which signals most failures with empty tensors or `false`, every helper
//! returns an [`Error`](crate::Error) that names the file and what was wrong.

pub mod csv;
pub mod image;
pub mod mnist;

pub use self::csv::{read_csv, split_line, Csv, CsvSplit};
pub use self::image::{
    read_image, read_image_as, read_image_into, write_image, write_image_as, ImageFormat, ImageMode,
};
pub use self::mnist::{
    bundled_mnist_dir, load_mnist_dir, mnist_data, mnist_label, read_mnist, Mnist,
};
