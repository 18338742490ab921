//! NumPy `.npy` and `.npz` files for tensors of all 11 dtypes (f16 included), so weights move
//! between this library, numpy and PyTorch.

use crate::{DType, Error, Result, Tensor};
use std::io::{Read, Seek, Write};
use std::path::Path;

fn descr(dtype: DType) -> &'static str {
    match dtype {
        DType::I8 => "|i1",
        DType::I16 => "<i2",
        DType::I32 => "<i4",
        DType::I64 => "<i8",
        DType::U8 => "|u1",
        DType::U16 => "<u2",
        DType::U32 => "<u4",
        DType::U64 => "<u8",
        DType::F16 => "<f2",
        DType::F32 => "<f4",
        DType::F64 => "<f8",
    }
}

fn parse_descr(d: &str) -> Result<DType> {
    let d = d.trim_start_matches(['<', '|', '=']);
    Ok(match d {
        "i1" => DType::I8,
        "i2" => DType::I16,
        "i4" => DType::I32,
        "i8" => DType::I64,
        "u1" | "b1" => DType::U8,
        "u2" => DType::U16,
        "u4" => DType::U32,
        "u8" => DType::U64,
        "f2" => DType::F16,
        "f4" => DType::F32,
        "f8" => DType::F64,
        _ => {
            return Err(Error::Io(format!(
                "expected a little-endian numeric npy dtype, got {d:?}"
            )))
        }
    })
}

/// Extracts the value text of `'key':` from a npy header dictionary.
fn header_field<'a>(header: &'a str, key: &str) -> Result<&'a str> {
    let pat = format!("'{key}':");
    let start = header
        .find(&pat)
        .ok_or_else(|| Error::Io(format!("npy header has no {key:?} field: {header}")))?
        + pat.len();
    let rest = header[start..].trim_start();
    let end = if rest.starts_with('(') {
        rest.find(')').map(|i| i + 1)
    } else {
        rest.find([',', '}'])
    }
    .ok_or_else(|| Error::Io(format!("malformed npy header: {header}")))?;
    Ok(rest[..end].trim())
}

/// Reads one `.npy` array into a CPU tensor (a 0-d array becomes shape `[1]`).
pub fn read_npy<R: Read>(mut r: R) -> Result<Tensor> {
    let mut magic = [0u8; 8];
    r.read_exact(&mut magic)
        .map_err(|e| Error::Io(format!("truncated npy file: {e}")))?;
    if &magic[..6] != b"\x93NUMPY" {
        return Err(Error::Io("expected the npy magic \\x93NUMPY".into()));
    }
    let hlen = if magic[6] == 1 {
        let mut b = [0u8; 2];
        r.read_exact(&mut b)?;
        u16::from_le_bytes(b) as usize
    } else {
        let mut b = [0u8; 4];
        r.read_exact(&mut b)?;
        u32::from_le_bytes(b) as usize
    };
    let mut header = vec![0u8; hlen];
    r.read_exact(&mut header)
        .map_err(|e| Error::Io(format!("truncated npy header: {e}")))?;
    let header = String::from_utf8_lossy(&header).into_owned();
    let dtype = parse_descr(header_field(&header, "descr")?.trim_matches(['\'', '"']))?;
    if header_field(&header, "fortran_order")? != "False" {
        return Err(Error::Io("expected a C-ordered npy array".into()));
    }
    let shape_txt = header_field(&header, "shape")?;
    let mut shape = Vec::new();
    for p in shape_txt.trim_matches(['(', ')']).split(',') {
        let p = p.trim();
        if !p.is_empty() {
            shape.push(
                p.parse::<usize>()
                    .map_err(|_| Error::Io(format!("bad npy shape {shape_txt}")))?,
            );
        }
    }
    if shape.is_empty() {
        shape.push(1);
    }
    let t = Tensor::zeros(dtype, &shape)?;
    t.host_bytes_mut(|b| r.read_exact(b))?
        .map_err(|e| Error::Io(format!("truncated npy data: {e}")))?;
    Ok(t)
}

