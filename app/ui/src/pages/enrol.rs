//! Enrol a user on this tablet: server address, one-time code, and a PIN of their own.

use serde_json::json;
use yew::prelude::*;

use super::set_input;
use crate::api::{self, ProfileView};
use crate::hooks::{use_app, use_tr};
use crate::state::{Action, Page};

/// The enrol page.
#[function_component(Enrol)]
pub fn enrol() -> Html {
    let app = use_app();
    let tr = use_tr();
    let server = use_state(|| app.default_server.clone());
    let code = use_state(String::new);
    let pin = use_state(String::new);
    let pin2 = use_state(String::new);
    let busy = use_state(|| false);
    let error = use_state(|| None::<String>);
    let submit = {
        let (app, server, code, pin, pin2, busy, error) = (
            app.clone(),
            server.clone(),
            code.clone(),
            pin.clone(),
            pin2.clone(),
            busy.clone(),
            error.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *pin != *pin2 {
                error.set(Some("enrol_pin_mismatch".into()));
                return;
            }
            busy.set(true);
            let args = json!({ "server": *server, "code": *code, "pin": *pin });
            let (app, busy, error) = (app.clone(), busy.clone(), error.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match api::call::<ProfileView>("enrol", args).await {
                    Ok(user) => app.dispatch(Action::Unlocked(user)),
                    Err(e) => error.set(Some(format!("error_{}", e.code))),
                }
                busy.set(false);
            });
        })
    };
    let back = (!app.profiles.is_empty()).then(|| {
        let app = app.clone();
        html! { <button class="btn ghost" onclick={Callback::from(move |_| app.dispatch(Action::Go(Page::Unlock)))}>{ tr.t("back") }</button> }
    });
    let error_text = (*error).as_ref().map(|k| {
        let text = match k.strip_prefix("error_") {
            Some(code) => tr.error(code),
            None => tr.t(k),
        };
        html! { <div id="enrol-error" class="form-error" role="alert">{ text }</div> }
    });
    html! {
        <form class="card narrow" onsubmit={submit}>
            <h1>{ tr.t("enrol_title") }</h1>
            <p class="intro">{ tr.t("enrol_intro") }</p>
            <label>{ tr.t("enrol_server") }
                <input id="enrol-server" type="url" value={(*server).clone()} oninput={set_input(&server)} />
            </label>
            <label>{ tr.t("enrol_code") }
                <input id="enrol-code" type="text" autocomplete="off" value={(*code).clone()} oninput={set_input(&code)} />
            </label>
            <div class="row two">
                <label>{ tr.t("enrol_pin") }
                    <input id="enrol-pin" type="password" inputmode="numeric" value={(*pin).clone()} oninput={set_input(&pin)} />
                </label>
                <label>{ tr.t("enrol_pin_again") }
                    <input id="enrol-pin2" type="password" inputmode="numeric" value={(*pin2).clone()} oninput={set_input(&pin2)} />
                </label>
            </div>
            { error_text }
            <div class="row">
                { for back }
                <button id="enrol-submit" class="btn primary big" type="submit" disabled={*busy}>
                    { if *busy { tr.t("enrol_busy") } else { tr.t("enrol_submit") } }
                </button>
            </div>
        </form>
    }
}
