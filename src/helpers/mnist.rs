//! MNIST IDX readers (spec §10.1), for raw and gzip-compressed files.
//!
//! The original returns an empty tensor when a file cannot be read; here every failure is an
//! [`Error::Io`] naming the file and what was wrong, so a typo in a path cannot silently turn into
//! an empty data set.

use crate::{Error, Result, Tensor};
use std::io::Read;
use std::path::{Path, PathBuf};

/// IDX magic of an unsigned-byte 3-D array (images).
const IMAGE_MAGIC: i32 = 2051;
/// IDX magic of an unsigned-byte 1-D array (labels).
const LABEL_MAGIC: i32 = 2049;
/// The first two bytes of every gzip stream.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Reads a whole file, transparently decompressing it when it starts with the gzip magic (the
/// name is not consulted, so `foo.gz` holding raw IDX data and vice versa both work).
fn read_maybe_gzip(path: &Path) -> Result<Vec<u8>> {
    let raw = std::fs::read(path)
        .map_err(|e| Error::Io(format!("cannot read MNIST file {}: {e}", path.display())))?;
    if raw.len() >= 2 && raw[..2] == GZIP_MAGIC {
        let mut out = Vec::with_capacity(raw.len() * 4);
        flate2::read::MultiGzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .map_err(|e| {
                Error::Io(format!(
                    "MNIST file {} looks gzip-compressed but cannot be decompressed: {e}",
                    path.display()
                ))
            })?;
        Ok(out)
    } else {
        Ok(raw)
    }
}

/// Parses `count` big-endian i32 header fields after checking the magic number.
fn header(bytes: &[u8], magic: i32, count: usize, path: &Path, what: &str) -> Result<Vec<usize>> {
    if bytes.len() < 4 {
        return Err(Error::Io(format!(
            "MNIST {what} file {} is truncated: expected at least a 4-byte magic number, got {} bytes",
            path.display(),
            bytes.len()
        )));
    }
    let field = |i: usize| i32::from_be_bytes(bytes[4 * i..4 * i + 4].try_into().unwrap());
    let got = field(0);
    if got != magic {
        return Err(Error::Io(format!(
            "MNIST {what} file {} has magic number {got}, expected {magic}",
            path.display()
        )));
    }
    let need = 4 * count;
    if bytes.len() < need {
        return Err(Error::Io(format!(
            "MNIST {what} file {} is truncated: expected a {need}-byte header, got {} bytes",
            path.display(),
            bytes.len()
        )));
    }
    (1..count)
        .map(|i| {
            let v = field(i);
            if v < 1 {
                Err(Error::Io(format!(
                    "MNIST {what} file {} declares extent {v} in header field {i}, expected >= 1",
                    path.display()
                )))
            } else {
                Ok(v as usize)
            }
        })
        .collect()
}

/// Checks that the payload after a `header_len`-byte header holds `dims` elements and returns it
/// (trailing bytes are ignored, like the original).
fn payload<'a>(
    bytes: &'a [u8],
    header_len: usize,
    dims: &[usize],
    path: &Path,
    what: &str,
) -> Result<&'a [u8]> {
    let n = dims
        .iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d))
        .ok_or_else(|| {
            Error::Io(format!(
                "MNIST {what} file {} declares an impossible size {dims:?}",
                path.display()
            ))
        })?;
    let have = bytes.len() - header_len;
    if have < n {
        return Err(Error::Io(format!(
            "MNIST {what} file {} is truncated: header {dims:?} needs {n} data bytes, got {have}",
            path.display()
        )));
    }
    Ok(&bytes[header_len..header_len + n])
}

/// Reads an IDX image file (magic 2051, raw or gzip) into a u8 tensor `[N, 1, rows, cols]`.
pub fn mnist_data(path: impl AsRef<Path>) -> Result<Tensor> {
    let path = path.as_ref();
    let bytes = read_maybe_gzip(path)?;
    let dims = header(&bytes, IMAGE_MAGIC, 4, path, "image")?;
    let data = payload(&bytes, 16, &dims, path, "image")?;
    Tensor::from_slice(data, &[dims[0], 1, dims[1], dims[2]])
}

