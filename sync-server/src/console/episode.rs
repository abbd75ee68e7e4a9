//! The episode page: the nine steps with time, author and evidence, what is missing, the
//! escort's shifts and hours; assigning the escort and settling conflicts.

use std::collections::HashMap;

use askama::Template;
use axum::Extension;
use axum::extract::{Form, Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use peihu_shared::doc;
use peihu_shared::ids::DocId;
use peihu_shared::model::{AckMethod, Episode};
use peihu_shared::time::day_key;

use super::beneficiary::forms::{agency_and_escort, stays_in_division};
use super::beneficiary::{AgencyChoice, ConflictView, agency_choices, conflict_views};
use super::session::Session;
use super::strings::Tr;
use super::view::Frame;
use super::writes::{self, SettleForm};
use super::{ConsoleError, access, blocking, ledger, render, summary};
use crate::AppState;
use crate::storage::Storage;

struct StepView {
    stage: String,
    name: String,
    done: bool,
    pending: bool,
    when: String,
    by: String,
    evidence: String,
}

struct ShiftView {
    escort: String,
    clock_in: String,
    clock_out: String,
    hours: String,
    photos: Vec<Option<String>>,
}

struct RecordView {
    day: String,
    which: String,
    text: String,
    by: String,
}

#[derive(Template)]
#[template(path = "episode.html")]
struct EpisodePage {
    f: Frame,
    id: String,
    beneficiary_href: String,
    facts: Vec<(String, String)>,
    status: String,
    steps: Vec<StepView>,
    steps_done: usize,
    ack: String,
    signature: Option<Option<String>>,
    acknowledged: bool,
    ack_pending: bool,
    days_missing: Vec<String>,
    records: Vec<RecordView>,
    shifts: Vec<ShiftView>,
    total_hours: String,
    conflicts: Vec<ConflictView>,
    agencies: Vec<AgencyChoice>,
    agency_id: String,
    escort_id: String,
}

/// `GET /console/episode/{id}`.
pub async fn page(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(raw): Path<String>,
    uri: Uri,
) -> Result<Response, ConsoleError> {
    blocking(move || {
        let id = access::episode(&state, &session.user, &raw)?;
        let tr = Tr(session.lang);
        let mut loaded =
            state.storage.load_doc(&DocId::Episode(id))?.ok_or(ConsoleError::NotFound)?;
        let episode = doc::hydrate_episode(&loaded.doc)?;
        summary::refresh_quietly(&state.storage, &DocId::Episode(id), &mut loaded.doc);
        let users = ledger::user_names(&state)?;
        let agencies = ledger::agency_names(&state)?;
        let name = state.storage.with_conn(|c| {
            Ok(c.query_row(
                "SELECT name FROM console_beneficiaries WHERE beneficiary = ?1",
                [episode.beneficiary.to_string()],
                |r| r.get::<_, String>(0),
            )
            .unwrap_or_default())
        })?;
        let now = state.now();
        let steps = episode.nine_steps(&day_key(now));
        let who =
            |u: &peihu_shared::ids::UserId| users.get(&u.to_string()).cloned().unwrap_or_default();
        let page = EpisodePage {
            f: Frame::new(
                &state,
                &session,
                &uri,
                format!("{} · {}", tr.t("ep.title"), name),
                "dispatch",
            )?,
            id: id.to_string(),
            beneficiary_href: format!("/console/beneficiary/{}", episode.beneficiary),
            facts: facts(tr, &episode, &agencies, &users),
            status: tr.t(&format!("ep.status.{}", status(&episode))).to_string(),
            steps: step_views(tr, &episode, &users),
            steps_done: steps.done(),
            ack: ack_text(tr, &episode, &users),
            signature: episode
                .acks
                .values()
                .min_by_key(|a| a.prov.at)
                .and_then(|a| a.signature.as_ref())
                .map(|h| super::photo::src_if_arrived(state.blobs.as_ref(), h)),
            acknowledged: steps.acknowledged,
            ack_pending: episode.admitted.v.is_none(),
            days_missing: steps.days_missing_records,
            records: record_views(tr, &episode, &users),
            shifts: shift_views(tr, &episode, now, &who, state.blobs.as_ref()),
            total_hours: tr.hours(episode.service_minutes(now)),
            conflicts: conflict_views(tr, "episode", &loaded.doc, &users),
            agencies: agency_choices(&state, &session)?,
            agency_id: episode.agency.v.to_string(),
            escort_id: episode.escort.v.map(|e| e.to_string()).unwrap_or_default(),
        };
        render(&page)
    })
    .await
}

fn status(e: &Episode) -> &'static str {
    match (e.admitted.v, e.discharged.v) {
        (_, Some(_)) => "discharged",
        (Some(_), None) => "in_hospital",
        (None, None) => "waiting",
    }
}

