//! Fixtures shared by the model tests: fixed identities, a sample beneficiary, China times.

use chrono::{NaiveDate, TimeZone};
use peihu_shared::doc::NewBeneficiary;
use peihu_shared::ids::{BeneficiaryId, DeviceId, UserId, VisitId};
use peihu_shared::model::{
    CheckIn, DisabilityLevel, LivingSituation, Provenance, RiskColour, Sex, Visit, Vitals,
};
use peihu_shared::time::china;

/// A provenance for person `who` on their own device, at `at`.
pub fn prov(who: u8, at: i64) -> Provenance {
    Provenance {
        by: UserId::from_bytes([who; 12]),
        device: DeviceId::from_bytes([who.wrapping_add(100); 12]),
        at,
    }
}

/// An id whose 12 bytes spell out `n`, so ids made in a test are distinct and repeatable.
pub fn id_bytes(tag: u8, n: u64) -> [u8; 12] {
    let mut out = [tag; 12];
    out[4..].copy_from_slice(&n.to_be_bytes());
    out
}

/// A beneficiary living alone in a real Zhifu village, with a fixed id.
pub fn beneficiary(id: BeneficiaryId) -> NewBeneficiary {
    NewBeneficiary {
        id,
        place: "370602001201".parse().expect("a well-formed village code"),
        name: "测试甲".into(),
        sex: Sex::Female,
        birth_date: "1940-03-02".into(),
        id_number: "11010519491231002X".into(),
        address: "测试村1号".into(),
        living: LivingSituation::Alone,
        disability: DisabilityLevel::Partial,
        allergies: vec!["青霉素".into()],
        conditions: vec!["高血压".into()],
        contact_name: "测试乙".into(),
        contact_phone: "13800000000".into(),
        colour: RiskColour::Red,
        colour_reason: "85岁，半失能".into(),
    }
}

/// A signed-off visit with a blood-pressure reading and nothing else.
pub fn visit(id: VisitId, prov: Provenance, sys: u16) -> Visit {
    Visit {
        photo_facts: None,
        id,
        arrived: prov.at - 20 * 60_000,
        departed: prov.at,
        prov,
        checkin: CheckIn::unavailable(),
        vitals: Vitals {
            bp: Some(peihu_shared::model::BloodPressure { sys, dia: 80 }),
            ..Vitals::default()
        },
        notes: format!("收缩压 {sys}"),
        education: vec!["bp_meds".into()],
        photos: Vec::new(),
        escalation: None,
        amendments: Default::default(),
    }
}

/// The instant of a wall-clock time in China, as Unix milliseconds.
pub fn china_ms(y: i32, m: u32, d: u32, h: u32, min: u32) -> i64 {
    let local = NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|date| date.and_hms_opt(h, min, 0))
        .expect("a real date and time");
    china().from_local_datetime(&local).single().expect("UTC+8 has no gaps").timestamp_millis()
}

/// A China calendar date.
pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a real date")
}
