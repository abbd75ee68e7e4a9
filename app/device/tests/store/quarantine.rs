//! Unreadable bytes are set aside at open, kept for inspection, and stop nothing else loading.

use std::path::Path;

use peihu_device::Store;
use peihu_device::field;
use peihu_shared::ids::{BeneficiaryId, DocId, VisitId};
use peihu_shared::rules::Thresholds;
use rusqlite::{Connection, params};

use crate::support::{START, form, helper, register, visit_ids};

const GARBAGE: &[u8] = b"this is not an automerge document, just bytes left by a bad disk";

/// A store with three beneficiaries; the second has three visits, one chunk each.
fn store_with_three(path: &Path) -> (Vec<BeneficiaryId>, Vec<VisitId>) {
    let mut store = Store::open(path).expect("create the store");
    let people: Vec<BeneficiaryId> = (1..=3).map(|n| register(&mut store, n)).collect();
    let thresholds = Thresholds::default();
    let visits = (0..3)
        .map(|n| {
            field::record_visit(&mut store, people[1], &form(n), &helper(START), &thresholds)
                .expect("record a visit")
                .id
        })
        .collect();
    (people, visits)
}

fn chunk_seqs(conn: &Connection, id: DocId) -> Vec<i64> {
    let mut stmt =
        conn.prepare("SELECT seq FROM chunks WHERE doc_id = ?1 ORDER BY seq").expect("sql");
    stmt.query_map([id.to_string()], |r| r.get(0)).expect("query").map(Result::unwrap).collect()
}

fn quarantine_rows(path: &Path) -> Vec<(String, String, Vec<u8>)> {
    let conn = Connection::open(path).expect("open the file");
    let mut stmt =
        conn.prepare("SELECT doc_id, reason, bytes FROM quarantine ORDER BY id").expect("sql");
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).expect("query");
    rows.map(Result::unwrap).collect()
}

#[test]
fn a_garbage_snapshot_and_a_damaged_chunk_are_quarantined_and_the_rest_loads() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("store.sqlite");
    let (people, visits) = store_with_three(&path);
    let conn = Connection::open(&path).expect("open the file");
    conn.execute(
        "UPDATE documents SET snapshot = ?1 WHERE doc_id = ?2",
        params![GARBAGE, DocId::Card(people[0]).to_string()],
    )
    .expect("spoil a snapshot");
    let middle = chunk_seqs(&conn, DocId::Case(people[1]))[1];
    let good: Vec<u8> = conn
        .query_row("SELECT bytes FROM chunks WHERE seq = ?1", [middle], |r| r.get(0))
        .expect("chunk");
    let mut damaged = good;
    let last = damaged.len() - 1;
    damaged[last] ^= 0x55;
    conn.execute("UPDATE chunks SET bytes = ?1 WHERE seq = ?2", params![damaged, middle])
        .expect("flip");
    drop(conn);

    let store = Store::open(&path).expect("the store opens despite the damage");

    let reported: Vec<(&str, bool)> = store
        .quarantined()
        .iter()
        .map(|q| (q.doc.as_str(), q.reason.starts_with("snapshot unreadable")))
        .collect();
    let card = DocId::Card(people[0]).to_string();
    let case = DocId::Case(people[1]).to_string();
    assert_eq!(reported, [(card.as_str(), true), (case.as_str(), false)]);
    assert!(store.quarantined()[1].reason.starts_with("change chunk unreadable"));
    assert!(store.doc(&DocId::Card(people[0])).is_none());
    for id in [
        DocId::Case(people[0]),
        DocId::Card(people[1]),
        DocId::Card(people[2]),
        DocId::Case(people[2]),
    ] {
        assert!(store.doc(&id).is_some(), "{id} loads");
    }
    let held = visit_ids(&store, people[1]);
    assert!(held.contains(&visits[0]), "the visit before the damaged chunk is kept");
    assert!(!held.contains(&visits[1]), "the damaged chunk's visit is set aside");

    let rows = quarantine_rows(&path);
    assert_eq!(rows.len(), 2);
    assert_eq!((rows[0].0.as_str(), rows[0].2.as_slice()), (card.as_str(), GARBAGE));
    assert_eq!((rows[1].0.as_str(), rows[1].2.as_slice()), (case.as_str(), damaged.as_slice()));
}

#[test]
fn quarantined_data_is_reported_once_and_kept_across_opens() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("store.sqlite");
    let (people, _) = store_with_three(&path);
    let conn = Connection::open(&path).expect("open the file");
    conn.execute(
        "INSERT INTO chunks (doc_id, bytes) VALUES (?1, ?2)",
        params![DocId::Case(people[2]).to_string(), GARBAGE],
    )
    .expect("append a garbage chunk");
    drop(conn);

    let first = Store::open(&path).expect("first open");
    assert_eq!(first.quarantined().len(), 1);
    assert_eq!(first.quarantined()[0].doc, DocId::Case(people[2]).to_string());
    drop(first);

    let second = Store::open(&path).expect("second open");
    assert!(second.quarantined().is_empty(), "the bad chunk was moved out at the first open");
    assert_eq!(second.quarantine_count().expect("count"), 1);
    assert_eq!(quarantine_rows(&path)[0].2, GARBAGE);
}

#[test]
fn a_document_id_peihu_never_writes_is_quarantined_with_its_bytes() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("store.sqlite");
    store_with_three(&path);
    let conn = Connection::open(&path).expect("open the file");
    conn.execute("INSERT INTO documents (doc_id, snapshot) VALUES ('notes:1', ?1)", [GARBAGE])
        .expect("insert a stray row");
    drop(conn);

    let store = Store::open(&path).expect("open");
    assert_eq!(store.quarantined().len(), 1);
    assert_eq!(store.quarantined()[0].doc, "notes:1");
    assert_eq!(store.quarantined()[0].reason, "the document id is not one Peihu writes");
    assert_eq!(store.doc_ids().count(), 6);
    assert_eq!(quarantine_rows(&path)[0].2, GARBAGE);
}
