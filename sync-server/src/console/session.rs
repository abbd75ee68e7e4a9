//! Console sessions: a random token in an HttpOnly, SameSite=Strict cookie, kept server-side
//! only as its hash, with an idle and an absolute expiry, and one CSRF token per session.

use peihu_shared::ids::UserId;
use rusqlite::{OptionalExtension, params};

use crate::storage::sqlite::{SqliteStorage, USER_COLUMNS, user_row};
use crate::storage::{Role, StorageError, User};
use crate::tokens;

use super::strings::Lang;

/// A session ends after this long without a request.
pub const IDLE_MS: i64 = 30 * 60 * 1000;
/// A session ends this long after login, however busy.
pub const ABSOLUTE_MS: i64 = 10 * 60 * 60 * 1000;
/// The session cookie's name.
pub const COOKIE: &str = "peihu_session";
/// The login form's CSRF cookie (double-submit: there is no session yet).
pub const LOGIN_COOKIE: &str = "peihu_login";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS console_sessions (
    token_hash BLOB PRIMARY KEY,
    user       TEXT NOT NULL REFERENCES users (id),
    csrf       TEXT NOT NULL,
    created    INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS console_login_failures (
    login        TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL,
    locked_until INTEGER
) STRICT;
";

/// A signed-in supervisor, as every console handler sees them.
#[derive(Clone)]
pub struct Session {
    /// Who.
    pub user: User,
    /// The token forms must carry.
    pub csrf: String,
    /// The language pages are shown in.
    pub lang: Lang,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("user", &self.user.id)
            .field("csrf", &"<redacted>")
            .finish_non_exhaustive()
    }
}

/// Creates the session tables if needed.
pub fn ensure_schema(storage: &SqliteStorage) -> Result<(), StorageError> {
    storage.with_conn(|c| Ok(c.execute_batch(SCHEMA)?))
}

/// Opens a session for `user`; returns the cookie token (shown once, stored hashed).
pub fn open(storage: &SqliteStorage, user: UserId, now: i64) -> Result<String, StorageError> {
    let token = tokens::new_token();
    let csrf = tokens::new_token();
    storage.with_conn(|c| {
        c.execute(
            "INSERT INTO console_sessions (token_hash, user, csrf, created, last_seen)
             VALUES (?1, ?2, ?3, ?4, ?4)",
            params![&tokens::hash_token(&token)[..], user.to_string(), csrf, now],
        )?;
        c.execute(
            "DELETE FROM console_sessions WHERE last_seen < ?1 OR created < ?2",
            params![now - IDLE_MS, now - ABSOLUTE_MS],
        )?;
        Ok(())
    })?;
    Ok(token)
}

/// The live session for a cookie token, refreshing its idle timer. Expired sessions, and
/// sessions of people who are no longer supervisors, are deleted and not returned.
pub fn find(
    storage: &SqliteStorage,
    token: &str,
    lang: Lang,
    now: i64,
) -> Result<Option<Session>, StorageError> {
    let hash = tokens::hash_token(token);
    storage.with_conn(|c| {
        let sql = format!(
            "SELECT {USER_COLUMNS}, s.csrf, s.created, s.last_seen
             FROM console_sessions s JOIN users u ON u.id = s.user WHERE s.token_hash = ?1"
        );
        let row = c
            .query_row(&sql, [&hash[..]], |r| {
                let user = user_row(r)?;
                Ok((r.get::<_, String>(6)?, r.get::<_, i64>(7)?, r.get::<_, i64>(8)?, user))
            })
            .optional()?;
        let Some((csrf, created, last_seen, user)) = row else { return Ok(None) };
        let expired = now - last_seen > IDLE_MS || now - created > ABSOLUTE_MS;
        if expired || !matches!(user.role, Role::Supervisor | Role::Admin) {
            c.execute("DELETE FROM console_sessions WHERE token_hash = ?1", [&hash[..]])?;
            return Ok(None);
        }
        // Refresh at most once a minute, so reading pages does not write on every request.
        if now - last_seen > 60_000 {
            c.execute(
                "UPDATE console_sessions SET last_seen = ?2 WHERE token_hash = ?1",
                params![&hash[..], now],
            )?;
        }
        Ok(Some(Session { user, csrf, lang }))
    })
}

/// Ends a session.
pub fn close(storage: &SqliteStorage, token: &str) -> Result<(), StorageError> {
    let hash = tokens::hash_token(token);
    storage.with_conn(|c| {
        c.execute("DELETE FROM console_sessions WHERE token_hash = ?1", [&hash[..]])?;
        Ok(())
    })
}

/// A user by login with their password hash, for signing in.
pub fn user_for_login(
    storage: &SqliteStorage,
    login: &str,
) -> Result<Option<(User, Option<String>)>, StorageError> {
    storage.with_conn(|c| {
        let sql = format!("SELECT {USER_COLUMNS}, u.password_hash FROM users u WHERE u.login = ?1");
        Ok(c.query_row(&sql, [login], |r| Ok((user_row(r)?, r.get(6)?))).optional()?)
    })
}

/// When the login is locked until, if it is locked at `now`.
pub fn locked_until(
    storage: &SqliteStorage,
    login: &str,
    now: i64,
) -> Result<Option<i64>, StorageError> {
    storage.with_conn(|c| {
        let until: Option<Option<i64>> = c
            .query_row(
                "SELECT locked_until FROM console_login_failures WHERE login = ?1",
                [login],
                |r| r.get(0),
            )
            .optional()?;
        Ok(until.flatten().filter(|&u| u > now))
    })
}

/// Counts a failed sign-in; returns whether the login is now locked.
pub fn note_failure(
    storage: &SqliteStorage,
    login: &str,
    max_failures: i64,
    lock_ms: i64,
    now: i64,
) -> Result<bool, StorageError> {
    storage.with_conn(|c| {
        let failures: i64 = c.query_row(
            "INSERT INTO console_login_failures (login, failures) VALUES (?1, 1)
             ON CONFLICT (login) DO UPDATE SET failures = failures + 1
             RETURNING failures",
            [login],
            |r| r.get(0),
        )?;
        if failures >= max_failures {
            c.execute(
                "UPDATE console_login_failures SET failures = 0, locked_until = ?2 WHERE login = ?1",
                params![login, now + lock_ms],
            )?;
            return Ok(true);
        }
        Ok(false)
    })
}

/// Forgets failures after a successful sign-in.
pub fn clear_failures(storage: &SqliteStorage, login: &str) -> Result<(), StorageError> {
    storage.with_conn(|c| {
        c.execute("DELETE FROM console_login_failures WHERE login = ?1", [login])?;
        Ok(())
    })
}

/// Whether two secrets are equal, in time that does not depend on where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
