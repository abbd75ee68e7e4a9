//! `peihu-tablet`: opens the data folder and runs the window.

use anyhow::Context;
use peihu_device::tablet::Tablet;
use peihu_tablet::{Shared, builder, data_dir_from_env, server_from_env};
use tauri::Manager;

/// Turns off what a form-filling app does not use and a tablet pays for in memory: GPU
/// compositing (under a software GL driver it alone holds ~100 MB), WebGL, web audio, the
/// back-forward page cache and WebKit's browser-sized resource caches.
#[cfg(target_os = "linux")]
fn lighten(webview: &tauri::webview::PlatformWebview) {
    use webkit2gtk::{
        CacheModel, HardwareAccelerationPolicy, SettingsExt, WebContextExt, WebViewExt,
    };
    let view = webview.inner();
    if let Some(settings) = WebViewExt::settings(&view) {
        settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
        settings.set_enable_webgl(false);
        settings.set_enable_webaudio(false);
        settings.set_enable_page_cache(false);
    }
    if let Some(context) = view.context() {
        context.set_cache_model(CacheModel::DocumentViewer);
    }
}

#[cfg(not(target_os = "linux"))]
fn lighten(_webview: &tauri::webview::PlatformWebview) {}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let context = tauri::generate_context!("../../tauri.conf.json");
    builder(tauri::Builder::default())
        .setup(|app| {
            let data = match data_dir_from_env() {
                Some(d) => d,
                None => app.path().app_data_dir()?,
            };
            app.manage(Shared::new(Tablet::open(&data, server_from_env())?));
            for window in app.webview_windows().into_values() {
                window.with_webview(|webview| lighten(&webview))?;
            }
            Ok(())
        })
        .run(context)
        .context("the tablet app failed to start")
}
