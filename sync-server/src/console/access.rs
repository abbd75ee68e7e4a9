//! Which records a supervisor may open: those in their division. A refusal is audited before
//! the answer goes back, so a town supervisor typing another town's URL leaves a trace. A record
//! outside the division answers exactly as a record that does not exist (404), so guessing ids
//! tells nobody which exist elsewhere; places and agencies, which are no secret, answer 403.

use peihu_shared::ids::{AgencyId, BeneficiaryId, DocId, EpisodeId, PlaceCode};
use rusqlite::OptionalExtension;

use super::ConsoleError;
use crate::AppState;
use crate::storage::{AuditEvent, Role, Storage, User};

/// The half-open text range `[lo, hi)` of stored division codes inside `place`, for SQL
/// `place >= lo AND place < hi` (codes are digits, and `:` sorts right after `9`).
pub fn place_range(user: &User) -> (String, String) {
    if user.role == Role::Admin {
        return (String::new(), "~".into());
    }
    let prefix = user.place.prefix();
    let hi = format!("{prefix}:");
    (prefix, hi)
}

/// The range of a division the supervisor chose to narrow to (already checked).
pub fn range_of(place: &PlaceCode) -> (String, String) {
    let prefix = place.prefix();
    (prefix.clone(), format!("{prefix}:"))
}

/// Whether `user` may see records of `place`.
pub fn covers(user: &User, place: &PlaceCode) -> bool {
    user.role == Role::Admin || user.place.contains(place)
}

/// Records a refusal and returns the error to answer with.
pub fn refuse(state: &AppState, user: &User, event: &str, doc: Option<DocId>) -> ConsoleError {
    let audit = AuditEvent { device: None, user: Some(user.id), event: event.into(), doc };
    match state.storage.audit(&audit, state.now()) {
        Ok(()) => {
            tracing::warn!(user = %user.id, event, "console access refused");
            ConsoleError::OutOfScope
        }
        Err(e) => e.into(),
    }
}

/// The division a stored document belongs to.
pub fn doc_place(state: &AppState, doc: &DocId) -> Result<Option<PlaceCode>, ConsoleError> {
    let raw = doc.to_string();
    let place: Option<String> = state.storage.with_conn(|c| {
        Ok(c.query_row("SELECT place FROM docs WHERE doc_id = ?1", [&raw], |r| r.get(0))
            .optional()?)
    })?;
    Ok(place.and_then(|p| p.parse().ok()))
}

/// Records a refused look at a record outside the division and answers as if it did not exist.
pub fn hide(state: &AppState, user: &User, event: &str, doc: Option<DocId>) -> ConsoleError {
    match refuse(state, user, event, doc) {
        ConsoleError::OutOfScope => ConsoleError::NotFound,
        other => other,
    }
}

/// Checks that `doc` exists and lies in the supervisor's division.
pub fn check_doc(state: &AppState, user: &User, doc: DocId) -> Result<PlaceCode, ConsoleError> {
    let place = doc_place(state, &doc)?.ok_or(ConsoleError::NotFound)?;
    if !covers(user, &place) {
        return Err(hide(state, user, "console.refused.out_of_scope", Some(doc)));
    }
    Ok(place)
}

/// Parses a beneficiary id from a URL and checks it is in scope.
pub fn beneficiary(
    state: &AppState,
    user: &User,
    raw: &str,
) -> Result<(BeneficiaryId, PlaceCode), ConsoleError> {
    let id: BeneficiaryId = raw.parse().map_err(|_| ConsoleError::NotFound)?;
    let place = check_doc(state, user, DocId::Case(id))?;
    Ok((id, place))
}

/// Parses an episode id from a URL and checks it is in scope.
pub fn episode(state: &AppState, user: &User, raw: &str) -> Result<EpisodeId, ConsoleError> {
    let id: EpisodeId = raw.parse().map_err(|_| ConsoleError::NotFound)?;
    check_doc(state, user, DocId::Episode(id))?;
    Ok(id)
}

/// An agency as the console shows it.
#[derive(Debug, Clone)]
pub struct AgencyRow {
    /// Its id.
    pub id: AgencyId,
    /// Its name.
    pub name: String,
    /// Whether it is removed from service.
    pub suspended: bool,
    /// Divisions of its escorts.
    pub escort_places: Vec<PlaceCode>,
}

/// Every agency, with its escorts' divisions.
pub fn agencies(state: &AppState) -> Result<Vec<AgencyRow>, ConsoleError> {
    let rows: Vec<(String, String, bool, Option<String>)> = state.storage.with_conn(|c| {
        let mut stmt = c.prepare_cached(
            "SELECT a.id, a.name, a.suspended, group_concat(DISTINCT u.place)
             FROM agencies a LEFT JOIN users u ON u.agency = a.id AND u.role = 'escort'
             GROUP BY a.id ORDER BY a.name",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    })?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, name, suspended, places)| {
            let escort_places =
                places.unwrap_or_default().split(',').filter_map(|p| p.parse().ok()).collect();
            Some(AgencyRow { id: id.parse().ok()?, name, suspended, escort_places })
        })
        .collect())
}

/// Whether an agency concerns the supervisor's division: its escorts work in or around it, or
/// it served an episode inside it.
pub fn agency_visible(
    state: &AppState,
    user: &User,
    agency: &AgencyRow,
) -> Result<bool, ConsoleError> {
    if user.role == Role::Admin {
        return Ok(true);
    }
    let near = |p: &PlaceCode| user.place.contains(p) || p.contains(&user.place);
    if agency.escort_places.iter().any(near) {
        return Ok(true);
    }
    let (lo, hi) = place_range(user);
    let served: bool = state.storage.with_conn(|c| {
        Ok(c.query_row(
            "SELECT EXISTS (SELECT 1 FROM console_episodes
                            WHERE agency = ?1 AND place >= ?2 AND place < ?3)",
            rusqlite::params![agency.id.to_string(), lo, hi],
            |r| r.get(0),
        )?)
    })?;
    Ok(served)
}

/// Whether the supervisor may remove the agency from service: their division must cover every
/// place its escorts work (a town cannot remove a county's agency).
pub fn may_remove(user: &User, agency: &AgencyRow) -> bool {
    user.role == Role::Admin || agency.escort_places.iter().all(|p| user.place.contains(p))
}

/// Parses an agency id from a URL and checks it concerns the supervisor's division.
pub fn agency(state: &AppState, user: &User, raw: &str) -> Result<AgencyRow, ConsoleError> {
    let id: AgencyId = raw.parse().map_err(|_| ConsoleError::NotFound)?;
    let row = agencies(state)?.into_iter().find(|a| a.id == id).ok_or(ConsoleError::NotFound)?;
    if !agency_visible(state, user, &row)? {
        return Err(refuse(state, user, "console.refused.out_of_scope.agency", None));
    }
    Ok(row)
}

/// Reads an optional division filter from a URL (`?place=`) and checks it is in scope.
pub fn narrow(
    state: &AppState,
    user: &User,
    raw: Option<&str>,
) -> Result<Option<PlaceCode>, ConsoleError> {
    let Some(raw) = raw.filter(|r| !r.is_empty()) else { return Ok(None) };
    let place: PlaceCode = raw.parse().map_err(|_| ConsoleError::NotFound)?;
    if !covers(user, &place) {
        return Err(refuse(state, user, "console.refused.out_of_scope.place", None));
    }
    Ok(Some(place))
}
