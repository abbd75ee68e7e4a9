//! `peihu-field` as a script meets it: a pipe closed early, a negative reading, an enrolment that
//! cannot reach its server.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};

use peihu_device::Store;

use crate::support::{START, field_cli, helper, register};

/// A device folder enrolled by hand, holding one beneficiary; returns its id.
fn device(data: &Path) -> String {
    let mut store = Store::open(&data.join("device.sqlite")).expect("store opens");
    let prov = helper(START);
    store
        .set_meta(&[("user", &prov.by.to_string()), ("device", &prov.device.to_string())])
        .expect("enrolment facts");
    register(&mut store, 7).to_string()
}

#[test]
fn a_reader_that_closes_the_pipe_early_is_not_a_crash() {
    let dir = tempfile::tempdir().expect("temp dir");
    device(dir.path());
    let mut child = Command::new(env!("CARGO_BIN_EXE_peihu-field"))
        .arg("--data")
        .arg(dir.path())
        .args(["duty", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("peihu-field runs");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("it ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
}

#[test]
fn a_negative_reading_is_refused_by_the_rules_naming_the_reading() {
    let dir = tempfile::tempdir().expect("temp dir");
    let b = device(dir.path());
    let out = field_cli(dir.path(), &["visit", "record", "--beneficiary", &b, "--pulse", "-5"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("the visit was not saved") && stderr.contains("heart rate"),
        "{stderr}"
    );
    assert!(!stderr.contains("sys:") && !stderr.contains("pulse:"), "no field codes: {stderr}");
}

#[test]
fn an_enrolment_that_cannot_reach_its_server_leaves_nothing_behind() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("tablet");
    // A port that was just free and is closed again: nothing answers there.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let server = format!("http://127.0.0.1:{port}");
    let out = field_cli(&data, &["enroll", "--server", &server, "--code", "ABCD-EFGH"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("could not be reached") && stderr.contains("enrol again"), "{stderr}");
    assert!(!stderr.contains("next sync"), "nothing was saved that a sync could send: {stderr}");
    assert!(!data.join("device.sqlite").exists(), "a failed enrolment leaves no store");

    let bare = field_cli(&data, &["enroll", "--server", "127.0.0.1:8780", "--code", "ABCD-EFGH"]);
    let stderr = String::from_utf8_lossy(&bare.stderr);
    assert_eq!(bare.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("must start with http:// or https://"), "{stderr}");
}

#[test]
fn a_file_too_big_to_be_a_photo_is_refused_in_megabytes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let b = device(dir.path());
    let huge = dir.path().join("huge.jpg");
    // Sparse: 31 MB on paper, nothing on disk.
    std::fs::File::create(&huge).and_then(|f| f.set_len(31 * 1024 * 1024)).expect("file");
    let out = field_cli(dir.path(), &["photo", "add", "--beneficiary", &b, huge.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("too_large") && stderr.contains("31 MB"), "{stderr}");
}
