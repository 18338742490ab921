//! Files: MNIST, images, CSV, npz and model files (the bridge side of `src/ffi/io.rs`).

use super::bridge::Ext2;
use super::tensor::{boxed, Tensor};
use super::{call, BridgeResult};
use crate::ffi::{item_index, split_arg};
use crate::helpers::Csv as CsvReader;

/// Named tensors (archives, model files, the four MNIST tensors), like `spk_tensor_list`.
#[derive(Default)]
pub struct TensorList(pub(crate) Vec<(String, crate::Tensor)>);

/// A CSV reader owned by C++.
pub struct Csv(pub(crate) CsvReader);

fn list(pairs: Vec<(String, crate::Tensor)>) -> Box<TensorList> {
    Box::new(TensorList(pairs))
}

pub fn tensor_list_new() -> BridgeResult<Box<TensorList>> {
    call(|| Ok(Box::default()))
}

pub fn tensor_list_push(l: &mut TensorList, name: &str, t: &Tensor) -> BridgeResult<()> {
    call(|| {
        l.0.push((name.to_string(), t.0.clone()));
        Ok(())
    })
}

pub fn tensor_list_len(l: &TensorList) -> BridgeResult<usize> {
    call(|| Ok(l.0.len()))
}

pub fn tensor_list_name(l: &TensorList, index: usize) -> BridgeResult<String> {
    call(|| {
        Ok(l.0[item_index(l.0.len(), index, "a tensor list")?]
            .0
            .clone())
    })
}

pub fn tensor_list_get(l: &TensorList, index: usize) -> BridgeResult<Box<Tensor>> {
    call(|| {
        Ok(boxed(
            l.0[item_index(l.0.len(), index, "a tensor list")?]
                .1
                .clone(),
        ))
    })
}

fn named(l: &TensorList) -> Vec<(&str, &crate::Tensor)> {
    l.0.iter().map(|(n, t)| (n.as_str(), t)).collect()
}

fn mnist_list(m: crate::helpers::Mnist) -> Box<TensorList> {
    list(vec![
        ("train_images".into(), m.train_images),
        ("train_labels".into(), m.train_labels),
        ("test_images".into(), m.test_images),
        ("test_labels".into(), m.test_labels),
    ])
}

pub fn read_mnist(
    train_images: &str,
    train_labels: &str,
    test_images: &str,
    test_labels: &str,
) -> BridgeResult<Box<TensorList>> {
    call(|| {
        let m = crate::helpers::read_mnist(train_images, train_labels, test_images, test_labels)?;
        Ok(mnist_list(m))
    })
}

pub fn load_mnist_dir(dir: &str) -> BridgeResult<Box<TensorList>> {
    call(|| Ok(mnist_list(crate::helpers::load_mnist_dir(dir)?)))
}

pub fn mnist_data(path: &str) -> BridgeResult<Box<Tensor>> {
    call(|| Ok(boxed(crate::helpers::mnist_data(path)?)))
}

pub fn mnist_label(path: &str) -> BridgeResult<Box<Tensor>> {
    call(|| Ok(boxed(crate::helpers::mnist_label(path)?)))
}

pub fn read_image(path: &str, mode: &str, size: Ext2, resize: bool) -> BridgeResult<Box<Tensor>> {
    call(|| {
        let size = resize.then_some((size.y, size.x));
        Ok(boxed(crate::helpers::read_image(path, mode, size)?))
    })
}

pub fn read_image_into(
    y: &Tensor,
    path: &str,
    mode: &str,
    size: Ext2,
    resize: bool,
) -> BridgeResult<()> {
    call(|| {
        let size = resize.then_some((size.y, size.x));
        crate::helpers::read_image_into(&y.0, path, mode, size)
    })
}

pub fn write_image(x: &Tensor, path: &str, format: &str) -> BridgeResult<()> {
    call(|| crate::helpers::write_image(&x.0, path, format))
}

pub fn csv_open(path: &str, delim: &str, original_split: bool) -> BridgeResult<Box<Csv>> {
    call(|| {
        let rule = split_arg(original_split as i32)?;
        Ok(Box::new(
            Csv(CsvReader::open(path, delim)?.with_split(rule)),
        ))
    })
}

pub fn csv_readline(c: &mut Csv, fields: &mut Vec<String>) -> BridgeResult<bool> {
    call(|| match c.0.readline()? {
        Some(f) => {
            *fields = f;
            Ok(true)
        }
        None => Ok(false),
    })
}

pub fn csv_skip(c: &mut Csv, count: usize) -> BridgeResult<usize> {
    call(|| c.0.skip_lines(count))
}

/// The fields of the first non-empty line (empty for a file without one); `original_split` is
/// the `split` rule of `spk_read_csv` (1 = the original's multi-character delimiter quirk).
pub fn read_csv(path: &str, delim: &str, original_split: bool) -> BridgeResult<Vec<String>> {
    call(|| {
        let rule = split_arg(original_split as i32)?;
        Ok(crate::helpers::read_csv(path, delim, rule)?.unwrap_or_default())
    })
}

pub fn npz_read(path: &str) -> BridgeResult<Box<TensorList>> {
    call(|| Ok(list(crate::io::read_npz(path)?)))
}

pub fn npz_write(path: &str, items: &TensorList) -> BridgeResult<()> {
    call(|| crate::io::write_npz(path, &named(items)))
}

pub fn layers_save(path: &str, items: &TensorList) -> BridgeResult<()> {
    call(|| crate::io::model::save_layers(path, &named(items)))
}

pub fn layers_load(path: &str) -> BridgeResult<Box<TensorList>> {
    call(|| Ok(list(crate::io::model::load_layers(path)?)))
}
