//! The monitoring ledger (监测台账): escort episodes with their hours and nine-step completeness,
//! per agency and period. Shared by the overview, the agency pages and the exports.

use std::collections::{BTreeSet, HashMap};

use chrono::{Duration, NaiveDate};
use peihu_shared::time::china_date;
use rusqlite::params;

use crate::AppState;
use crate::storage::StorageError;

/// The nine step codes in the order of the summary's `steps_mask`.
pub const STEP_CODES: [&str; 9] = [
    "notice.coverage",
    "notice.standard",
    "notice.complaints",
    "daily.services",
    "daily.orders",
    "daily.special",
    "handover.care_points",
    "handover.medication",
    "handover.rehabilitation",
];

/// One episode as the ledger sees it.
#[derive(Debug, Clone)]
pub struct EpisodeRow {
    /// Episode id.
    pub episode: String,
    /// Beneficiary id.
    pub beneficiary: String,
    /// Beneficiary's name.
    pub name: String,
    /// Village code.
    pub place: String,
    /// Agency id.
    pub agency: String,
    /// Escort's user id.
    pub escort: Option<String>,
    /// Hospital.
    pub hospital: String,
    /// Ward.
    pub ward: String,
    /// When the call came in.
    pub opened: i64,
    /// Expected admission, from the call.
    pub expected: i64,
    /// Admission.
    pub admitted: Option<i64>,
    /// Discharge.
    pub discharged: Option<i64>,
    /// Bits of the nine steps done.
    pub steps_mask: i64,
    /// Clarity card acknowledged.
    pub acknowledged: bool,
    /// China days with all three daily records.
    pub record_days: BTreeSet<String>,
    /// Clocked minutes inside the window asked for.
    pub minutes: i64,
}

impl EpisodeRow {
    /// How many of the nine steps are done.
    pub fn steps_done(&self) -> usize {
        (0..9).filter(|i| self.steps_mask & (1 << i) != 0).count()
    }

    /// Whether the stage of step `i` has begun: the notices and daily records with the
    /// admission, the handovers with the discharge. A step of a stage not yet begun is pending,
    /// not missing.
    pub fn stage_begun(&self, i: usize) -> bool {
        match i / 3 {
            0 | 1 => self.admitted.is_some(),
            _ => self.discharged.is_some(),
        }
    }

    /// The codes of the steps missing from stages that have begun.
    pub fn missing_steps(&self) -> Vec<&'static str> {
        STEP_CODES
            .iter()
            .enumerate()
            .filter(|(i, _)| self.steps_mask & (1 << i) == 0 && self.stage_begun(*i))
            .map(|(_, c)| *c)
            .collect()
    }

    /// Stay days (admission to discharge or `now`) lacking one of the three daily records.
    pub fn days_missing_records(&self, now: i64) -> Vec<NaiveDate> {
        let Some(admitted) = self.admitted else { return Vec::new() };
        let first = china_date(admitted);
        let last = china_date(self.discharged.unwrap_or(now).min(now).max(admitted));
        let mut out = Vec::new();
        let mut day = first;
        while day <= last && out.len() < 400 {
            if !self.record_days.contains(&day.format("%Y-%m-%d").to_string()) {
                out.push(day);
            }
            day += Duration::days(1);
        }
        out
    }

    /// Whether every step is done, the card acknowledged and no day lacks a record.
    pub fn complete(&self, now: i64) -> bool {
        self.steps_done() == 9 && self.acknowledged && self.days_missing_records(now).is_empty()
    }

    /// `waiting`, `in_hospital` or `discharged`.
    pub fn status(&self) -> &'static str {
        match (self.admitted, self.discharged) {
            (_, Some(_)) => "discharged",
            (Some(_), None) => "in_hospital",
            (None, None) => "waiting",
        }
    }
}

