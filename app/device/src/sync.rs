//! The device side of sync over HTTP: the sans-IO engine of `peihu_shared::sync` wrapped around
//! the [`Store`] and a blocking `reqwest` client.

use std::collections::BTreeMap;
use std::time::Duration;

use automerge::AutoCommit;
use peihu_shared::ids::DocId;
use peihu_shared::sync::client::{ClientSession, DocAccess, Effect, Outcome, Step};
use peihu_shared::sync::wire::{ManifestEntry, Request, Response};

use crate::{Store, StoreError};

/// Why a sync stopped.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The server could not be reached or the connection dropped.
    #[error(
        "the server could not be reached ({0}); your records are safe on this device and will be sent at the next sync"
    )]
    Unreachable(String),
    /// The server revoked this device.
    #[error(
        "this device has been revoked by an administrator: its data must be wiped (peihu-field wipe)"
    )]
    Revoked,
    /// The user's agency is suspended.
    #[error(
        "your agency has been suspended from service, so this device may not sync; your records are kept on this device"
    )]
    AgencySuspended,
    /// The token is not known to the server.
    #[error("the server does not recognise this device: enrol it again")]
    UnknownToken,
    /// Enrolment could not reach the server: nothing was saved, the code is still unused.
    #[error(
        "the server could not be reached ({0}); check the server address and the network, then enrol again with the same code"
    )]
    EnrolUnreachable(String),
    /// The server address is not an http:// or https:// address.
    #[error(
        "the server address \"{0}\" is not a web address: it must start with http:// or https://, e.g. http://127.0.0.1:8780"
    )]
    BadAddress(String),
    /// The enrolment code is wrong, used or expired.
    #[error(
        "this enrolment code is wrong, already used or more than a week old: ask your supervisor for a new one"
    )]
    InvalidCode,
    /// This device is not enrolled.
    #[error("this device is not enrolled yet: run peihu-field enroll --server URL --code CODE")]
    NotEnrolled,
    /// The server answered with an error.
    #[error("the server refused the request ({code}): {message}")]
    Server {
        /// Stable code.
        code: String,
        /// The server's message.
        message: String,
    },
    /// The server's answer could not be read.
    #[error("the server's answer could not be read: {0}")]
    Protocol(String),
    /// Saving what arrived failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl SyncError {
    /// A stable code for the UI and scripts.
    pub fn code(&self) -> &'static str {
        match self {
            SyncError::Unreachable(_) => "unreachable",
            SyncError::Revoked => "device_revoked",
            SyncError::AgencySuspended => "agency_suspended",
            SyncError::UnknownToken => "unknown_token",
            SyncError::EnrolUnreachable(_) => "unreachable",
            SyncError::InvalidCode => "invalid_code",
            SyncError::BadAddress(_) => "bad_server",
            SyncError::NotEnrolled => "not_enrolled",
            SyncError::Server { .. } => "server_error",
            SyncError::Protocol(_) => "protocol",
            SyncError::Store(_) => "storage",
        }
    }
}

/// Carries one encoded request to the server and brings back the encoded response. HTTP in
/// the product; the tests may put a failing proxy in between.
pub trait Transport {
    /// Sends `body`, returns the response body.
    fn send(&mut self, body: Vec<u8>) -> Result<Vec<u8>, SyncError>;
}

/// The HTTP transport.
#[derive(Debug)]
pub struct Http {
    client: reqwest::blocking::Client,
    url: String,
    token: String,
    /// Bytes sent and received, for measurement.
    pub sent: u64,
    /// Bytes received.
    pub received: u64,
    /// Requests made.
    pub requests: u32,
}

impl Http {
    /// A transport to `server` (base URL) with the device token.
    pub fn new(server: &str, token: &str) -> Http {
        let client = reqwest::blocking::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(120))
            .build()
            .expect("an HTTP client with timeouts builds");
        Http {
            client,
            url: format!("{}/api/sync", server.trim_end_matches('/')),
            token: token.to_string(),
            sent: 0,
            received: 0,
            requests: 0,
        }
    }

    /// The transport for an enrolled store.
    pub fn for_store(store: &Store) -> Result<Http, SyncError> {
        let server = store.meta("server")?.ok_or(SyncError::NotEnrolled)?;
        let token = store.meta("token")?.ok_or(SyncError::NotEnrolled)?;
        Ok(Http::new(&server, &token))
    }
}

