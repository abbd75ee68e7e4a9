//! Saved means on disk: no close is needed, a failed edit leaves nothing, compaction loses
//! nothing.

use peihu_device::field::{self, FieldError};
use peihu_device::{Store, StoreError};
use peihu_shared::doc::{self, DocError};
use peihu_shared::ids::{DocId, VisitId};
use peihu_shared::model::{CheckIn, Visit};
use peihu_shared::rules::{Thresholds, VitalInput};

use crate::support::{START, chunk_count, form, helper, register, visit_ids};

#[test]
fn a_visit_saved_before_the_store_is_abandoned_without_closing_is_there_on_reopen() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("store.sqlite");
    let mut store = Store::open(&path).expect("create the store");
    let b = register(&mut store, 1);
    let saved =
        field::record_visit(&mut store, b, &form(0), &helper(START), &Thresholds::default())
            .expect("record a visit");
    // No close and no destructor: the connection is simply abandoned, as in a crash.
    std::mem::forget(store);

    let reopened = Store::open(&path).expect("reopen");
    assert_eq!(visit_ids(&reopened, b).into_iter().collect::<Vec<_>>(), [saved.id]);
}

#[test]
fn a_refused_reading_leaves_nothing_in_memory_or_on_disk() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("store.sqlite");
    let mut store = Store::open(&path).expect("create the store");
    let b = register(&mut store, 1);
    let bytes_before = store.stored_bytes(&DocId::Case(b)).expect("size");
    let mut bad = form(0);
    bad.vitals = VitalInput { temp: Some(98.6), ..VitalInput::default() };

    let err = field::record_visit(&mut store, b, &bad, &helper(START), &Thresholds::default())
        .expect_err("98.6 °C is refused");

    assert_eq!(err.code(), "vitals_refused");
    assert!(visit_ids(&store, b).is_empty());
    assert_eq!(store.stored_bytes(&DocId::Case(b)).expect("size"), bytes_before);
    drop(store);
    assert!(visit_ids(&Store::open(&path).expect("reopen"), b).is_empty());
}

#[test]
fn a_visit_lasting_longer_than_twelve_hours_is_refused_as_a_typing_slip() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut store = Store::open(&dir.path().join("store.sqlite")).expect("create the store");
    let b = register(&mut store, 1);
    let mut slip = form(0);
    slip.arrived = slip.departed - field::MAX_VISIT_MS - 60_000;
    let err = field::record_visit(&mut store, b, &slip, &helper(START), &Thresholds::default())
        .expect_err("a 12-hour-and-a-minute visit is refused");
    assert!(matches!(err, FieldError::VisitTooLong), "{err:?}");
    assert!(err.to_string().contains("12 hours"), "{err}");
    assert!(visit_ids(&store, b).is_empty());

    let mut long_but_possible = form(0);
    long_but_possible.arrived = long_but_possible.departed - field::MAX_VISIT_MS;
    field::record_visit(&mut store, b, &long_but_possible, &helper(START), &Thresholds::default())
        .expect("exactly 12 hours is accepted");
}

fn bare_visit(id: VisitId) -> Visit {
    let f = form(0);
    Visit {
        photo_facts: None,
        id,
        prov: helper(f.departed),
        arrived: f.arrived,
        departed: f.departed,
        checkin: CheckIn::unavailable(),
        vitals: Default::default(),
        notes: "半途失败的编辑".into(),
        education: Vec::new(),
        photos: Vec::new(),
        escalation: None,
        amendments: Default::default(),
    }
}

/// Regression: an edit that committed one change and then failed left that change in memory,
/// and the next successful edit saved it to disk with its own.
#[test]
fn a_failed_edit_that_committed_part_way_is_not_saved_with_the_next_edit() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("store.sqlite");
    let mut store = Store::open(&path).expect("create the store");
    let b = register(&mut store, 1);
    let half_done = bare_visit(VisitId::from_bytes([0x99; 12]));

    let err = store
        .edit(&DocId::Case(b), |d| {
            doc::add_visit(d, &half_done)?;
            doc::add_visit(d, &half_done)
        })
        .expect_err("the second add is refused");
    assert!(matches!(err, StoreError::Doc(DocError::AlreadySignedOff { .. })), "{err:?}");
    assert!(visit_ids(&store, b).is_empty(), "memory holds nothing of the failed edit");

    let next = field::record_visit(&mut store, b, &form(1), &helper(START), &Thresholds::default())
        .expect("the next visit saves");
    drop(store);
    let held = visit_ids(&Store::open(&path).expect("reopen"), b);
    assert_eq!(held.into_iter().collect::<Vec<_>>(), [next.id]);
}

#[test]
fn a_visit_for_a_beneficiary_not_on_the_device_is_refused_and_nothing_is_created() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut store = Store::open(&dir.path().join("store.sqlite")).expect("create the store");
    let stranger = peihu_shared::ids::BeneficiaryId::from_bytes([0x5a; 12]);

    let err =
        field::record_visit(&mut store, stranger, &form(0), &helper(START), &Thresholds::default())
            .expect_err("unknown beneficiary");

    assert!(matches!(err, FieldError::UnknownBeneficiary(id) if id == stranger));
    assert_eq!(store.doc_ids().count(), 0);
}

#[test]
fn compaction_after_many_chunks_keeps_every_visit() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("store.sqlite");
    let mut store = Store::open(&path).expect("create the store");
    let b = register(&mut store, 1);
    let thresholds = Thresholds::default();
    let visits = 3 * peihu_device::store::COMPACT_AFTER + 5;
    let mut saved = Vec::new();
    for n in 0..visits {
        let s = field::record_visit(&mut store, b, &form(n), &helper(START), &thresholds)
            .expect("record a visit");
        saved.push(s.id);
        assert!(chunk_count(&path, DocId::Case(b)) < peihu_device::store::COMPACT_AFTER);
    }
    assert_eq!(chunk_count(&path, DocId::Case(b)), 5, "three compactions, five chunks since");
    assert_eq!(visit_ids(&store, b).len(), saved.len());
    drop(store);

    let reopened = Store::open(&path).expect("reopen");
    let held = visit_ids(&reopened, b);
    assert_eq!(held.len(), saved.len());
    assert!(saved.iter().all(|id| held.contains(id)));
}

#[test]
fn an_explicit_compaction_then_more_visits_reopens_with_all_of_them() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("store.sqlite");
    let mut store = Store::open(&path).expect("create the store");
    let b = register(&mut store, 1);
    let thresholds = Thresholds::default();
    let mut saved = Vec::new();
    for n in 0..6 {
        saved.push(
            field::record_visit(&mut store, b, &form(n), &helper(START), &thresholds)
                .expect("visit")
                .id,
        );
        if n == 2 {
            store.compact(&DocId::Case(b)).expect("compact");
            assert_eq!(chunk_count(&path, DocId::Case(b)), 0);
        }
    }
    drop(store);

    let held = visit_ids(&Store::open(&path).expect("reopen"), b);
    assert_eq!(held, saved.into_iter().collect());
}
