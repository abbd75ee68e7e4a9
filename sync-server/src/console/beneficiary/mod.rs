//! The beneficiary page: profile, colour history, visits with a trend of blood pressure and
//! glucose, warnings and how they were closed, episodes, escort requests, and the conflicts
//! the CRDT kept for a supervisor to settle. The forms that write are in [`forms`].

pub mod forms;
mod visits;

use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use chrono::Datelike;
use peihu_shared::doc;
use peihu_shared::ids::DocId;
use peihu_shared::model::{Card, Case};
use peihu_shared::rules::duty_for;
use peihu_shared::time::china_date;

use super::ledger::{self, EpisodeRow};
use super::session::Session;
use super::strings::Tr;
use super::view::{Frame, mask_id_number, query_value};
use super::{ConsoleError, access, blocking, render, summary};
use crate::AppState;
use crate::storage::Storage;
use visits::VisitView;

/// One concurrent value of a field, with the form data that keeps it.
#[derive(Debug, Clone)]
pub struct ConflictChoice {
    /// The value as text.
    pub value: String,
    /// Who wrote it and when.
    pub by: String,
    /// Provenance fields the form sends back to name this value.
    pub set_by: String,
    /// Device of the writer.
    pub set_device: String,
    /// Time of the write.
    pub set_at: i64,
}

/// A field holding concurrent values.
#[derive(Debug, Clone)]
pub struct ConflictView {
    /// `card`, `case` or `episode`.
    pub doc: &'static str,
    /// Field path.
    pub path: String,
    /// The values.
    pub values: Vec<ConflictChoice>,
}

/// Lists a document's conflicts for the page.
pub fn conflict_views(
    tr: Tr,
    kind: &'static str,
    doc: &automerge::AutoCommit,
    users: &std::collections::HashMap<String, String>,
) -> Vec<ConflictView> {
    doc::conflicts(doc)
        .into_iter()
        .map(|c| ConflictView {
            doc: kind,
            path: c.path,
            values: c
                .values
                .into_iter()
                .map(|v| ConflictChoice {
                    value: v.value,
                    by: format!(
                        "{} · {}",
                        users
                            .get(&v.set.by.to_string())
                            .cloned()
                            .unwrap_or_else(|| v.set.by.to_string()),
                        tr.time(v.set.at)
                    ),
                    set_by: v.set.by.to_string(),
                    set_device: v.set.device.to_string(),
                    set_at: v.set.at,
                })
                .collect(),
        })
        .collect()
}

struct Row {
    label: String,
    value: String,
}

struct ColourView {
    when: String,
    colour: &'static str,
    name: String,
    reason: String,
    by: String,
}

struct WarningRow {
    id: String,
    raised: String,
    what: String,
    severity: String,
    severity_name: String,
    open: bool,
    actions: Vec<String>,
}

struct RequestView {
    when: String,
    reason: String,
    hospital: String,
    pending: bool,
}

struct EpisodeLink {
    href: String,
    hospital: String,
    status: String,
    since: String,
    steps: usize,
}

/// An agency and its escorts, for the open-episode form.
#[derive(Debug, Clone)]
pub struct AgencyChoice {
    /// Agency id.
    pub id: String,
    /// Name.
    pub name: String,
    /// `(user id, name)` of its escorts.
    pub escorts: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "beneficiary.html")]
struct BeneficiaryPage {
    f: Frame,
    id: String,
    b: Body,
    conflicts: Vec<ConflictView>,
    agencies: Vec<AgencyChoice>,
    prefill_hospital: String,
    default_expected: String,
}

/// What the page shows from the beneficiary's two documents.
struct Body {
    colour: &'static str,
    colour_name: String,
    duty: String,
    duty_class: &'static str,
    profile: Vec<Row>,
    colours: Vec<ColourView>,
    trend_bp: String,
    trend_glucose: String,
    has_readings: bool,
    visits: Vec<VisitView>,
    visits_total: usize,
    show_all: bool,
    warnings: Vec<WarningRow>,
    episodes: Vec<EpisodeLink>,
    requests: Vec<RequestView>,
    services: Vec<String>,
}

