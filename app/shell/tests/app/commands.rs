//! The commands through Tauri's mock runtime (origin `tauri://localhost`), against a real
//! server on loopback and real SQLite files in temporary folders.

use std::path::Path;

use peihu_device::tablet::Tablet;
use peihu_tablet::{Shared, builder};
use serde_json::{Value, json};
use tauri::test::{
    INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder, mock_context, noop_assets,
};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewWindow, WebviewWindowBuilder};

use crate::support::DemoServer;

struct TestApp {
    _app: App<MockRuntime>,
    webview: WebviewWindow<MockRuntime>,
    shared: Shared,
}

fn open(data: &Path) -> TestApp {
    let shared = Shared::new(Tablet::open(data, Some("http://127.0.0.1:9".into())).unwrap());
    let app =
        builder(mock_builder()).manage(shared.clone()).build(mock_context(noop_assets())).unwrap();
    let webview = WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
    TestApp { _app: app, webview, shared }
}

impl TestApp {
    fn call(&self, cmd: &str, body: Value) -> Result<Value, Value> {
        let request = InvokeRequest {
            cmd: cmd.into(),
            callback: tauri::ipc::CallbackFn(0),
            error: tauri::ipc::CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: tauri::ipc::InvokeBody::Json(body),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        };
        get_ipc_response(&self.webview, request).map(|b| b.deserialize::<Value>().unwrap())
    }

    fn ok(&self, cmd: &str, body: Value) -> Value {
        self.call(cmd, body).unwrap_or_else(|e| panic!("{cmd} failed: {e}"))
    }

    fn error_code(&self, cmd: &str, body: Value) -> String {
        let e = self.call(cmd, body).expect_err("the command should fail");
        e["code"].as_str().unwrap().to_string()
    }
}

fn now() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn enrol(app: &TestApp, server: &DemoServer, login: &str, pin: &str) -> String {
    let user =
        app.ok("enrol", json!({ "server": server.url(), "code": server.code(login), "pin": pin }));
    user["user"].as_str().unwrap().to_string()
}

/// A tablet with helper1 enrolled and synced against a fresh demo server.
struct HelperTablet {
    app: TestApp,
    server: DemoServer,
    /// A beneficiary on helper1's duty list.
    beneficiary: String,
    _dirs: (tempfile::TempDir, tempfile::TempDir),
}

fn helper_tablet() -> HelperTablet {
    let (dir, sdir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let server = DemoServer::start(sdir.path());
    let app = open(dir.path());
    enrol(&app, &server, "helper1", "1234");
    app.ok("sync", json!({ "now": now() }));
    let beneficiary = first_beneficiary(&app);
    HelperTablet { app, server, beneficiary, _dirs: (dir, sdir) }
}

fn first_beneficiary(app: &TestApp) -> String {
    let duty = app.ok("duty", json!({ "now": now() }));
    duty[0]["beneficiary"].as_str().unwrap().to_string()
}

#[test]
fn a_new_tablet_has_nobody_enrolled_and_prefills_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let app = open(dir.path());
    let info = app.ok("app_info", json!({}));
    assert_eq!(info["profiles"], json!([]));
    assert_eq!(info["default_server"], "http://127.0.0.1:9");
    assert_eq!(app.error_code("duty", json!({ "now": now() })), "locked");
}

