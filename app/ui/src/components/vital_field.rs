//! One reading: label, big number input, unit, and the problem with it right beside.

use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Properties of a reading input.
#[derive(Properties, PartialEq)]
pub struct VitalFieldProps {
    /// Field code (`sys`, `pulse` …), used in element ids.
    pub code: AttrValue,
    /// Label.
    pub label: AttrValue,
    /// Unit.
    pub unit: AttrValue,
    /// Text as typed.
    pub value: AttrValue,
    /// A refusal to show beside the field.
    pub error: Option<AttrValue>,
    /// A softer note (unusual but accepted).
    pub warning: Option<AttrValue>,
    /// New text.
    pub oninput: Callback<String>,
}

/// A reading input.
#[function_component(VitalField)]
pub fn vital_field(p: &VitalFieldProps) -> Html {
    let oninput = {
        let cb = p.oninput.clone();
        Callback::from(move |e: InputEvent| {
            cb.emit(e.target_unchecked_into::<HtmlInputElement>().value());
        })
    };
    let class = if p.error.is_some() { "vital invalid" } else { "vital" };
    html! {
        <div class={class}>
            <label for={format!("vital-{}", p.code)}>{ &p.label }</label>
            <div class="vital-input">
                <input id={format!("vital-{}", p.code)} type="text" inputmode="decimal"
                    value={p.value.clone()} {oninput} autocomplete="off" />
                <span class="unit">{ &p.unit }</span>
            </div>
            if let Some(e) = &p.error {
                <div class="field-error" id={format!("error-{}", p.code)} role="alert">{ e }</div>
            }
            if let Some(w) = &p.warning {
                <div class="field-warning" id={format!("warning-{}", p.code)}>{ w }</div>
            }
        </div>
    }
}
