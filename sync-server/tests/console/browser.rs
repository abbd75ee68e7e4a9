//! A supervisor's morning in a real headless Chromium driven over WebDriver, against the real
//! `peihu-server` binary on loopback with the demo data: sign in, read the overview, open an
//! overdue beneficiary, change their colour, export the ledger and read the `.xlsx` back.
//! Screenshots of every page go to `artifacts/console/` at the workspace root.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use calamine::{Reader, Xlsx};
use peihu_server::console::export::LEDGER_HEADERS;
use thirtyfour::prelude::*;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// A child process stopped (by its own PID) when the test ends, however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../artifacts/console");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn demo(data: &Path) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_peihu-server"))
        .args(["demo", "--data"])
        .arg(data)
        .arg("--json")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Starts `peihu-server serve` on an ephemeral loopback port and reads the bound address from
/// its log.
fn serve(data: &Path) -> (Running, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_peihu-server"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(data)
        .env("NO_COLOR", "1")
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("the server exited before listening").unwrap();
        if let Some(rest) = line.split("addr=").nth(1).filter(|_| line.contains("listening")) {
            break rest.split_whitespace().next().unwrap().to_string();
        }
    };
    // Keep draining the log so the server never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    (Running(child), format!("http://{addr}"))
}

fn http_ok(port: u16, path: &str) -> bool {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else { return false };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    let request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    if s.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0u8; 16];
    let n = s.read(&mut head).unwrap_or(0);
    head[..n].starts_with(b"HTTP/1.1 200") || head[..n].starts_with(b"HTTP/1.0 200")
}

