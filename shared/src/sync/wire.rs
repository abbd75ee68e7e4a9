//! What travels between a device and the server, encoded with `postcard`.
//!
//! Bodies are small by design: a device that holds 200 documents and has nothing new sends a
//! 16-byte digest of everything it holds, and the server answers "in sync" in a few bytes.

use automerge::ChangeHash;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::ids::DocId;

/// A digest of every (document, heads) pair a side holds.
pub type SetDigest = [u8; 16];
/// A digest of one document's heads.
pub type HeadsDigest = [u8; 8];

/// One document's Automerge sync message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocMessage {
    /// Which document.
    pub doc: DocId,
    /// An encoded `automerge::sync::Message`.
    pub msg: Vec<u8>,
}

/// A device's request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Request {
    /// "Here is a digest of what I hold." Always the first request of a sync.
    Summary {
        /// The device's clock, Unix ms.
        clock: i64,
        /// Digest of the device's documents and their heads.
        digest: SetDigest,
        /// What changed since the device and the server last agreed, when the device knows:
        /// lets the server name only the documents that differ instead of its whole scope.
        since: Option<Baseline>,
    },
    /// Sync messages for documents that differ, plus confirmations of deletions done.
    Exchange {
        /// The device's clock, Unix ms.
        clock: i64,
        /// One message per document being synced.
        messages: Vec<DocMessage>,
        /// Documents the device has deleted as told.
        deleted: Vec<DocId>,
    },
}

/// The documents a device changed since the set both sides last agreed on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    /// Digest of the agreed set, as the device recorded it.
    pub agreed: SetDigest,
    /// Documents whose heads are not what was agreed, with their heads now (new documents
    /// included).
    pub changed: Vec<ManifestEntry>,
}

/// The heads digest that stands for "the server does not hold this document".
pub const NO_HEADS: HeadsDigest = [0; 8];

/// One document's heads on the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestEntry {
    /// Which document.
    pub doc: DocId,
    /// Digest of its heads on the server.
    pub heads: HeadsDigest,
}

/// Why the server would not take or give a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RefusalReason {
    /// The document is outside what this device's user may see or change.
    OutOfScope,
    /// The device may read this document but not change it.
    ReadOnly,
    /// The message or the changes in it could not be decoded or applied.
    Undecodable,
    /// The server could not store it; try again later.
    StorageFailed,
}

/// A document the server refused, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    /// Which document.
    pub doc: DocId,
    /// Why.
    pub reason: RefusalReason,
}

/// The server's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Response {
    /// The device holds exactly what is in its scope.
    InSync {
        /// Whether the device's clock is more than five minutes off the server's.
        clock_flagged: bool,
    },
    /// What the device's scope holds, and what it must delete.
    Manifest {
        /// Whether the device's clock is more than five minutes off the server's.
        clock_flagged: bool,
        /// Documents with the server's heads: every document in scope when `complete`,
        /// otherwise only those that differ from what the device holds.
        docs: Vec<ManifestEntry>,
        /// Whether `docs` is the whole scope; when it is not, documents the device holds and
        /// `docs` does not name are known to be the same on both sides.
        complete: bool,
        /// Documents the device must delete: its scope no longer includes them.
        delete: Vec<DocId>,
    },
    /// Replies to an exchange.
    Exchange {
        /// Replies, one per document the server has something to say about.
        messages: Vec<DocMessage>,
        /// The server's heads of every document in the request, after applying it.
        heads: Vec<ManifestEntry>,
        /// Documents refused.
        refused: Vec<Refusal>,
    },
}

/// Why bytes could not be read as a request or response.
#[derive(Debug, thiserror::Error)]
#[error("sync body could not be decoded: {0}")]
pub struct WireError(#[from] postcard::Error);

impl Request {
    /// Encodes for the wire.
    pub fn encode(&self) -> Vec<u8> {
        postcard::to_allocvec(self).expect("requests always encode")
    }

    /// Decodes from the wire.
    pub fn decode(bytes: &[u8]) -> Result<Self, WireError> {
        Ok(postcard::from_bytes(bytes)?)
    }
}

impl Response {
    /// Encodes for the wire.
    pub fn encode(&self) -> Vec<u8> {
        postcard::to_allocvec(self).expect("responses always encode")
    }

    /// Decodes from the wire.
    pub fn decode(bytes: &[u8]) -> Result<Self, WireError> {
        Ok(postcard::from_bytes(bytes)?)
    }
}

/// Digest of one document's heads (order-independent).
pub fn heads_digest(heads: &[ChangeHash]) -> HeadsDigest {
    let mut sorted: Vec<&ChangeHash> = heads.iter().collect();
    sorted.sort();
    let mut hasher = Sha256::new();
    for h in sorted {
        hasher.update(h.0);
    }
    let full = hasher.finalize();
    full[..8].try_into().expect("8 of 32 bytes")
}

/// Digest of a whole set of documents with their heads digests (order-independent).
pub fn set_digest<'a>(entries: impl IntoIterator<Item = (&'a DocId, HeadsDigest)>) -> SetDigest {
    let mut list: Vec<(String, HeadsDigest)> =
        entries.into_iter().map(|(d, h)| (d.to_string(), h)).collect();
    list.sort();
    let mut hasher = Sha256::new();
    for (doc, heads) in list {
        hasher.update(doc.as_bytes());
        hasher.update(heads);
    }
    let full = hasher.finalize();
    full[..16].try_into().expect("16 of 32 bytes")
}
