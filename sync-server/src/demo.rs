//! Demo data: Yantai's real divisions, invented villages and people, and every role.
//!
//! Real: the city, its county-level units and towns, from `assets/places/yantai_divisions.csv`
//! (National Bureau of Statistics 2023 statistical division codes). Invented, and named so:
//! three villages (their names end in “（虚构）”), 60 beneficiaries, two agencies and every
//! person. ID numbers are generated with valid check digits and belong to nobody.

use peihu_shared::doc::{self, NewBeneficiary, NewEpisode};
use peihu_shared::ids::{
    BeneficiaryId, DeviceId, DocId, EpisodeId, IdNumber, PlaceCode, PlaceLevel, UserId,
};
use peihu_shared::model::{
    CheckIn, DisabilityLevel, LivingSituation, Provenance, RiskColour, Sex, Visit, Vitals,
};

use crate::admin::{AdminError, NewUser};
use crate::storage::Role;
use crate::storage::sqlite::SqliteStorage;

const PLACES_CSV: &str = include_str!("../../assets/places/yantai_divisions.csv");

/// One demo account, as `peihu-server demo --json` prints it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DemoAccount {
    /// Login name.
    pub user: String,
    /// Display name.
    pub name: String,
    /// `helper`, `escort`, `supervisor` or `admin`.
    pub role: String,
    /// Division code.
    pub place: String,
    /// One-time enrolment code for a device.
    pub code: String,
    /// Console password, for supervisors and admins.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

/// A tiny deterministic generator, so the demo looks the same every time it is loaded.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

/// Loads the real divisions of Yantai into storage.
pub fn load_places(storage: &SqliteStorage) -> Result<usize, AdminError> {
    let mut count = 0;
    for line in PLACES_CSV.lines().filter(|l| !l.starts_with('#')).skip(1) {
        let cols: Vec<&str> = line.split(',').collect();
        let (Some(code), Some(name)) = (cols.first(), cols.get(1)) else { continue };
        let Ok(code) = code.trim().parse::<PlaceCode>() else { continue };
        storage.put_place(code, name.trim(), false)?;
        count += 1;
    }
    Ok(count)
}

fn towns() -> Vec<(PlaceCode, String)> {
    PLACES_CSV
        .lines()
        .filter(|l| !l.starts_with('#'))
        .skip(1)
        .filter_map(|l| {
            let cols: Vec<&str> = l.split(',').collect();
            let code: PlaceCode = cols.first()?.trim().parse().ok()?;
            (code.level() == PlaceLevel::Town && cols.get(1)?.ends_with('镇'))
                .then(|| (code, cols[1].trim().to_string()))
        })
        .collect()
}

fn id_number(county: &PlaceCode, birth: (i32, u32, u32), seq: u64, female: bool) -> String {
    let seq = (seq % 500) * 2 + u64::from(!female);
    let first17 = format!("{}{:04}{:02}{:02}{:03}", county, birth.0, birth.1, birth.2, seq % 1000);
    let digits: [u8; 17] = std::array::from_fn(|i| first17.as_bytes()[i] - b'0');
    format!("{first17}{}", IdNumber::check_char(&digits))
}

const SURNAMES: &[&str] = &["王", "李", "张", "刘", "陈", "杨", "赵", "孙", "于", "姜", "曲", "林"];
const GIVEN: &[&str] = &[
    "桂兰", "秀英", "淑珍", "玉梅", "凤英", "建国", "德福", "永和", "春生", "秀云", "明山", "兰芝",
];
const CONDITIONS: &[&str] = &["高血压", "2型糖尿病", "冠心病", "慢阻肺", "脑梗后遗症", "骨关节炎"];

