//! The device side of a sync, as a state machine: responses in, requests and effects out.

use std::collections::{BTreeMap, BTreeSet};

use automerge::AutoCommit;
use automerge::sync::{BloomFilter, Have, Message, State, SyncDoc};

use super::wire::{
    Baseline, DocMessage, HeadsDigest, ManifestEntry, Refusal, Request, Response, heads_digest,
    set_digest,
};
use crate::ids::DocId;

/// How many exchange rounds one sync may take before it gives up. Real syncs finish in two or
/// three; the bound stops a misbehaving peer from keeping a device busy forever.
pub const MAX_ROUNDS: u32 = 24;

/// Past this many changed documents a summary names none and the server sends its whole
/// manifest. Six keeps a summary under 200 bytes, so a sync with nothing new stays one small
/// round trip even when the device's record of what was agreed is behind.
pub const MAX_NAMED_CHANGES: usize = 6;

/// The documents a sync works on. The device store implements it; so do the in-memory replicas
/// of the deterministic network tests.
pub trait DocAccess {
    /// Every document held.
    fn ids(&self) -> Vec<DocId>;
    /// A held document.
    fn get_mut(&mut self, id: &DocId) -> Option<&mut AutoCommit>;
    /// A held document, or a new empty one staged for a document the server is about to send.
    fn get_or_stage(&mut self, id: &DocId) -> &mut AutoCommit;
    /// The sync state persisted at the end of an earlier sync, if any.
    fn saved_state(&self, id: &DocId) -> Option<Vec<u8>>;
    /// The set of documents and heads this device last recorded as held by both sides (see
    /// [`Effect::Agreed`]); `None` before the first sync.
    fn agreed(&self) -> Option<Vec<ManifestEntry>>;
}

/// Something the adapter must do for the sync to be real.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Make the document's new changes and this encoded sync state durable.
    Persist {
        /// Which document.
        doc: DocId,
        /// `automerge::sync::State::encode()`: only what both sides are known to share.
        state: Vec<u8>,
    },
    /// Delete the document: the device's scope no longer includes it.
    Delete(DocId),
    /// Replace the recorded agreed set with this one (given once, at the end of a sync).
    Agreed(Vec<ManifestEntry>),
}

/// What the adapter does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Send this request and feed the response back.
    Send(Request),
    /// The sync is over.
    Done(Outcome),
}

/// How a sync ended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Every document in scope has the same heads on both sides.
    pub synced: bool,
    /// The server judged the device's clock more than five minutes off.
    pub clock_flagged: bool,
    /// Documents the server refused.
    pub refused: Vec<Refusal>,
    /// Documents deleted because the scope shrank.
    pub deleted: Vec<DocId>,
    /// Documents the server said to delete that hold changes it may not have: they are kept,
    /// and the sync is not reported complete, so nothing written on this device is lost.
    pub kept: Vec<DocId>,
    /// Documents that received changes from the server.
    pub received: Vec<DocId>,
    /// Exchange rounds after the summary.
    pub rounds: u32,
    /// Why the sync stopped short, when it did.
    pub problem: Option<String>,
}

/// One sync of a device with the server.
#[derive(Debug)]
pub struct ClientSession {
    clock: i64,
    held: Vec<ManifestEntry>,
    agreed: BTreeMap<DocId, HeadsDigest>,
    states: BTreeMap<DocId, State>,
    working: BTreeSet<DocId>,
    server_heads: BTreeMap<DocId, HeadsDigest>,
    restored: BTreeSet<DocId>,
    deleted: Vec<DocId>,
    outcome: Outcome,
}

fn local_heads(doc: &mut AutoCommit) -> HeadsDigest {
    heads_digest(&doc.get_heads())
}

impl ClientSession {
    /// Starts a sync at device time `clock`: returns the session and the summary request.
    pub fn start(clock: i64, docs: &mut dyn DocAccess) -> (ClientSession, Request) {
        let mut held = Vec::new();
        for id in docs.ids() {
            if let Some(doc) = docs.get_mut(&id) {
                held.push(ManifestEntry { doc: id, heads: local_heads(doc) });
            }
        }
        let digest = set_digest(held.iter().map(|e| (&e.doc, e.heads)));
        let recorded = docs.agreed();
        let since_known = recorded.is_some();
        let agreed: BTreeMap<DocId, HeadsDigest> =
            recorded.unwrap_or_default().into_iter().map(|e| (e.doc, e.heads)).collect();
        let since = baseline(&held, &agreed, since_known);
        let session = ClientSession {
            clock,
            held,
            agreed,
            states: BTreeMap::new(),
            working: BTreeSet::new(),
            server_heads: BTreeMap::new(),
            restored: BTreeSet::new(),
            deleted: Vec::new(),
            outcome: Outcome::default(),
        };
        (session, Request::Summary { clock, digest, since })
    }

