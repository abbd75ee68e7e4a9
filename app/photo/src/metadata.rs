//! What the camera wrote about the photo: orientation, capture time and position.
//!
//! The EXIF block is read once, the few facts we need are taken out and checked, and the block
//! itself is never copied into the output. A damaged EXIF block does not refuse the photo (the
//! pixels are what matter); it leaves a note instead.

use std::fmt;
use std::io::Cursor;

use chrono::NaiveDateTime;
use exif::{Exif, In, Reader, Tag, Value};
use image::metadata::Orientation;

use crate::gps::{Gps, GpsProblem, read_gps};

/// When the photo was taken, as the camera's clock read it (EXIF DateTimeOriginal).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureTime {
    /// The text as written, for example `2019:06:01 14:03:59`.
    pub text: String,
    /// The same, parsed; `None` when the text is not a valid date and time. It has no time
    /// zone: it is the camera's local clock.
    pub local: Option<NaiveDateTime>,
}

/// Something about the photo's metadata that was not used, and why. Notes never quote the
/// values themselves, so they are safe to log and show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Note {
    /// The EXIF block could not be read at all; no time, position or orientation was used.
    ExifUnreadable,
    /// Part of the EXIF block could not be read; what could be read was used.
    ExifPartlyUnreadable,
    /// The orientation tag has a value outside 1–8; the photo was left as stored.
    OrientationInvalid,
    /// The capture time is not a date and time we can read.
    CaptureTimeUnparsed,
    /// The position was not believed and was not kept.
    GpsDropped(GpsProblem),
    /// The position was kept but its altitude was not believed.
    AltitudeDropped(GpsProblem),
}

impl Note {
    /// A stable snake_case code for the UI.
    pub fn code(&self) -> String {
        match self {
            Self::ExifUnreadable => "exif_unreadable".to_owned(),
            Self::ExifPartlyUnreadable => "exif_partly_unreadable".to_owned(),
            Self::OrientationInvalid => "orientation_invalid".to_owned(),
            Self::CaptureTimeUnparsed => "capture_time_unparsed".to_owned(),
            Self::GpsDropped(problem) => format!("gps_dropped_{}", problem.code()),
            Self::AltitudeDropped(problem) => format!("altitude_dropped_{}", problem.code()),
        }
    }
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ExifUnreadable => f.write_str("the photo's EXIF metadata could not be read"),
            Self::ExifPartlyUnreadable => {
                f.write_str("part of the photo's EXIF metadata could not be read")
            }
            Self::OrientationInvalid => {
                f.write_str("the orientation tag is invalid; the photo was left as stored")
            }
            Self::CaptureTimeUnparsed => f.write_str("the capture time could not be read"),
            Self::GpsDropped(problem) => write!(f, "GPS position dropped: {problem}"),
            Self::AltitudeDropped(problem) => write!(f, "GPS altitude dropped: {problem}"),
        }
    }
}

/// The facts taken from the EXIF block.
#[derive(Debug, Default)]
pub(crate) struct Facts {
    pub(crate) orientation: Option<Orientation>,
    pub(crate) captured_at: Option<CaptureTime>,
    pub(crate) gps: Option<Gps>,
    pub(crate) notes: Vec<Note>,
}

/// Reads the EXIF block of a JPEG or PNG, if it has one.
pub(crate) fn read_facts(bytes: &[u8]) -> Facts {
    let mut facts = Facts::default();
    let Some(exif) = read_exif(bytes, &mut facts.notes) else {
        return facts;
    };

    facts.orientation = orientation(&exif, &mut facts.notes);
    facts.captured_at = capture_time(&exif, &mut facts.notes);
    facts.gps = read_gps(&exif, &mut facts.notes);
    facts
}

/// The parsed EXIF block; a missing block is normal, a broken one earns a note.
fn read_exif(bytes: &[u8], notes: &mut Vec<Note>) -> Option<Exif> {
    let mut reader = Reader::new();
    reader.continue_on_error(true);

    match reader.read_from_container(&mut Cursor::new(bytes)) {
        Ok(exif) => Some(exif),
        Err(exif::Error::NotFound(_)) => None,
        Err(error) => {
            let partial = error.distill_partial_result(|_| notes.push(Note::ExifPartlyUnreadable));
            if partial.is_err() {
                notes.push(Note::ExifUnreadable);
            }
            partial.ok()
        }
    }
}

/// The EXIF orientation (1–8), or a note when the tag holds something else.
fn orientation(exif: &Exif, notes: &mut Vec<Note>) -> Option<Orientation> {
    let field = exif.get_field(Tag::Orientation, In::PRIMARY)?;
    let found = field
        .value
        .get_uint(0)
        .and_then(|value| u8::try_from(value).ok())
        .and_then(Orientation::from_exif);
    if found.is_none() {
        notes.push(Note::OrientationInvalid);
    }
    found
}

/// Longest capture-time text kept; the standard form is 19 characters.
const MAX_TIME_TEXT: usize = 32;

/// DateTimeOriginal as text and, where it parses, as a date and time.
fn capture_time(exif: &Exif, notes: &mut Vec<Note>) -> Option<CaptureTime> {
    let field = exif.get_field(Tag::DateTimeOriginal, In::PRIMARY)?;
    let Some(text) = clean_text(&field.value) else {
        notes.push(Note::CaptureTimeUnparsed);
        return None;
    };
    if text.is_empty() {
        return None;
    }

    let local = parse_local(&text);
    if local.is_none() {
        notes.push(Note::CaptureTimeUnparsed);
    }
    Some(CaptureTime { text, local })
}

/// The first ASCII string of `value`, trimmed; `None` if it is not short printable ASCII.
fn clean_text(value: &Value) -> Option<String> {
    let Value::Ascii(strings) = value else {
        return None;
    };
    let raw = strings.first().map(Vec::as_slice).unwrap_or_default();
    let text =
        std::str::from_utf8(raw).ok()?.trim_matches(|c: char| c == '\0' || c.is_whitespace());

    let printable = text.chars().all(|c| c.is_ascii_graphic() || c == ' ');
    (printable && text.len() <= MAX_TIME_TEXT).then(|| text.to_owned())
}

/// The EXIF form `YYYY:MM:DD HH:MM:SS`, also accepting dashes, which some apps write.
fn parse_local(text: &str) -> Option<NaiveDateTime> {
    ["%Y:%m:%d %H:%M:%S", "%Y-%m-%d %H:%M:%S"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
}
