//! Fixtures and helpers shared by the photo tests: loading the real photos, decoding output
//! for comparison, walking JPEG segments, and forging EXIF or damage onto a photo.

use std::io::Cursor;
use std::path::PathBuf;

use exif::experimental::Writer;
use exif::{Field, In, Rational, Tag, Value};
use peihu_photo::{Limits, Normalised, PhotoError, normalise};
use zune_core::bytestream::ZCursor;
use zune_core::colorspace::ColorSpace;
use zune_core::options::DecoderOptions;
use zune_jpeg::JpegDecoder;

pub fn fixtures_dir() -> PathBuf {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/photos"));
    assert!(
        dir.is_dir(),
        "the photo fixtures in ../shared/data/photos are missing (looked for {}); \
         these tests need the real photos and cannot run without them",
        dir.display()
    );
    dir
}

pub fn fixture(name: &str) -> Vec<u8> {
    let path = fixtures_dir().join(name);
    std::fs::read(&path).unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
}

pub fn expected() -> serde_json::Value {
    serde_json::from_slice(&fixture("expected.json")).expect("expected.json is valid JSON")
}

pub fn normalised(name: &str) -> Normalised {
    normalise(&fixture(name), &Limits::default())
        .unwrap_or_else(|error| panic!("{name} was refused: {error}"))
}

pub fn refusal(bytes: &[u8]) -> PhotoError {
    match normalise(bytes, &Limits::default()) {
        Ok(photo) => panic!("expected a refusal, got {photo:?}"),
        Err(error) => error,
    }
}

/// A greyscale picture decoded from JPEG bytes, for comparing what people would see.
pub struct Grey {
    pub width: usize,
    pub height: usize,
    pub pixels: Vec<u8>,
}

impl Grey {
    pub fn from_jpeg(jpeg: &[u8]) -> Grey {
        let options = DecoderOptions::default().jpeg_set_out_colorspace(ColorSpace::Luma);
        let mut decoder = JpegDecoder::new_with_options(ZCursor::new(jpeg), options);
        let pixels = decoder.decode().expect("test JPEG decodes");
        let (width, height) = decoder.dimensions().expect("dimensions after decode");
        Grey { width, height, pixels }
    }

    /// The same picture seen in a mirror (left and right swapped).
    pub fn mirrored(&self) -> Grey {
        let pixels = self.pixels.chunks(self.width).flat_map(|row| row.iter().rev()).copied();
        Grey { width: self.width, height: self.height, pixels: pixels.collect() }
    }

    /// The same picture upside down (top and bottom swapped, left and right kept).
    pub fn flipped(&self) -> Grey {
        let pixels = self.pixels.chunks(self.width).rev().flatten().copied();
        Grey { width: self.width, height: self.height, pixels: pixels.collect() }
    }

    /// The same picture turned half a turn.
    pub fn half_turned(&self) -> Grey {
        let pixels = self.pixels.iter().rev().copied();
        Grey { width: self.width, height: self.height, pixels: pixels.collect() }
    }

    /// Mean absolute grey-level difference; both pictures must be the same size.
    pub fn mean_difference(&self, other: &Grey) -> f64 {
        assert_eq!((self.width, self.height), (other.width, other.height), "sizes differ");
        let total: u64 =
            self.pixels.iter().zip(&other.pixels).map(|(a, b)| u64::from(a.abs_diff(*b))).sum();
        total as f64 / self.pixels.len() as f64
    }
}

/// The JPEG segments before the image data, as (marker, payload) pairs.
pub fn jpeg_header_segments(jpeg: &[u8]) -> Vec<(u8, &[u8])> {
    assert_eq!(&jpeg[..2], &[0xFF, 0xD8], "not a JPEG");
    let mut segments = Vec::new();
    let mut at = 2;
    while at + 4 <= jpeg.len() && jpeg[at] == 0xFF {
        let marker = jpeg[at + 1];
        let length = usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]));
        segments.push((marker, &jpeg[at + 4..at + 2 + length]));
        if marker == 0xDA {
            break;
        }
        at += 2 + length;
    }
    segments
}

pub fn has_exif_segment(jpeg: &[u8]) -> bool {
    jpeg_header_segments(jpeg)
        .iter()
        .any(|(marker, payload)| *marker == 0xE1 && payload.starts_with(b"Exif\0\0"))
}

