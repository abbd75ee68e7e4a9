//! The server side of a sync, as pure functions over documents the adapter has loaded.
//!
//! The adapter authenticates the device, works out its scope, loads the documents a request
//! names and calls [`answer_summary`] or [`answer_exchange`]. It must carry out every returned
//! [`ServerEffect`] durably *before* sending the response: then a lost response only causes a
//! harmless replay, never a lost change.

use std::collections::BTreeMap;

use automerge::AutoCommit;
use automerge::sync::{Message, State, SyncDoc};

use super::wire::{
    DocMessage, HeadsDigest, ManifestEntry, Refusal, RefusalReason, Response, SetDigest,
    heads_digest, set_digest,
};
use crate::doc::{DocHeader, header};
use crate::ids::DocId;

/// How far a device clock may be from the server's before it is flagged: five minutes.
pub const CLOCK_TOLERANCE_MS: i64 = 5 * 60 * 1000;

/// What a device may do with a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Nothing: the document is outside its scope.
    None,
    /// Receive it but not change it (an escort's beneficiary card).
    Read,
    /// Receive and change it.
    Write,
}

/// A document as the adapter loaded it for one request.
#[derive(Debug)]
pub struct ServerDoc {
    /// The document; empty if the server does not hold it yet.
    pub doc: AutoCommit,
    /// Whether the server held it before this request.
    pub exists: bool,
    /// The server's sync state with this device for this document.
    pub state: State,
    /// What this device may do with it (for a document not yet held: `None`, and the
    /// `may_create` judgement applies instead).
    pub access: Access,
}

/// Something the adapter must make durable before answering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerEffect {
    /// Append these raw Automerge changes to the document (idempotent by change hash).
    StoreChanges {
        /// Which document.
        doc: DocId,
        /// Raw change bytes, each loadable with `load_incremental`.
        changes: Vec<Vec<u8>>,
        /// The document's header after the changes, for the scope index.
        header: Box<DocHeader>,
        /// The document's heads after the changes.
        heads: HeadsDigest,
    },
    /// Persist the encoded sync state of this document with this device.
    StoreState {
        /// Which document.
        doc: DocId,
        /// `State::encode()`.
        state: Vec<u8>,
    },
    /// Record a refusal in the audit log.
    Refused(Refusal),
}

/// Whether a device clock reading is more than [`CLOCK_TOLERANCE_MS`] off the server's.
pub fn clock_flagged(device_clock: i64, server_now: i64) -> bool {
    device_clock.abs_diff(server_now) > CLOCK_TOLERANCE_MS as u64
}

/// Answers a summary: "in sync" when the device's digest matches the scope and nothing needs
/// deleting, otherwise the manifest.
pub fn answer_summary(
    device_digest: SetDigest,
    scope: &[ManifestEntry],
    delete: Vec<DocId>,
    clock_flagged: bool,
) -> Response {
    let server_digest = set_digest(scope.iter().map(|e| (&e.doc, e.heads)));
    if server_digest == device_digest && delete.is_empty() {
        Response::InSync { clock_flagged }
    } else {
        Response::Manifest { clock_flagged, docs: scope.to_vec(), delete }
    }
}

/// Answers an exchange: applies what the device may write, refuses the rest, replies with
/// the server's sync messages.
pub fn answer_exchange(
    messages: Vec<DocMessage>,
    docs: &mut BTreeMap<DocId, ServerDoc>,
    may_create: &dyn Fn(&DocHeader) -> bool,
    may_keep: &dyn Fn(&DocHeader) -> bool,
) -> (Response, Vec<ServerEffect>) {
    let mut replies = Vec::new();
    let mut heads = Vec::new();
    let mut refused = Vec::new();
    let mut effects = Vec::new();
    for DocMessage { doc: id, msg } in messages {
        let Some(sd) = docs.get_mut(&id) else {
            refused.push(Refusal { doc: id, reason: RefusalReason::OutOfScope });
            continue;
        };
        match apply_one(id, &msg, sd, may_create, may_keep) {
            Ok(mut doc_effects) => {
                if let Some(reply) = sd.doc.sync().generate_sync_message(&mut sd.state) {
                    replies.push(DocMessage { doc: id, msg: reply.encode() });
                }
                if sd.exists {
                    doc_effects
                        .push(ServerEffect::StoreState { doc: id, state: sd.state.encode() });
                }
                effects.extend(doc_effects);
                heads.push(ManifestEntry { doc: id, heads: heads_digest(&sd.doc.get_heads()) });
            }
            Err(reason) => refused.push(Refusal { doc: id, reason }),
        }
    }
    effects.extend(refused.iter().cloned().map(ServerEffect::Refused));
    (Response::Exchange { messages: replies, heads, refused }, effects)
}

fn apply_one(
    id: DocId,
    msg: &[u8],
    sd: &mut ServerDoc,
    may_create: &dyn Fn(&DocHeader) -> bool,
    may_keep: &dyn Fn(&DocHeader) -> bool,
) -> Result<Vec<ServerEffect>, RefusalReason> {
    if sd.exists && sd.access == Access::None {
        return Err(RefusalReason::OutOfScope);
    }
    let message = Message::decode(msg).map_err(|_| RefusalReason::Undecodable)?;
    let writes = !message.changes.is_empty();
    if !sd.exists && !writes {
        // A document the server does not hold yet: a device that made it opens with a message
        // that carries no changes. Answer as an empty document would, so the device sends them;
        // nothing is stored (not even the sync state) until they arrive and pass `may_create`.
        sd.doc
            .sync()
            .receive_sync_message(&mut sd.state, message)
            .map_err(|_| RefusalReason::Undecodable)?;
        return Ok(Vec::new());
    }
    if sd.exists && writes && sd.access == Access::Read {
        return Err(RefusalReason::ReadOnly);
    }
    if !writes {
        sd.doc
            .sync()
            .receive_sync_message(&mut sd.state, message)
            .map_err(|_| RefusalReason::Undecodable)?;
        return Ok(Vec::new());
    }

    // Apply to a copy first: nothing outside the writer's scope may ever be merged.
    let before = sd.doc.get_heads();
    let mut candidate = sd.doc.fork();
    let mut state = sd.state.clone();
    candidate
        .sync()
        .receive_sync_message(&mut state, message)
        .map_err(|_| RefusalReason::Undecodable)?;
    let added = candidate.get_changes(&before);
    if added.is_empty() {
        sd.state = state;
        return Ok(Vec::new());
    }
    let new_header = header(&candidate).map_err(|_| RefusalReason::Undecodable)?;
    let allowed = if sd.exists { may_keep(&new_header) } else { may_create(&new_header) };
    if !allowed || doc_id_mismatch(id, &new_header) {
        return Err(RefusalReason::OutOfScope);
    }
    let changes: Vec<Vec<u8>> = added.iter().map(|c| c.raw_bytes().to_vec()).collect();
    sd.doc = candidate;
    sd.state = state;
    sd.exists = true;
    let heads = heads_digest(&sd.doc.get_heads());
    Ok(vec![ServerEffect::StoreChanges { doc: id, changes, header: Box::new(new_header), heads }])
}

/// A document's content must agree with the id it is stored under.
fn doc_id_mismatch(id: DocId, h: &DocHeader) -> bool {
    match id {
        DocId::Card(b) => h.kind != "card" || h.beneficiary != b,
        DocId::Case(b) => h.kind != "case" || h.beneficiary != b,
        DocId::Episode(e) => h.kind != "episode" || h.episode != Some(e),
    }
}
