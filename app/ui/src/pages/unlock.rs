//! Who is using the tablet: tap your name, type your PIN.

use serde_json::json;
use yew::prelude::*;

use super::set_input;
use crate::api::{self, ProfileView};
use crate::hooks::{use_app, use_tr};
use crate::state::{Action, Page};

/// The unlock page.
#[function_component(Unlock)]
pub fn unlock() -> Html {
    let app = use_app();
    let tr = use_tr();
    let picked = use_state(|| None::<String>);
    let pin = use_state(String::new);
    let error = use_state(|| None::<String>);
    let names = app.profiles.iter().map(|p| {
        let (picked, pin, error) = (picked.clone(), pin.clone(), error.clone());
        let user = p.user.clone();
        let selected = picked.as_deref() == Some(p.user.as_str());
        let role = match p.role.as_str() {
            "helper" => tr.t("role_helper"),
            "escort" => tr.t("role_escort"),
            _ => tr.t("role_other"),
        };
        html! {
            <button class={if selected { "person selected" } else { "person" }} data-user={p.user.clone()}
                onclick={Callback::from(move |_| { picked.set(Some(user.clone())); pin.set(String::new()); error.set(None); })}>
                <span class="person-name">{ &p.name }</span>
                <span class="person-role">{ role }</span>
            </button>
        }
    });
    let submit = {
        let (app, picked, pin, error) = (app.clone(), picked.clone(), pin.clone(), error.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(user) = (*picked).clone() else {
                return;
            };
            let args = json!({ "user": user, "pin": *pin });
            let (app, pin, error) = (app.clone(), pin.clone(), error.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match api::call::<ProfileView>("unlock", args).await {
                    Ok(user) => app.dispatch(Action::Unlocked(user)),
                    Err(e) => {
                        pin.set(String::new());
                        error.set(Some(e.code));
                    }
                }
            });
        })
    };
    let add = {
        let app = app.clone();
        Callback::from(move |_| app.dispatch(Action::Go(Page::Enrol)))
    };
    let notice = app
        .notice
        .as_ref()
        .map(|k| html! { <div id="notice" class="notice" role="alert">{ tr.t(k) }</div> });
    html! {
        <div class="card narrow unlock">
            { for notice }
            <h1>{ tr.t("unlock_title") }</h1>
            if app.profiles.is_empty() { <p>{ tr.t("unlock_none") }</p> } else { <p>{ tr.t("unlock_pick") }</p> }
            <div class="people">{ for names }</div>
            if picked.is_some() {
                <form class="pin-form" onsubmit={submit}>
                    <label>{ tr.t("unlock_pin") }
                        <input id="unlock-pin" type="password" inputmode="numeric" autofocus=true
                            value={(*pin).clone()} oninput={set_input(&pin)} />
                    </label>
                    if let Some(code) = &*error { <div id="unlock-error" class="form-error" role="alert">{ tr.error(code) }</div> }
                    <button id="unlock-submit" class="btn primary big" type="submit">{ tr.t("unlock_submit") }</button>
                </form>
            }
            <button id="add-user" class="btn ghost" onclick={add}>{ tr.t("unlock_add") }</button>
        </div>
    }
}
