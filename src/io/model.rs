//! Model files: layers and named tensors as NumPy `.npz` archives.
//!
//! The original only offers an optional C++ serialisation through an external library (spec
//! §11.5). Here a layer is an ordinary `.npz`, so `numpy.load` (and through it PyTorch) can read
//! and write weights. Layout of a layer file (all arrays little-endian, C order):
//!
//! | array | dtype | shape | content |
//! |---|---|---|---|
//! | `spyker_layer` | i64 | `[2]` | format version (1), layer kind (0 = Conv, 1 = FC) |
//! | `kernel` | f16/f32/f64 | Conv `[O, I, kh, kw]`, FC `[O, I]` | the weights |
//! | `stride` (Conv) | i64 | `[2]` | `(y, x)` |
//! | `pad` (Conv) | i64 | `[4]` | `(top, left, bottom, right)` |
//! | `bpconfig` (FC) | f32 | `[4]` | `sfactor, lrate, lrf, lambda` |
//! | `stdpconfig` | f64 | `[n, 5]` | per config `positive, negative, stabilize (0/1), lower, upper`; absent when `n = 0` |

use super::{read_npz, write_npz};
use crate::nn::{BPConfig, Conv, STDPConfig, FC};
use crate::{DType, Device, Error, Expand2, Expand4, Result, Tensor};
use std::collections::HashMap;
use std::path::Path;

/// Version of the layer file layout written by this library.
pub const LAYER_FORMAT_VERSION: i64 = 1;
const KIND_CONV: i64 = 0;
const KIND_FC: i64 = 1;

fn io_err(path: &Path, msg: impl std::fmt::Display) -> Error {
    Error::Io(format!("model file {}: {msg}", path.display()))
}

fn stdp_tensor(configs: &[STDPConfig]) -> Result<Option<Tensor>> {
    if configs.is_empty() {
        return Ok(None);
    }
    let v: Vec<f64> = configs
        .iter()
        .flat_map(|c| {
            [
                c.positive,
                c.negative,
                if c.stabilize { 1.0 } else { 0.0 },
                c.lower,
                c.upper,
            ]
        })
        .collect();
    Tensor::from_vec(v, &[configs.len(), 5]).map(Some)
}

fn stdp_from(t: Option<&Tensor>, path: &Path) -> Result<Vec<STDPConfig>> {
    let Some(t) = t else {
        return Ok(Vec::new());
    };
    if t.dtype() != DType::F64 || t.dims() != 2 || t.shape()[1] != 5 {
        return Err(io_err(
            path,
            format!(
                "expected 'stdpconfig' of dtype f64 and shape [n, 5], got {} {:?}",
                t.dtype(),
                t.shape()
            ),
        ));
    }
    t.to_vec::<f64>()?
        .chunks_exact(5)
        .map(|r| {
            let stabilize = if r[2] == 0.0 {
                false
            } else if r[2] == 1.0 {
                true
            } else {
                return Err(io_err(
                    path,
                    format!("expected 'stdpconfig' stabilize flags 0 or 1, got {}", r[2]),
                ));
            };
            Ok(STDPConfig::with_bounds(r[0], r[1], stabilize, r[3], r[4]))
        })
        .collect()
}

/// Reads a layer file, checks its header and kind, and returns its arrays by name.
fn read_layer(path: &Path, kind: i64, rank: usize) -> Result<HashMap<String, Tensor>> {
    let map: HashMap<String, Tensor> = read_npz(path)?.into_iter().collect();
    let names = ["Conv", "FC"];
    let header = map
        .get("spyker_layer")
        .ok_or_else(|| io_err(path, "not a spyker layer file (no 'spyker_layer' array)"))?;
    let h = header.to_vec_as::<i64>()?;
    if header.dtype() != DType::I64 || h.len() != 2 {
        return Err(io_err(
            path,
            format!(
                "expected 'spyker_layer' as 2 i64 values, got {} {:?}",
                header.dtype(),
                header.shape()
            ),
        ));
    }
    if h[0] != LAYER_FORMAT_VERSION {
        return Err(io_err(
            path,
            format!(
                "expected layer format version {LAYER_FORMAT_VERSION}, got {}",
                h[0]
            ),
        ));
    }
    if h[1] != kind {
        let got = usize::try_from(h[1])
            .ok()
            .and_then(|i| names.get(i).copied())
            .unwrap_or("an unknown layer kind");
        return Err(io_err(
            path,
            format!(
                "expected a {} layer, the file holds {got}",
                names[kind as usize]
            ),
        ));
    }
    let kernel = map
        .get("kernel")
        .ok_or_else(|| io_err(path, "missing the 'kernel' array"))?;
    if !kernel.dtype().is_float() || kernel.dims() != rank {
        return Err(io_err(
            path,
            format!(
                "expected a float 'kernel' of rank {rank}, got {} {:?}",
                kernel.dtype(),
                kernel.shape()
            ),
        ));
    }
    Ok(map)
}

/// Reads an i64 array of exactly `n` values named `name`.
fn ints(map: &HashMap<String, Tensor>, name: &str, n: usize, path: &Path) -> Result<Vec<usize>> {
    let t = map
        .get(name)
        .ok_or_else(|| io_err(path, format!("missing the '{name}' array")))?;
    if t.dtype() != DType::I64 || t.numel() != n {
        return Err(io_err(
            path,
            format!(
                "expected '{name}' as {n} i64 values, got {} {:?}",
                t.dtype(),
                t.shape()
            ),
        ));
    }
    t.to_vec::<i64>()?
        .into_iter()
        .map(|v| {
            usize::try_from(v)
                .map_err(|_| io_err(path, format!("expected non-negative '{name}', got {v}")))
        })
        .collect()
}

