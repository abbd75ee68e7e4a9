//! Scope: nobody receives or changes what is not theirs, and every refusal is audited.

use automerge::AutoCommit;
use automerge::sync::{State, SyncDoc};
use peihu_device::field::{self, EpisodeStep};
use peihu_device::sync::{SyncError, Transport};
use peihu_server::storage::Role;
use peihu_shared::doc;
use peihu_shared::ids::{AgencyId, BeneficiaryId, DocId, EpisodeId};
use peihu_shared::sync::wire::{DocMessage, Refusal, RefusalReason, Request, Response};
use peihu_tests::{
    Field, TestServer, VILLAGE_A, VILLAGE_B, audit, now, place, seed_beneficiary, seed_episode,
    visit_ids,
};

/// An exchange asking for `doc` by id, as a device that holds nothing of it would.
fn ask_for(doc: DocId) -> Request {
    let msg = AutoCommit::new().sync().generate_sync_message(&mut State::new()).expect("a message");
    Request::Exchange {
        clock: now(),
        messages: vec![DocMessage { doc, msg: msg.encode() }],
        deleted: vec![],
    }
}

/// Sends a crafted request with the device's own token.
fn send(field: &Field, request: &Request) -> Response {
    let body = field.http().send(request.encode()).expect("the server answers");
    Response::decode(&body).expect("a sync response")
}

fn assert_refused(answer: Response, doc: DocId, reason: RefusalReason) {
    let Response::Exchange { messages, heads, refused } = answer else {
        panic!("expected an exchange answer, got {answer:?}");
    };
    assert!(messages.is_empty() && heads.is_empty(), "nothing of {doc} may be given");
    assert_eq!(refused, vec![Refusal { doc, reason }]);
}

fn assert_answered(answer: Response, doc: DocId) {
    let Response::Exchange { messages, refused, .. } = answer else {
        panic!("expected an exchange answer, got {answer:?}");
    };
    assert!(refused.is_empty() && messages.iter().any(|m| m.doc == doc), "{doc} is answered");
}

fn audited(server: &TestServer, event: &str, doc: DocId) -> bool {
    let doc = doc.to_string();
    audit(&server.storage, event).iter().any(|(_, d)| d.as_deref() == Some(doc.as_str()))
}

#[test]
fn a_helper_asking_by_id_for_another_villages_beneficiary_is_refused_and_audited() {
    let server = TestServer::start();
    let ours = seed_beneficiary(&server.storage, VILLAGE_A, 1);
    let theirs = seed_beneficiary(&server.storage, VILLAGE_B, 2);
    let mut field = server.helper("helper-a", VILLAGE_A);
    assert!(field.sync().expect("sync").outcome.synced);
    assert!(field.doc(&DocId::Case(ours)).is_some());
    assert!(field.doc(&DocId::Case(theirs)).is_none() && field.doc(&DocId::Card(theirs)).is_none());

    assert_answered(send(&field, &ask_for(DocId::Case(ours))), DocId::Case(ours));
    for doc in [DocId::Case(theirs), DocId::Card(theirs)] {
        assert_refused(send(&field, &ask_for(doc)), doc, RefusalReason::OutOfScope);
        assert!(audited(&server, "sync.refused.outofscope", doc), "{doc} refusal audited");
    }
}

/// An agency, its escort's enrolled device, and an episode assigned to the escort.
fn escort_with_episode(server: &TestServer, b: BeneficiaryId) -> (AgencyId, Field, EpisodeId) {
    let agency = server.storage.create_agency("测试陪护公司（虚构）").expect("agency");
    let (escort, code) = server.user("escort-a", Role::Escort, "370602", Some(agency));
    let episode = seed_episode(&server.storage, b, VILLAGE_A, agency, escort.id);
    (agency, Field::enroll(&server.url, &code), episode)
}

#[test]
fn an_escort_receives_the_card_but_asking_for_the_full_case_is_refused() {
    let server = TestServer::start();
    let b = seed_beneficiary(&server.storage, VILLAGE_A, 1);
    let (_, mut escort, episode) = escort_with_episode(&server, b);
    assert!(escort.sync().expect("sync").outcome.synced);
    let mut held: Vec<DocId> = escort.store.doc_ids().copied().collect();
    held.sort();
    let mut expected = vec![DocId::Card(b), DocId::Episode(episode)];
    expected.sort();
    assert_eq!(held, expected, "an escort holds the episode and the card only");

    assert_refused(
        send(&escort, &ask_for(DocId::Case(b))),
        DocId::Case(b),
        RefusalReason::OutOfScope,
    );
    assert!(audited(&server, "sync.refused.outofscope", DocId::Case(b)));
}

