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
/// Cold launches of the whole app measured (each a new process and WebView).
const LAUNCHES: usize = 7;

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

/// One process of the running app: its name, resident set and proportional set (shared pages
/// divided among the processes that map them), in kB.
struct ProcMemory {
    pid: u32,
    name: String,
    rss_kb: u64,
    pss_kb: u64,
}

fn status_field(pid: u32, key: &str) -> Option<String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find(|l| l.starts_with(key)).map(|l| l[key.len()..].trim().to_string())
}

fn kb(value: Option<String>) -> u64 {
    value.and_then(|v| v.trim_end_matches(" kB").trim().parse().ok()).unwrap_or(0)
}

fn pss_kb(pid: u32) -> u64 {
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
    let line = rollup.lines().find(|l| l.starts_with("Pss:")).map(|l| l[4..].to_string());
    kb(line)
}

/// Proportional memory of the processes by what the pages hold, in kB: the software GL driver
/// (Mesa's llvmpipe on a machine without a GPU), other shared libraries, fonts, the app's own
/// binary, and the rest (heaps, JavaScript and wasm, buffers).
fn memory_by_kind(pids: &[u32]) -> [(&'static str, u64); 5] {
    let mut kinds = [
        ("software GL driver (libLLVM, swrast)", 0),
        ("other shared libraries (WebKit, JavaScriptCore, GTK …)", 0),
        ("fonts", 0),
        ("peihu-tablet's own code", 0),
        ("heaps, JavaScript, wasm and buffers", 0),
    ];
    for pid in pids {
        let smaps = std::fs::read_to_string(format!("/proc/{pid}/smaps")).unwrap_or_default();
        let mut kind = 4;
        for line in smaps.lines() {
            let mut words = line.split_whitespace();
            let first = words.next().unwrap_or_default();
            if first.contains('-') && first.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
                let path = words.nth(4).unwrap_or_default();
                kind = if path.contains("libLLVM") || path.contains("_dri.so") {
                    0
                } else if path.contains(".so") {
                    1
                } else if path.starts_with("/usr/share/fonts") {
                    2
                } else if path.ends_with("/peihu-tablet") {
                    3
                } else {
                    4
                };
            } else if first == "Pss:" {
                kinds[kind].1 += kb(words.next().map(str::to_string));
            }
        }
    }
    kinds
}

/// The app and the WebKit processes it started.
fn app_memory() -> Vec<ProcMemory> {
    let Ok(dir) = std::fs::read_dir("/proc") else { return Vec::new() };
    let procs: Vec<(u32, u32, String)> = dir
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            Some((pid, status_field(pid, "PPid:")?.parse().ok()?, status_field(pid, "Name:")?))
        })
        .collect();
    let Some(app) = procs.iter().find(|p| p.2 == "peihu-tablet") else { return Vec::new() };
    procs
        .iter()
        .filter(|p| p.0 == app.0 || p.1 == app.0)
        .map(|&(pid, _, ref name)| ProcMemory {
            pid,
            name: name.clone(),
            rss_kb: kb(status_field(pid, "VmRSS:")),
            pss_kb: pss_kb(pid),
        })
        .collect()
}

/// When the newest `peihu-tablet` process started, in Unix ms (to the kernel's 10 ms tick).
fn app_started_ms() -> Option<f64> {
    let ticks_per_s: f64 = Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok()?.trim().parse().ok())
        .unwrap_or(100.0);
    let started_ticks = std::fs::read_dir("/proc")
        .ok()?
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| status_field(*pid, "Name:").as_deref() == Some("peihu-tablet"))
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            // Fields after the command name's closing parenthesis start at field 3; the start
            // time is field 22.
            stat[stat.rfind(')')? + 2..].split(' ').nth(19)?.parse::<f64>().ok()
        })
        .max_by(f64::total_cmp)?;
    let uptime: f64 =
        std::fs::read_to_string("/proc/uptime").ok()?.split(' ').next()?.parse().ok()?;
    let now = chrono::Utc::now().timestamp_millis() as f64;
    Some(now - (uptime - started_ticks / ticks_per_s) * 1e3)
}

/// One launch: process start to the first screen, and the unlock tap to the painted list of
/// 60, both from the page's own clock (no WebDriver round trips in them).
struct Launch {
    to_first_screen_ms: f64,
    unlock_to_list_ms: f64,
}

async fn launch_once(d: &WebDriver) -> Launch {
    let person = d.query(By::Css(".person")).first().await.unwrap();
    let shown = d
        .execute(
            "const m = performance.getEntriesByName('peihu-first-screen')[0];
             return m ? performance.timeOrigin + m.startTime : null;",
            vec![],
        )
        .await
        .unwrap();
    let shown = shown.json().as_f64().expect("the UI marks its first screen");
    let started = app_started_ms().expect("the app's process start time");
    person.click().await.unwrap();
    d.query(By::Css("#unlock-pin")).first().await.unwrap().send_keys("1234").await.unwrap();
    let script = format!(
        "const done = arguments[arguments.length - 1]; const t = performance.now();
         const check = () => document.querySelectorAll('.duty-row').length === {BENEFICIARIES}
           ? requestAnimationFrame(() => done(performance.now() - t))
           : setTimeout(check, 1);
         document.querySelector('#unlock-submit').click();
         check();"
    );
    let unlock = d.execute_async(&script, vec![]).await.unwrap();
    Launch {
        to_first_screen_ms: shown - started,
        unlock_to_list_ms: unlock.json().as_f64().expect("the list showed"),
    }
}

async fn running_figures(d: &WebDriver) {
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
    let procs = app_memory();
    if procs.is_empty() {
        println!("app: memory not measured (process not found)");
        return;
    }
    for p in &procs {
        println!(
            "app: memory of {}: {:.0} MB resident, {:.0} MB proportional",
            p.name,
            p.rss_kb as f64 / 1024.0,
            p.pss_kb as f64 / 1024.0
        );
    }
    let rss: u64 = procs.iter().map(|p| p.rss_kb).sum();
    let pss: u64 = procs.iter().map(|p| p.pss_kb).sum();
    println!(
        "app: memory of the running app ({} processes): {:.0} MB proportional set, {:.0} MB summed resident",
        procs.len(),
        pss as f64 / 1024.0,
        rss as f64 / 1024.0
    );
    let pids: Vec<u32> = procs.iter().map(|p| p.pid).collect();
    for (kind, kb) in memory_by_kind(&pids) {
        println!("app: memory, of which {kind}: {:.0} MB proportional", kb as f64 / 1024.0);
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
        let (mut first, mut unlock, mut total) = (Vec::new(), Vec::new(), Vec::new());
        for n in 0..LAUNCHES {
            let d = WebDriver::new(format!("http://127.0.0.1:{port}"), caps.clone()).await.unwrap();
            let launch = launch_once(&d).await;
            first.push(launch.to_first_screen_ms);
            unlock.push(launch.unlock_to_list_ms);
            total.push(launch.to_first_screen_ms + launch.unlock_to_list_ms);
            if n == LAUNCHES - 1 {
                running_figures(&d).await;
            }
            d.quit().await.unwrap();
        }
        for (what, v) in [
            ("process start to first screen", &mut first),
            (&*format!("unlock tap to painted duty list of {BENEFICIARIES}"), &mut unlock),
            (
                "launch to interactive duty list (the two above; typing the PIN not counted)",
                &mut total,
            ),
        ] {
            v.sort_by(f64::total_cmp);
            println!(
                "app: {what}: median {:.0} ms, max {:.0} ms over {LAUNCHES} launches",
                percentile(v, 0.5),
                v[v.len() - 1]
            );
        }
    });
}
