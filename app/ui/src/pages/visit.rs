//! The home-visit form: check in, readings checked as typed, observations, education, photos,
//! escalation, escort request, check out. Every change is saved as a draft on the device, so
//! closing the app mid-visit loses nothing.

use std::collections::HashMap;

use peihu_shared::rules::{Thresholds, VitalInput, validate_vitals};
use peihu_shared::time::format_zh;
use serde_json::json;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::api::{self, SavedVisit, VisitDraft};
use crate::components::vital_field::VitalField;
use crate::hooks::{Tr, refresh_status, use_app, use_tr};
use crate::i18n::Lang;
use crate::state::{Action, Page};

/// Health-education topics offered (codes; labels in the i18n files as `edu_<code>`).
const TOPICS: [&str; 8] = [
    "bp_control",
    "diet",
    "medication",
    "fall_prevention",
    "heat_cold",
    "fraud",
    "hygiene",
    "exercise",
];

/// Readings in form order, by code; each has its label `vital_<code>` and unit `unit_<code>`
/// in the resource files.
const VITALS: [&str; 7] = ["sys", "dia", "pulse", "temp", "glucose", "spo2", "weight"];

/// What checking the typed readings found, by field code.
#[derive(Debug, Default, PartialEq)]
pub struct Checked {
    /// Refusals and unreadable numbers.
    pub errors: HashMap<&'static str, String>,
    /// Accepted but unusual.
    pub warnings: HashMap<&'static str, String>,
}

fn text_of<'a>(d: &'a VisitDraft, code: &str) -> &'a str {
    match code {
        "sys" => &d.sys,
        "dia" => &d.dia,
        "pulse" => &d.pulse,
        "temp" => &d.temp,
        "glucose" => &d.glucose,
        "spo2" => &d.spo2,
        _ => &d.weight,
    }
}

fn set_text(d: &mut VisitDraft, code: &str, text: String) {
    match code {
        "sys" => d.sys = text,
        "dia" => d.dia = text,
        "pulse" => d.pulse = text,
        "temp" => d.temp = text,
        "glucose" => d.glucose = text,
        "spo2" => d.spo2 = text,
        _ => d.weight = text,
    }
}

fn number(text: &str) -> Result<Option<f64>, ()> {
    let t = text.trim().replace(['，', '。'], ".");
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<f64>().map(Some).map_err(|_| ())
}

/// Checks the typed readings with the shared rules; messages in `lang`.
pub fn check(d: &VisitDraft, lang: Lang) -> Checked {
    let mut out = Checked::default();
    let mut read = |code: &'static str| match number(text_of(d, code)) {
        Ok(v) => v,
        Err(()) => {
            out.errors.insert(code, crate::i18n::t(lang, "vital_not_number"));
            None
        }
    };
    let input = VitalInput {
        sys: read("sys"),
        dia: read("dia"),
        pulse: read("pulse"),
        temp: read("temp"),
        glucose: read("glucose"),
        spo2: read("spo2"),
        weight: read("weight"),
        ..VitalInput::default()
    };
    let pick = |c: &peihu_shared::rules::Check| match lang {
        Lang::Zh => c.message_zh.clone(),
        Lang::En => c.message_en.clone(),
    };
    match validate_vitals(&input, &Thresholds::default()) {
        Ok((_, warnings)) => {
            for w in &warnings {
                out.warnings.insert(w.field, pick(w));
            }
        }
        Err(e) => {
            for r in &e.refusals {
                out.errors.entry(r.field).or_insert_with(|| pick(r));
            }
        }
    }
    out
}

fn submission(d: &VisitDraft) -> serde_json::Value {
    let n = |code: &str| number(text_of(d, code)).ok().flatten();
    let typed = d.typed_location;
    json!({
        "arrived": d.arrived.unwrap_or_else(api::now_ms),
        "lat": if typed { number(&d.lat).ok().flatten() } else { None },
        "lon": if typed { number(&d.lon).ok().flatten() } else { None },
        "sys": n("sys"), "dia": n("dia"), "pulse": n("pulse"), "temp": n("temp"),
        "glucose": n("glucose"), "spo2": n("spo2"), "weight": n("weight"),
        "notes": d.notes, "education": d.education, "photos": d.photos,
        "escalation": d.escalate.then(|| d.escalation.clone()),
        "escort_request": d.escort.then(|| d.escort_reason.clone()),
    })
}

/// Properties.
#[derive(Properties, PartialEq)]
pub struct VisitProps {
    /// Beneficiary id.
    pub id: AttrValue,
}

