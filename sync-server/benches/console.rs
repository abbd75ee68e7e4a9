//! Console benchmark: a county of 5,000 beneficiaries with a year of home visits, escort
//! episodes and warnings. Prints the server time to render the overview (p50, p99), a few other
//! pages, and the time to export the year's monitoring ledger as `.xlsx`.
//!
//! The data set is generated once into Cargo's target temp directory and reused; delete
//! `console-bench-v1/` there to regenerate. Set `PEIHU_BENCH_BENEFICIARIES` for a smaller run.

use std::path::Path;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use peihu_server::AppState;
use peihu_server::admin::NewUser;
use peihu_server::storage::Role;
use peihu_server::storage::sqlite::SqliteStorage;
use peihu_shared::doc::{self, NewBeneficiary, NewEpisode};
use peihu_shared::ids::{
    AgencyId, BeneficiaryId, DeviceId, DocId, EpisodeId, PlaceCode, RecordId, UserId, VisitId,
};
use peihu_shared::model::{
    BloodPressure, Case, CheckIn, DailyKind, DailyRecord, DisabilityLevel, Glucose, GlucoseSample,
    GlucoseTiming, Handover, HandoverKind, LivingSituation, Notice, NoticeKind, Provenance,
    RiskColour, ServiceKind, ServiceRecord, Sex, Shift, Visit, Vitals, Warning, WarningAction,
    WarningSource,
};
use tower::ServiceExt;

const DAY: i64 = 86_400_000;
/// 2026-12-04 10:00 China time.
const NOW: i64 = 1_796_349_600_000;
const COUNTY: &str = "370602";

struct Dice(u64);

