//! Schema versions of the device store, applied in order and recorded in `PRAGMA user_version`.
//!
//! A migration is never edited once released: stores written by every earlier version must open.
//! Each table's module owns the SQL that its migration runs.

use rusqlite::Connection;

use super::StoreError;
use super::{chunks, documents, meta, photos, quarantine, sync_states};

/// Every migration, index + 1 being the version it brings the store to.
const MIGRATIONS: &[fn(&rusqlite::Transaction<'_>) -> rusqlite::Result<()>] = &[
    // Version 1: documents as snapshots plus incremental change chunks, and device facts.
    |tx| {
        documents::create_v1(tx)?;
        chunks::create_v1(tx)?;
        meta::create_v1(tx)
    },
    // Version 2: quarantine for unreadable data, persisted sync states.
    |tx| {
        quarantine::create_v2(tx)?;
        sync_states::create_v2(tx)
    },
    // Version 3: photos kept on this device and whether each has reached the server.
    photos::create_v3,
];

/// The version this build writes.
pub const CURRENT_VERSION: u32 = MIGRATIONS.len() as u32;

/// Brings the store up to `target` (normally [`CURRENT_VERSION`]), one transaction per step.
pub fn migrate_to(conn: &mut Connection, target: u32) -> Result<u32, StoreError> {
    let found: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > CURRENT_VERSION {
        return Err(StoreError::TooNew { found, supported: CURRENT_VERSION });
    }
    for version in found..target.min(CURRENT_VERSION) {
        let tx = conn.transaction()?;
        MIGRATIONS[version as usize](&tx)?;
        tx.pragma_update(None, "user_version", version + 1)?;
        tx.commit()?;
    }
    Ok(found)
}
