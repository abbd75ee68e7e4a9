//! Escort episodes: one hospital stay, three stages, nine steps (三阶九步).

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile};

use super::{Provenance, Register};
use crate::ids::{AgencyId, BeneficiaryId, BlobHash, EpisodeId, PlaceCode, UserId};

/// The three notices at admission (三告知).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Reconcile, Hydrate, serde::Serialize,
)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// What the service covers (服务内容).
    Coverage,
    /// The standard it must meet (服务标准).
    Standard,
    /// How to complain or supervise (投诉监督渠道).
    Complaints,
}

/// The three daily records (三记录).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Reconcile, Hydrate, serde::Serialize,
)]
#[serde(rename_all = "snake_case")]
pub enum DailyKind {
    /// Service items done (服务项目).
    Services,
    /// The doctor's orders (医嘱).
    Orders,
    /// Special situations: falls, worsening, refusals, incidents (特殊情况).
    Special,
}

/// The three handovers at discharge (三反馈).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Reconcile, Hydrate, serde::Serialize,
)]
#[serde(rename_all = "snake_case")]
pub enum HandoverKind {
    /// Key care points (护理要点).
    CarePoints,
    /// The medication list (用药清单).
    Medication,
    /// Rehabilitation advice (康复建议).
    Rehabilitation,
}

/// One notice given at admission.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, serde::Serialize)]
pub struct Notice {
    /// Which notice.
    pub which: NoticeKind,
    /// Who gave it and when.
    pub prov: Provenance,
}

/// How the beneficiary acknowledged the clarity card (明白卡).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Reconcile, Hydrate, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AckMethod {
    /// Signed on the screen.
    Signature,
    /// Could not sign: ticked, with the escort's attestation.
    AttestedTick,
}

/// The beneficiary's acknowledgement of the clarity card.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, serde::Serialize)]
pub struct Acknowledgement {
    /// Signature or attested tick.
    pub method: AckMethod,
    /// The signature image, when signed.
    pub signature: Option<BlobHash>,
    /// The escort's attestation, when the person could not sign.
    pub attestation: Option<String>,
    /// Recorded by whom and when.
    pub prov: Provenance,
}

/// One of the daily three records.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, serde::Serialize)]
pub struct DailyRecord {
    /// The China-time day it belongs to, `YYYY-MM-DD`.
    pub day: String,
    /// Which of the three.
    pub which: DailyKind,
    /// What was done, ordered, or happened.
    pub text: String,
    /// Who and when.
    pub prov: Provenance,
}

/// One of the three discharge handovers.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, serde::Serialize)]
pub struct Handover {
    /// Which of the three.
    pub which: HandoverKind,
    /// What was handed over.
    pub text: String,
    /// To whom (the beneficiary, a relative, the family doctor).
    pub to: String,
    /// Who and when.
    pub prov: Provenance,
}

/// An escort's stint at the bedside.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, serde::Serialize)]
pub struct Shift {
    /// The escort.
    pub escort: UserId,
    /// Clock-in, device time, Unix milliseconds.
    pub clock_in: i64,
    /// Clock-out, once the escort leaves.
    pub clock_out: Option<i64>,
    /// Work-order and bedside photos.
    pub photos: Vec<BlobHash>,
    /// Recorded by whom and when.
    pub prov: Provenance,
}

/// One hospital stay with an escort.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, serde::Serialize)]
pub struct Episode {
    /// Always `episode`.
    pub kind: String,
    /// The episode's id.
    pub episode: EpisodeId,
    /// Who is in hospital.
    pub beneficiary: BeneficiaryId,
    /// The beneficiary's village, which scopes supervisors.
    pub place: PlaceCode,
    /// The agency serving this stay.
    pub agency: Register<AgencyId>,
    /// The escort assigned.
    pub escort: Register<Option<UserId>>,
    /// Hospital name.
    pub hospital: Register<String>,
    /// Ward.
    pub ward: Register<String>,
    /// Bed.
    pub bed: Register<String>,
    /// Expected admission (from the phone call), Unix milliseconds.
    pub expected_admission: i64,
    /// Actual admission, once the escort records it.
    pub admitted: Register<Option<i64>>,
    /// Discharge, once recorded.
    pub discharged: Register<Option<i64>>,
    /// The three notices, keyed by record id.
    pub notices: BTreeMap<String, Notice>,
    /// Clarity-card acknowledgements, keyed by record id (normally one).
    pub acks: BTreeMap<String, Acknowledgement>,
    /// The daily three records, keyed by record id.
    pub daily: BTreeMap<String, DailyRecord>,
    /// The three handovers, keyed by record id.
    pub handovers: BTreeMap<String, Handover>,
    /// Escort shifts, keyed by record id.
    pub shifts: BTreeMap<String, Shift>,
    /// Who opened the episode (the phone call) and when.
    pub opened: Provenance,
}