#[test]
fn a_helper_moved_to_another_village_loses_the_old_villages_documents_at_the_next_sync() {
    let server = TestServer::start();
    let old = seed_beneficiary(&server.storage, VILLAGE_A, 1);
    let new = seed_beneficiary(&server.storage, VILLAGE_B, 2);
    let mut field = server.helper("helper-a", VILLAGE_A);
    assert!(field.sync().expect("sync").outcome.synced);
    assert!(field.doc(&DocId::Case(old)).is_some());

    server.storage.move_user(field.user, place(VILLAGE_B)).expect("moved");
    let moved = field.sync().expect("sync after the move").outcome;
    assert!(moved.synced, "{moved:?}");
    let mut deleted = moved.deleted;
    deleted.sort();
    let mut expected = vec![DocId::Card(old), DocId::Case(old)];
    expected.sort();
    assert_eq!(deleted, expected);
    field.reopen();
    assert!(field.doc(&DocId::Case(old)).is_none() && field.doc(&DocId::Card(old)).is_none());
    assert!(field.doc(&DocId::Case(new)).is_some() && field.doc(&DocId::Card(new)).is_some());
    assert_eq!(field.sync().expect("quiet sync").requests, 1, "the server forgot the old ones");
}

#[test]
fn a_helper_moved_with_an_unsent_visit_keeps_it_and_is_told_until_it_can_be_delivered() {
    let server = TestServer::start();
    let old = seed_beneficiary(&server.storage, VILLAGE_A, 1);
    seed_beneficiary(&server.storage, VILLAGE_B, 2);
    let mut field = server.helper("helper-a", VILLAGE_A);
    assert!(field.sync().expect("sync").outcome.synced);
    let visit = field.visit(old);

    server.storage.move_user(field.user, place(VILLAGE_B)).expect("moved");
    let moved = field.sync().expect("sync after the move").outcome;
    assert!(!moved.synced, "work that never reached the server must not be reported synced");
    assert_eq!(moved.kept, vec![DocId::Case(old)], "{moved:?}");
    assert_eq!(moved.deleted, vec![DocId::Card(old)], "the untouched card goes");
    assert!(moved.problem.as_deref().is_some_and(|p| p.contains("supervisor")), "{moved:?}");
    field.reopen();
    let case = field.doc(&DocId::Case(old)).expect("the case with the unsent visit stays");
    assert!(visit_ids(case).contains(&visit.to_string()));

    // Moved back (or the supervisor otherwise lets it through): the visit is delivered.
    server.storage.move_user(field.user, place(VILLAGE_A)).expect("moved back");
    assert!(field.sync().expect("sync after moving back").outcome.synced);
    assert!(visit_ids(&server.doc(&DocId::Case(old)).expect("case")).contains(&visit.to_string()));
}

#[test]
fn a_revoked_device_is_refused_and_told_to_wipe() {
    let server = TestServer::start();
    seed_beneficiary(&server.storage, VILLAGE_A, 1);
    let mut field = server.helper("helper-a", VILLAGE_A);
    assert!(field.sync().expect("sync").outcome.synced);
    server.storage.revoke_device(field.device, now()).expect("revoked");

    let error = field.sync().expect_err("refused");
    assert!(matches!(error, SyncError::Revoked), "got {error:?}");
    assert_eq!(error.code(), "device_revoked");
    assert!(error.to_string().contains("wipe"), "tells the device to wipe: {error}");
    assert!(!audit(&server.storage, "sync.refused.revoked").is_empty());
}

#[test]
fn a_suspended_agencys_escort_is_refused_until_the_agency_is_reinstated() {
    let server = TestServer::start();
    let b = seed_beneficiary(&server.storage, VILLAGE_A, 1);
    let (agency, mut escort, _) = escort_with_episode(&server, b);
    assert!(escort.sync().expect("sync").outcome.synced);

    server.storage.suspend_agency(agency, true, now()).expect("suspended");
    let error = escort.sync().expect_err("refused");
    assert!(matches!(error, SyncError::AgencySuspended), "got {error:?}");
    assert!(!audit(&server.storage, "sync.refused.agency_suspended").is_empty());

    server.storage.suspend_agency(agency, false, now()).expect("reinstated");
    assert!(escort.sync().expect("sync after reinstatement").outcome.synced);
}

/// A server document's heads, sorted.
fn server_heads(server: &TestServer, id: &DocId) -> Option<Vec<automerge::ChangeHash>> {
    server.doc(id).map(|mut d| {
        let mut heads = d.get_heads();
        heads.sort();
        heads
    })
}

