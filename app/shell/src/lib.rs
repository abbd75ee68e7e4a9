//! # peihu-tablet: the Tauri 2 shell of the tablet app
//!
//! The window shows the Yew UI (`app/ui`, built into `app/ui/dist`); every button the UI offers
//! ends in one of the [`commands`], each a thin wrapper over a method of
//! [`peihu_device::tablet::Tablet`], which knows nothing of Tauri. Errors cross as
//! [`peihu_device::tablet::TabletError`]: a stable code the UI matches on and a message.
//!
//! The data folder is `PEIHU_DATA_DIR` or the platform's app-data folder; `PEIHU_SERVER`
//! pre-fills the server address on the enrol screen.

pub mod commands;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use peihu_device::tablet::{SyncProgress, SyncStatus, Tablet, TabletError};

/// The tablet shared between commands. Commands run its methods on a blocking thread so the
/// window never waits on the disk or the network; a sync holds the tablet only between its
/// network requests, so saving a visit never waits on a slow connection.
#[derive(Debug, Clone)]
pub struct Shared {
    tablet: Arc<Mutex<Tablet>>,
    /// One sync at a time (the background one and the button).
    syncing: Arc<Mutex<()>>,
    /// How far the running sync has got; `None` when none runs.
    progress: Arc<Mutex<Option<SyncProgress>>>,
}

impl Shared {
    /// Wraps an opened tablet.
    pub fn new(tablet: Tablet) -> Shared {
        Shared {
            tablet: Arc::new(Mutex::new(tablet)),
            syncing: Arc::new(Mutex::new(())),
            progress: Arc::new(Mutex::new(None)),
        }
    }

    /// Runs `work` on the tablet.
    pub fn with<T>(
        &self,
        work: impl FnOnce(&mut Tablet) -> Result<T, TabletError>,
    ) -> Result<T, TabletError> {
        let mut tablet = self.tablet.lock().map_err(|_| {
            TabletError::new("storage", "an earlier action failed; restart the app")
        })?;
        work(&mut tablet)
    }

    /// How far the running sync has got.
    pub fn progress(&self) -> Option<SyncProgress> {
        self.progress.lock().map(|p| p.clone()).unwrap_or(None)
    }

    fn show(&self, progress: Option<&SyncProgress>) {
        if let Ok(mut p) = self.progress.lock() {
            *p = progress.cloned();
        }
    }

    /// One whole sync, letting go of the tablet while each request and file is on the
    /// network. Blocks; run it off the UI thread.
    pub fn sync(&self, now: i64) -> Result<SyncStatus, TabletError> {
        let _one_at_a_time = self
            .syncing
            .lock()
            .map_err(|_| TabletError::new("storage", "an earlier sync failed; restart the app"))?;
        let result = self.sync_steps(now);
        self.show(None);
        result
    }

    fn sync_steps(&self, now: i64) -> Result<SyncStatus, TabletError> {
        let mut job = self.with(|t| t.sync_start(now))?;
        self.show(Some(&job.progress));
        while let Some(answer) = job.exchange() {
            let done = self.with(|t| t.sync_answer(&mut job, answer))?;
            self.show(Some(&job.progress));
            if done {
                break;
            }
        }
        let files = self.with(|t| t.sync_files(&mut job))?;
        self.show(Some(&job.progress));
        for file in files {
            let sent = job.send_file(&file);
            let go_on = self.with(|t| t.sync_file_sent(&mut job, &file, sent))?;
            self.show(Some(&job.progress));
            if !go_on {
                break;
            }
        }
        self.with(|t| t.status())
    }
}

/// The data folder chosen by the environment, if any.
pub fn data_dir_from_env() -> Option<PathBuf> {
    std::env::var_os("PEIHU_DATA_DIR").filter(|v| !v.is_empty()).map(PathBuf::from)
}

/// The server address to pre-fill, if any.
pub fn server_from_env() -> Option<String> {
    std::env::var("PEIHU_SERVER").ok().filter(|v| !v.trim().is_empty())
}

/// Registers every command on a builder (the real one or the test mock). The caller manages a
/// [`Shared`] tablet before the first command runs.
pub fn builder<R: tauri::Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder.invoke_handler(tauri::generate_handler![
        commands::app_info,
        commands::enrol,
        commands::unlock,
        commands::lock,
        commands::duty,
        commands::beneficiary,
        commands::save_draft,
        commands::load_draft,
        commands::save_photo,
        commands::record_visit,
        commands::episodes,
        commands::episode,
        commands::episode_step,
        commands::sync_status,
        commands::sync,
        commands::sync_progress,
    ])
}
