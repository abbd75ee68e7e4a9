//! The bar on every screen: who is using the tablet, the sync line, language and log out.

use yew::prelude::*;

use crate::hooks::{run_sync, use_app, use_tr};
use crate::state::Action;

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

/// The sync sentence.
#[function_component(SyncLine)]
fn sync_line() -> Html {
    let app = use_app();
    let tr = use_tr();
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
            if line.running { <div class="sync-running">{ tr.t("sync_running") }</div> }
            <div id="sync-text">{ parts.join(" · ") }</div>
            { failure }
        </div>
    }
}
