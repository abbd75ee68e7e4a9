//! Photo and signature files, kept on the filesystem by content hash, behind a trait so an
//! object store can follow.
//!
//! Uploads are resumable: bytes are appended to `<hash>.<uploader>.part` as they arrive, so a
//! connection cut mid-request keeps what reached the server and the device resumes from there.
//! A file is accepted only when its SHA-256 equals the hash it was announced under; then it is
//! renamed into place, so a reader never sees a half-written file. Each uploader has its own
//! partial file and sends every byte even when the server already holds the file: sending the
//! bytes is how a device proves it has the photo, so knowing a hash alone gets nobody a link
//! to it.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use peihu_shared::ids::BlobHash;
use sha2::{Digest, Sha256};

/// Largest file accepted: normalised photos are far smaller; this bounds a misbehaving client.
pub const MAX_BLOB_BYTES: u64 = 30 * 1024 * 1024;

/// Why a blob operation failed.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    /// The filesystem failed.
    #[error("file storage failed: {0}")]
    Io(#[from] std::io::Error),
    /// The upload does not continue where the server's copy ends.
    #[error("upload offset {given} does not match the {held} bytes already held")]
    Offset {
        /// Offset the client sent.
        given: u64,
        /// Bytes the server holds.
        held: u64,
    },
    /// The finished file does not hash to its announced id.
    #[error("the uploaded file does not match its id (hash mismatch); it was discarded")]
    HashMismatch,
    /// More bytes than the announced total or the limit.
    #[error("the upload is larger than announced or than the {MAX_BLOB_BYTES}-byte limit")]
    TooLarge,
}

/// Where an upload stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UploadState {
    /// Bytes held so far (the whole size once complete).
    pub held: u64,
    /// Whether the file is complete and verified.
    pub complete: bool,
}

/// Storage of content-addressed files.
pub trait BlobStore: Send + Sync + 'static {
    /// Whether the complete file of `hash` is held, and its size.
    fn state(&self, hash: &BlobHash) -> Result<UploadState, BlobError>;
    /// Bytes of `hash` that `uploader` has sent so far.
    fn held_from(&self, hash: &BlobHash, uploader: &str) -> Result<u64, BlobError>;
    /// Appends bytes `uploader` sent at `offset`; when `total` bytes are held, verifies them
    /// and completes (keeping the copy already stored, if any). Bytes that arrived before a
    /// read error are kept.
    fn append(
        &self,
        hash: &BlobHash,
        uploader: &str,
        offset: u64,
        total: u64,
        body: &mut dyn Read,
    ) -> Result<UploadState, BlobError>;
    /// The complete file's bytes.
    fn read(&self, hash: &BlobHash) -> Result<Option<Vec<u8>>, BlobError>;
    /// Re-hashes every complete file; returns those that no longer match.
    fn verify_all(&self) -> Result<(usize, Vec<BlobHash>), BlobError>;
}

/// Files under `<data>/blobs/`.
#[derive(Debug)]
pub struct FsBlobStore {
    root: PathBuf,
}

impl FsBlobStore {
    /// Opens (creating) the blob folder in the data directory.
    pub fn open(data: &Path) -> Result<FsBlobStore, BlobError> {
        let root = data.join("blobs");
        fs::create_dir_all(root.join("partial"))?;
        Ok(FsBlobStore { root })
    }

    fn final_path(&self, hash: &BlobHash) -> PathBuf {
        let text = hash.to_string();
        self.root.join(&text[..2]).join(text)
    }

    fn part_path(&self, hash: &BlobHash, uploader: &str) -> PathBuf {
        let uploader: String = uploader.chars().filter(char::is_ascii_alphanumeric).collect();
        self.root.join("partial").join(format!("{hash}.{uploader}.part"))
    }
}

fn hash_file(path: &Path) -> Result<BlobHash, BlobError> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(BlobHash::from_digest(hasher.finalize().into()))
}

impl BlobStore for FsBlobStore {
    fn state(&self, hash: &BlobHash) -> Result<UploadState, BlobError> {
        match fs::metadata(self.final_path(hash)) {
            Ok(meta) => Ok(UploadState { held: meta.len(), complete: true }),
            Err(_) => Ok(UploadState { held: 0, complete: false }),
        }
    }

    fn held_from(&self, hash: &BlobHash, uploader: &str) -> Result<u64, BlobError> {
        Ok(fs::metadata(self.part_path(hash, uploader)).map(|m| m.len()).unwrap_or(0))
    }

    fn append(
        &self,
        hash: &BlobHash,
        uploader: &str,
        offset: u64,
        total: u64,
        body: &mut dyn Read,
    ) -> Result<UploadState, BlobError> {
        if total > MAX_BLOB_BYTES {
            return Err(BlobError::TooLarge);
        }
        let before = self.held_from(hash, uploader)?;
        if offset != before {
            return Err(BlobError::Offset { given: offset, held: before });
        }
        let part = self.part_path(hash, uploader);
        let mut file = OpenOptions::new().create(true).append(true).open(&part)?;
        let mut held = before;
        let mut buf = vec![0u8; 64 * 1024];
        let read_error = loop {
            match body.read(&mut buf) {
                Ok(0) => break None,
                Ok(n) => {
                    if held + n as u64 > total {
                        drop(file);
                        fs::remove_file(&part)?;
                        return Err(BlobError::TooLarge);
                    }
                    file.write_all(&buf[..n])?;
                    held += n as u64;
                }
                Err(e) => break Some(e),
            }
        };
        file.sync_all()?;
        drop(file);
        if let Some(e) = read_error {
            // What arrived is kept; the device resumes from `held`.
            return Err(BlobError::Io(e));
        }
        if held < total {
            return Ok(UploadState { held, complete: false });
        }
        if hash_file(&part)? != *hash {
            fs::remove_file(&part)?;
            return Err(BlobError::HashMismatch);
        }
        let target = self.final_path(hash);
        if target.exists() {
            fs::remove_file(&part)?;
        } else {
            fs::create_dir_all(target.parent().expect("blob paths have a parent"))?;
            fs::rename(&part, &target)?;
        }
        Ok(UploadState { held, complete: true })
    }

    fn read(&self, hash: &BlobHash) -> Result<Option<Vec<u8>>, BlobError> {
        match fs::read(self.final_path(hash)) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    fn verify_all(&self) -> Result<(usize, Vec<BlobHash>), BlobError> {
        let mut checked = 0;
        let mut bad = Vec::new();
        for dir in fs::read_dir(&self.root)? {
            let dir = dir?;
            if dir.file_name() == "partial" || !dir.file_type()?.is_dir() {
                continue;
            }
            for entry in fs::read_dir(dir.path())? {
                let entry = entry?;
                let name = entry.file_name().to_string_lossy().to_string();
                checked += 1;
                match name.parse::<BlobHash>() {
                    Ok(expected) if hash_file(&entry.path())? == expected => {}
                    Ok(expected) => bad.push(expected),
                    Err(_) => {}
                }
            }
        }
        Ok((checked, bad))
    }
}
