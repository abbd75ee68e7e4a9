//! The middleware in front of every console route: language, session, CSRF and headers.
//!
//! Doing these here, once, means no page can forget them: a form handler only ever runs after
//! its token was checked, and a page only ever renders for a live session.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use super::session::{self, COOKIE, LOGIN_COOKIE, Session};
use super::strings::Lang;
use super::{ConsoleError, blocking};
use crate::AppState;
use crate::storage::{AuditEvent, Storage};

/// Forms are small; anything larger is refused before it is read.
const FORM_LIMIT: usize = 64 * 1024;

/// The value of cookie `name`, if sent.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// A `Set-Cookie` value with the console's attributes. `Secure` is added when the request
/// reached the server over HTTPS (through a terminating proxy).
pub fn set_cookie(name: &str, value: &str, path: &str, max_age_s: i64, https: bool) -> HeaderValue {
    let secure = if https { "; Secure" } else { "" };
    let text = format!(
        "{name}={value}; Path={path}; Max-Age={max_age_s}; HttpOnly; SameSite=Strict{secure}"
    );
    HeaderValue::from_str(&text).expect("cookie values are hex or fixed words")
}

/// Whether the request came over HTTPS (as a proxy in front of the server says).
// TODO(#5): trusting X-Forwarded-Proto is right only behind our own TLS proxy; a deployment
// setting (serve over TLS, or name the trusted proxy) should decide `Secure` instead.
pub fn is_https(headers: &HeaderMap) -> bool {
    headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()) == Some("https")
}

fn query_lang(query: Option<&str>) -> Option<Lang> {
    query?
        .split('&')
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| *k == "lang")
        .and_then(|(_, v)| Lang::from_code(v))
}

/// The middleware.
pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let chosen = query_lang(req.uri().query());
    let lang = chosen
        .or_else(|| cookie(req.headers(), "peihu_lang").and_then(|c| Lang::from_code(&c)))
        .unwrap_or(Lang::Zh);
    let https = is_https(req.headers());
    let mut response = match admit(&state, req, lang).await {
        Ok(req) => next.run(req).await,
        Err(refusal) => refusal,
    };
    let headers = response.headers_mut();
    if let Some(lang) = chosen {
        let value = set_cookie("peihu_lang", lang.code(), "/console", 365 * 86_400, https);
        headers.append(header::SET_COOKIE, value);
    }
    for (name, value) in SECURITY_HEADERS {
        headers.insert(*name, HeaderValue::from_static(value));
    }
    response
}

const SECURITY_HEADERS: &[(&str, &str)] = &[
    ("cache-control", "no-store"),
    (
        "content-security-policy",
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; \
         form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    ),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
];

/// Lets a request through (with its [`Session`] attached) or answers it.
async fn admit(state: &AppState, req: Request, lang: Lang) -> Result<Request, Response> {
    let is_login = req.uri().path() == "/console/login";
    let token = cookie(req.headers(), COOKIE);
    let found = {
        let state = state.clone();
        blocking(move || {
            super::ensure_schema(&state.storage)?;
            let now = state.now();
            Ok(match token {
                Some(t) => session::find(&state.storage, &t, lang, now)?,
                None => None,
            })
        })
        .await
        .map_err(IntoResponse::into_response)?
    };
    let mut req = req;
    req.extensions_mut().insert(lang);
    if is_login {
        return check_login_form(req).await;
    }
    let Some(session) = found else {
        return Err(to_login(&req));
    };
    let req =
        if req.method() == Method::POST { check_form(state, req, &session).await? } else { req };
    let mut req = req;
    req.extensions_mut().insert(session);
    Ok(req)
}

fn to_login(req: &Request) -> Response {
    let next = if req.method() == Method::GET {
        req.uri().path_and_query().map(|p| p.as_str().to_string()).unwrap_or_default()
    } else {
        String::new()
    };
    let target = if next.is_empty() {
        "/console/login".to_string()
    } else {
        format!("/console/login?next={}", super::view::url_encode(&next))
    };
    Redirect::to(&target).into_response()
}

/// Reads a form body and hands back a request with the same body.
async fn read_form(req: Request) -> Result<(Request, Vec<(String, String)>), Response> {
    let (parts, body) = req.into_parts();
    let bytes = to_bytes(body, FORM_LIMIT)
        .await
        .map_err(|_| ConsoleError::BadInput("表单过大 / form too large".into()).into_response())?;
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
    Ok((Request::from_parts(parts, Body::from(bytes)), fields))
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

async fn check_form(
    state: &AppState,
    req: Request,
    session: &Session,
) -> Result<Request, Response> {
    let (req, fields) = read_form(req).await?;
    let sent = field(&fields, "csrf").unwrap_or_default();
    if session::same_secret(sent, &session.csrf) {
        return Ok(req);
    }
    let state = state.clone();
    let user = session.user.id;
    let audit = blocking(move || {
        let event = AuditEvent {
            device: None,
            user: Some(user),
            event: "console.refused.csrf".into(),
            doc: None,
        };
        Ok(state.storage.audit(&event, state.now())?)
    })
    .await;
    Err(audit.err().unwrap_or(ConsoleError::Csrf).into_response())
}

async fn check_login_form(req: Request) -> Result<Request, Response> {
    if req.method() != Method::POST {
        return Ok(req);
    }
    let expected = cookie(req.headers(), LOGIN_COOKIE);
    let (req, fields) = read_form(req).await?;
    let sent = field(&fields, "csrf").unwrap_or_default();
    match expected {
        Some(e) if !e.is_empty() && session::same_secret(sent, &e) => Ok(req),
        _ => Err(ConsoleError::Csrf.into_response()),
    }
}
