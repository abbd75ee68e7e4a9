//! Table `photos`: photo files kept beside the store (by content hash), the document each is
//! evidence for, what the camera said, and whether the server holds it yet.

use rusqlite::{OptionalExtension, Transaction, params};

pub(super) fn create_v3(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "CREATE TABLE photos (
            hash        TEXT PRIMARY KEY,
            doc_id      TEXT NOT NULL,
            size        INTEGER NOT NULL,
            width       INTEGER NOT NULL,
            height      INTEGER NOT NULL,
            captured_at TEXT,
            lat         REAL,
            lon         REAL,
            uploaded    INTEGER NOT NULL DEFAULT 0
        ) STRICT;",
    )
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct PhotoRow {
    /// SHA-256 of the stored JPEG.
    pub hash: String,
    /// The document it is evidence for.
    pub doc_id: String,
    /// Bytes.
    pub size: i64,
    /// Pixels.
    pub width: i64,
    /// Pixels.
    pub height: i64,
    /// Capture time as the camera wrote it.
    pub captured_at: Option<String>,
    /// Validated latitude.
    pub lat: Option<f64>,
    /// Validated longitude.
    pub lon: Option<f64>,
    /// Whether the server holds it.
    pub uploaded: bool,
}

pub(super) fn put(tx: &Transaction<'_>, row: &PhotoRow) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO photos (hash, doc_id, size, width, height, captured_at, lat, lon)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (hash) DO NOTHING",
        params![
            row.hash,
            row.doc_id,
            row.size,
            row.width,
            row.height,
            row.captured_at,
            row.lat,
            row.lon
        ],
    )?;
    Ok(())
}

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PhotoRow> {
    Ok(PhotoRow {
        hash: r.get(0)?,
        doc_id: r.get(1)?,
        size: r.get(2)?,
        width: r.get(3)?,
        height: r.get(4)?,
        captured_at: r.get(5)?,
        lat: r.get(6)?,
        lon: r.get(7)?,
        uploaded: r.get(8)?,
    })
}

const COLUMNS: &str = "hash, doc_id, size, width, height, captured_at, lat, lon, uploaded";

pub(super) fn get(conn: &rusqlite::Connection, hash: &str) -> rusqlite::Result<Option<PhotoRow>> {
    conn.query_row(&format!("SELECT {COLUMNS} FROM photos WHERE hash = ?1"), [hash], from_row)
        .optional()
}

pub(super) fn pending(conn: &rusqlite::Connection) -> rusqlite::Result<Vec<PhotoRow>> {
    let mut stmt =
        conn.prepare(&format!("SELECT {COLUMNS} FROM photos WHERE uploaded = 0 ORDER BY rowid"))?;
    stmt.query_map([], from_row)?.collect()
}

pub(super) fn mark_uploaded(tx: &Transaction<'_>, hash: &str) -> rusqlite::Result<()> {
    tx.execute("UPDATE photos SET uploaded = 1 WHERE hash = ?1", [hash])?;
    Ok(())
}
