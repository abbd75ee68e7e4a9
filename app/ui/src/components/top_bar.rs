//! The bar on every screen: who is using the tablet, the sync line, language and log out.

use gloo_timers::callback::Interval;
use yew::prelude::*;

use crate::api::{self, SyncProgress};
use crate::hooks::{Tr, run_sync, use_app, use_tr};
use crate::state::Action;

/// How often the sync line asks how far a running sync has got.
const PROGRESS_EVERY_MS: u32 = 300;

/// The top bar.
#[function_component(TopBar)]
pub fn top_bar() -> Html {
    let app = use_app();
    let tr = use_tr();
    let toggle = {
        let app = app.clone();
        Callback::from(move |_| app.dispatch(Action::ToggleLang))
    };
    let user = app.user.clone();
    let right = match &user {
        Some(u) => {
            let app2 = app.clone();
            let sync = Callback::from(move |_| {
                let app = app2.clone();
                wasm_bindgen_futures::spawn_local(async move { run_sync(&app).await });
            });
            let app3 = app.clone();
            let logout = Callback::from(move |_| {
                let app = app3.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let _ = crate::api::call::<()>("lock", serde_json::json!({})).await;
                    app.dispatch(Action::Lock);
                });
            });
            html! {
                <>
                    <span class="who">{ &u.name }</span>
                    <button id="sync-now" class="btn" onclick={sync} disabled={app.sync.running}>
                        { tr.t("sync_now") }
                    </button>
                    <button id="logout" class="btn ghost" onclick={logout}>{ tr.t("logout") }</button>
                </>
            }
        }
        None => html! {},
    };
    html! {
        <header class="top-bar">
            <div class="brand">{ tr.t("app_name") }</div>
            <SyncLine />
            <div class="top-actions">
                { right }
                <button id="lang" class="btn ghost" onclick={toggle}>{ tr.t("lang_switch") }</button>
            </div>
        </header>
    }
}

/// While a sync runs, how far it has got (asked of the shell, which answers without waiting
/// on the sync).
#[hook]
fn use_sync_progress(running: bool) -> Option<SyncProgress> {
    let progress = use_state(|| None::<SyncProgress>);
    {
        let progress = progress.clone();
        use_effect_with(running, move |running| {
            progress.set(None);
            let poll = running.then(|| {
                Interval::new(PROGRESS_EVERY_MS, move || {
                    let progress = progress.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        let now = api::call::<Option<SyncProgress>>(
                            "sync_progress",
                            serde_json::json!({}),
                        )
                        .await;
                        if let Ok(now) = now {
                            progress.set(now);
                        }
                    });
                })
            });
            move || drop(poll)
        });
    }
    (*progress).clone()
}

/// The running sync in words: records first, then files counted as they go.
fn progress_text(tr: Tr, progress: Option<&SyncProgress>) -> Html {
    match progress {
        Some(p) if p.phase == "files" && p.files_total > 0 => {
            let done = p.files_done.to_string();
            let total = p.files_total.to_string();
            html! {
                <div id="sync-progress" class="sync-running">
                    { tr.tf("sync_running_files", &[("done", &done), ("total", &total)]) }
                    <progress max={total.clone()} value={done.clone()} />
                </div>
            }
        }
        _ => html! { <div id="sync-progress" class="sync-running">{ tr.t("sync_running") }</div> },
    }
}

/// The sync sentence.
#[function_component(SyncLine)]
fn sync_line() -> Html {
    let app = use_app();
    let tr = use_tr();
    let progress = use_sync_progress(app.sync.running);
    if app.user.is_none() {
        return html! { <div class="sync-line" /> };
    }
    let line = &app.sync;
    let mut parts = Vec::new();
    let status = line.status.as_ref();
    parts.push(match status.and_then(|s| s.last_synced_text.clone()) {
        Some(t) => tr.tf("sync_last", &[("t", &t)]),
        None => tr.t("sync_never"),
    });
    match status {
        Some(s) if s.waiting > 0 => {
            parts.push(tr.tf("sync_waiting", &[("n", &s.waiting.to_string())]));
        }
        Some(_) => parts.push(tr.t("sync_all_sent")),
        None => {}
    }
    if let Some(s) = status.filter(|s| s.files_waiting > 0) {
        parts.push(tr.tf("sync_files_waiting", &[("n", &s.files_waiting.to_string())]));
    }
    let class = if line.failure.is_some() { "sync-line failed" } else { "sync-line" };
    let failure = line.failure.as_ref().map(|code| {
        let reason = tr.error(code);
        html! { <div id="sync-failure" class="sync-failure">{ tr.tf("sync_failed", &[("reason", &reason)]) }</div> }
    });
    html! {
        <div id="sync-line" class={class}>
            if line.running { { progress_text(tr, progress.as_ref()) } }
            <div id="sync-text">{ parts.join(" · ") }</div>
            { failure }
        </div>
    }
}
