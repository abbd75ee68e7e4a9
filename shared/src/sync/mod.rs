//! The sans-IO sync engine: devices and the server converge through Automerge's sync protocol.
//!
//! No sockets, threads or clocks live here. The device adapter feeds responses into a
//! [`client::ClientSession`] and carries out its [`client::Effect`]s; the server adapter loads
//! documents, judges scope, and calls [`server::answer_summary`] / [`server::answer_exchange`].
//!
//! A sync goes:
//!
//! 1. The device sends a [`wire::Request::Summary`]: a 16-byte digest of every document it holds
//!    with its heads. If the server's digest of the device's scope is the same, it answers
//!    [`wire::Response::InSync`] and the sync is one small round trip.
//! 2. Otherwise the server sends the [`wire::Response::Manifest`]: the documents whose heads
//!    differ, and which documents the device must delete. The summary also names the few
//!    documents the device changed since the set both sides last agreed on
//!    ([`wire::Baseline`]); when that accounts exactly for the device's digest, the manifest
//!    names only the differences, otherwise it lists the whole scope. A document the server
//!    says to delete is kept while it may hold changes the server has not received.
//! 3. The device runs Automerge's sync protocol for every document whose heads differ, and for
//!    every document it made that the server has not seen, in batched
//!    [`wire::Request::Exchange`] rounds, until neither side has anything to send and every
//!    document's heads agree. Only then is the device told it is synced.
//!
//! Sync states are persisted after each round (only their `shared_heads`, which never run ahead
//! of what the other side truly has), so a broken connection resumes rather than restarts. A
//! restored state lets the first message carry the device's new changes, since the server
//! certainly holds the shared heads: pushing one visit is two round trips.

pub mod client;
pub mod server;
pub mod wire;
