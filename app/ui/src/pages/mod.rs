//! One module per page.

pub mod beneficiary;
pub mod duty;
pub mod enrol;
pub mod episode;
pub mod episodes;
pub mod unlock;
pub mod visit;

use web_sys::HtmlInputElement;
use yew::prelude::*;

/// A callback that sets a string state from an `<input>`.
pub fn set_input(state: &UseStateHandle<String>) -> Callback<InputEvent> {
    let state = state.clone();
    Callback::from(move |e: InputEvent| {
        state.set(e.target_unchecked_into::<HtmlInputElement>().value());
    })
}
