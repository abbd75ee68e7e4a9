//! The whole app in a real WebKit window under X (run under `xvfb-run`), driven through
//! `tauri-driver` and WebDriver, against a real `peihu-server` on loopback. Screenshots of the
//! main screens at 1280×800 and 800×1280 go to `artifacts/tablet/`.
//!
//! This test runs with the others. If a tool is missing it fails saying which one and how to
//! get it, rather than skipping silently.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use serde_json::json;
use thirtyfour::Capabilities;
use thirtyfour::prelude::*;

use crate::support::DemoServer;

fn on_path(tool: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    let home_bin = std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo/bin"));
    std::env::split_paths(&path).chain(home_bin).map(|d| d.join(tool)).find(|p| p.is_file())
}

/// Everything the test needs from the machine, or a panic naming what is missing.
fn require_tools() -> PathBuf {
    let mut missing = Vec::new();
    if std::env::var_os("DISPLAY").is_none() {
        missing.push("an X display: run the tests under `xvfb-run -a -s \"-screen 0 1280x1280x24\"` (Debian package xvfb, xauth)");
    }
    if on_path("WebKitWebDriver").is_none() {
        missing.push("WebKitWebDriver (Debian package webkit2gtk-driver)");
    }
    let driver = on_path("tauri-driver");
    if driver.is_none() {
        missing.push("tauri-driver (cargo install tauri-driver --version 2.1.0 --locked)");
    }
    assert!(missing.is_empty(), "the end-to-end test cannot run; missing: {}", missing.join("; "));
    driver.unwrap()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// `tauri-driver`, stopped with SIGTERM so it takes WebKitWebDriver down with it.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.0.id().to_string()]).status();
        let _ = self.0.wait();
    }
}