/// Starts chromedriver on a free loopback port and polls its status until it answers.
fn chromedriver() -> (Running, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let running = Running(child);
    for _ in 0..200 {
        if http_ok(port, "/status") {
            return (running, port);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("chromedriver did not answer on port {port}");
}

async fn shoot(driver: &WebDriver, name: &str) {
    // Measure at the normal viewport, then emulate a viewport as tall as the page, so the
    // screenshot shows the whole page the way a supervisor scrolls through it.
    driver
        .cdp()
        .send_raw("Emulation.clearDeviceMetricsOverride", serde_json::json!({}))
        .await
        .unwrap();
    let height = driver
        .execute("return document.documentElement.scrollHeight", Vec::new())
        .await
        .unwrap()
        .json()
        .as_u64()
        .unwrap_or(900)
        .clamp(700, 8000);
    let metrics = serde_json::json!({ "width": 1366, "height": height, "deviceScaleFactor": 1, "mobile": false });
    driver.cdp().send_raw("Emulation.setDeviceMetricsOverride", metrics).await.unwrap();
    driver.screenshot(&artifacts().join(format!("{name}.png"))).await.unwrap();
    driver
        .cdp()
        .send_raw("Emulation.clearDeviceMetricsOverride", serde_json::json!({}))
        .await
        .unwrap();
}

async fn open_browser(port: u16, profile: &Path, downloads: &Path) -> WebDriver {
    let mut caps = DesiredCapabilities::chrome();
    caps.set_binary(CHROMIUM).unwrap();
    for arg in [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
        "--lang=zh-CN",
        "--window-size=1366,900",
    ] {
        caps.add_arg(arg).unwrap();
    }
    caps.add_arg(&format!("--user-data-dir={}", profile.display())).unwrap();
    let prefs = serde_json::json!({
        "download.default_directory": downloads.display().to_string(),
        "download.prompt_for_download": false,
    });
    caps.add_experimental_option("prefs", prefs).unwrap();
    let driver = WebDriver::new(format!("http://127.0.0.1:{port}"), caps).await.unwrap();
    let allow =
        serde_json::json!({ "behavior": "allow", "downloadPath": downloads.display().to_string() });
    driver.cdp().send_raw("Browser.setDownloadBehavior", allow).await.unwrap();
    driver
}

fn wait_for_download(dir: &Path) -> Vec<u8> {
    for _ in 0..300 {
        let done = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == "xlsx"));
        if let Some(path) = done {
            return std::fs::read(path).unwrap();
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("the ledger download did not appear in {}", dir.display());
}

#[test]
fn a_supervisor_works_through_the_console_in_headless_chromium() {
    assert!(
        Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists(),
        "this test needs headless Chromium and its WebDriver: apt-get install chromium chromium-driver \
         (expected {CHROMIUM} and {CHROMEDRIVER})"
    );
    let data = tempfile::tempdir().unwrap();
    let accounts = demo(data.path());
    let town1 = accounts.as_array().unwrap().iter().find(|a| a["user"] == "town1").unwrap();
    let password = town1["password"].as_str().unwrap().to_string();
    let (_server, base) = serve(data.path());
    let (_driver_process, port) = chromedriver();
    let profile = tempfile::tempdir().unwrap();
    let downloads = tempfile::tempdir().unwrap();

    let rt = tokio::runtime::Runtime::new().unwrap();
    let xlsx = rt.block_on(async {
        let driver = open_browser(port, profile.path(), downloads.path()).await;
        let outcome = walk_through(&driver, &base, &password, downloads.path()).await;
        driver.quit().await.unwrap();
        outcome
    });

    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(xlsx)).unwrap();
    let range = book.worksheet_range("监测台账").unwrap();
    let rows: Vec<Vec<String>> =
        range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    assert_eq!(rows[0], LEDGER_HEADERS.iter().map(|h| h.to_string()).collect::<Vec<_>>());
    assert_eq!(rows.len(), 2, "the demo's one episode");
    assert_eq!(rows[1][4], "烟台市某医院（虚构）");
}

/// The clicks of the test; returns the downloaded ledger.
async fn walk_through(driver: &WebDriver, base: &str, password: &str, downloads: &Path) -> Vec<u8> {
    driver.goto(format!("{base}/console/login")).await.unwrap();
    shoot(driver, "01-login").await;
    driver.find(By::Id("login")).await.unwrap().send_keys("town1").await.unwrap();
    driver.find(By::Id("password")).await.unwrap().send_keys(password).await.unwrap();
    driver.find(By::Id("sign-in")).await.unwrap().click().await.unwrap();

    driver.query(By::Id("duty")).first().await.unwrap();
    assert!(driver.source().await.unwrap().contains("走访履职情况"));
    shoot(driver, "02-overview").await;

    driver.find(By::Id("see-overdue")).await.unwrap().click().await.unwrap();
    let first = driver.query(By::Css("#overdue tbody a")).first().await.unwrap();
    shoot(driver, "03-overdue").await;
    first.click().await.unwrap();

    let save = driver.query(By::Id("save-colour")).first().await.unwrap();
    let badge = driver.find(By::Css("main .toolbar .badge")).await.unwrap();
    let current = badge.attr("class").await.unwrap().unwrap_or_default();
    let (target, name) =
        if current.contains("c-red") { ("yellow", "黄色") } else { ("red", "红色") };
    shoot(driver, "04-beneficiary").await;
    driver.find(By::Id(format!("colour-{target}"))).await.unwrap().click().await.unwrap();
    driver
        .find(By::Id("reason"))
        .await
        .unwrap()
        .send_keys("电话回访：近日跌倒，需加密走访")
        .await
        .unwrap();
    save.click().await.unwrap();

    driver.query(By::Css(".flash")).first().await.unwrap();
    let badge = driver.find(By::Css("main .toolbar .badge")).await.unwrap().text().await.unwrap();
    assert_eq!(badge, name, "the page shows the new colour");
    assert!(driver.source().await.unwrap().contains("电话回访：近日跌倒，需加密走访"));
    shoot(driver, "05-colour-changed").await;

    driver.goto(format!("{base}/console/agencies")).await.unwrap();
    shoot(driver, "06-agencies").await;
    driver.find(By::Id("export-ledger-xlsx")).await.unwrap().click().await.unwrap();
    let ledger = wait_for_download(downloads);
    driver.find(By::Css("#agencies tbody a")).await.unwrap().click().await.unwrap();
    driver.query(By::Id("ladder")).first().await.unwrap();
    shoot(driver, "07-agency").await;

    for (path, name) in [
        ("/console/dispatch", "08-dispatch"),
        ("/console/figures", "09-figures"),
        ("/console/overview?lang=en", "10-overview-en"),
    ] {
        driver.goto(format!("{base}{path}")).await.unwrap();
        shoot(driver, name).await;
    }
    driver.goto(format!("{base}/console/overview?lang=zh")).await.unwrap();
    let episode = driver.query(By::Css("#ep-h + table tbody a")).first().await.unwrap();
    episode.click().await.unwrap();
    driver.query(By::Css("table.steps")).first().await.unwrap();
    shoot(driver, "11-episode").await;
    ledger
}
