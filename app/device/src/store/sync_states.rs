//! Table `sync_states`: the Automerge sync state with the server, per document, so that a
//! reconnect resumes from what both sides are known to share.

use rusqlite::{OptionalExtension, Transaction, params};

pub(super) fn create_v2(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "CREATE TABLE sync_states (doc_id TEXT PRIMARY KEY, state BLOB NOT NULL) STRICT;",
    )
}

pub(super) fn get(conn: &rusqlite::Connection, doc: &str) -> rusqlite::Result<Option<Vec<u8>>> {
    conn.query_row("SELECT state FROM sync_states WHERE doc_id = ?1", [doc], |r| r.get(0))
        .optional()
}

pub(super) fn put(tx: &Transaction<'_>, doc: &str, state: &[u8]) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO sync_states (doc_id, state) VALUES (?1, ?2)
         ON CONFLICT (doc_id) DO UPDATE SET state = excluded.state",
        params![doc, state],
    )?;
    Ok(())
}

pub(super) fn delete(tx: &Transaction<'_>, doc: &str) -> rusqlite::Result<()> {
    tx.execute("DELETE FROM sync_states WHERE doc_id = ?1", [doc])?;
    Ok(())
}
