//! The helper's day: beneficiaries grouped by colour, red first; overdue marked with how long,
//! visited ticked.

use peihu_shared::time::format_zh;
use serde_json::json;
use yew::prelude::*;

use crate::api::{self, DutyRow};
use crate::hooks::{Tr, use_app, use_tr};
use crate::state::{Action, Page};

/// The duty list page.
#[function_component(Duty)]
pub fn duty() -> Html {
    let app = use_app();
    let tr = use_tr();
    let rows = use_state(|| None::<Vec<DutyRow>>);
    let synced = app.sync.status.as_ref().and_then(|s| s.last_synced_text.clone());
    {
        let rows = rows.clone();
        use_effect_with(synced, move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(r) =
                    api::call::<Vec<DutyRow>>("duty", json!({ "now": api::now_ms() })).await
                {
                    rows.set(Some(r));
                }
            });
        });
    }
    let Some(rows) = (*rows).clone() else {
        return html! { <div class="loading">{ tr.t("loading") }</div> };
    };
    let open = Callback::from(move |id: String| app.dispatch(Action::Go(Page::Beneficiary(id))));
    let groups = ["red", "yellow", "blue"].into_iter().map(|colour| {
        let in_group: Vec<&DutyRow> = rows.iter().filter(|r| r.colour == colour).collect();
        if in_group.is_empty() {
            return html! {};
        }
        html! {
            <section class={format!("duty-group {colour}")} id={format!("group-{colour}")}>
                <h2 class="group-head">{ tr.t(&format!("colour_{colour}")) }</h2>
                <ul class="duty-rows">{ for in_group.into_iter().map(|r| row(tr, r, &open)) }</ul>
            </section>
        }
    });
    html! {
        <div class="duty">
            <h1>{ tr.t("duty_title") }</h1>
            if rows.is_empty() { <p class="empty">{ tr.t("duty_empty") }</p> }
            <div class="duty-groups">{ for groups }</div>
        </div>
    }
}

fn status_text(tr: Tr, r: &DutyRow) -> String {
    match (r.status.as_str(), r.overdue_days) {
        ("overdue", Some(d)) if d > 0 => tr.tf("status_overdue", &[("n", &d.to_string())]),
        ("overdue", _) => tr.t("status_overdue_today"),
        ("done", _) => tr.t("status_done"),
        _ => tr.t("status_due"),
    }
}

fn row(tr: Tr, r: &DutyRow, open: &Callback<String>) -> Html {
    let id = r.beneficiary.clone();
    let onclick = open.reform(move |_| id.clone());
    let last = match r.last_visit {
        Some(ms) => tr.tf("duty_last_visit", &[("t", &format_zh(ms))]),
        None => tr.t("duty_never_visited"),
    };
    html! {
        <li>
            <button class={format!("duty-row {}", r.status)} data-beneficiary={r.beneficiary.clone()} {onclick}>
                <span class={format!("dot {}", r.colour)} aria-hidden="true" />
                <span class="duty-name">{ &r.name }</span>
                <span class={format!("badge {}", r.status)}>{ status_text(tr, r) }</span>
                <span class="duty-last">{ last }</span>
                if r.open_warnings > 0 {
                    <span class="badge warn">{ tr.tf("duty_warnings", &[("n", &r.open_warnings.to_string())]) }</span>
                }
            </button>
        </li>
    }
}
