//! The escalation ladder for agencies: reminder → rectification by a deadline → removal from
//! service. Steps and their outcomes are kept in the console's own table; removal also suspends
//! the agency, which refuses its escorts' devices at once.

use peihu_shared::ids::{AgencyId, UserId};
use rusqlite::params;

use crate::storage::StorageError;
use crate::storage::sqlite::SqliteStorage;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS console_agency_ladder (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    agency       TEXT NOT NULL REFERENCES agencies (id),
    step         TEXT NOT NULL CHECK (step IN ('reminder', 'rectification', 'removal')),
    note         TEXT NOT NULL,
    deadline     INTEGER,
    by_user      TEXT NOT NULL,
    at           INTEGER NOT NULL,
    outcome      TEXT CHECK (outcome IN ('rectified', 'not_rectified', 'noted')),
    outcome_note TEXT,
    outcome_by   TEXT,
    outcome_at   INTEGER
) STRICT;
CREATE INDEX IF NOT EXISTS console_agency_ladder_by_agency ON console_agency_ladder (agency, at);
";

/// The rungs of the ladder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// 提醒.
    Reminder,
    /// 限期整改.
    Rectification,
    /// 清退.
    Removal,
}

impl Step {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Step::Reminder => "reminder",
            Step::Rectification => "rectification",
            Step::Removal => "removal",
        }
    }

    /// Reads a stored code.
    pub fn from_code(text: &str) -> Option<Step> {
        match text {
            "reminder" => Some(Step::Reminder),
            "rectification" => Some(Step::Rectification),
            "removal" => Some(Step::Removal),
            _ => None,
        }
    }
}

/// One recorded step.
#[derive(Debug, Clone)]
pub struct LadderEntry {
    /// Row id.
    pub id: i64,
    /// Which rung.
    pub step: Step,
    /// What was said or asked.
    pub note: String,
    /// Rectification deadline.
    pub deadline: Option<i64>,
    /// Who recorded it.
    pub by: String,
    /// When.
    pub at: i64,
    /// `rectified`, `not_rectified` or `noted`.
    pub outcome: Option<String>,
    /// What came of it.
    pub outcome_note: Option<String>,
    /// When the outcome was recorded.
    pub outcome_at: Option<i64>,
}

/// Creates the ladder table if needed.
pub fn ensure_schema(storage: &SqliteStorage) -> Result<(), StorageError> {
    storage.with_conn(|c| Ok(c.execute_batch(SCHEMA)?))
}

/// Records a step.
pub fn add(
    storage: &SqliteStorage,
    agency: AgencyId,
    step: Step,
    note: &str,
    deadline: Option<i64>,
    by: UserId,
    now: i64,
) -> Result<i64, StorageError> {
    storage.with_conn(|c| {
        c.execute(
            "INSERT INTO console_agency_ladder (agency, step, note, deadline, by_user, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![agency.to_string(), step.code(), note, deadline, by.to_string(), now],
        )?;
        Ok(c.last_insert_rowid())
    })
}

/// Records the outcome of a step of `agency`; returns whether such a step existed.
pub fn set_outcome(
    storage: &SqliteStorage,
    agency: AgencyId,
    id: i64,
    outcome: &str,
    note: &str,
    by: UserId,
    now: i64,
) -> Result<bool, StorageError> {
    storage.with_conn(|c| {
        let changed = c.execute(
            "UPDATE console_agency_ladder
             SET outcome = ?3, outcome_note = ?4, outcome_by = ?5, outcome_at = ?6
             WHERE id = ?1 AND agency = ?2",
            params![id, agency.to_string(), outcome, note, by.to_string(), now],
        )?;
        Ok(changed == 1)
    })
}

/// Every step for an agency, newest first.
pub fn entries(
    storage: &SqliteStorage,
    agency: AgencyId,
) -> Result<Vec<LadderEntry>, StorageError> {
    storage.with_conn(|c| {
        let mut stmt = c.prepare_cached(
            "SELECT l.id, l.step, l.note, l.deadline, COALESCE(u.name, l.by_user), l.at, l.outcome,
                    l.outcome_note, l.outcome_at
             FROM console_agency_ladder l LEFT JOIN users u ON u.id = l.by_user
             WHERE l.agency = ?1 ORDER BY l.at DESC, l.id DESC",
        )?;
        let rows = stmt.query_map([agency.to_string()], |r| {
            let step: String = r.get(1)?;
            Ok(LadderEntry {
                id: r.get(0)?,
                step: Step::from_code(&step).unwrap_or(Step::Reminder),
                note: r.get(2)?,
                deadline: r.get(3)?,
                by: r.get(4)?,
                at: r.get(5)?,
                outcome: r.get(6)?,
                outcome_note: r.get(7)?,
                outcome_at: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    })
}
