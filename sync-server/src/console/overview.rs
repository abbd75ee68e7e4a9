//! The overview (总览) for a day, week or month: visit duty by colour, open early warnings and
//! their age, escort episodes in progress, service hours by agency, and devices to chase.

use askama::Template;
use axum::Extension;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::Response;
use peihu_shared::model::RiskColour;
use peihu_shared::rules::DutyStatus;
use rusqlite::params;

use super::ledger::{self, EpisodeRow};
use super::overdue::{self, DutyRow};
use super::period::{Kind, PeriodQuery, Window};
use super::session::Session;
use super::strings::Tr;
use super::svg::{self, Stack};
use super::view::{Frame, PeriodBar};
use super::{ConsoleError, access, blocking, render, summary};
use crate::AppState;
use crate::storage::StorageError;

/// Duty counts for one colour.
#[derive(Debug, Clone, Default)]
pub struct DutyCounts {
    /// Colour code.
    pub colour: &'static str,
    /// Colour name.
    pub name: String,
    /// Beneficiaries of the colour.
    pub total: i64,
    /// Visited in the current period.
    pub done: i64,
    /// Still to visit in the current period.
    pub due: i64,
    /// Overdue.
    pub overdue: i64,
    /// Visits recorded in the window.
    pub visits: i64,
}

/// An open warning as listed.
#[derive(Debug, Clone)]
pub struct WarningView {
    /// Link to the beneficiary.
    pub href: String,
    /// Name.
    pub name: String,
    /// When raised.
    pub raised: String,
    /// Severity code (for the badge) and name.
    pub severity: String,
    /// Severity in words.
    pub severity_name: String,
    /// Age in days.
    pub age_days: i64,
}

/// An episode in progress as listed.
#[derive(Debug, Clone)]
pub struct EpisodeView {
    /// Link.
    pub href: String,
    /// Beneficiary name.
    pub name: String,
    /// Hospital and ward.
    pub hospital: String,
    /// Agency name.
    pub agency: String,
    /// Escort name.
    pub escort: String,
    /// Steps done of nine.
    pub steps: usize,
    /// Meter SVG.
    pub meter: String,
    /// Days lacking a daily record.
    pub missing_days: usize,
    /// Status in words.
    pub status_name: String,
    /// Admission or expected time.
    pub since: String,
}

/// A device to chase.
#[derive(Debug, Clone)]
pub struct DeviceView {
    /// Short device id.
    pub device: String,
    /// Whose.
    pub user: String,
    /// Role in words.
    pub role: String,
    /// Last sync, or never.
    pub last_sync: String,
    /// Drift in words, when flagged.
    pub drift: String,
    /// Not synced for over a day.
    pub stale: bool,
    /// Clock flagged.
    pub flagged: bool,
}

#[derive(Template)]
#[template(path = "overview.html")]
struct OverviewPage {
    f: Frame,
    bar: PeriodBar,
    as_of: String,
    duty: Vec<DutyCounts>,
    duty_chart: String,
    overdue_total: i64,
    beneficiaries: i64,
    warnings_total: usize,
    warning_chart: String,
    oldest: Vec<WarningView>,
    episodes: Vec<EpisodeView>,
    hours_chart: String,
    hours_empty: bool,
    devices: Vec<DeviceView>,
}

/// `GET /console/overview`.
pub async fn page(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Query(q): Query<PeriodQuery>,
    uri: Uri,
) -> Result<Response, ConsoleError> {
    blocking(move || build(&state, &session, &q, &uri).and_then(|p| render(&p))).await
}

