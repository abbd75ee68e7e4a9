//! Photos and signatures on the tablet: stored by hash in the user's folder, uploaded to the
//! server after each sync, and queued until the upload is confirmed.
//!
//! `blobs/<hash>` is the file; `blobs/<hash>.doc` names the document it is evidence for and is
//! removed once the server has the whole file.

use std::path::{Path, PathBuf};
use std::time::Duration;

use peihu_shared::ids::{BlobHash, DocId};

use super::TabletError;
use crate::sync::SyncError;

fn dir(user_dir: &Path) -> PathBuf {
    user_dir.join("blobs")
}

/// Keeps `bytes` as evidence for `doc` and queues the upload. Returns the hash.
pub fn put(user_dir: &Path, bytes: &[u8], doc: &DocId) -> Result<BlobHash, TabletError> {
    let hash = BlobHash::of(bytes);
    let dir = dir(user_dir);
    std::fs::create_dir_all(&dir)?;
    super::write_durably(&dir.join(hash.to_string()), bytes)?;
    super::write_durably(&dir.join(format!("{hash}.doc")), doc.to_string().as_bytes())?;
    Ok(hash)
}

/// Hashes of files not yet confirmed by the server, with their document.
pub fn pending(user_dir: &Path) -> Result<Vec<(BlobHash, String)>, TabletError> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir(user_dir)) else {
        return Ok(out);
    };
    for entry in entries {
        let path = entry?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some(hash) = name.strip_suffix(".doc").and_then(|h| h.parse::<BlobHash>().ok()) else {
            continue;
        };
        out.push((hash, std::fs::read_to_string(&path)?.trim().to_string()));
    }
    Ok(out)
}

/// Uploads one pending file whole and, once the server holds it, forgets that it waits.
pub fn upload_one(
    user_dir: &Path,
    server: &str,
    token: &str,
    hash: &BlobHash,
    doc: &str,
) -> Result<(), TabletError> {
    let client = reqwest::blocking::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(120))
        .build()
        .expect("an HTTP client with timeouts builds");
    let bytes = std::fs::read(dir(user_dir).join(hash.to_string()))?;
    let url = format!("{}/api/blobs/{hash}", server.trim_end_matches('/'));
    let response = client
        .put(url)
        .bearer_auth(token)
        .query(&[("doc", doc)])
        .query(&[("offset", 0), ("total", bytes.len() as u64)])
        .body(bytes)
        .send()
        .map_err(|_| TabletError::new("unreachable", "signatures could not be uploaded yet"))?;
    let status = response.status().as_u16();
    // 409 means the server already holds some of it: ask again next time from scratch.
    if status == 201 || status == 200 {
        std::fs::remove_file(dir(user_dir).join(format!("{hash}.doc")))?;
        Ok(())
    } else {
        let body = response.bytes().unwrap_or_default();
        let error = crate::sync::error_from_body(status, &body);
        match error {
            SyncError::Revoked | SyncError::AgencySuspended | SyncError::UnknownToken => {
                Err(error.into())
            }
            _ => Err(TabletError::new(
                "upload_refused",
                format!("the server refused a signature ({status})"),
            )),
        }
    }
}
