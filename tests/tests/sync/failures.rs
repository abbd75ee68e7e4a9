//! Syncs that break: a SIGKILLed server, a connection cut mid-sync, a device revoked mid-sync,
//! one undecodable document among many.

use std::collections::{BTreeMap, BTreeSet};

use automerge::ChangeHash;
use automerge::sync::Message;
use peihu_device::sync::{self, SyncError};
use peihu_server::storage::Role;
use peihu_server::storage::sqlite::SqliteStorage;
use peihu_shared::ids::{BeneficiaryId, DocId};
use peihu_shared::sync::wire::{
    DocMessage, HeadsDigest, Refusal, RefusalReason, Request, Response, heads_digest,
};
use peihu_tests::{
    ChildServer, Fate, Field, Scripted, TestServer, VILLAGE_A, add_user, audit, now, prepare,
    seed_beneficiary, server_doc, visit_ids,
};

/// Whether an encoded Automerge sync message carries changes.
fn carries_changes(m: &DocMessage) -> bool {
    Message::decode(&m.msg).map(|msg| !msg.changes.is_empty()).unwrap_or(false)
}

/// The device's heads digest of every document it holds.
fn device_heads(field: &mut Field) -> BTreeMap<DocId, HeadsDigest> {
    let ids: Vec<DocId> = field.store.doc_ids().copied().collect();
    ids.into_iter()
        .map(|id| (id, heads_digest(&field.doc(&id).expect("held").clone().get_heads())))
        .collect()
}

/// Asserts the server holds every document of the device with the same heads, and every case
/// holds exactly the visits recorded for it.
fn assert_server_matches(
    storage: &SqliteStorage,
    field: &mut Field,
    visits: &BTreeMap<BeneficiaryId, BTreeSet<String>>,
    except: Option<DocId>,
) {
    for (id, heads) in device_heads(field).into_iter().filter(|(id, _)| Some(*id) != except) {
        let mut doc = server_doc(storage, &id).unwrap_or_else(|| panic!("server lacks {id}"));
        assert_eq!(heads_digest(&doc.get_heads()), heads, "{id} differs");
    }
    let mut seen = Vec::new();
    for (b, recorded) in visits {
        let held = visit_ids(&server_doc(storage, &DocId::Case(*b)).expect("case on server"));
        assert_eq!(&held, recorded, "visits of {b}");
        seen.extend(held);
    }
    let unique: BTreeSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "a visit id appears twice");
}

/// Registers `count` beneficiaries with `visits` visits each on the device.
fn pending(
    field: &mut Field,
    from: u64,
    count: u64,
    visits: usize,
) -> BTreeMap<BeneficiaryId, BTreeSet<String>> {
    let mut made = BTreeMap::new();
    for n in from..from + count {
        let b = field.register(VILLAGE_A, n);
        let ids = (0..visits).map(|_| field.visit(b).to_string()).collect();
        made.insert(b, ids);
    }
    made
}

fn docs_on_disk(data: &std::path::Path) -> i64 {
    let conn = rusqlite::Connection::open(data.join("peihu.sqlite")).expect("database opens");
    conn.query_row("SELECT count(*) FROM docs", [], |r| r.get(0)).expect("docs counted")
}

/// The heads of every document the device holds.
fn device_change_heads(field: &mut Field) -> BTreeMap<DocId, Vec<ChangeHash>> {
    let ids: Vec<DocId> = field.store.doc_ids().copied().collect();
    ids.into_iter().map(|id| (id, field.doc(&id).expect("held").clone().get_heads())).collect()
}

/// Every document whose whole content, as the device now holds it, the server acknowledged in
/// an exchange answer the device received.
fn acknowledged(
    log: &[(Request, Option<Response>)],
    device: &BTreeMap<DocId, Vec<ChangeHash>>,
) -> BTreeMap<DocId, Vec<ChangeHash>> {
    let mut acked = BTreeMap::new();
    for (_, response) in log {
        let Some(Response::Exchange { heads, .. }) = response else { continue };
        for entry in heads {
            match device.get(&entry.doc) {
                Some(h) if heads_digest(h) == entry.heads => acked.insert(entry.doc, h.clone()),
                _ => None,
            };
        }
    }
    acked
}

