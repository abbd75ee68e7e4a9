//! Photos on the device: normalised and kept by content hash beside the store, attached to
//! records, and uploaded separately from document sync in small resumable pieces.
//!
//! A visit whose photo has not reached the server yet is shown as "photo pending": the document
//! already names the photo's hash, and the file follows when the network allows.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use peihu_photo::{Limits, Normalised, PhotoError};
use peihu_shared::ids::{BlobHash, DocId, RecordId, VisitId};
use peihu_shared::model::{PhotoFacts, Provenance, VisitAmendment};

use crate::store::PhotoRow;
use crate::sync::{SyncError, error_from_body};
use crate::{Store, StoreError};

/// Size of one upload request's body. Small enough that a connection cut loses little, large
/// enough that headers stay a small share of the bytes sent.
pub const UPLOAD_PIECE: usize = 16 * 1024;

/// How many failed requests one photo may meet in a single upload run before it waits for the
/// next sync.
const MAX_FAILURES_PER_PHOTO: u32 = 200;

/// Why a photo could not be attached.
#[derive(Debug, thiserror::Error)]
pub enum AttachError {
    /// The file could not be read.
    #[error("the photo file could not be read: {0}")]
    Read(std::io::Error),
    /// The photo was refused; nothing was stored.
    #[error("{0}")]
    Photo(#[from] PhotoError),
    /// Writing the photo failed; nothing was recorded.
    #[error("the photo could not be saved on this device: {0}")]
    Write(std::io::Error),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No visit with that id on this device.
    #[error("visit {0} is not on this device")]
    UnknownVisit(VisitId),
}

impl AttachError {
    /// Stable code for the UI and scripts.
    pub fn code(&self) -> &'static str {
        match self {
            AttachError::Read(_) => "photo_unreadable_file",
            AttachError::Photo(e) => e.code(),
            AttachError::Write(_) | AttachError::Store(_) => "storage",
            AttachError::UnknownVisit(_) => "unknown_visit",
        }
    }
}

/// The folder photos live in, beside the store file.
pub fn photo_dir(store: &Store) -> PathBuf {
    store.path().parent().unwrap_or(Path::new(".")).join("photos")
}

/// The stored JPEG of a photo.
pub fn photo_path(store: &Store, hash: &BlobHash) -> PathBuf {
    photo_dir(store).join(format!("{hash}.jpg"))
}

