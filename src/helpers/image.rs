//! Image files as u8 CHW tensors (spec §10.2): PNG, JPEG, BMP and TGA.
//!
//! Channel conversions reproduce the original (stb_image) exactly: grey is
//! `(77·R + 150·G + 29·B) >> 8`, a missing alpha channel becomes 255, grey expands to RGB by
//! replication. Resizing is a correct separable Catmull-Rom resampling per channel; the original
//! swaps width and height when resizing (spec §14.10), so resized pixels are not expected to match
//! it (see `docs/COMPATIBILITY.md`).

use crate::{DType, Error, Result, Tensor};
use image::{DynamicImage, ExtendedColorType, ImageBuffer, ImageEncoder, Luma};
use std::path::Path;
use std::str::FromStr;

/// The channel layout requested from [`read_image`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ImageMode {
    /// The channels stored in the file (1 grey, 2 grey+alpha, 3 RGB or 4 RGBA).
    #[default]
    Native,
    /// One luminance channel.
    Y,
    /// Luminance and alpha.
    YA,
    /// Red, green, blue.
    RGB,
    /// Red, green, blue, alpha.
    RGBA,
}

impl ImageMode {
    /// The number of channels this mode produces, `None` for [`ImageMode::Native`].
    pub fn channels(self) -> Option<usize> {
        match self {
            ImageMode::Native => None,
            ImageMode::Y => Some(1),
            ImageMode::YA => Some(2),
            ImageMode::RGB => Some(3),
            ImageMode::RGBA => Some(4),
        }
    }
}

impl FromStr for ImageMode {
    type Err = Error;
    /// Parses the original's mode strings, case-insensitively: `""`, `"Y"`, `"YA"`, `"RGB"`,
    /// `"RGBA"`.
    fn from_str(s: &str) -> Result<ImageMode> {
        Ok(match s.to_ascii_uppercase().as_str() {
            "" => ImageMode::Native,
            "Y" => ImageMode::Y,
            "YA" => ImageMode::YA,
            "RGB" => ImageMode::RGB,
            "RGBA" => ImageMode::RGBA,
            _ => {
                return Err(Error::Argument(format!(
                    "expected an image mode \"\", \"Y\", \"YA\", \"RGB\" or \"RGBA\", got {s:?}"
                )))
            }
        })
    }
}

/// The file format written by [`write_image`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ImageFormat {
    /// Lossless PNG.
    #[default]
    Png,
    /// Uncompressed BMP.
    Bmp,
    /// Run-length encoded TGA.
    Tga,
    /// JPEG at quality 100 (lossy; alpha is dropped).
    Jpg,
}

impl FromStr for ImageFormat {
    type Err = Error;
    /// Parses `"PNG"`, `"BMP"`, `"TGA"`, `"JPG"` (also `"JPEG"`), case-insensitively.
    fn from_str(s: &str) -> Result<ImageFormat> {
        Ok(match s.to_ascii_uppercase().as_str() {
            "PNG" => ImageFormat::Png,
            "BMP" => ImageFormat::Bmp,
            "TGA" => ImageFormat::Tga,
            "JPG" | "JPEG" => ImageFormat::Jpg,
            _ => {
                return Err(Error::Argument(format!(
                    "expected an image format \"PNG\", \"BMP\", \"TGA\" or \"JPG\", got {s:?}"
                )))
            }
        })
    }
}

/// The luminance of an RGB pixel with stb_image's integer weights.
#[inline]
fn luma(r: u8, g: u8, b: u8) -> u8 {
    ((77 * r as u32 + 150 * g as u32 + 29 * b as u32) >> 8) as u8
}

/// Decodes `path` into interleaved 8-bit pixels with the file's own channel count.
///
/// 16-bit samples keep their high byte, as stb_image does when asked for 8 bits.
fn decode(path: &Path) -> Result<(Vec<u8>, usize, usize, usize)> {
    let fail =
        |e: &dyn std::fmt::Display| Error::Io(format!("cannot read image {}: {e}", path.display()));
    let img = image::ImageReader::open(path)
        .map_err(|e| fail(&e))?
        .with_guessed_format()
        .map_err(|e| fail(&e))?
        .decode()
        .map_err(|e| fail(&e))?;
    let (w, h) = (img.width() as usize, img.height() as usize);
    let high = |v: Vec<u16>| v.into_iter().map(|x| (x >> 8) as u8).collect::<Vec<u8>>();
    let (data, c) = match img {
        DynamicImage::ImageLuma8(b) => (b.into_raw(), 1),
        DynamicImage::ImageLumaA8(b) => (b.into_raw(), 2),
        DynamicImage::ImageRgb8(b) => (b.into_raw(), 3),
        DynamicImage::ImageRgba8(b) => (b.into_raw(), 4),
        DynamicImage::ImageLuma16(b) => (high(b.into_raw()), 1),
        DynamicImage::ImageLumaA16(b) => (high(b.into_raw()), 2),
        DynamicImage::ImageRgb16(b) => (high(b.into_raw()), 3),
        DynamicImage::ImageRgba16(b) => (high(b.into_raw()), 4),
        other if other.color().has_alpha() => (other.to_rgba8().into_raw(), 4),
        other => (other.to_rgb8().into_raw(), 3),
    };
    if w == 0 || h == 0 {
        return Err(Error::Io(format!(
            "image {} is empty ({w}x{h})",
            path.display()
        )));
    }
    Ok((data, h, w, c))
}

