//! Custom hooks: the app context, translation, the sync actions and background sync.

use gloo_timers::callback::Interval;
use serde_json::json;
use yew::prelude::*;

use crate::api::{self, SyncStatus};
use crate::i18n::{self, Lang};
use crate::state::{Action, AppState};

/// The app-wide state handle every page reads and dispatches to.
pub type AppHandle = UseReducerHandle<AppState>;

/// The app context.
#[hook]
pub fn use_app() -> AppHandle {
    use_context::<AppHandle>().expect("the App component provides the context")
}

/// Translation for the current language.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tr(pub Lang);

impl Tr {
    /// A string.
    pub fn t(&self, key: &str) -> String {
        i18n::t(self.0, key)
    }

    /// A string with placeholders.
    pub fn tf(&self, key: &str, args: &[(&str, &str)]) -> String {
        i18n::tf(self.0, key, args)
    }

    /// An error code's sentence.
    pub fn error(&self, code: &str) -> String {
        i18n::error_text(self.0, code)
    }
}

/// Translation for the current language.
#[hook]
pub fn use_tr() -> Tr {
    Tr(use_app().lang)
}

/// Refreshes the sync line from the device.
pub async fn refresh_status(app: &AppHandle) {
    if let Ok(status) = api::call::<SyncStatus>("sync_status", json!({})).await {
        app.dispatch(Action::Status(status));
    }
}

/// Runs one sync and updates the sync line; a revoked device is wiped and the UI told.
pub async fn run_sync(app: &AppHandle) {
    app.dispatch(Action::SyncStarted);
    match api::call::<SyncStatus>("sync", json!({ "now": api::now_ms() })).await {
        Ok(status) => app.dispatch(Action::Status(status)),
        Err(e) if e.code == "device_revoked" => app.dispatch(Action::Revoked),
        Err(e) => {
            app.dispatch(Action::SyncFailed(e.code.clone()));
            refresh_status(app).await;
        }
    }
}

/// While someone is unlocked: sync once at unlock and then every `period_ms`.
#[hook]
pub fn use_background_sync(app: AppHandle, period_ms: u32) {
    let user = app.user.as_ref().map(|u| u.user.clone());
    use_effect_with(user, move |user| {
        let interval = user.as_ref().map(|_| {
            let first = app.clone();
            wasm_bindgen_futures::spawn_local(async move { run_sync(&first).await });
            Interval::new(period_ms, move || {
                let app = app.clone();
                if !app.sync.running {
                    wasm_bindgen_futures::spawn_local(async move { run_sync(&app).await });
                }
            })
        });
        move || drop(interval)
    });
}
