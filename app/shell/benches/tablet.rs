//! Tablet figures, printed: launch to an interactive duty list of 60 beneficiaries, "save" to
//! durable, and the memory of the running app.
//!
//! `cargo bench -p peihu-tablet --bench tablet` (add `--profile dev` to reuse the test build).
//! The device-core figures need nothing else; the whole-app figures need what the end-to-end
//! test needs (an X display, WebKitWebDriver, tauri-driver) and are skipped, saying so, without.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use peihu_device::Store;
use peihu_device::field;
use peihu_device::tablet::{Profile, Tablet, VisitSubmission, profiles};
use peihu_shared::doc::NewBeneficiary;
use peihu_shared::ids::{BeneficiaryId, DeviceId, UserId};
use peihu_shared::model::{DisabilityLevel, LivingSituation, Provenance, RiskColour, Sex};
use serde_json::json;
use thirtyfour::Capabilities;
use thirtyfour::prelude::*;

const BENEFICIARIES: usize = 60;

fn now() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// A tablet with one helper (PIN 1234) holding 60 beneficiaries. Returns the user id.
fn seed(data: &Path) -> String {
    let (user, device) = (UserId::new_random(), DeviceId::new_random());
    let dir = data.join("users").join(user.to_string());
    std::fs::create_dir_all(&dir).unwrap();
    let mut store = Store::open(&dir.join("device.sqlite")).unwrap();
    store
        .set_meta(&[
            ("device", &device.to_string()),
            ("user", &user.to_string()),
            ("server", "http://127.0.0.1:9"),
            ("token", "bench"),
        ])
        .unwrap();
    let prov = Provenance { by: user, device, at: now() - 40 * 86_400_000 };
    for n in 0..BENEFICIARIES {
        let new = NewBeneficiary {
            id: BeneficiaryId::new_random(),
            place: "370602001201".parse().unwrap(),
            name: format!("测试对象{n:02}"),
            sex: if n % 2 == 0 { Sex::Female } else { Sex::Male },
            birth_date: "1940-03-01".into(),
            id_number: "11010519491231002X".into(),
            address: "测试地址".into(),
            living: LivingSituation::Alone,
            disability: DisabilityLevel::None,
            allergies: vec![],
            conditions: vec!["高血压".into()],
            contact_name: "亲属".into(),
            contact_phone: "13900000000".into(),
            colour: [RiskColour::Red, RiskColour::Yellow, RiskColour::Blue][n % 3],
            colour_reason: "bench".into(),
        };
        field::register_beneficiary(&mut store, &new, &prov).unwrap();
    }
    let profile =
        Profile::new(&user.to_string(), "bench", "测试帮帮团", "helper", "370602001201", "1234");
    profiles::save(data, &[profile]).unwrap();
    user.to_string()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn core_figures(data: &Path, user: &str) {
    let t = Instant::now();
    let mut tablet = Tablet::open(data, None).unwrap();
    tablet.unlock(user, "1234").unwrap();
    let rows = tablet.duty(now()).unwrap();
    let launch = t.elapsed();
    assert_eq!(rows.len(), BENEFICIARIES);
    println!(
        "core: open + unlock + duty list of {} rows: {:.1} ms",
        rows.len(),
        launch.as_secs_f64() * 1e3
    );

    let mut saves = Vec::new();
    let mut drafts = Vec::new();
    for (i, row) in rows.iter().take(30).enumerate() {
        let id = row.beneficiary.to_string();
        let t = Instant::now();
        tablet.save_draft(&id, &json!({ "sys": "150", "notes": format!("draft {i}") })).unwrap();
        drafts.push(t.elapsed().as_secs_f64() * 1e3);
        let visit = VisitSubmission {
            arrived: now() - 600_000,
            sys: Some(150.0),
            dia: Some(95.0),
            pulse: Some(88.0),
            notes: "bench".into(),
            ..Default::default()
        };
        let t = Instant::now();
        tablet.record_visit(&id, &visit, now()).unwrap();
        saves.push(t.elapsed().as_secs_f64() * 1e3);
    }
    for (what, v) in [("save visit (durable)", &mut saves), ("save draft (durable)", &mut drafts)] {
        v.sort_by(f64::total_cmp);
        println!(
            "core: {what}: median {:.1} ms, p95 {:.1} ms, max {:.1} ms",
            percentile(v, 0.5),
            percentile(v, 0.95),
            v[v.len() - 1]
        );
    }
}

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.0.id().to_string()]).status();
        let _ = self.0.wait();
    }
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
        .unwrap_or(false)
}