fn usize_tensor(v: &[usize]) -> Result<Tensor> {
    Tensor::from_vec(v.iter().map(|&x| x as i64).collect::<Vec<_>>(), &[v.len()])
}

/// Saves a convolution layer (kernel, stride, padding, STDP configs) to a `.npz` file.
pub fn save_conv(conv: &Conv, path: impl AsRef<Path>) -> Result<()> {
    let kernel = conv.kernel.to_device(Device::Cpu)?;
    let header = Tensor::from_vec(vec![LAYER_FORMAT_VERSION, KIND_CONV], &[2])?;
    let stride = usize_tensor(&[conv.stride.y, conv.stride.x])?;
    let p = conv.pad;
    let pad = usize_tensor(&[p.top, p.left, p.bottom, p.right])?;
    let stdp = stdp_tensor(&conv.stdpconfig)?;
    let mut arrays = vec![
        ("spyker_layer", &header),
        ("kernel", &kernel),
        ("stride", &stride),
        ("pad", &pad),
    ];
    if let Some(s) = &stdp {
        arrays.push(("stdpconfig", s));
    }
    write_npz(path, &arrays)
}

/// Loads a convolution layer saved by [`save_conv`]; the result equals the saved layer (kernel
/// bits, dtype, stride, padding and STDP configs), with its kernel on the CPU.
pub fn load_conv(path: impl AsRef<Path>) -> Result<Conv> {
    let path = path.as_ref();
    let map = read_layer(path, KIND_CONV, 4)?;
    let stride = ints(&map, "stride", 2, path)?;
    if stride.contains(&0) {
        return Err(io_err(
            path,
            format!("expected 'stride' >= 1, got {stride:?}"),
        ));
    }
    let pad = ints(&map, "pad", 4, path)?;
    Ok(Conv {
        kernel: map["kernel"].clone(),
        stride: Expand2::new(stride[0], stride[1]),
        pad: Expand4::new(pad[0], pad[1], pad[2], pad[3]),
        stdpconfig: stdp_from(map.get("stdpconfig"), path)?,
    })
}

/// Saves a fully connected layer (kernel, STDP configs, backprop config) to a `.npz` file.
pub fn save_fc(fc: &FC, path: impl AsRef<Path>) -> Result<()> {
    let kernel = fc.kernel.to_device(Device::Cpu)?;
    let header = Tensor::from_vec(vec![LAYER_FORMAT_VERSION, KIND_FC], &[2])?;
    let b = fc.bpconfig;
    let bp = Tensor::from_vec(vec![b.sfactor, b.lrate, b.lrf, b.lambda], &[4])?;
    let stdp = stdp_tensor(&fc.stdpconfig)?;
    let mut arrays = vec![
        ("spyker_layer", &header),
        ("kernel", &kernel),
        ("bpconfig", &bp),
    ];
    if let Some(s) = &stdp {
        arrays.push(("stdpconfig", s));
    }
    write_npz(path, &arrays)
}

/// Loads a fully connected layer saved by [`save_fc`]; the result equals the saved layer.
pub fn load_fc(path: impl AsRef<Path>) -> Result<FC> {
    let path = path.as_ref();
    let map = read_layer(path, KIND_FC, 2)?;
    let bp = map
        .get("bpconfig")
        .ok_or_else(|| io_err(path, "missing the 'bpconfig' array"))?;
    if bp.dtype() != DType::F32 || bp.numel() != 4 {
        return Err(io_err(
            path,
            format!(
                "expected 'bpconfig' as 4 f32 values, got {} {:?}",
                bp.dtype(),
                bp.shape()
            ),
        ));
    }
    let b = bp.to_vec::<f32>()?;
    Ok(FC {
        kernel: map["kernel"].clone(),
        stdpconfig: stdp_from(map.get("stdpconfig"), path)?,
        bpconfig: BPConfig::new(b[0], b[1], b[2], b[3]),
    })
}

/// Saves named tensors (e.g. the kernels of a whole network) to one `.npz` file, in order.
/// Names must be non-empty, unique, and free of `/` and `\` (they become archive entry names).
pub fn save_layers(path: impl AsRef<Path>, layers: &[(&str, &Tensor)]) -> Result<()> {
    if layers.is_empty() {
        return Err(Error::Argument(
            "expected at least one tensor to save, got none".into(),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    let mut host = Vec::with_capacity(layers.len());
    for (name, t) in layers {
        if name.is_empty() || name.contains(['/', '\\']) {
            return Err(Error::Argument(format!(
                "expected tensor names without '/' or '\\' and not empty, got {name:?}"
            )));
        }
        if !seen.insert(*name) {
            return Err(Error::Argument(format!(
                "expected unique tensor names, {name:?} appears twice"
            )));
        }
        host.push((*name, t.to_device(Device::Cpu)?));
    }
    let refs: Vec<(&str, &Tensor)> = host.iter().map(|(n, t)| (*n, t)).collect();
    write_npz(path, &refs)
}

/// Loads every tensor of a `.npz` file (written by [`save_layers`] or by `numpy.savez`), in file
/// order.
pub fn load_layers(path: impl AsRef<Path>) -> Result<Vec<(String, Tensor)>> {
    read_npz(path)
}
