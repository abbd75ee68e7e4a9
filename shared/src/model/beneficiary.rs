//! The beneficiary: card, case, risk colour, warnings, escort requests and services.

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile};

use super::{Provenance, Register, Visit};
use crate::ids::{BeneficiaryId, PlaceCode, VisitId};

/// Risk colour (三色): sets the home-visit duty.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Reconcile,
    Hydrate,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum RiskColour {
    /// High risk: a visit every day.
    Red,
    /// Medium risk: a visit every week.
    Yellow,
    /// Low risk: a visit every month.
    Blue,
}

impl RiskColour {
    /// The colour's code as used in files and on the command line.
    pub fn code(self) -> &'static str {
        match self {
            RiskColour::Red => "red",
            RiskColour::Yellow => "yellow",
            RiskColour::Blue => "blue",
        }
    }

    /// Reads `red`, `yellow` or `blue` (or 红, 黄, 蓝).
    pub fn from_code(text: &str) -> Option<Self> {
        match text {
            "red" | "红" => Some(RiskColour::Red),
            "yellow" | "黄" => Some(RiskColour::Yellow),
            "blue" | "蓝" => Some(RiskColour::Blue),
            _ => None,
        }
    }
}

/// Sex as recorded on the identity card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Reconcile, Hydrate, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    /// 男
    Male,
    /// 女
    Female,
}

/// Who the beneficiary lives with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Reconcile, Hydrate, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LivingSituation {
    /// 独居
    Alone,
    /// 与配偶同住
    WithSpouse,
    /// 与亲属同住
    WithRelatives,
    /// 其他
    Other,
}

/// Degree of disability (失能等级), which with age decides red risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Reconcile, Hydrate, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DisabilityLevel {
    /// 能力完好
    None,
    /// 半失能
    Partial,
    /// 失能
    Full,
}

/// What an escort may see at a bedside: the beneficiary's card (明白卡 side of the record).
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, serde::Serialize)]
pub struct Card {
    /// Always `card`.
    pub kind: String,
    /// Whose card.
    pub beneficiary: BeneficiaryId,
    /// Where they live (village code): scopes who may receive the card.
    pub place: Register<PlaceCode>,
    /// Full name.
    pub name: Register<String>,
    /// Sex.
    pub sex: Register<Sex>,
    /// Birth date, `YYYY-MM-DD`.
    pub birth_date: Register<String>,
    /// Known allergies.
    pub allergies: Register<Vec<String>>,
    /// Chronic conditions.
    pub conditions: Register<Vec<String>>,
    /// Contact person's name.
    pub contact_name: Register<String>,
    /// Contact person's phone.
    pub contact_phone: Register<String>,
}

/// The rest of a beneficiary's record, which escorts never receive.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, serde::Serialize)]
pub struct Case {
    /// Always `case`.
    pub kind: String,
    /// Whose case.
    pub beneficiary: BeneficiaryId,
    /// Where they live (village code): scopes who may receive the case.
    pub place: Register<PlaceCode>,
    /// Identity and circumstances.
    pub profile: Profile,
    /// Every risk-colour assessment ever made, keyed by record id.
    pub colours: BTreeMap<String, ColourAssessment>,
    /// Home visits, keyed by visit id.
    pub visits: BTreeMap<String, Visit>,
    /// Early warnings, keyed by record id.
    pub warnings: BTreeMap<String, Warning>,
    /// What was done about warnings, keyed by record id.
    pub warning_actions: BTreeMap<String, WarningAction>,
    /// Helpers' requests for a hospital escort, keyed by record id.
    pub escort_requests: BTreeMap<String, EscortRequest>,
    /// Post-discharge services, keyed by record id.
    pub services: BTreeMap<String, ServiceRecord>,
}

