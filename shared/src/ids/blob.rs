//! Content addresses of photos and other evidence files.

use std::fmt;
use std::str::FromStr;

/// The SHA-256 of a stored file's bytes; the file's identity everywhere.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BlobHash([u8; 32]);

/// Why a blob hash could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BlobHashError {
    /// Not 64 lowercase hex digits.
    #[error("photo id must be 64 hex digits (a SHA-256), got \"{0}\"")]
    Malformed(String),
}

impl BlobHash {
    /// Hashes bytes.
    pub fn of(bytes: &[u8]) -> Self {
        use sha2::Digest;
        BlobHash(sha2::Sha256::digest(bytes).into())
    }

    /// Wraps a digest computed elsewhere (e.g. incrementally while streaming).
    pub const fn from_digest(digest: [u8; 32]) -> Self {
        BlobHash(digest)
    }

    /// The raw digest.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl FromStr for BlobHash {
    type Err = BlobHashError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut out = [0u8; 32];
        if s.len() != 64 || s.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(BlobHashError::Malformed(s.chars().take(80).collect()));
        }
        hex::decode_to_slice(s, &mut out).map_err(|_| BlobHashError::Malformed(s.to_string()))?;
        Ok(BlobHash(out))
    }
}

impl fmt::Display for BlobHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for BlobHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BlobHash({self})")
    }
}

impl serde::Serialize for BlobHash {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for BlobHash {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl autosurgeon::Reconcile for BlobHash {
    type Key<'a> = autosurgeon::reconcile::NoKey;

    fn reconcile<R: autosurgeon::Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
        // Stored as the raw 32 bytes: half the size of the hex text in every saved document.
        r.bytes(self.0)
    }
}

impl autosurgeon::Hydrate for BlobHash {
    fn hydrate_bytes(bytes: &[u8]) -> Result<Self, autosurgeon::HydrateError> {
        let digest: [u8; 32] = bytes.try_into().map_err(|_| {
            autosurgeon::HydrateError::unexpected(
                "32-byte SHA-256",
                format!("{} bytes", bytes.len()),
            )
        })?;
        Ok(BlobHash(digest))
    }
}