fn facts(
    tr: Tr,
    e: &Episode,
    agencies: &HashMap<String, String>,
    users: &HashMap<String, String>,
) -> Vec<(String, String)> {
    let opt_time = |t: Option<i64>| t.map(|t| tr.time(t)).unwrap_or_else(|| "—".into());
    vec![
        (tr.t("col.hospital").into(), e.hospital.v.clone()),
        (tr.t("col.ward").into(), e.ward.v.clone()),
        (tr.t("col.bed").into(), e.bed.v.clone()),
        (
            tr.t("col.agency").into(),
            agencies.get(&e.agency.v.to_string()).cloned().unwrap_or_default(),
        ),
        (
            tr.t("col.escort").into(),
            e.escort
                .v
                .and_then(|u| users.get(&u.to_string()).cloned())
                .unwrap_or_else(|| tr.t("unassigned").into()),
        ),
        (
            tr.t("ep.opened").into(),
            format!(
                "{} · {}",
                tr.time(e.opened.at),
                users.get(&e.opened.by.to_string()).cloned().unwrap_or_default()
            ),
        ),
        (tr.t("ben.expected").into(), tr.time(e.expected_admission)),
        (tr.t("col.admitted").into(), opt_time(e.admitted.v)),
        (tr.t("col.discharged").into(), opt_time(e.discharged.v)),
    ]
}

fn step_views(tr: Tr, e: &Episode, users: &HashMap<String, String>) -> Vec<StepView> {
    let who = |p: &peihu_shared::model::Provenance| {
        users.get(&p.by.to_string()).cloned().unwrap_or_default()
    };
    let mut out = Vec::new();
    for (i, code) in ledger::STEP_CODES.iter().enumerate() {
        let stage =
            tr.t(["ep.stage.admission", "ep.stage.stay", "ep.stage.discharge"][i / 3]).to_string();
        let (kind, which) = code.split_once('.').unwrap_or_default();
        let first: Option<(&peihu_shared::model::Provenance, String)> = match kind {
            "notice" => e
                .notices
                .values()
                .filter(|n| n.which.code() == which)
                .min_by_key(|n| n.prov.at)
                .map(|n| (&n.prov, String::new())),
            "daily" => {
                let all: Vec<_> = e.daily.values().filter(|d| d.which.code() == which).collect();
                all.iter().min_by_key(|d| d.prov.at).map(|d| {
                    let days: std::collections::BTreeSet<&str> =
                        all.iter().map(|d| d.day.as_str()).collect();
                    (&d.prov, format!("{} × {}", days.len(), tr.t("ep.records")))
                })
            }
            _ => e
                .handovers
                .values()
                .filter(|h| h.which.code() == which)
                .min_by_key(|h| h.prov.at)
                .map(|h| (&h.prov, format!("→ {}：{}", h.to, h.text))),
        };
        let begun = match i / 3 {
            0 | 1 => e.admitted.v.is_some(),
            _ => e.discharged.v.is_some(),
        };
        out.push(StepView {
            stage,
            name: tr.t(&format!("ep.step.{code}")).to_string(),
            done: first.is_some(),
            pending: first.is_none() && !begun,
            when: first.as_ref().map(|(p, _)| tr.time(p.at)).unwrap_or_default(),
            by: first.as_ref().map(|(p, _)| who(p)).unwrap_or_default(),
            evidence: first.map(|(_, ev)| ev).unwrap_or_default(),
        });
    }
    out
}

