//! A derived summary of every document, so pages over thousands of beneficiaries read a few
//! indexed tables instead of hydrating thousands of Automerge documents per request.
//!
//! The documents stay the truth. Each document's rows are rebuilt whole from its hydrated form
//! ([`refresh`]) and stamped with the heads digest they were built from. Two paths keep them
//! current: the sync handler refreshes a document right after storing a device's changes, and
//! every console read first calls [`catch_up`], which rebuilds any document in the division
//! whose stored heads differ from the stamp (documents written by another process, such as the
//! command line's demo loader, or a refresh that failed).

use automerge::AutoCommit;
use peihu_shared::doc::{self, DocError};
use peihu_shared::ids::DocId;
use peihu_shared::model::{Case, Episode};
use peihu_shared::sync::wire::heads_digest;
use rusqlite::{Transaction, params};

use crate::storage::sqlite::SqliteStorage;
use crate::storage::{Storage, StorageError};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS console_docs (
    doc_id TEXT PRIMARY KEY,
    heads  BLOB NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS console_beneficiaries (
    beneficiary  TEXT PRIMARY KEY,
    place        TEXT NOT NULL,
    name         TEXT NOT NULL DEFAULT '',
    colour       TEXT,
    colour_since INTEGER,
    last_visit   INTEGER
) STRICT;
CREATE INDEX IF NOT EXISTS console_beneficiaries_by_place ON console_beneficiaries (place);
CREATE TABLE IF NOT EXISTS console_colours (
    beneficiary TEXT NOT NULL,
    record      TEXT NOT NULL,
    at          INTEGER NOT NULL,
    colour      TEXT NOT NULL,
    PRIMARY KEY (beneficiary, record)
) STRICT;
CREATE INDEX IF NOT EXISTS console_colours_by_time ON console_colours (beneficiary, at);
CREATE TABLE IF NOT EXISTS console_visits (
    beneficiary TEXT NOT NULL,
    visit       TEXT NOT NULL,
    place       TEXT NOT NULL,
    arrived     INTEGER NOT NULL,
    PRIMARY KEY (beneficiary, visit)
) STRICT;
CREATE INDEX IF NOT EXISTS console_visits_by_time ON console_visits (beneficiary, arrived);
CREATE INDEX IF NOT EXISTS console_visits_by_arrival ON console_visits (arrived, place, beneficiary);
CREATE TABLE IF NOT EXISTS console_warnings (
    beneficiary TEXT NOT NULL,
    record      TEXT NOT NULL,
    place       TEXT NOT NULL,
    raised      INTEGER NOT NULL,
    severity    TEXT NOT NULL,
    acted       INTEGER,
    closed      INTEGER,
    PRIMARY KEY (beneficiary, record)
) STRICT;
CREATE INDEX IF NOT EXISTS console_warnings_by_place ON console_warnings (place, raised);
CREATE TABLE IF NOT EXISTS console_services (
    beneficiary TEXT NOT NULL,
    record      TEXT NOT NULL,
    place       TEXT NOT NULL,
    at          INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    PRIMARY KEY (beneficiary, record)
) STRICT;
CREATE INDEX IF NOT EXISTS console_services_by_place ON console_services (place, at);
CREATE TABLE IF NOT EXISTS console_escort_requests (
    beneficiary TEXT NOT NULL,
    record      TEXT NOT NULL,
    place       TEXT NOT NULL,
    at          INTEGER NOT NULL,
    reason      TEXT NOT NULL,
    hospital    TEXT,
    PRIMARY KEY (beneficiary, record)
) STRICT;
CREATE TABLE IF NOT EXISTS console_episodes (
    episode      TEXT PRIMARY KEY,
    beneficiary  TEXT NOT NULL,
    place        TEXT NOT NULL,
    agency       TEXT NOT NULL,
    escort       TEXT,
    hospital     TEXT NOT NULL,
    ward         TEXT NOT NULL,
    opened       INTEGER NOT NULL,
    expected     INTEGER NOT NULL,
    admitted     INTEGER,
    discharged   INTEGER,
    steps_mask   INTEGER NOT NULL,
    acknowledged INTEGER NOT NULL,
    record_days  TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS console_episodes_by_place ON console_episodes (place);
CREATE INDEX IF NOT EXISTS console_episodes_by_beneficiary ON console_episodes (beneficiary);
CREATE TABLE IF NOT EXISTS console_shifts (
    episode   TEXT NOT NULL,
    record    TEXT NOT NULL,
    agency    TEXT NOT NULL,
    place     TEXT NOT NULL,
    escort    TEXT NOT NULL,
    clock_in  INTEGER NOT NULL,
    clock_out INTEGER,
    PRIMARY KEY (episode, record)
) STRICT;
CREATE INDEX IF NOT EXISTS console_shifts_by_time ON console_shifts (clock_in);
";

/// Why the summary could not be brought up to date.
#[derive(Debug, thiserror::Error)]
pub enum SummaryError {
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// A document could not be hydrated (it is skipped; the pages read the document itself).
    #[error("document {0} could not be read: {1}")]
    Doc(String, DocError),
}

impl From<rusqlite::Error> for SummaryError {
    fn from(e: rusqlite::Error) -> Self {
        SummaryError::Storage(e.into())
    }
}

/// Creates the summary tables if needed.
pub fn ensure_schema(storage: &SqliteStorage) -> Result<(), StorageError> {
    storage.with_conn(|c| Ok(c.execute_batch(SCHEMA)?))
}

/// Rebuilds the rows of one document from its current state.
pub fn refresh(
    storage: &SqliteStorage,
    id: &DocId,
    doc: &mut AutoCommit,
) -> Result<(), SummaryError> {
    let heads = heads_digest(&doc.get_heads());
    let raw = id.to_string();
    let bad = |e| SummaryError::Doc(raw.clone(), e);
    enum Hydrated {
        Card(peihu_shared::model::Card),
        Case(Box<Case>),
        Episode(Box<Episode>),
    }
    let hydrated = match id {
        DocId::Card(_) => Hydrated::Card(doc::hydrate_card(doc).map_err(bad)?),
        DocId::Case(_) => Hydrated::Case(Box::new(doc::hydrate_case(doc).map_err(bad)?)),
        DocId::Episode(_) => Hydrated::Episode(Box::new(doc::hydrate_episode(doc).map_err(bad)?)),
    };
    storage.with_conn(|c| {
        let tx = c.transaction()?;
        match &hydrated {
            Hydrated::Card(card) => write_card(&tx, card)?,
            Hydrated::Case(case) => write_case(&tx, case)?,
            Hydrated::Episode(episode) => write_episode(&tx, episode)?,
        }
        tx.execute(
            "INSERT INTO console_docs (doc_id, heads) VALUES (?1, ?2)
             ON CONFLICT (doc_id) DO UPDATE SET heads = excluded.heads",
            params![raw, &heads[..]],
        )?;
        tx.commit()?;
        Ok(())
    })?;
    Ok(())
}

/// Like [`refresh`], for callers that must not fail because of the summary (the sync path):
/// a failure is logged and left for [`catch_up`].
pub fn refresh_quietly(storage: &SqliteStorage, id: &DocId, doc: &mut AutoCommit) {
    let ready = super::ensure_schema(storage).map_err(SummaryError::from);
    if let Err(e) = ready.and_then(|()| refresh(storage, id, doc)) {
        tracing::warn!(doc = %id, error = %e, "console summary not refreshed; it will catch up");
    }
}

/// Rebuilds every document in `[lo, hi)` whose rows are missing or older than its stored heads.
/// Returns how many were rebuilt.
pub fn catch_up(storage: &SqliteStorage, lo: &str, hi: &str) -> Result<usize, StorageError> {
    let stale: Vec<String> = storage.with_conn(|c| {
        let mut stmt = c.prepare_cached(
            "SELECT d.doc_id FROM docs d LEFT JOIN console_docs s ON s.doc_id = d.doc_id
             WHERE d.place >= ?1 AND d.place < ?2 AND (s.heads IS NULL OR s.heads <> d.heads)",
        )?;
        let rows = stmt.query_map(params![lo, hi], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    })?;
    let mut rebuilt = 0;
    for raw in stale {
        let Ok(id) = raw.parse::<DocId>() else { continue };
        let mut loaded = match storage.load_doc(&id) {
            Ok(Some(loaded)) => loaded,
            Ok(None) => continue,
            // One unreadable document must not take the pages down with it.
            Err(StorageError::Corrupt(..)) => {
                tracing::warn!(doc = %id, "stored document unreadable; left out of the console summary");
                continue;
            }
            Err(e) => return Err(e),
        };
        match refresh(storage, &id, &mut loaded.doc) {
            Ok(()) => rebuilt += 1,
            Err(SummaryError::Storage(e)) => return Err(e),
            Err(e) => {
                // Stamp it anyway, so an unreadable document costs one attempt per change rather
                // than one per page view.
                tracing::warn!(doc = %id, error = %e, "document left out of the console summary");
                let heads = heads_digest(&loaded.doc.get_heads());
                storage.with_conn(|c| {
                    c.execute(
                        "INSERT INTO console_docs (doc_id, heads) VALUES (?1, ?2)
                         ON CONFLICT (doc_id) DO UPDATE SET heads = excluded.heads",
                        params![raw, &heads[..]],
                    )?;
                    Ok(())
                })?;
            }
        }
    }
    Ok(rebuilt)
}

fn write_card(tx: &Transaction<'_>, card: &peihu_shared::model::Card) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO console_beneficiaries (beneficiary, place, name) VALUES (?1, ?2, ?3)
         ON CONFLICT (beneficiary) DO UPDATE SET place = excluded.place, name = excluded.name",
        params![card.beneficiary.to_string(), card.place.v.to_string(), card.name.v],
    )?;
    Ok(())
}

fn write_case(tx: &Transaction<'_>, case: &Case) -> rusqlite::Result<()> {
    let b = case.beneficiary.to_string();
    let place = case.place.v.to_string();
    let current = case.current_colour();
    tx.execute(
        "INSERT INTO console_beneficiaries (beneficiary, place, colour, colour_since, last_visit)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (beneficiary) DO UPDATE SET place = excluded.place, colour = excluded.colour,
            colour_since = excluded.colour_since, last_visit = excluded.last_visit",
        params![
            b,
            place,
            current.map(|c| c.colour.code()),
            current.map(|c| c.prov.at),
            case.last_visit().map(|v| v.arrived)
        ],
    )?;
    for table in [
        "console_colours",
        "console_visits",
        "console_warnings",
        "console_services",
        "console_escort_requests",
    ] {
        tx.execute(&format!("DELETE FROM {table} WHERE beneficiary = ?1"), [&b])?;
    }
    let mut stmt = tx.prepare_cached(
        "INSERT INTO console_colours (beneficiary, record, at, colour) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (record, c) in &case.colours {
        stmt.execute(params![b, record, c.prov.at, c.colour.code()])?;
    }
    let mut stmt = tx.prepare_cached(
        "INSERT INTO console_visits (beneficiary, visit, place, arrived) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (record, v) in &case.visits {
        stmt.execute(params![b, record, place, v.arrived])?;
    }
    write_warnings(tx, case, &b, &place)?;
    let mut stmt = tx.prepare_cached(
        "INSERT INTO console_services (beneficiary, record, place, at, kind) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (record, s) in &case.services {
        stmt.execute(params![b, record, place, s.prov.at, service_kind(&s.kind)])?;
    }
    let mut stmt = tx.prepare_cached(
        "INSERT INTO console_escort_requests (beneficiary, record, place, at, reason, hospital)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (record, r) in &case.escort_requests {
        stmt.execute(params![b, record, place, r.prov.at, r.reason, r.hospital])?;
    }
    Ok(())
}

fn service_kind(kind: &peihu_shared::model::ServiceKind) -> String {
    use peihu_shared::model::ServiceKind;
    match kind {
        ServiceKind::FamilyDoctorHandover { .. } => "family_doctor".into(),
        ServiceKind::Welfare { category } => format!("welfare.{category}"),
        ServiceKind::FourOnes { which } => format!("four_ones.{which}"),
    }
}

fn write_warnings(tx: &Transaction<'_>, case: &Case, b: &str, place: &str) -> rusqlite::Result<()> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO console_warnings (beneficiary, record, place, raised, severity, acted, closed)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for (record, w) in &case.warnings {
        let actions = case.warning_actions.values().filter(|a| &a.warning == record);
        let acted = actions.clone().map(|a| a.prov.at).min();
        let closed = actions.filter(|a| a.closes).map(|a| a.prov.at).min();
        stmt.execute(params![b, record, place, w.prov.at, w.severity, acted, closed])?;
    }
    Ok(())
}

/// The bit of each of the nine steps in `steps_mask`, in the order of `Episode::nine_steps`.
pub fn steps_mask(steps: &peihu_shared::model::NineSteps) -> i64 {
    steps
        .steps
        .iter()
        .enumerate()
        .filter(|(_, s)| s.done_at.is_some())
        .fold(0, |mask, (i, _)| mask | (1 << i))
}

/// China days on which all three daily records were kept.
pub fn complete_record_days(episode: &Episode) -> Vec<String> {
    use peihu_shared::model::DailyKind;
    let mut days: Vec<&str> = episode.daily.values().map(|d| d.day.as_str()).collect();
    days.sort_unstable();
    days.dedup();
    days.into_iter()
        .filter(|day| {
            [DailyKind::Services, DailyKind::Orders, DailyKind::Special]
                .into_iter()
                .all(|k| episode.daily.values().any(|d| d.day == *day && d.which == k))
        })
        .map(str::to_string)
        .collect()
}

fn write_episode(tx: &Transaction<'_>, e: &Episode) -> rusqlite::Result<()> {
    let id = e.episode.to_string();
    // The day passed only matters for days missing records, which the console works out itself.
    let steps = e.nine_steps("1970-01-01");
    tx.execute(
        "INSERT INTO console_episodes (episode, beneficiary, place, agency, escort, hospital, ward,
            opened, expected, admitted, discharged, steps_mask, acknowledged, record_days)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
         ON CONFLICT (episode) DO UPDATE SET beneficiary = excluded.beneficiary,
            place = excluded.place, agency = excluded.agency, escort = excluded.escort,
            hospital = excluded.hospital, ward = excluded.ward, opened = excluded.opened,
            expected = excluded.expected, admitted = excluded.admitted,
            discharged = excluded.discharged, steps_mask = excluded.steps_mask,
            acknowledged = excluded.acknowledged, record_days = excluded.record_days",
        params![
            id,
            e.beneficiary.to_string(),
            e.place.to_string(),
            e.agency.v.to_string(),
            e.escort.v.map(|u| u.to_string()),
            e.hospital.v,
            e.ward.v,
            e.opened.at,
            e.expected_admission,
            e.admitted.v,
            e.discharged.v,
            steps_mask(&steps),
            steps.acknowledged,
            complete_record_days(e).join(",")
        ],
    )?;
    tx.execute("DELETE FROM console_shifts WHERE episode = ?1", [&id])?;
    let mut stmt = tx.prepare_cached(
        "INSERT INTO console_shifts (episode, record, agency, place, escort, clock_in, clock_out)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for (record, s) in &e.shifts {
        stmt.execute(params![
            id,
            record,
            e.agency.v.to_string(),
            e.place.to_string(),
            s.escort.to_string(),
            s.clock_in,
            s.clock_out
        ])?;
    }
    Ok(())
}
