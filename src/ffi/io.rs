//! Files: MNIST, images, CSV lines, `.npz` archives and layer model files.

use super::*;
use crate::helpers::{Csv, CsvSplit};
use crate::{Error, Tensor};
use std::ffi::{c_char, CString};

// ------------------------------------------------------------------------------------- lists

/// Named tensors, in file order (opaque; the result of `spk_npz_read` and `spk_layers_load`).
/// Free with `spk_tensor_list_free`.
pub struct spk_tensor_list {
    pub(crate) names: Vec<CString>,
    pub(crate) tensors: Vec<Tensor>,
}

/// Text fields (opaque; the result of the CSV readers). Free with `spk_strings_free`.
pub struct spk_strings {
    pub(crate) items: Vec<CString>,
}

fn c_string(s: String) -> CString {
    // A NUL inside a field or name would truncate it silently in C; make it visible instead.
    CString::new(s.replace('\0', "\u{FFFD}")).unwrap_or_default()
}

fn list_of(pairs: Vec<(String, Tensor)>) -> spk_tensor_list {
    let (names, tensors) = pairs.into_iter().map(|(n, t)| (c_string(n), t)).unzip();
    spk_tensor_list { names, tensors }
}

pub(crate) fn item_index(len: usize, index: usize, what: &str) -> crate::Result<usize> {
    if index < len {
        Ok(index)
    } else {
        Err(Error::Argument(format!(
            "expected {what} index below {len}, got {index}"
        )))
    }
}

/// Writes the number of tensors of `list` to `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_tensor_list_count(
    list: *const spk_tensor_list,
    out: *mut usize,
) -> spk_status {
    guard(|| unsafe { put(out, "out", arg(list, "list")?.tensors.len()) })
}

/// Writes the name of tensor `index` to `*out`: borrowed, valid until the list is freed.
#[no_mangle]
pub unsafe extern "C" fn spk_tensor_list_name(
    list: *const spk_tensor_list,
    index: usize,
    out: *mut *const c_char,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let l = arg(list, "list")?;
        let i = item_index(l.names.len(), index, "a tensor list")?;
        put(out, "out", l.names[i].as_ptr())
    })
}

/// Writes a new handle to tensor `index` (sharing its memory) to `*out`; the caller frees it with
/// `spk_tensor_free`.
#[no_mangle]
pub unsafe extern "C" fn spk_tensor_list_get(
    list: *const spk_tensor_list,
    index: usize,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let l = arg(list, "list")?;
        let i = item_index(l.tensors.len(), index, "a tensor list")?;
        put_tensor(out, "out", l.tensors[i].clone())
    })
}

/// Frees a tensor list (tensor handles taken from it stay valid). NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn spk_tensor_list_free(list: *mut spk_tensor_list) {
    let _ = guard(|| {
        unsafe { free_handle(list) };
        Ok(())
    });
}

/// Writes the number of fields of `strings` to `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_strings_count(
    strings: *const spk_strings,
    out: *mut usize,
) -> spk_status {
    guard(|| unsafe { put(out, "out", arg(strings, "strings")?.items.len()) })
}

/// Writes field `index` (UTF-8, NUL-terminated) to `*out`: borrowed, valid until `strings` is
/// freed.
#[no_mangle]
pub unsafe extern "C" fn spk_strings_get(
    strings: *const spk_strings,
    index: usize,
    out: *mut *const c_char,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let s = arg(strings, "strings")?;
        let i = item_index(s.items.len(), index, "a field")?;
        put(out, "out", s.items[i].as_ptr())
    })
}

/// Frees a list of fields. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn spk_strings_free(strings: *mut spk_strings) {
    let _ = guard(|| {
        unsafe { free_handle(strings) };
        Ok(())
    });
}

unsafe fn named_tensors<'a>(
    names: *const *const c_char,
    tensors: *const *const spk_tensor,
    count: usize,
) -> FfiResult<Vec<(&'a str, &'a Tensor)>> {
    let n = unsafe { slice(names, count, "names") }?;
    let t = unsafe { slice(tensors, count, "tensors") }?;
    n.iter()
        .zip(t)
        .map(|(&n, &t)| {
            Ok((unsafe { cstr(n, "names[i]") }?, unsafe {
                tensor(t, "tensors[i]")
            }?))
        })
        .collect()
}