/// `GET /console/beneficiary/{id}`.
pub async fn page(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(raw): Path<String>,
    uri: Uri,
) -> Result<Response, ConsoleError> {
    blocking(move || {
        let (id, place) = access::beneficiary(&state, &session.user, &raw)?;
        let tr = Tr(session.lang);
        let village = super::view::place_name(&state, &place.to_string())?
            .unwrap_or_else(|| place.to_string());
        let load = |d: DocId| state.storage.load_doc(&d)?.ok_or(ConsoleError::NotFound);
        let mut card_doc = load(DocId::Card(id))?;
        let mut case_doc = load(DocId::Case(id))?;
        let card = doc::hydrate_card(&card_doc.doc)?;
        let case = doc::hydrate_case(&case_doc.doc)?;
        // Opening the page is a good moment to make sure the summary agrees with it.
        summary::refresh_quietly(&state.storage, &DocId::Card(id), &mut card_doc.doc);
        summary::refresh_quietly(&state.storage, &DocId::Case(id), &mut case_doc.doc);
        let users = ledger::user_names(&state)?;
        let mut conflicts = conflict_views(tr, "card", &card_doc.doc, &users);
        conflicts.extend(conflict_views(tr, "case", &case_doc.doc, &users));
        let show_all = query_value(&uri, "visits").as_deref() == Some("all");
        let episodes = episode_rows(&state, &id.to_string())?;
        let page = BeneficiaryPage {
            f: Frame::new(&state, &session, &uri, card.name.v.clone(), "overdue")?,
            id: id.to_string(),
            b: fill(&state, tr, (&card, &case, &village), &users, &episodes, show_all),
            conflicts,
            prefill_hospital: query_value(&uri, "hospital")
                .map(|h| percent_decode(&h))
                .unwrap_or_default(),
            default_expected: peihu_shared::time::china_time(state.now())
                .format("%Y-%m-%dT%H:%M")
                .to_string(),
            agencies: agency_choices(&state, &session)?,
        };
        render(&page)
    })
    .await
}

fn percent_decode(text: &str) -> String {
    serde_urlencoded::from_str::<Vec<(String, String)>>(&format!("v={text}"))
        .ok()
        .and_then(|mut v| v.pop())
        .map(|(_, v)| v)
        .unwrap_or_default()
}

fn episode_rows(state: &AppState, beneficiary: &str) -> Result<Vec<EpisodeRow>, ConsoleError> {
    let all = ledger::episodes(state, ("", "~"), (i64::MIN / 2, i64::MAX / 2), None)?;
    Ok(all.into_iter().filter(|e| e.beneficiary == beneficiary).collect())
}

