//! Sync end to end (issue #3): devices on real stores, a real server on loopback, and the
//! sans-IO engine on a deterministic in-memory network.
//!
//! - `sim`: the engine alone, under a seeded storm of lost, duplicated and replayed round trips
//!   and crashes.
//! - `convergence`: two helpers editing one beneficiary offline; syncs in a row.
//! - `failures`: a SIGKILLed server, a connection cut mid-sync, a device revoked mid-sync, an
//!   undecodable document among many.
//! - `scope`: who may receive and write what, and every refusal.
//! - `clock`: devices whose clocks are days or a year off.

#[path = "sync/clock.rs"]
mod clock;
#[path = "sync/convergence.rs"]
mod convergence;
#[path = "sync/failures.rs"]
mod failures;
#[path = "sync/scope.rs"]
mod scope;
#[path = "sync/sim.rs"]
mod sim;

/// Not a test: the entry point of the child server that the SIGKILL test starts when no fresh
/// `peihu-server` binary is at hand (see `peihu_tests::ChildServer`).
#[test]
#[ignore = "runs only as the child server of the SIGKILL test"]
fn child_server_process() {
    assert!(
        peihu_tests::serve_as_child(),
        "run by the SIGKILL test with {} set",
        peihu_tests::CHILD_DATA_ENV
    );
}

/// The arguments that make this test binary run [`child_server_process`].
pub const CHILD_ARGS: &[&str] = &["--ignored", "--exact", "child_server_process", "--nocapture"];
