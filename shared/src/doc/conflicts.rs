//! Finding concurrent writes to the same register, so a supervisor can see and settle them.

use automerge::{AutoCommit, ObjId, ObjType, ROOT, ReadDoc, Value};
use autosurgeon::{Hydrate, HydrateError};

use crate::model::Provenance;

/// One value among several written concurrently to the same field.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ConflictValue {
    /// The value, rendered as text.
    pub value: String,
    /// Who wrote it, on which device, when.
    pub set: Provenance,
}

/// A field that holds more than one concurrent value.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Conflict {
    /// The field's path, e.g. `contact_phone` or `profile.address`.
    pub path: String,
    /// Every value, oldest write first (by device time).
    pub values: Vec<ConflictValue>,
}

const CARD_REGISTERS: &[&str] = &[
    "place",
    "name",
    "sex",
    "birth_date",
    "allergies",
    "conditions",
    "contact_name",
    "contact_phone",
];
const CASE_REGISTERS: &[&str] =
    &["place", "profile.id_number", "profile.address", "profile.living", "profile.disability"];
const EPISODE_REGISTERS: &[&str] =
    &["agency", "escort", "hospital", "ward", "bed", "admitted", "discharged"];

/// Every register of the document that currently holds concurrent values.
pub fn conflicts(doc: &AutoCommit) -> Vec<Conflict> {
    let kind: Option<String> = autosurgeon::hydrate_prop(doc, ROOT, "kind").ok().flatten();
    let registers = match kind.as_deref() {
        Some("card") => CARD_REGISTERS,
        Some("case") => CASE_REGISTERS,
        Some("episode") => EPISODE_REGISTERS,
        _ => return Vec::new(),
    };
    registers.iter().filter_map(|path| conflict_at(doc, path)).collect()
}

fn conflict_at(doc: &AutoCommit, path: &str) -> Option<Conflict> {
    let mut obj = ROOT;
    let parts: Vec<&str> = path.split('.').collect();
    let (last, parents) = parts.split_last()?;
    for key in parents {
        obj = match doc.get(&obj, *key).ok()?? {
            (Value::Object(ObjType::Map), id) => id,
            _ => return None,
        };
    }
    let all = doc.get_all(&obj, *last).ok()?;
    if all.len() < 2 {
        return None;
    }
    let mut values: Vec<ConflictValue> = all
        .into_iter()
        .filter_map(|(value, id)| match value {
            Value::Object(ObjType::Map) => read_register(doc, &id).ok(),
            _ => None,
        })
        .collect();
    values.sort_by(|a, b| (a.set.at, &a.value).cmp(&(b.set.at, &b.value)));
    Some(Conflict { path: path.to_string(), values })
}

fn read_register(doc: &AutoCommit, obj: &ObjId) -> Result<ConflictValue, HydrateError> {
    let set = autosurgeon::hydrate_prop(doc, obj, "set")?;
    let Shown(value) = autosurgeon::hydrate_prop(doc, obj, "v")?;
    Ok(ConflictValue { value, set })
}

/// Any scalar or list of scalars, rendered as text for display.
struct Shown(String);

impl Hydrate for Shown {
    fn hydrate_string(s: &'_ str) -> Result<Self, HydrateError> {
        Ok(Shown(s.to_string()))
    }

    fn hydrate_int(i: i64) -> Result<Self, HydrateError> {
        Ok(Shown(i.to_string()))
    }

    fn hydrate_uint(u: u64) -> Result<Self, HydrateError> {
        Ok(Shown(u.to_string()))
    }

    fn hydrate_f64(f: f64) -> Result<Self, HydrateError> {
        Ok(Shown(f.to_string()))
    }

    fn hydrate_bool(b: bool) -> Result<Self, HydrateError> {
        Ok(Shown(b.to_string()))
    }

    fn hydrate_none() -> Result<Self, HydrateError> {
        Ok(Shown(String::new()))
    }

    fn hydrate_seq<D: autosurgeon::ReadDoc>(doc: &D, obj: &ObjId) -> Result<Self, HydrateError> {
        let items: Vec<Shown> = Vec::hydrate_seq(doc, obj)?;
        Ok(Shown(items.into_iter().map(|s| s.0).collect::<Vec<_>>().join("、")))
    }
}
