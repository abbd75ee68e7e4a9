//! Sync figures on loopback (issue #3), printed as plain text.
//!
//! 1. A no-op sync of a device holding 200 documents: round trips and body bytes each way.
//! 2. Pushing one new visit: body bytes against the size of the visit's Automerge change.
//! 3. A new device's first sync of 200 documents with a year of visits each (daily for red,
//!    weekly for yellow, monthly for blue): bytes against the documents' compressed saved size,
//!    and time.
//! 4. The server's sustained rate with 100 simulated devices each recording a visit and syncing
//!    in a loop: syncs per second, p50/p99 latency of a whole sync, the server's peak memory
//!    (VmHWM of the server process, which runs as a child so its memory is its own).
//!
//! `cargo bench -p peihu-tests --bench sync`; `PEIHU_BENCH_SECS` sets the length of part 4
//! (default 20 s).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use peihu_server::storage::Role;
use peihu_server::storage::sqlite::SqliteStorage;
use peihu_shared::doc;
use peihu_shared::ids::{BeneficiaryId, DocId, VisitId};
use peihu_shared::model::{CheckIn, Provenance, RiskColour, Visit, Vitals};
use peihu_tests::{
    ChildServer, Dice, Field, TestServer, VILLAGE_A, add_user, new_beneficiary, now, place,
    prepare, seed_beneficiary, server_prov,
};

const DAY_MS: i64 = 86_400_000;

fn main() {
    if peihu_tests::serve_as_child() {
        return;
    }
    noop_and_one_visit();
    bootstrap();
    sustained();
}

fn noop_and_one_visit() {
    let server = TestServer::start();
    let beneficiaries: Vec<BeneficiaryId> =
        (0..100).map(|n| seed_beneficiary(&server.storage, VILLAGE_A, n)).collect();
    let mut field = server.helper("helper-a", VILLAGE_A);
    let first = field.sync().expect("first sync");
    assert!(first.outcome.synced && field.store.doc_ids().count() == 200);
    noop(&mut field);
    one_visit(&mut field, &beneficiaries);
}

fn noop(field: &mut Field) {
    let started = Instant::now();
    let runs = 20;
    let mut last = None;
    for _ in 0..runs {
        last = Some(field.sync().expect("no-op sync"));
    }
    let noop = last.expect("ran");
    println!("== no-op sync, device holding 200 documents");
    println!(
        "   round trips {}, request body {} B, response body {} B, mean time {:.1} ms",
        noop.requests,
        noop.sent,
        noop.received,
        started.elapsed().as_secs_f64() * 1000.0 / f64::from(runs)
    );
    println!(
        "   target: 1 round trip, bodies < 200 B each way -> {}",
        verdict(noop.requests == 1 && noop.sent < 200 && noop.received < 200)
    );
}

fn one_visit(field: &mut Field, beneficiaries: &[BeneficiaryId]) {
    println!("== pushing one new visit (device holding 200 documents)");
    let mut worst_ratio: f64 = 0.0;
    for (i, b) in beneficiaries.iter().take(10).enumerate() {
        field.visit(*b);
        let change = field
            .doc(&DocId::Case(*b))
            .expect("case")
            .clone()
            .get_last_local_change()
            .expect("a local change")
            .raw_bytes()
            .len();
        let push = field.sync().expect("push");
        assert!(push.outcome.synced);
        let total = push.sent + push.received;
        let budget = 2 * change as u64 + 300;
        worst_ratio = worst_ratio.max(total as f64 / budget as f64);
        if i < 3 {
            println!(
                "   change {change} B: round trips {}, sent {} B, received {} B, total {total} B, budget 2x+300 = {budget} B",
                push.requests, push.sent, push.received
            );
        }
    }
    println!(
        "   worst of 10 pushes: {:.0}% of budget -> {}",
        worst_ratio * 100.0,
        verdict(worst_ratio < 1.0)
    );
}

fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "MISSED" }
}

/// A case with a year of visits at its colour's cadence.
fn case_with_a_year(storage: &SqliteStorage, n: u64, end: i64) -> usize {
    let mut new = new_beneficiary(VILLAGE_A, n);
    new.colour = match n % 4 {
        0 => RiskColour::Red,
        1 | 2 => RiskColour::Yellow,
        _ => RiskColour::Blue,
    };
    let start = end - 365 * DAY_MS;
    let prov = Provenance { at: start, ..server_prov() };
    let (mut card, mut case) = doc::new_beneficiary(&new, &prov).expect("documents");
    let step = match new.colour {
        RiskColour::Red => DAY_MS,
        RiskColour::Yellow => 7 * DAY_MS,
        RiskColour::Blue => 30 * DAY_MS,
    };
    let mut dice = Dice::new(n);
    let mut count = 0;
    let mut at = start + DAY_MS / 3;
    while at < end {
        let visit = Visit {
            photo_facts: None,
            id: VisitId::new_random(),
            prov: Provenance { at: at + 1_800_000, ..prov.clone() },
            arrived: at,
            departed: at + 1_800_000,
            checkin: CheckIn::unavailable(),
            vitals: Vitals { pulse: Some(60 + dice.below(40) as u16), ..Vitals::default() },
            notes: "血压平稳，按时服药".into(),
            education: vec!["diet".into()],
            photos: vec![],
            escalation: None,
            amendments: Default::default(),
        };
        doc::add_visit(&mut case, &visit).expect("visit");
        count += 1;
        at += step;
    }
    storage.put_new_doc(DocId::Card(new.id), &mut card, end).expect("card");
    storage.put_new_doc(DocId::Case(new.id), &mut case, end).expect("case");
    count
}

