//! The programme's vocabulary as types: what is recorded, by whom, and when.
//!
//! These are the hydrated forms of the documents in [`crate::doc`]. Every record carries its
//! [`Provenance`]; times are Unix milliseconds as the recording device's clock read them.

mod beneficiary;
mod episode;
mod visit;
mod vitals;

pub use beneficiary::{
    Card, Case, ColourAssessment, DisabilityLevel, EscortRequest, LivingSituation, Profile,
    RiskColour, ServiceKind, ServiceRecord, Sex, Warning, WarningAction, WarningSource,
};
pub use episode::{
    AckMethod, Acknowledgement, DailyKind, DailyRecord, Episode, Handover, HandoverKind, NineSteps,
    Notice, NoticeKind, Shift, StepState,
};
pub use visit::{CheckIn, LocationSource, PhotoFacts, Visit, VisitAmendment};
pub use vitals::{
    BloodPressure, Glucose, GlucoseSample, GlucoseTiming, TempSite, Temperature, Vitals,
};

use autosurgeon::{Hydrate, Reconcile};

use crate::ids::{DeviceId, UserId};

/// Who wrote a record, on which device, and when that device's clock said it was.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, serde::Serialize)]
pub struct Provenance {
    /// The person who made the record.
    pub by: UserId,
    /// The device it was made on.
    pub device: DeviceId,
    /// The device's clock, Unix milliseconds. May be wrong; the server stamps its own receipt.
    pub at: i64,
}

/// A field value together with who set it. Fields that several people may edit (a phone
/// number, an address) are kept as registers so that concurrent edits stay visible as conflicts.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, serde::Serialize)]
pub struct Register<T> {
    /// The value.
    pub v: T,
    /// Who set it.
    pub set: Provenance,
}