/// Whether one step is done.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StepState {
    /// A stable code: `notice.coverage`, `daily.orders`, `handover.medication` ….
    pub code: String,
    /// Done, with when; `None` when missing.
    pub done_at: Option<i64>,
}

/// The nine steps of an episode and what is missing.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NineSteps {
    /// The nine steps in order: three notices, three daily records, three handovers.
    pub steps: Vec<StepState>,
    /// Whether the clarity card was acknowledged.
    pub acknowledged: bool,
    /// Days of the stay (China time) that lack one of the daily three records.
    pub days_missing_records: Vec<String>,
}

impl NineSteps {
    /// How many of the nine are done.
    pub fn done(&self) -> usize {
        self.steps.iter().filter(|s| s.done_at.is_some()).count()
    }

    /// Whether all nine are done and the card acknowledged, with no day missing a record.
    pub fn complete(&self) -> bool {
        self.done() == 9 && self.acknowledged && self.days_missing_records.is_empty()
    }
}

impl Episode {
    /// Works out which of the nine steps are done. A daily record counts as done once it exists
    /// for some day; `days_missing_records` lists stay days (admission to discharge or `today`)
    /// where any of the three is absent.
    pub fn nine_steps(&self, today: &str) -> NineSteps {
        let mut steps = Vec::with_capacity(9);
        for which in [NoticeKind::Coverage, NoticeKind::Standard, NoticeKind::Complaints] {
            let done_at =
                self.notices.values().filter(|n| n.which == which).map(|n| n.prov.at).min();
            steps.push(StepState { code: format!("notice.{}", which.code()), done_at });
        }
        for which in [DailyKind::Services, DailyKind::Orders, DailyKind::Special] {
            let done_at = self.daily.values().filter(|d| d.which == which).map(|d| d.prov.at).min();
            steps.push(StepState { code: format!("daily.{}", which.code()), done_at });
        }
        for which in
            [HandoverKind::CarePoints, HandoverKind::Medication, HandoverKind::Rehabilitation]
        {
            let done_at =
                self.handovers.values().filter(|h| h.which == which).map(|h| h.prov.at).min();
            steps.push(StepState { code: format!("handover.{}", which.code()), done_at });
        }
        NineSteps {
            steps,
            acknowledged: !self.acks.is_empty(),
            days_missing_records: self.days_missing_records(today),
        }
    }

    fn days_missing_records(&self, today: &str) -> Vec<String> {
        let Some(admitted) = self.admitted.v else { return Vec::new() };
        let first = crate::time::china_date(admitted);
        let last = match self.discharged.v {
            Some(d) => crate::time::china_date(d),
            None => match chrono::NaiveDate::parse_from_str(today, "%Y-%m-%d") {
                Ok(d) => d,
                Err(_) => return Vec::new(),
            },
        };
        let mut missing = Vec::new();
        let mut day = first;
        while day <= last && missing.len() < 400 {
            let key = day.format("%Y-%m-%d").to_string();
            let has = |k: DailyKind| self.daily.values().any(|d| d.day == key && d.which == k);
            if ![DailyKind::Services, DailyKind::Orders, DailyKind::Special].into_iter().all(has) {
                missing.push(key);
            }
            day = day.succ_opt().unwrap_or(day);
            if day == first {
                break;
            }
        }
        missing
    }

    /// Total clocked service time in minutes (open shifts count up to `now`).
    pub fn service_minutes(&self, now: i64) -> i64 {
        self.shifts
            .values()
            .map(|s| (s.clock_out.unwrap_or(now) - s.clock_in).max(0) / 60_000)
            .sum()
    }
}

impl NoticeKind {
    /// Stable code used in step codes, files and the command line.
    pub fn code(self) -> &'static str {
        match self {
            NoticeKind::Coverage => "coverage",
            NoticeKind::Standard => "standard",
            NoticeKind::Complaints => "complaints",
        }
    }
}

impl DailyKind {
    /// Stable code used in step codes, files and the command line.
    pub fn code(self) -> &'static str {
        match self {
            DailyKind::Services => "services",
            DailyKind::Orders => "orders",
            DailyKind::Special => "special",
        }
    }
}

impl HandoverKind {
    /// Stable code used in step codes, files and the command line.
    pub fn code(self) -> &'static str {
        match self {
            HandoverKind::CarePoints => "care_points",
            HandoverKind::Medication => "medication",
            HandoverKind::Rehabilitation => "rehabilitation",
        }
    }
}