    /// Feeds the server's response; returns the next step and the effects to carry out first.
    pub fn on_response(
        &mut self,
        response: Response,
        docs: &mut dyn DocAccess,
    ) -> (Step, Vec<Effect>) {
        match response {
            Response::InSync { clock_flagged } => {
                self.outcome.clock_flagged = clock_flagged;
                self.outcome.synced = true;
                self.agreed = self.held.iter().map(|e| (e.doc, e.heads)).collect();
                (Step::Done(self.outcome.clone()), vec![self.agreed_effect()])
            }
            Response::Manifest { clock_flagged, docs: manifest, delete, complete } => {
                self.outcome.clock_flagged = clock_flagged;
                self.on_manifest(&manifest, &delete, complete, docs)
            }
            Response::Exchange { messages, heads, refused } => {
                self.on_exchange(messages, heads, refused, docs)
            }
        }
    }

    fn state_for(&mut self, id: &DocId, docs: &dyn DocAccess) -> &mut State {
        if !self.states.contains_key(id) {
            let saved = docs.saved_state(id).and_then(|b| State::decode(&b).ok());
            if saved.is_some() {
                self.restored.insert(*id);
            }
            self.states.insert(*id, saved.unwrap_or_default());
        }
        self.states.get_mut(id).expect("inserted just above")
    }

    fn on_manifest(
        &mut self,
        manifest: &[ManifestEntry],
        delete: &[DocId],
        complete: bool,
        docs: &mut dyn DocAccess,
    ) -> (Step, Vec<Effect>) {
        let mut effects = Vec::new();
        let mut removed = Vec::new();
        for d in delete {
            if has_unsent_changes(d, self.agreed.get(d), docs) {
                self.outcome.kept.push(*d);
            } else {
                effects.push(Effect::Delete(*d));
                removed.push(*d);
                self.agreed.remove(d);
            }
        }
        if !self.outcome.kept.is_empty() {
            self.fail(format!(
                "{} record file(s) of a place no longer assigned to this user hold work the \
                 server has not received; they stay on this device (ask a supervisor)",
                self.outcome.kept.len()
            ));
        }
        // Only deletions carried out are confirmed; the server goes on naming the kept ones.
        self.deleted = removed.clone();
        self.outcome.deleted = removed;
        let held: BTreeSet<DocId> = docs.ids().into_iter().collect();
        for entry in manifest {
            self.server_heads.insert(entry.doc, entry.heads);
            let differs = match docs.get_mut(&entry.doc) {
                Some(doc) => local_heads(doc) != entry.heads,
                None => true,
            };
            if differs {
                self.working.insert(entry.doc);
            }
        }
        // Documents made on this device that the server has not seen yet. A partial manifest
        // already names them; documents it leaves out are the same on both sides.
        let listed: BTreeSet<DocId> = manifest.iter().map(|e| e.doc).collect();
        for id in held {
            if complete && !listed.contains(&id) && !delete.contains(&id) {
                self.working.insert(id);
            }
        }
        let (step, more) = self.next_exchange(docs);
        effects.extend(more);
        (step, effects)
    }

    fn on_exchange(
        &mut self,
        messages: Vec<DocMessage>,
        heads: Vec<ManifestEntry>,
        refused: Vec<Refusal>,
        docs: &mut dyn DocAccess,
    ) -> (Step, Vec<Effect>) {
        let mut effects = Vec::new();
        for r in refused {
            self.working.remove(&r.doc);
            if !self.outcome.refused.contains(&r) {
                self.outcome.refused.push(r);
            }
        }
        for entry in heads {
            self.server_heads.insert(entry.doc, entry.heads);
        }
        for DocMessage { doc: id, msg } in messages {
            if !self.working.contains(&id) {
                continue;
            }
            let Ok(message) = Message::decode(&msg) else {
                self.fail(format!("the server sent an unreadable message for {id}"));
                continue;
            };
            let brings_changes = !message.changes.is_empty();
            let mut state = std::mem::take(self.state_for(&id, docs));
            let doc = docs.get_or_stage(&id);
            let applied = doc.sync().receive_sync_message(&mut state, message);
            let encoded = state.encode();
            self.states.insert(id, state);
            match applied {
                Ok(()) => {
                    if brings_changes && !self.outcome.received.contains(&id) {
                        self.outcome.received.push(id);
                    }
                    effects.push(Effect::Persist { doc: id, state: encoded });
                }
                Err(e) => self.fail(format!("changes for {id} could not be applied: {e}")),
            }
        }
        let (step, more) = self.next_exchange(docs);
        effects.extend(more);
        (step, effects)
    }

    fn fail(&mut self, problem: String) {
        if self.outcome.problem.is_none() {
            self.outcome.problem = Some(problem);
        }
    }