fn build(
    state: &AppState,
    session: &Session,
    q: &PeriodQuery,
    uri: &Uri,
) -> Result<OverviewPage, ConsoleError> {
    let tr = Tr(session.lang);
    let now = state.now();
    let place = access::narrow(state, &session.user, q.place.as_deref())?;
    let (lo, hi) =
        place.as_ref().map(access::range_of).unwrap_or_else(|| access::place_range(&session.user));
    summary::catch_up(&state.storage, &lo, &hi)?;
    let window = Window::from_query(q, Kind::Week, now);
    let at = window.as_of(now);
    let range = (lo.as_str(), hi.as_str());

    let rows = overdue::duty_rows(state, range, at)?;
    let duty = duty_counts(state, tr, range, &window, &rows)?;
    let warnings = open_warnings(state, tr, range, at)?;
    let episodes = episodes_in_progress(state, tr, range, at)?;
    let hours = hours_by_agency(state, range, &window)?;
    Ok(OverviewPage {
        f: Frame::new(state, session, uri, tr.t("overview.title").into(), "overview")?,
        bar: PeriodBar::new(
            state,
            session,
            "/console/overview",
            &window,
            place.as_ref(),
            &[Kind::Day, Kind::Week, Kind::Month],
        )?,
        as_of: tr.time(at),
        duty_chart: duty_chart(tr, &duty),
        overdue_total: duty.iter().map(|d| d.overdue).sum(),
        beneficiaries: duty.iter().map(|d| d.total).sum(),
        duty,
        warnings_total: warnings.len(),
        warning_chart: warning_chart(tr, &warnings),
        oldest: warnings.into_iter().take(8).collect(),
        episodes,
        hours_empty: hours.is_empty(),
        hours_chart: svg::bars(
            tr.t("overview.hours"),
            &hours
                .iter()
                .map(|(name, m)| (name.clone(), *m as f64 / 60.0, tr.hours(*m)))
                .collect::<Vec<_>>(),
            "#123a63",
        ),
        devices: devices(state, tr, session, now)?,
    })
}

const COLOURS: [RiskColour; 3] = [RiskColour::Red, RiskColour::Yellow, RiskColour::Blue];