#[test]
fn a_forged_write_to_another_villages_case_is_refused_and_never_merged() {
    let server = TestServer::start();
    let theirs = seed_beneficiary(&server.storage, VILLAGE_B, 2);
    let mut field = server.helper("helper-a", VILLAGE_A);
    let id = DocId::Case(theirs);
    let before = server_heads(&server, &id);

    // The helper gets hold of the case, adds a visit, and offers the change to the server.
    let mut original = server.doc(&id).expect("case");
    let mut forged = original.fork();
    doc::set_register(&mut forged, &["profile", "address"], "伪造地址".to_string(), &field.prov())
        .expect("forged edit");
    let mut server_side = State::new();
    let mut device_side = State::new();
    let hello = original.sync().generate_sync_message(&mut server_side).expect("hello");
    forged.sync().receive_sync_message(&mut device_side, hello).expect("received");
    let write = forged.sync().generate_sync_message(&mut device_side).expect("a write");
    assert!(!write.changes.is_empty(), "the crafted message carries the forged change");
    let request = Request::Exchange {
        clock: now(),
        messages: vec![DocMessage { doc: id, msg: write.encode() }],
        deleted: vec![],
    };
    assert_refused(send(&field, &request), id, RefusalReason::OutOfScope);
    assert_eq!(server_heads(&server, &id), before, "the forged change was not merged");

    // The same through the ordinary sync, with the forged document in the device store.
    field.store.create(id, forged).expect("forged case stored");
    let outcome = field.sync().expect("sync").outcome;
    assert_eq!(outcome.refused, vec![Refusal { doc: id, reason: RefusalReason::OutOfScope }]);
    assert_eq!(server_heads(&server, &id), before);
    assert!(audited(&server, "sync.refused.outofscope", id));
}

#[test]
fn a_helper_moving_a_beneficiary_to_another_village_by_editing_the_place_is_refused() {
    let server = TestServer::start();
    let b = seed_beneficiary(&server.storage, VILLAGE_A, 1);
    let mut field = server.helper("helper-a", VILLAGE_A);
    assert!(field.sync().expect("sync").outcome.synced);
    let id = DocId::Case(b);
    let before = server_heads(&server, &id);

    let prov = field.prov();
    field
        .store
        .edit(&id, |d| doc::set_register(d, &["place"], place(VILLAGE_B), &prov))
        .expect("edited on the device");
    let outcome = field.sync().expect("sync").outcome;
    assert_eq!(outcome.refused, vec![Refusal { doc: id, reason: RefusalReason::OutOfScope }]);
    assert_eq!(server_heads(&server, &id), before, "the move was not merged");
    assert!(audited(&server, "sync.refused.outofscope", id));
}

#[test]
fn a_helper_registering_a_beneficiary_in_another_village_is_refused() {
    let server = TestServer::start();
    let mut field = server.helper("helper-a", VILLAGE_A);
    let ours = field.register(VILLAGE_A, 1);
    let theirs = field.register(VILLAGE_B, 2);
    let outcome = field.sync().expect("sync").outcome;
    let mut refused: Vec<DocId> = outcome.refused.iter().map(|r| r.doc).collect();
    refused.sort();
    let mut expected = vec![DocId::Card(theirs), DocId::Case(theirs)];
    expected.sort();
    assert_eq!(refused, expected, "{outcome:?}");
    assert!(
        server.doc(&DocId::Case(theirs)).is_none() && server.doc(&DocId::Card(theirs)).is_none()
    );
    assert!(server.doc(&DocId::Case(ours)).is_some() && server.doc(&DocId::Card(ours)).is_some());
}

#[test]
fn an_escort_writing_to_the_read_only_card_is_refused_but_episode_steps_sync() {
    let server = TestServer::start();
    let b = seed_beneficiary(&server.storage, VILLAGE_A, 1);
    let (_, mut escort, episode) = escort_with_episode(&server, b);
    assert!(escort.sync().expect("sync").outcome.synced);
    let card_before = server_heads(&server, &DocId::Card(b));

    escort.set_phone(b, "13933330000");
    let prov = escort.prov();
    field::record_step(&mut escort.store, episode, EpisodeStep::ClockIn, &prov).expect("clock in");
    let outcome = escort.sync().expect("sync").outcome;
    assert_eq!(
        outcome.refused,
        vec![Refusal { doc: DocId::Card(b), reason: RefusalReason::ReadOnly }]
    );
    assert_eq!(server_heads(&server, &DocId::Card(b)), card_before, "the card is unchanged");
    let on_server = server.doc(&DocId::Episode(episode)).expect("episode");
    let shifts = doc::hydrate_episode(&on_server).expect("episode reads").shifts;
    assert_eq!(shifts.len(), 1, "the clock-in reached the server");
    assert!(audited(&server, "sync.refused.readonly", DocId::Card(b)));
}