    fn next_exchange(&mut self, docs: &mut dyn DocAccess) -> (Step, Vec<Effect>) {
        let mut messages = Vec::new();
        let mut effects = Vec::new();
        let working: Vec<DocId> = self.working.iter().copied().collect();
        for id in working {
            let mut state = std::mem::take(self.state_for(&id, docs));
            let doc = docs.get_or_stage(&id);
            if self.restored.remove(&id) {
                assume_server_holds_shared_heads(&mut state, doc);
            }
            let message = doc.sync().generate_sync_message(&mut state);
            let matches = self.server_heads.get(&id) == Some(&local_heads(doc));
            self.states.insert(id, state);
            match message {
                Some(m) => messages.push(DocMessage { doc: id, msg: m.encode() }),
                None if matches => {
                    self.working.remove(&id);
                    self.agreed.insert(id, local_heads(doc));
                }
                None => {}
            }
        }
        let deleted = std::mem::take(&mut self.deleted);
        if messages.is_empty() && deleted.is_empty() {
            effects.push(self.agreed_effect());
            return (Step::Done(self.finish()), effects);
        }
        self.outcome.rounds += 1;
        if self.outcome.rounds > MAX_ROUNDS {
            self.fail("the server and this device did not agree after many rounds".into());
            effects.push(self.agreed_effect());
            return (Step::Done(self.finish()), effects);
        }
        effects.shrink_to_fit();
        (Step::Send(Request::Exchange { clock: self.clock, messages, deleted }), effects)
    }

    fn agreed_effect(&self) -> Effect {
        Effect::Agreed(
            self.agreed
                .iter()
                .map(|(doc, heads)| ManifestEntry { doc: *doc, heads: *heads })
                .collect(),
        )
    }

    fn finish(&mut self) -> Outcome {
        let unsettled =
            self.working.iter().any(|id| !self.outcome.refused.iter().any(|r| &r.doc == id));
        let mut outcome = self.outcome.clone();
        outcome.synced = outcome.problem.is_none() && !unsettled && outcome.refused.is_empty();
        if unsettled && outcome.problem.is_none() {
            outcome.problem = Some("some documents did not finish syncing".into());
        }
        outcome
    }
}

/// What changed since the agreed set, or `None` when the server had better send everything:
/// no agreed set yet, a document agreed on is gone, or too much changed to be worth naming.
fn baseline(
    held: &[ManifestEntry],
    agreed: &BTreeMap<DocId, HeadsDigest>,
    recorded: bool,
) -> Option<Baseline> {
    if !recorded {
        return None;
    }
    let held_ids: BTreeSet<DocId> = held.iter().map(|e| e.doc).collect();
    if agreed.keys().any(|d| !held_ids.contains(d)) {
        return None;
    }
    let changed: Vec<ManifestEntry> =
        held.iter().filter(|e| agreed.get(&e.doc) != Some(&e.heads)).cloned().collect();
    (changed.len() <= MAX_NAMED_CHANGES)
        .then(|| Baseline { agreed: set_digest(agreed.iter().map(|(d, h)| (d, *h))), changed })
}

/// Lets the first message of a restored sync carry this device's new changes at once.
///
/// A persisted state keeps only the heads both sides are known to hold; Automerge then opens
/// with a message that carries no changes and waits a round trip to hear what the server has.
/// When the device has changes beyond those shared heads, the server certainly holds the shared
/// heads, so the changes after them can go in the first message. If the server already had some
/// of them, it ignores the duplicates. Documents with nothing new on the device keep the usual
/// opening, which asks the server for what it has.
fn assume_server_holds_shared_heads(state: &mut State, doc: &mut AutoCommit) {
    let mut ours = doc.get_heads();
    let mut shared = state.shared_heads.clone();
    ours.sort();
    shared.sort();
    if shared.is_empty() || ours == shared {
        return;
    }
    state.their_heads = Some(shared.clone());
    state.their_need = Some(Vec::new());
    state.their_have = Some(vec![Have { last_sync: shared, bloom: BloomFilter::default() }]);
}

/// Whether a document may hold changes the server has not received: its heads are neither
/// those last agreed with the server nor the heads the persisted sync state knows both sides
/// share.
fn has_unsent_changes(id: &DocId, agreed: Option<&HeadsDigest>, docs: &mut dyn DocAccess) -> bool {
    let saved = docs.saved_state(id);
    let Some(doc) = docs.get_mut(id) else {
        return false;
    };
    let mut heads = doc.get_heads();
    if agreed == Some(&heads_digest(&heads)) {
        return false;
    }
    let Some(mut shared) = saved.and_then(|b| State::decode(&b).ok()).map(|s| s.shared_heads)
    else {
        return true;
    };
    heads.sort();
    shared.sort();
    heads != shared
}
