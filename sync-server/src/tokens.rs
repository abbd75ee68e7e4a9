//! Secrets: device tokens and enrolment codes. Random, shown once, stored only as hashes, and
//! never logged.

use sha2::{Digest, Sha256};

/// A new device token: 32 random bytes as 64 hex digits.
pub fn new_token() -> String {
    hex::encode(peihu_shared::ids::random_bytes::<32>())
}

/// A new one-time enrolment code: 10 characters from an alphabet without look-alikes (no 0/O,
/// 1/I/L), easy to read aloud over the phone and type on a tablet.
pub fn new_enrolment_code() -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    peihu_shared::ids::random_bytes::<10>()
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect()
}

/// The SHA-256 of a secret, which is all the server keeps.
pub fn hash(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.trim().to_ascii_uppercase().as_bytes()).into()
}

/// Hash of a token as presented (tokens are lowercase hex; codes are case-insensitive).
pub fn hash_token(token: &str) -> [u8; 32] {
    Sha256::digest(token.trim().as_bytes()).into()
}
