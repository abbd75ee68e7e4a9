//! The one error type the tablet API returns: a stable code the UI matches on, a message a
//! person can read, and optional details (the refused readings, field by field).

use crate::StoreError;
use crate::field::FieldError;
use crate::sync::SyncError;

/// Why a tablet action failed. The UI shows its own translation of [`TabletError::code`] and
/// falls back to the message.
#[derive(Debug, Clone, PartialEq, thiserror::Error, serde::Serialize)]
#[error("{code}: {message}")]
pub struct TabletError {
    /// Stable code, e.g. `wrong_pin`, `vitals_refused`, `unreachable`, `device_revoked`.
    pub code: String,
    /// Plain English sentence for a person (never contains health data or tokens).
    pub message: String,
    /// Machine-readable details; for `vitals_refused`, the list of refused fields.
    pub details: Option<serde_json::Value>,
}

impl TabletError {
    /// An error with a code and message and no details.
    pub fn new(code: &str, message: impl Into<String>) -> TabletError {
        TabletError { code: code.to_string(), message: message.into(), details: None }
    }

    /// Nobody is unlocked.
    pub fn locked() -> TabletError {
        TabletError::new("locked", "unlock with your PIN first")
    }

    /// A request that cannot be understood.
    pub fn invalid(message: impl Into<String>) -> TabletError {
        TabletError::new("invalid", message)
    }
}

impl From<StoreError> for TabletError {
    fn from(e: StoreError) -> Self {
        TabletError::new("storage", e.to_string())
    }
}

impl From<SyncError> for TabletError {
    fn from(e: SyncError) -> Self {
        TabletError::new(e.code(), e.to_string())
    }
}

impl From<FieldError> for TabletError {
    fn from(e: FieldError) -> Self {
        let mut out = TabletError::new(e.code(), e.to_string());
        if let FieldError::Vitals(v) = &e {
            out.details = serde_json::to_value(&v.refusals).ok();
        }
        out
    }
}

impl From<std::io::Error> for TabletError {
    fn from(e: std::io::Error) -> Self {
        TabletError::new("storage", format!("the tablet's storage failed: {e}"))
    }
}
