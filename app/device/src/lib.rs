//! # peihu-device: what a tablet or headless client holds and does
//!
//! Three layers, none of which knows about Tauri:
//!
//! - [`store`]: the durable SQLite store of Automerge documents. A saved edit is on disk before
//!   the call returns; unreadable data is quarantined, never allowed to stop the rest loading.
//! - [`field`]: the work of helpers and escorts as plain functions over the store: the duty
//!   list, recording a visit with validated vitals, the nine steps of an episode.
//! - [`tablet`]: the tablet app's API (profiles with PINs, drafts, sync status) that the Tauri
//!   shell wraps command by command.
//! - `peihu-field`, the headless client binary built on both (see `src/main.rs`).
//!
//! The Tauri shell and the tests call the same functions.

pub mod field;
pub mod photos;
pub mod store;
pub mod sync;
pub mod tablet;

pub use store::{Store, StoreError};