/// Fills storage with the demo and returns the accounts. `now` anchors visit history.
pub fn load(storage: &SqliteStorage, now: i64) -> Result<Vec<DemoAccount>, AdminError> {
    load_places(storage)?;
    let mut dice = Dice(0x5eed_2026_1204);
    let picked: Vec<(PlaceCode, String)> = towns().into_iter().take(2).collect();
    let mut villages = Vec::new();
    for (i, (town, town_name)) in picked.iter().enumerate() {
        for v in 0..if i == 0 { 2 } else { 1 } {
            let code: PlaceCode =
                format!("{town}{:03}", 201 + v).parse().expect("valid village code");
            let name = format!("{town_name}示例{}村（虚构）", ["东", "西", "南"][v]);
            storage.put_place(code, &name, true)?;
            villages.push(code);
        }
    }
    let town = villages[0].parent().expect("a village has a town");
    let county = town.parent().expect("a town has a county");
    let city: PlaceCode = "370600".parse().expect("Yantai's code");

    let agency_a = storage.create_agency("康宁陪护服务有限公司（虚构）")?;
    let agency_b = storage.create_agency("福寿陪诊服务中心（虚构）")?;
    let mut accounts = Vec::new();
    let mut add =
        |login: &str, name: &str, role: Role, place: PlaceCode, agency, password: bool| {
            let password =
                password.then(|| format!("demo-{}", crate::tokens::new_enrolment_code()));
            let user = storage.create_user(&NewUser {
                login: login.into(),
                name: name.into(),
                role,
                place,
                agency,
                password: password.clone(),
            })?;
            let code = storage.issue_code(user.id, now)?;
            accounts.push(DemoAccount {
                user: login.into(),
                name: name.into(),
                role: role.code().into(),
                place: place.to_string(),
                code,
                password,
            });
            Ok::<UserId, AdminError>(user.id)
        };
    let mut helpers = Vec::new();
    for (i, v) in villages.iter().enumerate() {
        helpers.push(add(
            &format!("helper{}", i + 1),
            &format!("帮帮团{}号（虚构）", i + 1),
            Role::Helper,
            *v,
            None,
            false,
        )?);
    }
    let escort_a = add("escort1", "陪护员甲（虚构）", Role::Escort, county, Some(agency_a), false)?;
    add("escort2", "陪护员乙（虚构）", Role::Escort, county, Some(agency_b), false)?;
    let supervisor = add("town1", "镇民政专干（虚构）", Role::Supervisor, town, None, true)?;
    add("county1", "区民政局（虚构）", Role::Supervisor, county, None, true)?;
    add("city1", "市民政局（虚构）", Role::Supervisor, city, None, true)?;
    add("admin", "系统管理员", Role::Admin, city, None, true)?;

    let device = DeviceId::from_bytes([0; 12]);
    let mut first_red = None;
    for n in 0..60u64 {
        let village = villages[(n % villages.len() as u64) as usize];
        let helper = helpers[(n % villages.len() as u64) as usize];
        let colour = match n % 4 {
            0 => RiskColour::Red,
            1 | 2 => RiskColour::Yellow,
            _ => RiskColour::Blue,
        };
        let female = dice.below(2) == 0;
        let birth =
            (1930 + dice.below(20) as i32, 1 + dice.below(12) as u32, 1 + dice.below(28) as u32);
        let name = format!("{}{}", dice.pick(SURNAMES), dice.pick(GIVEN));
        let id = BeneficiaryId::new_random();
        let set_at = now - 120 * 86_400_000;
        let prov = Provenance { by: supervisor, device, at: set_at };
        let new = NewBeneficiary {
            id,
            place: village,
            name,
            sex: if female { Sex::Female } else { Sex::Male },
            birth_date: format!("{:04}-{:02}-{:02}", birth.0, birth.1, birth.2),
            id_number: id_number(&county, birth, n, female),
            address: format!("{}号（虚构地址）", 1 + dice.below(80)),
            living: if dice.below(3) == 0 {
                LivingSituation::WithSpouse
            } else {
                LivingSituation::Alone
            },
            disability: match colour {
                RiskColour::Red => DisabilityLevel::Partial,
                _ => DisabilityLevel::None,
            },
            allergies: if dice.below(4) == 0 { vec!["青霉素".into()] } else { vec![] },
            conditions: vec![dice.pick(CONDITIONS).into()],
            contact_name: "亲属（虚构）".into(),
            contact_phone: format!("1390000{:04}", n),
            colour,
            colour_reason: "初次评估（演示数据）".into(),
        };
        let (mut card, mut case) = doc::new_beneficiary(&new, &prov).map_err(|e| doc_err(&e))?;
        let gap_days = match colour {
            RiskColour::Red => dice.below(3) as i64,
            RiskColour::Yellow => dice.below(12) as i64,
            RiskColour::Blue => dice.below(45) as i64,
        };
        let arrived = now - gap_days * 86_400_000 - 3_600_000;
        let visit = Visit {
            photo_facts: None,
            id: peihu_shared::ids::VisitId::new_random(),
            prov: Provenance { by: helper, device, at: arrived + 1_800_000 },
            arrived,
            departed: arrived + 1_800_000,
            checkin: CheckIn::unavailable(),
            vitals: Vitals { pulse: Some(70 + dice.below(20) as u16), ..Vitals::default() },
            notes: "演示数据".into(),
            education: vec![],
            photos: vec![],
            escalation: None,
            amendments: Default::default(),
        };
        doc::add_visit(&mut case, &visit).map_err(|e| doc_err(&e))?;
        storage.put_new_doc(DocId::Card(id), &mut card, now)?;
        storage.put_new_doc(DocId::Case(id), &mut case, now)?;
        if colour == RiskColour::Red && first_red.is_none() {
            first_red = Some((id, village));
        }
    }
    if let Some((beneficiary, place)) = first_red {
        let new = NewEpisode {
            id: EpisodeId::new_random(),
            beneficiary,
            place,
            agency: agency_a,
            escort: Some(escort_a),
            hospital: "烟台市某医院（虚构）".into(),
            ward: "心内科".into(),
            bed: "12".into(),
            expected_admission: now,
        };
        let prov = Provenance { by: supervisor, device, at: now };
        let mut episode = doc::new_episode(&new, &prov).map_err(|e| doc_err(&e))?;
        storage.put_new_doc(DocId::Episode(new.id), &mut episode, now)?;
    }
    Ok(accounts)
}

fn doc_err(e: &peihu_shared::doc::DocError) -> AdminError {
    AdminError::Storage(crate::storage::StorageError::Corrupt("demo".into(), e.to_string()))
}
