//! Visit duty for a division, and the page listing who is overdue (逾期名单).

use askama::Template;
use axum::Extension;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::Response;
use peihu_shared::model::RiskColour;
use peihu_shared::rules::{DutyStatus, duty_for};
use rusqlite::params;

use super::period::{Kind, PeriodQuery, Window};
use super::session::Session;
use super::strings::Tr;
use super::view::{Frame, PeriodBar};
use super::{ConsoleError, access, blocking, render, summary};
use crate::AppState;
use crate::storage::StorageError;

/// One beneficiary's duty at an instant.
#[derive(Debug, Clone)]
pub struct DutyRow {
    /// Beneficiary id.
    pub beneficiary: String,
    /// Name.
    pub name: String,
    /// Village code.
    pub place: String,
    /// Colour in force.
    pub colour: RiskColour,
    /// Done, due or overdue.
    pub status: DutyStatus,
    /// Latest visit at or before the instant.
    pub last_visit: Option<i64>,
    /// Warnings still open.
    pub open_warnings: i64,
}

/// Beneficiary, name, place, `colour:since`, last visit, open warnings.
type DutyColumns = (String, String, String, Option<String>, Option<i64>, i64);

const DUTY_NOW: &str = "
    SELECT b.beneficiary, b.name, b.place, b.colour || ':' || b.colour_since, b.last_visit,
        (SELECT count(*) FROM console_warnings w
         WHERE w.beneficiary = b.beneficiary AND w.raised <= ?3
           AND (w.closed IS NULL OR w.closed > ?3))
    FROM console_beneficiaries b WHERE b.place >= ?1 AND b.place < ?2";

const DUTY_THEN: &str = "
    SELECT b.beneficiary, b.name, b.place,
        (SELECT colour || ':' || at FROM console_colours k
         WHERE k.beneficiary = b.beneficiary AND k.at <= ?3
         ORDER BY k.at DESC, k.record DESC LIMIT 1),
        (SELECT max(arrived) FROM console_visits v
         WHERE v.beneficiary = b.beneficiary AND v.arrived <= ?3),
        (SELECT count(*) FROM console_warnings w
         WHERE w.beneficiary = b.beneficiary AND w.raised <= ?3
           AND (w.closed IS NULL OR w.closed > ?3))
    FROM console_beneficiaries b WHERE b.place >= ?1 AND b.place < ?2";