// ------------------------------------------------------------------------------------- npz, models

/// Reads every array of the `.npz` file `path` (UTF-8), in file order. The caller frees `*out`
/// with `spk_tensor_list_free`.
#[no_mangle]
pub unsafe extern "C" fn spk_npz_read(
    path: *const c_char,
    out: *mut *mut spk_tensor_list,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let pairs = crate::io::read_npz(cstr(path, "path")?)?;
        put_handle(out, "out", list_of(pairs))
    })
}

/// Writes `count` tensors `tensors[i]` named `names[i]` to the `.npz` file `path` (numpy can read
/// it).
#[no_mangle]
pub unsafe extern "C" fn spk_npz_write(
    path: *const c_char,
    names: *const *const c_char,
    tensors: *const *const spk_tensor,
    count: usize,
) -> spk_status {
    guard(|| unsafe {
        let p = cstr(path, "path")?;
        let items = named_tensors(names, tensors, count)?;
        Ok(crate::io::write_npz(p, &items)?)
    })
}

/// Saves named tensors (e.g. the kernels of a network) to one `.npz` model file; names must be
/// non-empty, unique and free of `/` and `\`.
#[no_mangle]
pub unsafe extern "C" fn spk_layers_save(
    path: *const c_char,
    names: *const *const c_char,
    tensors: *const *const spk_tensor,
    count: usize,
) -> spk_status {
    guard(|| unsafe {
        let p = cstr(path, "path")?;
        let items = named_tensors(names, tensors, count)?;
        Ok(crate::io::model::save_layers(p, &items)?)
    })
}

/// Loads every tensor of a model file written by `spk_layers_save` (or `numpy.savez`). The
/// caller frees `*out` with `spk_tensor_list_free`.
#[no_mangle]
pub unsafe extern "C" fn spk_layers_load(
    path: *const c_char,
    out: *mut *mut spk_tensor_list,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let pairs = crate::io::model::load_layers(cstr(path, "path")?)?;
        put_handle(out, "out", list_of(pairs))
    })
}

/// Saves a convolution layer (kernel, stride, padding, STDP configurations) to a `.npz` file.
#[no_mangle]
pub unsafe extern "C" fn spk_conv_save(conv: *const spk_conv, path: *const c_char) -> spk_status {
    guard(|| unsafe {
        let c = &arg(conv, "conv")?.inner;
        Ok(crate::io::model::save_conv(c, cstr(path, "path")?)?)
    })
}

/// Loads a convolution layer saved by `spk_conv_save`. The caller frees `*out` with
/// `spk_conv_free`.
#[no_mangle]
pub unsafe extern "C" fn spk_conv_load(path: *const c_char, out: *mut *mut spk_conv) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let inner = crate::io::model::load_conv(cstr(path, "path")?)?;
        put_handle(out, "out", spk_conv { inner })
    })
}

/// Saves a fully connected layer (kernel, STDP and backprop configurations) to a `.npz` file.
#[no_mangle]
pub unsafe extern "C" fn spk_fc_save(fc: *const spk_fc, path: *const c_char) -> spk_status {
    guard(|| unsafe {
        let f = &arg(fc, "fc")?.inner;
        Ok(crate::io::model::save_fc(f, cstr(path, "path")?)?)
    })
}

/// Loads a fully connected layer saved by `spk_fc_save`. The caller frees `*out` with
/// `spk_fc_free`.
#[no_mangle]
pub unsafe extern "C" fn spk_fc_load(path: *const c_char, out: *mut *mut spk_fc) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let inner = crate::io::model::load_fc(cstr(path, "path")?)?;
        put_handle(out, "out", spk_fc { inner })
    })
}

// ------------------------------------------------------------------------------------- mnist