/// Agencies in service that concern the supervisor, with their escorts.
pub fn agency_choices(
    state: &AppState,
    session: &Session,
) -> Result<Vec<AgencyChoice>, ConsoleError> {
    let users = state.storage.with_conn(|c| {
        let mut stmt = c.prepare_cached(
            "SELECT agency, id, name FROM users WHERE role = 'escort' AND agency IS NOT NULL ORDER BY name",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    })?;
    let mut out = Vec::new();
    for a in access::agencies(state)? {
        if a.suspended || !access::agency_visible(state, &session.user, &a)? {
            continue;
        }
        let id = a.id.to_string();
        let escorts =
            users.iter().filter(|u| u.0 == id).map(|u| (u.1.clone(), u.2.clone())).collect();
        out.push(AgencyChoice { id, name: a.name, escorts });
    }
    Ok(out)
}

/// Everything on the page that comes from the two documents.
fn fill(
    state: &AppState,
    tr: Tr,
    (card, case, village): (&Card, &Case, &str),
    users: &std::collections::HashMap<String, String>,
    episodes: &[EpisodeRow],
    show_all: bool,
) -> Body {
    let now = state.now();
    let current = case.current_colour();
    let colour = current.map(|c| c.colour.code()).unwrap_or("blue");
    let visits: Vec<i64> = case.visits.values().map(|v| v.arrived).collect();
    let (duty, duty_class) = match current {
        Some(c) => {
            let d = duty_for(c.colour, c.prov.at, &visits, now);
            let text = match d.status {
                peihu_shared::rules::DutyStatus::Overdue { days } => {
                    format!("{} {}", tr.t("duty.overdue"), tr.days(days))
                }
                s => tr.t(&format!("duty.{}", s.code())).to_string(),
            };
            (text, d.status.code())
        }
        None => (tr.t("none").to_string(), "due"),
    };
    let name_of =
        |id: &peihu_shared::ids::UserId| users.get(&id.to_string()).cloned().unwrap_or_default();
    let (trend_bp, trend_glucose, has_readings) = visits::trends(tr, case);
    let all_visits = visits::views(tr, case, users, state.blobs.as_ref());
    let visits_total = all_visits.len();
    Body {
        colour,
        colour_name: tr.colour(colour).to_string(),
        duty,
        duty_class,
        profile: profile(tr, card, case, village, now),
        colours: case
            .colour_history()
            .into_iter()
            .rev()
            .map(|c| ColourView {
                when: tr.time(c.prov.at),
                colour: c.colour.code(),
                name: tr.colour(c.colour.code()).to_string(),
                reason: c.reason.clone(),
                by: name_of(&c.prov.by),
            })
            .collect(),
        trend_bp,
        trend_glucose,
        has_readings,
        visits: if show_all { all_visits } else { all_visits.into_iter().take(20).collect() },
        visits_total,
        show_all,
        warnings: warnings(tr, case, users),
        episodes: episodes
            .iter()
            .map(|e| EpisodeLink {
                href: format!("/console/episode/{}", e.episode),
                hospital: format!("{} · {}", e.hospital, e.ward),
                status: tr.t(&format!("ep.status.{}", e.status())).to_string(),
                since: tr.time(e.admitted.unwrap_or(e.opened)),
                steps: e.steps_done(),
            })
            .collect(),
        requests: requests(tr, case, episodes),
        services: case
            .services
            .values()
            .map(|s| format!("{} · {}", tr.time(s.prov.at), service_name(&s.kind)))
            .collect(),
    }
}

fn service_name(kind: &peihu_shared::model::ServiceKind) -> String {
    use peihu_shared::model::ServiceKind;
    match kind {
        ServiceKind::FamilyDoctorHandover { team } => {
            format!("家庭医生签约转介 / family doctor: {team}")
        }
        ServiceKind::Welfare { category } => format!("福利服务 / welfare: {category}"),
        ServiceKind::FourOnes { which } => format!("四个一 / four ones: {which}"),
    }
}

fn profile(tr: Tr, card: &Card, case: &Case, village: &str, now: i64) -> Vec<Row> {
    let row = |key: &str, value: String| Row { label: tr.t(key).to_string(), value };
    fn enum_code<T: serde::Serialize>(v: &T) -> String {
        serde_json::to_value(v)
            .ok()
            .and_then(|j| j.as_str().map(str::to_string))
            .unwrap_or_default()
    }
    let age = chrono::NaiveDate::parse_from_str(&card.birth_date.v, "%Y-%m-%d")
        .map(|b| {
            let today = china_date(now);
            let had_birthday = (today.month(), today.day()) >= (b.month(), b.day());
            (today.year() - b.year() - i32::from(!had_birthday)).to_string()
        })
        .unwrap_or_default();
    let list =
        |v: &Vec<String>| if v.is_empty() { tr.t("none").to_string() } else { v.join("、") };
    vec![
        row("ben.village", village.to_string()),
        row("ben.sex", tr.t(&format!("sex.{}", enum_code(&card.sex.v))).to_string()),
        row("ben.birth", card.birth_date.v.clone()),
        row("ben.age", age),
        row("ben.id_number", mask_id_number(&case.profile.id_number.v)),
        row("ben.address", case.profile.address.v.clone()),
        row(
            "ben.living",
            tr.t(&format!("living.{}", enum_code(&case.profile.living.v))).to_string(),
        ),
        row(
            "ben.disability",
            tr.t(&format!("disability.{}", enum_code(&case.profile.disability.v))).to_string(),
        ),
        row("ben.allergies", list(&card.allergies.v)),
        row("ben.conditions", list(&card.conditions.v)),
        row("ben.contact", format!("{} {}", card.contact_name.v, card.contact_phone.v)),
    ]
}

fn warnings(
    tr: Tr,
    case: &Case,
    users: &std::collections::HashMap<String, String>,
) -> Vec<WarningRow> {
    use peihu_shared::model::WarningSource;
    let mut list: Vec<_> = case.warnings.iter().collect();
    list.sort_by_key(|(_, w)| std::cmp::Reverse(w.prov.at));
    list.into_iter()
        .map(|(id, w)| {
            let mut actions: Vec<_> =
                case.warning_actions.values().filter(|a| &a.warning == id).collect();
            actions.sort_by_key(|a| a.prov.at);
            let open = !actions.iter().any(|a| a.closes);
            WarningRow {
                id: id.clone(),
                raised: tr.time(w.prov.at),
                what: match &w.source {
                    WarningSource::Reading { measure, rule } => {
                        format!("{}：{rule}", tr.t(&format!("measure.{measure}")))
                    }
                    WarningSource::Escalation { reason } => reason.clone(),
                },
                severity: w.severity.clone(),
                severity_name: tr.t(&format!("severity.{}", w.severity)).to_string(),
                open,
                actions: actions
                    .iter()
                    .map(|a| {
                        let who = users.get(&a.prov.by.to_string()).cloned().unwrap_or_default();
                        let closed = if a.closes {
                            format!(" （{}）", tr.t("ben.closed"))
                        } else {
                            String::new()
                        };
                        format!("{} {}：{}{}", tr.time(a.prov.at), who, a.action, closed)
                    })
                    .collect(),
            }
        })
        .collect()
}

fn requests(tr: Tr, case: &Case, episodes: &[EpisodeRow]) -> Vec<RequestView> {
    let mut list: Vec<_> = case.escort_requests.iter().collect();
    list.sort_by_key(|(_, r)| std::cmp::Reverse(r.prov.at));
    list.into_iter()
        .map(|(_, r)| RequestView {
            when: tr.time(r.prov.at),
            reason: r.reason.clone(),
            hospital: r.hospital.clone().unwrap_or_default(),
            pending: !episodes.iter().any(|e| e.opened >= r.prov.at),
        })
        .collect()
}