/// Reads an IDX label file (magic 2049, raw or gzip) into a u8 tensor `[N]`.
pub fn mnist_label(path: impl AsRef<Path>) -> Result<Tensor> {
    let path = path.as_ref();
    let bytes = read_maybe_gzip(path)?;
    let dims = header(&bytes, LABEL_MAGIC, 2, path, "label")?;
    let data = payload(&bytes, 8, &dims, path, "label")?;
    Tensor::from_slice(data, &[dims[0]])
}

/// The four tensors of an MNIST-style data set.
#[derive(Debug, Clone)]
pub struct Mnist {
    /// u8 `[N_train, 1, rows, cols]`.
    pub train_images: Tensor,
    /// u8 `[N_train]`.
    pub train_labels: Tensor,
    /// u8 `[N_test, 1, rows, cols]`.
    pub test_images: Tensor,
    /// u8 `[N_test]`.
    pub test_labels: Tensor,
}

/// Reads the four files of an MNIST-style data set (the original's `read_mnist`), checking that
/// each image file has as many images as its label file has labels.
pub fn read_mnist(
    train_images: impl AsRef<Path>,
    train_labels: impl AsRef<Path>,
    test_images: impl AsRef<Path>,
    test_labels: impl AsRef<Path>,
) -> Result<Mnist> {
    let set = Mnist {
        train_images: mnist_data(&train_images)?,
        train_labels: mnist_label(&train_labels)?,
        test_images: mnist_data(&test_images)?,
        test_labels: mnist_label(&test_labels)?,
    };
    for (imgs, labels, ip, lp) in [
        (
            &set.train_images,
            &set.train_labels,
            train_images.as_ref(),
            train_labels.as_ref(),
        ),
        (
            &set.test_images,
            &set.test_labels,
            test_images.as_ref(),
            test_labels.as_ref(),
        ),
    ] {
        if imgs.shape()[0] != labels.shape()[0] {
            return Err(Error::Shape(format!(
                "expected as many images as labels, got {} images in {} and {} labels in {}",
                imgs.shape()[0],
                ip.display(),
                labels.shape()[0],
                lp.display()
            )));
        }
    }
    Ok(set)
}

/// The folder of the 10,000-digit MNIST subset shipped with the crate sources (`data/mnist10k`:
/// 8,000 training and 2,000 test images, gzip-compressed). The path is fixed at compile time, so
/// it is only meaningful on a machine that has the crate's source tree (tests, examples).
pub fn bundled_mnist_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/mnist10k")
}

/// The base names of the four MNIST files, in `read_mnist` order. Both the hyphenated spelling
/// of the original distribution and the common `train-images.idx3-ubyte` spelling are accepted.
const MNIST_FILES: [[&str; 2]; 4] = [
    ["train-images-idx3-ubyte", "train-images.idx3-ubyte"],
    ["train-labels-idx1-ubyte", "train-labels.idx1-ubyte"],
    ["t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte"],
    ["t10k-labels-idx1-ubyte", "t10k-labels.idx1-ubyte"],
];

/// Finds one MNIST file in `dir`: the uncompressed file if present (no decompression needed),
/// else its `.gz`.
fn find_mnist_file(dir: &Path, names: &[&str; 2]) -> Result<PathBuf> {
    for name in names {
        for suffix in ["", ".gz"] {
            let p = dir.join(format!("{name}{suffix}"));
            if p.is_file() {
                return Ok(p);
            }
        }
    }
    Err(Error::Io(format!(
        "expected {} or {}.gz in {}, found neither",
        names[0],
        names[0],
        dir.display()
    )))
}

/// Reads the four standard MNIST files (`train-images-idx3-ubyte`, `train-labels-idx1-ubyte`,
/// `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`, each raw or `.gz`) from one folder.
pub fn load_mnist_dir(dir: impl AsRef<Path>) -> Result<Mnist> {
    let dir = dir.as_ref();
    if !dir.is_dir() {
        return Err(Error::Io(format!(
            "expected a folder with MNIST files, {} is not one",
            dir.display()
        )));
    }
    let [a, b, c, d] = [0, 1, 2, 3].map(|i| find_mnist_file(dir, &MNIST_FILES[i]));
    read_mnist(a?, b?, c?, d?)
}
