//! Writing to documents from the console, exactly as a device would: load, change with the
//! shared document functions under the supervisor's provenance, append the new changes.

use automerge::AutoCommit;
use peihu_shared::doc::{self, DocError, DocHeader};
use peihu_shared::ids::{DeviceId, DocId};
use peihu_shared::model::Provenance;

use super::{ConsoleError, summary};
use crate::AppState;
use crate::storage::{Storage, User};

/// The device id the server writes under. Its bytes spell `peihu-server`.
pub const SERVER_DEVICE: DeviceId = DeviceId::from_bytes(*b"peihu-server");

/// Provenance of a write by `user` now.
pub fn provenance(state: &AppState, user: &User) -> Provenance {
    Provenance { by: user.id, device: SERVER_DEVICE, at: state.now() }
}

/// Loads `id`, lets `change` edit it, and stores the changes it made. `keep` sees the header
/// after the change and may refuse it (a change must not move a record out of the writer's
/// division); nothing is stored then.
pub fn edit(
    state: &AppState,
    id: DocId,
    change: impl FnOnce(&mut AutoCommit) -> Result<(), ConsoleError>,
    keep: impl FnOnce(&DocHeader) -> Result<(), ConsoleError>,
) -> Result<(), ConsoleError> {
    let mut loaded = state.storage.load_doc(&id)?.ok_or(ConsoleError::NotFound)?;
    let before = loaded.doc.get_heads();
    change(&mut loaded.doc)?;
    let header = doc::header(&loaded.doc)?;
    keep(&header)?;
    let changes: Vec<Vec<u8>> =
        loaded.doc.get_changes(&before).iter().map(|c| c.raw_bytes().to_vec()).collect();
    if changes.is_empty() {
        return Ok(());
    }
    state.storage.append_changes(&id, &mut loaded, &changes, &header, None, state.now())?;
    summary::refresh_quietly(&state.storage, &id, &mut loaded.doc);
    Ok(())
}

/// Stores a document made on the server (a new episode) and summarises it.
pub fn create(state: &AppState, id: DocId, mut new_doc: AutoCommit) -> Result<(), ConsoleError> {
    state.storage.put_new_doc(id, &mut new_doc, state.now())?;
    summary::refresh_quietly(&state.storage, &id, &mut new_doc);
    Ok(())
}

/// Which of a field's concurrent values a supervisor chose, as the settle form sends it back.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct SettleForm {
    /// `card`, `case` or `episode`.
    pub doc: String,
    /// The field's path, e.g. `contact_phone`.
    pub path: String,
    /// Author of the chosen value.
    pub set_by: String,
    /// Device of the chosen value.
    pub set_device: String,
    /// Time of the chosen value.
    pub set_at: i64,
}

/// Settles a conflict by writing the chosen value again as a fresh register value: an ordinary
/// change, newer than every concurrent one, that syncs to the tablets like any other edit.
pub fn settle(
    doc: &mut AutoCommit,
    form: &SettleForm,
    prov: &Provenance,
    changed: &str,
) -> Result<(), ConsoleError> {
    use automerge::{ObjType, ROOT, ReadDoc, Value};

    let gone = || ConsoleError::BadInput(changed.to_string());
    let conflict =
        doc::conflicts(doc).into_iter().find(|c| c.path == form.path).ok_or_else(gone)?;
    let chosen = conflict
        .values
        .iter()
        .find(|v| {
            v.set.at == form.set_at
                && v.set.by.to_string() == form.set_by
                && v.set.device.to_string() == form.set_device
        })
        .ok_or_else(gone)?;
    let parts: Vec<&str> = form.path.split('.').collect();
    let (last, parents) = parts.split_last().ok_or_else(gone)?;
    let mut parent = ROOT;
    for key in parents {
        parent = match doc.get(&parent, *key).map_err(DocError::from)? {
            Some((Value::Object(ObjType::Map), id)) => id,
            _ => return Err(gone()),
        };
    }
    let object = doc
        .get_all(&parent, *last)
        .map_err(DocError::from)?
        .into_iter()
        .find_map(|(value, id)| {
            let Value::Object(ObjType::Map) = value else { return None };
            let set: Provenance = autosurgeon::hydrate_prop(&*doc, &id, "set").ok()?;
            (set == chosen.set).then_some(id)
        })
        .ok_or_else(gone)?;
    rewrite(doc, &form.doc, &parts, &object, prov)
}

/// Writes the value held in `object` back to `path` with the type the field has.
fn rewrite(
    doc: &mut AutoCommit,
    kind: &str,
    path: &[&str],
    object: &automerge::ObjId,
    prov: &Provenance,
) -> Result<(), ConsoleError> {
    use peihu_shared::ids::{AgencyId, PlaceCode, UserId};
    use peihu_shared::model::{DisabilityLevel, LivingSituation, Sex};

    fn copy<T: autosurgeon::Hydrate + autosurgeon::Reconcile>(
        doc: &mut AutoCommit,
        path: &[&str],
        object: &automerge::ObjId,
        prov: &Provenance,
    ) -> Result<(), ConsoleError> {
        let value: T = autosurgeon::hydrate_prop(&*doc, object, "v").map_err(DocError::from)?;
        Ok(doc::set_register(doc, path, value, prov)?)
    }
    match (kind, path.join(".").as_str()) {
        ("card" | "case", "place") => copy::<PlaceCode>(doc, path, object, prov),
        ("card", "sex") => copy::<Sex>(doc, path, object, prov),
        ("card", "allergies" | "conditions") => copy::<Vec<String>>(doc, path, object, prov),
        ("case", "profile.living") => copy::<LivingSituation>(doc, path, object, prov),
        ("case", "profile.disability") => copy::<DisabilityLevel>(doc, path, object, prov),
        ("episode", "agency") => copy::<AgencyId>(doc, path, object, prov),
        ("episode", "escort") => copy::<Option<UserId>>(doc, path, object, prov),
        ("episode", "admitted" | "discharged") => copy::<Option<i64>>(doc, path, object, prov),
        _ => copy::<String>(doc, path, object, prov),
    }
}
