//! The embedded default: one SQLite file in the data directory.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use automerge::AutoCommit;
use peihu_shared::doc::{DocHeader, header};
use peihu_shared::ids::{AgencyId, BlobHash, DeviceId, DocId};
use peihu_shared::sync::wire::{HeadsDigest, ManifestEntry, heads_digest};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::{AuditEvent, Device, LoadedDoc, Role, Storage, StorageError, User};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS places (
    code     TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    level    TEXT NOT NULL,
    parent   TEXT,
    invented INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE TABLE IF NOT EXISTS agencies (
    id        TEXT PRIMARY KEY,
    name      TEXT NOT NULL UNIQUE,
    suspended INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE TABLE IF NOT EXISTS users (
    id            TEXT PRIMARY KEY,
    login         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL,
    place         TEXT NOT NULL,
    agency        TEXT REFERENCES agencies (id),
    password_hash TEXT
) STRICT;
CREATE TABLE IF NOT EXISTS enrolment_codes (
    code_hash BLOB PRIMARY KEY,
    user      TEXT NOT NULL REFERENCES users (id),
    created   INTEGER NOT NULL,
    used_at   INTEGER
) STRICT;
CREATE TABLE IF NOT EXISTS devices (
    id         TEXT PRIMARY KEY,
    user       TEXT NOT NULL REFERENCES users (id),
    token_hash BLOB NOT NULL UNIQUE,
    enrolled   INTEGER NOT NULL,
    revoked    INTEGER,
    last_sync  INTEGER,
    drift_ms   INTEGER,
    flagged    INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE TABLE IF NOT EXISTS docs (
    doc_id      TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    beneficiary TEXT NOT NULL,
    place       TEXT NOT NULL,
    escort      TEXT,
    agency      TEXT,
    heads       BLOB NOT NULL,
    snapshot    BLOB,
    snap_seq    INTEGER NOT NULL DEFAULT 0,
    updated     INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS docs_by_place ON docs (place);
CREATE INDEX IF NOT EXISTS docs_by_escort ON docs (escort);
CREATE INDEX IF NOT EXISTS docs_by_beneficiary ON docs (beneficiary);
CREATE TABLE IF NOT EXISTS doc_changes (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id   TEXT NOT NULL,
    hash     BLOB NOT NULL,
    bytes    BLOB NOT NULL,
    received INTEGER NOT NULL,
    device   TEXT,
    UNIQUE (doc_id, hash)
) STRICT;
CREATE TABLE IF NOT EXISTS device_docs (
    device TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    state  BLOB NOT NULL,
    PRIMARY KEY (device, doc_id)
) STRICT;
CREATE TABLE IF NOT EXISTS device_agreed (
    device TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    heads  BLOB NOT NULL,
    PRIMARY KEY (device, doc_id)
) STRICT;
CREATE TABLE IF NOT EXISTS blob_refs (
    hash   BLOB NOT NULL,
    doc_id TEXT NOT NULL,
    PRIMARY KEY (hash, doc_id)
) STRICT;
CREATE TABLE IF NOT EXISTS audit (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    at     INTEGER NOT NULL,
    device TEXT,
    user   TEXT,
    event  TEXT NOT NULL,
    doc_id TEXT
) STRICT;
";

/// Compact a document's change records into its snapshot once this many have gathered.
const COMPACT_AFTER: i64 = 64;

/// SQLite storage with a small pool of connections.
#[derive(Debug)]
pub struct SqliteStorage {
    path: PathBuf,
    pool: Mutex<Vec<Connection>>,
}

fn open_conn(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    Ok(conn)
}

impl SqliteStorage {
    /// Opens (creating if needed) `peihu.sqlite` in `dir`.
    pub fn open(dir: &Path) -> Result<SqliteStorage, StorageError> {
        std::fs::create_dir_all(dir).map_err(|e| {
            StorageError::NotFound(format!("data directory {} ({e})", dir.display()))
        })?;
        let path = dir.join("peihu.sqlite");
        let conn = open_conn(&path)?;
        conn.execute_batch(SCHEMA)?;
        Ok(SqliteStorage { path, pool: Mutex::new(vec![conn]) })
    }

    /// The data directory holding the database.
    pub fn data_dir(&self) -> &Path {
        self.path.parent().expect("the database file lies in the data directory")
    }

    /// Runs `f` with a pooled connection.
    pub fn with_conn<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StorageError>,
    ) -> Result<T, StorageError> {
        let taken = self.pool.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let mut conn = match taken {
            Some(c) => c,
            None => open_conn(&self.path)?,
        };
        let out = f(&mut conn);
        let mut pool = self.pool.lock().unwrap_or_else(|p| p.into_inner());
        if pool.len() < 8 {
            pool.push(conn);
        }
        out
    }

    fn load_inner(conn: &Connection, id: &DocId) -> Result<Option<LoadedDoc>, StorageError> {
        let raw = id.to_string();
        let row: Option<(Option<Vec<u8>>, i64)> = conn
            .query_row("SELECT snapshot, snap_seq FROM docs WHERE doc_id = ?1", [&raw], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        let Some((snapshot, snap_seq)) = row else { return Ok(None) };
        let mut doc = match snapshot {
            Some(bytes) => AutoCommit::load(&bytes)
                .map_err(|e| StorageError::Corrupt(raw.clone(), e.to_string()))?,
            None => AutoCommit::new(),
        };
        let seen = catch_up(conn, &raw, &mut doc, snap_seq)?;
        let header = header(&doc).ok();
        Ok(Some(LoadedDoc { doc, seen, header }))
    }
}

/// Folds change records after `after` into `doc`; returns the last seq folded.
fn catch_up(
    conn: &Connection,
    raw: &str,
    doc: &mut AutoCommit,
    after: i64,
) -> Result<i64, StorageError> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, bytes FROM doc_changes WHERE doc_id = ?1 AND seq > ?2 ORDER BY seq",
    )?;
    let rows = stmt
        .query_map(params![raw, after], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)))?;
    let mut seen = after;
    for row in rows {
        let (seq, bytes) = row?;
        doc.load_incremental(&bytes)
            .map_err(|e| StorageError::Corrupt(raw.to_string(), e.to_string()))?;
        seen = seq;
    }
    Ok(seen)
}

