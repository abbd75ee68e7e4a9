//! The tablet app's API as plain functions: several users on one tablet, each unlocked with a
//! PIN and holding their own store; duty list, cards, visit drafts and visits; escort episodes;
//! sync with an always-available status. Nothing here knows about Tauri: the shell wraps each
//! method in a command, and the tests call them directly.
//!
//! Layout of the data folder: `profiles.json` (who uses this tablet), `users/<user id>/` with
//! `device.sqlite` (that user's documents, drafts and sync facts) and `blobs/` (photos and
//! signatures by hash).

pub mod blobs;
pub mod drafts;
mod error;
pub mod profiles;
pub mod status;
mod submit;
pub mod syncing;
pub mod views;

use std::io::Write;
use std::path::{Path, PathBuf};

use peihu_shared::ids::{DeviceId, UserId};
use peihu_shared::model::Provenance;

pub use error::TabletError;
pub use profiles::{Profile, ProfileView};
pub use status::SyncStatus;
pub use submit::{StepInput, VisitSubmission};
pub use syncing::{FileUpload, SyncJob, SyncProgress};

use crate::Store;
use crate::field::{self, DutyRow};
use crate::sync;

/// What the first screen needs before anyone unlocks.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AppInfo {
    /// Users enrolled on this tablet.
    pub profiles: Vec<ProfileView>,
    /// Server address to pre-fill on the enrol screen.
    pub default_server: Option<String>,
    /// Set once after a revoked user's data was wiped, so the UI can say so.
    pub wiped_notice: bool,
}

/// The unlocked user.
#[derive(Debug)]
struct Session {
    profile: Profile,
    store: Store,
    user: UserId,
    device: DeviceId,
}

/// The tablet: its data folder and whoever is unlocked.
#[derive(Debug)]
pub struct Tablet {
    data: PathBuf,
    default_server: Option<String>,
    session: Option<Session>,
    wiped_notice: bool,
}

/// Writes a file so that it is either wholly old or wholly new after a crash.
pub(crate) fn write_durably(path: &Path, bytes: &[u8]) -> Result<(), TabletError> {
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}

impl Tablet {
    /// The tablet whose data lives in `data` (created if needed).
    pub fn open(data: &Path, default_server: Option<String>) -> Result<Tablet, TabletError> {
        std::fs::create_dir_all(data.join("users"))?;
        Ok(Tablet { data: data.to_path_buf(), default_server, session: None, wiped_notice: false })
    }

    fn user_dir(&self, user: &str) -> PathBuf {
        self.data.join("users").join(user)
    }

    /// Users on this tablet and the server to pre-fill.
    pub fn app_info(&mut self) -> Result<AppInfo, TabletError> {
        let profiles = profiles::load(&self.data)?.iter().map(Profile::view).collect();
        let notice = std::mem::take(&mut self.wiped_notice);
        Ok(AppInfo { profiles, default_server: self.default_server.clone(), wiped_notice: notice })
    }

    /// Enrols a new user on this tablet with a one-time code, sets their PIN and unlocks.
    pub fn enrol(
        &mut self,
        server: &str,
        code: &str,
        pin: &str,
    ) -> Result<ProfileView, TabletError> {
        profiles::validate_pin(pin)?;
        let server = server.trim();
        if !(server.starts_with("http://") || server.starts_with("https://")) {
            return Err(TabletError::new(
                "bad_server",
                "the server address must start with http:// or https://",
            ));
        }
        let staging = self.data.join("users").join(".enrolling");
        let _ = std::fs::remove_dir_all(&staging);
        std::fs::create_dir_all(&staging)?;
        let enrolment = {
            let mut store = Store::open(&staging.join("device.sqlite"))?;
            sync::enroll(&mut store, server, code)?
        };
        let mut all = profiles::load(&self.data)?;
        all.retain(|p| p.user != enrolment.user);
        let target = self.user_dir(&enrolment.user);
        let _ = std::fs::remove_dir_all(&target);
        std::fs::rename(&staging, &target)?;
        let profile = Profile::new(
            &enrolment.user,
            &enrolment.login,
            &enrolment.name,
            &enrolment.role,
            &enrolment.place,
            pin,
        );
        all.push(profile.clone());
        profiles::save(&self.data, &all)?;
        self.start_session(profile.clone())?;
        Ok(profile.view())
    }

    /// Unlocks `user` with `pin`.
    pub fn unlock(&mut self, user: &str, pin: &str) -> Result<ProfileView, TabletError> {
        self.session = None;
        let profile = profiles::load(&self.data)?
            .into_iter()
            .find(|p| p.user == user)
            .ok_or_else(|| TabletError::new("unknown_user", "this user is not on this tablet"))?;
        if !profile.check_pin(pin) {
            return Err(TabletError::new("wrong_pin", "the PIN is not right"));
        }
        self.start_session(profile.clone())?;
        Ok(profile.view())
    }

