//! # The supervisors' console (`/console`)
//!
//! Civil-affairs staff at town, county and city desks review what the field synced (日查看),
//! chase overdue visits, dispatch escorts when a call comes in, judge agencies and keep the
//! monitoring ledger (监测台账). Everything is server-rendered HTML with no script at all, so it
//! works with a keyboard, prints cleanly and needs nothing from outside the server.
//!
//! How a request flows:
//!
//! 1. [`guard`] (a middleware over every console route) picks the language, finds the session
//!    cookie, refuses a form whose CSRF token does not match, and adds security headers.
//! 2. A page module ([`overview`], [`beneficiary`], [`episode`], [`agency`], [`dispatch`],
//!    [`overdue`], [`figures`], [`export`]) checks the supervisor's division with [`access`]
//!    (out-of-scope URLs are refused with 403 and audited), reads, and renders an `askama`
//!    template from `sync-server/templates/`.
//! 3. Writes go through [`writes`]: the document is loaded, changed with the shared
//!    `peihu_shared::doc` functions under the supervisor's provenance, and the new changes are
//!    appended exactly as a device's would be, so tablets receive them at their next sync.
//!
//! Reads of many beneficiaries (the overview of a county, the ledger) come from a derived
//! summary ([`summary`]): a few tables rebuilt per document from its hydrated form, refreshed
//! when a device's changes are stored and caught up lazily (by heads) before each read, so a
//! document changed by another process is never missed.
//!
//! Strings shown to people live in one place, [`strings`], Chinese first with English.

pub mod access;
pub mod agency;
pub mod auth;
pub mod beneficiary;
pub mod dispatch;
pub mod episode;
pub mod export;
pub mod figures;
pub mod guard;
pub mod ladder;
pub mod ledger;
pub mod overdue;
pub mod overview;
pub mod period;
pub mod photo;
pub mod session;
pub mod strings;
pub mod summary;
pub mod svg;
pub mod view;
pub mod writes;

use axum::Router;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use crate::AppState;
use crate::admin::AdminError;
use crate::storage::StorageError;

/// The console's routes, to be merged into the application router.
pub fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/console", get(|| async { Redirect::to("/console/overview") }))
        .route("/console/login", get(auth::login_page).post(auth::login))
        .route("/console/logout", post(auth::logout))
        .route("/console/overview", get(overview::page))
        .route("/console/overdue", get(overdue::page))
        .route("/console/dispatch", get(dispatch::page))
        .route("/console/figures", get(figures::page))
        .route("/console/beneficiary/{id}", get(beneficiary::page))
        .route("/console/beneficiary/{id}/colour", post(beneficiary::forms::change_colour))
        .route("/console/beneficiary/{id}/settle", post(beneficiary::forms::settle))
        .route("/console/beneficiary/{id}/warning", post(beneficiary::forms::act_on_warning))
        .route("/console/beneficiary/{id}/episode", post(beneficiary::forms::open_episode))
        .route("/console/episode/{id}", get(episode::page))
        .route("/console/episode/{id}/escort", post(episode::assign_escort))
        .route("/console/episode/{id}/settle", post(episode::settle))
        .route("/console/agencies", get(agency::list))
        .route("/console/agency/{id}", get(agency::page))
        .route("/console/agency/{id}/ladder", post(agency::add_step))
        .route("/console/agency/{id}/ladder/{step}/outcome", post(agency::record_outcome))
        .route("/console/export/{file}", get(export::download))
        .route("/console/photo/{hash}", get(photo::photo))
        .layer(axum::middleware::from_fn_with_state(state, guard::guard))
}

