//! The nine steps at a glance: done ticked, missing crossed, and what else is missing.

use yew::prelude::*;

use crate::api::NineSteps;
use crate::hooks::use_tr;

/// Properties.
#[derive(Properties, PartialEq)]
pub struct NineStepsProps {
    /// The steps.
    pub steps: NineSteps,
    /// Complete.
    pub complete: bool,
}

/// The nine-step view.
#[function_component(NineStepsView)]
pub fn nine_steps_view(p: &NineStepsProps) -> Html {
    let tr = use_tr();
    let cells = p.steps.steps.iter().map(|s| {
        let done = s.done_at.is_some();
        let key = format!("step_{}", s.code.replace('.', "_"));
        html! {
            <li class={if done { "step done" } else { "step missing" }} data-step={s.code.clone()}>
                <span class="mark">{ if done { "✓" } else { "✗" } }</span>
                <span>{ tr.t(&key) }</span>
            </li>
        }
    });
    let mut missing = Vec::new();
    if !p.steps.acknowledged {
        missing.push(tr.t("nine_ack_missing"));
    }
    for day in &p.steps.days_missing_records {
        missing.push(tr.tf("nine_days_missing", &[("day", day)]));
    }
    let done = p.steps.steps.iter().filter(|s| s.done_at.is_some()).count();
    html! {
        <section id="nine-steps" class="card nine" data-complete={p.complete.to_string()}>
            <h2>{ tr.t("nine_title") }</h2>
            <div id="nine-summary" class={if p.complete { "summary complete" } else { "summary" }}>
                { if p.complete { tr.t("episode_complete") } else { tr.tf("episode_progress", &[("n", &done.to_string())]) } }
            </div>
            <ol class="steps">{ for cells }</ol>
            if !missing.is_empty() {
                <p class="missing">{ tr.t("nine_missing") }{ missing.join("；") }</p>
            }
        </section>
    }
}
