//! `peihu-server` at the command line: a mistyped data folder is named, not mistaken for an
//! empty server.

use std::process::Command;

#[test]
fn verify_and_admin_refuse_a_folder_without_server_data_and_create_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let typo = dir.path().join("peihu-dta");
    for args in [&["verify"][..], &["admin", "code", "helper1"], &["admin", "revoke", "x"]] {
        let out = Command::new(env!("CARGO_BIN_EXE_peihu-server"))
            .args(&args[..1])
            .arg("--data")
            .arg(&typo)
            .args(&args[1..])
            .output()
            .expect("peihu-server runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} must fail");
        assert!(stderr.contains("holds no Peihu server data"), "{args:?}: {stderr}");
        assert!(!typo.join("peihu.sqlite").exists(), "{args:?} created a server");
    }
}

/// Not the command line, but the same kind of slip: a code found on paper weeks later.
#[test]
fn an_enrolment_code_works_for_a_week_and_not_after() {
    use peihu_server::storage::{CODE_LIFETIME_MS, Storage, sqlite::SqliteStorage};
    use peihu_server::tokens;

    let dir = tempfile::tempdir().expect("temp dir");
    let storage = SqliteStorage::open(dir.path()).expect("storage");
    let issued = 1_800_000_000_000;
    let accounts = peihu_server::demo::load(&storage, issued).expect("demo");
    let code = |login: &str| accounts.iter().find(|a| a.user == login).unwrap().code.clone();
    let enrol = |code: &str, at: i64| {
        storage.enroll(&tokens::hash(code), &tokens::hash_token(code), at).expect("enrol runs")
    };
    assert!(enrol(&code("helper1"), issued + CODE_LIFETIME_MS + 1).is_none(), "too old");
    assert!(enrol(&code("helper2"), issued + CODE_LIFETIME_MS - 1).is_some(), "in time");
}
