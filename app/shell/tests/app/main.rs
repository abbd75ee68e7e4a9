//! The tablet app's tests: commands through Tauri's mock runtime, and the whole app in a real
//! WebKit window driven over WebDriver. Both talk to a real `peihu-server` on loopback.

mod commands;
mod e2e;
mod support;
