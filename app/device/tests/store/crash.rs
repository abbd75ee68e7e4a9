//! A visit the app reported saved survives the process being killed at any moment.
//!
//! The parent test runs this same test binary again as a child, limited to the ignored test
//! below. The child opens the store and records visits as fast as it can, printing each id only
//! after `record_visit` returned. The parent kills it with SIGKILL after a random delay, reopens
//! the store, and checks that every printed id is there. Kills land in the middle of SQLite
//! transactions, WAL writes and compactions alike.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use peihu_device::Store;
use peihu_device::field;
use peihu_shared::ids::{BeneficiaryId, VisitId};
use peihu_shared::rules::Thresholds;

use crate::support::{START, form, helper, register, visit_ids};

const STORE_VAR: &str = "PEIHU_CRASH_CHILD_STORE";
const BENEFICIARY_VAR: &str = "PEIHU_CRASH_CHILD_BENEFICIARY";
const CHILD_TEST: &str = "crash::child_records_visits_until_killed";
const KILLS: usize = 200;
const READY: &str = "peihu-child-ready";
const SAVED: &str = "peihu-saved ";

/// The child's side. It does nothing unless the parent named a store in the environment.
#[test]
#[ignore = "run as a child process by every_visit_reported_saved_survives_sigkill"]
fn child_records_visits_until_killed() {
    let Ok(path) = std::env::var(STORE_VAR) else {
        return;
    };
    let beneficiary: BeneficiaryId = std::env::var(BENEFICIARY_VAR)
        .expect("the parent names the beneficiary")
        .parse()
        .expect("a beneficiary id");
    let mut store = Store::open(Path::new(&path)).expect("the store opens after a kill");
    let thresholds = Thresholds::default();
    let mut out = std::io::stdout().lock();
    writeln!(out, "{READY}").and_then(|()| out.flush()).expect("write to the parent");
    for n in 0.. {
        let saved =
            field::record_visit(&mut store, beneficiary, &form(n), &helper(START), &thresholds)
                .expect("record a visit");
        // Only now is the visit acknowledged: the line is written and flushed after the call.
        writeln!(out, "{SAVED}{}", saved.id)
            .and_then(|()| out.flush())
            .expect("write to the parent");
    }
}

/// A small xorshift generator: the test prints its seed so a failing run can be repeated with
/// `PEIHU_CRASH_SEED`.
struct Delays(u64);

impl Delays {
    fn next_ms(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % 41
    }
}

fn seed() -> u64 {
    if let Some(seed) = std::env::var("PEIHU_CRASH_SEED").ok().and_then(|s| s.parse().ok()) {
        return seed;
    }
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(1);
    (nanos as u64) | 1
}

fn spawn_child(store: &Path, beneficiary: BeneficiaryId, stderr: &Path) -> Child {
    let exe = std::env::current_exe().expect("the test binary's path");
    Command::new(exe)
        .args(["--exact", CHILD_TEST, "--nocapture", "--include-ignored", "--test-threads=1"])
        .env(STORE_VAR, store)
        .env(BENEFICIARY_VAR, beneficiary.to_string())
        .stdout(Stdio::piped())
        .stderr(File::create(stderr).expect("create the child's stderr file"))
        .spawn()
        .expect("start the child")
}

/// Ids in the child's complete output lines. The test harness may put its own text before ours
/// on a line, so the marker is searched for, not expected at the start.
fn saved_id(line: &str) -> Option<VisitId> {
    let at = line.find(SAVED)?;
    line[at + SAVED.len()..].trim().parse().ok()
}

/// Runs one child, kills it after `delay_ms` of saving, and returns the ids it acknowledged.
fn run_and_kill(
    store: &Path,
    beneficiary: BeneficiaryId,
    stderr: &Path,
    delay_ms: u64,
) -> Vec<VisitId> {
    let mut child = spawn_child(store, beneficiary, stderr);
    let mut lines = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
    let child_err = || std::fs::read_to_string(stderr).unwrap_or_default();
    let ready = lines.by_ref().map_while(Result::ok).any(|l| l.contains(READY));
    assert!(ready, "the child never became ready:\n{}", child_err());

    std::thread::sleep(Duration::from_millis(delay_ms));
    child.kill().expect("send SIGKILL");
    let status = child.wait().expect("reap the child");
    assert_eq!(status.signal(), Some(9), "the child ended otherwise:\n{}", child_err());

    lines.map_while(Result::ok).filter_map(|l| saved_id(&l)).collect()
}

#[test]
fn every_visit_reported_saved_survives_sigkill_at_random_moments() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("store.sqlite");
    let stderr = dir.path().join("child.stderr");
    let beneficiaries: Vec<BeneficiaryId> = {
        let mut store = Store::open(&path).expect("create the store");
        (1..=4).map(|n| register(&mut store, n)).collect()
    };
    let seed = seed();
    eprintln!("crash test seed: {seed} (set PEIHU_CRASH_SEED to repeat)");
    let mut delays = Delays(seed);
    let mut acknowledged: BTreeMap<BeneficiaryId, BTreeSet<VisitId>> = BTreeMap::new();
    let started = Instant::now();

    for kill in 0..KILLS {
        let beneficiary = beneficiaries[kill % beneficiaries.len()];
        let saved = run_and_kill(&path, beneficiary, &stderr, delays.next_ms());
        let acked = acknowledged.entry(beneficiary).or_default();
        acked.extend(saved);

        let store = Store::open(&path).expect("the store opens after a kill");
        assert!(store.quarantined().is_empty(), "kill {kill}: {:?}", store.quarantined());
        let lost: Vec<_> = acked.difference(&visit_ids(&store, beneficiary)).copied().collect();
        assert!(lost.is_empty(), "kill {kill} (seed {seed}): acknowledged visits lost: {lost:?}");
    }

    let store = Store::open(&path).expect("the store opens at the end");
    let total: usize = acknowledged.values().map(BTreeSet::len).sum();
    for (beneficiary, ids) in &acknowledged {
        assert!(ids.is_subset(&visit_ids(&store, *beneficiary)), "{beneficiary}");
    }
    eprintln!("{KILLS} kills, {total} acknowledged visits, {:?}", started.elapsed());
    // Every kill lands while the child is in its loop, most often inside a save. This only
    // guards against a vacuous pass in which the children never got as far as saving.
    assert!(
        total >= KILLS / 10,
        "the children saved too little ({total}) for the test to mean much"
    );
}
