//! One hospital stay from the bedside: shift clock, the three stages and the nine-step view.

use serde_json::{Value, json};
use yew::prelude::*;

use crate::api::{self, EpisodeView};
use crate::components::clarity_card::ClarityCard;
use crate::components::nine_steps::NineStepsView;
use crate::components::signature_pad::SignaturePad;
use crate::components::text_step::TextStep;
use crate::hooks::{Tr, refresh_status, use_app, use_tr};
use crate::state::{Action, Page};

/// Properties.
#[derive(Properties, PartialEq)]
pub struct EpisodeProps {
    /// Episode id.
    pub id: AttrValue,
}

/// The episode page.
#[function_component(Episode)]
pub fn episode(p: &EpisodeProps) -> Html {
    let app = use_app();
    let tr = use_tr();
    let view = use_state(|| None::<EpisodeView>);
    let revision = use_state(|| 0u32);
    let card_open = use_state(|| false);
    let error = use_state(|| None::<String>);
    {
        let (view, id) = (view.clone(), p.id.to_string());
        use_effect_with((id, *revision), move |(id, _)| {
            let id = id.clone();
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(v) =
                    api::call::<EpisodeView>("episode", json!({ "id": id, "now": api::now_ms() }))
                        .await
                {
                    view.set(Some(v));
                }
            });
        });
    }
    let step = {
        let (app, id, revision, error) = (app.clone(), p.id.to_string(), revision, error.clone());
        Callback::from(move |step: Value| {
            let (app, revision, error) = (app.clone(), revision.clone(), error.clone());
            let args = json!({ "id": id, "step": step, "now": api::now_ms() });
            wasm_bindgen_futures::spawn_local(async move {
                match api::call::<()>("episode_step", args).await {
                    Ok(()) => {
                        error.set(None);
                        refresh_status(&app).await;
                    }
                    Err(e) => error.set(Some(e.code)),
                }
                revision.set(*revision + 1);
            });
        })
    };
    let Some(v) = (*view).clone() else {
        return html! { <div class="loading">{ tr.t("loading") }</div> };
    };
    if *card_open {
        let card_open = card_open;
        return html! { <ClarityCard onclose={Callback::from(move |_| card_open.set(false))} /> };
    }
    let back = {
        let app = app;
        Callback::from(move |_| app.dispatch(Action::Go(Page::Episodes)))
    };
    let open_card = {
        let c = card_open;
        Callback::from(move |_| c.set(true))
    };
    html! {
        <div class="episode">
            <button class="btn ghost" onclick={back}>{ format!("‹ {}", tr.t("back")) }</button>
            <h1>{ if v.row.name.is_empty() { v.row.hospital.clone() } else { v.row.name.clone() } }
                <small>{ format!(" {} · {}", v.row.hospital, tr.tf("episode_bed", &[("ward", &v.row.ward), ("bed", &v.row.bed)])) }</small></h1>
            if let Some(code) = &*error { <div id="episode-error" class="form-error" role="alert">{ tr.error(code) }</div> }
            <div class="episode-grid">
                <div class="episode-main">
                    { shift(tr, &v, &step) }
                    { admission(tr, &v, &step, open_card) }
                    { stay(tr, &v, &step) }
                    { discharge(tr, &v, &step) }
                </div>
                <aside class="episode-side">
                    <NineStepsView steps={v.steps.clone()} complete={v.row.complete} />
                </aside>
            </div>
        </div>
    }
}

fn send(step: &Callback<Value>, value: Value) -> Callback<MouseEvent> {
    let step = step.clone();
    Callback::from(move |_| step.emit(value.clone()))
}

fn shift(tr: Tr, v: &EpisodeView, step: &Callback<Value>) -> Html {
    html! {
        <section class="card shift">
            <h2>{ tr.t("shift_title") }</h2>
            if let (Some(id), Some(since)) = (&v.open_shift, &v.open_shift_since) {
                <p class="ok">{ tr.tf("shift_since", &[("t", since)]) }</p>
                <button id="clock-out" class="btn big" onclick={send(step, json!({"step": "clock_out", "shift": id}))}>{ tr.t("shift_out") }</button>
            } else {
                <button id="clock-in" class="btn primary big" onclick={send(step, json!({"step": "clock_in"}))}>{ tr.t("shift_in") }</button>
            }
            <p class="muted">{ tr.tf("shift_minutes", &[("n", &v.service_minutes.to_string())]) }</p>
        </section>
    }
}

