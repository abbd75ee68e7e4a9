//! The beneficiary page's forms: change the colour, settle a conflict, act on a warning, open
//! an escort episode from a phone call. Each writes an ordinary change under the supervisor's
//! provenance; the guard has already checked the CSRF token.

use axum::Extension;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDateTime;
use peihu_shared::doc::{self, NewEpisode};
use peihu_shared::ids::{AgencyId, DocId, EpisodeId, RecordId, UserId};
use peihu_shared::model::{ColourAssessment, RiskColour, WarningAction};

use crate::AppState;
use crate::console::session::Session;
use crate::console::strings::Tr;
use crate::console::writes::{self, SettleForm};
use crate::console::{ConsoleError, access, blocking};
use crate::storage::User;

/// The colour form.
#[derive(Debug, serde::Deserialize)]
pub struct ColourForm {
    colour: String,
    reason: String,
}

/// The warning-action form.
#[derive(Debug, serde::Deserialize)]
pub struct WarningForm {
    warning: String,
    action: String,
    closes: Option<String>,
}

/// The phone-call form that opens an episode.
#[derive(Debug, serde::Deserialize)]
pub struct EpisodeForm {
    hospital: String,
    ward: String,
    #[serde(default)]
    bed: String,
    expected: String,
    agency: String,
    #[serde(default)]
    escort: String,
}

fn back(id: &str, anchor: &str) -> Response {
    Redirect::to(&format!("/console/beneficiary/{id}?saved=1#{anchor}")).into_response()
}

fn required(tr: Tr, text: &str) -> Result<String, ConsoleError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ConsoleError::BadInput(tr.t("form.required").into()));
    }
    Ok(text.chars().take(2000).collect())
}

/// A write must leave the record inside the writer's division.
pub fn stays_in_division(
    tr: Tr,
    user: &User,
) -> impl FnOnce(&doc::DocHeader) -> Result<(), ConsoleError> + '_ {
    move |h| {
        if access::covers(user, &h.place) {
            Ok(())
        } else {
            Err(ConsoleError::BadInput(tr.t("form.out_of_division").into()))
        }
    }
}

/// `POST /console/beneficiary/{id}/colour`.
pub async fn change_colour(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(raw): Path<String>,
    Form(form): Form<ColourForm>,
) -> Result<Response, ConsoleError> {
    blocking(move || {
        let tr = Tr(session.lang);
        let (id, _) = access::beneficiary(&state, &session.user, &raw)?;
        let colour = RiskColour::from_code(form.colour.trim())
            .ok_or_else(|| ConsoleError::BadInput(tr.t("form.bad_colour").into()))?;
        let reason = required(tr, &form.reason)?;
        let assessment = ColourAssessment { colour, reason, prov: writes::provenance(&state, &session.user) };
        writes::edit(
            &state,
            DocId::Case(id),
            |d| Ok(doc::set_colour(d, RecordId::new_random(), &assessment)?),
            stays_in_division(tr, &session.user),
        )?;
        tracing::info!(user = %session.user.id, doc = %DocId::Case(id), "colour changed from the console");
        Ok(back(&raw, "colour"))
    })
    .await
}

/// `POST /console/beneficiary/{id}/settle`.
pub async fn settle(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(raw): Path<String>,
    Form(form): Form<SettleForm>,
) -> Result<Response, ConsoleError> {
    blocking(move || {
        let tr = Tr(session.lang);
        let (id, _) = access::beneficiary(&state, &session.user, &raw)?;
        let target = match form.doc.as_str() {
            "card" => DocId::Card(id),
            "case" => DocId::Case(id),
            _ => return Err(ConsoleError::NotFound),
        };
        let prov = writes::provenance(&state, &session.user);
        let changed = tr.t("form.conflict_changed");
        writes::edit(
            &state,
            target,
            |d| writes::settle(d, &form, &prov, changed),
            stays_in_division(tr, &session.user),
        )?;
        Ok(back(&raw, "conflicts"))
    })
    .await
}

