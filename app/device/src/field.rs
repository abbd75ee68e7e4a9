//! Helpers' and escorts' work as plain functions over the [`Store`].

use peihu_shared::doc::{self, DocError, NewBeneficiary};
use peihu_shared::ids::{BeneficiaryId, DocId, EpisodeId, RecordId, VisitId};
use peihu_shared::model::{
    AckMethod, Acknowledgement, CheckIn, DailyKind, DailyRecord, Handover, HandoverKind, Notice,
    NoticeKind, Provenance, RiskColour, Shift, Visit, Warning, WarningSource,
};
use peihu_shared::rules::{self, Check, Thresholds, VitalInput, VitalsError};
use peihu_shared::time;

use crate::{Store, StoreError};

/// Why a piece of field work could not be saved.
#[derive(Debug, thiserror::Error)]
pub enum FieldError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Readings were refused; each names the field and the bound.
    #[error("readings refused: {0}")]
    Vitals(#[from] VitalsError),
    /// The beneficiary's documents are not on this device.
    #[error("beneficiary {0} is not on this device (not in your village, or not synced yet)")]
    UnknownBeneficiary(BeneficiaryId),
    /// The episode is not on this device.
    #[error("episode {0} is not on this device (not assigned to you, or not synced yet)")]
    UnknownEpisode(EpisodeId),
    /// Departure before arrival.
    #[error("departure time is before arrival time")]
    DepartureBeforeArrival,
    /// A visit longer than [`MAX_VISIT_MS`]: almost certainly a typing slip.
    #[error("a home visit cannot last more than 12 hours: check the arrival time")]
    VisitTooLong,
    /// Observations (or an escalation reason) longer than [`MAX_NOTE_CHARS`].
    #[error("the text is {0} characters long; a visit note may have at most {MAX_NOTE_CHARS}")]
    NoteTooLong(usize),
}

/// The longest observation or escalation text a visit keeps, in characters.
pub const MAX_NOTE_CHARS: usize = 4000;

/// A typed note as it is kept: control characters other than line breaks and tabs removed
/// (they would show as nothing or garble a page), surrounding blanks trimmed.
pub fn clean_note(text: &str) -> Result<String, FieldError> {
    let kept: String =
        text.chars().filter(|c| !c.is_control() || matches!(c, '\n' | '\t')).collect();
    let kept = kept.trim().to_string();
    match kept.chars().count() {
        n if n > MAX_NOTE_CHARS => Err(FieldError::NoteTooLong(n)),
        _ => Ok(kept),
    }
}

/// The longest a home visit may last: 12 hours.
pub const MAX_VISIT_MS: i64 = 12 * 60 * 60 * 1000;

impl From<DocError> for FieldError {
    fn from(e: DocError) -> Self {
        FieldError::Store(StoreError::Doc(e))
    }
}

impl FieldError {
    /// A stable code the UI and scripts can match on.
    pub fn code(&self) -> &'static str {
        match self {
            FieldError::Store(StoreError::Doc(_)) => "document",
            FieldError::Store(_) => "storage",
            FieldError::Vitals(_) => "vitals_refused",
            FieldError::UnknownBeneficiary(_) => "unknown_beneficiary",
            FieldError::UnknownEpisode(_) => "unknown_episode",
            FieldError::DepartureBeforeArrival => "departure_before_arrival",
            FieldError::VisitTooLong => "visit_too_long",
            FieldError::NoteTooLong(_) => "note_too_long",
        }
    }
}

/// Registers a beneficiary on this device (both documents, durably).
pub fn register_beneficiary(
    store: &mut Store,
    new: &NewBeneficiary,
    prov: &Provenance,
) -> Result<(), FieldError> {
    let (card, case) = doc::new_beneficiary(new, prov)?;
    store.create(DocId::Card(new.id), card)?;
    store.create(DocId::Case(new.id), case)?;
    Ok(())
}

/// One row of a helper's duty list.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DutyRow {
    /// Whose duty.
    pub beneficiary: BeneficiaryId,
    /// Their name.
    pub name: String,
    /// Colour in force.
    pub colour: RiskColour,
    /// `due`, `overdue` or `done`.
    pub status: &'static str,
    /// Days overdue, for overdue rows.
    pub overdue_days: Option<i64>,
    /// Last visit arrival, device time.
    pub last_visit: Option<i64>,
    /// Open early warnings.
    pub open_warnings: usize,
}

