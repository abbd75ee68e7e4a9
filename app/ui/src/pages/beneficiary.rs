//! A beneficiary's card: age, conditions, allergies, contact, last visit and readings, open
//! warnings; and the way into the visit form.

use serde_json::json;
use yew::prelude::*;

use crate::api::{self, BeneficiaryView};
use crate::hooks::{Tr, use_app, use_tr};
use crate::state::{Action, Page};

/// Properties.
#[derive(Properties, PartialEq)]
pub struct BeneficiaryProps {
    /// Beneficiary id.
    pub id: AttrValue,
}

fn list_or_none(tr: Tr, items: &[String]) -> String {
    if items.is_empty() { tr.t("card_none") } else { items.join("、") }
}

/// The card page.
#[function_component(Beneficiary)]
pub fn beneficiary(p: &BeneficiaryProps) -> Html {
    let app = use_app();
    let tr = use_tr();
    let view = use_state(|| None::<BeneficiaryView>);
    let has_draft = use_state(|| false);
    {
        let (view, has_draft, id) = (view.clone(), has_draft.clone(), p.id.to_string());
        use_effect_with(id, move |id| {
            let id = id.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let args = json!({ "id": id, "now": api::now_ms() });
                if let Ok(v) = api::call::<BeneficiaryView>("beneficiary", args).await {
                    view.set(Some(v));
                }
                let draft = api::call::<Option<serde_json::Value>>(
                    "load_draft",
                    json!({ "beneficiary": id }),
                )
                .await;
                has_draft.set(matches!(draft, Ok(Some(_))));
            });
        });
    }
    let Some(v) = (*view).clone() else {
        return html! { <div class="loading">{ tr.t("loading") }</div> };
    };
    let back = {
        let app = app.clone();
        Callback::from(move |_| app.dispatch(Action::Go(Page::Duty)))
    };
    let start = {
        let (app, id) = (app, v.id.clone());
        Callback::from(move |_| app.dispatch(Action::Go(Page::Visit(id.clone()))))
    };
    let colour = v.colour.clone().unwrap_or_default();
    let sex = tr.t(&format!("sex_{}", v.sex));
    let age = v.age.map(|a| tr.tf("card_age", &[("n", &a.to_string())])).unwrap_or_default();
    let vitals = v.last_vitals.iter().map(|(k, val)| html! {
        <li><span class="k">{ tr.t(&format!("vital_{k}")) }</span><span class="v">{ format!("{val} {}", tr.t(&format!("unit_{k}"))) }</span></li>
    });
    html! {
        <div class="beneficiary">
            <button class="btn ghost" onclick={back}>{ format!("‹ {}", tr.t("back")) }</button>
            <section class={format!("card person-card {colour}")}>
                <h1><span class={format!("dot {colour}")} />{ &v.name }<small>{ format!(" {sex} {age}") }</small></h1>
                <dl>
                    <dt>{ tr.t("card_conditions") }</dt><dd>{ list_or_none(tr, &v.conditions) }</dd>
                    <dt>{ tr.t("card_allergies") }</dt>
                    <dd class={if v.allergies.is_empty() { "" } else { "allergy" }}>{ list_or_none(tr, &v.allergies) }</dd>
                    <dt>{ tr.t("card_contact") }</dt><dd>{ format!("{} {}", v.contact_name, v.contact_phone) }</dd>
                    <dt>{ tr.t("card_address") }</dt><dd>{ &v.address }</dd>
                    <dt>{ tr.t("card_last_visit") }</dt><dd>{ v.last_visit.clone().unwrap_or_else(|| tr.t("duty_never_visited")) }</dd>
                </dl>
                if !v.last_vitals.is_empty() {
                    <h2>{ tr.t("card_last_vitals") }</h2>
                    <ul class="last-vitals">{ for vitals }</ul>
                }
                if !v.open_warnings.is_empty() {
                    <h2 class="warn">{ tr.t("card_warnings") }</h2>
                    <ul class="warnings">{ for v.open_warnings.iter().map(|w| html! { <li>{ w }</li> }) }</ul>
                }
            </section>
            <button id="start-visit" class="btn primary huge" onclick={start}>
                { if *has_draft { tr.t("card_continue_visit") } else { tr.t("card_start_visit") } }
            </button>
        </div>
    }
}
