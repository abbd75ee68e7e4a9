//! What the always-visible sync line shows: when the last sync finished, how many records wait
//! to go, and, if the last attempt failed, why.

use automerge::sync::State;
use peihu_shared::time;

use crate::Store;

use super::TabletError;

/// The sync line.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SyncStatus {
    /// When the last successful sync finished (Unix ms).
    pub last_synced: Option<i64>,
    /// The same, formatted in China time as Chinese readers expect.
    pub last_synced_text: Option<String>,
    /// Documents with changes the server has not confirmed.
    pub waiting: usize,
    /// Photos and signatures not yet uploaded.
    pub files_waiting: usize,
    /// The code of the last failure, cleared by a successful sync.
    pub error_code: Option<String>,
    /// Its message.
    pub error_message: Option<String>,
}

/// Works the line out from the store.
pub fn of(store: &mut Store, files_waiting: usize) -> Result<SyncStatus, TabletError> {
    let last_synced = store.meta("last_synced")?.and_then(|t| t.parse::<i64>().ok());
    let error_code = store.meta("sync_error_code")?.filter(|c| !c.is_empty());
    let error_message = store.meta("sync_error_message")?.filter(|_| error_code.is_some());
    Ok(SyncStatus {
        last_synced,
        last_synced_text: last_synced.map(time::format_zh),
        waiting: waiting(store)?,
        files_waiting,
        error_code,
        error_message,
    })
}

/// Documents whose heads differ from what the server was last known to share.
pub fn waiting(store: &mut Store) -> Result<usize, TabletError> {
    let ids: Vec<_> = store.doc_ids().copied().collect();
    let mut count = 0;
    for id in ids {
        let mut shared = store
            .sync_state(&id)?
            .and_then(|bytes| State::decode(&bytes).ok())
            .map(|s| s.shared_heads)
            .unwrap_or_default();
        // Reading heads needs `&mut` only because an open transaction would be committed
        // first; the store never leaves one open, so this changes nothing.
        let Some(doc) = store.doc_mut(&id) else {
            continue;
        };
        let mut heads = doc.get_heads();
        heads.sort();
        shared.sort();
        if heads != shared {
            count += 1;
        }
    }
    Ok(count)
}

/// Remembers a failed attempt.
pub fn record_failure(store: &mut Store, code: &str, message: &str) -> Result<(), TabletError> {
    store.set_meta(&[("sync_error_code", code), ("sync_error_message", message)])?;
    Ok(())
}

/// Clears the failure after a good sync.
pub fn record_success(store: &mut Store) -> Result<(), TabletError> {
    store.set_meta(&[("sync_error_code", ""), ("sync_error_message", "")])?;
    Ok(())
}
