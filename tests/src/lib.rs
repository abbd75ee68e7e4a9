//! # peihu-tests: Peihu's sync, end to end
//!
//! Small helpers for the integration tests in `tests/sync.rs` and the benchmark in
//! `benches/sync.rs`; no product code lives here.
//!
//! - [`TestServer`]: the real server (`peihu_server::serve` on SQLite in a temp dir), started
//!   in-process on an ephemeral loopback port and stopped through a oneshot at drop.
//! - [`ChildServer`]: the server as a child process, for the tests that SIGKILL it.
//! - [`Field`]: an enrolled device: a real [`Store`] in a temp dir driven through
//!   `peihu_device::{sync, field}`.
//! - [`Scripted`]: an HTTP transport whose script can rewrite a request, cut the connection or
//!   act on the server between two requests of one sync.
//!
//! ## Which binary the child server runs
//!
//! Cargo builds a package's binaries whenever that package's integration tests are built, and
//! `sync-server` has integration tests; so `cargo test --workspace` (what CI runs on a clean
//! clone) leaves a fresh `target/<profile>/peihu-server` beside this test binary's `deps/`
//! folder, and [`ChildServer::spawn`] runs it (`serve --data DIR --listen 127.0.0.1:0`, reading
//! the bound address from its log). `cargo test -p peihu-tests` alone builds no such binary, and
//! one left by an earlier build may be stale; so it is used only when it is newer than every
//! `peihu_server` library in `deps/` (or when `PEIHU_SERVER_BIN` names a binary). Otherwise the
//! test binary runs *itself* as the server: an ignored test (or the bench's `main`) sees
//! [`CHILD_DATA_ENV`] and calls [`serve_as_child`], which opens the same storage and runs the
//! same `peihu_server::serve` as `peihu-server serve`. The test prints which one it ran.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, SystemTime};

use automerge::AutoCommit;
use peihu_device::Store;
use peihu_device::field::{self, VisitForm};
use peihu_device::sync::{self, Http, SyncError, Transport};
use peihu_server::AppState;
use peihu_server::admin::NewUser;
use peihu_server::storage::sqlite::SqliteStorage;
use peihu_server::storage::{Role, Storage, User};
use peihu_shared::doc::{self, NewBeneficiary, NewEpisode};
use peihu_shared::ids::{
    AgencyId, BeneficiaryId, DeviceId, DocId, EpisodeId, IdNumber, PlaceCode, UserId, VisitId,
};
use peihu_shared::model::{DisabilityLevel, LivingSituation, Provenance, RiskColour, Sex};
use peihu_shared::rules::{Thresholds, VitalInput};
use peihu_shared::sync::client::Outcome;
use peihu_shared::sync::wire::{Request, Response};
use tempfile::TempDir;

/// A real town of Yantai (芝罘区向阳街道) under which the tests invent their villages.
pub const TOWN: &str = "370602001";
/// An invented village of [`TOWN`].
pub const VILLAGE_A: &str = "370602001201";
/// Another invented village of [`TOWN`].
pub const VILLAGE_B: &str = "370602001202";

/// Parses a division code the tests know to be valid.
pub fn place(code: &str) -> PlaceCode {
    code.parse().expect("the tests use valid division codes")
}

/// The system clock in Unix ms.
pub fn now() -> i64 {
    peihu_server::now_ms()
}

/// Loads Yantai's divisions and the two invented villages.
pub fn prepare(storage: &SqliteStorage) {
    peihu_server::demo::load_places(storage).expect("Yantai's divisions load");
    storage.put_place(place(VILLAGE_A), "测试东村（虚构）", true).expect("village A");
    storage.put_place(place(VILLAGE_B), "测试西村（虚构）", true).expect("village B");
}

/// The real server on SQLite in a temp dir, served in-process on `127.0.0.1:0`.
#[derive(Debug)]
pub struct TestServer {
    /// Base URL, e.g. `http://127.0.0.1:40123`.
    pub url: String,
    /// The storage the server runs on, for admin commands and inspection.
    pub storage: Arc<SqliteStorage>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    _dir: TempDir,
}

