//! The clarity card (明白卡) full-screen in large type, to read together at the bedside.

use yew::prelude::*;

use crate::hooks::use_tr;

/// Properties.
#[derive(Properties, PartialEq)]
pub struct ClarityCardProps {
    /// Close it.
    pub onclose: Callback<()>,
}

/// The clarity card overlay.
#[function_component(ClarityCard)]
pub fn clarity_card(p: &ClarityCardProps) -> Html {
    let tr = use_tr();
    let close = p.onclose.reform(|_| ());
    html! {
        <div id="clarity-card" class="overlay clarity">
            <h1>{ tr.t("clarity_title") }</h1>
            { for ["coverage", "standard", "complaints"].iter().enumerate().map(|(i, k)| html! {
                <section>
                    <h2>{ format!("{}. {}", i + 1, tr.t(&format!("notice_{k}"))) }</h2>
                    <p>{ tr.t(&format!("notice_{k}_text")) }</p>
                </section>
            }) }
            <button id="clarity-close" class="btn primary huge" onclick={close}>{ tr.t("close") }</button>
        </div>
    }
}
