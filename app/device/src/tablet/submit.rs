//! What the forms send, turned into the device core's records.

use std::path::Path;

use peihu_shared::doc;
use peihu_shared::ids::{BeneficiaryId, DocId, EpisodeId, RecordId};
use peihu_shared::model::{
    AckMethod, CheckIn, DailyKind, EscortRequest, HandoverKind, LocationSource, NoticeKind,
    Provenance, TempSite,
};
use peihu_shared::rules::{Thresholds, VitalInput};

use crate::Store;
use crate::field::{self, EpisodeStep, SavedVisit, VisitForm};

use super::{TabletError, blobs};

/// A finished visit form.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct VisitSubmission {
    /// Arrival (Unix ms), when the helper checked in.
    pub arrived: i64,
    /// Latitude typed in; with `lon`, or neither for "not available".
    pub lat: Option<f64>,
    /// Longitude typed in.
    pub lon: Option<f64>,
    /// Systolic.
    pub sys: Option<f64>,
    /// Diastolic.
    pub dia: Option<f64>,
    /// Heart rate.
    pub pulse: Option<f64>,
    /// Temperature.
    pub temp: Option<f64>,
    /// Temperature typed in °F.
    #[serde(default)]
    pub temp_fahrenheit: bool,
    /// Glucose mmol/L.
    pub glucose: Option<f64>,
    /// SpO2 %.
    pub spo2: Option<f64>,
    /// Weight kg.
    pub weight: Option<f64>,
    /// Observations.
    #[serde(default)]
    pub notes: String,
    /// Education topic codes.
    #[serde(default)]
    pub education: Vec<String>,
    /// Photo hashes from `save_photo`.
    #[serde(default)]
    pub photos: Vec<String>,
    /// Escalation reason.
    pub escalation: Option<String>,
    /// Reason to ask supervisors for a hospital escort.
    pub escort_request: Option<String>,
}

pub(super) fn case_doc(beneficiary: &str) -> Result<DocId, TabletError> {
    let id: BeneficiaryId =
        beneficiary.parse().map_err(|_| TabletError::invalid("not a beneficiary id"))?;
    Ok(DocId::Case(id))
}

fn checkin(v: &VisitSubmission) -> Result<CheckIn, TabletError> {
    let (Some(lat), Some(lon)) = (v.lat, v.lon) else {
        return Ok(CheckIn::unavailable());
    };
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
        return Err(TabletError::new(
            "bad_location",
            "latitude must be -90..90 and longitude -180..180",
        ));
    }
    Ok(CheckIn {
        source: LocationSource::Manual,
        lat_u: Some((lat * 1e6).round() as i32),
        lon_u: Some((lon * 1e6).round() as i32),
        accuracy_m: None,
    })
}

fn nonempty(text: &Option<String>) -> Option<String> {
    text.as_ref().map(|t| t.trim().to_string()).filter(|t| !t.is_empty())
}

/// Validates and saves the visit; the escort request, if any, goes in the same case.
pub(super) fn record_visit(
    store: &mut Store,
    beneficiary: &str,
    v: &VisitSubmission,
    prov: &Provenance,
) -> Result<SavedVisit, TabletError> {
    let DocId::Case(bid) = case_doc(beneficiary)? else { unreachable!("case_doc makes cases") };
    let photos = v
        .photos
        .iter()
        .map(|p| p.parse().map_err(|_| TabletError::invalid("not a photo id")))
        .collect::<Result<Vec<_>, _>>()?;
    let form = VisitForm {
        arrived: v.arrived.min(prov.at),
        departed: prov.at,
        checkin: Some(checkin(v)?),
        vitals: VitalInput {
            sys: v.sys,
            dia: v.dia,
            pulse: v.pulse,
            temp: v.temp,
            temp_fahrenheit: v.temp_fahrenheit,
            temp_site: Some(TempSite::Axillary),
            glucose: v.glucose,
            glucose_timing: None,
            glucose_sample: None,
            spo2: v.spo2,
            weight: v.weight,
        },
        notes: v.notes.trim().to_string(),
        education: v.education.clone(),
        photos,
        escalation: nonempty(&v.escalation),
    };
    let saved = field::record_visit(store, bid, &form, prov, &Thresholds::default())?;
    if let Some(reason) = nonempty(&v.escort_request) {
        let request = EscortRequest { reason, hospital: None, prov: prov.clone() };
        store.edit(&DocId::Case(bid), |d| {
            doc::add_record(d, "escort_requests", RecordId::new_random(), &request, prov)
        })?;
    }
    Ok(saved)
}