fn done_at(v: &EpisodeView, code: &str) -> Option<i64> {
    v.steps.steps.iter().find(|s| s.code == code).and_then(|s| s.done_at)
}

fn admission(
    tr: Tr,
    v: &EpisodeView,
    step: &Callback<Value>,
    open_card: Callback<MouseEvent>,
) -> Html {
    let notices = ["coverage", "standard", "complaints"].iter().map(|k| {
        let done = done_at(v, &format!("notice.{k}"));
        html! {
            <div class="notice-row" id={format!("notice-{k}")}>
                <div>
                    <h3>{ tr.t(&format!("notice_{k}")) }</h3>
                    <p>{ tr.t(&format!("notice_{k}_text")) }</p>
                </div>
                if let Some(at) = done {
                    <span class="badge done">{ tr.tf("notice_done_at", &[("t", &peihu_shared::time::format_zh(at))]) }</span>
                } else {
                    <button id={format!("notice-{k}-done")} class="btn primary" onclick={send(step, json!({"step": "notice", "which": k}))}>{ tr.t("notice_done") }</button>
                }
            </div>
        }
    });
    let sign = {
        let step = step.clone();
        Callback::from(move |png: Vec<u8>| step.emit(json!({"step": "ack_signature", "png": png})))
    };
    let attest = {
        let step = step.clone();
        Callback::from(move |(text, _): (String, String)| {
            step.emit(json!({"step": "ack_attested", "text": text}));
        })
    };
    html! {
        <section class="card stage" id="stage-admission">
            <h2>{ tr.t("stage_admission") }</h2>
            if let Some(t) = &v.admitted_text { <p class="ok">{ tr.tf("admitted_at", &[("t", t)]) }</p> }
            else { <button id="admit" class="btn primary big" onclick={send(step, json!({"step": "admit"}))}>{ tr.t("admit_button") }</button> }
            <button id="open-card" class="btn big" onclick={open_card}>{ tr.t("card_open") }</button>
            { for notices }
            <h3>{ tr.t("ack_title") }</h3>
            if v.steps.acknowledged { <p id="ack-done" class="badge done">{ tr.t("ack_done") }</p> }
            else {
                <SignaturePad onsave={sign} />
                <details class="attest">
                    <summary>{ tr.t("ack_cannot_sign") }</summary>
                    <TextStep id="ack-attest" label={tr.t("ack_attest_save")} hint={tr.t("ack_attest_hint")} done={None::<AttrValue>} onsave={attest} />
                </details>
            }
        </section>
    }
}

fn stay(tr: Tr, v: &EpisodeView, step: &Callback<Value>) -> Html {
    let records = ["services", "orders", "special"].iter().map(|k| {
        let step = step.clone();
        let which = k.to_string();
        let onsave = Callback::from(move |(text, _): (String, String)| step.emit(json!({"step": "daily", "which": which, "text": text})));
        let done = v.today_records.iter().any(|r| r == k).then(|| AttrValue::from(tr.t("daily_done")));
        let hint = if *k == "special" { tr.t("daily_special_hint") } else { String::new() };
        html! { <TextStep id={format!("daily-{k}")} label={tr.t(&format!("daily_{k}"))} {hint} {done} {onsave} /> }
    });
    html! {
        <section class="card stage" id="stage-stay">
            <h2>{ tr.t("stage_stay") }</h2>
            <p class="muted">{ tr.tf("daily_title", &[("day", &v.today)]) }</p>
            { for records }
        </section>
    }
}

fn discharge(tr: Tr, v: &EpisodeView, step: &Callback<Value>) -> Html {
    let handovers = ["care_points", "medication", "rehabilitation"].iter().map(|k| {
        let step = step.clone();
        let which = k.to_string();
        let onsave = Callback::from(move |(text, to): (String, String)| {
            step.emit(json!({"step": "handover", "which": which, "text": text, "to": to}));
        });
        let done = done_at(v, &format!("handover.{k}")).map(|_| AttrValue::from(tr.t("handover_done")));
        html! { <TextStep id={format!("handover-{k}")} label={tr.t(&format!("handover_{k}"))} with_recipient=true {done} {onsave} /> }
    });
    html! {
        <section class="card stage" id="stage-discharge">
            <h2>{ tr.t("stage_discharge") }</h2>
            { for handovers }
            if let Some(t) = &v.discharged_text { <p class="ok" id="discharged">{ tr.tf("discharged_at", &[("t", t)]) }</p> }
            else { <button id="discharge" class="btn big" onclick={send(step, json!({"step": "discharge"}))}>{ tr.t("discharge_button") }</button> }
        </section>
    }
}
