//! The device store: every document this device holds, durable in one SQLite file.
//!
//! Saving a local edit is one SQLite transaction that appends the Automerge change (an
//! incremental save) and commits with `synchronous = FULL` before the call returns: what the app
//! calls saved survives a crash or a pulled battery. Chunks are folded into a snapshot once a
//! document has gathered [`COMPACT_AFTER`] of them. At open, every document loads; anything
//! unreadable is moved to the `quarantine` table and reported, and the rest load normally.

mod chunks;
mod documents;
mod meta;
pub mod migrations;
mod photos;
mod quarantine;
mod sync_states;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use automerge::AutoCommit;
use peihu_shared::doc::DocError;
use peihu_shared::ids::DocId;
use rusqlite::Connection;

pub use photos::PhotoRow;

/// After this many incremental chunks a document is compacted into one snapshot.
pub const COMPACT_AFTER: i64 = 32;

/// Why the store could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite failed: the disk is full, the file is locked, or the file is not a store.
    #[error("the device database failed: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The store was written by a newer Peihu than this one.
    #[error(
        "this data was written by a newer version of Peihu (schema {found}; this one reads up to {supported}): update the app"
    )]
    TooNew {
        /// The version found in the file.
        found: u32,
        /// The newest version this build reads.
        supported: u32,
    },
    /// A document operation failed; nothing was saved.
    #[error(transparent)]
    Doc(#[from] DocError),
    /// The document is not on this device.
    #[error("document {0} is not on this device")]
    NoSuchDoc(DocId),
    /// A document with this id already exists.
    #[error("document {0} already exists on this device")]
    Exists(DocId),
}