/// Converts interleaved pixels with `from` channels into planar CHW with `to` channels.
fn to_chw(data: &[u8], pixels: usize, from: usize, to: usize) -> Vec<u8> {
    let mut out = vec![0u8; to * pixels];
    for (p, px) in data.chunks_exact(from).enumerate().take(pixels) {
        // Grey and alpha views of the source pixel.
        let (y, rgb, alpha) = match from {
            1 => (px[0], [px[0]; 3], 255),
            2 => (px[0], [px[0]; 3], px[1]),
            3 => (luma(px[0], px[1], px[2]), [px[0], px[1], px[2]], 255),
            _ => (luma(px[0], px[1], px[2]), [px[0], px[1], px[2]], px[3]),
        };
        let values: &[u8] = match to {
            1 => &[y],
            2 => &[y, alpha],
            3 => &rgb,
            _ => &[rgb[0], rgb[1], rgb[2], alpha],
        };
        for (c, v) in values.iter().enumerate() {
            out[c * pixels + p] = *v;
        }
    }
    out
}

/// Resizes each channel plane of a CHW buffer independently with Catmull-Rom filtering (an
/// identical size is an exact copy).
fn resize_planes(
    planes: Vec<u8>,
    c: usize,
    (h, w): (usize, usize),
    (nh, nw): (usize, usize),
) -> Result<Vec<u8>> {
    if (h, w) == (nh, nw) {
        return Ok(planes);
    }
    let dim = |v: usize, what: &str| {
        u32::try_from(v).map_err(|_| Error::Argument(format!("{what} {v} is too large")))
    };
    let (w32, h32, nw32, nh32) = (
        dim(w, "image width")?,
        dim(h, "image height")?,
        dim(nw, "target width")?,
        dim(nh, "target height")?,
    );
    let mut out = Vec::with_capacity(c * nh * nw);
    for plane in planes.chunks_exact(h * w) {
        let img: ImageBuffer<Luma<u8>, Vec<u8>> =
            ImageBuffer::from_raw(w32, h32, plane.to_vec()).expect("plane length is h*w");
        let r = image::imageops::resize(&img, nw32, nh32, image::imageops::FilterType::CatmullRom);
        out.extend_from_slice(r.as_raw());
    }
    Ok(out)
}

/// Loads an image file as planar pixels: (data, channels, height, width).
fn load(
    path: &Path,
    mode: ImageMode,
    size: Option<(usize, usize)>,
) -> Result<(Vec<u8>, [usize; 3])> {
    if let Some((sh, sw)) = size {
        if sh == 0 || sw == 0 {
            return Err(Error::Argument(format!(
                "expected a target size (height, width) with both >= 1, got ({sh}, {sw})"
            )));
        }
    }
    let (data, h, w, native) = decode(path)?;
    let c = mode.channels().unwrap_or(native);
    let planes = to_chw(&data, h * w, native, c);
    match size {
        Some((nh, nw)) => Ok((resize_planes(planes, c, (h, w), (nh, nw))?, [c, nh, nw])),
        None => Ok((planes, [c, h, w])),
    }
}

/// Reads an image file (PNG, JPEG, BMP, TGA; detected from the content, else the extension) as a
/// u8 tensor `[C, H, W]`.
///
/// `mode` is one of the original's strings (`""` keeps the file's channels, `"Y"`, `"YA"`,
/// `"RGB"`, `"RGBA"`, case-insensitive). `size` = `Some((height, width))` resizes every channel.
/// A missing or undecodable file is an [`Error::Io`] (the original returns an empty tensor).
pub fn read_image(
    path: impl AsRef<Path>,
    mode: &str,
    size: Option<(usize, usize)>,
) -> Result<Tensor> {
    read_image_as(path, mode.parse()?, size)
}

/// [`read_image`] with a typed mode.
pub fn read_image_as(
    path: impl AsRef<Path>,
    mode: ImageMode,
    size: Option<(usize, usize)>,
) -> Result<Tensor> {
    let (data, shape) = load(path.as_ref(), mode, size)?;
    Tensor::from_vec(data, &shape)
}

