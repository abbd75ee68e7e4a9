//! Signing in and out: argon2 passwords, a lock after repeated failures, audited.

use argon2::password_hash::{PasswordHash, PasswordVerifier};
use axum::Extension;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};

use super::guard::{cookie, is_https, set_cookie};
use super::session::{self, COOKIE, LOGIN_COOKIE, Session};
use super::strings::{Lang, Tr};
use super::view::LoginPage;
use super::{ConsoleError, blocking, render};
use crate::AppState;
use crate::storage::{AuditEvent, Role, Storage};

/// This many wrong passwords in a row lock the login.
// TODO(#5): the lock is per login only; a guesser spreading attempts over many logins from one
// address is not slowed. A per-address budget needs the client address from the proxy.
pub const MAX_FAILURES: i64 = 5;
/// For this long.
pub const LOCK_MS: i64 = 15 * 60 * 1000;

/// The login form's query.
#[derive(Debug, serde::Deserialize)]
pub struct LoginQuery {
    /// Where to go after signing in.
    next: Option<String>,
}

/// The login form as posted.
#[derive(serde::Deserialize)]
pub struct LoginForm {
    login: String,
    password: String,
    next: Option<String>,
}

impl std::fmt::Debug for LoginForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginForm").field("password", &"<redacted>").finish_non_exhaustive()
    }
}

/// Only a path inside the console may follow a login (no open redirect).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with("/console/") && !n.contains("//") && !n.contains('\\') => {
            n.to_string()
        }
        _ => "/console/overview".to_string(),
    }
}

fn login_form(lang: Lang, headers: &HeaderMap, next: &str, error: Option<String>) -> Response {
    let token = cookie(headers, LOGIN_COOKIE)
        .filter(|t| t.len() == 64)
        .unwrap_or_else(crate::tokens::new_token);
    let page = LoginPage { tr: Tr(lang), csrf: token.clone(), next: next.to_string(), error };
    let status = if page.error.is_some() {
        axum::http::StatusCode::UNAUTHORIZED
    } else {
        axum::http::StatusCode::OK
    };
    let mut response = match render(&page) {
        Ok(r) => (status, r).into_response(),
        Err(e) => return e.into_response(),
    };
    let value = set_cookie(LOGIN_COOKIE, &token, "/console/login", 3600, is_https(headers));
    response.headers_mut().append(header::SET_COOKIE, value);
    response
}

/// `GET /console/login`.
pub async fn login_page(
    Extension(lang): Extension<Lang>,
    Query(q): Query<LoginQuery>,
    headers: HeaderMap,
) -> Response {
    login_form(lang, &headers, &safe_next(q.next.as_deref()), None)
}

enum Outcome {
    SignedIn(String),
    Refused,
    Locked,
}

/// `POST /console/login` (its CSRF token was checked by the guard).
pub async fn login(
    State(state): State<AppState>,
    Extension(lang): Extension<Lang>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, ConsoleError> {
    let next = safe_next(form.next.as_deref());
    let login = form.login.trim().to_string();
    let password = form.password;
    let outcome = {
        let state = state.clone();
        blocking(move || attempt(&state, &login, &password)).await?
    };
    let tr = Tr(lang);
    match outcome {
        Outcome::SignedIn(token) => {
            let mut response = Redirect::to(&next).into_response();
            let value = set_cookie(
                COOKIE,
                &token,
                "/console",
                session::ABSOLUTE_MS / 1000,
                is_https(&headers),
            );
            response.headers_mut().append(header::SET_COOKIE, value);
            Ok(response)
        }
        Outcome::Refused => {
            Ok(login_form(lang, &headers, &next, Some(tr.t("login.refused").into())))
        }
        Outcome::Locked => Ok(login_form(lang, &headers, &next, Some(tr.t("login.locked").into()))),
    }
}

/// Checks a login and password, counting failures; never says which of the two was wrong.
fn attempt(state: &AppState, login: &str, password: &str) -> Result<Outcome, ConsoleError> {
    let now = state.now();
    let storage = &state.storage;
    if session::locked_until(storage, login, now)?.is_some() {
        audit(state, None, "console.login.refused_locked")?;
        return Ok(Outcome::Locked);
    }
    let found = session::user_for_login(storage, login)?;
    let user = found.as_ref().map(|(u, _)| u.clone());
    let hash = found.and_then(|(_, h)| h);
    let may_use_console =
        user.as_ref().is_some_and(|u| matches!(u.role, Role::Supervisor | Role::Admin));
    let verified = verify(hash.as_deref(), password) && may_use_console;
    if !verified {
        let locked = session::note_failure(storage, login, MAX_FAILURES, LOCK_MS, now)?;
        let event = if locked { "console.login.locked" } else { "console.login.failed" };
        audit(state, user.as_ref().map(|u| u.id), event)?;
        return Ok(if locked { Outcome::Locked } else { Outcome::Refused });
    }
    let user = user.expect("verified implies a user");
    session::clear_failures(storage, login)?;
    let token = session::open(storage, user.id, now)?;
    audit(state, Some(user.id), "console.login")?;
    Ok(Outcome::SignedIn(token))
}

/// Verifies a password against a stored PHC string. Without a stored hash it still spends the
/// time of one verification, so a missing account cannot be told apart by timing.
fn verify(stored: Option<&str>, password: &str) -> bool {
    let stored = stored.unwrap_or(DUMMY_HASH);
    let Ok(parsed) = PasswordHash::new(stored) else { return false };
    let ok = argon2::Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok();
    ok && stored != DUMMY_HASH
}

/// The argon2 hash of a random password nobody knows, with the default parameters.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$f7bNyWQ3Nz5qZ4VbZp5fV5pQ4b7lUj0n3z2JbX1cJ6U";

fn audit(
    state: &AppState,
    user: Option<peihu_shared::ids::UserId>,
    event: &str,
) -> Result<(), ConsoleError> {
    let event = AuditEvent { device: None, user, event: event.into(), doc: None };
    Ok(state.storage.audit(&event, state.now())?)
}

/// `POST /console/logout`.
pub async fn logout(
    State(state): State<AppState>,
    Extension(_session): Extension<Session>,
    headers: HeaderMap,
) -> Result<Response, ConsoleError> {
    if let Some(token) = cookie(&headers, COOKIE) {
        blocking(move || Ok(session::close(&state.storage, &token)?)).await?;
    }
    let mut response = Redirect::to("/console/login").into_response();
    let value = set_cookie(COOKIE, "", "/console", 0, is_https(&headers));
    response.headers_mut().append(header::SET_COOKIE, value);
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stand_in_hash_parses_so_an_unknown_login_costs_a_full_verification() {
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
        assert!(!verify(None, "anything"));
    }

    #[test]
    fn only_console_paths_may_follow_a_login() {
        assert_eq!(
            safe_next(Some("/console/agencies?period=month")),
            "/console/agencies?period=month"
        );
        for bad in ["https://evil.example/", "//evil.example", "/console//x", "/api/sync"] {
            assert_eq!(safe_next(Some(bad)), "/console/overview", "{bad}");
        }
    }
}