/// Every way a console request can fail. Pages show a short message in both languages; the
/// details of storage failures go to the log once and never to the browser.
#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    /// The record does not exist, the id is malformed, or the record lies outside the
    /// supervisor's division (then already audited): the three answer alike.
    #[error("not found")]
    NotFound,
    /// The record lies outside the supervisor's division (already audited).
    #[error("outside your division")]
    OutOfScope,
    /// The form's CSRF token was missing or wrong (already audited).
    #[error("the form has expired")]
    Csrf,
    /// The form was filled in wrongly; the text says how, in the page's language.
    #[error("{0}")]
    BadInput(String),
    /// Storage failed.
    #[error("storage: {0}")]
    Storage(#[from] StorageError),
    /// A document could not be read or written.
    #[error("document: {0}")]
    Doc(#[from] peihu_shared::doc::DocError),
    /// An administrative action failed.
    #[error("admin: {0}")]
    Admin(#[from] AdminError),
    /// A page or a spreadsheet could not be produced.
    #[error("render: {0}")]
    Render(String),
    /// A blocking task panicked.
    #[error("internal")]
    Internal,
}

impl From<askama::Error> for ConsoleError {
    fn from(e: askama::Error) -> Self {
        ConsoleError::Render(e.to_string())
    }
}

impl ConsoleError {
    fn status(&self) -> StatusCode {
        match self {
            ConsoleError::NotFound => StatusCode::NOT_FOUND,
            ConsoleError::OutOfScope | ConsoleError::Csrf => StatusCode::FORBIDDEN,
            ConsoleError::BadInput(_) => StatusCode::BAD_REQUEST,
            ConsoleError::Storage(_)
            | ConsoleError::Doc(_)
            | ConsoleError::Admin(_)
            | ConsoleError::Render(_)
            | ConsoleError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn message(&self) -> (String, String) {
        let pair = |zh: &str, en: &str| (zh.to_string(), en.to_string());
        match self {
            ConsoleError::NotFound => {
                pair("您的辖区内没有这条记录。", "There is no such record in your division.")
            }
            ConsoleError::OutOfScope => pair(
                "该记录不在您的辖区内，已记录此次访问。",
                "This record is outside your division; the attempt has been recorded.",
            ),
            ConsoleError::Csrf => pair(
                "表单已过期，请返回并刷新页面后重试。",
                "This form has expired: go back, reload the page and try again.",
            ),
            ConsoleError::BadInput(text) => (text.clone(), text.clone()),
            _ => pair(
                "服务器暂时无法完成操作，数据未受影响，请稍后重试。",
                "The server could not do this just now; nothing was changed. Try again shortly.",
            ),
        }
    }
}

impl IntoResponse for ConsoleError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            // Logged once, here; the page shows only a generic message.
            tracing::error!(error = %self, "console request failed");
        }
        let (zh, en) = self.message();
        let page = view::ErrorPage { status: status.as_u16(), zh, en };
        let body = askama::Template::render(&page).unwrap_or_else(|_| "error".into());
        (status, Html(body)).into_response()
    }
}

/// Creates the console's tables (sessions, login failures, summary, ladder) if needed. Cheap
/// after the first call for a data directory: the directories already prepared are remembered.
pub fn ensure_schema(storage: &crate::storage::sqlite::SqliteStorage) -> Result<(), StorageError> {
    use std::collections::HashSet;
    use std::path::PathBuf;
    use std::sync::{Mutex, OnceLock};

    static READY: OnceLock<Mutex<HashSet<PathBuf>>> = OnceLock::new();
    let ready = READY.get_or_init(|| Mutex::new(HashSet::new()));
    let dir = storage.data_dir().to_path_buf();
    if ready.lock().unwrap_or_else(|p| p.into_inner()).contains(&dir) {
        return Ok(());
    }
    session::ensure_schema(storage)?;
    summary::ensure_schema(storage)?;
    ladder::ensure_schema(storage)?;
    ready.lock().unwrap_or_else(|p| p.into_inner()).insert(dir);
    Ok(())
}

/// Runs blocking storage work off the async runtime.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ConsoleError> + Send + 'static,
) -> Result<T, ConsoleError> {
    tokio::task::spawn_blocking(f).await.map_err(|_| ConsoleError::Internal)?
}

/// Renders a template into an HTML response.
pub(crate) fn render(page: &impl askama::Template) -> Result<Response, ConsoleError> {
    Ok(Html(page.render()?).into_response())
}
