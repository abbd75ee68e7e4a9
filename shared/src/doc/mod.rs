//! How the programme lives in Automerge documents.
//!
//! # Layout
//!
//! Each beneficiary has two documents, so an escort can be given the first without the second:
//!
//! - `card:<id>` — [`Card`]: name, sex, birth date, allergies, conditions, contact.
//! - `case:<id>` — [`Case`]: profile, colour history, visits, warnings, escort requests,
//!   post-discharge services.
//!
//! Each hospital stay is one `episode:<id>` document ([`Episode`]).
//!
//! Three rules keep concurrent offline work safe:
//!
//! 1. Records live in maps keyed by their own random id, never in lists, so two devices adding
//!    records at once never collide. Every container map is made when the document is created,
//!    by its creator alone, so no two devices ever race to create the same map.
//! 2. A signed-off record is never rewritten. Corrections are amendments stored beside it.
//! 3. Fields that several people may edit (a phone number, a ward, the assigned escort) are
//!    *registers*: every write puts a fresh `{v, set}` object at the key. When two devices write
//!    the same register concurrently, Automerge keeps both objects as a conflict, each intact with
//!    its author and time, and [`conflicts`] lists them until someone writes the field again.
//!
//! # Why registers bypass `autosurgeon`
//!
//! Records are written and read with `autosurgeon`'s derives. Registers are written by hand
//! ([`set_register`]) because `autosurgeon` reconciles a struct *in place*: two concurrent edits
//! of a `{v, set}` pair would then conflict field by field, and the surviving `v` could be paired
//! with the other writer's `set`. Putting a fresh object keeps each value with its author.

mod conflicts;
mod write;

pub use conflicts::{Conflict, ConflictValue, conflicts};
pub use write::{
    DocHeader, NewBeneficiary, NewEpisode, add_record, add_visit, amend_visit, header,
    hydrate_card, hydrate_case, hydrate_episode, new_beneficiary, new_episode, set_colour,
    set_register, set_shift_clock_out,
};

/// The schema version written into every document's root as `schema`.
pub const SCHEMA_VERSION: u64 = 1;

/// Why a document operation failed.
#[derive(Debug, thiserror::Error)]
pub enum DocError {
    /// Automerge refused an operation or could not read bytes.
    #[error("document engine error: {0}")]
    Automerge(#[from] automerge::AutomergeError),
    /// The document's content did not match Peihu's schema.
    #[error("document does not match the schema: {0}")]
    Hydrate(#[from] autosurgeon::HydrateError),
    /// Writing a value into the document failed.
    #[error("could not write into the document: {0}")]
    Reconcile(#[from] autosurgeon::ReconcileError),
    /// The document is not of the kind the operation needs.
    #[error("expected a {expected} document, found {found:?}")]
    WrongKind {
        /// The kind needed.
        expected: &'static str,
        /// What the root's `kind` said.
        found: Option<String>,
    },
    /// The record to amend or update does not exist.
    #[error("no {what} with id {id} in this document")]
    NoSuchRecord {
        /// What kind of record.
        what: &'static str,
        /// The id asked for.
        id: String,
    },
    /// A signed-off record may not be replaced.
    #[error("{what} {id} is already signed off; record a correction as an amendment")]
    AlreadySignedOff {
        /// What kind of record.
        what: &'static str,
        /// Its id.
        id: String,
    },
    /// A correction must say why.
    #[error("an amendment needs a reason")]
    AmendmentWithoutReason,
}
