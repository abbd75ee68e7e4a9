//! China Standard Time (UTC+8, no daylight saving) for every calendar question.
//!
//! Duty periods and daily records belong to days in China, whatever zone the device is set to,
//! so nothing here reads the local zone.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeZone, Utc};

/// UTC+8.
pub fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// The instant `ms` (Unix milliseconds) as a China date-time. Out-of-range instants clamp to the
/// Unix epoch rather than panic: a badly wrong device clock must not crash anything.
pub fn china_time(ms: i64) -> DateTime<FixedOffset> {
    let utc = Utc.timestamp_millis_opt(ms).single().unwrap_or_default();
    utc.with_timezone(&china())
}

/// The China calendar date of the instant `ms`.
pub fn china_date(ms: i64) -> NaiveDate {
    china_time(ms).date_naive()
}

/// Midnight at the start of `date` in China, as Unix milliseconds.
pub fn start_of_china_day(date: NaiveDate) -> i64 {
    let midnight = date.and_hms_opt(0, 0, 0).expect("midnight exists");
    china().from_local_datetime(&midnight).single().expect("UTC+8 has no gaps").timestamp_millis()
}

/// `YYYY-MM-DD` for the China date of `ms`.
pub fn day_key(ms: i64) -> String {
    china_date(ms).format("%Y-%m-%d").to_string()
}

/// A date-time as Chinese readers expect it: `2026年12月4日 08:30`.
pub fn format_zh(ms: i64) -> String {
    let t = china_time(ms);
    format!("{}年{}月{}日 {}", t.year(), t.month(), t.day(), t.format("%H:%M"))
}