fn bootstrap() {
    let server = TestServer::start();
    let built = Instant::now();
    let visits: usize = (0..100).map(|n| case_with_a_year(&server.storage, n, now())).sum();
    let build_secs = built.elapsed().as_secs_f64();
    let (_, code) = add_user(&server.storage, "helper-new", Role::Helper, VILLAGE_A, None);
    let ids = all_doc_ids(&server.storage);
    let saved: usize = ids.iter().map(|id| server.doc(id).expect("doc").save().len()).sum();

    let mut field = Field::enroll(&server.url, &code);
    let started = Instant::now();
    let first = field.sync().expect("bootstrap");
    let secs = started.elapsed().as_secs_f64();
    assert!(first.outcome.synced && field.store.doc_ids().count() == 200);
    let ratio = first.received as f64 / saved as f64;
    println!(
        "== first sync of a new device: 200 documents, {visits} visits over a year (built in {build_secs:.1} s)"
    );
    println!(
        "   round trips {}, sent {} B, received {} B, compressed saved size {} B, ratio {:.2}, time {:.2} s",
        first.requests, first.sent, first.received, saved, ratio, secs
    );
    println!("   target: received within 1.2x the saved size -> {}", verdict(ratio <= 1.2));
}

/// Every document the server holds.
fn all_doc_ids(storage: &SqliteStorage) -> Vec<DocId> {
    storage
        .with_conn(|c| {
            let mut stmt = c.prepare("SELECT doc_id FROM docs")?;
            let ids = stmt.query_map([], |r| r.get::<_, String>(0))?;
            Ok(ids.filter_map(|r| r.ok()?.parse().ok()).collect())
        })
        .expect("document ids")
}

/// Ten villages, ten helpers and ten beneficiaries in each.
fn fleet_data(data: &std::path::Path) -> Vec<String> {
    let storage = SqliteStorage::open(data).expect("storage");
    prepare(&storage);
    let mut codes = Vec::new();
    for v in 0..10 {
        let village = format!("370602001{:03}", 301 + v);
        storage.put_place(place(&village), "压测村（虚构）", true).expect("village");
        for n in 0..10 {
            seed_beneficiary(&storage, &village, v * 10 + n);
            let login = format!("helper-{v}-{n}");
            codes.push(add_user(&storage, &login, Role::Helper, &village, None).1);
        }
    }
    codes
}

fn vm_hwm_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

const WORKERS: usize = 16;

fn sustained() {
    let seconds: u64 =
        std::env::var("PEIHU_BENCH_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(20);
    let data = tempfile::tempdir().expect("a temp dir");
    let codes = fleet_data(data.path());
    let server = ChildServer::spawn(data.path(), &[]);
    println!(
        "== sustained: 100 devices (10 villages x 10 helpers), {WORKERS} client threads, {seconds} s"
    );
    println!("   server process: {}", server.program);
    let mut fields: Vec<Field> = codes.iter().map(|c| Field::enroll(&server.url, c)).collect();
    for f in &mut fields {
        assert!(f.sync().expect("initial sync").outcome.synced);
    }
    let idle_kb = vm_hwm_kb(server.pid()).unwrap_or(0);

    let (mut latencies, failures, elapsed) = run_fleet(fields, seconds);
    latencies.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    println!(
        "   {} syncs ({failures} not synced), {:.1} syncs/s, latency p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        latencies.len(),
        latencies.len() as f64 / elapsed,
        ms(pct(0.50)),
        ms(pct(0.99)),
        ms(latencies.last().copied().unwrap_or_default())
    );
    println!(
        "   server memory: VmHWM {} MiB (after the devices' first syncs: {} MiB)",
        vm_hwm_kb(server.pid()).unwrap_or(0) / 1024,
        idle_kb / 1024
    );
}

/// Runs the devices on [`WORKERS`] threads for `seconds`; returns every synced sync's latency,
/// the count of syncs that did not finish, and the elapsed seconds.
fn run_fleet(fields: Vec<Field>, seconds: u64) -> (Vec<Duration>, u32, f64) {
    let stop = Arc::new(AtomicBool::new(false));
    let mut groups: Vec<Vec<Field>> = (0..WORKERS).map(|_| Vec::new()).collect();
    for (i, f) in fields.into_iter().enumerate() {
        groups[i % WORKERS].push(f);
    }
    let started = Instant::now();
    let handles: Vec<_> = groups
        .into_iter()
        .enumerate()
        .map(|(w, group)| {
            let stop = stop.clone();
            std::thread::spawn(move || drive(group, &stop, w as u64))
        })
        .collect();
    std::thread::sleep(Duration::from_secs(seconds));
    stop.store(true, Ordering::Relaxed);
    let (mut latencies, mut failures) = (Vec::new(), 0);
    for h in handles {
        let (l, f) = h.join().expect("worker");
        latencies.extend(l);
        failures += f;
    }
    (latencies, failures, started.elapsed().as_secs_f64())
}

/// One client thread: its devices take turns to record a visit and sync.
fn drive(mut group: Vec<Field>, stop: &AtomicBool, seed: u64) -> (Vec<Duration>, u32) {
    let mut dice = Dice::new(seed);
    let mut latencies = Vec::new();
    let mut failures = 0;
    while !stop.load(Ordering::Relaxed) {
        for field in &mut group {
            let cases: Vec<BeneficiaryId> = field
                .store
                .doc_ids()
                .filter_map(|id| match id {
                    DocId::Case(b) => Some(*b),
                    _ => None,
                })
                .collect();
            field.visit(cases[dice.below(cases.len())]);
            let started = Instant::now();
            match field.sync() {
                Ok(s) if s.outcome.synced => latencies.push(started.elapsed()),
                _ => failures += 1,
            }
        }
    }
    (latencies, failures)
}
