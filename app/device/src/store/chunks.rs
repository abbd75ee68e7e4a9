//! Table `chunks`: incremental Automerge saves appended after each local or received change,
//! folded into the snapshot by compaction.

use rusqlite::{Transaction, params};

pub(super) fn create_v1(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "CREATE TABLE chunks (
            seq    INTEGER PRIMARY KEY AUTOINCREMENT,
            doc_id TEXT NOT NULL,
            bytes  BLOB NOT NULL
        ) STRICT;
        CREATE INDEX chunks_by_doc ON chunks (doc_id, seq);",
    )
}

pub(super) fn of_doc(
    conn: &rusqlite::Connection,
    doc: &str,
) -> rusqlite::Result<Vec<(i64, Vec<u8>)>> {
    let mut stmt = conn.prepare("SELECT seq, bytes FROM chunks WHERE doc_id = ?1 ORDER BY seq")?;
    stmt.query_map([doc], |r| Ok((r.get(0)?, r.get(1)?)))?.collect()
}

pub(super) fn append(tx: &Transaction<'_>, doc: &str, bytes: &[u8]) -> rusqlite::Result<i64> {
    tx.execute("INSERT INTO chunks (doc_id, bytes) VALUES (?1, ?2)", params![doc, bytes])?;
    tx.query_row("SELECT count(*) FROM chunks WHERE doc_id = ?1", [doc], |r| r.get(0))
}

pub(super) fn delete_doc(tx: &Transaction<'_>, doc: &str) -> rusqlite::Result<()> {
    tx.execute("DELETE FROM chunks WHERE doc_id = ?1", [doc])?;
    Ok(())
}

pub(super) fn delete_one(tx: &Transaction<'_>, seq: i64) -> rusqlite::Result<()> {
    tx.execute("DELETE FROM chunks WHERE seq = ?1", [seq])?;
    Ok(())
}