/// The visit form page.
#[function_component(Visit)]
pub fn visit(p: &VisitProps) -> Html {
    let app = use_app();
    let tr = use_tr();
    let draft = use_state(VisitDraft::default);
    let loaded = use_state(|| false);
    let name = use_state(String::new);
    let busy = use_state(|| false);
    let error = use_state(|| None::<String>);
    use_load_draft(p.id.to_string(), draft.clone(), loaded.clone(), name.clone());
    use_autosave(p.id.to_string(), (*draft).clone(), *loaded);

    let edit = {
        let draft = draft.clone();
        move |f: Box<dyn Fn(&mut VisitDraft)>| {
            let mut d = (*draft).clone();
            f(&mut d);
            draft.set(d);
        }
    };
    let checked = check(&draft, tr.0);
    let d = (*draft).clone();

    let checkin = {
        let edit = edit.clone();
        Callback::from(move |_| edit(Box::new(|d| d.arrived = Some(api::now_ms()))))
    };
    let vital_fields = VITALS.iter().map(|code| {
        let edit = edit.clone();
        let code_s = code.to_string();
        let oninput = Callback::from(move |text: String| {
            let code = code_s.clone();
            edit(Box::new(move |d| set_text(d, &code, text.clone())));
        });
        html! {
            <VitalField code={*code} label={tr.t(&format!("vital_{code}"))} unit={tr.t(&format!("unit_{code}"))}
                value={text_of(&d, code).to_string()}
                error={checked.errors.get(code).cloned().map(AttrValue::from)}
                warning={checked.warnings.get(code).cloned().map(AttrValue::from)} {oninput} />
        }
    });
    let topics = TOPICS.iter().map(|code| {
        let on = d.education.iter().any(|c| c == code);
        let edit = edit.clone();
        let code_s = code.to_string();
        let onclick = Callback::from(move |_| {
            let code = code_s.clone();
            edit(Box::new(move |d| {
                if let Some(i) = d.education.iter().position(|c| *c == code) {
                    d.education.remove(i);
                } else {
                    d.education.push(code.clone());
                }
            }));
        });
        html! {
            <button type="button" class={if on { "chip on" } else { "chip" }} data-topic={*code} {onclick}>
                { if on { "✓ " } else { "" } }{ tr.t(&format!("edu_{code}")) }
            </button>
        }
    });
    let on_photo = photo_picker(p.id.to_string(), edit.clone(), busy.clone(), error.clone());
    let submit = {
        let (app, draft, id, busy, error) =
            (app.clone(), draft, p.id.to_string(), busy.clone(), error.clone());
        let has_errors = !checked.errors.is_empty();
        Callback::from(move |_| {
            if has_errors {
                error.set(Some("visit_fix_errors".into()));
                return;
            }
            busy.set(true);
            let args =
                json!({ "beneficiary": id, "visit": submission(&draft), "now": api::now_ms() });
            let (app, busy, error) = (app.clone(), busy.clone(), error.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match api::call::<SavedVisit>("record_visit", args).await {
                    Ok(_) => {
                        refresh_status(&app).await;
                        app.dispatch(Action::Notice(Some("visit_saved".into())));
                        app.dispatch(Action::Go(Page::Duty));
                    }
                    Err(e) => error.set(Some(format!("error_{}", e.code))),
                }
                busy.set(false);
            });
        })
    };
    let back = {
        let (app, id) = (app, p.id.to_string());
        Callback::from(move |_| app.dispatch(Action::Go(Page::Beneficiary(id.clone()))))
    };
    html! {
        <div class="visit">
            <button class="btn ghost" onclick={back}>{ format!("‹ {}", tr.t("back")) }</button>
            <h1>{ tr.tf("visit_title", &[("name", &name)]) }</h1>
            { checkin_section(tr, &d, checkin, edit.clone()) }
            <section class="card">
                <h2>{ tr.t("visit_vitals") }</h2>
                <div class="vitals-grid">{ for vital_fields }</div>
            </section>
            { notes_section(tr, &d, edit.clone()) }
            <section class="card">
                <h2>{ tr.t("visit_education") }</h2>
                <div class="chips">{ for topics }</div>
            </section>
            <section class="card">
                <h2>{ tr.t("visit_photos") }</h2>
                <label class="btn file-btn">{ tr.t("visit_photo_add") }
                    <input id="photo-input" type="file" accept="image/jpeg,image/png" capture="environment" onchange={on_photo} />
                </label>
                <span id="photo-count" class="photo-count">
                    { if *busy { tr.t("visit_photo_busy") } else { tr.tf("visit_photo_count", &[("n", &d.photos.len().to_string())]) } }
                </span>
            </section>
            { flags_section(tr, &d, edit) }
            if let Some(k) = &*error {
                <div id="visit-error" class="form-error" role="alert">
                    { if let Some(code) = k.strip_prefix("error_") { tr.error(code) } else { tr.t(k) } }
                </div>
            }
            <div class="submit-bar">
                <span class="draft-note">{ if *loaded { tr.t("visit_draft_saved") } else { String::new() } }</span>
                <button id="visit-submit" class="btn primary huge" onclick={submit} disabled={*busy}>{ tr.t("visit_submit") }</button>
            </div>
        </div>
    }
}

