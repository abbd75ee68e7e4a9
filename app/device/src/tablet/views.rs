//! What the tablet's screens show, read from the store: the beneficiary card and the episodes.

use peihu_shared::doc;
use peihu_shared::ids::{BeneficiaryId, DocId, EpisodeId};
use peihu_shared::model::{NineSteps, RiskColour};
use peihu_shared::time;

use crate::Store;

use super::TabletError;

/// The beneficiary card a helper opens from the duty list.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BeneficiaryView {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Age in years at `now` (China calendar), when the birth date reads.
    pub age: Option<i32>,
    /// Sex code.
    pub sex: String,
    /// Conditions.
    pub conditions: Vec<String>,
    /// Allergies.
    pub allergies: Vec<String>,
    /// Contact's name.
    pub contact_name: String,
    /// Contact's phone.
    pub contact_phone: String,
    /// Address.
    pub address: String,
    /// Current colour.
    pub colour: Option<RiskColour>,
    /// Last visit, formatted in China time.
    pub last_visit: Option<String>,
    /// Last readings, already in display form (`血压 150/95` …) keyed by measure.
    pub last_vitals: Vec<(String, String)>,
    /// Open early warnings (their rule or reason).
    pub open_warnings: Vec<String>,
}

fn age(birth: &str, now: i64) -> Option<i32> {
    let born = chrono::NaiveDate::parse_from_str(birth, "%Y-%m-%d").ok()?;
    let today = time::china_date(now);
    Some(today.years_since(born)? as i32)
}