impl Dice {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

struct People {
    supervisor: UserId,
    helpers: Vec<(PlaceCode, UserId)>,
    agencies: Vec<(AgencyId, UserId)>,
}

fn people(storage: &SqliteStorage) -> People {
    peihu_server::demo::load_places(storage).unwrap();
    let county: PlaceCode = COUNTY.parse().unwrap();
    let towns: Vec<String> = storage
        .with_conn(|c| {
            let mut stmt = c.prepare("SELECT code FROM places WHERE parent = ?1 ORDER BY code")?;
            let rows = stmt.query_map([COUNTY], |r| r.get(0))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .unwrap();
    let mut helpers = Vec::new();
    for (t, town) in towns.iter().enumerate() {
        for v in 0..10 {
            let code: PlaceCode = format!("{town}{:03}", 201 + v).parse().unwrap();
            storage.put_place(code, &format!("基准测试{t}-{v}村（虚构）"), true).unwrap();
            let user = storage
                .create_user(&NewUser {
                    login: format!("bench-helper-{t}-{v}"),
                    name: format!("帮帮团{t}-{v}（虚构）"),
                    role: Role::Helper,
                    place: code,
                    agency: None,
                    password: None,
                })
                .unwrap();
            helpers.push((code, user.id));
        }
    }
    let mut agencies = Vec::new();
    for a in 0..3 {
        let agency = storage.create_agency(&format!("基准陪护机构{a}（虚构）")).unwrap();
        let escort = storage
            .create_user(&NewUser {
                login: format!("bench-escort-{a}"),
                name: format!("陪护员{a}（虚构）"),
                role: Role::Escort,
                place: county,
                agency: Some(agency),
                password: None,
            })
            .unwrap();
        agencies.push((agency, escort.id));
    }
    let supervisor = storage
        .create_user(&NewUser {
            login: "bench-county".into(),
            name: "区民政局（基准测试）".into(),
            role: Role::Supervisor,
            place: county,
            agency: None,
            password: Some("bench-password-123".into()),
        })
        .unwrap()
        .id;
    People { supervisor, helpers, agencies }
}

/// Days between visits for a colour, with some beneficiaries falling behind.
fn visit_gap(colour: RiskColour, dice: &mut Dice) -> i64 {
    let base = match colour {
        RiskColour::Red => 1,
        RiskColour::Yellow => 7,
        RiskColour::Blue => 30,
    };
    if dice.below(20) == 0 { base * 2 } else { base }
}

fn visit(helper: UserId, at: i64, dice: &mut Dice) -> Visit {
    let device = DeviceId::from_bytes([7; 12]);
    let mut vitals = Vitals { pulse: Some(60 + dice.below(40) as u16), ..Vitals::default() };
    if dice.below(2) == 0 {
        vitals.bp = Some(BloodPressure {
            sys: 110 + dice.below(70) as u16,
            dia: 65 + dice.below(35) as u16,
        });
    }
    if dice.below(4) == 0 {
        let dmmol = 45 + dice.below(120) as u16;
        vitals.glucose = Some(Glucose {
            dmmol,
            timing: GlucoseTiming::Fasting,
            sample: GlucoseSample::Capillary,
        });
    }
    Visit {
        photo_facts: None,
        id: VisitId::new_random(),
        prov: Provenance { by: helper, device, at: at + 1_800_000 },
        arrived: at,
        departed: at + 1_800_000,
        checkin: CheckIn::unavailable(),
        vitals,
        notes: "基准测试数据".into(),
        education: vec![],
        photos: vec![],
        escalation: None,
        amendments: Default::default(),
    }
}

fn beneficiary(
    storage: &SqliteStorage,
    p: &People,
    n: usize,
    dice: &mut Dice,
) -> (BeneficiaryId, PlaceCode) {
    let (village, helper) = p.helpers[n % p.helpers.len()];
    let colour = match n % 4 {
        0 => RiskColour::Red,
        1 | 2 => RiskColour::Yellow,
        _ => RiskColour::Blue,
    };
    let id = BeneficiaryId::new_random();
    let prov =
        Provenance { by: p.supervisor, device: DeviceId::from_bytes([1; 12]), at: NOW - 400 * DAY };
    let new = NewBeneficiary {
        id,
        place: village,
        name: format!("对象{n:05}"),
        sex: if n.is_multiple_of(2) { Sex::Female } else { Sex::Male },
        birth_date: "1940-01-01".into(),
        id_number: "11010519491231002X".into(),
        address: "虚构地址".into(),
        living: LivingSituation::Alone,
        disability: DisabilityLevel::None,
        allergies: vec![],
        conditions: vec!["高血压".into()],
        contact_name: "亲属".into(),
        contact_phone: "13900000000".into(),
        colour,
        colour_reason: "基准测试".into(),
    };
    let (mut card, mut case_doc) = doc::new_beneficiary(&new, &prov).unwrap();
    // The year of visits goes in as one change per beneficiary (not one per visit, as tablets
    // would make): it makes generating 5,000 beneficiaries take minutes instead of an hour, and
    // the pages measured read the derived summary, not the change history.
    let mut case = doc::hydrate_case(&case_doc).unwrap();
    let mut at = NOW - 365 * DAY + dice.below(DAY as u64) as i64;
    while at < NOW - dice.below(3) as i64 * DAY {
        let v = visit(helper, at, dice);
        if dice.below(150) == 0 {
            warn(&mut case, &v, helper, dice);
        }
        case.visits.insert(v.id.to_string(), v);
        at += visit_gap(colour, dice) * DAY;
    }
    autosurgeon::reconcile(&mut case_doc, &case).unwrap();
    let mut case = case_doc;
    storage.put_new_doc(DocId::Card(id), &mut card, NOW).unwrap();
    storage.put_new_doc(DocId::Case(id), &mut case, NOW).unwrap();
    (id, village)
}

fn warn(case: &mut Case, v: &Visit, helper: UserId, dice: &mut Dice) {
    let id = RecordId::new_random().to_string();
    let warning = Warning {
        visit: v.id,
        source: WarningSource::Reading {
            measure: "bp".into(),
            rule: "grade 2 hypertension".into(),
        },
        severity: "high".into(),
        prov: v.prov.clone(),
    };
    case.warnings.insert(id.clone(), warning);
    if dice.below(10) < 8 {
        let prov = Provenance { by: helper, device: v.prov.device, at: v.prov.at + DAY / 2 };
        let action =
            WarningAction {
                warning: id, action: "已联系家庭医生".into(), closes: true, prov
            };
        case.warning_actions.insert(RecordId::new_random().to_string(), action);
    }
}

fn episode(storage: &SqliteStorage, p: &People, who: (BeneficiaryId, PlaceCode), dice: &mut Dice) {
    let (agency, escort) = p.agencies[dice.below(p.agencies.len() as u64) as usize];
    let opened = NOW - dice.below(360) as i64 * DAY;
    let new = NewEpisode {
        id: EpisodeId::new_random(),
        beneficiary: who.0,
        place: who.1,
        agency,
        escort: Some(escort),
        hospital: "基准医院（虚构）".into(),
        ward: "内科".into(),
        bed: "1".into(),
        expected_admission: opened,
    };
    let prov = |at| Provenance { by: escort, device: DeviceId::from_bytes([9; 12]), at };
    let mut e = doc::new_episode(
        &new,
        &Provenance { by: p.supervisor, device: DeviceId::from_bytes([1; 12]), at: opened },
    )
    .unwrap();
    doc::set_register(&mut e, &["admitted"], Some(opened + 3_600_000), &prov(opened + 3_600_000))
        .unwrap();
    for which in [NoticeKind::Coverage, NoticeKind::Standard, NoticeKind::Complaints] {
        if dice.below(10) > 0 {
            doc::add_record(
                &mut e,
                "notices",
                RecordId::new_random(),
                &Notice { which, prov: prov(opened + 4_000_000) },
                &prov(opened + 4_000_000),
            )
            .unwrap();
        }
    }
    let stay = 2 + dice.below(8) as i64;
    for d in 0..stay {
        let at = opened + d * DAY + 7_200_000;
        let day = peihu_shared::time::day_key(at);
        for which in [DailyKind::Services, DailyKind::Orders, DailyKind::Special] {
            if dice.below(12) > 0 {
                let r =
                    DailyRecord { day: day.clone(), which, text: "记录".into(), prov: prov(at) };
                doc::add_record(&mut e, "daily", RecordId::new_random(), &r, &prov(at)).unwrap();
            }
        }
        let shift = Shift {
            escort,
            clock_in: at,
            clock_out: Some(at + 8 * 3_600_000),
            photos: vec![],
            prov: prov(at),
        };
        doc::add_record(&mut e, "shifts", RecordId::new_random(), &shift, &prov(at)).unwrap();
    }
    let out = opened + stay * DAY;
    if out < NOW {
        for which in
            [HandoverKind::CarePoints, HandoverKind::Medication, HandoverKind::Rehabilitation]
        {
            let h = Handover { which, text: "交接".into(), to: "本人".into(), prov: prov(out) };
            doc::add_record(&mut e, "handovers", RecordId::new_random(), &h, &prov(out)).unwrap();
        }
        doc::set_register(&mut e, &["discharged"], Some(out), &prov(out)).unwrap();
    }
    storage.put_new_doc(DocId::Episode(new.id), &mut e, NOW).unwrap();
}

fn services(storage: &SqliteStorage, id: BeneficiaryId, helper: UserId) {
    let mut loaded = storage.load_doc(&DocId::Case(id)).unwrap().unwrap();
    let before = loaded.doc.get_heads();
    let prov = Provenance { by: helper, device: DeviceId::from_bytes([7; 12]), at: NOW - 10 * DAY };
    let record = ServiceRecord {
        kind: ServiceKind::FourOnes { which: "chat".into() },
        note: String::new(),
        prov: prov.clone(),
    };
    doc::add_record(&mut loaded.doc, "services", RecordId::new_random(), &record, &prov).unwrap();
    let changes: Vec<Vec<u8>> =
        loaded.doc.get_changes(&before).iter().map(|c| c.raw_bytes().to_vec()).collect();
    let header = doc::header(&loaded.doc).unwrap();
    use peihu_server::storage::Storage;
    storage.append_changes(&DocId::Case(id), &mut loaded, &changes, &header, None, NOW).unwrap();
}

fn generate(dir: &Path, count: usize) {
    let storage = SqliteStorage::open(dir).unwrap();
    let p = people(&storage);
    let mut dice = Dice(0x0bad_cafe_2026);
    let started = Instant::now();
    for n in 0..count {
        let who = beneficiary(&storage, &p, n, &mut dice);
        if n.is_multiple_of(15) {
            episode(&storage, &p, who, &mut dice);
        }
        if n.is_multiple_of(20) {
            services(&storage, who.0, p.helpers[n % p.helpers.len()].1);
        }
        if n % 500 == 499 {
            eprintln!("  generated {} beneficiaries in {:.0?}", n + 1, started.elapsed());
        }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

async fn time_get(state: &AppState, path: &str, cookie: &str, runs: usize) -> Vec<Duration> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let req = Request::get(path).header(header::COOKIE, cookie).body(Body::empty()).unwrap();
        let started = Instant::now();
        let res = peihu_server::http::app(state.clone()).oneshot(req).await.unwrap();
        let status = res.status();
        let body = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap();
        times.push(started.elapsed());
        assert_eq!(status, StatusCode::OK, "{path}: {}", String::from_utf8_lossy(&body));
    }
    times.sort();
    times
}

fn report(name: &str, times: &[Duration]) {
    println!(
        "{name:<44} p50 {:>8.1} ms   p99 {:>8.1} ms   ({} runs)",
        percentile(times, 0.5).as_secs_f64() * 1e3,
        percentile(times, 0.99).as_secs_f64() * 1e3,
        times.len()
    );
}

fn main() {
    let count: usize = std::env::var("PEIHU_BENCH_BENEFICIARIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5000);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("console-bench-v2-{count}"));
    let marker = dir.join("complete");
    if !marker.exists() {
        let _ = std::fs::remove_dir_all(&dir);
        let started = Instant::now();
        eprintln!("generating {count} beneficiaries with a year of visits into {}", dir.display());
        generate(&dir, count);
        std::fs::write(&marker, b"").unwrap();
        println!("data generation: {:.1} s", started.elapsed().as_secs_f64());
    }
    let storage = SqliteStorage::open(&dir).unwrap();
    let mut state = AppState::new(storage);
    state.clock = std::sync::Arc::new(|| NOW);
    let figures: (i64, i64, i64) = state
        .storage
        .with_conn(|c| {
            Ok(c.query_row(
                "SELECT (SELECT count(*) FROM docs WHERE kind = 'case'), (SELECT count(*) FROM docs WHERE kind = 'episode'),
                        (SELECT count(*) FROM doc_changes)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?)
        })
        .unwrap();
    println!(
        "data: {} beneficiaries, {} episodes, {} stored change records",
        figures.0, figures.1, figures.2
    );

    let started = Instant::now();
    peihu_server::console::summary::ensure_schema(&state.storage).unwrap();
    let rebuilt = peihu_server::console::summary::catch_up(&state.storage, "", "~").unwrap();
    println!("summary catch-up: {rebuilt} documents in {:.1} s", started.elapsed().as_secs_f64());
    let visits: i64 = state
        .storage
        .with_conn(|c| Ok(c.query_row("SELECT count(*) FROM console_visits", [], |r| r.get(0))?))
        .unwrap();
    println!("visits in the summary: {visits}");

    let supervisor = state.storage.user_by_login("bench-county").unwrap().unwrap();
    peihu_server::console::session::ensure_schema(&state.storage).unwrap();
    let token = peihu_server::console::session::open(&state.storage, supervisor.id, NOW).unwrap();
    let cookie = format!("peihu_session={token}");
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        time_get(&state, "/console/overview", &cookie, 3).await;
        report(
            "overview (week, whole county)",
            &time_get(&state, "/console/overview?period=week", &cookie, 100).await,
        );
        report(
            "overview (month, whole county)",
            &time_get(&state, "/console/overview?period=month", &cookie, 50).await,
        );
        let past = "/console/overview?period=week&date=2026-06-10";
        report(
            "overview (a past week, as it stood then)",
            &time_get(&state, past, &cookie, 50).await,
        );
        let town = "/console/overview?place=370602001";
        report("overview (one town of the county)", &time_get(&state, town, &cookie, 50).await);
        report("overdue list (today)", &time_get(&state, "/console/overdue", &cookie, 30).await);
        report(
            "agencies ledger (month)",
            &time_get(&state, "/console/agencies", &cookie, 30).await,
        );
        report(
            "figures (year)",
            &time_get(
                &state,
                "/console/figures?period=range&from=2025-12-05&to=2026-12-04",
                &cookie,
                20,
            )
            .await,
        );
        let ledger = "/console/export/ledger.xlsx?period=range&from=2025-12-05&to=2026-12-04";
        report("ledger export .xlsx (one year)", &time_get(&state, ledger, &cookie, 5).await);
        report(
            "overdue export .xlsx",
            &time_get(&state, "/console/export/overdue.xlsx", &cookie, 5).await,
        );
    });
}
