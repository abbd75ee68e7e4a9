//! Creating documents and writing records into them.

use automerge::transaction::CommitOptions;
use automerge::{AutoCommit, ObjId, ObjType, ROOT, ReadDoc, transaction::Transactable};
use autosurgeon::{Reconcile, hydrate, hydrate_prop, reconcile, reconcile_prop};

use super::{DocError, SCHEMA_VERSION};
use crate::ids::{AgencyId, BeneficiaryId, EpisodeId, PlaceCode, RecordId, UserId, VisitId};
use crate::model::{
    Card, Case, ColourAssessment, DisabilityLevel, Episode, LivingSituation, Profile, Provenance,
    Register, RiskColour, Sex, Visit, VisitAmendment,
};

/// What is needed to register a beneficiary.
#[derive(Debug, Clone)]
pub struct NewBeneficiary {
    /// The new id.
    pub id: BeneficiaryId,
    /// Village code.
    pub place: PlaceCode,
    /// Full name.
    pub name: String,
    /// Sex.
    pub sex: Sex,
    /// `YYYY-MM-DD`.
    pub birth_date: String,
    /// 18-character ID number, already checked.
    pub id_number: String,
    /// Home address.
    pub address: String,
    /// Who they live with.
    pub living: LivingSituation,
    /// Disability level.
    pub disability: DisabilityLevel,
    /// Allergies.
    pub allergies: Vec<String>,
    /// Chronic conditions.
    pub conditions: Vec<String>,
    /// Contact's name.
    pub contact_name: String,
    /// Contact's phone.
    pub contact_phone: String,
    /// Initial risk colour.
    pub colour: RiskColour,
    /// Why that colour.
    pub colour_reason: String,
}

/// What the phone call that opens an episode tells.
#[derive(Debug, Clone)]
pub struct NewEpisode {
    /// The new id.
    pub id: EpisodeId,
    /// Who is going to hospital.
    pub beneficiary: BeneficiaryId,
    /// Their village.
    pub place: PlaceCode,
    /// The agency dispatched.
    pub agency: AgencyId,
    /// The escort, if already chosen.
    pub escort: Option<UserId>,
    /// Hospital.
    pub hospital: String,
    /// Ward.
    pub ward: String,
    /// Bed, if known.
    pub bed: String,
    /// Expected admission, Unix ms.
    pub expected_admission: i64,
}

fn reg<T>(v: T, prov: &Provenance) -> Register<T> {
    Register { v, set: prov.clone() }
}

fn commit(doc: &mut AutoCommit, prov: &Provenance, what: &str) {
    // The message names the operation only; it is visible to every replica and must never carry
    // personal data.
    doc.commit_with(CommitOptions::default().with_time(prov.at / 1000).with_message(what));
}

/// Creates the card and case documents of a new beneficiary.
pub fn new_beneficiary(
    new: &NewBeneficiary,
    prov: &Provenance,
) -> Result<(AutoCommit, AutoCommit), DocError> {
    let card = Card {
        kind: "card".into(),
        beneficiary: new.id,
        place: reg(new.place, prov),
        name: reg(new.name.clone(), prov),
        sex: reg(new.sex, prov),
        birth_date: reg(new.birth_date.clone(), prov),
        allergies: reg(new.allergies.clone(), prov),
        conditions: reg(new.conditions.clone(), prov),
        contact_name: reg(new.contact_name.clone(), prov),
        contact_phone: reg(new.contact_phone.clone(), prov),
    };
    let mut colours = std::collections::BTreeMap::new();
    colours.insert(
        RecordId::new_random().to_string(),
        ColourAssessment {
            colour: new.colour,
            reason: new.colour_reason.clone(),
            prov: prov.clone(),
        },
    );
    let case = Case {
        kind: "case".into(),
        beneficiary: new.id,
        place: reg(new.place, prov),
        profile: Profile {
            id_number: reg(new.id_number.clone(), prov),
            address: reg(new.address.clone(), prov),
            living: reg(new.living, prov),
            disability: reg(new.disability, prov),
        },
        colours,
        visits: Default::default(),
        warnings: Default::default(),
        warning_actions: Default::default(),
        escort_requests: Default::default(),
        services: Default::default(),
    };
    let mut card_doc = AutoCommit::new();
    reconcile(&mut card_doc, &card)?;
    card_doc.put(ROOT, "schema", SCHEMA_VERSION)?;
    commit(&mut card_doc, prov, "card.create");
    let mut case_doc = AutoCommit::new();
    reconcile(&mut case_doc, &case)?;
    case_doc.put(ROOT, "schema", SCHEMA_VERSION)?;
    commit(&mut case_doc, prov, "case.create");
    Ok((card_doc, case_doc))
}