/// Today's duty list at instant `now`: red first, then yellow, then blue; overdue before due
/// before done within a colour.
pub fn duty_list(store: &Store, now: i64) -> Vec<DutyRow> {
    let mut rows = Vec::new();
    for (id, case_doc) in store.docs() {
        let DocId::Case(beneficiary) = id else { continue };
        let Ok(case) = doc::hydrate_case(case_doc) else { continue };
        let Some(colour) = case.current_colour() else { continue };
        let name = store
            .doc(&DocId::Card(*beneficiary))
            .and_then(|d| doc::hydrate_card(d).ok())
            .map(|c| c.name.v)
            .unwrap_or_default();
        let visits: Vec<i64> = case.visits.values().map(|v| v.arrived).collect();
        let duty = rules::duty_for(colour.colour, colour.prov.at, &visits, now);
        let overdue_days = match duty.status {
            rules::DutyStatus::Overdue { days } => Some(days),
            _ => None,
        };
        rows.push(DutyRow {
            beneficiary: *beneficiary,
            name,
            colour: colour.colour,
            status: duty.status.code(),
            overdue_days,
            last_visit: case.last_visit().map(|v| v.arrived),
            open_warnings: case.open_warnings().len(),
        });
    }
    let rank = |s: &str| match s {
        "overdue" => 0,
        "due" => 1,
        _ => 2,
    };
    rows.sort_by(|a, b| {
        (a.colour, rank(a.status), std::cmp::Reverse(a.overdue_days), &a.name).cmp(&(
            b.colour,
            rank(b.status),
            std::cmp::Reverse(b.overdue_days),
            &b.name,
        ))
    });
    rows
}

/// A home visit as filled in on the form.
#[derive(Debug, Clone, Default)]
pub struct VisitForm {
    /// Arrival, device time (Unix ms).
    pub arrived: i64,
    /// Departure, device time (Unix ms).
    pub departed: i64,
    /// Check-in location; `None` records "not available".
    pub checkin: Option<CheckIn>,
    /// Readings as typed.
    pub vitals: VitalInput,
    /// Observations.
    pub notes: String,
    /// Health-education topic codes.
    pub education: Vec<String>,
    /// Photos already stored on the device, by hash.
    pub photos: Vec<peihu_shared::ids::BlobHash>,
    /// Escalation reason, if the helper escalates.
    pub escalation: Option<String>,
}

/// What saving a visit produced.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SavedVisit {
    /// The new visit's id.
    pub id: VisitId,
    /// Accepted readings that deserve a second look.
    pub checks: Vec<Check>,
    /// Early warnings raised (labels).
    pub warnings: Vec<String>,
}

/// Capture facts of the visit's photos that were kept on this device.
fn photo_facts(
    store: &Store,
    photos: &[peihu_shared::ids::BlobHash],
) -> Result<Option<Vec<peihu_shared::model::PhotoFacts>>, FieldError> {
    let mut out = Vec::new();
    for hash in photos {
        if let Some(facts) = crate::photos::facts_of_kept(store, hash)? {
            out.push(facts);
        }
    }
    Ok((!out.is_empty()).then_some(out))
}

/// Validates and saves a signed-off visit, with any early warnings it raises, in one durable
/// change.
pub fn record_visit(
    store: &mut Store,
    beneficiary: BeneficiaryId,
    form: &VisitForm,
    prov: &Provenance,
    thresholds: &Thresholds,
) -> Result<SavedVisit, FieldError> {
    let case_id = DocId::Case(beneficiary);
    if store.doc(&case_id).is_none() {
        return Err(FieldError::UnknownBeneficiary(beneficiary));
    }
    if form.departed < form.arrived {
        return Err(FieldError::DepartureBeforeArrival);
    }
    if form.departed - form.arrived > MAX_VISIT_MS {
        return Err(FieldError::VisitTooLong);
    }
    let notes = clean_note(&form.notes)?;
    let escalation = form.escalation.as_deref().map(clean_note).transpose()?;
    let (vitals, checks) = rules::validate_vitals(&form.vitals, thresholds)?;
    let raised = thresholds.evaluate(&vitals);
    let visit = Visit {
        id: VisitId::new_random(),
        prov: prov.clone(),
        arrived: form.arrived,
        departed: form.departed,
        checkin: form.checkin.unwrap_or_else(CheckIn::unavailable),
        vitals,
        notes,
        education: form.education.clone(),
        photos: form.photos.clone(),
        photo_facts: photo_facts(store, &form.photos)?,
        escalation,
        amendments: Default::default(),
    };
    let mut warnings: Vec<(Warning, String)> = raised
        .iter()
        .map(|w| {
            let warning = Warning {
                visit: visit.id,
                source: WarningSource::Reading {
                    measure: w.measure.clone(),
                    rule: w.label.clone(),
                },
                severity: w.severity.code().to_string(),
                prov: prov.clone(),
            };
            (warning, w.label.clone())
        })
        .collect();
    if let Some(reason) = &visit.escalation {
        let warning = Warning {
            visit: visit.id,
            source: WarningSource::Escalation { reason: reason.clone() },
            severity: "urgent".into(),
            prov: prov.clone(),
        };
        warnings.push((warning, "escalation".into()));
    }
    store.edit(&case_id, |d| {
        doc::add_visit(d, &visit)?;
        for (w, _) in &warnings {
            doc::add_record(d, "warnings", RecordId::new_random(), w, prov)?;
        }
        Ok(())
    })?;
    Ok(SavedVisit {
        id: visit.id,
        checks,
        warnings: warnings.into_iter().map(|(_, l)| l).collect(),
    })
}

