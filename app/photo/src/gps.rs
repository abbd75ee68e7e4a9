//! Where the photo was taken, from the EXIF GPS fields, or nothing.
//!
//! A position on a photo is used to check that a visit happened near the beneficiary's home,
//! so a wrong position is worse than none: anything doubtful is dropped, and a note says why.

use std::fmt;

use exif::{Exif, In, Rational, Tag, Value};

use crate::Note;

/// A validated position in decimal degrees (WGS 84, as GPS receivers report it).
///
/// `Debug` hides the numbers: a position near a home is personal data and must not end up in
/// a log line by accident.
#[derive(Clone, Copy, PartialEq)]
pub struct Gps {
    /// Latitude, positive north, within ±90.
    pub lat: f64,
    /// Longitude, positive east, within ±180.
    pub lon: f64,
    /// Altitude in metres above sea level, when the camera recorded a believable one.
    pub alt_m: Option<f64>,
}

impl fmt::Debug for Gps {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Gps(<redacted>)")
    }
}

/// Why a recorded position (or altitude) was not believed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GpsProblem {
    /// Latitude or longitude is there but not its other half, or not its N/S/E/W reference.
    Incomplete,
    /// The N/S or E/W reference is some other letter.
    BadReference,
    /// A value has the wrong type or the wrong number of parts.
    Malformed,
    /// A fraction has zero as its denominator.
    ZeroDenominator,
    /// Degrees beyond ±90/±180, minutes or seconds of 60 or more, or an impossible altitude.
    OutOfRange,
    /// The value works out to infinity or not-a-number.
    NotFinite,
    /// Exactly 0° 0′, the "null island" a receiver reports when it has no fix.
    NullIsland,
    /// The receiver itself flagged the measurement as void (GPSStatus "V").
    NoFix,
}

impl GpsProblem {
    /// A stable snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Incomplete => "incomplete",
            Self::BadReference => "bad_reference",
            Self::Malformed => "malformed",
            Self::ZeroDenominator => "zero_denominator",
            Self::OutOfRange => "out_of_range",
            Self::NotFinite => "not_finite",
            Self::NullIsland => "null_island",
            Self::NoFix => "no_fix",
        }
    }
}

impl fmt::Display for GpsProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Incomplete => "a part of it is missing",
            Self::BadReference => "its hemisphere letter is not N, S, E or W",
            Self::Malformed => "it is not written as degrees, minutes and seconds",
            Self::ZeroDenominator => "it contains a division by zero",
            Self::OutOfRange => "it is out of range",
            Self::NotFinite => "it is not a finite number",
            Self::NullIsland => "it is 0°N 0°E, which receivers report when they have no fix",
            Self::NoFix => "the receiver marked the measurement as void",
        })
    }
}

/// Latitude and longitude bounds, and the altitudes a phone can plausibly be at.
const MAX_LAT: f64 = 90.0;
const MAX_LON: f64 = 180.0;
const ALTITUDE_RANGE_M: std::ops::RangeInclusive<f64> = -1_000.0..=10_000.0;

/// The position in `exif`, if any, with notes about whatever was dropped.
pub(crate) fn read_gps(exif: &Exif, notes: &mut Vec<Note>) -> Option<Gps> {
    let has_position = [Tag::GPSLatitude, Tag::GPSLongitude]
        .iter()
        .any(|&tag| exif.get_field(tag, In::PRIMARY).is_some());
    if !has_position {
        return None;
    }

    match position(exif) {
        Ok((lat, lon)) => Some(Gps { lat, lon, alt_m: altitude(exif, notes) }),
        Err(problem) => {
            notes.push(Note::GpsDropped(problem));
            None
        }
    }
}

/// Latitude and longitude, both checked, and together not null island.
fn position(exif: &Exif) -> Result<(f64, f64), GpsProblem> {
    if ascii_letter(exif, Tag::GPSStatus) == Some(b'V') {
        return Err(GpsProblem::NoFix);
    }

    let lat = coordinate(exif, Tag::GPSLatitude, Tag::GPSLatitudeRef, (b'N', b'S'), MAX_LAT)?;
    let lon = coordinate(exif, Tag::GPSLongitude, Tag::GPSLongitudeRef, (b'E', b'W'), MAX_LON)?;
    if lat == 0.0 && lon == 0.0 {
        return Err(GpsProblem::NullIsland);
    }
    Ok((lat, lon))
}