#[test]
fn a_wrong_code_or_a_missing_server_is_named_and_nobody_is_enrolled() {
    let (dir, sdir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let server = DemoServer::start(sdir.path());
    let app = open(dir.path());
    let wrong = app
        .call("enrol", json!({ "server": server.url(), "code": "NOT-A-CODE", "pin": "1234" }))
        .unwrap_err();
    assert_eq!(wrong["code"], "invalid_code");
    assert!(wrong["message"].as_str().unwrap().contains("ask your supervisor"), "{wrong}");
    let away = app
        .call("enrol", json!({ "server": "http://127.0.0.1:9", "code": server.code("helper1"), "pin": "1234" }))
        .unwrap_err();
    assert_eq!(away["code"], "unreachable");
    assert!(!away["message"].as_str().unwrap().contains("next sync"), "{away}");
    assert_eq!(app.ok("app_info", json!({}))["profiles"], json!([]));
    // The code was not spent by either failure.
    enrol(&app, &server, "helper1", "1234");
}

#[test]
fn a_refused_photo_says_why_so_the_helper_knows_what_to_do() {
    let HelperTablet { app, server: _server, beneficiary: id, _dirs } = helper_tablet();
    for (bytes, reason) in [(vec![], "empty_file"), (b"%PDF-1.7".to_vec(), "not_an_image")] {
        let e = app.call("save_photo", json!({ "beneficiary": id, "bytes": bytes })).unwrap_err();
        assert_eq!(
            (e["code"].as_str(), e["details"]["reason"].as_str()),
            (Some("photo_refused"), Some(reason))
        );
    }
}

#[test]
fn each_user_unlocks_with_their_own_pin_and_sees_only_their_own_scope() {
    let (dir, sdir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let server = DemoServer::start(sdir.path());
    let app = open(dir.path());
    let helper = enrol(&app, &server, "helper1", "1234");
    app.ok("sync", json!({ "now": now() }));
    let helper_rows = app.ok("duty", json!({ "now": now() })).as_array().unwrap().len();
    assert!(helper_rows > 0);

    let escort = enrol(&app, &server, "escort1", "5678");
    app.ok("sync", json!({ "now": now() }));
    assert_eq!(app.ok("duty", json!({ "now": now() })), json!([]), "an escort has no duty list");
    assert_eq!(app.ok("episodes", json!({ "now": now() })).as_array().unwrap().len(), 1);

    app.ok("lock", json!({}));
    assert_eq!(app.error_code("episodes", json!({ "now": now() })), "locked");
    assert_eq!(app.error_code("unlock", json!({ "user": helper, "pin": "5678" })), "wrong_pin");
    app.ok("unlock", json!({ "user": helper, "pin": "1234" }));
    assert_eq!(app.ok("duty", json!({ "now": now() })).as_array().unwrap().len(), helper_rows);
    assert_eq!(
        app.ok("episodes", json!({ "now": now() })),
        json!([]),
        "the escort's episode is not the helper's"
    );
    assert_eq!(app.ok("app_info", json!({}))["profiles"].as_array().unwrap().len(), 2);
    assert_ne!(helper, escort);
}

#[test]
fn an_impossible_reading_is_refused_naming_the_field_and_nothing_is_saved() {
    let HelperTablet { app, server: _server, beneficiary: b, _dirs } = helper_tablet();
    let visit = json!({ "arrived": now() - 600_000, "temp": 98.6, "notes": "x" });
    let e = app
        .call("record_visit", json!({ "beneficiary": b, "visit": visit, "now": now() }))
        .unwrap_err();
    assert_eq!(e["code"], "vitals_refused");
    assert_eq!(e["details"][0]["field"], "temp");
    assert!(e["details"][0]["message_zh"].as_str().unwrap().contains("华氏"));
    assert_eq!(app.ok("sync_status", json!({}))["waiting"], 0);
}

#[test]
fn a_half_filled_form_survives_closing_the_app() {
    let (dir, sdir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let server = DemoServer::start(sdir.path());
    let (user, b) = {
        let app = open(dir.path());
        let user = enrol(&app, &server, "helper1", "1234");
        app.ok("sync", json!({ "now": now() }));
        let b = first_beneficiary(&app);
        app.ok(
            "save_draft",
            json!({ "beneficiary": b, "form": { "sys": "150", "notes": "咳嗽" } }),
        );
        (user, b)
    };
    let app = open(dir.path());
    app.ok("unlock", json!({ "user": user, "pin": "1234" }));
    let draft = app.ok("load_draft", json!({ "beneficiary": b }));
    assert_eq!(draft, json!({ "sys": "150", "notes": "咳嗽" }));
}

#[test]
fn a_visit_saved_while_the_server_is_down_waits_safely_then_reaches_the_server() {
    let HelperTablet { app, mut server, beneficiary: b, _dirs } = helper_tablet();
    server.down();

    let visit = json!({ "arrived": now() - 600_000, "sys": 150, "dia": 95, "pulse": 88, "notes": "offline visit" });
    app.ok("record_visit", json!({ "beneficiary": b, "visit": visit, "now": now() }));
    assert_eq!(app.error_code("sync", json!({ "now": now() })), "unreachable");
    let status = app.ok("sync_status", json!({}));
    assert_eq!(status["waiting"], 1);
    assert_eq!(status["error_code"], "unreachable");

    server.up();
    let status = app.ok("sync", json!({ "now": now() }));
    assert_eq!(status["waiting"], 0);
    assert_eq!(status["error_code"], Value::Null);
    assert!(status["last_synced_text"].as_str().unwrap().contains('年'));
    assert!(server.visit_notes().contains(&"offline visit".to_string()));
}

#[test]
fn a_sync_stuck_on_a_slow_network_does_not_hold_up_saving_a_visit() {
    let HelperTablet { app, mut server, beneficiary: b, _dirs } = helper_tablet();
    server.down();
    let stalled = server.stall();

    let shared = app.shared.clone();
    let syncing = std::thread::spawn(move || shared.sync(now()));
    for _ in 0..1000 {
        if !app.ok("sync_progress", json!({})).is_null() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    // The first request is on its way to a server that will not answer for 30 s.
    std::thread::sleep(std::time::Duration::from_millis(200));
    let visit =
        json!({ "arrived": now() - 600_000, "sys": 128, "dia": 80, "notes": "saved mid-sync" });
    app.ok("record_visit", json!({ "beneficiary": b, "visit": visit, "now": now() }));
    assert!(!syncing.is_finished(), "the visit was saved while the sync still waited");
    assert_eq!(app.ok("sync_progress", json!({}))["phase"], "records");

    drop(stalled);
    let stuck = syncing.join().unwrap().expect_err("the stalled sync fails");
    assert_eq!(stuck.code, "unreachable");
    assert!(app.ok("sync_progress", json!({})).is_null(), "no sync runs any more");
    server.up();
    app.ok("sync", json!({ "now": now() }));
    assert!(server.visit_notes().iter().any(|n| n == "saved mid-sync"));
}

#[test]
fn a_revoked_device_wipes_its_user_and_says_so() {
    let (dir, sdir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let server = DemoServer::start(sdir.path());
    let app = open(dir.path());
    let user = enrol(&app, &server, "helper1", "1234");
    app.ok("sync", json!({ "now": now() }));
    let store =
        peihu_device::Store::open(&dir.path().join("users").join(&user).join("device.sqlite"))
            .unwrap();
    let device = store.meta("device").unwrap().unwrap().parse().unwrap();
    drop(store);
    server.storage().revoke_device(device, now()).unwrap();

    assert_eq!(app.error_code("sync", json!({ "now": now() })), "device_revoked");
    assert!(!dir.path().join("users").join(&user).exists(), "the user's folder is gone");
    let info = app.ok("app_info", json!({}));
    assert_eq!(info["profiles"], json!([]));
    assert_eq!(info["wiped_notice"], true);
    assert_eq!(app.error_code("duty", json!({ "now": now() })), "locked");
}

#[test]
fn an_escort_completes_the_nine_steps_and_the_server_holds_them() {
    let (dir, sdir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let server = DemoServer::start(sdir.path());
    let app = open(dir.path());
    enrol(&app, &server, "escort1", "5678");
    app.ok("sync", json!({ "now": now() }));
    let id = app.ok("episodes", json!({ "now": now() }))[0]["id"].as_str().unwrap().to_string();
    let png = {
        let mut p = b"\x89PNG\r\n\x1a\n".to_vec();
        p.extend_from_slice(&[0; 16]);
        p
    };
    let steps = [
        json!({"step": "clock_in"}),
        json!({"step": "admit"}),
        json!({"step": "notice", "which": "coverage"}),
        json!({"step": "notice", "which": "standard"}),
        json!({"step": "notice", "which": "complaints"}),
        json!({"step": "ack_signature", "png": png}),
        json!({"step": "daily", "which": "services", "text": "翻身、喂饭"}),
        json!({"step": "daily", "which": "orders", "text": "低盐饮食"}),
        json!({"step": "daily", "which": "special", "text": "无"}),
        json!({"step": "handover", "which": "care_points", "text": "防褥疮", "to": "家属"}),
        json!({"step": "handover", "which": "medication", "text": "降压药每日一次", "to": "家属"}),
        json!({"step": "handover", "which": "rehabilitation", "text": "每天散步", "to": "家属"}),
        json!({"step": "discharge"}),
    ];
    for step in steps {
        app.ok("episode_step", json!({ "id": id, "step": step, "now": now() }));
    }
    assert_eq!(
        app.error_code("episode_step", json!({ "id": id, "step": {"step": "daily", "which": "orders", "text": " "}, "now": now() })),
        "empty_text"
    );
    let view = app.ok("episode", json!({ "id": id, "now": now() }));
    assert_eq!(view["row"]["complete"], true, "{view}");
    let status = app.ok("sync", json!({ "now": now() }));
    assert_eq!(status["files_waiting"], 0, "the signature went up with the sync: {status}");
    let held = server.episode(&id);
    assert!(held.nine_steps(view["today"].as_str().unwrap()).complete());
    assert_eq!(held.acks.len(), 1);
    let signature = held.acks.values().next().unwrap().signature.expect("a signature");
    assert!(server.blob(&signature).is_some(), "the server holds the signature's file");
}
