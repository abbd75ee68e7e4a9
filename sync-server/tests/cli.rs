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