/// Reads a user from the columns [`USER_COLUMNS`] at the start of a row.
pub fn user_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<User> {
    user_from_row(r, 0)
}

fn user_from_row(r: &rusqlite::Row<'_>, offset: usize) -> rusqlite::Result<User> {
    let text = |i: usize| r.get::<_, String>(offset + i);
    let parse_err = |i: usize, e: String| {
        rusqlite::Error::FromSqlConversionFailure(offset + i, rusqlite::types::Type::Text, e.into())
    };
    Ok(User {
        id: text(0)?
            .parse()
            .map_err(|e: peihu_shared::ids::IdError| parse_err(0, e.to_string()))?,
        login: text(1)?,
        name: text(2)?,
        role: Role::from_code(&text(3)?).ok_or_else(|| parse_err(3, "unknown role".into()))?,
        place: text(4)?
            .parse()
            .map_err(|e: peihu_shared::ids::PlaceCodeError| parse_err(4, e.to_string()))?,
        agency: r
            .get::<_, Option<String>>(offset + 5)?
            .map(|a| a.parse::<AgencyId>())
            .transpose()
            .map_err(|e| parse_err(5, e.to_string()))?,
    })
}

/// The columns [`user_from_row`] reads, for `SELECT`s.
pub const USER_COLUMNS: &str = "u.id, u.login, u.name, u.role, u.place, u.agency";

/// Reads `(doc_id, heads)` rows as manifest entries; a row that does not parse (an id or heads
/// Peihu never writes) is skipped rather than failing the whole list.
fn manifest_rows(c: &Connection, sql: &str, arg: &str) -> Result<Vec<ManifestEntry>, StorageError> {
    let mut stmt = c.prepare_cached(sql)?;
    let rows = stmt.query_map([arg], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (id, heads) = row?;
        if let (Ok(doc), Ok(heads)) = (id.parse(), heads.as_slice().try_into()) {
            out.push(ManifestEntry { doc, heads });
        }
    }
    Ok(out)
}

