//! Administration: places, agencies, users, enrolment codes, revocation, suspension.
//!
//! These run from the `peihu-server` command line and from the demo loader, on the embedded
//! SQLite storage.

use argon2::password_hash::{PasswordHasher, SaltString};
use peihu_shared::ids::{AgencyId, DeviceId, DocId, PlaceCode, UserId};
use rusqlite::{OptionalExtension, params};

use crate::storage::sqlite::SqliteStorage;
use crate::storage::{AuditEvent, Role, Storage, StorageError, User};
use crate::tokens;

/// A user to create.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Login name, unique.
    pub login: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Division: village for helpers, town/county/city for supervisors.
    pub place: PlaceCode,
    /// Agency, for escorts.
    pub agency: Option<AgencyId>,
    /// Console password, for supervisors and admins.
    pub password: Option<String>,
}

/// Why an admin command was refused.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The role and the division level do not fit.
    #[error("a {role} must be attached to a {needed}, but {place} is a {found}")]
    WrongPlaceLevel {
        /// The role.
        role: &'static str,
        /// What the role needs.
        needed: &'static str,
        /// The division given.
        place: PlaceCode,
        /// Its level.
        found: peihu_shared::ids::PlaceLevel,
    },
    /// An escort needs an agency.
    #[error("an escort must belong to an agency (--agency)")]
    EscortWithoutAgency,
    /// The division is not known to the server.
    #[error("division {0} is not known: create it first (admin place add)")]
    UnknownPlace(PlaceCode),
    /// A password is too short.
    #[error("a console password must have at least 10 characters")]
    WeakPassword,
}

fn hash_password(password: &str) -> Result<String, AdminError> {
    if password.chars().count() < 10 {
        return Err(AdminError::WeakPassword);
    }
    let salt = SaltString::encode_b64(&peihu_shared::ids::random_bytes::<16>())
        .expect("16 bytes encode as a salt");
    Ok(argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashing with default parameters succeeds")
        .to_string())
}

impl SqliteStorage {
    /// Adds or renames a division.
    pub fn put_place(&self, code: PlaceCode, name: &str, invented: bool) -> Result<(), AdminError> {
        self.with_conn(|c| {
            c.execute(
                "INSERT INTO places (code, name, level, parent, invented) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (code) DO UPDATE SET name = excluded.name, invented = excluded.invented",
                params![
                    code.to_string(),
                    name,
                    code.level().to_string(),
                    code.parent().map(|p| p.to_string()),
                    invented
                ],
            )?;
            Ok(())
        })?;
        Ok(())
    }

    /// Whether a division is known.
    pub fn place_exists(&self, code: PlaceCode) -> Result<bool, StorageError> {
        self.with_conn(|c| {
            Ok(c.query_row("SELECT 1 FROM places WHERE code = ?1", [code.to_string()], |_| Ok(()))
                .optional()?
                .is_some())
        })
    }

    /// Creates an agency.
    pub fn create_agency(&self, name: &str) -> Result<AgencyId, AdminError> {
        let id = AgencyId::new_random();
        self.with_conn(|c| {
            c.execute(
                "INSERT INTO agencies (id, name) VALUES (?1, ?2)",
                params![id.to_string(), name],
            )
            .map_err(|e| match e {
                rusqlite::Error::SqliteFailure(f, _)
                    if f.code == rusqlite::ErrorCode::ConstraintViolation =>
                {
                    StorageError::Exists(format!("agency \"{name}\""))
                }
                e => e.into(),
            })?;
            Ok(())
        })?;
        Ok(id)
    }

    /// Looks an agency up by name.
    pub fn agency_by_name(&self, name: &str) -> Result<Option<AgencyId>, StorageError> {
        self.with_conn(|c| {
            let id: Option<String> = c
                .query_row("SELECT id FROM agencies WHERE name = ?1", [name], |r| r.get(0))
                .optional()?;
            Ok(id.and_then(|i| i.parse().ok()))
        })
    }

