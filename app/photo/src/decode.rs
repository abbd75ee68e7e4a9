//! Turning accepted bytes into RGB pixels, strictly.
//!
//! JPEG goes straight to `zune-jpeg` in strict mode. The `image` crate wraps the same decoder
//! but always switches strict mode off, and then a JPEG with damaged entropy data decodes
//! "successfully" into grey or smeared blocks; for evidence we would rather refuse it. Strict
//! mode catches misplaced markers and data that runs out; the walk in `entropy` catches
//! most damage inside the Huffman-coded data, which strict mode does not look for. PNG goes
//! through the `image` crate with its limits set. Transparency is flattened onto white so the
//! result is plain RGB whatever came in.

use std::io::{Cursor, ErrorKind};

use image::{DynamicImage, ImageError, ImageFormat, ImageReader, RgbImage, RgbaImage};
use zune_core::bytestream::ZCursor;
use zune_core::colorspace::ColorSpace;
use zune_core::options::DecoderOptions;
use zune_jpeg::JpegDecoder;
use zune_jpeg::errors::DecodeErrors;

use crate::{Limits, PhotoError, SourceFormat, entropy};

/// Decodes `bytes` of a sniffed `format` into RGB, within `limits`.
pub(crate) fn decode(
    bytes: &[u8],
    format: SourceFormat,
    limits: &Limits,
) -> Result<RgbImage, PhotoError> {
    match format {
        SourceFormat::Jpeg => decode_jpeg(bytes, limits),
        SourceFormat::Png => decode_png(bytes, limits),
    }
}

/// Strict JPEG decode: headers first, limits checked, then the pixels.
fn decode_jpeg(bytes: &[u8], limits: &Limits) -> Result<RgbImage, PhotoError> {
    let options = DecoderOptions::default()
        .set_strict_mode(true)
        .set_max_width(limits.max_side as usize)
        .set_max_height(limits.max_side as usize)
        .jpeg_set_out_colorspace(ColorSpace::RGB);
    let mut decoder = JpegDecoder::new_with_options(ZCursor::new(bytes), options);

    decoder.decode_headers().map_err(jpeg_error)?;
    let (width, height) = decoder.dimensions().ok_or(PhotoError::Truncated)?;
    let (width, height) = (to_u32(width)?, to_u32(height)?);
    limits.check_dimensions(width, height, 3)?;
    entropy::check(bytes)?;

    let pixels = decoder.decode().map_err(jpeg_error)?;
    RgbImage::from_raw(width, height, pixels).ok_or_else(|| PhotoError::Corrupt {
        reason: "the decoder returned fewer pixels than the header declares".to_owned(),
    })
}

/// Sorts a `zune-jpeg` error into the reason a person is given.
fn jpeg_error(error: DecodeErrors) -> PhotoError {
    match error {
        DecodeErrors::ExhaustedData | DecodeErrors::IoErrors(_) => PhotoError::Truncated,
        DecodeErrors::IllegalMagicBytes(_) => PhotoError::NotAnImage,
        DecodeErrors::Unsupported(_) => {
            PhotoError::Unsupported { format: "JPEG (arithmetic or lossless coding)" }
        }
        other => PhotoError::Corrupt { reason: other.to_string() },
    }
}

/// A JPEG side is at most 65,535 pixels, so this only fails on a decoder fault.
fn to_u32(side: usize) -> Result<u32, PhotoError> {
    u32::try_from(side)
        .map_err(|_| PhotoError::Corrupt { reason: "impossible image dimensions".to_owned() })
}

/// PNG decode through the `image` crate, limits enforced before and during decoding.
fn decode_png(bytes: &[u8], limits: &Limits) -> Result<RgbImage, PhotoError> {
    let (width, height) = png_dimensions(bytes)?;
    limits.check_dimensions(width, height, 3)?;

    let mut reader = ImageReader::with_format(Cursor::new(bytes), ImageFormat::Png);
    reader.limits(limits.for_image_crate());
    let picture = reader.decode().map_err(|error| image_error(error, limits))?;
    Ok(flatten_on_white(picture))
}

/// Width and height from the IHDR chunk, which the PNG standard places first.
fn png_dimensions(bytes: &[u8]) -> Result<(u32, u32), PhotoError> {
    let header = bytes.get(8..24).ok_or(PhotoError::Truncated)?;
    if &header[4..8] != b"IHDR" {
        return Err(PhotoError::Corrupt { reason: "the PNG does not start with IHDR".to_owned() });
    }
    let width = u32::from_be_bytes([header[8], header[9], header[10], header[11]]);
    let height = u32::from_be_bytes([header[12], header[13], header[14], header[15]]);
    Ok((width, height))
}

/// Sorts an `image` crate error into the reason a person is given.
fn image_error(error: ImageError, limits: &Limits) -> PhotoError {
    match error {
        ImageError::IoError(io) if io.kind() == ErrorKind::UnexpectedEof => PhotoError::Truncated,
        ImageError::Limits(_) => PhotoError::MemoryLimit { limit: limits.max_alloc },
        ImageError::Unsupported(_) => PhotoError::Unsupported { format: "PNG variant" },
        other => PhotoError::Corrupt { reason: other.to_string() },
    }
}

/// Plain RGB: pixels with alpha are composited onto white, others converted as they are.
fn flatten_on_white(picture: DynamicImage) -> RgbImage {
    if picture.color().has_alpha() {
        composite_on_white(&picture.into_rgba8())
    } else {
        picture.into_rgb8()
    }
}

/// Each pixel blended with white in proportion to its transparency.
fn composite_on_white(rgba: &RgbaImage) -> RgbImage {
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        image::Rgb([over_white(r, a), over_white(g, a), over_white(b, a)])
    })
}

/// One channel `value` with opacity `alpha` laid over white, rounded to nearest.
fn over_white(value: u8, alpha: u8) -> u8 {
    let (value, alpha) = (u32::from(value), u32::from(alpha));
    let blended = (value * alpha + 255 * (255 - alpha) + 127) / 255;
    blended as u8
}
