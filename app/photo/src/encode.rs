//! Writing the normalised JPEG: baseline, 4:2:0, a JFIF header and nothing else.

use image::RgbImage;
use jpeg_encoder::{ChromaSubsamplingMethod, ColorType, Encoder};
use sha2::{Digest, Sha256};

use crate::PhotoError;

/// Encodes `picture` as a JPEG at `quality` (1–100). No EXIF, XMP or ICC segment is written.
pub(crate) fn encode_jpeg(picture: &RgbImage, quality: u8) -> Result<Vec<u8>, PhotoError> {
    let width = side_u16(picture.width())?;
    let height = side_u16(picture.height())?;

    let mut jpeg = Vec::with_capacity(picture.as_raw().len() / 8);
    let mut encoder = Encoder::new(&mut jpeg, quality);
    encoder.set_chroma_subsampling_method(ChromaSubsamplingMethod::Average);
    encoder
        .encode(picture.as_raw(), width, height, ColorType::Rgb)
        .map_err(|error| PhotoError::Encode { reason: error.to_string() })?;
    Ok(jpeg)
}

/// Lowercase hex SHA-256 of `bytes`.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// JPEG sides are 16-bit; the pipeline never produces more than a few thousand pixels.
fn side_u16(side: u32) -> Result<u16, PhotoError> {
    u16::try_from(side)
        .map_err(|_| PhotoError::Encode { reason: format!("side of {side} px is too long") })
}