/// Identity and circumstances of a beneficiary.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, serde::Serialize)]
pub struct Profile {
    /// Resident ID number, 18 characters, check digit verified on entry.
    pub id_number: Register<String>,
    /// Home address.
    pub address: Register<String>,
    /// Who they live with.
    pub living: Register<LivingSituation>,
    /// Disability level.
    pub disability: Register<DisabilityLevel>,
}

/// One risk-colour assessment.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, serde::Serialize)]
pub struct ColourAssessment {
    /// The colour set.
    pub colour: RiskColour,
    /// Why.
    pub reason: String,
    /// Who set it and when.
    pub prov: Provenance,
}

/// What raised an early warning.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningSource {
    /// A reading outside the configured thresholds.
    Reading {
        /// Which measure (`bp`, `pulse`, `temp`, `glucose`, `spo2`).
        measure: String,
        /// The rule's label, e.g. "grade 3 hypertension".
        rule: String,
    },
    /// The helper escalated by hand.
    Escalation {
        /// The helper's reason.
        reason: String,
    },
}

/// An early warning (预警) that somebody must act on.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, serde::Serialize)]
pub struct Warning {
    /// The visit that raised it.
    pub visit: VisitId,
    /// Why it was raised.
    pub source: WarningSource,
    /// `high` (act today) or `urgent` (act now).
    pub severity: String,
    /// Who raised it (the helper whose visit it was) and when.
    pub prov: Provenance,
}

/// Something done about a warning; `closes` ends it.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, serde::Serialize)]
pub struct WarningAction {
    /// The warning's record id.
    pub warning: String,
    /// What was done.
    pub action: String,
    /// Whether this closes the warning.
    pub closes: bool,
    /// Who and when.
    pub prov: Provenance,
}

/// A helper's request that a hospital escort be dispatched.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, serde::Serialize)]
pub struct EscortRequest {
    /// Why the beneficiary needs hospital care.
    pub reason: String,
    /// Hospital, if known.
    pub hospital: Option<String>,
    /// Who asked and when.
    pub prov: Provenance,
}

/// The kinds of post-discharge service (the 1+1 tracks).
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceKind {
    /// Medical track: hand-over to the family-doctor team.
    FamilyDoctorHandover {
        /// The team or clinic taking over.
        team: String,
    },
    /// Welfare track: one of the configured service categories (`assets/services.toml`).
    Welfare {
        /// The category code.
        category: String,
    },
    /// One of the "four ones" (四个一): `errand`, `chat`, `health_talk`, `festival_visit`.
    FourOnes {
        /// Which one.
        which: String,
    },
}

/// One post-discharge service delivered (one person-time).
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, serde::Serialize)]
pub struct ServiceRecord {
    /// What service.
    pub kind: ServiceKind,
    /// Free-text note.
    pub note: String,
    /// Who recorded it and when.
    pub prov: Provenance,
}

impl Case {
    /// The colour in force: the latest assessment by device time (ties by record id, so every
    /// replica agrees).
    pub fn current_colour(&self) -> Option<&ColourAssessment> {
        self.colours
            .iter()
            .max_by(|a, b| (a.1.prov.at, a.0).cmp(&(b.1.prov.at, b.0)))
            .map(|(_, c)| c)
    }

    /// Colour assessments oldest first.
    pub fn colour_history(&self) -> Vec<&ColourAssessment> {
        let mut list: Vec<_> = self.colours.iter().collect();
        list.sort_by(|a, b| (a.1.prov.at, a.0).cmp(&(b.1.prov.at, b.0)));
        list.into_iter().map(|(_, c)| c).collect()
    }

    /// Warnings no action has closed yet.
    pub fn open_warnings(&self) -> Vec<(&String, &Warning)> {
        self.warnings
            .iter()
            .filter(|(id, _)| !self.warning_actions.values().any(|a| a.closes && &a.warning == *id))
            .collect()
    }

    /// The most recent visit by arrival time.
    pub fn last_visit(&self) -> Option<&Visit> {
        self.visits.values().max_by_key(|v| (v.arrived, v.id))
    }
}
