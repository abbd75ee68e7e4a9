//! `POST /api/sync`: one round of the sync engine, authenticated and scoped.

use std::collections::{BTreeMap, BTreeSet};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use peihu_shared::ids::DocId;
use peihu_shared::sync::server::{self, Access, ServerDoc, ServerEffect};
use peihu_shared::sync::wire::{Baseline, DocMessage, Request, Response, set_digest};

use super::{ApiError, blocking};
use crate::storage::{AuditEvent, Device, LoadedDoc, Storage};
use crate::{AppState, scope, tokens};

/// Finds the device a request's bearer token belongs to, refusing revoked devices and
/// suspended agencies (both audited).
pub(crate) fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Device, ApiError> {
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(ApiError::UnknownToken)?;
    let device =
        state.storage.device_by_token(&tokens::hash_token(token))?.ok_or(ApiError::UnknownToken)?;
    let refusal = if device.revoked {
        Some((ApiError::DeviceRevoked, "sync.refused.revoked"))
    } else if device.agency_suspended {
        Some((ApiError::AgencySuspended, "sync.refused.agency_suspended"))
    } else {
        None
    };
    if let Some((error, event)) = refusal {
        let audit = AuditEvent {
            device: Some(device.id),
            user: Some(device.user.id),
            event: event.into(),
            doc: None,
        };
        state.storage.audit(&audit, state.now())?;
        tracing::warn!(device = %device.id, code = error.code(), "device refused");
        return Err(error);
    }
    Ok(device)
}

pub(super) async fn sync(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Vec<u8>, ApiError> {
    blocking(move || {
        let device = authenticate(&state, &headers)?;
        let request = Request::decode(&body).map_err(|e| ApiError::BadRequest(e.to_string()))?;
        let response = match request {
            Request::Summary { clock, digest, since } => {
                summary(&state, &device, clock, digest, since.as_ref())?
            }
            Request::Exchange { clock: _, messages, deleted } => {
                state.storage.forget_device_docs(device.id, &deleted)?;
                exchange(&state, &device, messages)?
            }
        };
        Ok(response.encode())
    })
    .await
}

fn summary(
    state: &AppState,
    device: &Device,
    clock: i64,
    digest: [u8; 16],
    since: Option<&Baseline>,
) -> Result<Response, ApiError> {
    let now = state.now();
    let drift = clock.saturating_sub(now);
    state.storage.note_sync(device.id, now, drift)?;
    let flagged = server::clock_flagged(clock, now);
    if flagged {
        tracing::warn!(device = %device.id, drift_ms = drift, "device clock is off");
    }
    let scope = state.storage.scope_manifest(&device.user)?;
    let stale = state.storage.stale_device_docs(device.id, &scope)?;
    let agreed = state.storage.agreed_set(device.id)?;
    let response = server::answer_summary(digest, since, &agreed, &scope, stale, flagged);
    if matches!(response, Response::InSync { .. })
        && set_digest(agreed.iter().map(|e| (&e.doc, e.heads))) != digest
    {
        state.storage.replace_agreed(device.id, &scope)?;
    }
    Ok(response)
}

fn exchange(
    state: &AppState,
    device: &Device,
    messages: Vec<DocMessage>,
) -> Result<Response, ApiError> {
    let now = state.now();
    let in_scope: BTreeSet<DocId> =
        state.storage.scope_manifest(&device.user)?.into_iter().map(|e| e.doc).collect();
    let mut docs = BTreeMap::new();
    let mut seen = BTreeMap::new();
    for m in &messages {
        if docs.contains_key(&m.doc) {
            continue;
        }
        let loaded = state.storage.load_doc(&m.doc);
        let (doc, exists, seq) = match loaded {
            Ok(Some(l)) => (l.doc, true, l.seen),
            Ok(None) => (automerge::AutoCommit::new(), false, 0),
            // One unreadable document must not stop the others: it is refused below.
            Err(e) => {
                tracing::error!(error = %e, "stored document unreadable");
                continue;
            }
        };
        let state_bytes = state.storage.sync_state(device.id, &m.doc)?;
        let sync_state =
            state_bytes.and_then(|b| automerge::sync::State::decode(&b).ok()).unwrap_or_default();
        let access =
            if exists { scope::access(&device.user, &m.doc, &in_scope) } else { Access::None };
        docs.insert(m.doc, ServerDoc { doc, exists, state: sync_state, access });
        seen.insert(m.doc, seq);
    }
    let user = device.user.clone();
    let (response, effects) =
        server::answer_exchange(messages, &mut docs, &|h| scope::may_create(&user, h), &|h| {
            scope::may_keep(&user, h)
        });
    let mut refusals = 0usize;
    for effect in effects {
        match effect {
            ServerEffect::StoreChanges { doc, changes, header, .. } => {
                let sd = docs.get_mut(&doc).expect("effects name loaded documents");
                let mut loaded = LoadedDoc {
                    doc: std::mem::take(&mut sd.doc),
                    seen: seen.get(&doc).copied().unwrap_or(0),
                    header: None,
                };
                state.storage.append_changes(
                    &doc,
                    &mut loaded,
                    &changes,
                    &header,
                    Some(device.id),
                    now,
                )?;
                crate::console::summary::refresh_quietly(&state.storage, &doc, &mut loaded.doc);
            }
            ServerEffect::StoreState { doc, state: bytes } => {
                state.storage.set_sync_state(device.id, &doc, &bytes)?;
            }
            ServerEffect::Agreed { doc, heads } => {
                state.storage.set_agreed(device.id, &doc, &heads)?;
            }
            ServerEffect::Refused(refusal) => {
                refusals += 1;
                let event = format!("sync.refused.{:?}", refusal.reason).to_lowercase();
                let audit = AuditEvent {
                    device: Some(device.id),
                    user: Some(device.user.id),
                    event,
                    doc: Some(refusal.doc),
                };
                state.storage.audit(&audit, now)?;
            }
        }
    }
    if refusals > 0 {
        tracing::warn!(device = %device.id, refusals, "documents refused");
    }
    Ok(response)
}
