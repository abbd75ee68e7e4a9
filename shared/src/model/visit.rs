//! Home visits by village helpers.

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile};

use super::{Provenance, Vitals};
use crate::ids::{BlobHash, VisitId};

/// How the check-in location was obtained. A desktop without GPS records `Unavailable` or a
/// location typed in by hand; a location is never invented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Reconcile, Hydrate, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LocationSource {
    /// From the device's satellite positioning.
    Gps,
    /// Typed in by the helper.
    Manual,
    /// No location could be had.
    Unavailable,
}

/// Where the helper checked in, in micro-degrees (WGS-84 as the device reports it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Reconcile, Hydrate, serde::Serialize)]
pub struct CheckIn {
    /// How the location was obtained.
    pub source: LocationSource,
    /// Latitude in millionths of a degree; south is negative.
    pub lat_u: Option<i32>,
    /// Longitude in millionths of a degree; west is negative.
    pub lon_u: Option<i32>,
    /// Reported accuracy in metres, when the source gives one.
    pub accuracy_m: Option<u32>,
}

impl CheckIn {
    /// A check-in with no location.
    pub fn unavailable() -> Self {
        CheckIn { source: LocationSource::Unavailable, lat_u: None, lon_u: None, accuracy_m: None }
    }
}

/// What the camera recorded about a photo, kept in the record because the stored JPEG carries
/// no metadata at all (a photo taken inside a home must not leak where that home is).
///
/// Only values that passed validation are kept; what was dropped is named in `dropped`.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, serde::Serialize, serde::Deserialize)]
pub struct PhotoFacts {
    /// The photo these facts describe.
    pub photo: BlobHash,
    /// Capture time from the camera's own clock, `YYYY-MM-DDTHH:MM:SS` with no zone: cameras
    /// do not say which zone their clock was set to.
    pub taken_at: Option<String>,
    /// Latitude in millionths of a degree; south is negative.
    pub lat_u: Option<i32>,
    /// Longitude in millionths of a degree; west is negative.
    pub lon_u: Option<i32>,
    /// Metadata the camera gave that was not kept, and why (codes such as `gps_out_of_range`).
    pub dropped: Vec<String>,
}

/// One home visit, written to the document when the helper checks out (signed off).
///
/// A signed-off visit is never rewritten: corrections go into `amendments`, which keep the
/// original reading intact; [`Visit::effective`] applies them in order.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, serde::Serialize)]
pub struct Visit {
    /// The visit's id (also its key in the document's `visits` map).
    pub id: VisitId,
    /// Who visited, on which device, and the device time of the sign-off.
    pub prov: Provenance,
    /// Arrival, device time in Unix milliseconds.
    pub arrived: i64,
    /// Departure, device time in Unix milliseconds.
    pub departed: i64,
    /// Where the helper checked in.
    pub checkin: CheckIn,
    /// Readings taken.
    pub vitals: Vitals,
    /// What the helper saw and heard, in their words.
    pub notes: String,
    /// Health-education topics given, by topic code (see `assets/education_topics.toml`).
    pub education: Vec<String>,
    /// Photos, by content hash.
    pub photos: Vec<BlobHash>,
    /// Capture time and place of the photos, where the camera recorded them. Absent in
    /// visits written before these facts were kept.
    #[autosurgeon(missing = "Option::default")]
    pub photo_facts: Option<Vec<PhotoFacts>>,
    /// Why the helper escalated this visit to a supervisor, if they did.
    pub escalation: Option<String>,
    /// Corrections made after sign-off, keyed by record id.
    pub amendments: BTreeMap<String, VisitAmendment>,
}

/// A correction to a signed-off visit. Only the parts that are `Some` replace the original.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, serde::Serialize)]
pub struct VisitAmendment {
    /// Who corrected it and when.
    pub prov: Provenance,
    /// Why it was corrected (required: a correction without a reason is not accepted).
    pub reason: String,
    /// Replacement readings.
    pub vitals: Option<Vitals>,
    /// Replacement notes.
    pub notes: Option<String>,
    /// Photos added after sign-off (they join the original's, none are removed).
    pub add_photos: Option<Vec<BlobHash>>,
    /// Capture facts of the added photos (absent in amendments written before they were kept).
    #[autosurgeon(missing = "Option::default")]
    pub photo_facts: Option<Vec<PhotoFacts>>,
}

impl Visit {
    /// Amendments in the order they were made (device time, then id for equal times).
    pub fn amendments_in_order(&self) -> Vec<(&String, &VisitAmendment)> {
        let mut list: Vec<_> = self.amendments.iter().collect();
        list.sort_by(|a, b| (a.1.prov.at, a.0).cmp(&(b.1.prov.at, b.0)));
        list
    }

    /// The capture facts of one of this visit's photos, if the camera recorded any.
    pub fn facts_of(&self, photo: &BlobHash) -> Option<&PhotoFacts> {
        self.photo_facts.iter().flatten().find(|f| &f.photo == photo)
    }

    /// The visit as it reads after every amendment.
    pub fn effective(&self) -> Visit {
        let mut out = self.clone();
        for (_, amendment) in self.amendments_in_order() {
            if let Some(v) = &amendment.vitals {
                out.vitals = v.clone();
            }
            if let Some(n) = &amendment.notes {
                out.notes = n.clone();
            }
            for photo in amendment.add_photos.iter().flatten() {
                if !out.photos.contains(photo) {
                    out.photos.push(*photo);
                }
            }
            for facts in amendment.photo_facts.iter().flatten() {
                let known = out.photo_facts.get_or_insert_with(Vec::new);
                if !known.iter().any(|f| f.photo == facts.photo) {
                    known.push(facts.clone());
                }
            }
        }
        out
    }
}