/// One step of an escort episode, as recorded from the bedside.
#[derive(Debug, Clone)]
pub enum EpisodeStep {
    /// Admission recorded at this time.
    Admit(i64),
    /// One of the three notices.
    Notice(NoticeKind),
    /// The clarity-card acknowledgement.
    Acknowledge {
        /// Signature or attested tick.
        method: AckMethod,
        /// Signature image hash.
        signature: Option<peihu_shared::ids::BlobHash>,
        /// Attestation text.
        attestation: Option<String>,
    },
    /// One of the daily three records for a China day.
    Daily {
        /// `YYYY-MM-DD`; defaults to the day of the record.
        day: Option<String>,
        /// Which record.
        which: DailyKind,
        /// What.
        text: String,
    },
    /// One of the three handovers.
    Handover {
        /// Which.
        which: HandoverKind,
        /// What.
        text: String,
        /// To whom.
        to: String,
    },
    /// Discharge recorded at this time.
    Discharge(i64),
    /// Clock in at the bedside.
    ClockIn,
    /// Clock out of an open shift.
    ClockOut(RecordId),
}

/// Records one step of an episode durably. Returns the new record's id where one is made.
pub fn record_step(
    store: &mut Store,
    episode: EpisodeId,
    step: EpisodeStep,
    prov: &Provenance,
) -> Result<Option<RecordId>, FieldError> {
    let id = DocId::Episode(episode);
    if store.doc(&id).is_none() {
        return Err(FieldError::UnknownEpisode(episode));
    }
    let rid = RecordId::new_random();
    store
        .edit(&id, |d| match step {
            EpisodeStep::Admit(at) => {
                doc::set_register(d, &["admitted"], Some(at), prov).map(|_| None)
            }
            EpisodeStep::Discharge(at) => {
                doc::set_register(d, &["discharged"], Some(at), prov).map(|_| None)
            }
            EpisodeStep::Notice(which) => {
                doc::add_record(d, "notices", rid, &Notice { which, prov: prov.clone() }, prov)
                    .map(|_| Some(rid))
            }
            EpisodeStep::Acknowledge { method, signature, attestation } => {
                let ack = Acknowledgement { method, signature, attestation, prov: prov.clone() };
                doc::add_record(d, "acks", rid, &ack, prov).map(|_| Some(rid))
            }
            EpisodeStep::Daily { day, which, text } => {
                let day = day.unwrap_or_else(|| time::day_key(prov.at));
                let record = DailyRecord { day, which, text, prov: prov.clone() };
                doc::add_record(d, "daily", rid, &record, prov).map(|_| Some(rid))
            }
            EpisodeStep::Handover { which, text, to } => {
                let record = Handover { which, text, to, prov: prov.clone() };
                doc::add_record(d, "handovers", rid, &record, prov).map(|_| Some(rid))
            }
            EpisodeStep::ClockIn => {
                let shift = Shift {
                    escort: prov.by,
                    clock_in: prov.at,
                    clock_out: None,
                    photos: Vec::new(),
                    prov: prov.clone(),
                };
                doc::add_record(d, "shifts", rid, &shift, prov).map(|_| Some(rid))
            }
            EpisodeStep::ClockOut(shift) => {
                doc::set_shift_clock_out(d, shift, prov.at, prov).map(|_| Some(shift))
            }
        })
        .map_err(FieldError::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_keeps_its_lines_and_loses_invisible_control_characters() {
        let typed = "  咳嗽两天\n\t夜里加重\u{1b}[31m\u{7}  ";
        assert_eq!(clean_note(typed).unwrap(), "咳嗽两天\n\t夜里加重[31m");
    }

    #[test]
    fn a_note_longer_than_the_limit_is_refused_with_its_length() {
        assert!(clean_note(&"字".repeat(MAX_NOTE_CHARS)).is_ok());
        let long = "字".repeat(MAX_NOTE_CHARS + 1);
        let refused = clean_note(&long).unwrap_err();
        assert_eq!(refused.code(), "note_too_long");
        assert!(refused.to_string().contains("4001"), "{refused}");
    }
}