impl TestServer {
    /// Starts a server whose storage already holds Yantai's divisions and the test villages.
    pub fn start() -> TestServer {
        let dir = tempfile::tempdir().expect("a temp dir");
        let storage = SqliteStorage::open(dir.path()).expect("storage opens");
        prepare(&storage);
        let state = AppState::new(storage);
        let storage = state.storage.clone();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let (addr_tx, addr_rx) = mpsc::channel::<SocketAddr>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
                addr_tx.send(listener.local_addr().expect("bound address")).expect("test waits");
                let shutdown = async {
                    let _ = rx.await;
                };
                peihu_server::serve(listener, state, shutdown).await.expect("server runs");
            });
        });
        let addr = addr_rx.recv().expect("the server thread reports its address");
        TestServer {
            url: format!("http://{addr}"),
            storage,
            shutdown: Some(tx),
            thread: Some(thread),
            _dir: dir,
        }
    }

    /// Creates a user and a one-time enrolment code for their device.
    pub fn user(
        &self,
        login: &str,
        role: Role,
        at: &str,
        agency: Option<AgencyId>,
    ) -> (User, String) {
        add_user(&self.storage, login, role, at, agency)
    }

    /// Enrols a new device of a new helper of `village`.
    pub fn helper(&self, login: &str, village: &str) -> Field {
        let (_, code) = self.user(login, Role::Helper, village, None);
        Field::enroll(&self.url, &code)
    }

    /// A document as the server holds it.
    pub fn doc(&self, id: &DocId) -> Option<AutoCommit> {
        server_doc(&self.storage, id)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Creates a user and a one-time enrolment code.
pub fn add_user(
    storage: &SqliteStorage,
    login: &str,
    role: Role,
    at: &str,
    agency: Option<AgencyId>,
) -> (User, String) {
    let new = NewUser {
        login: login.into(),
        name: format!("{login}（虚构）"),
        role,
        place: place(at),
        agency,
        password: None,
    };
    let user = storage.create_user(&new).expect("user created");
    let code = storage.issue_code(user.id, now()).expect("code issued");
    (user, code)
}

/// A document as the server holds it.
pub fn server_doc(storage: &SqliteStorage, id: &DocId) -> Option<AutoCommit> {
    storage.load_doc(id).expect("storage reads").map(|l| l.doc)
}

/// An invented beneficiary of `village` (a valid-looking ID number that belongs to nobody).
pub fn new_beneficiary(village: &str, n: u64) -> NewBeneficiary {
    let first17 = format!("370602{:04}0506{:03}", 1930 + n % 20, n % 1000);
    let digits: [u8; 17] = std::array::from_fn(|i| first17.as_bytes()[i] - b'0');
    NewBeneficiary {
        id: BeneficiaryId::new_random(),
        place: place(village),
        name: format!("测试{n}（虚构）"),
        sex: if n.is_multiple_of(2) { Sex::Female } else { Sex::Male },
        birth_date: format!("{:04}-05-06", 1930 + n % 20),
        id_number: format!("{first17}{}", IdNumber::check_char(&digits)),
        address: format!("{n}号（虚构地址）"),
        living: LivingSituation::Alone,
        disability: DisabilityLevel::None,
        allergies: vec![],
        conditions: vec!["高血压".into()],
        contact_name: "亲属（虚构）".into(),
        contact_phone: format!("1390000{:04}", n % 10_000),
        colour: [RiskColour::Red, RiskColour::Yellow, RiskColour::Blue][(n % 3) as usize],
        colour_reason: "测试".into(),
    }
}

/// Who wrote something on the server side (a supervisor's console, the demo loader).
pub fn server_prov() -> Provenance {
    Provenance { by: UserId::from_bytes([9; 12]), device: DeviceId::from_bytes([0; 12]), at: now() }
}

/// Stores a new beneficiary (card and case) on the server, as a supervisor would.
pub fn seed_beneficiary(storage: &SqliteStorage, village: &str, n: u64) -> BeneficiaryId {
    let new = new_beneficiary(village, n);
    let (mut card, mut case) = doc::new_beneficiary(&new, &server_prov()).expect("documents");
    storage.put_new_doc(DocId::Card(new.id), &mut card, now()).expect("card stored");
    storage.put_new_doc(DocId::Case(new.id), &mut case, now()).expect("case stored");
    new.id
}

/// Stores a new episode on the server, assigned to `escort` of `agency`.
pub fn seed_episode(
    storage: &SqliteStorage,
    beneficiary: BeneficiaryId,
    village: &str,
    agency: AgencyId,
    escort: UserId,
) -> EpisodeId {
    let new = NewEpisode {
        id: EpisodeId::new_random(),
        beneficiary,
        place: place(village),
        agency,
        escort: Some(escort),
        hospital: "测试医院（虚构）".into(),
        ward: "心内科".into(),
        bed: "3".into(),
        expected_admission: now(),
    };
    let mut episode = doc::new_episode(&new, &server_prov()).expect("episode document");
    storage.put_new_doc(DocId::Episode(new.id), &mut episode, now()).expect("episode stored");
    new.id
}

/// The ids of every visit in a case document.
pub fn visit_ids(case: &AutoCommit) -> BTreeSet<String> {
    doc::hydrate_case(case).expect("a readable case").visits.keys().cloned().collect()
}

/// Audit rows `(event, doc)` whose event starts with `prefix`.
pub fn audit(storage: &SqliteStorage, prefix: &str) -> Vec<(String, Option<String>)> {
    storage
        .with_conn(|c| {
            let mut stmt = c.prepare(
                "SELECT event, doc_id FROM audit WHERE event LIKE ?1 || '%' ORDER BY id",
            )?;
            let rows = stmt.query_map([prefix], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .expect("audit readable")
}

/// The `flagged` column of a device's row.
pub fn device_flagged(storage: &SqliteStorage, device: DeviceId) -> bool {
    storage
        .with_conn(|c| {
            Ok(c.query_row(
                "SELECT flagged FROM devices WHERE id = ?1",
                [device.to_string()],
                |r| r.get::<_, bool>(0),
            )?)
        })
        .expect("device row")
}

/// What one sync did.
#[derive(Debug, Clone)]
pub struct Synced {
    /// The engine's outcome.
    pub outcome: Outcome,
    /// HTTP requests made.
    pub requests: u32,
    /// Request body bytes.
    pub sent: u64,
    /// Response body bytes.
    pub received: u64,
}

/// An enrolled device with a real store in a temp dir.
#[derive(Debug)]
pub struct Field {
    /// The device store.
    pub store: Store,
    /// Whose device.
    pub user: UserId,
    /// The device id the server gave.
    pub device: DeviceId,
    /// The server's base URL (replaceable when a server restarts elsewhere).
    pub server: String,
    dir: TempDir,
}

impl Field {
    /// Enrols a new device with a one-time code.
    pub fn enroll(server: &str, code: &str) -> Field {
        let dir = tempfile::tempdir().expect("a temp dir");
        let mut store = Store::open(&dir.path().join("device.sqlite")).expect("store opens");
        let enrolment = sync::enroll(&mut store, server, code).expect("enrolment");
        Field {
            store,
            user: enrolment.user.parse().expect("user id"),
            device: enrolment.device.parse().expect("device id"),
            server: server.to_string(),
            dir,
        }
    }

    /// The device token, as kept in the store.
    pub fn token(&self) -> String {
        self.store.meta("token").expect("meta readable").expect("enrolled")
    }

    /// An HTTP transport to the server with this device's token.
    pub fn http(&self) -> Http {
        Http::new(&self.server, &self.token())
    }

    /// Syncs over HTTP at the right time.
    pub fn sync(&mut self) -> Result<Synced, SyncError> {
        self.sync_at(now())
    }

    /// Syncs over HTTP with the device clock reading `clock`.
    pub fn sync_at(&mut self, clock: i64) -> Result<Synced, SyncError> {
        let mut http = self.http();
        let outcome = sync::sync(&mut self.store, &mut http, clock)?;
        Ok(Synced { outcome, requests: http.requests, sent: http.sent, received: http.received })
    }

    /// Syncs through another transport.
    pub fn sync_via(&mut self, transport: &mut dyn Transport) -> Result<Outcome, SyncError> {
        sync::sync(&mut self.store, transport, now())
    }

    /// Provenance of something written on this device now.
    pub fn prov(&self) -> Provenance {
        Provenance { by: self.user, device: self.device, at: now() }
    }

    /// Records a plain visit to `beneficiary`; returns its id.
    pub fn visit(&mut self, beneficiary: BeneficiaryId) -> VisitId {
        let at = now();
        let form = VisitForm {
            arrived: at - 1_800_000,
            departed: at,
            vitals: VitalInput { pulse: Some(76.0), ..VitalInput::default() },
            notes: "测试随访".into(),
            ..VisitForm::default()
        };
        let prov = self.prov();
        field::record_visit(&mut self.store, beneficiary, &form, &prov, &Thresholds::default())
            .expect("visit saved")
            .id
    }

    /// Sets the contact phone register of a beneficiary's card.
    pub fn set_phone(&mut self, beneficiary: BeneficiaryId, phone: &str) {
        let prov = self.prov();
        self.store
            .edit(&DocId::Card(beneficiary), |d| {
                doc::set_register(d, &["contact_phone"], phone.to_string(), &prov)
            })
            .expect("phone saved");
    }

    /// Registers a new beneficiary on this device; returns its id.
    pub fn register(&mut self, village: &str, n: u64) -> BeneficiaryId {
        let new = new_beneficiary(village, n);
        let prov = self.prov();
        field::register_beneficiary(&mut self.store, &new, &prov).expect("registered");
        new.id
    }

    /// Closes the store and opens it again from disk.
    pub fn reopen(&mut self) {
        let path = self.dir.path().join("device.sqlite");
        self.store = Store::open(&path).expect("store reopens");
    }

    /// A document as this device holds it.
    pub fn doc(&self, id: &DocId) -> Option<&AutoCommit> {
        self.store.doc(id)
    }
}

/// What a [`Scripted`] transport does with one request.
#[derive(Debug)]
pub enum Fate {
    /// Send it and return the answer.
    Deliver,
    /// Send this request instead and return its answer.
    Rewrite(Request),
    /// Send this request, then drop the connection before the answer reaches the device.
    SendThenCut(Request),
}

/// An HTTP transport that consults a script before each request and records every exchange.
pub struct Scripted<F: FnMut(usize, &Request) -> Fate> {
    /// The real transport underneath.
    pub http: Http,
    /// Called with the request's index (0 = the summary) before it goes out.
    pub script: F,
    /// Every request the device asked to send, with the answer it received (if any).
    pub log: Vec<(Request, Option<Response>)>,
}

impl<F: FnMut(usize, &Request) -> Fate> std::fmt::Debug for Scripted<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scripted").field("requests", &self.log.len()).finish_non_exhaustive()
    }
}

impl<F: FnMut(usize, &Request) -> Fate> Scripted<F> {
    /// A scripted transport over `http`.
    pub fn new(http: Http, script: F) -> Self {
        Scripted { http, script, log: Vec::new() }
    }
}

impl<F: FnMut(usize, &Request) -> Fate> Transport for Scripted<F> {
    fn send(&mut self, body: Vec<u8>) -> Result<Vec<u8>, SyncError> {
        let request = Request::decode(&body).expect("the device sends well-formed requests");
        let fate = (self.script)(self.log.len(), &request);
        self.log.push((request, None));
        let (body, cut) = match fate {
            Fate::Deliver => (body, false),
            Fate::Rewrite(other) => (other.encode(), false),
            Fate::SendThenCut(other) => (other.encode(), true),
        };
        let answer = self.http.send(body)?;
        if cut {
            return Err(SyncError::Unreachable("connection reset by the test".into()));
        }
        let response = Response::decode(&answer).ok();
        self.log.last_mut().expect("just pushed").1 = response;
        Ok(answer)
    }
}

/// The environment variable that turns a test or bench binary into a child server over the
/// data directory it names.
pub const CHILD_DATA_ENV: &str = "PEIHU_TESTS_CHILD_SERVER_DATA";

/// If this process was started as a child server, serves until killed and returns `true`;
/// otherwise returns `false` at once.
pub fn serve_as_child() -> bool {
    let Some(dir) = std::env::var_os(CHILD_DATA_ENV) else { return false };
    let storage = SqliteStorage::open(Path::new(&dir)).expect("child server storage opens");
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        eprintln!("peihu-server listening addr={}", listener.local_addr().expect("address"));
        let state = AppState::new(storage);
        peihu_server::serve(listener, state, std::future::pending()).await.expect("serves");
    });
    true
}