type Edit = Box<dyn Fn(Box<dyn Fn(&mut VisitDraft)>)>;

fn boxed(edit: impl Fn(Box<dyn Fn(&mut VisitDraft)>) + 'static) -> Edit {
    Box::new(edit)
}

fn checkin_section(
    tr: Tr,
    d: &VisitDraft,
    checkin: Callback<MouseEvent>,
    edit: impl Fn(Box<dyn Fn(&mut VisitDraft)>) + Clone + 'static,
) -> Html {
    let e1 = boxed(edit.clone());
    let toggle = Callback::from(move |e: Event| {
        let on = e.target_unchecked_into::<HtmlInputElement>().checked();
        e1(Box::new(move |d| d.typed_location = on));
    });
    let e2 = boxed(edit.clone());
    let lat = Callback::from(move |e: InputEvent| {
        let v = e.target_unchecked_into::<HtmlInputElement>().value();
        e2(Box::new(move |d| d.lat = v.clone()));
    });
    let e3 = boxed(edit);
    let lon = Callback::from(move |e: InputEvent| {
        let v = e.target_unchecked_into::<HtmlInputElement>().value();
        e3(Box::new(move |d| d.lon = v.clone()));
    });
    html! {
        <section class="card">
            <h2>{ tr.t("visit_checkin") }</h2>
            if let Some(at) = d.arrived {
                <p id="checked-in" class="ok">{ tr.tf("visit_checked_in", &[("t", &format_zh(at))]) }</p>
            } else {
                <button id="checkin" class="btn primary big" onclick={checkin}>{ tr.t("visit_checkin_button") }</button>
            }
            <div class="location">
                <span class="k">{ tr.t("visit_location") }</span>
                if !d.typed_location { <span id="location-na">{ tr.t("visit_location_na") }</span> }
                <label class="check"><input id="type-location" type="checkbox" checked={d.typed_location} onchange={toggle} />{ tr.t("visit_location_type") }</label>
                if d.typed_location {
                    <label class="inline">{ tr.t("visit_lat") }<input id="lat" type="text" inputmode="decimal" value={d.lat.clone()} oninput={lat} /></label>
                    <label class="inline">{ tr.t("visit_lon") }<input id="lon" type="text" inputmode="decimal" value={d.lon.clone()} oninput={lon} /></label>
                }
            </div>
        </section>
    }
}

fn notes_section(
    tr: Tr,
    d: &VisitDraft,
    edit: impl Fn(Box<dyn Fn(&mut VisitDraft)>) + 'static,
) -> Html {
    let oninput = Callback::from(move |e: InputEvent| {
        let v = e.target_unchecked_into::<web_sys::HtmlTextAreaElement>().value();
        edit(Box::new(move |d| d.notes = v.clone()));
    });
    html! {
        <section class="card">
            <h2>{ tr.t("visit_observations") }</h2>
            <textarea id="notes" placeholder={tr.t("visit_notes_hint")} value={d.notes.clone()} {oninput} />
        </section>
    }
}

fn flags_section(
    tr: Tr,
    d: &VisitDraft,
    edit: impl Fn(Box<dyn Fn(&mut VisitDraft)>) + Clone + 'static,
) -> Html {
    let e1 = boxed(edit.clone());
    let esc = Callback::from(move |e: Event| {
        let on = e.target_unchecked_into::<HtmlInputElement>().checked();
        e1(Box::new(move |d| d.escalate = on));
    });
    let e2 = boxed(edit.clone());
    let esc_reason = Callback::from(move |e: InputEvent| {
        let v = e.target_unchecked_into::<HtmlInputElement>().value();
        e2(Box::new(move |d| d.escalation = v.clone()));
    });
    let e3 = boxed(edit.clone());
    let escort = Callback::from(move |e: Event| {
        let on = e.target_unchecked_into::<HtmlInputElement>().checked();
        e3(Box::new(move |d| d.escort = on));
    });
    let e4 = boxed(edit);
    let escort_reason = Callback::from(move |e: InputEvent| {
        let v = e.target_unchecked_into::<HtmlInputElement>().value();
        e4(Box::new(move |d| d.escort_reason = v.clone()));
    });
    html! {
        <section class="card flags">
            <label class="check big"><input id="escalate" type="checkbox" checked={d.escalate} onchange={esc} />{ tr.t("visit_escalate") }</label>
            if d.escalate {
                <input id="escalation" type="text" placeholder={tr.t("visit_escalate_reason")} value={d.escalation.clone()} oninput={esc_reason} />
            }
            <label class="check big"><input id="escort" type="checkbox" checked={d.escort} onchange={escort} />{ tr.t("visit_escort") }</label>
            if d.escort {
                <input id="escort-reason" type="text" placeholder={tr.t("visit_escort_reason")} value={d.escort_reason.clone()} oninput={escort_reason} />
            }
        </section>
    }
}

