//! # peihu-server: the sync server
//!
//! Devices enrol with a one-time code, then sync their Automerge documents through
//! `POST /api/sync` (the sans-IO engine of `peihu_shared::sync`, wrapped in HTTP here). The server
//! decides, per role and place, what each device may receive and write; refusals are audited.
//!
//! - [`storage`]: the storage trait and its embedded SQLite implementation.
//! - [`scope`]: who may see and change which document.
//! - [`http`]: the axum router; [`serve`] runs it on a bound listener until a shutdown future
//!   completes, so tests start it in-process on an ephemeral port.
//! - [`admin`], [`demo`]: the command line's administration and demo data.

pub mod admin;
pub mod blobs;
pub mod console;
pub mod demo;
pub mod http;
pub mod scope;
pub mod storage;
pub mod tokens;

use std::future::Future;
use std::sync::Arc;

use storage::sqlite::SqliteStorage;

/// What every request handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The storage.
    pub storage: Arc<SqliteStorage>,
    /// Photo and signature files.
    pub blobs: Arc<dyn blobs::BlobStore>,
    /// The server clock in Unix ms (replaceable in tests).
    pub clock: Arc<dyn Fn() -> i64 + Send + Sync>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").finish_non_exhaustive()
    }
}

impl AppState {
    /// State over `storage` with the system clock.
    ///
    /// Photo files live in `blobs/` beside the database. Panics only if that folder cannot be
    /// created, which means the data directory is unusable.
    pub fn new(storage: SqliteStorage) -> AppState {
        let blobs = blobs::FsBlobStore::open(storage.data_dir())
            .expect("the data directory must allow a blobs folder");
        AppState { storage: Arc::new(storage), blobs: Arc::new(blobs), clock: Arc::new(now_ms) }
    }

    /// The server's time now.
    pub fn now(&self) -> i64 {
        (self.clock)()
    }
}

/// The system clock in Unix milliseconds.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Serves the app on `listener` until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, http::app(state)).with_graceful_shutdown(shutdown).await
}
