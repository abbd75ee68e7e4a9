//! # peihu-ui: the tablet's screens
//!
//! A Yew app rendered in the Tauri window. It talks to the device core only through Tauri
//! commands ([`api`]), keeps app-wide state in one reducer ([`state`]), and puts every string in
//! `i18n/*.toml` ([`i18n`]). Pages live in [`pages`], one module each; reusable pieces in
//! [`components`], one component per file; hooks in [`hooks`].
//!
//! Vital signs are checked as they are typed with the same rules the device and server use
//! (`peihu_shared::rules::validate_vitals`), so the error appears beside the field at once.

mod api;
mod app;
mod components;
mod hooks;
mod i18n;
mod pages;
mod state;

fn main() {
    api::mark("peihu-wasm-started");
    yew::Renderer::<app::App>::new().render();
}
