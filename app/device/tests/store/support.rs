//! Fixtures shared by the store tests.

use std::collections::BTreeSet;
use std::path::Path;

use peihu_device::Store;
use peihu_device::field::{self, VisitForm};
use peihu_shared::doc::{self, NewBeneficiary};
use peihu_shared::ids::{BeneficiaryId, DeviceId, DocId, UserId, VisitId};
use peihu_shared::model::{DisabilityLevel, LivingSituation, Provenance, RiskColour, Sex};
use peihu_shared::rules::VitalInput;

/// 2027-03-01 08:00 China time.
pub const START: i64 = 1_803_859_200_000;

/// The helper who records everything in these tests, on their tablet.
pub fn helper(at: i64) -> Provenance {
    Provenance { by: UserId::from_bytes([7; 12]), device: DeviceId::from_bytes([8; 12]), at }
}

/// A beneficiary with a fixed id and name.
pub fn beneficiary(id: BeneficiaryId, name: &str) -> NewBeneficiary {
    NewBeneficiary {
        id,
        place: "370602001201".parse().expect("a well-formed village code"),
        name: name.into(),
        sex: Sex::Male,
        birth_date: "1941-07-15".into(),
        id_number: "11010519491231002X".into(),
        address: "测试村3号".into(),
        living: LivingSituation::Alone,
        disability: DisabilityLevel::Full,
        allergies: Vec::new(),
        conditions: vec!["糖尿病".into()],
        contact_name: "测试丙".into(),
        contact_phone: "13900000000".into(),
        colour: RiskColour::Yellow,
        colour_reason: "糖尿病，需每周监测".into(),
    }
}

/// Registers beneficiary number `n` (ids are fixed, so tests can name them).
pub fn register(store: &mut Store, n: u8) -> BeneficiaryId {
    let id = BeneficiaryId::from_bytes([n; 12]);
    field::register_beneficiary(store, &beneficiary(id, &format!("测试{n}")), &helper(START))
        .expect("register a beneficiary");
    id
}

/// A plausible home-visit form, the `n`th of a series a day apart.
pub fn form(n: i64) -> VisitForm {
    let arrived = START + n * 86_400_000;
    VisitForm {
        arrived,
        departed: arrived + 30 * 60_000,
        vitals: VitalInput {
            sys: Some(128.0 + (n % 10) as f64),
            dia: Some(78.0),
            pulse: Some(72.0),
            ..VitalInput::default()
        },
        notes: format!("第{n}次随访，情况稳定"),
        ..VisitForm::default()
    }
}

/// The ids of the visits the store holds for a beneficiary.
pub fn visit_ids(store: &Store, b: BeneficiaryId) -> BTreeSet<VisitId> {
    let case = store.doc(&DocId::Case(b)).expect("the case is on the device");
    let case = doc::hydrate_case(case).expect("the case reads");
    case.visits.values().map(|v| v.id).collect()
}

/// How many change chunks the file holds for a document, read beside the store's connection.
pub fn chunk_count(path: &Path, id: DocId) -> i64 {
    let conn = rusqlite::Connection::open(path).expect("open the store file");
    conn.query_row("SELECT count(*) FROM chunks WHERE doc_id = ?1", [id.to_string()], |r| r.get(0))
        .expect("count chunks")
}

/// Runs `peihu-field --data DATA ARGS…` to the end.
pub fn field_cli(data: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_peihu-field"))
        .arg("--data")
        .arg(data)
        .args(args)
        .output()
        .expect("peihu-field runs")
}
