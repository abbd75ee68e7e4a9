//! Calls into the Tauri shell (`window.__TAURI__.core.invoke`) and the shapes it returns.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "core"], js_name = invoke, catch)]
    async fn tauri_invoke(cmd: &str, args: JsValue) -> Result<JsValue, JsValue>;
}

/// An error from a command: a stable code and a message.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ApiError {
    /// Stable code.
    pub code: String,
    /// English message for a person.
    pub message: String,
    /// Details, e.g. refused readings.
    #[serde(default)]
    pub details: Option<serde_json::Value>,
}

fn to_js(args: &serde_json::Value) -> JsValue {
    js_sys::JSON::parse(&args.to_string()).unwrap_or(JsValue::NULL)
}

fn from_js<T: DeserializeOwned>(value: &JsValue) -> Result<T, ApiError> {
    let text = js_sys::JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| "null".into());
    serde_json::from_str(&text).map_err(|e| ApiError {
        code: "protocol".into(),
        message: e.to_string(),
        details: None,
    })
}

/// Calls command `cmd` with `args` (a JSON object).
pub async fn call<T: DeserializeOwned>(cmd: &str, args: serde_json::Value) -> Result<T, ApiError> {
    match tauri_invoke(cmd, to_js(&args)).await {
        Ok(v) => from_js(&v),
        Err(e) => Err(from_js::<ApiError>(&e).unwrap_or_else(|_| ApiError {
            code: "other".into(),
            message: e.as_string().unwrap_or_default(),
            details: None,
        })),
    }
}

/// Leaves a named point on the page's performance timeline (seen in the Web Inspector and read
/// by the tablet benchmark); does nothing where there is no timeline.
pub fn mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(name);
    }
}

/// Now, in Unix ms.
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// A user of the tablet.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ProfileView {
    /// Id.
    pub user: String,
    /// Name.
    pub name: String,
    /// Role code.
    pub role: String,
}

/// First-screen facts.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct AppInfo {
    /// Users.
    pub profiles: Vec<ProfileView>,
    /// Server to pre-fill.
    pub default_server: Option<String>,
    /// A revoked user was wiped.
    pub wiped_notice: bool,
}

/// The sync line.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SyncStatus {
    /// Last good sync, formatted.
    pub last_synced_text: Option<String>,
    /// Documents waiting.
    pub waiting: usize,
    /// Files waiting.
    pub files_waiting: usize,
    /// Last failure's code.
    pub error_code: Option<String>,
}

/// How far a running sync has got.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SyncProgress {
    /// `records`, then `files`.
    pub phase: String,
    /// Files sent so far.
    pub files_done: usize,
    /// Files to send.
    pub files_total: usize,
}

/// A duty-list row.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct DutyRow {
    /// Beneficiary id.
    pub beneficiary: String,
    /// Name.
    pub name: String,
    /// `red`, `yellow`, `blue`.
    pub colour: String,
    /// `due`, `overdue`, `done`.
    pub status: String,
    /// Days overdue.
    pub overdue_days: Option<i64>,
    /// Last visit (ms).
    pub last_visit: Option<i64>,
    /// Open warnings.
    pub open_warnings: usize,
}

/// The beneficiary card.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct BeneficiaryView {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Age.
    pub age: Option<i32>,
    /// `male`/`female`.
    pub sex: String,
    /// Conditions.
    pub conditions: Vec<String>,
    /// Allergies.
    pub allergies: Vec<String>,
    /// Contact.
    pub contact_name: String,
    /// Phone.
    pub contact_phone: String,
    /// Address.
    pub address: String,
    /// Colour.
    pub colour: Option<String>,
    /// Last visit, formatted.
    pub last_visit: Option<String>,
    /// Last readings.
    pub last_vitals: Vec<(String, String)>,
    /// Open warnings.
    pub open_warnings: Vec<String>,
}

/// What saving a visit returned.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SavedVisit {
    /// Warnings raised.
    pub warnings: Vec<String>,
}

/// An episode row.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct EpisodeRow {
    /// Id.
    pub id: String,
    /// Beneficiary's name.
    pub name: String,
    /// Hospital.
    pub hospital: String,
    /// Ward.
    pub ward: String,
    /// Bed.
    pub bed: String,
    /// Steps done.
    pub steps_done: usize,
    /// Complete.
    pub complete: bool,
    /// Admitted.
    pub admitted: bool,
    /// Discharged.
    pub discharged: bool,
}

/// One of the nine steps.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct StepState {
    /// Code, e.g. `notice.coverage`.
    pub code: String,
    /// Done when.
    pub done_at: Option<i64>,
}

/// The nine steps.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct NineSteps {
    /// In order.
    pub steps: Vec<StepState>,
    /// Card acknowledged.
    pub acknowledged: bool,
    /// Days lacking a record.
    pub days_missing_records: Vec<String>,
}

/// One episode in full.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct EpisodeView {
    /// The row.
    pub row: EpisodeRow,
    /// Admission, formatted.
    pub admitted_text: Option<String>,
    /// Discharge, formatted.
    pub discharged_text: Option<String>,
    /// Nine steps.
    pub steps: NineSteps,
    /// Today.
    pub today: String,
    /// Today's records.
    pub today_records: Vec<String>,
    /// Open shift.
    pub open_shift: Option<String>,
    /// Since.
    pub open_shift_since: Option<String>,
    /// Minutes.
    pub service_minutes: i64,
}

/// The visit form as it is being filled; saved whole as the draft.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct VisitDraft {
    /// Check-in time.
    pub arrived: Option<i64>,
    /// Coordinates typed in (else "not available").
    pub typed_location: bool,
    /// Latitude text.
    pub lat: String,
    /// Longitude text.
    pub lon: String,
    /// Readings as typed, by field code.
    pub sys: String,
    /// Diastolic.
    pub dia: String,
    /// Pulse.
    pub pulse: String,
    /// Temperature.
    pub temp: String,
    /// Glucose.
    pub glucose: String,
    /// SpO2.
    pub spo2: String,
    /// Weight.
    pub weight: String,
    /// Observations.
    pub notes: String,
    /// Topic codes.
    pub education: Vec<String>,
    /// Photo hashes.
    pub photos: Vec<String>,
    /// Escalate.
    pub escalate: bool,
    /// Reason.
    pub escalation: String,
    /// Request an escort.
    pub escort: bool,
    /// Reason.
    pub escort_reason: String,
}
