//! Integration tests of the device store, in one binary: what the app calls saved survives a
//! killed process, old store files open with nothing lost, and unreadable data is set aside
//! without stopping the rest from loading.

#[path = "store/cli.rs"]
mod cli;
#[path = "store/crash.rs"]
mod crash;
#[path = "store/durability.rs"]
mod durability;
#[path = "store/migration.rs"]
mod migration;
#[path = "store/photo_cli.rs"]
mod photo_cli;
#[path = "store/quarantine.rs"]
mod quarantine;
#[path = "store/support.rs"]
mod support;
