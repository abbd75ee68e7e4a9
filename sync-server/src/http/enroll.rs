//! `POST /api/enroll`: trade a one-time code for a device token.

use axum::Json;
use axum::extract::State;
use peihu_shared::ids::{DeviceId, PlaceCode, UserId};

use super::{ApiError, blocking};
use crate::storage::{AuditEvent, Storage};
use crate::{AppState, tokens};

/// The request.
#[derive(Debug, serde::Deserialize)]
pub struct EnrollRequest {
    /// The one-time code.
    pub code: String,
}

/// The answer: the token is shown this once.
#[derive(Debug, serde::Serialize)]
pub struct EnrollResponse {
    /// The new device's id.
    pub device: DeviceId,
    /// The bearer token for every later request.
    pub token: String,
    /// Whose device it is.
    pub user: UserId,
    /// Their login.
    pub login: String,
    /// Their display name.
    pub name: String,
    /// `helper`, `escort`, `supervisor` or `admin`.
    pub role: String,
    /// Their division.
    pub place: PlaceCode,
}

pub(super) async fn enroll(
    State(state): State<AppState>,
    Json(req): Json<EnrollRequest>,
) -> Result<Json<EnrollResponse>, ApiError> {
    let now = state.now();
    blocking(move || {
        let token = tokens::new_token();
        let enrolled =
            state.storage.enroll(&tokens::hash(&req.code), &tokens::hash_token(&token), now)?;
        let Some((device, user)) = enrolled else { return Err(ApiError::InvalidCode) };
        state.storage.audit(
            &AuditEvent {
                device: Some(device),
                user: Some(user.id),
                event: "device.enrolled".into(),
                doc: None,
            },
            now,
        )?;
        tracing::info!(%device, role = user.role.code(), "device enrolled");
        Ok(Json(EnrollResponse {
            device,
            token,
            user: user.id,
            login: user.login,
            name: user.name,
            role: user.role.code().into(),
            place: user.place,
        }))
    })
    .await
}
