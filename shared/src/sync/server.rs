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
    Baseline, DocMessage, HeadsDigest, ManifestEntry, NO_HEADS, Refusal, RefusalReason, Response,
    SetDigest, heads_digest, set_digest,
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
    /// Record that this device and the server now hold the same heads of this document
    /// (the device's message named exactly the server's heads).
    Agreed {
        /// Which document.
        doc: DocId,
        /// The heads both sides hold.
        heads: HeadsDigest,
    },
    /// Record a refusal in the audit log.
    Refused(Refusal),
}

/// Whether a device clock reading is more than [`CLOCK_TOLERANCE_MS`] off the server's.
pub fn clock_flagged(device_clock: i64, server_now: i64) -> bool {
    device_clock.abs_diff(server_now) > CLOCK_TOLERANCE_MS as u64
}

/// Answers a summary: "in sync" when the device's digest matches the scope and nothing needs
/// deleting; otherwise the documents that differ, or the whole scope when the server cannot
/// tell which differ.
///
/// `agreed` is the set the server recorded as held by both sides (see
/// [`ServerEffect::Agreed`]); when the device's `since` builds on the same set and, with its
/// changes laid over it, accounts for the device's digest exactly, the server knows what the
/// device holds and names only the differences. Any doubt falls back to the whole scope.
/// When the answer is [`Response::InSync`] the adapter should record `scope` as agreed.
pub fn answer_summary(
    device_digest: SetDigest,
    since: Option<&Baseline>,
    agreed: &[ManifestEntry],
    scope: &[ManifestEntry],
    delete: Vec<DocId>,
    clock_flagged: bool,
) -> Response {
    let server_digest = set_digest(scope.iter().map(|e| (&e.doc, e.heads)));
    if server_digest == device_digest && delete.is_empty() {
        return Response::InSync { clock_flagged };
    }
    match since.and_then(|s| differences(device_digest, s, agreed, scope)) {
        Some(docs) => Response::Manifest { clock_flagged, docs, delete, complete: false },
        None => Response::Manifest { clock_flagged, docs: scope.to_vec(), delete, complete: true },
    }
}

/// The documents whose heads differ between the device (as `since` describes it over the
/// agreed set) and the server's scope; `None` when the description does not add up.
fn differences(
    device_digest: SetDigest,
    since: &Baseline,
    agreed: &[ManifestEntry],
    scope: &[ManifestEntry],
) -> Option<Vec<ManifestEntry>> {
    if set_digest(agreed.iter().map(|e| (&e.doc, e.heads))) != since.agreed {
        return None;
    }
    let mut device: BTreeMap<DocId, HeadsDigest> =
        agreed.iter().map(|e| (e.doc, e.heads)).collect();
    for e in &since.changed {
        device.insert(e.doc, e.heads);
    }
    if set_digest(device.iter().map(|(d, h)| (d, *h))) != device_digest {
        return None;
    }
    let mut out: Vec<ManifestEntry> =
        scope.iter().filter(|e| device.get(&e.doc) != Some(&e.heads)).cloned().collect();
    // Documents the device changed that are not in scope (made on the device, or about to be
    // refused): listed as unknown so the device offers them and hears the verdict.
    let in_scope: std::collections::BTreeSet<DocId> = scope.iter().map(|e| e.doc).collect();
    for e in &since.changed {
        if !in_scope.contains(&e.doc) {
            out.push(ManifestEntry { doc: e.doc, heads: NO_HEADS });
        }
    }
    Some(out)
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
            Ok((mut doc_effects, device_heads)) => {
                if let Some(reply) = sd.doc.sync().generate_sync_message(&mut sd.state) {
                    replies.push(DocMessage { doc: id, msg: reply.encode() });
                }
                let now = heads_digest(&sd.doc.get_heads());
                if sd.exists {
                    doc_effects
                        .push(ServerEffect::StoreState { doc: id, state: sd.state.encode() });
                    if device_heads == now {
                        doc_effects.push(ServerEffect::Agreed { doc: id, heads: now });
                    }
                }
                effects.extend(doc_effects);
                heads.push(ManifestEntry { doc: id, heads: now });
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
) -> Result<(Vec<ServerEffect>, HeadsDigest), RefusalReason> {
    if sd.exists && sd.access == Access::None {
        return Err(RefusalReason::OutOfScope);
    }
    let message = Message::decode(msg).map_err(|_| RefusalReason::Undecodable)?;
    let device_heads = heads_digest(&message.heads);
    let writes = !message.changes.is_empty();
    if !sd.exists && !writes {
        // A document the server does not hold yet: a device that made it opens with a message
        // that carries no changes. Answer as an empty document would, so the device sends them;
        // nothing is stored (not even the sync state) until they arrive and pass `may_create`.
        sd.doc
            .sync()
            .receive_sync_message(&mut sd.state, message)
            .map_err(|_| RefusalReason::Undecodable)?;
        return Ok((Vec::new(), device_heads));
    }
    if sd.exists && writes && sd.access == Access::Read {
        return Err(RefusalReason::ReadOnly);
    }
    if !writes {
        sd.doc
            .sync()
            .receive_sync_message(&mut sd.state, message)
            .map_err(|_| RefusalReason::Undecodable)?;
        return Ok((Vec::new(), device_heads));
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
        return Ok((Vec::new(), device_heads));
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
    let store =
        ServerEffect::StoreChanges { doc: id, changes, header: Box::new(new_header), heads };
    Ok((vec![store], device_heads))
}

/// A document's content must agree with the id it is stored under.
fn doc_id_mismatch(id: DocId, h: &DocHeader) -> bool {
    match id {
        DocId::Card(b) => h.kind != "card" || h.beneficiary != b,
        DocId::Case(b) => h.kind != "case" || h.beneficiary != b,
        DocId::Episode(e) => h.kind != "episode" || h.episode != Some(e),
    }
}