/// Reads the server's JSON error body into a [`SyncError`].
pub fn error_from_body(status: u16, body: &[u8]) -> SyncError {
    let parsed: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let field = |k: &str| {
        parsed
            .as_ref()
            .and_then(|v| v.get(k))
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string()
    };
    match field("code").as_str() {
        "device_revoked" => SyncError::Revoked,
        "agency_suspended" => SyncError::AgencySuspended,
        "unknown_token" => SyncError::UnknownToken,
        "invalid_code" => SyncError::InvalidCode,
        "" => SyncError::Server {
            code: format!("http_{status}"),
            message: String::from_utf8_lossy(body).chars().take(200).collect(),
        },
        code => SyncError::Server { code: code.to_string(), message: field("message") },
    }
}

impl Transport for Http {
    fn send(&mut self, body: Vec<u8>) -> Result<Vec<u8>, SyncError> {
        self.requests += 1;
        self.sent += body.len() as u64;
        let response = self
            .client
            .post(&self.url)
            .bearer_auth(&self.token)
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .body(body)
            .send()
            .map_err(|e| SyncError::Unreachable(short(&e)))?;
        let status = response.status();
        let bytes = response.bytes().map_err(|e| SyncError::Unreachable(short(&e)))?;
        self.received += bytes.len() as u64;
        if !status.is_success() {
            return Err(error_from_body(status.as_u16(), &bytes));
        }
        Ok(bytes.to_vec())
    }
}

fn short(e: &reqwest::Error) -> String {
    if e.is_connect() {
        "connection refused or no network".into()
    } else if e.is_timeout() {
        "timed out".into()
    } else {
        "connection broken".into()
    }
}

struct StoreAccess<'a> {
    store: &'a mut Store,
    staged: BTreeMap<DocId, AutoCommit>,
}

impl DocAccess for StoreAccess<'_> {
    fn ids(&self) -> Vec<DocId> {
        self.store.doc_ids().copied().collect()
    }

    fn get_mut(&mut self, id: &DocId) -> Option<&mut AutoCommit> {
        self.store.doc_mut(id)
    }

    fn get_or_stage(&mut self, id: &DocId) -> &mut AutoCommit {
        if self.store.doc(id).is_some() {
            return self.store.doc_mut(id).expect("checked just above");
        }
        self.staged.entry(*id).or_default()
    }

    fn saved_state(&self, id: &DocId) -> Option<Vec<u8>> {
        self.store.sync_state(id).ok().flatten()
    }

    fn agreed(&self) -> Option<Vec<ManifestEntry>> {
        // Unreadable means unknown: the server then sends its whole manifest, which is safe.
        let text = self.store.meta(AGREED_KEY).ok().flatten()?;
        serde_json::from_str(&text).ok()
    }
}

/// Store meta key of the set of documents and heads last agreed with the server.
const AGREED_KEY: &str = "sync_agreed";

impl StoreAccess<'_> {
    fn apply(&mut self, effect: Effect) -> Result<(), StoreError> {
        match effect {
            Effect::Persist { doc, state } => {
                match self.staged.remove(&doc) {
                    Some(new_doc) => self.store.create(doc, new_doc)?,
                    None => self.store.persist(&doc)?,
                }
                self.store.set_sync_state(&doc, &state)
            }
            Effect::Delete(doc) => self.store.remove(&doc),
            Effect::Agreed(entries) => {
                let text = serde_json::to_string(&entries).expect("manifest entries serialise");
                self.store.set_meta(&[(AGREED_KEY, &text)])
            }
        }
    }
}

/// One sync in progress, driven a step at a time so the caller may let go of the store while
/// a request is on the network (the tablet keeps saving visits meanwhile). Every effect of a
/// response is made durable before the next request is asked for, so a sync abandoned at any
/// point leaves the store consistent and the next one resumes.
pub struct SyncRun {
    session: ClientSession,
    staged: BTreeMap<DocId, AutoCommit>,
    request: Option<Request>,
    clock: i64,
}

impl std::fmt::Debug for SyncRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncRun")
            .field("clock", &self.clock)
            .field("request_waiting", &self.request.is_some())
            .field("staged", &self.staged.len())
            .finish_non_exhaustive()
    }
}