fn duty_counts(
    state: &AppState,
    tr: Tr,
    (lo, hi): (&str, &str),
    window: &Window,
    rows: &[DutyRow],
) -> Result<Vec<DutyCounts>, StorageError> {
    let visits: Vec<(String, i64)> = state.storage.with_conn(|c| {
        let mut stmt = c.prepare_cached(
            "SELECT b.colour, count(*) FROM console_visits v INDEXED BY console_visits_by_arrival
             JOIN console_beneficiaries b ON b.beneficiary = v.beneficiary
             WHERE v.arrived >= ?3 AND v.arrived < ?4 AND v.place >= ?1 AND v.place < ?2
             GROUP BY b.colour",
        )?;
        let rows = stmt.query_map(params![lo, hi, window.start_ms(), window.end_ms()], |r| {
            Ok((r.get::<_, Option<String>>(0)?.unwrap_or_default(), r.get(1)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    })?;
    Ok(COLOURS
        .iter()
        .map(|&colour| {
            let mine = rows.iter().filter(|r| r.colour == colour);
            let count =
                |f: fn(&DutyStatus) -> bool| mine.clone().filter(|r| f(&r.status)).count() as i64;
            DutyCounts {
                colour: colour.code(),
                name: tr.colour(colour.code()).to_string(),
                total: mine.clone().count() as i64,
                done: count(|s| matches!(s, DutyStatus::Done)),
                due: count(|s| matches!(s, DutyStatus::Due)),
                overdue: count(|s| matches!(s, DutyStatus::Overdue { .. })),
                visits: visits.iter().find(|v| v.0 == colour.code()).map(|v| v.1).unwrap_or(0),
            }
        })
        .collect())
}

fn duty_chart(tr: Tr, duty: &[DutyCounts]) -> String {
    let rows: Vec<Stack> = duty
        .iter()
        .map(|d| Stack {
            label: d.name.clone(),
            parts: vec![(d.done, "#2e7d32"), (d.due, "#ef8a00"), (d.overdue, "#c62828")],
        })
        .collect();
    svg::stacked_bars(tr.t("overview.duty"), &rows)
}

fn open_warnings(
    state: &AppState,
    tr: Tr,
    (lo, hi): (&str, &str),
    at: i64,
) -> Result<Vec<WarningView>, StorageError> {
    let raw: Vec<(String, String, i64, String)> = state.storage.with_conn(|c| {
        let mut stmt = c.prepare_cached(
            "SELECT w.beneficiary, COALESCE(b.name, ''), w.raised, w.severity FROM console_warnings w
             LEFT JOIN console_beneficiaries b ON b.beneficiary = w.beneficiary
             WHERE w.place >= ?1 AND w.place < ?2 AND w.raised <= ?3
               AND (w.closed IS NULL OR w.closed > ?3)
             ORDER BY w.raised",
        )?;
        let rows = stmt.query_map(params![lo, hi, at], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    })?;
    Ok(raw
        .into_iter()
        .map(|(b, name, raised, severity)| WarningView {
            href: format!("/console/beneficiary/{b}#warnings"),
            name,
            raised: tr.time(raised),
            severity_name: tr.t(&format!("severity.{severity}")).to_string(),
            severity,
            age_days: ((at - raised) / 86_400_000).max(0),
        })
        .collect())
}

fn warning_chart(tr: Tr, warnings: &[WarningView]) -> String {
    let buckets = [
        ("age.under_1d", 0, 1),
        ("age.1_3d", 1, 3),
        ("age.3_7d", 3, 7),
        ("age.over_7d", 7, i64::MAX),
    ];
    let rows: Vec<(String, f64, String)> = buckets
        .iter()
        .map(|(key, from, to)| {
            let n = warnings.iter().filter(|w| w.age_days >= *from && w.age_days < *to).count();
            (tr.t(key).to_string(), n as f64, n.to_string())
        })
        .collect();
    svg::bars(tr.t("overview.warning_age"), &rows, "#c62828")
}

fn episodes_in_progress(
    state: &AppState,
    tr: Tr,
    range: (&str, &str),
    at: i64,
) -> Result<Vec<EpisodeView>, StorageError> {
    let rows: Vec<EpisodeRow> = ledger::episodes(state, range, (at, at + 1), None)?
        .into_iter()
        .filter(|e| e.discharged.is_none_or(|d| d > at))
        .collect();
    let users = ledger::user_names(state)?;
    let agencies = ledger::agency_names(state)?;
    Ok(rows
        .iter()
        .map(|e| EpisodeView {
            href: format!("/console/episode/{}", e.episode),
            name: e.name.clone(),
            hospital: format!("{} · {}", e.hospital, e.ward),
            agency: agencies.get(&e.agency).cloned().unwrap_or_default(),
            escort: e
                .escort
                .as_ref()
                .and_then(|u| users.get(u).cloned())
                .unwrap_or_else(|| tr.t("unassigned").to_string()),
            steps: e.steps_done(),
            meter: svg::meter(e.steps_done(), 9),
            missing_days: e.days_missing_records(at).len(),
            status_name: tr.t(&format!("ep.status.{}", e.status())).to_string(),
            since: match e.admitted {
                Some(t) => tr.short_time(t),
                None => format!("{} {}", tr.t("ep.expected_short"), tr.short_time(e.expected)),
            },
        })
        .collect())
}

fn hours_by_agency(
    state: &AppState,
    (lo, hi): (&str, &str),
    window: &Window,
) -> Result<Vec<(String, i64)>, StorageError> {
    let now = state.now();
    state.storage.with_conn(|c| {
        let mut stmt = c.prepare_cached(
            "SELECT a.name, sum(max(0, min(COALESCE(s.clock_out, ?5), ?4) - max(s.clock_in, ?3))) / 60000
             FROM console_shifts s JOIN agencies a ON a.id = s.agency
             WHERE s.place >= ?1 AND s.place < ?2 AND s.clock_in < ?4 AND COALESCE(s.clock_out, ?5) > ?3
             GROUP BY a.id ORDER BY 2 DESC",
        )?;
        let rows = stmt.query_map(params![lo, hi, window.start_ms(), window.end_ms(), now], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    })
}

/// Device, user name, role, last sync, drift, flagged, enrolled.
type DeviceColumns = (String, String, String, Option<i64>, Option<i64>, bool, i64);

/// Devices in the division not synced for over a day, or with a flagged clock.
fn devices(
    state: &AppState,
    tr: Tr,
    session: &Session,
    now: i64,
) -> Result<Vec<DeviceView>, StorageError> {
    let (lo, hi) = access::place_range(&session.user);
    let raw: Vec<DeviceColumns> = state.storage.with_conn(|c| {
        let mut stmt = c.prepare_cached(
            "SELECT d.id, u.name, u.role, d.last_sync, d.drift_ms, d.flagged, d.enrolled
             FROM devices d JOIN users u ON u.id = d.user
             WHERE d.revoked IS NULL AND u.place >= ?1 AND u.place < ?2
               AND (d.flagged = 1 OR COALESCE(d.last_sync, d.enrolled) < ?3)
             ORDER BY d.flagged DESC, COALESCE(d.last_sync, 0)",
        )?;
        let rows = stmt.query_map(params![lo, hi, now - 86_400_000], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    })?;
    Ok(raw
        .into_iter()
        .map(|(id, user, role, last_sync, drift, flagged, enrolled)| DeviceView {
            device: id.chars().take(8).collect(),
            user,
            role: tr.t(&format!("role.{role}")).to_string(),
            last_sync: last_sync.map(|t| tr.time(t)).unwrap_or_else(|| tr.t("never").into()),
            drift: drift
                .filter(|_| flagged)
                .map(|d| format!("{:+} min", d / 60_000))
                .unwrap_or_default(),
            stale: last_sync.unwrap_or(enrolled) < now - 86_400_000,
            flagged,
        })
        .collect())
}