/// Creates the document of a new escort episode.
pub fn new_episode(new: &NewEpisode, prov: &Provenance) -> Result<AutoCommit, DocError> {
    let episode = Episode {
        kind: "episode".into(),
        episode: new.id,
        beneficiary: new.beneficiary,
        place: new.place,
        agency: reg(new.agency, prov),
        escort: reg(new.escort, prov),
        hospital: reg(new.hospital.clone(), prov),
        ward: reg(new.ward.clone(), prov),
        bed: reg(new.bed.clone(), prov),
        expected_admission: new.expected_admission,
        admitted: reg(None, prov),
        discharged: reg(None, prov),
        notices: Default::default(),
        acks: Default::default(),
        daily: Default::default(),
        handovers: Default::default(),
        shifts: Default::default(),
        opened: prov.clone(),
    };
    let mut doc = AutoCommit::new();
    reconcile(&mut doc, &episode)?;
    doc.put(ROOT, "schema", SCHEMA_VERSION)?;
    commit(&mut doc, prov, "episode.create");
    Ok(doc)
}

fn kind_of(doc: &AutoCommit) -> Option<String> {
    hydrate_prop::<_, Option<String>, _, _>(doc, ROOT, "kind").ok().flatten()
}

fn expect_kind(doc: &AutoCommit, expected: &'static str) -> Result<(), DocError> {
    let found = kind_of(doc);
    if found.as_deref() == Some(expected) {
        Ok(())
    } else {
        Err(DocError::WrongKind { expected, found })
    }
}

fn map_at(doc: &AutoCommit, path: &[&str]) -> Result<ObjId, DocError> {
    let mut obj = ROOT;
    for key in path {
        obj = match doc.get(&obj, *key)? {
            Some((automerge::Value::Object(ObjType::Map), id)) => id,
            _ => return Err(DocError::NoSuchRecord { what: "map", id: path.join(".") }),
        };
    }
    Ok(obj)
}

/// Adds a signed-off visit to a case document.
pub fn add_visit(doc: &mut AutoCommit, visit: &Visit) -> Result<(), DocError> {
    expect_kind(doc, "case")?;
    let visits = map_at(doc, &["visits"])?;
    let key = visit.id.to_string();
    if doc.get(&visits, key.as_str())?.is_some() {
        return Err(DocError::AlreadySignedOff { what: "visit", id: key });
    }
    reconcile_prop(doc, &visits, key.as_str(), visit)?;
    commit(doc, &visit.prov, "visit.add");
    Ok(())
}

/// Records a correction to a signed-off visit; the original stays as it was.
pub fn amend_visit(
    doc: &mut AutoCommit,
    visit: VisitId,
    id: RecordId,
    amendment: &VisitAmendment,
) -> Result<(), DocError> {
    expect_kind(doc, "case")?;
    if amendment.reason.trim().is_empty() {
        return Err(DocError::AmendmentWithoutReason);
    }
    let amendments = map_at(doc, &["visits", &visit.to_string(), "amendments"])
        .map_err(|_| DocError::NoSuchRecord { what: "visit", id: visit.to_string() })?;
    reconcile_prop(doc, &amendments, id.to_string().as_str(), amendment)?;
    commit(doc, &amendment.prov, "visit.amend");
    Ok(())
}

/// Records a new risk-colour assessment; the history keeps every earlier one.
pub fn set_colour(
    doc: &mut AutoCommit,
    id: RecordId,
    assessment: &ColourAssessment,
) -> Result<(), DocError> {
    expect_kind(doc, "case")?;
    add_record(doc, "colours", id, assessment, &assessment.prov)
}