impl SyncRun {
    /// Starts a sync at device time `clock`.
    pub fn start(store: &mut Store, clock: i64) -> SyncRun {
        let mut access = StoreAccess { store, staged: BTreeMap::new() };
        let (session, request) = ClientSession::start(clock, &mut access);
        SyncRun { session, staged: access.staged, request: Some(request), clock }
    }

    /// The next request to send, once; `None` after the last answer.
    pub fn next_request(&mut self) -> Option<Vec<u8>> {
        self.request.take().map(|r| encode(&r))
    }

    /// Takes the server's answer to the last request and saves what it brought. Returns the
    /// outcome when the sync is over, `None` when [`SyncRun::next_request`] has another.
    pub fn on_response(
        &mut self,
        store: &mut Store,
        body: &[u8],
    ) -> Result<Option<Outcome>, SyncError> {
        let response = Response::decode(body).map_err(|e| SyncError::Protocol(e.to_string()))?;
        let mut access = StoreAccess { store, staged: std::mem::take(&mut self.staged) };
        let (step, effects) = self.session.on_response(response, &mut access);
        let applied = effects.into_iter().try_for_each(|effect| access.apply(effect));
        self.staged = access.staged;
        applied?;
        match step {
            Step::Send(next) => {
                self.request = Some(next);
                Ok(None)
            }
            Step::Done(outcome) => {
                if outcome.synced {
                    store.set_meta(&[("last_synced", &self.clock.to_string())])?;
                }
                Ok(Some(outcome))
            }
        }
    }
}

/// Runs one whole sync with the server at device time `clock`, holding the store throughout.
pub fn sync(
    store: &mut Store,
    transport: &mut dyn Transport,
    clock: i64,
) -> Result<Outcome, SyncError> {
    let mut run = SyncRun::start(store, clock);
    loop {
        let body = run.next_request().expect("a sync that is not over has a request");
        let answer = transport.send(body)?;
        if let Some(outcome) = run.on_response(store, &answer)? {
            return Ok(outcome);
        }
    }
}

fn encode(request: &Request) -> Vec<u8> {
    request.encode()
}

/// What enrolment returns.
#[derive(Clone, serde::Deserialize, serde::Serialize)]
pub struct Enrolment {
    /// The device id.
    pub device: String,
    /// The bearer token (kept in the store, never printed).
    pub token: String,
    /// The user id.
    pub user: String,
    /// Login.
    pub login: String,
    /// Display name.
    pub name: String,
    /// Role code.
    pub role: String,
    /// Division code.
    pub place: String,
}

impl std::fmt::Debug for Enrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Enrolment")
            .field("device", &self.device)
            .field("token", &"<redacted>")
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

/// Trades a one-time code for a device token and records the enrolment in the store.
pub fn enroll(store: &mut Store, server: &str, code: &str) -> Result<Enrolment, SyncError> {
    let server = server.trim();
    let url = reqwest::Url::parse(server).ok().filter(|u| matches!(u.scheme(), "http" | "https"));
    if url.is_none_or(|u| u.host().is_none()) {
        return Err(SyncError::BadAddress(server.to_string()));
    }
    let client = reqwest::blocking::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        .build()
        .expect("an HTTP client with timeouts builds");
    let url = format!("{}/api/enroll", server.trim_end_matches('/'));
    let response = client
        .post(url)
        .json(&serde_json::json!({ "code": code.trim() }))
        .send()
        .map_err(|e| SyncError::EnrolUnreachable(short(&e)))?;
    let status = response.status();
    let bytes = response.bytes().map_err(|e| SyncError::EnrolUnreachable(short(&e)))?;
    if !status.is_success() {
        return Err(error_from_body(status.as_u16(), &bytes));
    }
    let enrolment: Enrolment =
        serde_json::from_slice(&bytes).map_err(|e| SyncError::Protocol(e.to_string()))?;
    store.set_meta(&[
        ("server", server.trim_end_matches('/')),
        ("token", &enrolment.token),
        ("device", &enrolment.device),
        ("user", &enrolment.user),
        ("login", &enrolment.login),
        ("name", &enrolment.name),
        ("role", &enrolment.role),
        ("place", &enrolment.place),
    ])?;
    Ok(enrolment)
}
