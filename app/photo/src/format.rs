//! Telling formats apart by their first bytes, never by the file name.

use crate::PhotoError;

/// A format this crate decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    /// JPEG, what phone cameras write.
    Jpeg,
    /// PNG, what phones write for screenshots.
    Png,
}

/// Brands in an ISO-BMFF `ftyp` box that mean a HEIF still image.
const HEIF_BRANDS: [&[u8; 4]; 10] =
    [b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1"];

/// Brands in an ISO-BMFF `ftyp` box that mean AVIF.
const AVIF_BRANDS: [&[u8; 4]; 2] = [b"avif", b"avis"];

/// Recognises the format, or says why the bytes will not be decoded.
pub(crate) fn sniff(bytes: &[u8]) -> Result<SourceFormat, PhotoError> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(SourceFormat::Jpeg);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok(SourceFormat::Png);
    }
    if let Some(brands) = ftyp_brands(bytes) {
        return Err(refuse_iso_media(&brands));
    }
    match other_image_format(bytes) {
        Some(format) => Err(PhotoError::Unsupported { format }),
        None => Err(PhotoError::NotAnImage),
    }
}

/// The major and compatible brands of an ISO-BMFF file (HEIF, AVIF, MP4, MOV), if it is one.
fn ftyp_brands(bytes: &[u8]) -> Option<Vec<[u8; 4]>> {
    if bytes.len() < 16 || &bytes[4..8] != b"ftyp" {
        return None;
    }

    // The box size bounds the brand list; a lying size is clamped to what is there.
    let declared = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize;
    let end = declared.clamp(16, bytes.len().min(256));
    let major = [bytes[8], bytes[9], bytes[10], bytes[11]];
    let compatible = bytes[16..end].chunks_exact(4).map(|c| [c[0], c[1], c[2], c[3]]);
    Some(std::iter::once(major).chain(compatible).collect())
}

/// The refusal for an ISO-BMFF file: HEIF gets its own answer, AVIF and video theirs.
fn refuse_iso_media(brands: &[[u8; 4]]) -> PhotoError {
    let has = |set: &[&[u8; 4]]| brands.iter().any(|brand| set.contains(&brand));
    if has(&AVIF_BRANDS) {
        PhotoError::Unsupported { format: "AVIF" }
    } else if has(&HEIF_BRANDS) {
        PhotoError::Heif
    } else {
        PhotoError::Unsupported { format: "video (MP4/MOV)" }
    }
}

/// Picture formats people might send that we recognise but do not decode.
fn other_image_format(bytes: &[u8]) -> Option<&'static str> {
    let is_webp = bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP";
    if is_webp {
        Some("WebP")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("GIF")
    } else if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        Some("TIFF")
    } else if is_bmp(bytes) {
        Some("BMP")
    } else {
        None
    }
}

/// A BMP starts with "BM" and, 14 bytes in, the size of one of the known info headers.
fn is_bmp(bytes: &[u8]) -> bool {
    if !bytes.starts_with(b"BM") || bytes.len() < 18 {
        return false;
    }
    let info_size = u32::from_le_bytes([bytes[14], bytes[15], bytes[16], bytes[17]]);
    matches!(info_size, 12 | 40 | 52 | 56 | 64 | 108 | 124)
}
