//! Where the server keeps everything, behind a trait so another database can follow.
//!
//! The embedded default is SQLite ([`sqlite::SqliteStorage`]). A PostgreSQL implementation
//! would implement the same trait; the sync code never sees SQL.
//!
//! Documents are kept as append-only change records (unique by change hash, so replays and two
//! server processes writing the same document can never lose or duplicate a change) plus a
//! compacted snapshot.

pub mod sqlite;

use automerge::AutoCommit;
use peihu_shared::doc::DocHeader;
use peihu_shared::ids::{AgencyId, BlobHash, DeviceId, DocId, PlaceCode, UserId};
use peihu_shared::sync::wire::{HeadsDigest, ManifestEntry};

/// Why storage failed.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The database failed.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// Stored document bytes could not be loaded.
    #[error("stored document {0} could not be loaded: {1}")]
    Corrupt(String, String),
    /// A name or code already exists.
    #[error("{0} already exists")]
    Exists(String),
    /// Something named does not exist.
    #[error("{0} not found")]
    NotFound(String),
}

/// The roles of people who use Peihu.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// A village helper (帮帮团成员): their village's beneficiaries.
    Helper,
    /// An agency escort (陪护员): episodes assigned to them, and those beneficiaries' cards.
    Escort,
    /// Civil-affairs staff (民政部门): everything under their division.
    Supervisor,
    /// Runs the system: everything.
    Admin,
}

impl Role {
    /// `helper`, `escort`, `supervisor` or `admin`.
    pub fn code(self) -> &'static str {
        match self {
            Role::Helper => "helper",
            Role::Escort => "escort",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
        }
    }

    /// Reads a role code.
    pub fn from_code(text: &str) -> Option<Role> {
        match text {
            "helper" => Some(Role::Helper),
            "escort" => Some(Role::Escort),
            "supervisor" => Some(Role::Supervisor),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// A person with an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Their id.
    pub id: UserId,
    /// Login name.
    pub login: String,
    /// Display name.
    pub name: String,
    /// What they do.
    pub role: Role,
    /// Their division: a village for helpers, the agency's area for escorts, a town, county or
    /// city for supervisors.
    pub place: PlaceCode,
    /// Escorts' agency.
    pub agency: Option<AgencyId>,
}

/// An enrolled device as the server knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    /// Its id.
    pub id: DeviceId,
    /// Whose device.
    pub user: User,
    /// Revoked devices are refused and told to wipe.
    pub revoked: bool,
    /// Whether the user's agency is suspended.
    pub agency_suspended: bool,
}

/// A document loaded for one request.
#[derive(Debug)]
pub struct LoadedDoc {
    /// The document.
    pub doc: AutoCommit,
    /// The highest change record folded in, so later appends can catch up.
    pub seen: i64,
    /// The header as indexed.
    pub header: Option<DocHeader>,
}

/// An event worth an audit line (refusals, enrolments, revocations). Never holds personal data.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    /// Device concerned, if any.
    pub device: Option<DeviceId>,
    /// User concerned, if any.
    pub user: Option<UserId>,
    /// A stable event code: `sync.refused.out_of_scope`, `device.revoked` ….
    pub event: String,
    /// Document concerned, if any.
    pub doc: Option<DocId>,
}

/// How long a one-time enrolment code works after it is issued: a week, time enough to reach
/// a village; a code lost on paper stops working by itself.
pub const CODE_LIFETIME_MS: i64 = 7 * 24 * 60 * 60 * 1000;

/// Everything the server stores.
pub trait Storage: Send + Sync + 'static {
    /// The device holding this token hash, if any.
    fn device_by_token(&self, token_hash: &[u8; 32]) -> Result<Option<Device>, StorageError>;
    /// Trades a one-time enrolment code (by hash), unused and younger than
    /// [`CODE_LIFETIME_MS`], for a new device with this token hash.
    fn enroll(
        &self,
        code_hash: &[u8; 32],
        token_hash: &[u8; 32],
        now: i64,
    ) -> Result<Option<(DeviceId, User)>, StorageError>;
    /// Notes a device's sync: time, clock drift and whether it was flagged.
    fn note_sync(&self, device: DeviceId, now: i64, drift_ms: i64) -> Result<(), StorageError>;

    /// Documents in a device user's scope with their heads.
    fn scope_manifest(&self, user: &User) -> Result<Vec<ManifestEntry>, StorageError>;
    /// Documents this device was given that are no longer in scope.
    fn stale_device_docs(
        &self,
        device: DeviceId,
        scope: &[ManifestEntry],
    ) -> Result<Vec<DocId>, StorageError>;
    /// Forgets that a device holds these documents (it has deleted them).
    fn forget_device_docs(&self, device: DeviceId, docs: &[DocId]) -> Result<(), StorageError>;
    /// The documents and heads this device and the server last agreed on.
    fn agreed_set(&self, device: DeviceId) -> Result<Vec<ManifestEntry>, StorageError>;
    /// Replaces the agreed set (the device was found in sync with all of this).
    fn replace_agreed(
        &self,
        device: DeviceId,
        entries: &[ManifestEntry],
    ) -> Result<(), StorageError>;
    /// Records one document as agreed at these heads.
    fn set_agreed(
        &self,
        device: DeviceId,
        doc: &DocId,
        heads: &[u8; 8],
    ) -> Result<(), StorageError>;

    /// Loads a document.
    fn load_doc(&self, id: &DocId) -> Result<Option<LoadedDoc>, StorageError>;
    /// Appends changes (idempotent by hash), catching up with changes appended by others since
    /// `loaded`, and re-indexes the header and heads. Returns the heads after.
    fn append_changes(
        &self,
        id: &DocId,
        loaded: &mut LoadedDoc,
        changes: &[Vec<u8>],
        header: &DocHeader,
        device: Option<DeviceId>,
        now: i64,
    ) -> Result<HeadsDigest, StorageError>;
    /// The sync state of a document with a device.
    fn sync_state(&self, device: DeviceId, doc: &DocId) -> Result<Option<Vec<u8>>, StorageError>;
    /// Persists the sync state of a document with a device (and records that the device holds it).
    fn set_sync_state(
        &self,
        device: DeviceId,
        doc: &DocId,
        state: &[u8],
    ) -> Result<(), StorageError>;
    /// Records that a file is evidence for a document (its readers may fetch it).
    fn add_blob_ref(&self, hash: &BlobHash, doc: &DocId) -> Result<(), StorageError>;
    /// The documents a file is evidence for.
    fn blob_docs(&self, hash: &BlobHash) -> Result<Vec<DocId>, StorageError>;
    /// Records an audit event.
    fn audit(&self, event: &AuditEvent, now: i64) -> Result<(), StorageError>;
}
