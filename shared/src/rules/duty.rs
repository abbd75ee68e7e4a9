//! Which home visits are due and overdue (三色 duty: red daily, yellow weekly, blue monthly).
//!
//! Periods are China calendar days, ISO weeks (Monday to Sunday) and calendar months. A visit
//! done at any time in the current period discharges the duty; a period that ended without a
//! visit makes the beneficiary overdue, counted from the end of the first missed period.

use chrono::{Datelike, Duration, NaiveDate};

use crate::model::RiskColour;
use crate::time::{china_date, start_of_china_day};

/// A duty period: `[start, end)` in China dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Period {
    /// First day of the period.
    pub start: NaiveDate,
    /// First day after the period.
    pub end: NaiveDate,
}

impl Period {
    /// The period of `colour` that contains `date`.
    pub fn containing(colour: RiskColour, date: NaiveDate) -> Period {
        match colour {
            RiskColour::Red => Period { start: date, end: date + Duration::days(1) },
            RiskColour::Yellow => {
                let start = date - Duration::days(i64::from(date.weekday().num_days_from_monday()));
                Period { start, end: start + Duration::days(7) }
            }
            RiskColour::Blue => {
                let start = date.with_day(1).expect("day 1 exists in every month");
                let end = if start.month() == 12 {
                    NaiveDate::from_ymd_opt(start.year() + 1, 1, 1)
                } else {
                    NaiveDate::from_ymd_opt(start.year(), start.month() + 1, 1)
                };
                Period { start, end: end.unwrap_or(NaiveDate::MAX) }
            }
        }
    }

    /// The period that follows this one.
    pub fn next(&self, colour: RiskColour) -> Period {
        Period::containing(colour, self.end)
    }

    /// Whether `date` lies in the period.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date < self.end
    }
}

/// Where a beneficiary stands against their visit duty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase", tag = "status")]
pub enum DutyStatus {
    /// A visit has been made in the current period.
    Done,
    /// The current period still needs a visit, and no earlier period was missed.
    Due,
    /// A whole period went by without a visit.
    Overdue {
        /// Whole days since the first missed period ended (0 on the day it became overdue).
        days: i64,
    },
}

impl DutyStatus {
    /// `done`, `due` or `overdue`.
    pub fn code(&self) -> &'static str {
        match self {
            DutyStatus::Done => "done",
            DutyStatus::Due => "due",
            DutyStatus::Overdue { .. } => "overdue",
        }
    }
}

/// A beneficiary's duty on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Duty {
    /// The colour in force.
    pub colour: RiskColour,
    /// The current period.
    pub period: Period,
    /// Done, due or overdue.
    pub status: DutyStatus,
}

/// Works out the duty at instant `now` (Unix ms) for a beneficiary of `colour`, assigned at
/// `colour_since`, whose visits arrived at `visits` (device times, any order).
///
/// Device clocks can be wrong by days or years. A visit stamped after `now` cannot have happened
/// in the future, so it counts as made `now`; nothing here can go negative or panic on extreme
/// times.
pub fn duty_for(colour: RiskColour, colour_since: i64, visits: &[i64], now: i64) -> Duty {
    let (now, colour_since) = (sane(now), sane(colour_since));
    let today = china_date(now);
    let period = Period::containing(colour, today);
    let last_visit = visits.iter().map(|&v| sane(v).min(now)).max();

    if last_visit.is_some_and(|v| period.contains(china_date(v))) {
        return Duty { colour, period, status: DutyStatus::Done };
    }

    let since = china_date(colour_since.min(now));
    let first_needing_visit = match last_visit {
        Some(v) if china_date(v) >= since => Period::containing(colour, china_date(v)).next(colour),
        _ => Period::containing(colour, since),
    };
    let status = if first_needing_visit.start >= period.start {
        DutyStatus::Due
    } else {
        let missed_at = start_of_china_day(first_needing_visit.end);
        DutyStatus::Overdue { days: ((now - missed_at) / 86_400_000).max(0) }
    };
    Duty { colour, period, status }
}

/// 1900-01-01 and the last millisecond of 9999, UTC.
const EARLIEST: i64 = -2_208_988_800_000;
const LATEST: i64 = 253_402_300_799_999;

/// Clamps an instant to years 1900-9999. A clock outside them is simply wrong, and the clamp
/// keeps every date sum and difference in `duty_for` far from the limits of chrono and i64.
fn sane(ms: i64) -> i64 {
    ms.clamp(EARLIEST, LATEST)
}