/// Writes a tensor as one `.npy` array (version 1.0, little-endian, C order).
pub fn write_npy<W: Write>(mut w: W, t: &Tensor) -> Result<()> {
    let dims: Vec<String> = t.shape().iter().map(|d| d.to_string()).collect();
    let shape = if dims.len() == 1 {
        format!("({},)", dims[0])
    } else {
        format!("({})", dims.join(", "))
    };
    let mut header = format!(
        "{{'descr': '{}', 'fortran_order': False, 'shape': {shape}, }}",
        descr(t.dtype())
    );
    let total = 10 + header.len() + 1;
    header.push_str(&" ".repeat((64 - total % 64) % 64));
    header.push('\n');
    w.write_all(b"\x93NUMPY\x01\x00")?;
    w.write_all(&(header.len() as u16).to_le_bytes())?;
    w.write_all(header.as_bytes())?;
    t.host_bytes(|b| w.write_all(b))??;
    Ok(())
}

/// Reads every array of a `.npz` file, in file order, keyed by name (without `.npy`).
pub fn read_npz(path: impl AsRef<Path>) -> Result<Vec<(String, Tensor)>> {
    let path = path.as_ref();
    let f = std::fs::File::open(path)
        .map_err(|e| Error::Io(format!("cannot open {}: {e}", path.display())))?;
    read_npz_from(f)
}

/// [`read_npz`] from any seekable reader.
pub fn read_npz_from<R: Read + Seek>(r: R) -> Result<Vec<(String, Tensor)>> {
    let mut zip =
        zip::ZipArchive::new(r).map_err(|e| Error::Io(format!("not a valid npz file: {e}")))?;
    let mut out = Vec::with_capacity(zip.len());
    for i in 0..zip.len() {
        let file = zip
            .by_index(i)
            .map_err(|e| Error::Io(format!("bad npz entry {i}: {e}")))?;
        let name = file.name().trim_end_matches(".npy").to_string();
        let t = read_npy(std::io::BufReader::new(file))
            .map_err(|e| Error::Io(format!("npz entry {name:?}: {}", e.message())))?;
        out.push((name, t));
    }
    Ok(out)
}

/// Writes tensors to a `.npz` file (deflate-compressed, readable by `numpy.load`).
pub fn write_npz(path: impl AsRef<Path>, arrays: &[(&str, &Tensor)]) -> Result<()> {
    let path = path.as_ref();
    let f = std::fs::File::create(path)
        .map_err(|e| Error::Io(format!("cannot create {}: {e}", path.display())))?;
    let mut zip = zip::ZipWriter::new(f);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, t) in arrays {
        zip.start_file(format!("{name}.npy"), opts)
            .map_err(|e| Error::Io(e.to_string()))?;
        let mut buf = Vec::with_capacity(t.bytes() + 128);
        write_npy(&mut buf, t)?;
        zip.write_all(&buf)?;
    }
    zip.finish().map_err(|e| Error::Io(e.to_string()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npy_round_trip_all_dtypes() {
        let base =
            Tensor::from_vec((0..24).map(|i| i as u8).collect::<Vec<_>>(), &[2, 3, 4]).unwrap();
        for d in DType::ALL {
            let t = base.to_dtype(d).unwrap();
            let mut buf = Vec::new();
            write_npy(&mut buf, &t).unwrap();
            assert_eq!(buf.len() % 16, (t.bytes()) % 16);
            let back = read_npy(&buf[..]).unwrap();
            assert_eq!(back.dtype(), d);
            assert_eq!(back.shape(), t.shape());
            assert_eq!(back.to_bytes().unwrap(), t.to_bytes().unwrap());
        }
    }

    #[test]
    fn bad_files_are_io_errors() {
        assert_eq!(
            read_npy(&b"hello world"[..]).unwrap_err().kind(),
            crate::ErrorKind::Io
        );
        assert_eq!(
            read_npy(&b"\x93NU"[..]).unwrap_err().kind(),
            crate::ErrorKind::Io
        );
        assert_eq!(
            read_npz("/nonexistent/x.npz").unwrap_err().kind(),
            crate::ErrorKind::Io
        );
    }
}
