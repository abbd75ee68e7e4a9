//! Identifiers: one newtype per kind of thing, parsed and displayed in one place.
//!
//! Record identifiers (beneficiary, visit, episode …) are 96 random bits written as 24 lowercase
//! hex digits. They are made on the device that creates the record, offline, so they must never
//! collide; 96 bits leaves the odds of a collision across every record the programme will ever
//! make far below the odds of a disk failure.

mod blob;
mod doc_id;
mod id_number;
mod place;
mod place_registry;

pub use blob::{BlobHash, BlobHashError};
pub use doc_id::{DocId, DocIdError, DocKind};
pub use id_number::{IdNumber, IdNumberError};
pub use place::{PlaceCode, PlaceCodeError, PlaceLevel};
pub use place_registry::{Place, PlaceCheckError, PlaceRegistry, PlaceTableError, RetiredPlace};

/// Why a record identifier could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// The text was not exactly 24 characters long.
    #[error("{kind} id must be 24 hex digits, got {len} characters")]
    Length {
        /// Which kind of identifier was being read.
        kind: &'static str,
        /// How many characters were given.
        len: usize,
    },
    /// The text held something other than lowercase hex digits.
    #[error("{kind} id may hold only the digits 0-9 and letters a-f")]
    NotHex {
        /// Which kind of identifier was being read.
        kind: &'static str,
    },
}

/// Fills `buf` with random bytes from the platform (the OS on hosts, `crypto` in browsers).
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    // The platform source failing means the machine cannot make safe identifiers at all; there
    // is nothing sensible to continue with.
    getrandom::fill(&mut buf).expect("the platform's random source is unavailable");
    buf
}

/// Defines a random record identifier type with parsing, display and Automerge mapping.
macro_rules! record_id {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name([u8; 12]);

        impl $name {
            /// Makes a fresh random identifier.
            pub fn new_random() -> Self {
                Self($crate::ids::random_bytes())
            }

            /// Builds an identifier from fixed bytes (tests, fixtures, demo data).
            pub const fn from_bytes(bytes: [u8; 12]) -> Self {
                Self(bytes)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                for b in self.0 {
                    write!(f, "{b:02x}")?;
                }
                Ok(())
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}({self})", stringify!($name))
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::ids::IdError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                if s.len() != 24 {
                    return Err($crate::ids::IdError::Length { kind: $kind, len: s.chars().count() });
                }
                let mut out = [0u8; 12];
                hex::decode_to_slice(s, &mut out)
                    .map_err(|_| $crate::ids::IdError::NotHex { kind: $kind })?;
                if s.bytes().any(|b| b.is_ascii_uppercase()) {
                    return Err($crate::ids::IdError::NotHex { kind: $kind });
                }
                Ok(Self(out))
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }

        impl autosurgeon::Reconcile for $name {
            type Key<'a> = autosurgeon::reconcile::NoKey;

            fn reconcile<R: autosurgeon::Reconciler>(&self, r: R) -> Result<(), R::Error> {
                self.to_string().reconcile(r)
            }
        }

        impl autosurgeon::Hydrate for $name {
            fn hydrate_string(s: &'_ str) -> Result<Self, autosurgeon::HydrateError> {
                s.parse().map_err(|e: $crate::ids::IdError| {
                    autosurgeon::HydrateError::unexpected($kind, e.to_string())
                })
            }
        }
    };
}

record_id!(
    /// A person in extreme hardship served by the programme (分散供养特困人员).
    BeneficiaryId,
    "beneficiary"
);
record_id!(
    /// One home visit by a village helper.
    VisitId,
    "visit"
);
record_id!(
    /// One hospital stay with an escort (陪护): the nine steps hang off it.
    EpisodeId,
    "episode"
);
record_id!(
    /// An enrolled tablet or client.
    DeviceId,
    "device"
);
record_id!(
    /// A person who uses Peihu: helper, escort, supervisor or admin.
    UserId,
    "user"
);
record_id!(
    /// A contracted service agency (第三方服务机构).
    AgencyId,
    "agency"
);
record_id!(
    /// Any other record kept in a map inside a document: amendments, colour assessments,
    /// warnings, shifts, daily records, escort requests, services.
    RecordId,
    "record"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_ids_round_trip_through_text() {
        let id = VisitId::new_random();
        let text = id.to_string();
        assert_eq!(text.len(), 24);
        assert_eq!(text.parse::<VisitId>().unwrap(), id);
    }

    #[test]
    fn record_id_errors_name_the_kind() {
        let err = "abc".parse::<EpisodeId>().unwrap_err();
        assert_eq!(err.to_string(), "episode id must be 24 hex digits, got 3 characters");
        let err = "ABCDEF0123456789ABCDEF01".parse::<EpisodeId>().unwrap_err();
        assert_eq!(err.to_string(), "episode id may hold only the digits 0-9 and letters a-f");
    }
}