/// Resident memory of the app and the WebKit processes it started, in MB.
fn app_memory_mb() -> Option<f64> {
    let procs: Vec<(u32, u32, String, u64)> = std::fs::read_dir("/proc")
        .ok()?
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
            let field = |k: &str| {
                status.lines().find(|l| l.starts_with(k)).map(|l| l[k.len()..].trim().to_string())
            };
            let name = field("Name:")?;
            let ppid = field("PPid:")?.parse().ok()?;
            let rss = field("VmRSS:")
                .and_then(|v| v.trim_end_matches(" kB").trim().parse().ok())
                .unwrap_or(0);
            Some((pid, ppid, name, rss))
        })
        .collect();
    let app = procs.iter().find(|p| p.2 == "peihu-tablet")?;
    let children: u64 = procs.iter().filter(|p| p.1 == app.0).map(|p| p.3).sum();
    Some((app.3 + children) as f64 / 1024.0)
}

async fn app_figures(d: &WebDriver, started: Instant) {
    let person = d.query(By::Css(".person")).first().await.unwrap();
    let window_ready = started.elapsed();
    person.click().await.unwrap();
    d.query(By::Css("#unlock-pin")).first().await.unwrap().send_keys("1234").await.unwrap();
    let t = Instant::now();
    d.query(By::Css("#unlock-submit")).first().await.unwrap().click().await.unwrap();
    loop {
        if d.find_all(By::Css(".duty-row")).await.unwrap().len() == BENEFICIARIES {
            break;
        }
        assert!(t.elapsed() < Duration::from_secs(30), "the duty list never showed 60 rows");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let unlock_to_list = t.elapsed();
    println!(
        "app: launch to first screen (WebDriver session included): {:.0} ms",
        window_ready.as_secs_f64() * 1e3
    );
    println!(
        "app: unlock tap to interactive duty list of {BENEFICIARIES}: {:.0} ms",
        unlock_to_list.as_secs_f64() * 1e3
    );
    println!(
        "app: launch to interactive duty list, less the time WebDriver spent typing: {:.0} ms",
        (window_ready + unlock_to_list).as_secs_f64() * 1e3
    );
    let script = "const done = arguments[arguments.length - 1]; const t = performance.now();
        const id = document.querySelector('.duty-row').dataset.beneficiary;
        window.__TAURI__.core.invoke('save_draft', { beneficiary: id, form: { sys: '150' } })
          .then(() => done(performance.now() - t), e => done(-1));";
    let mut times = Vec::new();
    for _ in 0..20 {
        let ms = d.execute_async(script, vec![]).await.unwrap().json().as_f64().unwrap();
        times.push(ms);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "app: tap save (draft through IPC to disk): median {:.1} ms, max {:.1} ms",
        percentile(&times, 0.5),
        times[times.len() - 1]
    );
    match app_memory_mb() {
        Some(mb) => {
            println!("app: resident memory of peihu-tablet and its WebKit processes: {mb:.0} MB");
        }
        None => println!("app: memory not measured (process not found)"),
    }
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let user = seed(data.path());
    core_figures(data.path(), &user);
    if std::env::var_os("DISPLAY").is_none()
        || !on_path("WebKitWebDriver")
        || !on_path("tauri-driver")
    {
        println!("app: skipped (needs an X display, WebKitWebDriver and tauri-driver)");
        return;
    }
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let native = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let _driver = Driver(
        Command::new("tauri-driver")
            .args(["--port", &port.to_string(), "--native-port", &native.to_string()])
            .env("PEIHU_DATA_DIR", data.path())
            .spawn()
            .unwrap(),
    );
    // tauri-driver listens before the WebKitWebDriver it starts behind it does; the clock
    // starts once both answer, so the figure is the app's launch, not the driver's.
    for p in [port, native] {
        while std::net::TcpStream::connect(("127.0.0.1", p)).is_err() {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let mut caps = Capabilities::new();
        let app = json!({ "application": env!("CARGO_BIN_EXE_peihu-tablet") });
        caps.set("tauri:options", app).unwrap();
        let started = Instant::now();
        let d = WebDriver::new(format!("http://127.0.0.1:{port}"), caps).await.unwrap();
        app_figures(&d, started).await;
        d.quit().await.unwrap();
    });
}