fn photo_picker(
    id: String,
    edit: impl Fn(Box<dyn Fn(&mut VisitDraft)>) + Clone + 'static,
    busy: UseStateHandle<bool>,
    error: UseStateHandle<Option<String>>,
) -> Callback<Event> {
    Callback::from(move |e: Event| {
        let input = e.target_unchecked_into::<HtmlInputElement>();
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        let (id, edit, busy, error) =
            (id.clone(), boxed(edit.clone()), busy.clone(), error.clone());
        busy.set(true);
        wasm_bindgen_futures::spawn_local(async move {
            let buffer = wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await;
            let bytes = buffer.map(|b| js_sys::Uint8Array::new(&b).to_vec()).unwrap_or_default();
            match api::call::<String>("save_photo", json!({ "beneficiary": id, "bytes": bytes }))
                .await
            {
                Ok(hash) => edit(Box::new(move |d| d.photos.push(hash.clone()))),
                Err(e) => error.set(Some(photo_error_key(&e))),
            }
            busy.set(false);
        });
    })
}

/// The message key for a refused photo: its reason (HEIF, too large, empty …) where the tablet
/// gave one, since each reason has its own way out for the helper.
fn photo_error_key(e: &api::ApiError) -> String {
    let reason = e.details.as_ref().and_then(|d| d.get("reason")).and_then(|r| r.as_str());
    match (e.code.as_str(), reason) {
        ("photo_refused", Some(reason)) => format!("error_photo_{reason}"),
        (code, _) => format!("error_{code}"),
    }
}

/// Loads the saved draft (or starts a new one) and the beneficiary's name.
#[hook]
fn use_load_draft(
    id: String,
    draft: UseStateHandle<VisitDraft>,
    loaded: UseStateHandle<bool>,
    name: UseStateHandle<String>,
) {
    use_effect_with(id, move |id| {
        let id = id.clone();
        wasm_bindgen_futures::spawn_local(async move {
            if let Ok(v) = api::call::<api::BeneficiaryView>(
                "beneficiary",
                json!({ "id": id, "now": api::now_ms() }),
            )
            .await
            {
                name.set(v.name);
            }
            if let Ok(Some(saved)) =
                api::call::<Option<VisitDraft>>("load_draft", json!({ "beneficiary": id })).await
            {
                draft.set(saved);
            }
            loaded.set(true);
        });
    });
}

/// Saves the draft on the device after every change, once the saved one has been loaded.
#[hook]
fn use_autosave(id: String, draft: VisitDraft, loaded: bool) {
    use_effect_with((draft, loaded), move |(draft, loaded)| {
        if *loaded && *draft != VisitDraft::default() {
            let form = serde_json::to_value(draft).unwrap_or_default();
            wasm_bindgen_futures::spawn_local(async move {
                let _ =
                    api::call::<()>("save_draft", json!({ "beneficiary": id, "form": form })).await;
            });
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_impossible_temperature_is_refused_beside_the_temperature_field() {
        let d = VisitDraft { temp: "98.6".into(), ..VisitDraft::default() };
        let c = check(&d, Lang::Zh);
        assert!(c.errors["temp"].contains("华氏"), "{:?}", c.errors);
        assert_eq!(c.errors.len(), 1);
    }

    #[test]
    fn text_that_is_not_a_number_is_named_as_such() {
        let d = VisitDraft { pulse: "八十".into(), ..VisitDraft::default() };
        assert_eq!(check(&d, Lang::Zh).errors["pulse"], "请填写数字");
    }

    #[test]
    fn ordinary_readings_pass_without_errors() {
        let d = VisitDraft {
            sys: "130".into(),
            dia: "80".into(),
            pulse: "72".into(),
            ..VisitDraft::default()
        };
        assert!(check(&d, Lang::Zh).errors.is_empty());
    }
}