fn wait_for_port(port: u16) {
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(start.elapsed() < Duration::from_secs(30), "tauri-driver did not open port {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../artifacts/tablet");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A real phone photo from `../shared/data` beside the checkout, or, where that folder is
/// absent, a gradient drawn by ImageMagick (this test is about the app, not about photos).
fn test_photo() -> Vec<u8> {
    let shared =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/photos/landscape_1.jpg");
    if let Ok(bytes) = std::fs::read(&shared) {
        return bytes;
    }
    eprintln!("{} is absent: using a drawn test picture instead", shared.display());
    let out =
        Command::new("convert").args(["-size", "320x240", "gradient:#8ab-#fda", "jpg:-"]).output();
    match out {
        Ok(o) if o.status.success() && !o.stdout.is_empty() => o.stdout,
        _ => panic!(
            "a test photo is needed: ../shared/data/photos/landscape_1.jpg or ImageMagick's convert"
        ),
    }
}

/// Polls `check` until it holds; a UI, not a server, so there is nothing to subscribe to.
async fn until<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while !check().await {
        assert!(start.elapsed() < Duration::from_secs(30), "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn el(d: &WebDriver, css: &str) -> WebElement {
    d.query(By::Css(css)).first().await.unwrap_or_else(|e| panic!("no element {css}: {e}"))
}

/// Clicks like a finger: the element is first scrolled to the middle of the screen, clear of
/// the sticky top bar and save bar.
async fn click(d: &WebDriver, css: &str) {
    let e = el(d, css).await;
    let arg = e.to_json().unwrap();
    d.execute("arguments[0].scrollIntoView({block: 'center'})", vec![arg]).await.unwrap();
    e.click().await.unwrap_or_else(|err| panic!("cannot click {css}: {err}"));
}

async fn type_into(d: &WebDriver, css: &str, text: &str) {
    let e = el(d, css).await;
    e.clear().await.unwrap();
    e.send_keys(text).await.unwrap_or_else(|err| panic!("cannot type into {css}: {err}"));
}

async fn text_of(d: &WebDriver, css: &str) -> String {
    match d.find(By::Css(css)).await {
        Ok(e) => e.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

async fn exists(d: &WebDriver, css: &str) -> bool {
    d.find_all(By::Css(css)).await.map(|v| !v.is_empty()).unwrap_or(false)
}

/// Writes what the X display shows of the window, as a person would see it. (WebDriver's own
/// screenshot waits for a presentation update, which a WebView without GPU compositing, as the
/// app runs, may not send while the page is idle.)
async fn shot(d: &WebDriver, name: &str) {
    let frames =
        "requestAnimationFrame(() => requestAnimationFrame(arguments[arguments.length - 1]))";
    d.execute_async(frames, vec![]).await.unwrap();
    let r = d.get_window_rect().await.unwrap();
    let path = artifacts().join(format!("{name}.png"));
    let crop = format!("{}x{}+{}+{}", r.width, r.height, r.x, r.y);
    let out = Command::new("import")
        .args(["-silent", "-window", "root", "-crop", &crop, "+repage"])
        .arg(&path)
        .output()
        .expect("ImageMagick's import takes the screenshots (tests/run.sh installs it)");
    assert!(out.status.success(), "import failed: {}", String::from_utf8_lossy(&out.stderr));
}

async fn resize(d: &WebDriver, w: u32, h: u32) {
    d.set_window_rect(0, 0, w, h).await.unwrap();
}

#[test]
fn a_helper_and_an_escort_work_through_the_real_app_offline_and_online() {
    let tauri_driver = require_tools();
    let app_binary = env!("CARGO_BIN_EXE_peihu-tablet");
    let (data, sdata, files) =
        (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let photo = files.path().join("visit.jpg");
    std::fs::write(&photo, test_photo()).unwrap();
    let mut server = DemoServer::start(sdata.path());
    let (port, native) = (free_port(), free_port());
    let _driver = Driver(
        Command::new(tauri_driver)
            .args(["--port", &port.to_string(), "--native-port", &native.to_string()])
            .env("PEIHU_DATA_DIR", data.path())
            .env("PEIHU_SERVER", server.url())
            .spawn()
            .expect("tauri-driver starts"),
    );
    wait_for_port(port);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let mut caps = Capabilities::new();
        caps.set("tauri:options", json!({ "application": app_binary })).unwrap();
        // tauri-driver answers on its port before WebKitWebDriver behind it is ready; on a
        // busy machine the first session request can fail, so it is asked a few times.
        let mut attempt = 0;
        let d = loop {
            attempt += 1;
            match WebDriver::new(format!("http://127.0.0.1:{port}"), caps.clone()).await {
                Ok(d) => break d,
                Err(e) if attempt < 5 => {
                    eprintln!("WebDriver session attempt {attempt} failed ({e}); retrying");
                    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
                }
                Err(e) => panic!("no WebDriver session after {attempt} attempts: {e}"),
            }
        };
        resize(&d, 1280, 800).await;
        scenario(&d, &mut server, &photo).await;
        d.quit().await.unwrap();
    });
}

async fn scenario(d: &WebDriver, server: &mut DemoServer, photo: &Path) {
    helper_records_a_visit_offline(d, server, photo).await;
    escort_completes_the_nine_steps(d, server).await;
    portrait_screens(d).await;
}

async fn enrol(d: &WebDriver, code: &str, pin: &str) {
    el(d, "#enrol-server").await;
    type_into(d, "#enrol-code", code).await;
    type_into(d, "#enrol-pin", pin).await;
    type_into(d, "#enrol-pin2", pin).await;
    click(d, "#enrol-submit").await;
}

async fn helper_records_a_visit_offline(d: &WebDriver, server: &mut DemoServer, photo: &Path) {
    shot(d, "landscape-01-enrol").await;
    enrol(d, &server.code("helper1"), "1234").await;
    until("the duty list after the first sync", || async {
        exists(d, "#group-red .duty-row").await
    })
    .await;
    shot(d, "landscape-02-duty").await;

    server.down();
    click(d, "#group-red .duty-row").await;
    el(d, "#start-visit").await;
    shot(d, "landscape-03-card").await;
    click(d, "#start-visit").await;
    click(d, "#checkin").await;
    el(d, "#checked-in").await;
    assert!(
        text_of(d, "#location-na").await.contains("无法获取"),
        "location is marked not available"
    );

    type_into(d, "#vital-temp", "98.6").await;
    until("the temperature error beside the field", || async {
        text_of(d, "#error-temp").await.contains("华氏")
    })
    .await;
    type_into(d, "#vital-sys", "150").await;
    type_into(d, "#vital-dia", "95").await;
    type_into(d, "#vital-pulse", "88").await;
    let error = el(d, "#error-temp").await.to_json().unwrap();
    d.execute("arguments[0].scrollIntoView({block: 'center'})", vec![error]).await.unwrap();
    shot(d, "landscape-04-visit-error").await;
    type_into(d, "#vital-temp", "36.8").await;
    until("the temperature error to clear", || async { !exists(d, "#error-temp").await }).await;
    type_into(d, "#notes", "E2E 离线探访").await;
    click(d, "[data-topic='bp_control']").await;
    el(d, "#photo-input")
        .await
        .send_keys(photo.to_str().unwrap())
        .await
        .expect("the photo picker takes a file");
    until("the photo to be added", || async { text_of(d, "#photo-count").await.contains('1') })
        .await;
    click(d, "#visit-submit").await;
    until("the saved notice", || async { text_of(d, "#notice").await.contains("已保存") }).await;

    click(d, "#sync-now").await;
    until("the sync failure sentence", || async {
        text_of(d, "#sync-failure").await.contains("安全")
    })
    .await;
    assert!(text_of(d, "#sync-text").await.contains("等待上传"), "records waiting are shown");
    shot(d, "landscape-05-offline").await;

    server.up();
    click(d, "#sync-now").await;
    until("everything uploaded", || async {
        text_of(d, "#sync-text").await.contains("全部已上传") && !exists(d, "#sync-failure").await
    })
    .await;
    assert!(
        server.visit_notes().contains(&"E2E 离线探访".to_string()),
        "the server holds the visit"
    );
}

async fn escort_completes_the_nine_steps(d: &WebDriver, server: &DemoServer) {
    let helper_name = text_of(d, ".top-actions .who").await;
    click(d, "#logout").await;
    el(d, "#add-user").await;
    let body = d.find(By::Css("main")).await.unwrap().text().await.unwrap();
    assert!(
        !body.contains("E2E") && !exists(d, ".duty-row").await,
        "nothing of the helper's stays on screen"
    );
    assert!(body.contains(&helper_name), "the helper's name stays on the unlock screen");
    click(d, "#add-user").await;
    enrol(d, &server.code("escort1"), "5678").await;
    until("the escort's episode", || async { exists(d, ".episode-row").await }).await;
    let episode = el(d, ".episode-row").await.attr("data-episode").await.unwrap().unwrap();
    click(d, ".episode-row").await;
    click(d, "#clock-in").await;
    el(d, "#clock-out").await;
    click(d, "#admit").await;
    until("admission", || async { !exists(d, "#admit").await }).await;
    click(d, "#open-card").await;
    el(d, "#clarity-card").await;
    shot(d, "landscape-06-clarity-card").await;
    click(d, "#clarity-close").await;
    for k in ["coverage", "standard", "complaints"] {
        click(d, &format!("#notice-{k}-done")).await;
        until("the notice ticked", || async { !exists(d, &format!("#notice-{k}-done")).await })
            .await;
    }
    sign(d).await;
    until("the acknowledgement", || async { exists(d, "#ack-done").await }).await;
    for (k, text) in [("services", "翻身、喂饭"), ("orders", "低盐饮食"), ("special", "无")]
    {
        write_step(d, &format!("daily-{k}"), text).await;
    }
    for (k, text) in [
        ("care_points", "防褥疮"),
        ("medication", "降压药每日一次"),
        ("rehabilitation", "每天散步"),
    ] {
        write_step(d, &format!("handover-{k}"), text).await;
    }
    click(d, "#discharge").await;
    until("the nine steps complete", || async {
        el(d, "#nine-steps").await.attr("data-complete").await.ok().flatten().as_deref()
            == Some("true")
    })
    .await;
    shot(d, "landscape-07-episode-complete").await;
    click(d, "#sync-now").await;
    until("the episode uploaded", || async {
        text_of(d, "#sync-text").await.contains("全部已上传")
    })
    .await;
    let held = server.episode(&episode);
    assert_eq!(held.acks.len(), 1, "the server holds the signed acknowledgement");
    assert!(held.acks.values().next().unwrap().signature.is_some());
    assert!(held.discharged.v.is_some());
}

async fn sign(d: &WebDriver) {
    let pad = el(d, "#signature-pad").await;
    d.action_chain()
        .move_to_element_center(&pad)
        .click_and_hold()
        .move_by_offset(60, 20)
        .move_by_offset(60, -30)
        .move_by_offset(40, 25)
        .release()
        .perform()
        .await
        .expect("drawing on the signature pad");
    click(d, "#save-signature").await;
}

async fn write_step(d: &WebDriver, id: &str, text: &str) {
    type_into(d, &format!("#{id}-text"), text).await;
    click(d, &format!("#{id}-save")).await;
    until("the step recorded", || async { exists(d, &format!("#{id} .badge.done")).await }).await;
}

async fn portrait_screens(d: &WebDriver) {
    resize(d, 800, 1280).await;
    shot(d, "portrait-01-episode").await;
    click(d, "#logout").await;
    el(d, "#add-user").await;
    shot(d, "portrait-02-unlock").await;
    click(d, ".person").await;
    type_into(d, "#unlock-pin", "1234").await;
    click(d, "#unlock-submit").await;
    until("the duty list", || async { exists(d, ".duty-row").await }).await;
    shot(d, "portrait-03-duty").await;
    click(d, "#group-red .duty-row").await;
    el(d, "#start-visit").await;
    shot(d, "portrait-04-card").await;
    click(d, "#start-visit").await;
    type_into(d, "#vital-sys", "300").await;
    until("the systolic error", || async { exists(d, "#error-sys").await }).await;
    shot(d, "portrait-05-visit").await;
    resize(d, 1280, 800).await;
}