/// Checks that a stored chunk is intact before it is loaded. `load_incremental` skips bytes it
/// cannot parse without reporting an error, so a damaged chunk would vanish silently instead of
/// being quarantined. Read on its own a chunk may lack the changes it builds on (they are in the
/// snapshot or an earlier chunk); any other failure means the bytes are damaged.
fn check_chunk(bytes: &[u8]) -> Result<(), automerge::AutomergeError> {
    let options = automerge::LoadOptions::new().on_partial_load(automerge::OnPartialLoad::Error);
    match automerge::Automerge::load_with_options(bytes, options) {
        Ok(_) | Err(automerge::AutomergeError::MissingDeps) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Something that could not be read at open and was set aside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quarantined {
    /// The document it belonged to, as stored.
    pub doc: String,
    /// Why it could not be read.
    pub reason: String,
}

/// The open store with every readable document loaded.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
    docs: BTreeMap<DocId, AutoCommit>,
    quarantined: Vec<Quarantined>,
}

impl Store {
    /// Opens (creating if needed) the store at `path`, migrating older schemas and loading every
    /// document.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrations::migrate_to(&mut conn, migrations::CURRENT_VERSION)?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            docs: BTreeMap::new(),
            quarantined: Vec::new(),
        };
        store.load_all()?;
        Ok(store)
    }

    /// Where the store lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn load_all(&mut self) -> Result<(), StoreError> {
        for raw_id in documents::all_ids(&self.conn)? {
            let Ok(id) = raw_id.parse::<DocId>() else {
                self.quarantine_doc(&raw_id, "the document id is not one Peihu writes")?;
                continue;
            };
            if let Some(doc) = self.load_one(&raw_id)? {
                self.docs.insert(id, doc);
            }
        }
        Ok(())
    }

    fn load_one(&mut self, raw_id: &str) -> Result<Option<AutoCommit>, StoreError> {
        // The usual case: snapshot and chunks read back whole, in one strict load. Only when
        // that fails is each part tried on its own, to set aside just what is damaged.
        let snapshot = documents::snapshot(&self.conn, raw_id)?;
        let chunks = chunks::of_doc(&self.conn, raw_id)?;
        let mut whole = snapshot.unwrap_or_default();
        for (_, bytes) in &chunks {
            whole.extend_from_slice(bytes);
        }
        let strict = automerge::LoadOptions::new().on_partial_load(automerge::OnPartialLoad::Error);
        if let Ok(mut doc) = AutoCommit::load_with_options(&whole, strict) {
            let _ = doc.save_incremental();
            return Ok(Some(doc));
        }
        self.load_one_part_by_part(raw_id)
    }

    fn load_one_part_by_part(&mut self, raw_id: &str) -> Result<Option<AutoCommit>, StoreError> {
        let mut doc = match documents::snapshot(&self.conn, raw_id)? {
            Some(bytes) => match AutoCommit::load(&bytes) {
                Ok(doc) => doc,
                Err(e) => {
                    self.quarantine_doc(raw_id, &format!("snapshot unreadable: {e}"))?;
                    return Ok(None);
                }
            },
            None => AutoCommit::new(),
        };
        for (seq, bytes) in chunks::of_doc(&self.conn, raw_id)? {
            if let Err(e) = check_chunk(&bytes).and_then(|()| doc.load_incremental(&bytes)) {
                let tx = self.conn.transaction()?;
                quarantine::put(&tx, raw_id, &format!("change chunk unreadable: {e}"), &bytes)?;
                chunks::delete_one(&tx, seq)?;
                tx.commit()?;
                self.quarantined.push(Quarantined {
                    doc: raw_id.to_string(),
                    reason: format!("change chunk unreadable: {e}"),
                });
            }
        }
        // Mark everything loaded as saved, so the next incremental save holds only new changes.
        let _ = doc.save_incremental();
        Ok(Some(doc))
    }

    fn quarantine_doc(&mut self, raw_id: &str, reason: &str) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        if let Some(bytes) = documents::snapshot(&tx, raw_id)? {
            quarantine::put(&tx, raw_id, reason, &bytes)?;
        }
        for (_, bytes) in chunks::of_doc(&tx, raw_id)? {
            quarantine::put(&tx, raw_id, reason, &bytes)?;
        }
        documents::delete(&tx, raw_id)?;
        chunks::delete_doc(&tx, raw_id)?;
        sync_states::delete(&tx, raw_id)?;
        tx.commit()?;
        self.quarantined.push(Quarantined { doc: raw_id.to_string(), reason: reason.to_string() });
        Ok(())
    }

    /// What was set aside at open because it could not be read.
    pub fn quarantined(&self) -> &[Quarantined] {
        &self.quarantined
    }

    /// How many quarantined items the store holds in all, across opens.
    pub fn quarantine_count(&self) -> Result<i64, StoreError> {
        Ok(quarantine::count(&self.conn)?)
    }

    /// The ids of every document held.
    pub fn doc_ids(&self) -> impl Iterator<Item = &DocId> {
        self.docs.keys()
    }

    /// A document, if held.
    pub fn doc(&self, id: &DocId) -> Option<&AutoCommit> {
        self.docs.get(id)
    }

    /// A document for the sync adapter to change; the caller must [`Store::persist`] after.
    pub(crate) fn doc_mut(&mut self, id: &DocId) -> Option<&mut AutoCommit> {
        self.docs.get_mut(id)
    }

    /// Every held document.
    pub fn docs(&self) -> impl Iterator<Item = (&DocId, &AutoCommit)> {
        self.docs.iter()
    }

    /// Stores a newly created document durably.
    pub fn create(&mut self, id: DocId, mut doc: AutoCommit) -> Result<(), StoreError> {
        if self.docs.contains_key(&id) {
            return Err(StoreError::Exists(id));
        }
        let snapshot = doc.save();
        let tx = self.conn.transaction()?;
        documents::put(&tx, &id.to_string(), &snapshot)?;
        tx.commit()?;
        self.docs.insert(id, doc);
        Ok(())
    }

    /// Applies `edit` to a document and makes the resulting change durable before returning.
    /// If the edit fails, nothing is kept; if the disk write fails, the document is reloaded
    /// from disk so memory never runs ahead of what is saved.
    pub fn edit<R>(
        &mut self,
        id: &DocId,
        edit: impl FnOnce(&mut AutoCommit) -> Result<R, DocError>,
    ) -> Result<R, StoreError> {
        let doc = self.docs.get_mut(id).ok_or(StoreError::NoSuchDoc(*id))?;
        let before = doc.get_heads();
        let out = match edit(doc) {
            Ok(out) => out,
            Err(e) => {
                doc.rollback();
                // The edit may have committed changes before it failed. They must not stay in
                // memory, where the next save would write them to disk with its own.
                if doc.get_heads() != before {
                    self.reload(id)?;
                }
                return Err(e.into());
            }
        };
        if doc.get_heads() != before {
            self.persist(id)?;
        }
        Ok(out)
    }

    /// Writes whatever the in-memory document holds beyond what is on disk (after a local edit
    /// or a received sync message). Compacts when enough chunks have gathered.
    pub fn persist(&mut self, id: &DocId) -> Result<(), StoreError> {
        let raw = id.to_string();
        let doc = self.docs.get_mut(id).ok_or(StoreError::NoSuchDoc(*id))?;
        let bytes = doc.save_incremental();
        if bytes.is_empty() {
            return Ok(());
        }
        let written = (|| -> Result<i64, rusqlite::Error> {
            let tx = self.conn.transaction()?;
            let count = chunks::append(&tx, &raw, &bytes)?;
            tx.commit()?;
            Ok(count)
        })();
        match written {
            Ok(count) if count >= COMPACT_AFTER => self.compact(id),
            Ok(_) => Ok(()),
            Err(e) => {
                self.reload(id)?;
                Err(e.into())
            }
        }
    }

    fn reload(&mut self, id: &DocId) -> Result<(), StoreError> {
        self.docs.remove(id);
        if let Some(doc) = self.load_one(&id.to_string())? {
            self.docs.insert(*id, doc);
        }
        Ok(())
    }

    /// Folds a document's chunks into a single snapshot.
    pub fn compact(&mut self, id: &DocId) -> Result<(), StoreError> {
        let raw = id.to_string();
        let doc = self.docs.get_mut(id).ok_or(StoreError::NoSuchDoc(*id))?;
        let snapshot = doc.save();
        let tx = self.conn.transaction()?;
        documents::put(&tx, &raw, &snapshot)?;
        chunks::delete_doc(&tx, &raw)?;
        tx.commit()?;
        Ok(())
    }

    /// Removes a document the server says is no longer in this device's scope.
    pub fn remove(&mut self, id: &DocId) -> Result<(), StoreError> {
        let raw = id.to_string();
        let tx = self.conn.transaction()?;
        documents::delete(&tx, &raw)?;
        chunks::delete_doc(&tx, &raw)?;
        sync_states::delete(&tx, &raw)?;
        tx.commit()?;
        self.docs.remove(id);
        Ok(())
    }

    /// Bytes a document occupies on disk (snapshot plus chunks).
    pub fn stored_bytes(&self, id: &DocId) -> Result<i64, StoreError> {
        Ok(documents::total_bytes(&self.conn, &id.to_string())?)
    }

    /// A device fact (server address, user, device id …).
    pub fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(meta::get(&self.conn, key)?)
    }

    /// Records device facts durably, all in one transaction.
    pub fn set_meta(&mut self, pairs: &[(&str, &str)]) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        for (k, v) in pairs {
            meta::set(&tx, k, v)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The persisted sync state of a document, if any.
    pub fn sync_state(&self, id: &DocId) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(sync_states::get(&self.conn, &id.to_string())?)
    }

    /// Persists a document's sync state.
    pub fn set_sync_state(&mut self, id: &DocId, state: &[u8]) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        sync_states::put(&tx, &id.to_string(), state)?;
        tx.commit()?;
        Ok(())
    }

    /// Records a photo kept in the photo folder.
    pub fn add_photo(&mut self, row: &PhotoRow) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        photos::put(&tx, row)?;
        tx.commit()?;
        Ok(())
    }

    /// A photo's record, if kept.
    pub fn photo(&self, hash: &str) -> Result<Option<PhotoRow>, StoreError> {
        Ok(photos::get(&self.conn, hash)?)
    }

    /// Photos the server does not hold yet, oldest first.
    pub fn pending_photos(&self) -> Result<Vec<PhotoRow>, StoreError> {
        Ok(photos::pending(&self.conn)?)
    }

    /// Notes that the server holds a photo.
    pub fn mark_photo_uploaded(&mut self, hash: &str) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        photos::mark_uploaded(&tx, hash)?;
        tx.commit()?;
        Ok(())
    }

    /// Deletes everything: documents, sync states and device facts (a revoked device).
    pub fn wipe(&mut self) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        tx.execute_batch(
            "DELETE FROM documents; DELETE FROM chunks; DELETE FROM sync_states;
             DELETE FROM quarantine; DELETE FROM photos;",
        )?;
        meta::clear(&tx)?;
        tx.commit()?;
        self.docs.clear();
        self.conn.execute_batch("VACUUM")?;
        Ok(())
    }
}