fn write_durably(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    let mut file = fs::File::create(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent() {
        fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

/// Normalises `bytes` and keeps the result as evidence for `doc`. The same photo attached
/// twice is stored once. Returns the normalised photo (its `sha256` is its id).
pub fn keep_photo(store: &mut Store, doc: DocId, bytes: &[u8]) -> Result<Normalised, AttachError> {
    let photo = peihu_photo::normalise(bytes, &Limits::default())?;
    let hash: BlobHash = photo.sha256.parse().expect("normalise returns a SHA-256 in hex");
    let dir = photo_dir(store);
    fs::create_dir_all(&dir).map_err(AttachError::Write)?;
    let path = photo_path(store, &hash);
    if !path.exists() {
        write_durably(&path, &photo.jpeg).map_err(AttachError::Write)?;
        write_durably(&dir.join(format!("{hash}.thumb.jpg")), &photo.thumbnail)
            .map_err(AttachError::Write)?;
    }
    store.add_photo(&PhotoRow {
        hash: hash.to_string(),
        doc_id: doc.to_string(),
        size: photo.jpeg.len() as i64,
        width: i64::from(photo.width),
        height: i64::from(photo.height),
        captured_at: capture_time(&photo),
        lat: photo.gps.as_ref().map(|g| g.lat),
        lon: photo.gps.as_ref().map(|g| g.lon),
        uploaded: false,
    })?;
    Ok(photo)
}

/// The camera's capture time as `YYYY-MM-DDTHH:MM:SS`, when it could be read.
fn capture_time(photo: &Normalised) -> Option<String> {
    let local = photo.captured_at.as_ref()?.local?;
    Some(local.format("%Y-%m-%dT%H:%M:%S").to_string())
}

/// What a record keeps about a normalised photo: validated capture time and place, and what
/// was dropped.
pub fn facts_of(photo: &Normalised) -> PhotoFacts {
    PhotoFacts {
        photo: photo.sha256.parse().expect("normalise returns a SHA-256 in hex"),
        taken_at: capture_time(photo),
        lat_u: photo.gps.as_ref().map(|g| micro_degrees(g.lat)),
        lon_u: photo.gps.as_ref().map(|g| micro_degrees(g.lon)),
        dropped: photo.notes.iter().map(|n| n.code()).collect(),
    }
}

/// The facts of a photo kept on this device, from its row (what was dropped is not kept
/// there); `None` when the camera recorded neither time nor place.
pub fn facts_of_kept(store: &Store, hash: &BlobHash) -> Result<Option<PhotoFacts>, StoreError> {
    let Some(row) = store.photo(&hash.to_string())? else {
        return Ok(None);
    };
    if row.captured_at.is_none() && row.lat.is_none() {
        return Ok(None);
    }
    Ok(Some(PhotoFacts {
        photo: *hash,
        taken_at: row.captured_at,
        lat_u: row.lat.map(micro_degrees),
        lon_u: row.lon.map(micro_degrees),
        dropped: Vec::new(),
    }))
}

fn micro_degrees(degrees: f64) -> i32 {
    (degrees * 1e6).round() as i32
}

/// Attaches a kept photo to a signed-off visit, as an amendment that adds it.
pub fn attach_to_visit(
    store: &mut Store,
    visit: VisitId,
    bytes: &[u8],
    prov: &Provenance,
) -> Result<Normalised, AttachError> {
    let case = find_visit(store, visit).ok_or(AttachError::UnknownVisit(visit))?;
    let photo = keep_photo(store, case, bytes)?;
    let hash: BlobHash = photo.sha256.parse().expect("normalise returns a SHA-256 in hex");
    let amendment = VisitAmendment {
        prov: prov.clone(),
        reason: "添加照片 photo added".into(),
        vitals: None,
        notes: None,
        add_photos: Some(vec![hash]),
        photo_facts: Some(vec![facts_of(&photo)]),
    };
    store.edit(&case, |d| {
        peihu_shared::doc::amend_visit(d, visit, RecordId::new_random(), &amendment)
    })?;
    Ok(photo)
}

fn find_visit(store: &Store, visit: VisitId) -> Option<DocId> {
    let key = visit.to_string();
    store.docs().find_map(|(id, d)| {
        let DocId::Case(_) = id else { return None };
        let visits = match automerge::ReadDoc::get(d, automerge::ROOT, "visits") {
            Ok(Some((_, obj))) => obj,
            _ => return None,
        };
        matches!(automerge::ReadDoc::get(d, &visits, key.as_str()), Ok(Some(_))).then_some(*id)
    })
}

/// What an upload run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct UploadReport {
    /// Photos now on the server.
    pub uploaded: usize,
    /// Photos still waiting.
    pub pending: usize,
    /// Photo bytes put on the wire (bodies only).
    pub bytes_sent: u64,
    /// Requests made.
    pub requests: u64,
}

#[derive(serde::Deserialize)]
struct UploadState {
    held: u64,
    complete: bool,
}

/// A photo waiting to go to the server, with all its upload needs but the store.
#[derive(Debug, Clone)]
pub struct PendingUpload {
    /// The photo.
    pub hash: BlobHash,
    /// The document it is evidence for.
    pub doc: String,
    /// Its stored file.
    pub path: std::path::PathBuf,
}

/// The photos the server does not hold yet.
pub fn pending_uploads(store: &Store) -> Result<Vec<PendingUpload>, SyncError> {
    Ok(store
        .pending_photos()?
        .into_iter()
        .filter_map(|row| {
            let hash: BlobHash = row.hash.parse().ok()?;
            Some(PendingUpload { path: photo_path(store, &hash), hash, doc: row.doc_id })
        })
        .collect())
}

/// Sends photos to the store's server; holds no store, so the caller need not either.
#[derive(Debug)]
pub struct Uploader {
    client: reqwest::blocking::Client,
    base: String,
    token: String,
}

impl Uploader {
    /// An uploader for the server and token the store was enrolled with.
    pub fn for_store(store: &Store) -> Result<Uploader, SyncError> {
        let server = store.meta("server")?.ok_or(SyncError::NotEnrolled)?;
        let token = store.meta("token")?.ok_or(SyncError::NotEnrolled)?;
        let client = reqwest::blocking::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .build()
            .expect("an HTTP client with timeouts builds");
        Ok(Uploader { client, base: format!("{}/api/blobs", server.trim_end_matches('/')), token })
    }

    /// Sends one photo, resuming from what the server holds. `Ok(true)` once the server has
    /// all of it, `Ok(false)` if it must wait for another run; an error only for a device the
    /// server no longer accepts (revoked, suspended, unknown).
    pub fn send(&self, item: &PendingUpload, report: &mut UploadReport) -> Result<bool, SyncError> {
        let Ok(bytes) = fs::read(&item.path) else { return Ok(false) };
        match upload_one(
            &self.client,
            &self.base,
            &self.token,
            &item.doc,
            &item.hash,
            &bytes,
            report,
        ) {
            Ok(done) => Ok(done),
            Err(
                e @ (SyncError::Revoked | SyncError::AgencySuspended | SyncError::UnknownToken),
            ) => Err(e),
            Err(_) => Ok(false),
        }
    }
}

/// Uploads every photo the server does not hold yet, resuming each from what the server
/// already has. A photo that meets too many failures waits for the next run; the others go on.
pub fn upload_pending(store: &mut Store) -> Result<UploadReport, SyncError> {
    let uploader = Uploader::for_store(store)?;
    let mut report = UploadReport::default();
    for item in pending_uploads(store)? {
        if uploader.send(&item, &mut report)? {
            store.mark_photo_uploaded(&item.hash.to_string())?;
            report.uploaded += 1;
        } else {
            report.pending += 1;
        }
    }
    Ok(report)
}

fn upload_one(
    client: &reqwest::blocking::Client,
    base: &str,
    token: &str,
    doc: &str,
    hash: &BlobHash,
    bytes: &[u8],
    report: &mut UploadReport,
) -> Result<bool, SyncError> {
    let total = bytes.len() as u64;
    let mut failures = 0;
    let mut held: Option<u64> = None;
    while failures < MAX_FAILURES_PER_PHOTO {
        let offset = match held {
            Some(h) => h,
            None => {
                report.requests += 1;
                match query_state(client, base, token, hash) {
                    Ok(s) if s.complete => return Ok(true),
                    Ok(s) => s.held,
                    Err(SyncError::Unreachable(_)) => {
                        failures += 1;
                        continue;
                    }
                    Err(e) => return Err(e),
                }
            }
        };
        let end = (offset as usize + UPLOAD_PIECE).min(bytes.len());
        let piece = bytes[offset as usize..end].to_vec();
        report.requests += 1;
        report.bytes_sent += piece.len() as u64;
        let sent = client
            .put(format!("{base}/{hash}"))
            .query(&[("doc", doc), ("offset", &offset.to_string()), ("total", &total.to_string())])
            .bearer_auth(token)
            .body(piece)
            .send();
        match sent {
            Ok(resp) if resp.status().is_success() || resp.status().as_u16() == 409 => {
                let status = resp.status().as_u16();
                match resp.json::<UploadState>() {
                    Ok(s) if s.complete => return Ok(true),
                    Ok(s) if status != 409 => held = Some(s.held),
                    _ => held = None,
                }
            }
            Ok(resp) => {
                let status = resp.status().as_u16();
                let body = resp.bytes().unwrap_or_default();
                let err = error_from_body(status, &body);
                if matches!(
                    err,
                    SyncError::Revoked | SyncError::AgencySuspended | SyncError::UnknownToken
                ) {
                    return Err(err);
                }
                failures += 1;
                held = None;
            }
            Err(_) => {
                failures += 1;
                held = None;
            }
        }
    }
    Ok(false)
}

fn query_state(
    client: &reqwest::blocking::Client,
    base: &str,
    token: &str,
    hash: &BlobHash,
) -> Result<UploadState, SyncError> {
    let resp = client
        .get(format!("{base}/{hash}/state"))
        .bearer_auth(token)
        .send()
        .map_err(|_| SyncError::Unreachable("connection broken".into()))?;
    let status = resp.status().as_u16();
    if !resp.status().is_success() {
        let body = resp.bytes().unwrap_or_default();
        return Err(error_from_body(status, &body));
    }
    resp.json().map_err(|_| SyncError::Unreachable("connection broken".into()))
}