/// A data directory with Yantai's divisions and two helpers of village A; their codes.
fn data_with_two_helpers(data: &std::path::Path) -> (String, String) {
    let storage = SqliteStorage::open(data).expect("storage");
    prepare(&storage);
    let a = add_user(&storage, "helper-a", Role::Helper, VILLAGE_A, None).1;
    let b = add_user(&storage, "helper-b", Role::Helper, VILLAGE_A, None).1;
    (a, b)
}

/// Records a visit and syncs, again and again, until the server goes away. Returns every visit
/// made and those whose sync the server acknowledged.
fn keep_visiting(mut field: Field, b: BeneficiaryId) -> (Field, Vec<String>, Vec<String>) {
    let (mut made, mut acked) = (Vec::new(), Vec::new());
    for _ in 0..1_000 {
        let visit = field.visit(b).to_string();
        made.push(visit.clone());
        match field.sync() {
            Ok(s) if s.outcome.synced => acked.push(visit),
            Ok(_) => {}
            Err(_) => break,
        }
    }
    (field, made, acked)
}

#[test]
fn a_server_killed_mid_sync_keeps_what_it_acknowledged_and_the_next_sync_duplicates_nothing() {
    let data = tempfile::tempdir().expect("a temp dir");
    let (code_a, code_b) = data_with_two_helpers(data.path());
    let mut server = ChildServer::spawn(data.path(), crate::CHILD_ARGS);
    eprintln!("SIGKILL test runs {}", server.program);
    let mut a = Field::enroll(&server.url, &code_a);
    let mut visits = pending(&mut a, 0, 10, 2);
    assert!(a.sync().expect("first batch syncs").outcome.synced);
    let first_batch = device_change_heads(&mut a);
    let mut b = Field::enroll(&server.url, &code_b);
    assert!(b.sync().expect("helper b syncs").outcome.synced);
    let busy = *visits.keys().next().expect("ten beneficiaries");

    visits.extend(pending(&mut a, 10, 120, 3));
    let before = docs_on_disk(data.path());
    let large = std::thread::spawn(move || {
        let mut transport = Scripted::new(a.http(), |_, _| Fate::Deliver);
        let result = sync::sync(&mut a.store, &mut transport, now());
        (a, result.map(|o| o.synced), transport.log)
    });
    let small = std::thread::spawn(move || keep_visiting(b, busy));
    while !large.is_finished() && docs_on_disk(data.path()) < before + 40 {
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    server.kill();
    let (mut a, result, log) = large.join().expect("the large sync ends");
    let (mut b, b_made, b_acked) = small.join().expect("helper b stops");
    assert!(!matches!(result, Ok(true)), "the sync was cut short, yet reported success");
    let stored = docs_on_disk(data.path()) - before;
    eprintln!(
        "killed with {stored} of 240 new documents and {} acknowledged visits of b",
        b_acked.len()
    );

    let storage = SqliteStorage::open(data.path()).expect("storage reopens after SIGKILL");
    let mut acked = acknowledged(&log, &device_change_heads(&mut a));
    acked.extend(first_batch);
    for (id, heads) in &acked {
        let mut doc = server_doc(&storage, id).unwrap_or_else(|| panic!("acknowledged {id} lost"));
        let lost = heads.iter().filter(|h| doc.get_change_by_hash(h).is_none()).count();
        assert_eq!(lost, 0, "acknowledged changes of {id} lost");
    }
    let busy_case = visit_ids(&server_doc(&storage, &DocId::Case(busy)).expect("case"));
    assert!(b_acked.iter().all(|v| busy_case.contains(v)), "an acknowledged visit was lost");
    drop(storage);

    let server = ChildServer::spawn(data.path(), crate::CHILD_ARGS);
    (a.server, b.server) = (server.url.clone(), server.url.clone());
    assert!(a.sync().expect("a syncs after the restart").outcome.synced);
    assert!(b.sync().expect("b syncs after the restart").outcome.synced);
    assert!(a.sync().expect("a receives b's visits").outcome.synced);
    assert_eq!(a.sync().expect("a quiet sync").requests, 1);
    visits.get_mut(&busy).expect("busy").extend(b_made);
    let storage = SqliteStorage::open(data.path()).expect("storage");
    assert_server_matches(&storage, &mut a, &visits, None);
}

/// Ten new documents with a visit in each case.
fn ten_pending(server: &TestServer) -> (Field, BTreeMap<BeneficiaryId, BTreeSet<String>>) {
    let mut field = server.helper("helper-a", VILLAGE_A);
    assert!(field.sync().expect("empty sync").outcome.synced);
    let visits = pending(&mut field, 0, 5, 1);
    assert_eq!(field.store.doc_ids().count(), 10);
    (field, visits)
}

#[test]
fn a_connection_cut_after_three_of_ten_documents_is_not_reported_as_success() {
    let server = TestServer::start();
    let (mut field, visits) = ten_pending(&server);
    let mut transport = Scripted::new(field.http(), |_, request| match request {
        Request::Exchange { clock, messages, deleted }
            if messages.iter().filter(|m| carries_changes(m)).count() == 10 =>
        {
            let first_three = messages.iter().filter(|m| carries_changes(m)).take(3).cloned();
            let partial = Request::Exchange {
                clock: *clock,
                messages: first_three.collect(),
                deleted: deleted.clone(),
            };
            Fate::SendThenCut(partial)
        }
        _ => Fate::Deliver,
    });
    let last_synced = field.store.meta("last_synced").expect("meta");
    let result = field.sync_via(&mut transport);
    assert!(matches!(result, Err(SyncError::Unreachable(_))), "got {result:?}");
    let stored = field.store.doc_ids().filter(|id| server.doc(id).is_some()).count();
    assert_eq!(stored, 3, "the server kept the three documents it received");
    assert_eq!(field.store.meta("last_synced").expect("meta"), last_synced, "not marked synced");

    let next = field.sync().expect("the next sync");
    assert!(next.outcome.synced, "{:?}", next.outcome);
    assert_server_matches(&server.storage, &mut field, &visits, None);
}

#[test]
fn a_lost_acknowledgement_is_harmless_and_the_next_sync_duplicates_nothing() {
    let server = TestServer::start();
    let (mut field, visits) = ten_pending(&server);
    let mut transport = Scripted::new(field.http(), |_, request| match request {
        Request::Exchange { messages, .. } if messages.iter().any(carries_changes) => {
            Fate::SendThenCut(request.clone())
        }
        _ => Fate::Deliver,
    });
    assert!(field.sync_via(&mut transport).is_err());
    assert!(field.sync().expect("the next sync").outcome.synced);
    assert_eq!(field.sync().expect("a quiet sync").requests, 1);
    assert_server_matches(&server.storage, &mut field, &visits, None);
}

#[test]
fn a_device_revoked_mid_sync_stops_at_the_first_refusal_and_keeps_its_unsent_records() {
    let server = TestServer::start();
    let known = seed_beneficiary(&server.storage, VILLAGE_A, 1);
    let mut field = server.helper("helper-a", VILLAGE_A);
    assert!(field.sync().expect("first sync").outcome.synced);
    let visit = field.visit(known);
    let visits = pending(&mut field, 10, 20, 1);

    let storage = server.storage.clone();
    let device = field.device;
    let mut transport = Scripted::new(field.http(), move |i, _| {
        if i == 1 {
            storage.revoke_device(device, now()).expect("revoked");
        }
        Fate::Deliver
    });
    let error = field.sync_via(&mut transport).expect_err("a revoked device is refused");
    assert!(matches!(error, SyncError::Revoked), "got {error:?}");
    assert!(error.to_string().contains("revoked"), "says why: {error}");
    assert_eq!(transport.log.len(), 2, "summary, one refused exchange, and nothing more");

    field.reopen();
    let case = field.doc(&DocId::Case(known)).expect("case kept");
    assert!(visit_ids(case).contains(&visit.to_string()), "the unsent visit is kept");
    for b in visits.keys() {
        assert!(field.doc(&DocId::Case(*b)).is_some(), "an unsent beneficiary is kept");
        assert!(server.doc(&DocId::Case(*b)).is_none(), "nothing went after the revocation");
    }
    assert!(!audit(&server.storage, "sync.refused.revoked").is_empty());
}

#[test]
fn one_document_failing_the_schema_among_a_hundred_is_refused_and_the_other_ninety_nine_sync() {
    let server = TestServer::start();
    let mut field = server.helper("helper-a", VILLAGE_A);
    let visits = pending(&mut field, 0, 49, 1);
    let odd = field.register(VILLAGE_A, 99);
    field.store.remove(&DocId::Case(odd)).expect("case removed");
    let mut bad = automerge::AutoCommit::new();
    automerge::transaction::Transactable::put(&mut bad, automerge::ROOT, "kind", "case")
        .expect("a field");
    field.store.create(DocId::Case(odd), bad).expect("bad case stored");
    assert_eq!(field.store.doc_ids().count(), 100);

    let outcome = field.sync().expect("the sync runs").outcome;
    let refusal = Refusal { doc: DocId::Case(odd), reason: RefusalReason::Undecodable };
    assert_eq!(outcome.refused, vec![refusal], "{outcome:?}");
    assert!(!outcome.synced, "a refused document means not synced");
    assert!(server.doc(&DocId::Case(odd)).is_none());
    assert!(server.doc(&DocId::Card(odd)).is_some());
    assert_server_matches(&server.storage, &mut field, &visits, Some(DocId::Case(odd)));
    assert!(
        audit(&server.storage, "sync.refused.undecodable")
            .iter()
            .any(|(_, d)| { d.as_deref() == Some(DocId::Case(odd).to_string().as_str()) })
    );
}

#[test]
fn one_message_corrupted_in_transit_among_a_hundred_is_refused_and_the_rest_sync() {
    let server = TestServer::start();
    let mut field = server.helper("helper-a", VILLAGE_A);
    let visits = pending(&mut field, 0, 50, 1);
    let target = DocId::Case(*visits.keys().nth(7).expect("fifty beneficiaries"));
    let mut corrupted = false;
    let mut transport = Scripted::new(field.http(), |_, request| match request {
        Request::Exchange { clock, messages, deleted } if !corrupted => {
            corrupted = true;
            let mut messages = messages.clone();
            let m = messages.iter_mut().find(|m| m.doc == target).expect("target in the round");
            m.msg = vec![0xff; 12];
            Fate::Rewrite(Request::Exchange { clock: *clock, messages, deleted: deleted.clone() })
        }
        _ => Fate::Deliver,
    });
    let outcome = field.sync_via(&mut transport).expect("the sync runs");
    assert_eq!(outcome.refused, vec![Refusal { doc: target, reason: RefusalReason::Undecodable }]);
    assert!(!outcome.synced);
    let others = field.store.doc_ids().filter(|id| **id != target).count();
    let on_server =
        field.store.doc_ids().filter(|id| **id != target && server.doc(id).is_some()).count();
    assert_eq!((others, on_server), (99, 99));

    assert!(field.sync().expect("a clean sync").outcome.synced, "the next sync sends it");
    assert_server_matches(&server.storage, &mut field, &visits, None);
}
