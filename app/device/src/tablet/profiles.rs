//! The people who use one shared tablet: one profile per enrolled user, unlocked with a PIN.
//!
//! Each user has their own store under `users/<user id>/`, so what one user may see never sits
//! in another's store. `profiles.json` lists them with a salted, iterated SHA-256 of the PIN.
//! The PIN keeps colleagues out of each other's screens; it does not encrypt the disk.
//! TODO(#4): encrypt each user's store with a key derived from the PIN, and lock out after
//! repeated wrong PINs.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::TabletError;

const ROUNDS: u32 = 20_000;

/// One user of this tablet.
#[derive(Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Profile {
    /// User id.
    pub user: String,
    /// Login.
    pub login: String,
    /// Display name.
    pub name: String,
    /// `helper` or `escort` (or another role code).
    pub role: String,
    /// Division code.
    pub place: String,
    /// Hex salt.
    salt: String,
    /// Hex hash of the PIN.
    pin_hash: String,
}

impl std::fmt::Debug for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Profile")
            .field("user", &self.user)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

/// What the unlock screen may show about a profile.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ProfileView {
    /// User id.
    pub user: String,
    /// Display name.
    pub name: String,
    /// Role code.
    pub role: String,
}

impl Profile {
    /// A profile whose PIN is `pin`.
    pub fn new(user: &str, login: &str, name: &str, role: &str, place: &str, pin: &str) -> Profile {
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).expect("the system random source works");
        let salt = hex::encode(salt);
        let pin_hash = hash_pin(&salt, pin);
        Profile {
            user: user.into(),
            login: login.into(),
            name: name.into(),
            role: role.into(),
            place: place.into(),
            salt,
            pin_hash,
        }
    }

    /// Whether `pin` is this profile's PIN.
    pub fn check_pin(&self, pin: &str) -> bool {
        hash_pin(&self.salt, pin) == self.pin_hash
    }

    /// The public part.
    pub fn view(&self) -> ProfileView {
        ProfileView { user: self.user.clone(), name: self.name.clone(), role: self.role.clone() }
    }
}

fn hash_pin(salt: &str, pin: &str) -> String {
    let mut digest = Sha256::digest(format!("{salt}:{pin}").as_bytes());
    for _ in 0..ROUNDS {
        digest = Sha256::digest(digest);
    }
    hex::encode(digest)
}

/// Checks a new PIN: 4 to 8 digits.
pub fn validate_pin(pin: &str) -> Result<(), TabletError> {
    if (4..=8).contains(&pin.len()) && pin.chars().all(|c| c.is_ascii_digit()) {
        Ok(())
    } else {
        Err(TabletError::new("bad_pin", "the PIN must be 4 to 8 digits"))
    }
}

fn file(data: &Path) -> PathBuf {
    data.join("profiles.json")
}

/// Every profile on the tablet.
pub fn load(data: &Path) -> Result<Vec<Profile>, TabletError> {
    match std::fs::read(file(data)) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map_err(|e| TabletError::new("storage", format!("profiles.json is unreadable: {e}"))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(e.into()),
    }
}

/// Replaces the profile list durably (write, sync, rename).
pub fn save(data: &Path, profiles: &[Profile]) -> Result<(), TabletError> {
    let bytes = serde_json::to_vec_pretty(profiles).expect("profiles serialise");
    super::write_durably(&file(data), &bytes)
}