/// One signed coordinate from its degrees/minutes/seconds field and its hemisphere letter.
fn coordinate(
    exif: &Exif,
    value_tag: Tag,
    reference_tag: Tag,
    (positive, negative): (u8, u8),
    max: f64,
) -> Result<f64, GpsProblem> {
    let field = exif.get_field(value_tag, In::PRIMARY).ok_or(GpsProblem::Incomplete)?;
    let degrees = degrees_from_dms(&field.value)?;
    if degrees > max {
        return Err(GpsProblem::OutOfRange);
    }

    match ascii_letter(exif, reference_tag) {
        Some(letter) if letter == positive => Ok(degrees),
        Some(letter) if letter == negative => Ok(-degrees),
        Some(_) => Err(GpsProblem::BadReference),
        None => Err(GpsProblem::Incomplete),
    }
}

/// Degrees + minutes/60 + seconds/3600. Minutes may be fractional (many phones write
/// 30/1, 1234/100, 0/1); fewer than three parts count the missing ones as zero.
fn degrees_from_dms(value: &Value) -> Result<f64, GpsProblem> {
    let Value::Rational(parts) = value else {
        return Err(GpsProblem::Malformed);
    };
    if parts.is_empty() || parts.len() > 3 {
        return Err(GpsProblem::Malformed);
    }

    let parts = parts.iter().map(to_finite).collect::<Result<Vec<_>, _>>()?;
    let minutes = parts.get(1).copied().unwrap_or(0.0);
    let seconds = parts.get(2).copied().unwrap_or(0.0);
    if minutes >= 60.0 || seconds >= 60.0 {
        return Err(GpsProblem::OutOfRange);
    }
    Ok(parts[0] + minutes / 60.0 + seconds / 3600.0)
}

/// A rational as a finite float, refusing zero denominators.
fn to_finite(rational: &Rational) -> Result<f64, GpsProblem> {
    if rational.denom == 0 {
        return Err(GpsProblem::ZeroDenominator);
    }
    let value = rational.to_f64();
    if value.is_finite() { Ok(value) } else { Err(GpsProblem::NotFinite) }
}

/// Altitude in metres, signed by GPSAltitudeRef (1 = below sea level), or a note.
fn altitude(exif: &Exif, notes: &mut Vec<Note>) -> Option<f64> {
    let field = exif.get_field(Tag::GPSAltitude, In::PRIMARY)?;
    match signed_altitude(exif, &field.value) {
        Ok(metres) => Some(metres),
        Err(problem) => {
            notes.push(Note::AltitudeDropped(problem));
            None
        }
    }
}

/// The altitude value checked for shape, denominator and plausibility.
fn signed_altitude(exif: &Exif, value: &Value) -> Result<f64, GpsProblem> {
    let Value::Rational(parts) = value else {
        return Err(GpsProblem::Malformed);
    };
    let [metres] = parts.as_slice() else {
        return Err(GpsProblem::Malformed);
    };

    let below_sea_level =
        exif.get_field(Tag::GPSAltitudeRef, In::PRIMARY).and_then(|field| field.value.get_uint(0))
            == Some(1);
    let metres = to_finite(metres)?;
    let metres = if below_sea_level { -metres } else { metres };
    if ALTITUDE_RANGE_M.contains(&metres) { Ok(metres) } else { Err(GpsProblem::OutOfRange) }
}

/// The first letter of an ASCII field, upper-cased.
fn ascii_letter(exif: &Exif, tag: Tag) -> Option<u8> {
    let field = exif.get_field(tag, In::PRIMARY)?;
    let Value::Ascii(strings) = &field.value else {
        return None;
    };
    strings.first()?.first().map(u8::to_ascii_uppercase)
}
