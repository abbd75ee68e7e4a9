//! Devices with wrong clocks sync, and are flagged.

use peihu_shared::ids::DocId;
use peihu_tests::{TestServer, VILLAGE_A, device_flagged, now, seed_beneficiary};

const DAY_MS: i64 = 86_400_000;

#[test]
fn devices_three_days_ahead_or_a_year_behind_sync_and_are_flagged_and_a_right_clock_is_not() {
    let server = TestServer::start();
    let b = seed_beneficiary(&server.storage, VILLAGE_A, 1);
    let mut ahead = server.helper("helper-ahead", VILLAGE_A);
    let mut behind = server.helper("helper-behind", VILLAGE_A);
    let mut right = server.helper("helper-right", VILLAGE_A);

    for (field, offset, flagged) in
        [(&mut ahead, 3 * DAY_MS, true), (&mut behind, -365 * DAY_MS, true), (&mut right, 0, false)]
    {
        let first = field.sync_at(now() + offset).expect("a first sync");
        assert!(first.outcome.synced, "a wrong clock does not stop a sync");
        assert_eq!(first.outcome.clock_flagged, flagged, "offset {offset} ms");
        field.visit(b);
        let second = field.sync_at(now() + offset).expect("a sync with a visit");
        assert!(second.outcome.synced && second.outcome.clock_flagged == flagged);
        let quiet = field.sync_at(now() + offset).expect("a quiet sync");
        assert_eq!((quiet.requests, quiet.outcome.clock_flagged), (1, flagged));
        assert_eq!(device_flagged(&server.storage, field.device), flagged, "devices.flagged");
    }
    let case = server.doc(&DocId::Case(b)).expect("case");
    assert_eq!(peihu_tests::visit_ids(&case).len(), 3, "every device's visit arrived");
}

#[test]
fn the_server_stamps_its_own_receipt_time_on_changes_from_a_device_a_year_behind() {
    let server = TestServer::start();
    let b = seed_beneficiary(&server.storage, VILLAGE_A, 1);
    let mut behind = server.helper("helper-behind", VILLAGE_A);
    assert!(behind.sync_at(now() - 365 * DAY_MS).expect("sync").outcome.synced);
    behind.visit(b);
    let before = now();
    assert!(behind.sync_at(now() - 365 * DAY_MS).expect("sync").outcome.synced);
    let received: i64 = server
        .storage
        .with_conn(|c| {
            Ok(c.query_row(
                "SELECT max(received) FROM doc_changes WHERE device = ?1",
                [behind.device.to_string()],
                |r| r.get(0),
            )?)
        })
        .expect("receipt stamped");
    assert!(received >= before && received <= now(), "server time, not the device's");
}
