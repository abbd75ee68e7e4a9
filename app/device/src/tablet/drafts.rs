//! Half-filled visit forms, kept in the user's store so closing the app loses nothing.
//!
//! A draft is the form exactly as the UI holds it (JSON the device does not interpret), saved
//! under the meta key `draft.<beneficiary>`. An empty value means no draft.

use crate::Store;

use super::TabletError;

fn key(beneficiary: &str) -> String {
    format!("draft.{beneficiary}")
}

/// Saves (durably) the form for `beneficiary`.
pub fn save(
    store: &mut Store,
    beneficiary: &str,
    form: &serde_json::Value,
) -> Result<(), TabletError> {
    let text = serde_json::to_string(form).expect("JSON values serialise");
    store.set_meta(&[(&key(beneficiary), &text)])?;
    Ok(())
}

/// The saved form for `beneficiary`, if any.
pub fn load(store: &Store, beneficiary: &str) -> Result<Option<serde_json::Value>, TabletError> {
    let Some(text) = store.meta(&key(beneficiary))? else {
        return Ok(None);
    };
    if text.is_empty() {
        return Ok(None);
    }
    Ok(serde_json::from_str(&text).ok())
}

/// Forgets the draft (after the visit is saved).
pub fn clear(store: &mut Store, beneficiary: &str) -> Result<(), TabletError> {
    store.set_meta(&[(&key(beneficiary), "")])?;
    Ok(())
}