/// One action on an episode screen.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum StepInput {
    /// Record admission now.
    Admit,
    /// One of the three notices: `coverage`, `standard`, `complaints`.
    Notice {
        /// Which.
        which: String,
    },
    /// The beneficiary signed on the screen: the PNG.
    AckSignature {
        /// PNG bytes.
        png: Vec<u8>,
    },
    /// The beneficiary cannot sign: the escort attests.
    AckAttested {
        /// The escort's attestation.
        text: String,
    },
    /// One of today's three records: `services`, `orders`, `special`.
    Daily {
        /// Which.
        which: String,
        /// What.
        text: String,
    },
    /// One of the three handovers: `care_points`, `medication`, `rehabilitation`.
    Handover {
        /// Which.
        which: String,
        /// What.
        text: String,
        /// To whom.
        to: String,
    },
    /// Record discharge now.
    Discharge,
    /// Clock in.
    ClockIn,
    /// Clock out of the open shift.
    ClockOut {
        /// Shift id.
        shift: String,
    },
}

fn required(text: &str) -> Result<String, TabletError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(TabletError::new("empty_text", "please write something before saving"));
    }
    Ok(t.to_string())
}

fn to_step(
    step: &StepInput,
    user_dir: &Path,
    doc: &DocId,
    at: i64,
) -> Result<EpisodeStep, TabletError> {
    let bad = |what: &str| TabletError::invalid(format!("unknown {what}"));
    Ok(match step {
        StepInput::Admit => EpisodeStep::Admit(at),
        StepInput::Discharge => EpisodeStep::Discharge(at),
        StepInput::Notice { which } => EpisodeStep::Notice(match which.as_str() {
            "coverage" => NoticeKind::Coverage,
            "standard" => NoticeKind::Standard,
            "complaints" => NoticeKind::Complaints,
            _ => return Err(bad("notice")),
        }),
        StepInput::AckSignature { png } => {
            if !png.starts_with(b"\x89PNG") {
                return Err(TabletError::invalid("the signature is not a PNG"));
            }
            let hash = blobs::put(user_dir, png, doc)?;
            EpisodeStep::Acknowledge {
                method: AckMethod::Signature,
                signature: Some(hash),
                attestation: None,
            }
        }
        StepInput::AckAttested { text } => EpisodeStep::Acknowledge {
            method: AckMethod::AttestedTick,
            signature: None,
            attestation: Some(required(text)?),
        },
        StepInput::Daily { which, text } => EpisodeStep::Daily {
            day: None,
            which: match which.as_str() {
                "services" => DailyKind::Services,
                "orders" => DailyKind::Orders,
                "special" => DailyKind::Special,
                _ => return Err(bad("daily record")),
            },
            text: required(text)?,
        },
        StepInput::Handover { which, text, to } => EpisodeStep::Handover {
            which: match which.as_str() {
                "care_points" => HandoverKind::CarePoints,
                "medication" => HandoverKind::Medication,
                "rehabilitation" => HandoverKind::Rehabilitation,
                _ => return Err(bad("handover")),
            },
            text: required(text)?,
            to: required(to)?,
        },
        StepInput::ClockIn => EpisodeStep::ClockIn,
        StepInput::ClockOut { shift } => EpisodeStep::ClockOut(
            shift.parse().map_err(|_| TabletError::invalid("not a shift id"))?,
        ),
    })
}

/// Records one step durably.
pub(super) fn episode_step(
    store: &mut Store,
    user_dir: &Path,
    id: &str,
    step: &StepInput,
    prov: &Provenance,
) -> Result<(), TabletError> {
    let eid: EpisodeId = id.parse().map_err(|_| TabletError::invalid("not an episode id"))?;
    let doc = DocId::Episode(eid);
    if store.doc(&doc).is_none() {
        return Err(TabletError::new("unknown_episode", "this episode is not on this tablet"));
    }
    let step = to_step(step, user_dir, &doc, prov.at)?;
    field::record_step(store, eid, step, prov)?;
    Ok(())
}
