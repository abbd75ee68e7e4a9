//! The HTTP layer: routes, the one error type every handler returns, and request logging that
//! never records bodies, tokens or personal data.

mod blobs;
mod enroll;
pub(crate) mod sync;

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::AppState;
use crate::storage::StorageError;

/// Builds the router.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/api/enroll", post(enroll::enroll))
        .route("/api/sync", post(sync::sync))
        .merge(crate::console::routes(state.clone()))
        .route("/api/blobs/{hash}", get(blobs::download).put(blobs::upload))
        .route("/api/blobs/{hash}/state", get(blobs::state))
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024 * 1024))
        .layer(tower_http::trace::TraceLayer::new_for_http().make_span_with(
            |req: &axum::http::Request<_>| {
                // The route template, never the raw path: paths may carry record ids.
                let route = req
                    .extensions()
                    .get::<axum::extract::MatchedPath>()
                    .map(|p| p.as_str().to_string())
                    .unwrap_or_else(|| "unmatched".into());
                tracing::info_span!("request", method = %req.method(), route)
            },
        ))
        .with_state(state)
}

async fn healthz() -> &'static str {
    "ok"
}

/// Every way a request can fail, each with a stable code devices match on.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No or malformed `Authorization: Bearer` header, or an unknown token.
    #[error("this device is not enrolled or its token is unknown: enrol it again")]
    UnknownToken,
    /// The device was revoked: it must wipe its data.
    #[error("this device has been revoked by an administrator and must be wiped")]
    DeviceRevoked,
    /// The user's agency is suspended from service.
    #[error("your agency has been suspended from service; contact the civil-affairs office")]
    AgencySuspended,
    /// The enrolment code is wrong or used.
    #[error(
        "this enrolment code is wrong, already used or more than a week old: ask your supervisor for a new one"
    )]
    InvalidCode,
    /// The request body could not be read.
    #[error("the request could not be read: {0}")]
    BadRequest(String),
    /// The device's user may not see or change this.
    #[error("this is outside what your account may see or change")]
    Forbidden,
    /// Nothing by that id.
    #[error("not found")]
    NotFound,
    /// Storage failed; nothing was half-written.
    #[error("the server could not store this just now; your data is safe, try again shortly")]
    Storage(#[from] StorageError),
    /// A blocking task panicked or was cancelled.
    #[error("the server hit an internal error; try again shortly")]
    Internal,
}

impl ApiError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::UnknownToken => "unknown_token",
            ApiError::DeviceRevoked => "device_revoked",
            ApiError::AgencySuspended => "agency_suspended",
            ApiError::InvalidCode => "invalid_code",
            ApiError::BadRequest(_) => "bad_request",
            ApiError::Forbidden => "forbidden",
            ApiError::NotFound => "not_found",
            ApiError::Storage(_) => "storage",
            ApiError::Internal => "internal",
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            ApiError::UnknownToken | ApiError::DeviceRevoked | ApiError::InvalidCode => {
                StatusCode::UNAUTHORIZED
            }
            ApiError::AgencySuspended | ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Storage(_) | ApiError::Internal => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Storage(e) = &self {
            // Logged once, here; the client only sees the stable code.
            tracing::error!(error = %e, "storage failure");
        }
        let body = serde_json::json!({ "code": self.code(), "message": self.to_string() });
        (self.status(), axum::Json(body)).into_response()
    }
}

/// Runs blocking storage work off the async runtime.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f).await.map_err(|_| ApiError::Internal)?
}
