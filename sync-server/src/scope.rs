//! Who may see and change which document: the heart of keeping health data where it belongs.
//!
//! - A helper: the card and case of every beneficiary of their village.
//! - An escort: the episodes assigned to them, and (read-only) the card of each of those
//!   beneficiaries — never the case with the visit history.
//! - A supervisor: everything under their division.
//! - An admin: everything.

use std::collections::BTreeSet;

use peihu_shared::doc::DocHeader;
use peihu_shared::ids::DocId;
use peihu_shared::sync::server::Access;

use crate::storage::{Role, User};

/// What `user` may do with an existing document, given the documents in their scope.
pub fn access(user: &User, id: &DocId, in_scope: &BTreeSet<DocId>) -> Access {
    if !in_scope.contains(id) {
        return Access::None;
    }
    match (user.role, id) {
        (Role::Escort, DocId::Card(_)) => Access::Read,
        _ => Access::Write,
    }
}

/// Whether `user` may create a document with this header.
pub fn may_create(user: &User, header: &DocHeader) -> bool {
    match user.role {
        Role::Helper => header.kind != "episode" && header.place == user.place,
        Role::Supervisor => user.place.contains(&header.place),
        Role::Escort => false,
        Role::Admin => true,
    }
}

/// Whether a document `user` changed is still theirs to hold after the change (a helper may
/// not move a beneficiary out of their village by editing the place field).
pub fn may_keep(user: &User, header: &DocHeader) -> bool {
    match user.role {
        Role::Helper => header.kind != "episode" && header.place == user.place,
        Role::Supervisor => user.place.contains(&header.place),
        Role::Escort => header.kind == "episode" && header.escort == Some(user.id),
        Role::Admin => true,
    }
}