    /// Creates a user after checking their role fits their division.
    pub fn create_user(&self, new: &NewUser) -> Result<User, AdminError> {
        use peihu_shared::ids::PlaceLevel;
        let ok = match new.role {
            Role::Helper => new.place.level() == PlaceLevel::Village,
            Role::Supervisor => new.place.level() != PlaceLevel::Village,
            Role::Escort | Role::Admin => true,
        };
        if !ok {
            let needed = if new.role == Role::Helper { "village" } else { "town, county or city" };
            return Err(AdminError::WrongPlaceLevel {
                role: new.role.code(),
                needed,
                place: new.place,
                found: new.place.level(),
            });
        }
        if new.role == Role::Escort && new.agency.is_none() {
            return Err(AdminError::EscortWithoutAgency);
        }
        if !self.place_exists(new.place)? {
            return Err(AdminError::UnknownPlace(new.place));
        }
        let hash = new.password.as_deref().map(hash_password).transpose()?;
        let user = User {
            id: UserId::new_random(),
            login: new.login.clone(),
            name: new.name.clone(),
            role: new.role,
            place: new.place,
            agency: new.agency,
        };
        self.with_conn(|c| {
            c.execute(
                "INSERT INTO users (id, login, name, role, place, agency, password_hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    user.id.to_string(),
                    user.login,
                    user.name,
                    user.role.code(),
                    user.place.to_string(),
                    user.agency.map(|a| a.to_string()),
                    hash
                ],
            )
            .map_err(|e| match e {
                rusqlite::Error::SqliteFailure(f, _)
                    if f.code == rusqlite::ErrorCode::ConstraintViolation =>
                {
                    StorageError::Exists(format!("user \"{}\"", new.login))
                }
                e => e.into(),
            })?;
            Ok(())
        })?;
        Ok(user)
    }

    /// Looks a user up by login.
    pub fn user_by_login(&self, login: &str) -> Result<Option<User>, StorageError> {
        self.with_conn(|c| {
            let sql = format!(
                "SELECT {} FROM users u WHERE u.login = ?1",
                crate::storage::sqlite::USER_COLUMNS
            );
            Ok(c.query_row(&sql, [login], crate::storage::sqlite::user_row).optional()?)
        })
    }

    /// Issues a one-time enrolment code for a user; returns the code (shown once, stored hashed).
    pub fn issue_code(&self, user: UserId, now: i64) -> Result<String, AdminError> {
        let code = tokens::new_enrolment_code();
        let hash = tokens::hash(&code);
        self.with_conn(|c| {
            c.execute(
                "INSERT INTO enrolment_codes (code_hash, user, created) VALUES (?1, ?2, ?3)",
                params![&hash[..], user.to_string(), now],
            )?;
            Ok(())
        })?;
        Ok(code)
    }

    /// Revokes a device: its next request is refused and it is told to wipe.
    pub fn revoke_device(&self, device: DeviceId, now: i64) -> Result<(), AdminError> {
        let changed = self.with_conn(|c| {
            Ok(c.execute(
                "UPDATE devices SET revoked = ?2 WHERE id = ?1 AND revoked IS NULL",
                params![device.to_string(), now],
            )?)
        })?;
        if changed == 0 {
            return Err(StorageError::NotFound(format!("active device {device}")).into());
        }
        self.audit(
            &AuditEvent {
                device: Some(device),
                user: None,
                event: "device.revoked".into(),
                doc: None,
            },
            now,
        )?;
        Ok(())
    }

    /// Suspends an agency (removal from service): its escorts' devices are refused at once.
    pub fn suspend_agency(
        &self,
        agency: AgencyId,
        suspended: bool,
        now: i64,
    ) -> Result<(), AdminError> {
        let changed = self.with_conn(|c| {
            Ok(c.execute(
                "UPDATE agencies SET suspended = ?2 WHERE id = ?1",
                params![agency.to_string(), suspended],
            )?)
        })?;
        if changed == 0 {
            return Err(StorageError::NotFound(format!("agency {agency}")).into());
        }
        let event = if suspended { "agency.suspended" } else { "agency.reinstated" };
        self.audit(&AuditEvent { device: None, user: None, event: event.into(), doc: None }, now)?;
        Ok(())
    }

    /// Moves a user to another division (a helper who moves village).
    pub fn move_user(&self, user: UserId, place: PlaceCode) -> Result<(), AdminError> {
        if !self.place_exists(place)? {
            return Err(AdminError::UnknownPlace(place));
        }
        self.with_conn(|c| {
            c.execute(
                "UPDATE users SET place = ?2 WHERE id = ?1",
                params![user.to_string(), place.to_string()],
            )?;
            Ok(())
        })?;
        Ok(())
    }

    /// Stores a document made on the server (demo data, a supervisor's new episode): every
    /// change of it is appended, exactly as if a device had synced it.
    pub fn put_new_doc(
        &self,
        id: DocId,
        doc: &mut automerge::AutoCommit,
        now: i64,
    ) -> Result<(), StorageError> {
        let header = peihu_shared::doc::header(doc)
            .map_err(|e| StorageError::Corrupt(id.to_string(), e.to_string()))?;
        let changes: Vec<Vec<u8>> =
            doc.get_changes(&[]).iter().map(|c| c.raw_bytes().to_vec()).collect();
        let mut loaded = match self.load_doc(&id)? {
            Some(l) => l,
            None => crate::storage::LoadedDoc {
                doc: automerge::AutoCommit::new(),
                seen: 0,
                header: None,
            },
        };
        self.append_changes(&id, &mut loaded, &changes, &header, None, now)?;
        Ok(())
    }
}