/// Reads the four files of an MNIST-style data set (IDX, raw or gzip): images as u8
/// `[N, 1, rows, cols]`, labels as u8 `[N]`. Either all four out-pointers are written or none;
/// the caller frees each with `spk_tensor_free`.
#[no_mangle]
pub unsafe extern "C" fn spk_read_mnist(
    train_images: *const c_char,
    train_labels: *const c_char,
    test_images: *const c_char,
    test_labels: *const c_char,
    train_x: *mut *mut spk_tensor,
    train_y: *mut *mut spk_tensor,
    test_x: *mut *mut spk_tensor,
    test_y: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(train_x, "train_x")?;
        check_out(train_y, "train_y")?;
        check_out(test_x, "test_x")?;
        check_out(test_y, "test_y")?;
        let m = crate::helpers::read_mnist(
            cstr(train_images, "train_images")?,
            cstr(train_labels, "train_labels")?,
            cstr(test_images, "test_images")?,
            cstr(test_labels, "test_labels")?,
        )?;
        put_tensor(train_x, "train_x", m.train_images)?;
        put_tensor(train_y, "train_y", m.train_labels)?;
        put_tensor(test_x, "test_x", m.test_images)?;
        put_tensor(test_y, "test_y", m.test_labels)
    })
}

/// Reads the four standard MNIST files (`train-images-idx3-ubyte`, ..., raw or `.gz`) from the
/// folder `dir`; outputs as `spk_read_mnist`.
#[no_mangle]
pub unsafe extern "C" fn spk_load_mnist_dir(
    dir: *const c_char,
    train_x: *mut *mut spk_tensor,
    train_y: *mut *mut spk_tensor,
    test_x: *mut *mut spk_tensor,
    test_y: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(train_x, "train_x")?;
        check_out(train_y, "train_y")?;
        check_out(test_x, "test_x")?;
        check_out(test_y, "test_y")?;
        let m = crate::helpers::load_mnist_dir(cstr(dir, "dir")?)?;
        put_tensor(train_x, "train_x", m.train_images)?;
        put_tensor(train_y, "train_y", m.train_labels)?;
        put_tensor(test_x, "test_x", m.test_images)?;
        put_tensor(test_y, "test_y", m.test_labels)
    })
}

/// Reads one IDX image file as u8 `[N, 1, rows, cols]`. The caller frees `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_mnist_data(
    path: *const c_char,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        put_tensor(out, "out", crate::helpers::mnist_data(cstr(path, "path")?)?)
    })
}

/// Reads one IDX label file as u8 `[N]`. The caller frees `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_mnist_label(
    path: *const c_char,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        put_tensor(
            out,
            "out",
            crate::helpers::mnist_label(cstr(path, "path")?)?,
        )
    })
}

// ------------------------------------------------------------------------------------- images

unsafe fn size_arg(size: *const usize) -> FfiResult<Option<(usize, usize)>> {
    if size.is_null() {
        return Ok(None);
    }
    let s = unsafe { slice(size, 2, "size") }?;
    Ok(Some((s[0], s[1])))
}

/// Reads an image file (PNG, JPEG, BMP, TGA) as u8 `[C, H, W]`. `mode` is "" (the file's
/// channels), "Y", "YA", "RGB" or "RGBA"; `size` (NULL = keep) is `{height, width}` to resize
/// to. The caller frees `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_read_image(
    path: *const c_char,
    mode: *const c_char,
    size: *const usize,
    out: *mut *mut spk_tensor,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let t =
            crate::helpers::read_image(cstr(path, "path")?, cstr(mode, "mode")?, size_arg(size)?)?;
        put_tensor(out, "out", t)
    })
}

/// `spk_read_image` into a u8 `output` of exactly the resulting shape.
#[no_mangle]
pub unsafe extern "C" fn spk_read_image_into(
    output: *const spk_tensor,
    path: *const c_char,
    mode: *const c_char,
    size: *const usize,
) -> spk_status {
    guard(|| unsafe {
        let y = tensor(output, "output")?;
        Ok(crate::helpers::read_image_into(
            y,
            cstr(path, "path")?,
            cstr(mode, "mode")?,
            size_arg(size)?,
        )?)
    })
}

