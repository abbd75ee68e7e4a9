//! Device-side photo normalisation for Peihu.
//!
//! Photos taken on visits and escort shifts are evidence that supervisors rely on, so every
//! photo goes through [`normalise`] before it is stored or synced. It takes the bytes a camera
//! or gallery handed over and returns one predictable JPEG, or a [`PhotoError`] saying in plain
//! words (English and Chinese) why the photo cannot be used. It does no I/O of its own: bytes
//! in, bytes out, so the headless client, the Tauri app and the tests share it.
//!
//! What happens, in order:
//!
//! 1. Refuse anything over [`Limits::max_input_bytes`] unread.
//! 2. Recognise the format by its first bytes: JPEG and PNG go on; HEIF gets an answer that
//!    tells the helper how to change the camera setting; other formats are refused by name.
//! 3. Check the declared dimensions against [`Limits`] before decoding, so a decompression
//!    bomb never allocates.
//! 4. Decode strictly: a truncated file or damaged JPEG entropy data is refused rather than
//!    stored as grey or garbled blocks. For baseline JPEG (what cameras write) every Huffman
//!    symbol is walked independently of the decoder, so bit damage that decoders paper over is
//!    caught too, except damage the code recovers from within a few blocks (see
//!    `entropy.rs`). Transparency is flattened onto white.
//! 5. Read the EXIF facts: orientation, capture time, GPS position. Doubtful values are dropped
//!    with a [`Note`] saying why; they are never stored.
//! 6. Shrink so the long edge is at most [`MAX_LONG_EDGE`] (never enlarge), turn the picture
//!    upright, and encode a JPEG at [`JPEG_QUALITY`] plus a thumbnail of [`THUMBNAIL_LONG_EDGE`].
//!    The output carries no EXIF at all: the facts travel as fields of [`Normalised`].
//! 7. Name the photo by the SHA-256 of the normalised JPEG.
//!
//! The same input gives the same bytes, and so the same hash, every time it is normalised with
//! the same build on the same kind of processor. Different processors may pick different SIMD
//! paths in the decoder, resizer and encoder and can differ in the last bit of a few pixels, so
//! the hash identifies the stored file, not the scene.
//!
//! ```
//! use std::io::Cursor;
//!
//! // A 3000×1000 PNG, as a screenshot might be.
//! let mut png = Vec::new();
//! image::RgbImage::from_pixel(3000, 1000, image::Rgb([200, 120, 40]))
//!     .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)?;
//!
//! let photo = peihu_photo::normalise(&png, &peihu_photo::Limits::default())?;
//! assert_eq!((photo.width, photo.height), (2048, 683));
//! assert_eq!(photo.sha256.len(), 64);
//! assert!(photo.gps.is_none());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod decode;
mod encode;
mod entropy;
mod error;
mod format;
mod gps;
mod limits;
mod metadata;
mod resize;

use std::fmt;

pub use error::PhotoError;
pub use format::SourceFormat;
pub use gps::{Gps, GpsProblem};
pub use limits::Limits;
pub use metadata::{CaptureTime, Note};

/// Longest side of the normalised photo, in pixels.
pub const MAX_LONG_EDGE: u32 = 2048;

/// Longest side of the thumbnail, in pixels.
pub const THUMBNAIL_LONG_EDGE: u32 = 320;

/// JPEG quality of the normalised photo.
pub const JPEG_QUALITY: u8 = 82;

/// JPEG quality of the thumbnail, which is only ever seen small.
pub const THUMBNAIL_QUALITY: u8 = 75;

/// A photo ready to store: clean JPEG bytes, a thumbnail, and the facts read from its EXIF.
///
/// `Debug` shows sizes, the hash and whether a position is present, never the position.
#[derive(Clone, PartialEq)]
pub struct Normalised {
    /// The normalised photo: baseline JPEG, upright, no metadata segments.
    pub jpeg: Vec<u8>,
    /// A small JPEG of the same picture for lists and previews.
    pub thumbnail: Vec<u8>,
    /// Width of `jpeg` in pixels, after orientation.
    pub width: u32,
    /// Height of `jpeg` in pixels, after orientation.
    pub height: u32,
    /// Lowercase hex SHA-256 of `jpeg`: the photo's id.
    pub sha256: String,
    /// The format the photo arrived in.
    pub source_format: SourceFormat,
    /// When the camera says the photo was taken.
    pub captured_at: Option<CaptureTime>,
    /// Where the camera says the photo was taken, if that survived validation.
    pub gps: Option<Gps>,
    /// Metadata that was present but not used, and why.
    pub notes: Vec<Note>,
}

impl fmt::Debug for Normalised {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Normalised")
            .field("jpeg_bytes", &self.jpeg.len())
            .field("thumbnail_bytes", &self.thumbnail.len())
            .field("width", &self.width)
            .field("height", &self.height)
            .field("sha256", &self.sha256)
            .field("source_format", &self.source_format)
            .field("captured_at", &self.captured_at)
            .field("has_gps", &self.gps.is_some())
            .field("notes", &self.notes)
            .finish()
    }
}

/// Normalises one photo, or says why it cannot be used. See the crate documentation for the
/// steps.
pub fn normalise(bytes: &[u8], limits: &Limits) -> Result<Normalised, PhotoError> {
    limits.check_input(bytes)?;
    let source_format = format::sniff(bytes)?;

    let decoded = decode::decode(bytes, source_format, limits)?;
    let facts = metadata::read_facts(bytes);

    // The full-size decode is dropped as soon as the shrunk copy exists, to keep peak memory
    // near one decoded picture.
    let shrunk = resize::shrink(&decoded, MAX_LONG_EDGE)?.unwrap_or(decoded);
    let picture = resize::upright(shrunk, facts.orientation);

    let jpeg = encode::encode_jpeg(&picture, JPEG_QUALITY)?;
    let small = resize::shrink(&picture, THUMBNAIL_LONG_EDGE)?;
    let thumbnail = encode::encode_jpeg(small.as_ref().unwrap_or(&picture), THUMBNAIL_QUALITY)?;

    Ok(Normalised {
        sha256: encode::sha256_hex(&jpeg),
        jpeg,
        thumbnail,
        width: picture.width(),
        height: picture.height(),
        source_format,
        captured_at: facts.captured_at,
        gps: facts.gps,
        notes: facts.notes,
    })
}
