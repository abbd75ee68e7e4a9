//! Table `documents`: one compacted Automerge snapshot per document.

use rusqlite::{OptionalExtension, Transaction, params};

pub(super) fn create_v1(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "CREATE TABLE documents (
            doc_id   TEXT PRIMARY KEY,
            snapshot BLOB NOT NULL
        ) STRICT;",
    )
}

pub(super) fn all_ids(conn: &rusqlite::Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT doc_id FROM documents UNION SELECT DISTINCT doc_id FROM chunks ORDER BY 1",
    )?;
    stmt.query_map([], |r| r.get(0))?.collect()
}

pub(super) fn snapshot(
    conn: &rusqlite::Connection,
    doc: &str,
) -> rusqlite::Result<Option<Vec<u8>>> {
    conn.query_row("SELECT snapshot FROM documents WHERE doc_id = ?1", [doc], |r| r.get(0))
        .optional()
}

pub(super) fn put(tx: &Transaction<'_>, doc: &str, snapshot: &[u8]) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO documents (doc_id, snapshot) VALUES (?1, ?2)
         ON CONFLICT (doc_id) DO UPDATE SET snapshot = excluded.snapshot",
        params![doc, snapshot],
    )?;
    Ok(())
}

pub(super) fn delete(tx: &Transaction<'_>, doc: &str) -> rusqlite::Result<()> {
    tx.execute("DELETE FROM documents WHERE doc_id = ?1", [doc])?;
    Ok(())
}

pub(super) fn total_bytes(conn: &rusqlite::Connection, doc: &str) -> rusqlite::Result<i64> {
    conn.query_row(
        "SELECT COALESCE((SELECT length(snapshot) FROM documents WHERE doc_id = ?1), 0)
              + COALESCE((SELECT sum(length(bytes)) FROM chunks WHERE doc_id = ?1), 0)",
        [doc],
        |r| r.get(0),
    )
}
