//! Store benchmarks: a red beneficiary's case with a year of daily visits (365, full vitals,
//! two photo references each).
//!
//! Prints bytes on disk per visit, then times loading the document and adding one visit durably
//! (including the fsync). Targets: under 400 bytes per visit, load under 20 ms, add under 50 ms.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use peihu_device::Store;
use peihu_device::field::{self, VisitForm};
use peihu_shared::doc::NewBeneficiary;
use peihu_shared::ids::{BeneficiaryId, BlobHash, DeviceId, DocId, UserId};
use peihu_shared::model::{
    CheckIn, DisabilityLevel, GlucoseSample, GlucoseTiming, LivingSituation, LocationSource,
    Provenance, RiskColour, Sex, TempSite,
};
use peihu_shared::rules::{Thresholds, VitalInput};

const DAY: i64 = 86_400_000;
const START: i64 = 1_767_225_600_000; // 2026-01-01 08:00 China time

fn form(day: i64) -> VisitForm {
    let arrived = START + day * DAY;
    VisitForm {
        arrived,
        departed: arrived + 25 * 60_000,
        checkin: Some(CheckIn {
            source: LocationSource::Gps,
            lat_u: Some(37_463_821 + day as i32),
            lon_u: Some(121_447_935 - day as i32),
            accuracy_m: Some(8),
        }),
        vitals: VitalInput {
            sys: Some(130.0 + (day % 20) as f64),
            dia: Some(80.0 + (day % 10) as f64),
            pulse: Some(72.0 + (day % 9) as f64),
            temp: Some(36.5 + (day % 5) as f64 / 10.0),
            temp_site: Some(TempSite::Axillary),
            glucose: Some(6.0 + (day % 7) as f64 / 10.0),
            glucose_timing: Some(GlucoseTiming::Fasting),
            glucose_sample: Some(GlucoseSample::Capillary),
            spo2: Some(96.0 + (day % 3) as f64),
            weight: Some(52.5),
            ..VitalInput::default()
        },
        notes: "精神可，饮食正常".into(),
        education: vec!["bp_meds".into()],
        photos: vec![
            BlobHash::of(format!("photo-a-{day}").as_bytes()),
            BlobHash::of(format!("photo-b-{day}").as_bytes()),
        ],
        escalation: None,
    }
}

fn year_store(dir: &std::path::Path) -> (Store, BeneficiaryId, Provenance) {
    let mut store = Store::open(&dir.join("bench.sqlite")).unwrap();
    let prov = Provenance { by: UserId::new_random(), device: DeviceId::new_random(), at: START };
    let id = BeneficiaryId::new_random();
    let new = NewBeneficiary {
        id,
        place: "370602001201".parse().unwrap(),
        name: "测试".into(),
        sex: Sex::Male,
        birth_date: "1940-01-01".into(),
        id_number: "11010519491231002X".into(),
        address: "某村".into(),
        living: LivingSituation::Alone,
        disability: DisabilityLevel::Full,
        allergies: vec![],
        conditions: vec!["高血压".into()],
        contact_name: "某".into(),
        contact_phone: "13800000000".into(),
        colour: RiskColour::Red,
        colour_reason: "86岁，失能".into(),
    };
    field::register_beneficiary(&mut store, &new, &prov).unwrap();
    let thresholds = Thresholds::default();
    for day in 0..365 {
        let p = Provenance { at: START + day * DAY, ..prov.clone() };
        field::record_visit(&mut store, id, &form(day), &p, &thresholds).unwrap();
    }
    store.compact(&DocId::Case(id)).unwrap();
    (store, id, prov)
}

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, id, prov) = year_store(dir.path());
    let case = DocId::Case(id);
    let bytes = store.stored_bytes(&case).unwrap();
    println!(
        "case document with 365 visits: {bytes} bytes on disk, {} bytes per visit",
        bytes / 365
    );
    let snapshot = store.doc(&case).unwrap().clone().save();

    c.bench_function("load a year of daily visits", |b| {
        b.iter(|| {
            let doc = automerge::AutoCommit::load(black_box(&snapshot)).unwrap();
            black_box(peihu_shared::doc::hydrate_case(&doc).unwrap().visits.len())
        });
    });

    c.bench_function("load a year of daily visits (engine only, no hydrate)", |b| {
        b.iter(|| black_box(automerge::AutoCommit::load(black_box(&snapshot)).unwrap()));
    });

    c.bench_function("load a year of daily visits (unverified heads, no hydrate)", |b| {
        b.iter(|| {
            black_box(automerge::AutoCommit::load_unverified_heads(black_box(&snapshot)).unwrap())
        });
    });

    let thresholds = Thresholds::default();
    let mut day = 365;
    c.bench_function("add one visit durably", |b| {
        b.iter(|| {
            let p = Provenance { at: START + day * DAY, ..prov.clone() };
            field::record_visit(&mut store, id, &form(day), &p, &thresholds).unwrap();
            day += 1;
        });
    });
}

criterion_group! {
    name = store;
    config = Criterion::default().sample_size(20);
    targets = benches
}
criterion_main!(store);