/// The server as a child process on `127.0.0.1:0`, killed with SIGKILL on demand or at drop.
#[derive(Debug)]
pub struct ChildServer {
    child: Child,
    /// Base URL.
    pub url: String,
    /// Which program runs: the `peihu-server` binary or this binary as a child server.
    pub program: String,
}

impl ChildServer {
    /// Starts a server over `data`. `self_args` are the arguments that make this binary run
    /// [`serve_as_child`] when no fresh `peihu-server` binary is found.
    pub fn spawn(data: &Path, self_args: &[&str]) -> ChildServer {
        let mut command = match real_server_binary() {
            Some(bin) => {
                let mut c = Command::new(bin);
                c.arg("serve").arg("--data").arg(data).args(["--listen", "127.0.0.1:0"]);
                c
            }
            None => {
                let mut c = Command::new(std::env::current_exe().expect("own path"));
                c.args(self_args).env(CHILD_DATA_ENV, data);
                c
            }
        };
        let program = command.get_program().to_string_lossy().into_owned();
        command
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("child server starts");
        let addr = listening_addr(&mut child);
        ChildServer { child, url: format!("http://{addr}"), program }
    }

    /// The child's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGKILL and reaps the process.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ChildServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Reads the child's stderr until it reports its address, then keeps draining it so the child
/// never blocks on a full pipe.
fn listening_addr(child: &mut Child) -> SocketAddr {
    let stderr = child.stderr.take().expect("stderr is piped");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut sent = false;
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if !sent && let Some(addr) = parse_addr(&line) {
                let _ = tx.send(addr);
                sent = true;
            }
        }
    });
    match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(addr) => addr,
        Err(_) => {
            let _ = child.kill();
            panic!("the child server did not report its address: {:?}", child.wait());
        }
    }
}

