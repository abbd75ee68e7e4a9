//! The root component: holds the reducer, asks the shell who uses this tablet, and shows the
//! page the state names under the always-visible top bar.

use serde_json::json;
use yew::prelude::*;

use crate::api::{self, AppInfo};
use crate::components::top_bar::TopBar;
use crate::hooks::use_background_sync;
use crate::pages;
use crate::state::{Action, AppState, Page};

/// Background sync period.
const SYNC_EVERY_MS: u32 = 60_000;

/// The app.
#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(AppState::default);
    {
        let state = state.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(info) = api::call::<AppInfo>("app_info", json!({})).await {
                    state.dispatch(Action::Loaded(info));
                }
            });
        });
    }
    use_background_sync(state.clone(), SYNC_EVERY_MS);
    let loading = state.page == Page::Loading;
    use_effect_with(loading, |loading| {
        if !loading {
            api::mark("peihu-first-screen");
        }
    });
    let page = match state.page.clone() {
        Page::Loading => {
            html! { <div class="loading">{ crate::i18n::t(state.lang, "loading") }</div> }
        }
        Page::Enrol => html! { <pages::enrol::Enrol /> },
        Page::Unlock => html! { <pages::unlock::Unlock /> },
        Page::Duty => html! { <pages::duty::Duty /> },
        Page::Beneficiary(id) => html! { <pages::beneficiary::Beneficiary {id} /> },
        Page::Visit(id) => html! { <pages::visit::Visit {id} /> },
        Page::Episodes => html! { <pages::episodes::Episodes /> },
        Page::Episode(id) => html! { <pages::episode::Episode {id} /> },
    };
    let notice = match (&state.notice, &state.user) {
        (Some(key), Some(_)) => {
            let s = state.clone();
            let close = Callback::from(move |_| s.dispatch(Action::Notice(None)));
            html! {
                <div id="notice" class="notice" role="status" onclick={close}>
                    { crate::i18n::t(state.lang, key) }
                </div>
            }
        }
        _ => html! {},
    };
    html! {
        <ContextProvider<crate::hooks::AppHandle> context={state}>
            <TopBar />
            <main class="page">{ notice }{ page }</main>
        </ContextProvider<crate::hooks::AppHandle>>
    }
}