fn ack_text(tr: Tr, e: &Episode, users: &HashMap<String, String>) -> String {
    let Some(ack) = e.acks.values().min_by_key(|a| a.prov.at) else { return String::new() };
    let method = match ack.method {
        AckMethod::Signature => tr.t("ep.ack.signature"),
        AckMethod::AttestedTick => tr.t("ep.ack.attested_tick"),
    };
    let evidence = match (&ack.signature, &ack.attestation) {
        (Some(hash), _) => format!(" · {}", &hash.to_string()[..12.min(hash.to_string().len())]),
        (None, Some(text)) => format!(" · {text}"),
        (None, None) => String::new(),
    };
    let by = users.get(&ack.prov.by.to_string()).cloned().unwrap_or_default();
    format!("{} · {method} · {by}{evidence}", tr.time(ack.prov.at))
}

fn record_views(tr: Tr, e: &Episode, users: &HashMap<String, String>) -> Vec<RecordView> {
    let mut list: Vec<_> = e.daily.values().collect();
    list.sort_by(|a, b| (&b.day, b.prov.at).cmp(&(&a.day, a.prov.at)));
    list.into_iter()
        .map(|d| RecordView {
            day: d.day.clone(),
            which: tr.t(&format!("ep.step.daily.{}", d.which.code())).to_string(),
            text: d.text.clone(),
            by: users.get(&d.prov.by.to_string()).cloned().unwrap_or_default(),
        })
        .collect()
}

fn shift_views(
    tr: Tr,
    e: &Episode,
    now: i64,
    who: &dyn Fn(&peihu_shared::ids::UserId) -> String,
    blobs: &dyn crate::blobs::BlobStore,
) -> Vec<ShiftView> {
    let mut list: Vec<_> = e.shifts.values().collect();
    list.sort_by_key(|s| s.clock_in);
    list.into_iter()
        .map(|s| ShiftView {
            escort: who(&s.escort),
            clock_in: tr.time(s.clock_in),
            clock_out: s.clock_out.map(|t| tr.time(t)).unwrap_or_else(|| tr.t("ep.on_duty").into()),
            hours: tr.hours((s.clock_out.unwrap_or(now) - s.clock_in).max(0) / 60_000),
            photos: s.photos.iter().map(|h| super::photo::src_if_arrived(blobs, h)).collect(),
        })
        .collect()
}

/// The escort-assignment form.
#[derive(Debug, serde::Deserialize)]
pub struct EscortForm {
    escort: String,
}

/// `POST /console/episode/{id}/escort`.
pub async fn assign_escort(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(raw): Path<String>,
    Form(form): Form<EscortForm>,
) -> Result<Response, ConsoleError> {
    blocking(move || {
        let id = access::episode(&state, &session.user, &raw)?;
        let tr = Tr(session.lang);
        let loaded = state.storage.load_doc(&DocId::Episode(id))?.ok_or(ConsoleError::NotFound)?;
        let agency = doc::hydrate_episode(&loaded.doc)?.agency.v;
        let (_, escort) = agency_and_escort(&state, &session, &agency.to_string(), &form.escort)?;
        let prov = writes::provenance(&state, &session.user);
        writes::edit(
            &state,
            DocId::Episode(id),
            |d| Ok(doc::set_register(d, &["escort"], escort, &prov)?),
            stays_in_division(tr, &session.user),
        )?;
        tracing::info!(user = %session.user.id, episode = %id, "escort assigned from the console");
        Ok(Redirect::to(&format!("/console/episode/{id}?saved=1")).into_response())
    })
    .await
}

/// `POST /console/episode/{id}/settle`.
pub async fn settle(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(raw): Path<String>,
    Form(form): Form<SettleForm>,
) -> Result<Response, ConsoleError> {
    blocking(move || {
        let id = access::episode(&state, &session.user, &raw)?;
        let tr = Tr(session.lang);
        if form.doc != "episode" {
            return Err(ConsoleError::NotFound);
        }
        let prov = writes::provenance(&state, &session.user);
        let changed = tr.t("form.conflict_changed");
        writes::edit(
            &state,
            DocId::Episode(id),
            |d| writes::settle(d, &form, &prov, changed),
            stays_in_division(tr, &session.user),
        )?;
        Ok(Redirect::to(&format!("/console/episode/{id}?saved=1")).into_response())
    })
    .await
}
