//! `/api/blobs/{hash}`: resumable, verified photo uploads and scoped downloads.

use std::collections::BTreeSet;
use std::io::Read;

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use peihu_shared::ids::{BlobHash, DocId};
use peihu_shared::sync::server::Access;

use super::sync::authenticate;
use super::{ApiError, blocking};
use crate::blobs::{BlobError, UploadState};
use crate::storage::{AuditEvent, Storage};
use crate::{AppState, scope};

fn parse_hash(text: &str) -> Result<BlobHash, ApiError> {
    text.parse().map_err(|e: peihu_shared::ids::BlobHashError| ApiError::BadRequest(e.to_string()))
}

impl From<BlobError> for ApiError {
    fn from(e: BlobError) -> Self {
        match e {
            BlobError::Io(e) => {
                tracing::error!(error = %e, "blob storage failure");
                ApiError::Internal
            }
            other => ApiError::BadRequest(other.to_string()),
        }
    }
}

/// Whether the device may already see the stored file: it is linked to a document in the
/// device's scope (so the device could download it anyway).
fn visible(
    state: &AppState,
    hash: &BlobHash,
    in_scope: &BTreeSet<DocId>,
) -> Result<bool, ApiError> {
    let linked = state.storage.blob_docs(hash)?;
    Ok(linked.iter().any(|d| in_scope.contains(d)) && state.blobs.state(hash)?.complete)
}

/// `GET /api/blobs/{hash}/state`: complete if the device may see the stored file, else how
/// many bytes this device has sent. Whether the server holds a file the device may not see
/// is not told.
pub(super) async fn state(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(hash): Path<String>,
) -> Result<Json<UploadState>, ApiError> {
    let hash = parse_hash(&hash)?;
    blocking(move || {
        let device = authenticate(&state, &headers)?;
        let in_scope: BTreeSet<DocId> =
            state.storage.scope_manifest(&device.user)?.into_iter().map(|e| e.doc).collect();
        if visible(&state, &hash, &in_scope)? {
            return Ok(Json(state.blobs.state(&hash)?));
        }
        let held = state.blobs.held_from(&hash, &device.id.to_string())?;
        Ok(Json(UploadState { held, complete: false }))
    })
    .await
}

/// Query of an upload: which document the file is evidence for, where this piece starts, and
/// the whole file's size.
#[derive(Debug, serde::Deserialize)]
pub(super) struct UploadQuery {
    doc: String,
    offset: u64,
    total: u64,
}

/// Reads request body pieces handed over from the async side.
struct ChannelReader {
    rx: tokio::sync::mpsc::Receiver<Result<Bytes, std::io::Error>>,
    current: Bytes,
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.current.is_empty() {
            match self.rx.blocking_recv() {
                Some(Ok(bytes)) => self.current = bytes,
                Some(Err(e)) => return Err(e),
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current.split_to(n));
        Ok(n)
    }
}

pub(super) async fn upload(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(hash): Path<String>,
    Query(q): Query<UploadQuery>,
    body: Body,
) -> Result<Response, ApiError> {
    let hash = parse_hash(&hash)?;
    let doc: DocId = q
        .doc
        .parse()
        .map_err(|e: peihu_shared::ids::DocIdError| ApiError::BadRequest(e.to_string()))?;
    let st = state.clone();
    let (device, already) = blocking(move || {
        let device = authenticate(&st, &headers)?;
        let in_scope: BTreeSet<DocId> =
            st.storage.scope_manifest(&device.user)?.into_iter().map(|e| e.doc).collect();
        if scope::access(&device.user, &doc, &in_scope) != Access::Write {
            let audit = AuditEvent {
                device: Some(device.id),
                user: Some(device.user.id),
                event: "blob.refused.upload_out_of_scope".into(),
                doc: Some(doc),
            };
            st.storage.audit(&audit, st.now())?;
            return Err(ApiError::Forbidden);
        }
        // A file the device may already see can be linked to another of its documents
        // without sending it again; any other link waits for the bytes.
        if visible(&st, &hash, &in_scope)? {
            st.storage.add_blob_ref(&hash, &doc)?;
            return Ok((device.id, Some(st.blobs.state(&hash)?)));
        }
        Ok((device.id, None))
    })
    .await?;
    if let Some(done) = already {
        return Ok((StatusCode::CREATED, Json(done)).into_response());
    }

    let (tx, rx) = tokio::sync::mpsc::channel(8);
    let blobs = state.blobs.clone();
    let uploader = device.to_string();
    let writer = tokio::task::spawn_blocking(move || {
        let mut reader = ChannelReader { rx, current: Bytes::new() };
        blobs.append(&hash, &uploader, q.offset, q.total, &mut reader)
    });
    let mut stream = body.into_data_stream();
    while let Some(piece) = stream.next().await {
        let piece = piece.map_err(std::io::Error::other);
        let failed = piece.is_err();
        if tx.send(piece).await.is_err() || failed {
            break;
        }
    }
    drop(tx);
    let result = writer.await.map_err(|_| ApiError::Internal)?;
    match result {
        Ok(s) if s.complete => {
            // The bytes hashed to their id: the device has the photo, so it may link it.
            let st = state.clone();
            blocking(move || Ok(st.storage.add_blob_ref(&hash, &doc)?)).await?;
            Ok((StatusCode::CREATED, Json(s)).into_response())
        }
        Ok(s) => Ok((StatusCode::ACCEPTED, Json(s)).into_response()),
        Err(BlobError::Offset { held, .. }) => {
            Ok((StatusCode::CONFLICT, Json(UploadState { held, complete: false })).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn download(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(hash): Path<String>,
) -> Result<Response, ApiError> {
    let hash = parse_hash(&hash)?;
    blocking(move || {
        let device = authenticate(&state, &headers)?;
        let in_scope: BTreeSet<DocId> =
            state.storage.scope_manifest(&device.user)?.into_iter().map(|e| e.doc).collect();
        let referenced = state.storage.blob_docs(&hash)?;
        if !referenced.iter().any(|d| in_scope.contains(d)) {
            let audit = AuditEvent {
                device: Some(device.id),
                user: Some(device.user.id),
                event: "blob.refused.out_of_scope".into(),
                doc: None,
            };
            state.storage.audit(&audit, state.now())?;
            return Err(ApiError::Forbidden);
        }
        let bytes = state.blobs.read(&hash)?.ok_or(ApiError::NotFound)?;
        Ok(([(header::CONTENT_TYPE, "image/jpeg")], bytes).into_response())
    })
    .await
}
