//! One written step (a daily record or a handover): text, optionally "to whom", and save.

use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::hooks::use_tr;

/// Properties.
#[derive(Properties, PartialEq)]
pub struct TextStepProps {
    /// Element id stem, e.g. `daily-services`.
    pub id: AttrValue,
    /// Heading.
    pub label: AttrValue,
    /// Placeholder.
    #[prop_or_default]
    pub hint: AttrValue,
    /// Ask to whom it was handed (handovers).
    #[prop_or_default]
    pub with_recipient: bool,
    /// Already done; shows this badge.
    pub done: Option<AttrValue>,
    /// Save with (text, recipient).
    pub onsave: Callback<(String, String)>,
}

/// A written step.
#[function_component(TextStep)]
pub fn text_step(p: &TextStepProps) -> Html {
    let tr = use_tr();
    let text = use_state(String::new);
    let to = use_state(|| tr.t("handover_to_default"));
    let on_text = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            text.set(e.target_unchecked_into::<HtmlTextAreaElement>().value());
        })
    };
    let on_to = {
        let to = to.clone();
        Callback::from(move |e: InputEvent| {
            to.set(e.target_unchecked_into::<HtmlInputElement>().value());
        })
    };
    let save = {
        let (text, to, onsave) = (text.clone(), to.clone(), p.onsave.clone());
        Callback::from(move |_| {
            onsave.emit(((*text).clone(), (*to).clone()));
            text.set(String::new());
        })
    };
    html! {
        <div class="text-step" id={p.id.clone()}>
            <div class="text-step-head">
                <h3>{ &p.label }</h3>
                if let Some(d) = &p.done { <span class="badge done">{ d }</span> }
            </div>
            <textarea id={format!("{}-text", p.id)} placeholder={p.hint.clone()} value={(*text).clone()} oninput={on_text} />
            if p.with_recipient {
                <label class="inline">{ tr.t("handover_to") }
                    <input id={format!("{}-to", p.id)} type="text" value={(*to).clone()} oninput={on_to} />
                </label>
            }
            <button id={format!("{}-save", p.id)} class="btn primary" onclick={save}
                disabled={text.trim().is_empty()}>{ tr.t("save") }</button>
        </div>
    }
}