fn parse_addr(line: &str) -> Option<SocketAddr> {
    if !line.contains("listening") {
        return None;
    }
    let plain: String = strip_ansi(line);
    let rest = &plain[plain.find("addr=")? + 5..];
    let end =
        rest.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ':')).unwrap_or(rest.len());
    rest[..end].parse().ok()
}

fn strip_ansi(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// `PEIHU_SERVER_BIN`, or `peihu-server` beside this binary's `deps/` folder when it was built
/// after the `peihu_server` library this binary links (see the crate docs).
fn real_server_binary() -> Option<PathBuf> {
    if let Some(bin) = std::env::var_os("PEIHU_SERVER_BIN") {
        return Some(bin.into());
    }
    let exe = std::env::current_exe().ok()?;
    let deps = exe.parent()?;
    let bin = deps.parent()?.join(format!("peihu-server{}", std::env::consts::EXE_SUFFIX));
    let built = modified(&bin)?;
    let newest_lib = std::fs::read_dir(deps)
        .ok()?
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with("libpeihu_server-") && name.ends_with(".rlib")
        })
        .filter_map(|e| modified(&e.path()))
        .max()?;
    (built >= newest_lib).then_some(bin)
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).ok()?.modified().ok()
}

/// A small deterministic random generator (xorshift64*), so a failing seed can be replayed.
#[derive(Debug, Clone)]
pub struct Dice(u64);

impl Dice {
    /// A generator from a seed (any value, zero included).
    pub fn new(seed: u64) -> Dice {
        Dice(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}
