//! The period a page looks at: a day, an ISO week, a calendar month (China dates), or a range
//! of days for the ledger, the figures and the exports.

use chrono::{Datelike, Duration, NaiveDate};
use peihu_shared::time::{china_date, start_of_china_day};

use super::strings::Tr;

/// What a page's query string may say about its period and division.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct PeriodQuery {
    /// `day`, `week`, `month` or `range`.
    pub period: Option<String>,
    /// A day inside the period, `YYYY-MM-DD` (default today).
    pub date: Option<String>,
    /// First day of a range.
    pub from: Option<String>,
    /// Last day of a range (inclusive).
    pub to: Option<String>,
    /// A division inside the supervisor's, to narrow to.
    pub place: Option<String>,
    /// An agency, for the ledger export.
    pub agency: Option<String>,
}

/// The kinds of period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One China day.
    Day,
    /// Monday to Sunday.
    Week,
    /// A calendar month.
    Month,
    /// Any run of days.
    Range,
}

impl Kind {
    /// The code used in URLs.
    pub fn code(self) -> &'static str {
        match self {
            Kind::Day => "day",
            Kind::Week => "week",
            Kind::Month => "month",
            Kind::Range => "range",
        }
    }
}

/// A chosen period: `[start, end)` in China dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Its kind.
    pub kind: Kind,
    /// First day.
    pub start: NaiveDate,
    /// First day after.
    pub end: NaiveDate,
}

fn parse_day(text: Option<&str>) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text?.trim(), "%Y-%m-%d").ok()
}

fn month_of(date: NaiveDate) -> (NaiveDate, NaiveDate) {
    let start = date.with_day(1).expect("day 1 exists");
    let end = if start.month() == 12 {
        NaiveDate::from_ymd_opt(start.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(start.year(), start.month() + 1, 1)
    };
    (start, end.unwrap_or(NaiveDate::MAX))
}

impl Window {
    /// The window a query asks for, `default` when it says nothing, as of `now`.
    pub fn from_query(q: &PeriodQuery, default: Kind, now: i64) -> Window {
        let today = china_date(now);
        let date = parse_day(q.date.as_deref()).unwrap_or(today);
        let kind = match q.period.as_deref() {
            Some("day") => Kind::Day,
            Some("week") => Kind::Week,
            Some("month") => Kind::Month,
            Some("range") => Kind::Range,
            _ => default,
        };
        match kind {
            Kind::Range => {
                let (month_start, _) = month_of(today);
                let from = parse_day(q.from.as_deref()).unwrap_or(month_start);
                let to = parse_day(q.to.as_deref()).unwrap_or(today).max(from);
                // A range is capped at about three years so a typo cannot ask for centuries.
                let to = to.min(from + Duration::days(1100));
                Window { kind, start: from, end: to + Duration::days(1) }
            }
            _ => Window::containing(kind, date),
        }
    }

    /// The day, week or month containing `date`.
    pub fn containing(kind: Kind, date: NaiveDate) -> Window {
        let (start, end) = match kind {
            Kind::Day | Kind::Range => (date, date + Duration::days(1)),
            Kind::Week => {
                let start = date - Duration::days(i64::from(date.weekday().num_days_from_monday()));
                (start, start + Duration::days(7))
            }
            Kind::Month => month_of(date),
        };
        Window { kind, start, end }
    }

    /// Start, Unix ms.
    pub fn start_ms(&self) -> i64 {
        start_of_china_day(self.start)
    }

    /// End (exclusive), Unix ms.
    pub fn end_ms(&self) -> i64 {
        start_of_china_day(self.end)
    }

    /// The instant duty is judged at: the end of the window, or now if that is earlier.
    pub fn as_of(&self, now: i64) -> i64 {
        (self.end_ms() - 1).min(now)
    }

    /// The last day, inclusive.
    pub fn last_day(&self) -> NaiveDate {
        self.end.pred_opt().unwrap_or(self.end)
    }

    /// The window before this one, of the same kind.
    pub fn previous(&self) -> Window {
        match self.kind {
            Kind::Range => {
                let len = self.end - self.start;
                Window { kind: self.kind, start: self.start - len, end: self.start }
            }
            kind => Window::containing(kind, self.start - Duration::days(1)),
        }
    }

    /// The window after this one, of the same kind.
    pub fn next(&self) -> Window {
        match self.kind {
            Kind::Range => {
                let len = self.end - self.start;
                Window { kind: self.kind, start: self.end, end: self.end + len }
            }
            kind => Window::containing(kind, self.end),
        }
    }

    /// The query string that selects this window.
    pub fn query(&self) -> String {
        match self.kind {
            Kind::Range => format!(
                "period=range&from={}&to={}",
                self.start.format("%Y-%m-%d"),
                self.last_day().format("%Y-%m-%d")
            ),
            kind => format!("period={}&date={}", kind.code(), self.start.format("%Y-%m-%d")),
        }
    }

    /// A label such as `2026年12月4日` or `2026-11-30 – 2026-12-06`.
    pub fn label(&self, tr: Tr) -> String {
        let day = |d: NaiveDate| tr.date(d);
        match self.kind {
            Kind::Day => day(self.start),
            Kind::Month if tr.is_zh() => format!("{}年{}月", self.start.year(), self.start.month()),
            Kind::Month => self.start.format("%B %Y").to_string(),
            Kind::Week | Kind::Range => format!("{} – {}", day(self.start), day(self.last_day())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_week_runs_monday_to_sunday_and_a_month_to_its_last_day() {
        let w = Window::containing(Kind::Week, day("2026-12-04"));
        assert_eq!((w.start, w.last_day()), (day("2026-11-30"), day("2026-12-06")));
        let m = Window::containing(Kind::Month, day("2026-12-04"));
        assert_eq!((m.start, m.end), (day("2026-12-01"), day("2027-01-01")));
        assert_eq!(m.previous().start, day("2026-11-01"));
        assert_eq!(m.next().start, day("2027-01-01"));
    }

    #[test]
    fn a_range_includes_its_last_day_and_never_runs_backwards() {
        let q = PeriodQuery {
            period: Some("range".into()),
            from: Some("2026-03-01".into()),
            to: Some("2026-02-01".into()),
            ..PeriodQuery::default()
        };
        let w = Window::from_query(&q, Kind::Month, 0);
        assert_eq!((w.start, w.end), (day("2026-03-01"), day("2026-03-02")));
    }
}
