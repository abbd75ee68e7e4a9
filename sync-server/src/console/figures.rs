//! The programme's own figures for a period, computed from the records rather than typed in:
//! beneficiaries escorted, warnings raised and acted on, post-discharge person-times, return
//! visits after discharge, problems rectified.

use std::collections::BTreeSet;

use askama::Template;
use axum::Extension;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::Response;
use rusqlite::params;

use super::period::{Kind, PeriodQuery, Window};
use super::session::Session;
use super::strings::Tr;
use super::view::{Frame, PeriodBar};
use super::{ConsoleError, access, blocking, ladder, ledger, render, summary};
use crate::AppState;

/// A home visit within this long after a discharge counts as a return visit.
pub const RETURN_VISIT_WINDOW_MS: i64 = 30 * 86_400_000;

/// The figures for one period and division.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Figures {
    /// Distinct beneficiaries whose stay overlapped the period.
    pub escorted: usize,
    /// Episodes whose stay overlapped the period.
    pub episodes: usize,
    /// Minutes clocked in the period.
    pub minutes: i64,
    /// Episodes complete (nine steps, card, daily records).
    pub complete: usize,
    /// Warnings raised in the period.
    pub warnings: i64,
    /// Of those, warnings with at least one action.
    pub acted: i64,
    /// Post-discharge services recorded in the period.
    pub services: i64,
    /// Home visits in the period.
    pub visits: i64,
    /// Home visits within 30 days after a discharge.
    pub return_visits: i64,
    /// Reminders given to agencies in the period.
    pub reminders: i64,
    /// Rectifications completed in the period.
    pub rectified: i64,
}

/// Computes the figures for `[lo, hi)` over `window`, counting ladder steps of `agencies`.
pub fn compute(
    state: &AppState,
    (lo, hi): (&str, &str),
    window: &Window,
    agencies: &[peihu_shared::ids::AgencyId],
) -> Result<Figures, ConsoleError> {
    let (start, end) = (window.start_ms(), window.end_ms());
    let now = state.now();
    let stays: Vec<_> = ledger::episodes(state, (lo, hi), (start, end), None)?
        .into_iter()
        .filter(|e| e.admitted.is_some())
        .collect();
    let escorted: BTreeSet<&str> = stays.iter().map(|e| e.beneficiary.as_str()).collect();
    let (warnings, acted, services, visits, return_visits) = state.storage.with_conn(|c| {
        Ok(c.query_row(
            "SELECT
               (SELECT count(*) FROM console_warnings WHERE place >= ?1 AND place < ?2 AND raised >= ?3 AND raised < ?4),
               (SELECT count(*) FROM console_warnings WHERE place >= ?1 AND place < ?2 AND raised >= ?3 AND raised < ?4 AND acted IS NOT NULL),
               (SELECT count(*) FROM console_services WHERE place >= ?1 AND place < ?2 AND at >= ?3 AND at < ?4),
               (SELECT count(*) FROM console_visits WHERE place >= ?1 AND place < ?2 AND arrived >= ?3 AND arrived < ?4),
               (SELECT count(*) FROM (SELECT DISTINCT v.beneficiary, v.visit
                  FROM console_episodes e JOIN console_visits v ON v.beneficiary = e.beneficiary
                  WHERE e.place >= ?1 AND e.place < ?2 AND e.discharged IS NOT NULL
                    AND v.arrived >= max(e.discharged, ?3) AND v.arrived < min(e.discharged + ?5, ?4)))",
            params![lo, hi, start, end, RETURN_VISIT_WINDOW_MS],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )?)
    })?;
    let mut reminders = 0;
    let mut rectified = 0;
    for agency in agencies {
        for entry in ladder::entries(&state.storage, *agency)? {
            reminders += i64::from(
                entry.step == ladder::Step::Reminder && entry.at >= start && entry.at < end,
            );
            rectified += i64::from(
                entry.step == ladder::Step::Rectification
                    && entry.outcome.as_deref() == Some("rectified")
                    && entry.outcome_at.is_some_and(|t| t >= start && t < end),
            );
        }
    }
    Ok(Figures {
        escorted: escorted.len(),
        episodes: stays.len(),
        minutes: stays.iter().map(|e| e.minutes).sum(),
        complete: stays.iter().filter(|e| e.complete(window.as_of(now))).count(),
        warnings,
        acted,
        services,
        visits,
        return_visits,
        reminders,
        rectified,
    })
}

#[derive(Template)]
#[template(path = "figures.html")]
struct FiguresPage {
    f: Frame,
    bar: PeriodBar,
    tiles: Vec<(String, String)>,
    definitions: Vec<(String, String)>,
}

/// `GET /console/figures`.
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
        let window = Window::from_query(&q, Kind::Month, state.now());
        let mut agencies = Vec::new();
        for a in access::agencies(&state)? {
            if access::agency_visible(&state, &session.user, &a)? {
                agencies.push(a.id);
            }
        }
        let fig = compute(&state, (&lo, &hi), &window, &agencies)?;
        let pct = if fig.episodes == 0 {
            "—".to_string()
        } else {
            format!("{:.0}%", 100.0 * fig.complete as f64 / fig.episodes as f64)
        };
        let tiles = vec![
            (tr.t("fig.escorted").to_string(), fig.escorted.to_string()),
            (tr.t("fig.episodes").to_string(), fig.episodes.to_string()),
            (tr.t("fig.hours").to_string(), tr.hours(fig.minutes)),
            (tr.t("fig.complete").to_string(), pct),
            (tr.t("fig.visits").to_string(), fig.visits.to_string()),
            (tr.t("fig.warnings").to_string(), fig.warnings.to_string()),
            (tr.t("fig.acted").to_string(), fig.acted.to_string()),
            (tr.t("fig.services").to_string(), fig.services.to_string()),
            (tr.t("fig.return_visits").to_string(), fig.return_visits.to_string()),
            (tr.t("fig.reminders").to_string(), fig.reminders.to_string()),
            (tr.t("fig.rectified").to_string(), fig.rectified.to_string()),
        ];
        let definitions = ["escorted", "acted", "services", "return_visits", "rectified"]
            .iter()
            .map(|k| {
                (tr.t(&format!("fig.{k}")).to_string(), tr.t(&format!("fig.def.{k}")).to_string())
            })
            .collect();
        let page = FiguresPage {
            f: Frame::new(&state, &session, &uri, tr.t("fig.title").into(), "figures")?,
            bar: PeriodBar::new(
                &state,
                &session,
                "/console/figures",
                &window,
                place.as_ref(),
                &[Kind::Week, Kind::Month, Kind::Range],
            )?,
            tiles,
            definitions,
        };
        render(&page)
    })
    .await
}