/// [`read_image`] into a caller-provided u8 tensor, which must have exactly the resulting shape
/// `[C, H, W]` (the original writes without checking).
pub fn read_image_into(
    output: &Tensor,
    path: impl AsRef<Path>,
    mode: &str,
    size: Option<(usize, usize)>,
) -> Result<()> {
    crate::ops::require_cpu("read_image", &[output])?;
    output.expect_dtype(DType::U8, "an image output tensor")?;
    let (data, shape) = load(path.as_ref(), mode.parse()?, size)?;
    if output.shape() != shape {
        return Err(Error::Shape(format!(
            "expected an output tensor of shape {shape:?} for image {}, got {:?}",
            path.as_ref().display(),
            output.shape()
        )));
    }
    output.write::<u8>()?.copy_from_slice(&data);
    Ok(())
}

/// Writes a u8 `[C, H, W]` tensor (C = 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA) as an image file.
///
/// `format` is `"PNG"`, `"BMP"`, `"TGA"` or `"JPG"` (case-insensitive; the file name's extension
/// is not consulted). JPEG is written at quality 100 without alpha.
pub fn write_image(input: &Tensor, path: impl AsRef<Path>, format: &str) -> Result<()> {
    write_image_as(input, path, format.parse()?)
}

/// [`write_image`] with a typed format.
pub fn write_image_as(input: &Tensor, path: impl AsRef<Path>, format: ImageFormat) -> Result<()> {
    let path = path.as_ref();
    crate::ops::require_cpu("write_image", &[input])?;
    input.expect_dtype(DType::U8, "an image tensor")?;
    let &[c, h, w] = input.shape() else {
        return Err(Error::Shape(format!(
            "expected an image tensor of rank 3 [C, H, W], got shape {:?}",
            input.shape()
        )));
    };
    if !(1..=4).contains(&c) {
        return Err(Error::Shape(format!(
            "expected 1 to 4 image channels, got shape {:?}",
            input.shape()
        )));
    }
    let (w32, h32) = match (u32::try_from(w), u32::try_from(h)) {
        (Ok(a), Ok(b)) => (a, b),
        _ => {
            return Err(Error::Shape(format!(
                "image {w}x{h} is too large to encode"
            )))
        }
    };
    // JPEG has no alpha: keep the colour channels only, like the original's writer.
    let keep = if format == ImageFormat::Jpg {
        if c >= 3 {
            3
        } else {
            1
        }
    } else {
        c
    };
    let pixels = h * w;
    let mut hwc = vec![0u8; keep * pixels];
    {
        let src = input.read::<u8>()?;
        for ch in 0..keep {
            let plane = &src[ch * pixels..(ch + 1) * pixels];
            for (p, v) in plane.iter().enumerate() {
                hwc[p * keep + ch] = *v;
            }
        }
    }
    // The BMP encoder drops the alpha of grey+alpha pixels: store them as RGBA instead.
    let (hwc, keep) = if format == ImageFormat::Bmp && keep == 2 {
        let rgba = hwc
            .chunks_exact(2)
            .flat_map(|p| [p[0], p[0], p[0], p[1]])
            .collect::<Vec<u8>>();
        (rgba, 4)
    } else {
        (hwc, keep)
    };
    let color = match keep {
        1 => ExtendedColorType::L8,
        2 => ExtendedColorType::La8,
        3 => ExtendedColorType::Rgb8,
        _ => ExtendedColorType::Rgba8,
    };
    let file = std::fs::File::create(path)
        .map_err(|e| Error::Io(format!("cannot create image file {}: {e}", path.display())))?;
    let mut wr = std::io::BufWriter::new(file);
    let res = match format {
        ImageFormat::Png => {
            image::codecs::png::PngEncoder::new(&mut wr).write_image(&hwc, w32, h32, color)
        }
        ImageFormat::Bmp => {
            image::codecs::bmp::BmpEncoder::new(&mut wr).write_image(&hwc, w32, h32, color)
        }
        ImageFormat::Tga => {
            image::codecs::tga::TgaEncoder::new(&mut wr).write_image(&hwc, w32, h32, color)
        }
        ImageFormat::Jpg => image::codecs::jpeg::JpegEncoder::new_with_quality(&mut wr, 100)
            .write_image(&hwc, w32, h32, color),
    };
    res.map_err(|e| {
        Error::Io(format!(
            "cannot write {format:?} image {}: {e}",
            path.display()
        ))
    })?;
    use std::io::Write;
    wr.flush()
        .map_err(|e| Error::Io(format!("cannot write image file {}: {e}", path.display())))?;
    Ok(())
}