impl Storage for SqliteStorage {
    fn device_by_token(&self, token_hash: &[u8; 32]) -> Result<Option<Device>, StorageError> {
        self.with_conn(|c| {
            let sql = format!(
                "SELECT d.id, d.revoked IS NOT NULL, COALESCE(a.suspended, 0), {USER_COLUMNS}
                 FROM devices d JOIN users u ON u.id = d.user
                 LEFT JOIN agencies a ON a.id = u.agency
                 WHERE d.token_hash = ?1"
            );
            let row = c
                .query_row(&sql, [&token_hash[..]], |r| {
                    let id: String = r.get(0)?;
                    Ok((id, r.get::<_, bool>(1)?, r.get::<_, bool>(2)?, user_from_row(r, 3)?))
                })
                .optional()?;
            Ok(row.and_then(|(id, revoked, suspended, user)| {
                Some(Device { id: id.parse().ok()?, user, revoked, agency_suspended: suspended })
            }))
        })
    }

    fn enroll(
        &self,
        code_hash: &[u8; 32],
        token_hash: &[u8; 32],
        now: i64,
    ) -> Result<Option<(DeviceId, User)>, StorageError> {
        self.with_conn(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let sql = format!(
                "SELECT {USER_COLUMNS} FROM enrolment_codes e JOIN users u ON u.id = e.user
                 WHERE e.code_hash = ?1 AND e.used_at IS NULL AND e.created >= ?2"
            );
            let oldest = now.saturating_sub(super::CODE_LIFETIME_MS);
            let user = tx
                .query_row(&sql, params![&code_hash[..], oldest], |r| user_from_row(r, 0))
                .optional()?;
            let Some(user) = user else { return Ok(None) };
            let device = DeviceId::new_random();
            tx.execute(
                "UPDATE enrolment_codes SET used_at = ?2 WHERE code_hash = ?1",
                params![&code_hash[..], now],
            )?;
            tx.execute(
                "INSERT INTO devices (id, user, token_hash, enrolled) VALUES (?1, ?2, ?3, ?4)",
                params![device.to_string(), user.id.to_string(), &token_hash[..], now],
            )?;
            tx.commit()?;
            Ok(Some((device, user)))
        })
    }

    fn note_sync(&self, device: DeviceId, now: i64, drift_ms: i64) -> Result<(), StorageError> {
        let flagged = drift_ms.abs() > peihu_shared::sync::server::CLOCK_TOLERANCE_MS;
        self.with_conn(|c| {
            c.execute(
                "UPDATE devices SET last_sync = ?2, drift_ms = ?3, flagged = ?4 WHERE id = ?1",
                params![device.to_string(), now, drift_ms, flagged],
            )?;
            Ok(())
        })
    }

    fn scope_manifest(&self, user: &User) -> Result<Vec<ManifestEntry>, StorageError> {
        self.with_conn(|c| {
            let (sql, arg) = match user.role {
                Role::Helper => (
                    "SELECT doc_id, heads FROM docs WHERE place = ?1 AND kind IN ('card', 'case')",
                    user.place.to_string(),
                ),
                Role::Escort => (
                    "SELECT doc_id, heads FROM docs WHERE kind = 'episode' AND escort = ?1
                     UNION
                     SELECT c.doc_id, c.heads FROM docs c
                     WHERE c.kind = 'card' AND c.beneficiary IN
                        (SELECT beneficiary FROM docs WHERE kind = 'episode' AND escort = ?1)",
                    user.id.to_string(),
                ),
                Role::Supervisor | Role::Admin => (
                    "SELECT doc_id, heads FROM docs WHERE substr(place, 1, length(?1)) = ?1",
                    if user.role == Role::Admin { String::new() } else { user.place.prefix() },
                ),
            };
            manifest_rows(c, sql, &arg)
        })
    }

    fn stale_device_docs(
        &self,
        device: DeviceId,
        scope: &[ManifestEntry],
    ) -> Result<Vec<DocId>, StorageError> {
        let in_scope: std::collections::BTreeSet<DocId> = scope.iter().map(|e| e.doc).collect();
        self.with_conn(|c| {
            let mut stmt = c.prepare_cached("SELECT doc_id FROM device_docs WHERE device = ?1")?;
            let held: Vec<String> =
                stmt.query_map([device.to_string()], |r| r.get(0))?.collect::<Result<_, _>>()?;
            Ok(held
                .into_iter()
                .filter_map(|d| d.parse().ok())
                .filter(|d| !in_scope.contains(d))
                .collect())
        })
    }

    fn forget_device_docs(&self, device: DeviceId, docs: &[DocId]) -> Result<(), StorageError> {
        self.with_conn(|c| {
            let tx = c.transaction()?;
            for doc in docs {
                for sql in [
                    "DELETE FROM device_docs WHERE device = ?1 AND doc_id = ?2",
                    "DELETE FROM device_agreed WHERE device = ?1 AND doc_id = ?2",
                ] {
                    tx.execute(sql, params![device.to_string(), doc.to_string()])?;
                }
            }
            tx.commit()?;
            Ok(())
        })
    }

    fn agreed_set(&self, device: DeviceId) -> Result<Vec<ManifestEntry>, StorageError> {
        self.with_conn(|c| {
            let sql = "SELECT doc_id, heads FROM device_agreed WHERE device = ?1";
            manifest_rows(c, sql, &device.to_string())
        })
    }

    fn replace_agreed(
        &self,
        device: DeviceId,
        entries: &[ManifestEntry],
    ) -> Result<(), StorageError> {
        self.with_conn(|c| {
            let tx = c.transaction()?;
            tx.execute("DELETE FROM device_agreed WHERE device = ?1", [device.to_string()])?;
            {
                let mut stmt = tx.prepare_cached(
                    "INSERT INTO device_agreed (device, doc_id, heads) VALUES (?1, ?2, ?3)",
                )?;
                for e in entries {
                    stmt.execute(params![device.to_string(), e.doc.to_string(), &e.heads[..]])?;
                }
            }
            tx.commit()?;
            Ok(())
        })
    }

    fn set_agreed(
        &self,
        device: DeviceId,
        doc: &DocId,
        heads: &[u8; 8],
    ) -> Result<(), StorageError> {
        self.with_conn(|c| {
            c.execute(
                "INSERT INTO device_agreed (device, doc_id, heads) VALUES (?1, ?2, ?3)
                 ON CONFLICT (device, doc_id) DO UPDATE SET heads = excluded.heads",
                params![device.to_string(), doc.to_string(), &heads[..]],
            )?;
            Ok(())
        })
    }

    fn load_doc(&self, id: &DocId) -> Result<Option<LoadedDoc>, StorageError> {
        self.with_conn(|c| Self::load_inner(c, id))
    }

    fn append_changes(
        &self,
        id: &DocId,
        loaded: &mut LoadedDoc,
        changes: &[Vec<u8>],
        new_header: &DocHeader,
        device: Option<DeviceId>,
        now: i64,
    ) -> Result<HeadsDigest, StorageError> {
        let raw = id.to_string();
        self.with_conn(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            // Fold in whatever other requests or processes appended since this one loaded.
            loaded.seen = catch_up(&tx, &raw, &mut loaded.doc, loaded.seen)?;
            for bytes in changes {
                loaded
                    .doc
                    .load_incremental(bytes)
                    .map_err(|e| StorageError::Corrupt(raw.clone(), e.to_string()))?;
                let hash = automerge::Change::from_bytes(bytes.clone())
                    .map(|ch| ch.hash().0.to_vec())
                    .map_err(|e| StorageError::Corrupt(raw.clone(), e.to_string()))?;
                tx.execute(
                    "INSERT INTO doc_changes (doc_id, hash, bytes, received, device)
                     VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (doc_id, hash) DO NOTHING",
                    params![raw, hash, bytes, now, device.map(|d| d.to_string())],
                )?;
            }
            loaded.seen = tx.query_row(
                "SELECT COALESCE(max(seq), 0) FROM doc_changes WHERE doc_id = ?1",
                [&raw],
                |r| r.get(0),
            )?;
            let heads = heads_digest(&loaded.doc.get_heads());
            let header = header(&loaded.doc).unwrap_or_else(|_| new_header.clone());
            tx.execute(
                "INSERT INTO docs (doc_id, kind, beneficiary, place, escort, agency, heads, updated)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (doc_id) DO UPDATE SET kind = excluded.kind,
                    beneficiary = excluded.beneficiary, place = excluded.place,
                    escort = excluded.escort, agency = excluded.agency, heads = excluded.heads,
                    updated = excluded.updated",
                params![
                    raw,
                    header.kind,
                    header.beneficiary.to_string(),
                    header.place.to_string(),
                    header.escort.map(|e| e.to_string()),
                    header.agency.map(|a| a.to_string()),
                    &heads[..],
                    now
                ],
            )?;
            let pending: i64 = tx.query_row(
                "SELECT count(*) FROM doc_changes d JOIN docs s ON s.doc_id = d.doc_id
                 WHERE d.doc_id = ?1 AND d.seq > s.snap_seq",
                [&raw],
                |r| r.get(0),
            )?;
            if pending >= COMPACT_AFTER {
                let snapshot = loaded.doc.save();
                tx.execute(
                    "UPDATE docs SET snapshot = ?2, snap_seq = ?3 WHERE doc_id = ?1",
                    params![raw, snapshot, loaded.seen],
                )?;
                tx.execute(
                    "DELETE FROM doc_changes WHERE doc_id = ?1 AND seq <= ?2",
                    params![raw, loaded.seen],
                )?;
            }
            tx.commit()?;
            Ok(heads)
        })
    }

    fn sync_state(&self, device: DeviceId, doc: &DocId) -> Result<Option<Vec<u8>>, StorageError> {
        self.with_conn(|c| {
            Ok(c.query_row(
                "SELECT state FROM device_docs WHERE device = ?1 AND doc_id = ?2",
                params![device.to_string(), doc.to_string()],
                |r| r.get(0),
            )
            .optional()?)
        })
    }

    fn set_sync_state(
        &self,
        device: DeviceId,
        doc: &DocId,
        state: &[u8],
    ) -> Result<(), StorageError> {
        self.with_conn(|c| {
            c.execute(
                "INSERT INTO device_docs (device, doc_id, state) VALUES (?1, ?2, ?3)
                 ON CONFLICT (device, doc_id) DO UPDATE SET state = excluded.state",
                params![device.to_string(), doc.to_string(), state],
            )?;
            Ok(())
        })
    }

    fn add_blob_ref(&self, hash: &BlobHash, doc: &DocId) -> Result<(), StorageError> {
        self.with_conn(|c| {
            c.execute(
                "INSERT INTO blob_refs (hash, doc_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                params![&hash.as_bytes()[..], doc.to_string()],
            )?;
            Ok(())
        })
    }

    fn blob_docs(&self, hash: &BlobHash) -> Result<Vec<DocId>, StorageError> {
        self.with_conn(|c| {
            let mut stmt = c.prepare_cached("SELECT doc_id FROM blob_refs WHERE hash = ?1")?;
            let ids: Vec<String> =
                stmt.query_map([&hash.as_bytes()[..]], |r| r.get(0))?.collect::<Result<_, _>>()?;
            Ok(ids.into_iter().filter_map(|d| d.parse().ok()).collect())
        })
    }

    fn audit(&self, event: &AuditEvent, now: i64) -> Result<(), StorageError> {
        self.with_conn(|c| {
            c.execute(
                "INSERT INTO audit (at, device, user, event, doc_id) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    now,
                    event.device.map(|d| d.to_string()),
                    event.user.map(|u| u.to_string()),
                    event.event,
                    event.doc.map(|d| d.to_string())
                ],
            )?;
            Ok(())
        })
    }
}
