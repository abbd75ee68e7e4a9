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

use peihu_device::tablet::Tablet;

/// The tablet shared between commands. Commands run its methods on a blocking thread so the
/// window never waits on the disk or the network.
#[derive(Debug, Clone)]
pub struct Shared(pub Arc<Mutex<Tablet>>);

impl Shared {
    /// Wraps an opened tablet.
    pub fn new(tablet: Tablet) -> Shared {
        Shared(Arc::new(Mutex::new(tablet)))
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
    ])
}
