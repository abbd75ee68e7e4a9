//! The agency ledger: per agency and period, episodes, hours, nine-step completeness, missed
//! steps and warnings; and the escalation ladder with dates and outcomes.

use askama::Template;
use axum::Extension;
use axum::extract::{Form, Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;

use super::access::{self, AgencyRow};
use super::ladder::{self, Step};
use super::ledger::{self, AgencyTotals, EpisodeRow};
use super::period::{Kind, PeriodQuery, Window};
use super::session::Session;
use super::strings::Tr;
use super::view::{Frame, PeriodBar};
use super::{ConsoleError, blocking, render, summary};
use crate::AppState;

/// One agency's line as shown.
#[derive(Debug, Clone)]
pub struct AgencyLine {
    href: String,
    name: String,
    suspended: bool,
    totals: AgencyTotals,
    hours: String,
    complete_pct: String,
    last_step: String,
}

/// One episode line of the ledger as shown.
#[derive(Debug, Clone)]
pub struct LedgerLine {
    href: String,
    name: String,
    hospital: String,
    escort: String,
    admitted: String,
    discharged: String,
    hours: String,
    steps: usize,
    missing: String,
    days_missing: usize,
    complete: bool,
}

struct StepLine {
    id: i64,
    when: String,
    step: String,
    note: String,
    deadline: String,
    past_deadline: bool,
    by: String,
    outcome: String,
    open: bool,
}

#[derive(Template)]
#[template(path = "agencies.html")]
struct AgenciesPage {
    f: Frame,
    bar: PeriodBar,
    lines: Vec<AgencyLine>,
    export_query: String,
}

#[derive(Template)]
#[template(path = "agency.html")]
struct AgencyPage {
    f: Frame,
    bar: PeriodBar,
    id: String,
    line: AgencyLine,
    episodes: Vec<LedgerLine>,
    steps: Vec<StepLine>,
    may_remove: bool,
    export_query: String,
    today: String,
}

fn pct(part: usize, whole: usize) -> String {
    if whole == 0 { "—".into() } else { format!("{:.0}%", 100.0 * part as f64 / whole as f64) }
}

fn line(
    state: &AppState,
    tr: Tr,
    a: &AgencyRow,
    totals: AgencyTotals,
    query: &str,
) -> Result<AgencyLine, ConsoleError> {
    let last = ladder::entries(&state.storage, a.id)?.into_iter().next();
    Ok(AgencyLine {
        href: format!("/console/agency/{}?{query}", a.id),
        name: a.name.clone(),
        suspended: a.suspended,
        hours: tr.hours(totals.minutes),
        complete_pct: pct(totals.complete, totals.episodes),
        totals,
        last_step: last
            .map(|l| {
                format!("{} {}", tr.short_time(l.at), tr.t(&format!("step.{}", l.step.code())))
            })
            .unwrap_or_default(),
    })
}

/// What the ledger pages gather for a period.
struct Gathered {
    window: Window,
    place: Option<peihu_shared::ids::PlaceCode>,
    rows: Vec<EpisodeRow>,
    totals: std::collections::HashMap<String, AgencyTotals>,
}

/// Episodes and totals per agency in the supervisor's division (or the chosen part of it).
fn gather(
    state: &AppState,
    session: &Session,
    q: &PeriodQuery,
    agency: Option<&str>,
) -> Result<Gathered, ConsoleError> {
    let now = state.now();
    let place = access::narrow(state, &session.user, q.place.as_deref())?;
    let (lo, hi) =
        place.as_ref().map(access::range_of).unwrap_or_else(|| access::place_range(&session.user));
    summary::catch_up(&state.storage, &lo, &hi)?;
    let window = Window::from_query(q, Kind::Month, now);
    let span = (window.start_ms(), window.end_ms());
    let rows = ledger::episodes(state, (&lo, &hi), span, agency)?;
    let warnings = ledger::warnings_by_beneficiary(state, (&lo, &hi), span)?;
    let totals = ledger::totals(&rows, &warnings, window.as_of(now));
    Ok(Gathered { window, place, rows, totals })
}

fn export_query(
    window: &Window,
    place: Option<&peihu_shared::ids::PlaceCode>,
    agency: Option<&str>,
) -> String {
    let mut q = window.query();
    if let Some(p) = place {
        q.push_str(&format!("&place={p}"));
    }
    if let Some(a) = agency {
        q.push_str(&format!("&agency={a}"));
    }
    q
}

/// `GET /console/agencies`.
pub async fn list(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Query(q): Query<PeriodQuery>,
    uri: Uri,
) -> Result<Response, ConsoleError> {
    blocking(move || {
        let tr = Tr(session.lang);
        let Gathered { window, place, mut totals, .. } = gather(&state, &session, &q, None)?;
        let mut lines = Vec::new();
        for a in access::agencies(&state)? {
            if access::agency_visible(&state, &session.user, &a)? {
                let t = totals.remove(&a.id.to_string()).unwrap_or_default();
                lines.push(line(&state, tr, &a, t, &window.query())?);
            }
        }
        let page = AgenciesPage {
            f: Frame::new(&state, &session, &uri, tr.t("agency.title").into(), "agencies")?,
            bar: PeriodBar::new(
                &state,
                &session,
                "/console/agencies",
                &window,
                place.as_ref(),
                &[Kind::Week, Kind::Month, Kind::Range],
            )?,
            lines,
            export_query: export_query(&window, place.as_ref(), None),
        };
        render(&page)
    })
    .await
}

/// Turns ledger rows into lines.
pub fn ledger_lines(
    state: &AppState,
    tr: Tr,
    rows: &[EpisodeRow],
    now: i64,
) -> Result<Vec<LedgerLine>, ConsoleError> {
    let users = ledger::user_names(state)?;
    Ok(rows
        .iter()
        .map(|e| LedgerLine {
            href: format!("/console/episode/{}", e.episode),
            name: e.name.clone(),
            hospital: format!("{} · {}", e.hospital, e.ward),
            escort: e
                .escort
                .as_ref()
                .and_then(|u| users.get(u).cloned())
                .unwrap_or_else(|| tr.t("unassigned").into()),
            admitted: e.admitted.map(|t| tr.short_time(t)).unwrap_or_else(|| "—".into()),
            discharged: e.discharged.map(|t| tr.short_time(t)).unwrap_or_else(|| "—".into()),
            hours: tr.hours(e.minutes),
            steps: e.steps_done(),
            missing: e
                .missing_steps()
                .iter()
                .map(|c| tr.t(&format!("ep.step.{c}")))
                .collect::<Vec<_>>()
                .join("、"),
            days_missing: e.days_missing_records(now).len(),
            complete: e.complete(now),
        })
        .collect())
}

/// `GET /console/agency/{id}`.
pub async fn page(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(raw): Path<String>,
    Query(q): Query<PeriodQuery>,
    uri: Uri,
) -> Result<Response, ConsoleError> {
    blocking(move || {
        let tr = Tr(session.lang);
        let agency = access::agency(&state, &session.user, &raw)?;
        let id = agency.id.to_string();
        let Gathered { window, place, rows, mut totals } = gather(&state, &session, &q, Some(&id))?;
        let now = state.now();
        let steps = ladder::entries(&state.storage, agency.id)?
            .into_iter()
            .map(|l| StepLine {
                id: l.id,
                when: tr.time(l.at),
                step: tr.t(&format!("step.{}", l.step.code())).to_string(),
                note: l.note,
                deadline: l
                    .deadline
                    .map(|d| tr.date(peihu_shared::time::china_date(d)))
                    .unwrap_or_default(),
                past_deadline: l.outcome.is_none() && l.deadline.is_some_and(|d| d < now),
                by: l.by,
                outcome: match (&l.outcome, l.outcome_at) {
                    (Some(o), Some(at)) => format!(
                        "{} · {}{}",
                        tr.t(&format!("outcome.{o}")),
                        tr.short_time(at),
                        l.outcome_note.map(|n| format!(" · {n}")).unwrap_or_default()
                    ),
                    _ => tr.t("outcome.pending").to_string(),
                },
                open: l.outcome.is_none() && l.step != Step::Removal,
            })
            .collect();
        let t = totals.remove(&id).unwrap_or_default();
        let page = AgencyPage {
            f: Frame::new(&state, &session, &uri, agency.name.clone(), "agencies")?,
            bar: PeriodBar::new(
                &state,
                &session,
                &format!("/console/agency/{id}"),
                &window,
                place.as_ref(),
                &[Kind::Week, Kind::Month, Kind::Range],
            )?,
            line: line(&state, tr, &agency, t, &window.query())?,
            episodes: ledger_lines(&state, tr, &rows, window.as_of(now))?,
            steps,
            may_remove: access::may_remove(&session.user, &agency) && !agency.suspended,
            export_query: export_query(&window, place.as_ref(), Some(&id)),
            today: peihu_shared::time::day_key(now),
            id,
        };
        render(&page)
    })
    .await
}

/// The form that records a ladder step.
#[derive(Debug, serde::Deserialize)]
pub struct StepForm {
    step: String,
    note: String,
    #[serde(default)]
    deadline: String,
    confirm: Option<String>,
}

/// `POST /console/agency/{id}/ladder`.
pub async fn add_step(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(raw): Path<String>,
    Form(form): Form<StepForm>,
) -> Result<Response, ConsoleError> {
    blocking(move || {
        let tr = Tr(session.lang);
        let agency = access::agency(&state, &session.user, &raw)?;
        let step = Step::from_code(&form.step).ok_or_else(|| ConsoleError::BadInput(tr.t("form.required").into()))?;
        let note = form.note.trim();
        if note.is_empty() {
            return Err(ConsoleError::BadInput(tr.t("form.required").into()));
        }
        let deadline = match step {
            Step::Rectification => {
                let day = NaiveDate::parse_from_str(form.deadline.trim(), "%Y-%m-%d")
                    .map_err(|_| ConsoleError::BadInput(tr.t("form.bad_date").into()))?;
                // The deadline is the end of that China day.
                Some(peihu_shared::time::start_of_china_day(day) + 86_400_000 - 1)
            }
            _ => None,
        };
        let now = state.now();
        if step == Step::Removal {
            if !access::may_remove(&session.user, &agency) {
                return Err(access::refuse(&state, &session.user, "console.refused.agency_removal", None));
            }
            if form.confirm.is_none() {
                return Err(ConsoleError::BadInput(tr.t("agency.confirm_removal").into()));
            }
            state.storage.suspend_agency(agency.id, true, now)?;
        }
        ladder::add(&state.storage, agency.id, step, note, deadline, session.user.id, now)?;
        tracing::info!(user = %session.user.id, agency = %agency.id, step = step.code(), "agency escalation recorded");
        Ok(Redirect::to(&format!("/console/agency/{}?saved=1#ladder", agency.id)).into_response())
    })
    .await
}

/// The form that records what came of a step.
#[derive(Debug, serde::Deserialize)]
pub struct OutcomeForm {
    outcome: String,
    #[serde(default)]
    note: String,
}

/// `POST /console/agency/{id}/ladder/{step}/outcome`.
pub async fn record_outcome(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path((raw, step)): Path<(String, i64)>,
    Form(form): Form<OutcomeForm>,
) -> Result<Response, ConsoleError> {
    blocking(move || {
        let tr = Tr(session.lang);
        let agency = access::agency(&state, &session.user, &raw)?;
        if !matches!(form.outcome.as_str(), "rectified" | "not_rectified" | "noted") {
            return Err(ConsoleError::BadInput(tr.t("form.required").into()));
        }
        let note: String = form.note.trim().chars().take(2000).collect();
        let found = ladder::set_outcome(
            &state.storage,
            agency.id,
            step,
            &form.outcome,
            &note,
            session.user.id,
            state.now(),
        )?;
        if !found {
            return Err(ConsoleError::NotFound);
        }
        Ok(Redirect::to(&format!("/console/agency/{}?saved=1#ladder", agency.id)).into_response())
    })
    .await
}