/// Writes a u8 `[C, H, W]` tensor (C = 1, 2, 3 or 4) as an image file; `format` is "PNG",
/// "BMP", "TGA" or "JPG".
#[no_mangle]
pub unsafe extern "C" fn spk_write_image(
    input: *const spk_tensor,
    path: *const c_char,
    format: *const c_char,
) -> spk_status {
    guard(|| unsafe {
        Ok(crate::helpers::write_image(
            tensor(input, "input")?,
            cstr(path, "path")?,
            cstr(format, "format")?,
        )?)
    })
}

// ------------------------------------------------------------------------------------- csv

/// A reader of delimited text lines (opaque). Free with `spk_csv_free`. Not thread-safe.
pub struct spk_csv {
    pub(crate) inner: Csv,
}

/// How lines are split into fields (values of the `split` arguments).
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum spk_csv_split {
    /// Fields between whole delimiters; a trailing `\r` is removed and empty lines are skipped.
    Delimiter = 0,
    /// The original's quirk (later fields keep the tail of a multi-character delimiter).
    Original = 1,
}

pub(crate) fn split_arg(split: i32) -> crate::Result<CsvSplit> {
    match split {
        0 => Ok(CsvSplit::Delimiter),
        1 => Ok(CsvSplit::Original),
        _ => Err(Error::Argument(format!(
            "expected a split 0 (delimiter) or 1 (original), got {split}"
        ))),
    }
}

fn strings_of(fields: Vec<String>) -> spk_strings {
    spk_strings {
        items: fields.into_iter().map(c_string).collect(),
    }
}

/// Opens the text file `path` for reading lines split at `delim` (non-empty) with the rule
/// `split` (an `spk_csv_split`). The caller frees `*out` with `spk_csv_free`.
#[no_mangle]
pub unsafe extern "C" fn spk_csv_open(
    path: *const c_char,
    delim: *const c_char,
    split: i32,
    out: *mut *mut spk_csv,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let rule = split_arg(split)?;
        let inner = Csv::open(cstr(path, "path")?, cstr(delim, "delim")?)?.with_split(rule);
        put_handle(out, "out", spk_csv { inner })
    })
}

/// Frees a CSV reader (closing its file). NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn spk_csv_free(csv: *mut spk_csv) {
    let _ = guard(|| {
        unsafe { free_handle(csv) };
        Ok(())
    });
}

/// Reads the next line's fields into a new `*out` (free it with `spk_strings_free`); at the end
/// of the file writes NULL to `*out` and returns `SPK_STATUS_OK`.
#[no_mangle]
pub unsafe extern "C" fn spk_csv_readline(
    csv: *mut spk_csv,
    out: *mut *mut spk_strings,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let c = &mut arg_mut(csv, "csv")?.inner;
        match c.readline()? {
            Some(fields) => put_handle(out, "out", strings_of(fields)),
            None => put(out, "out", std::ptr::null_mut()),
        }
    })
}

/// Skips up to `count` lines and writes how many were skipped to `*skipped` (NULL to ignore).
#[no_mangle]
pub unsafe extern "C" fn spk_csv_skip(
    csv: *mut spk_csv,
    count: usize,
    skipped: *mut usize,
) -> spk_status {
    guard(|| unsafe {
        let c = &mut arg_mut(csv, "csv")?.inner;
        let n = c.skip_lines(count)?;
        if !skipped.is_null() {
            put(skipped, "skipped", n)?;
        }
        Ok(())
    })
}

/// The fields of the first non-empty line of `path` (the original's `read_csv`) in a new `*out`
/// (free it with `spk_strings_free`), or NULL for a file without one.
#[no_mangle]
pub unsafe extern "C" fn spk_read_csv(
    path: *const c_char,
    delim: *const c_char,
    split: i32,
    out: *mut *mut spk_strings,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let rule = split_arg(split)?;
        match crate::helpers::read_csv(cstr(path, "path")?, cstr(delim, "delim")?, rule)? {
            Some(fields) => put_handle(out, "out", strings_of(fields)),
            None => put(out, "out", std::ptr::null_mut()),
        }
    })
}
