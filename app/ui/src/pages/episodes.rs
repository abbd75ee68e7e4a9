//! The escort's assigned hospital stays.

use serde_json::json;
use yew::prelude::*;

use crate::api::{self, EpisodeRow};
use crate::hooks::{use_app, use_tr};
use crate::state::{Action, Page};

/// The episode list page.
#[function_component(Episodes)]
pub fn episodes() -> Html {
    let app = use_app();
    let tr = use_tr();
    let rows = use_state(|| None::<Vec<EpisodeRow>>);
    let synced = app.sync.status.as_ref().and_then(|s| s.last_synced_text.clone());
    {
        let rows = rows.clone();
        use_effect_with(synced, move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(r) =
                    api::call::<Vec<EpisodeRow>>("episodes", json!({ "now": api::now_ms() })).await
                {
                    rows.set(Some(r));
                }
            });
        });
    }
    let Some(rows) = (*rows).clone() else {
        return html! { <div class="loading">{ tr.t("loading") }</div> };
    };
    let items = rows.iter().map(|r| {
        let (app, id) = (app.clone(), r.id.clone());
        let onclick = Callback::from(move |_| app.dispatch(Action::Go(Page::Episode(id.clone()))));
        let progress = if r.complete {
            tr.t("episode_complete")
        } else {
            tr.tf("episode_progress", &[("n", &r.steps_done.to_string())])
        };
        html! {
            <li>
                <button class="episode-row" data-episode={r.id.clone()} {onclick}>
                    <span class="duty-name">{ if r.name.is_empty() { r.hospital.clone() } else { r.name.clone() } }</span>
                    <span class="where">{ format!("{} · {}", r.hospital, tr.tf("episode_bed", &[("ward", &r.ward), ("bed", &r.bed)])) }</span>
                    <span class={if r.complete { "badge done" } else { "badge due" }}>{ progress }</span>
                </button>
            </li>
        }
    });
    html! {
        <div class="episodes">
            <h1>{ tr.t("episodes_title") }</h1>
            if rows.is_empty() { <p class="empty">{ tr.t("episodes_empty") }</p> }
            <ul class="duty-rows">{ for items }</ul>
        </div>
    }
}