    fn start_session(&mut self, profile: Profile) -> Result<(), TabletError> {
        let store = Store::open(&self.user_dir(&profile.user).join("device.sqlite"))?;
        let user: UserId =
            profile.user.parse().map_err(|_| TabletError::new("storage", "bad user id"))?;
        let device: DeviceId = store
            .meta("device")?
            .and_then(|d| d.parse().ok())
            .ok_or_else(|| TabletError::new("not_enrolled", "this user's enrolment is missing"))?;
        self.session = Some(Session { profile, store, user, device });
        Ok(())
    }

    /// Locks: the user's store is closed and nothing of theirs stays in memory here.
    pub fn lock(&mut self) {
        self.session = None;
    }

    /// Who is unlocked.
    pub fn current(&self) -> Option<ProfileView> {
        self.session.as_ref().map(|s| s.profile.view())
    }

    fn current_dir(&self) -> Result<PathBuf, TabletError> {
        let s = self.session.as_ref().ok_or_else(TabletError::locked)?;
        Ok(self.user_dir(&s.profile.user))
    }

    fn session(&mut self) -> Result<&mut Session, TabletError> {
        self.session.as_mut().ok_or_else(TabletError::locked)
    }

    fn prov(s: &Session, now: i64) -> Provenance {
        Provenance { by: s.user, device: s.device, at: now }
    }

    /// Today's duty list.
    pub fn duty(&mut self, now: i64) -> Result<Vec<DutyRow>, TabletError> {
        Ok(field::duty_list(&self.session()?.store, now))
    }

    /// One beneficiary's card.
    pub fn beneficiary(
        &mut self,
        id: &str,
        now: i64,
    ) -> Result<views::BeneficiaryView, TabletError> {
        views::beneficiary(&self.session()?.store, id, now)
    }

    /// Saves a half-filled visit form.
    pub fn save_draft(
        &mut self,
        beneficiary: &str,
        form: &serde_json::Value,
    ) -> Result<(), TabletError> {
        drafts::save(&mut self.session()?.store, beneficiary, form)
    }

    /// The half-filled visit form, if any.
    pub fn load_draft(
        &mut self,
        beneficiary: &str,
    ) -> Result<Option<serde_json::Value>, TabletError> {
        drafts::load(&self.session()?.store, beneficiary)
    }

    /// Keeps a photo (JPEG or PNG) for a beneficiary's visit; returns its hash. The photo is
    /// normalised first: upright, shrunk, with no location or other metadata left in it.
    pub fn save_photo(&mut self, beneficiary: &str, bytes: &[u8]) -> Result<String, TabletError> {
        let doc = submit::case_doc(beneficiary)?;
        let store = &mut self.session()?.store;
        let photo = crate::photos::keep_photo(store, doc, bytes).map_err(|e| match e {
            crate::photos::AttachError::Photo(p) => TabletError {
                details: Some(serde_json::json!({ "reason": p.code() })),
                ..TabletError::new("photo_refused", p.to_string())
            },
            other => TabletError::new(other.code(), other.to_string()),
        })?;
        Ok(photo.sha256)
    }

    /// Records a finished visit (and the escort request, if one was asked for), clearing the
    /// draft.
    pub fn record_visit(
        &mut self,
        beneficiary: &str,
        visit: &VisitSubmission,
        now: i64,
    ) -> Result<field::SavedVisit, TabletError> {
        let s = self.session()?;
        let prov = Self::prov(s, now);
        let saved = submit::record_visit(&mut s.store, beneficiary, visit, &prov)?;
        drafts::clear(&mut s.store, beneficiary)?;
        Ok(saved)
    }

    /// Episodes on this tablet.
    pub fn episodes(&mut self, now: i64) -> Result<Vec<views::EpisodeRow>, TabletError> {
        Ok(views::episodes(&self.session()?.store, now))
    }

    /// One episode in full.
    pub fn episode(&mut self, id: &str, now: i64) -> Result<views::EpisodeView, TabletError> {
        views::episode(&self.session()?.store, id, now)
    }

    /// Records one of the nine steps, a shift clock, admission or discharge.
    pub fn episode_step(
        &mut self,
        id: &str,
        step: &StepInput,
        now: i64,
    ) -> Result<(), TabletError> {
        let user_dir = self.current_dir()?;
        let s = self.session()?;
        let prov = Self::prov(s, now);
        submit::episode_step(&mut s.store, &user_dir, id, step, &prov)
    }

    /// The sync line for the unlocked user.
    pub fn status(&mut self) -> Result<SyncStatus, TabletError> {
        let dir = self.current_dir()?;
        let store = &mut self.session()?.store;
        let files = blobs::pending(&dir)?.len() + store.pending_photos()?.len();
        status::of(store, files)
    }

    /// Deletes the unlocked user's store, files and profile, and locks.
    fn wipe_current(&mut self) -> Result<(), TabletError> {
        let Some(mut s) = self.session.take() else {
            return Ok(());
        };
        s.store.wipe()?;
        let user = s.profile.user.clone();
        drop(s);
        std::fs::remove_dir_all(self.user_dir(&user))?;
        let mut all = profiles::load(&self.data)?;
        all.retain(|p| p.user != user);
        profiles::save(&self.data, &all)?;
        self.wiped_notice = true;
        tracing::warn!("a revoked user's data was wiped from this tablet");
        Ok(())
    }
}
