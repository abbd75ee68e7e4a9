//! Signatures on the tablet: stored by hash in the user's folder, sent after each sync by the
//! same resumable uploader as photos, and queued until the server holds them.
//!
//! `blobs/<hash>` is the file; `blobs/<hash>.doc` names the document it is evidence for and is
//! removed once the server has the whole file.

use std::path::{Path, PathBuf};

use peihu_shared::ids::{BlobHash, DocId};

use super::TabletError;
use crate::photos::PendingUpload;

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

/// Signatures not yet confirmed by the server, ready for the photo uploader.
pub fn pending(user_dir: &Path) -> Result<Vec<PendingUpload>, TabletError> {
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
        out.push(PendingUpload {
            doc: std::fs::read_to_string(&path)?.trim().to_string(),
            path: dir(user_dir).join(hash.to_string()),
            hash,
        });
    }
    Ok(out)
}

/// Forgets that a signature waits: the server holds all of it.
pub fn confirm(user_dir: &Path, hash: &BlobHash) -> Result<(), TabletError> {
    std::fs::remove_file(dir(user_dir).join(format!("{hash}.doc")))?;
    Ok(())
}