/// `POST /console/beneficiary/{id}/warning`.
pub async fn act_on_warning(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(raw): Path<String>,
    Form(form): Form<WarningForm>,
) -> Result<Response, ConsoleError> {
    blocking(move || {
        let tr = Tr(session.lang);
        let (id, _) = access::beneficiary(&state, &session.user, &raw)?;
        let action = WarningAction {
            warning: form.warning.trim().to_string(),
            action: required(tr, &form.action)?,
            closes: form.closes.is_some(),
            prov: writes::provenance(&state, &session.user),
        };
        writes::edit(
            &state,
            DocId::Case(id),
            |d| {
                let case = doc::hydrate_case(d)?;
                if !case.warnings.contains_key(&action.warning) {
                    return Err(ConsoleError::NotFound);
                }
                Ok(doc::add_record(
                    d,
                    "warning_actions",
                    RecordId::new_random(),
                    &action,
                    &action.prov,
                )?)
            },
            stays_in_division(tr, &session.user),
        )?;
        Ok(back(&raw, "warnings"))
    })
    .await
}

/// Checks an agency (in service, concerning the supervisor) and an optional escort of it.
pub fn agency_and_escort(
    state: &AppState,
    session: &Session,
    agency: &str,
    escort: &str,
) -> Result<(AgencyId, Option<UserId>), ConsoleError> {
    let tr = Tr(session.lang);
    let bad_agency = || ConsoleError::BadInput(tr.t("form.bad_agency").into());
    let choices = crate::console::beneficiary::agency_choices(state, session)?;
    let chosen = choices.iter().find(|a| a.id == agency.trim()).ok_or_else(bad_agency)?;
    let agency: AgencyId = chosen.id.parse().map_err(|_| bad_agency())?;
    let escort = escort.trim();
    if escort.is_empty() {
        return Ok((agency, None));
    }
    if !chosen.escorts.iter().any(|(id, _)| id == escort) {
        return Err(ConsoleError::BadInput(tr.t("form.bad_escort").into()));
    }
    let escort: UserId =
        escort.parse().map_err(|_| ConsoleError::BadInput(tr.t("form.bad_escort").into()))?;
    Ok((agency, Some(escort)))
}

/// `POST /console/beneficiary/{id}/episode`: the phone call of the insurance model.
pub async fn open_episode(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(raw): Path<String>,
    Form(form): Form<EpisodeForm>,
) -> Result<Response, ConsoleError> {
    blocking(move || {
        let tr = Tr(session.lang);
        let (beneficiary, place) = access::beneficiary(&state, &session.user, &raw)?;
        let expected = NaiveDateTime::parse_from_str(form.expected.trim(), "%Y-%m-%dT%H:%M")
            .map_err(|_| ConsoleError::BadInput(tr.t("form.bad_date").into()))?;
        let expected = expected
            .and_local_timezone(peihu_shared::time::china())
            .single()
            .map(|t| t.timestamp_millis())
            .ok_or_else(|| ConsoleError::BadInput(tr.t("form.bad_date").into()))?;
        let (agency, escort) = agency_and_escort(&state, &session, &form.agency, &form.escort)?;
        let new = NewEpisode {
            id: EpisodeId::new_random(),
            beneficiary,
            place,
            agency,
            escort,
            hospital: required(tr, &form.hospital)?,
            ward: required(tr, &form.ward)?,
            bed: form.bed.trim().chars().take(40).collect(),
            expected_admission: expected,
        };
        let episode = doc::new_episode(&new, &writes::provenance(&state, &session.user))?;
        writes::create(&state, DocId::Episode(new.id), episode)?;
        tracing::info!(user = %session.user.id, episode = %new.id, "episode opened from the console");
        Ok(Redirect::to(&format!("/console/episode/{}?saved=1", new.id)).into_response())
    })
    .await
}
