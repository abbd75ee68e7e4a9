//! Which Automerge document a piece of the programme lives in.

use std::fmt;
use std::str::FromStr;

use super::{BeneficiaryId, EpisodeId, IdError};

/// The kinds of document Peihu keeps.
///
/// A beneficiary is split in two so that an escort can hold the small card needed at a bedside
/// without ever receiving the person's visit history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DocKind {
    /// Name, age, allergies, conditions and a contact: what an escort may see.
    Card,
    /// Everything else about a beneficiary: profile, colour history, visits, warnings, services.
    Case,
    /// One hospital stay with its nine steps and escort shifts.
    Episode,
}

/// The identity of one Automerge document: kind plus the record it belongs to.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DocId {
    /// `card:<beneficiary>`
    Card(BeneficiaryId),
    /// `case:<beneficiary>`
    Case(BeneficiaryId),
    /// `episode:<episode>`
    Episode(EpisodeId),
}

/// Why a document id could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocIdError {
    /// The prefix before `:` is not a known kind.
    #[error("document id \"{0}\" must start with card:, case: or episode:")]
    Kind(String),
    /// The record id after the prefix is malformed.
    #[error("document id: {0}")]
    Id(#[from] IdError),
}

impl DocId {
    /// The kind of document.
    pub fn kind(&self) -> DocKind {
        match self {
            DocId::Card(_) => DocKind::Card,
            DocId::Case(_) => DocKind::Case,
            DocId::Episode(_) => DocKind::Episode,
        }
    }

    /// The beneficiary this document describes, for cards and cases.
    pub fn beneficiary(&self) -> Option<BeneficiaryId> {
        match self {
            DocId::Card(b) | DocId::Case(b) => Some(*b),
            DocId::Episode(_) => None,
        }
    }
}

impl fmt::Display for DocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DocId::Card(b) => write!(f, "card:{b}"),
            DocId::Case(b) => write!(f, "case:{b}"),
            DocId::Episode(e) => write!(f, "episode:{e}"),
        }
    }
}

impl fmt::Debug for DocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DocId({self})")
    }
}

impl FromStr for DocId {
    type Err = DocIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (kind, id) = s.split_once(':').ok_or_else(|| DocIdError::Kind(s.to_string()))?;
        match kind {
            "card" => Ok(DocId::Card(id.parse()?)),
            "case" => Ok(DocId::Case(id.parse()?)),
            "episode" => Ok(DocId::Episode(id.parse()?)),
            _ => Err(DocIdError::Kind(s.to_string())),
        }
    }
}

// Text formats (JSON for the UI and the console) carry the readable `case:<id>` form; binary
// formats (the sync wire) carry a kind byte and the 12 raw id bytes, 13 bytes instead of 30.
impl serde::Serialize for DocId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            return s.collect_str(self);
        }
        let (kind, bytes) = match self {
            DocId::Card(b) => (0u8, b.0),
            DocId::Case(b) => (1u8, b.0),
            DocId::Episode(e) => (2u8, e.0),
        };
        serde::Serialize::serialize(&(kind, bytes), s)
    }
}

impl<'de> serde::Deserialize<'de> for DocId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if d.is_human_readable() {
            let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
            return text.parse().map_err(serde::de::Error::custom);
        }
        let (kind, bytes) = <(u8, [u8; 12])>::deserialize(d)?;
        match kind {
            0 => Ok(DocId::Card(BeneficiaryId(bytes))),
            1 => Ok(DocId::Case(BeneficiaryId(bytes))),
            2 => Ok(DocId::Episode(EpisodeId(bytes))),
            other => Err(serde::de::Error::custom(format!("unknown document kind {other}"))),
        }
    }
}