/// Adds a record to one of the document's top-level record maps (`warnings`, `services`,
/// `notices`, `daily`, `handovers`, `shifts`, `acks` …). Record ids are fresh, so adding the
/// same id twice is refused as an attempt to overwrite a signed-off record.
pub fn add_record<T: Reconcile>(
    doc: &mut AutoCommit,
    map: &str,
    id: RecordId,
    record: &T,
    prov: &Provenance,
) -> Result<(), DocError> {
    let obj = map_at(doc, &[map])?;
    let key = id.to_string();
    if doc.get(&obj, key.as_str())?.is_some() {
        return Err(DocError::AlreadySignedOff { what: "record", id: key });
    }
    reconcile_prop(doc, &obj, key.as_str(), record)?;
    commit(doc, prov, &format!("{map}.add"));
    Ok(())
}

/// Clocks an escort out of a shift. The shift's owner is the only writer of this field.
pub fn set_shift_clock_out(
    doc: &mut AutoCommit,
    shift: RecordId,
    at: i64,
    prov: &Provenance,
) -> Result<(), DocError> {
    expect_kind(doc, "episode")?;
    let obj = map_at(doc, &["shifts", &shift.to_string()])
        .map_err(|_| DocError::NoSuchRecord { what: "shift", id: shift.to_string() })?;
    doc.put(&obj, "clock_out", at)?;
    commit(doc, prov, "shifts.clock_out");
    Ok(())
}

/// Writes a register field (see the module docs): a fresh `{v, set}` object at `path`, so a
/// concurrent write elsewhere stays visible as a conflict instead of being merged into it.
pub fn set_register<T: Reconcile>(
    doc: &mut AutoCommit,
    path: &[&str],
    value: T,
    prov: &Provenance,
) -> Result<(), DocError> {
    let (last, parents) = path.split_last().expect("a register path is never empty");
    let parent = map_at(doc, parents)?;
    let fresh = doc.put_object(&parent, *last, ObjType::Map)?;
    reconcile_prop(doc, &fresh, "v", value)?;
    reconcile_prop(doc, &fresh, "set", prov)?;
    commit(doc, prov, &format!("{}.set", path.join(".")));
    Ok(())
}

/// Reads a card document.
pub fn hydrate_card(doc: &AutoCommit) -> Result<Card, DocError> {
    expect_kind(doc, "card")?;
    Ok(hydrate(doc)?)
}

/// Reads a case document.
pub fn hydrate_case(doc: &AutoCommit) -> Result<Case, DocError> {
    expect_kind(doc, "case")?;
    Ok(hydrate(doc)?)
}

/// Reads an episode document.
pub fn hydrate_episode(doc: &AutoCommit) -> Result<Episode, DocError> {
    expect_kind(doc, "episode")?;
    Ok(hydrate(doc)?)
}

/// The few facts the server needs to decide who may receive a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocHeader {
    /// `card`, `case` or `episode`.
    pub kind: String,
    /// The beneficiary concerned.
    pub beneficiary: BeneficiaryId,
    /// The beneficiary's village.
    pub place: PlaceCode,
    /// For episodes: the assigned escort.
    pub escort: Option<UserId>,
    /// For episodes: the agency.
    pub agency: Option<AgencyId>,
    /// For episodes: the episode id.
    pub episode: Option<EpisodeId>,
}

/// Reads a document's header without hydrating its records.
pub fn header(doc: &AutoCommit) -> Result<DocHeader, DocError> {
    let kind = kind_of(doc);
    let beneficiary: BeneficiaryId = match kind.as_deref() {
        Some("card" | "case" | "episode") => hydrate_prop(doc, ROOT, "beneficiary")?,
        _ => return Err(DocError::WrongKind { expected: "card, case or episode", found: kind }),
    };
    if kind.as_deref() == Some("episode") {
        let escort: Register<Option<UserId>> = hydrate_prop(doc, ROOT, "escort")?;
        let agency: Register<AgencyId> = hydrate_prop(doc, ROOT, "agency")?;
        return Ok(DocHeader {
            kind: "episode".into(),
            beneficiary,
            place: hydrate_prop(doc, ROOT, "place")?,
            escort: escort.v,
            agency: Some(agency.v),
            episode: Some(hydrate_prop(doc, ROOT, "episode")?),
        });
    }
    let place: Register<PlaceCode> = hydrate_prop(doc, ROOT, "place")?;
    Ok(DocHeader {
        kind: kind.unwrap_or_default(),
        beneficiary,
        place: place.v,
        escort: None,
        agency: None,
        episode: None,
    })
}
