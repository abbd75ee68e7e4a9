//! Table `quarantine`: bytes that could not be read, kept for inspection instead of deleted.

use rusqlite::{Transaction, params};

pub(super) fn create_v2(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "CREATE TABLE quarantine (
            id     INTEGER PRIMARY KEY AUTOINCREMENT,
            doc_id TEXT NOT NULL,
            reason TEXT NOT NULL,
            bytes  BLOB NOT NULL
        ) STRICT;",
    )
}

pub(super) fn put(
    tx: &Transaction<'_>,
    doc: &str,
    reason: &str,
    bytes: &[u8],
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO quarantine (doc_id, reason, bytes) VALUES (?1, ?2, ?3)",
        params![doc, reason, bytes],
    )?;
    Ok(())
}

pub(super) fn count(conn: &rusqlite::Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT count(*) FROM quarantine", [], |r| r.get(0))
}