/// Every beneficiary's duty in `[lo, hi)` at instant `at` (now or the end of a past period).
/// At `now`, visits and colours stamped later by a fast device clock count as they do on the
/// tablet; for a past instant only what was recorded up to then counts.
pub fn duty_rows(
    state: &AppState,
    (lo, hi): (&str, &str),
    at: i64,
) -> Result<Vec<DutyRow>, StorageError> {
    let now = state.now();
    let cutoff = if at >= now { i64::MAX } else { at };
    // Now (the usual case) reads the colour and last visit kept on the beneficiary's row; a
    // past instant looks them up as they stood then.
    let sql = if at >= now { DUTY_NOW } else { DUTY_THEN };
    let raw: Vec<DutyColumns> = state.storage.with_conn(|c| {
        let mut stmt = c.prepare_cached(sql)?;
        let rows = stmt.query_map(params![lo, hi, cutoff], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    })?;
    let eval_at = at.min(now);
    Ok(raw
        .into_iter()
        .filter_map(|(beneficiary, name, place, colour, last_visit, open_warnings)| {
            let (code, since) =
                colour?.split_once(':').map(|(c, s)| (c.to_string(), s.to_string()))?;
            let colour = RiskColour::from_code(&code)?;
            let since: i64 = since.parse().ok()?;
            let visits: Vec<i64> = last_visit.into_iter().collect();
            let duty = duty_for(colour, since, &visits, eval_at);
            Some(DutyRow {
                beneficiary,
                name,
                place,
                colour,
                status: duty.status,
                last_visit,
                open_warnings,
            })
        })
        .collect())
}

/// The overdue rows of [`duty_rows`], longest overdue first.
pub fn overdue_rows(
    state: &AppState,
    range: (&str, &str),
    at: i64,
) -> Result<Vec<DutyRow>, StorageError> {
    let mut rows: Vec<DutyRow> = duty_rows(state, range, at)?
        .into_iter()
        .filter(|r| matches!(r.status, DutyStatus::Overdue { .. }))
        .collect();
    rows.sort_by_key(|r| {
        let days = match r.status {
            DutyStatus::Overdue { days } => days,
            _ => 0,
        };
        (std::cmp::Reverse(days), r.colour, r.name.clone())
    });
    Ok(rows)
}

/// Days overdue, for overdue rows.
pub fn overdue_days(status: &DutyStatus) -> Option<i64> {
    match status {
        DutyStatus::Overdue { days } => Some(*days),
        _ => None,
    }
}

/// An overdue row as shown.
#[derive(Debug, Clone)]
pub struct OverdueView {
    /// Link to the beneficiary.
    pub href: String,
    /// Name.
    pub name: String,
    /// Village name.
    pub village: String,
    /// Colour code (for the badge class).
    pub colour: &'static str,
    /// Colour name.
    pub colour_name: String,
    /// Days overdue.
    pub days: i64,
    /// Last visit, or "never".
    pub last_visit: String,
    /// Open warnings.
    pub open_warnings: i64,
}

/// Village names by code for a division.
pub fn village_names(
    state: &AppState,
    (lo, hi): (&str, &str),
) -> Result<std::collections::HashMap<String, String>, StorageError> {
    state.storage.with_conn(|c| {
        let mut stmt =
            c.prepare_cached("SELECT code, name FROM places WHERE code >= ?1 AND code < ?2")?;
        let rows = stmt.query_map(params![lo, hi], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    })
}

/// Turns duty rows into what the overdue table shows.
pub fn views(
    state: &AppState,
    tr: Tr,
    range: (&str, &str),
    rows: &[DutyRow],
) -> Result<Vec<OverdueView>, StorageError> {
    let villages = village_names(state, range)?;
    Ok(rows
        .iter()
        .map(|r| OverdueView {
            href: format!("/console/beneficiary/{}", r.beneficiary),
            name: r.name.clone(),
            village: villages.get(&r.place).cloned().unwrap_or_else(|| r.place.clone()),
            colour: r.colour.code(),
            colour_name: tr.colour(r.colour.code()).to_string(),
            days: overdue_days(&r.status).unwrap_or(0),
            last_visit: r.last_visit.map(|t| tr.time(t)).unwrap_or_else(|| tr.t("never").into()),
            open_warnings: r.open_warnings,
        })
        .collect())
}

#[derive(Template)]
#[template(path = "overdue.html")]
struct OverduePage {
    f: Frame,
    bar: PeriodBar,
    as_of: String,
    rows: Vec<OverdueView>,
    export_query: String,
}

/// `GET /console/overdue`: who is overdue at the end of the chosen period (default: now).
pub async fn page(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Query(q): Query<PeriodQuery>,
    uri: Uri,
) -> Result<Response, ConsoleError> {
    blocking(move || {
        let tr = Tr(session.lang);
        let place = access::narrow(&state, &session.user, q.place.as_deref())?;
        let (lo, hi) = place
            .as_ref()
            .map(access::range_of)
            .unwrap_or_else(|| access::place_range(&session.user));
        summary::catch_up(&state.storage, &lo, &hi)?;
        let window = Window::from_query(&q, Kind::Day, state.now());
        let at = window.as_of(state.now());
        let rows = overdue_rows(&state, (&lo, &hi), at)?;
        let page = OverduePage {
            f: Frame::new(&state, &session, &uri, tr.t("overdue.title").into(), "overdue")?,
            bar: PeriodBar::new(
                &state,
                &session,
                "/console/overdue",
                &window,
                place.as_ref(),
                &[Kind::Day, Kind::Week, Kind::Month],
            )?,
            as_of: tr.time(at),
            rows: views(&state, tr, (&lo, &hi), &rows)?,
            export_query: format!(
                "{}{}",
                window.query(),
                place.map(|p| format!("&place={p}")).unwrap_or_default()
            ),
        };
        render(&page)
    })
    .await
}