/// Offset of the SOF0/SOF2 segment's payload, where height and width are written.
pub fn frame_header_offset(jpeg: &[u8]) -> usize {
    let mut at = 2;
    loop {
        let marker = jpeg[at + 1];
        if marker == 0xC0 || marker == 0xC2 {
            return at + 4;
        }
        at += 2 + usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]));
    }
}

/// Offset of the first byte of entropy-coded data, just after the SOS segment.
pub fn scan_data_offset(jpeg: &[u8]) -> usize {
    let mut at = 2;
    loop {
        let marker = jpeg[at + 1];
        let length = usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]));
        if marker == 0xDA {
            return at + 2 + length;
        }
        at += 2 + length;
    }
}

/// `jpeg` with an APP1 EXIF segment holding `fields` inserted right after SOI.
pub fn with_exif(jpeg: &[u8], fields: &[Field]) -> Vec<u8> {
    let mut writer = Writer::new();
    for field in fields {
        writer.push_field(field);
    }
    let mut tiff = Cursor::new(Vec::new());
    writer.write(&mut tiff, false).expect("EXIF writes");

    let mut payload = b"Exif\0\0".to_vec();
    payload.extend(tiff.into_inner());
    let length = u16::try_from(payload.len() + 2).expect("small EXIF block");

    let mut out = jpeg[..2].to_vec();
    out.extend([0xFF, 0xE1]);
    out.extend(length.to_be_bytes());
    out.extend(payload);
    out.extend(&jpeg[2..]);
    out
}

/// A plain JPEG with no metadata at all, to forge EXIF onto.
pub fn plain_jpeg() -> Vec<u8> {
    normalised("landscape_1.jpg").jpeg
}

pub fn ascii(tag: Tag, text: &str) -> Field {
    Field { tag, ifd_num: In::PRIMARY, value: Value::Ascii(vec![text.as_bytes().to_vec()]) }
}

pub fn rationals(tag: Tag, parts: &[(u32, u32)]) -> Field {
    let parts = parts.iter().map(|&(num, denom)| Rational { num, denom }).collect();
    Field { tag, ifd_num: In::PRIMARY, value: Value::Rational(parts) }
}

/// GPS fields for a position given as (degrees, minutes, seconds) rationals and refs.
pub fn position_fields(
    lat: &[(u32, u32)],
    lat_ref: &str,
    lon: &[(u32, u32)],
    lon_ref: &str,
) -> Vec<Field> {
    vec![
        rationals(Tag::GPSLatitude, lat),
        ascii(Tag::GPSLatitudeRef, lat_ref),
        rationals(Tag::GPSLongitude, lon),
        ascii(Tag::GPSLongitudeRef, lon_ref),
    ]
}

/// Latitude 39° 54.5′ N, longitude 116° 23′ 30″ E, a valid position used as a base.
pub const GOOD_LAT: [(u32, u32); 3] = [(39, 1), (545, 10), (0, 1)];
pub const GOOD_LON: [(u32, u32); 3] = [(116, 1), (23, 1), (30, 1)];

pub fn forged(fields: &[Field]) -> Normalised {
    normalise(&with_exif(&plain_jpeg(), fields), &Limits::default()).expect("forged photo decodes")
}

pub fn assert_near(actual: f64, expected: f64, tolerance: f64, what: &str) {
    assert!(
        (actual - expected).abs() <= tolerance,
        "{what}: got {actual}, expected {expected} ± {tolerance}"
    );
}

/// `jpeg` with `length` bytes of entropy-coded data, `offset` bytes into the scan, XORed with
/// 0x55 (no byte is made into or out of 0xFF, so no marker appears or vanishes).
pub fn with_flipped_bits(jpeg: &[u8], offset: usize, length: usize) -> Vec<u8> {
    let mut damaged = jpeg.to_vec();
    let start = scan_data_offset(jpeg) + offset;
    for byte in &mut damaged[start..start + length] {
        if *byte != 0xFF && *byte ^ 0x55 != 0xFF {
            *byte ^= 0x55;
        }
    }
    damaged
}

pub fn lenient_decoder_accepts(jpeg: &[u8]) -> bool {
    let lenient = DecoderOptions::default().set_strict_mode(false);
    JpegDecoder::new_with_options(ZCursor::new(jpeg), lenient).decode().is_ok()
}

pub fn refusal_or_none(bytes: &[u8]) -> Option<PhotoError> {
    normalise(bytes, &Limits::default()).err()
}
