//! `peihu-tablet`: opens the data folder and runs the window.

use anyhow::Context;
use peihu_device::tablet::Tablet;
use peihu_tablet::{Shared, builder, data_dir_from_env, server_from_env};
use tauri::Manager;

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
            Ok(())
        })
        .run(context)
        .context("the tablet app failed to start")
}