/// Episodes in `[lo, hi)` whose stay (admission, or the call if not yet admitted, to discharge
/// or now) overlaps `[start, end)`, optionally of one agency, with minutes clocked inside it.
pub fn episodes(
    state: &AppState,
    (lo, hi): (&str, &str),
    (start, end): (i64, i64),
    agency: Option<&str>,
) -> Result<Vec<EpisodeRow>, StorageError> {
    let now = state.now();
    state.storage.with_conn(|c| {
        let mut stmt = c.prepare_cached(
            "SELECT e.episode, e.beneficiary, COALESCE(b.name, ''), e.place, e.agency, e.escort,
                e.hospital, e.ward, e.opened, e.admitted, e.discharged, e.steps_mask,
                e.acknowledged, e.record_days, e.expected,
                COALESCE((SELECT sum(max(0, min(COALESCE(s.clock_out, ?6), ?5) - max(s.clock_in, ?4)))
                          FROM console_shifts s WHERE s.episode = e.episode), 0) / 60000
             FROM console_episodes e LEFT JOIN console_beneficiaries b ON b.beneficiary = e.beneficiary
             WHERE e.place >= ?1 AND e.place < ?2
               AND COALESCE(e.admitted, e.opened) < ?5 AND COALESCE(e.discharged, ?6) >= ?4
               AND (?3 IS NULL OR e.agency = ?3)
             ORDER BY COALESCE(e.admitted, e.opened) DESC",
        )?;
        let rows = stmt.query_map(params![lo, hi, agency, start, end, now], |r| {
            let days: String = r.get(13)?;
            Ok(EpisodeRow {
                episode: r.get(0)?,
                beneficiary: r.get(1)?,
                name: r.get(2)?,
                place: r.get(3)?,
                agency: r.get(4)?,
                escort: r.get(5)?,
                hospital: r.get(6)?,
                ward: r.get(7)?,
                opened: r.get(8)?,
                admitted: r.get(9)?,
                discharged: r.get(10)?,
                steps_mask: r.get(11)?,
                acknowledged: r.get(12)?,
                record_days: days.split(',').filter(|d| !d.is_empty()).map(str::to_string).collect(),
                expected: r.get(14)?,
                minutes: r.get(15)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    })
}

/// Names of people by user id.
pub fn user_names(state: &AppState) -> Result<HashMap<String, String>, StorageError> {
    state.storage.with_conn(|c| {
        let mut stmt = c.prepare_cached("SELECT id, name FROM users")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    })
}

/// Names of agencies by id.
pub fn agency_names(state: &AppState) -> Result<HashMap<String, String>, StorageError> {
    state.storage.with_conn(|c| {
        let mut stmt = c.prepare_cached("SELECT id, name FROM agencies")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    })
}

/// Early warnings raised in `[start, end)` per beneficiary in `[lo, hi)`.
pub fn warnings_by_beneficiary(
    state: &AppState,
    (lo, hi): (&str, &str),
    (start, end): (i64, i64),
) -> Result<HashMap<String, i64>, StorageError> {
    state.storage.with_conn(|c| {
        let mut stmt = c.prepare_cached(
            "SELECT beneficiary, count(*) FROM console_warnings
             WHERE place >= ?1 AND place < ?2 AND raised >= ?3 AND raised < ?4 GROUP BY beneficiary",
        )?;
        let rows = stmt.query_map(params![lo, hi, start, end], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    })
}

/// One agency's line in the ledger for a period.
#[derive(Debug, Clone, Default)]
pub struct AgencyTotals {
    /// Episodes overlapping the period.
    pub episodes: usize,
    /// Minutes clocked in the period.
    pub minutes: i64,
    /// Episodes with all nine steps, the card and every daily record.
    pub complete: usize,
    /// Steps missing from stages that have begun, summed over episodes.
    pub missed_steps: usize,
    /// Stay days lacking a daily record, summed over episodes.
    pub days_missing: usize,
    /// Early warnings raised in the period for the beneficiaries it escorted.
    pub warnings: i64,
}

/// Totals per agency id over `rows`.
pub fn totals(
    rows: &[EpisodeRow],
    warnings: &HashMap<String, i64>,
    now: i64,
) -> HashMap<String, AgencyTotals> {
    let mut out: HashMap<String, AgencyTotals> = HashMap::new();
    let mut counted: BTreeSet<(String, String)> = BTreeSet::new();
    for row in rows {
        let t = out.entry(row.agency.clone()).or_default();
        t.episodes += 1;
        t.minutes += row.minutes;
        t.complete += usize::from(row.complete(now));
        t.missed_steps += row.missing_steps().len();
        t.days_missing += row.days_missing_records(now).len();
        if counted.insert((row.agency.clone(), row.beneficiary.clone())) {
            t.warnings += warnings.get(&row.beneficiary).copied().unwrap_or(0);
        }
    }
    out
}