/// Reads one beneficiary's card and case.
pub fn beneficiary(store: &Store, id: &str, now: i64) -> Result<BeneficiaryView, TabletError> {
    let bid: BeneficiaryId =
        id.parse().map_err(|_| TabletError::invalid("not a beneficiary id"))?;
    let card = store
        .doc(&DocId::Card(bid))
        .map(doc::hydrate_card)
        .transpose()
        .map_err(|e| TabletError::new("document", e.to_string()))?
        .ok_or_else(|| {
            TabletError::new("unknown_beneficiary", "this person is not on this tablet")
        })?;
    let case = store.doc(&DocId::Case(bid)).and_then(|d| doc::hydrate_case(d).ok());
    let last = case.as_ref().and_then(|c| c.last_visit()).map(|v| v.effective());
    let last_vitals = last.as_ref().map(|v| vitals_lines(&v.vitals)).unwrap_or_default();
    let open_warnings = case
        .as_ref()
        .map(|c| {
            c.open_warnings()
                .into_iter()
                .map(|(_, w)| match &w.source {
                    peihu_shared::model::WarningSource::Reading { rule, .. } => rule.clone(),
                    peihu_shared::model::WarningSource::Escalation { reason } => reason.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(BeneficiaryView {
        id: id.to_string(),
        name: card.name.v.clone(),
        age: age(&card.birth_date.v, now),
        sex: format!("{:?}", card.sex.v).to_lowercase(),
        conditions: card.conditions.v.clone(),
        allergies: card.allergies.v.clone(),
        contact_name: card.contact_name.v.clone(),
        contact_phone: card.contact_phone.v.clone(),
        address: case.as_ref().map(|c| c.profile.address.v.clone()).unwrap_or_default(),
        colour: case.as_ref().and_then(|c| c.current_colour()).map(|c| c.colour),
        last_visit: last.as_ref().map(|v| time::format_zh(v.arrived)),
        last_vitals,
        open_warnings,
    })
}

/// The latest readings as (code, value) pairs; the UI adds each code's label and unit.
fn vitals_lines(v: &peihu_shared::model::Vitals) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(bp) = v.bp {
        out.push(("bp".into(), format!("{}/{}", bp.sys, bp.dia)));
    }
    if let Some(p) = v.pulse {
        out.push(("pulse".into(), p.to_string()));
    }
    if let Some(t) = v.temp {
        out.push(("temp".into(), format!("{:.1}", t.celsius())));
    }
    if let Some(g) = v.glucose {
        out.push(("glucose".into(), format!("{:.1}", g.mmol())));
    }
    if let Some(s) = v.spo2 {
        out.push(("spo2".into(), s.to_string()));
    }
    if let Some(w) = v.weight_kg() {
        out.push(("weight".into(), format!("{w:.1}")));
    }
    out
}

/// One row of the escort's episode list.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EpisodeRow {
    /// Episode id.
    pub id: String,
    /// Beneficiary's name where the card is on the tablet.
    pub name: String,
    /// Hospital.
    pub hospital: String,
    /// Ward.
    pub ward: String,
    /// Bed.
    pub bed: String,
    /// Steps done out of nine.
    pub steps_done: usize,
    /// All nine, acknowledged, no day missing.
    pub complete: bool,
    /// Admitted yet.
    pub admitted: bool,
    /// Discharged yet.
    pub discharged: bool,
}

/// One episode in full, for the episode screen.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EpisodeView {
    /// The list row.
    pub row: EpisodeRow,
    /// Admission time, formatted.
    pub admitted_text: Option<String>,
    /// Discharge time, formatted.
    pub discharged_text: Option<String>,
    /// The nine steps.
    pub steps: NineSteps,
    /// Today's China day key.
    pub today: String,
    /// Which of today's three records exist (`services`, `orders`, `special`).
    pub today_records: Vec<String>,
    /// The open shift's id, if clocked in.
    pub open_shift: Option<String>,
    /// Clock-in time of the open shift, formatted.
    pub open_shift_since: Option<String>,
    /// Clocked minutes in all.
    pub service_minutes: i64,
}

fn name_of(store: &Store, b: BeneficiaryId) -> String {
    store
        .doc(&DocId::Card(b))
        .and_then(|d| doc::hydrate_card(d).ok())
        .map(|c| c.name.v)
        .unwrap_or_default()
}

/// Every episode on the tablet.
pub fn episodes(store: &Store, now: i64) -> Vec<EpisodeRow> {
    let today = time::day_key(now);
    let mut rows: Vec<EpisodeRow> = store
        .docs()
        .filter_map(|(id, d)| match id {
            DocId::Episode(e) => Some((*e, doc::hydrate_episode(d).ok()?)),
            _ => None,
        })
        .map(|(id, e)| row(store, id, &e, &today))
        .collect();
    rows.sort_by(|a, b| (a.discharged, &a.hospital).cmp(&(b.discharged, &b.hospital)));
    rows
}

fn row(store: &Store, id: EpisodeId, e: &peihu_shared::model::Episode, today: &str) -> EpisodeRow {
    let steps = e.nine_steps(today);
    EpisodeRow {
        id: id.to_string(),
        name: name_of(store, e.beneficiary),
        hospital: e.hospital.v.clone(),
        ward: e.ward.v.clone(),
        bed: e.bed.v.clone(),
        steps_done: steps.done(),
        complete: steps.complete(),
        admitted: e.admitted.v.is_some(),
        discharged: e.discharged.v.is_some(),
    }
}

/// One episode in full.
pub fn episode(store: &Store, id: &str, now: i64) -> Result<EpisodeView, TabletError> {
    let eid: EpisodeId = id.parse().map_err(|_| TabletError::invalid("not an episode id"))?;
    let e = store
        .doc(&DocId::Episode(eid))
        .map(doc::hydrate_episode)
        .transpose()
        .map_err(|e| TabletError::new("document", e.to_string()))?
        .ok_or_else(|| TabletError::new("unknown_episode", "this episode is not on this tablet"))?;
    let today = time::day_key(now);
    let open = e.shifts.iter().find(|(_, s)| s.clock_out.is_none());
    Ok(EpisodeView {
        row: row(store, eid, &e, &today),
        admitted_text: e.admitted.v.map(time::format_zh),
        discharged_text: e.discharged.v.map(time::format_zh),
        steps: e.nine_steps(&today),
        today_records: e
            .daily
            .values()
            .filter(|d| d.day == today)
            .map(|d| d.which.code().to_string())
            .collect(),
        open_shift: open.map(|(k, _)| k.clone()),
        open_shift_since: open.map(|(_, s)| time::format_zh(s.clock_in)),
        service_minutes: e.service_minutes(now),
        today,
    })
}
