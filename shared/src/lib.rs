//! # peihu-shared: the programme's model, with no I/O
//!
//! Peihu supports a city programme of home care and hospital escort for people in extreme
//! hardship who live at home (分散供养特困人员). Village helpers visit on a duty set by a risk
//! colour; escorts from contracted agencies follow nine steps at hospital bedsides; supervisors
//! review, chase and judge. Everything they record lives in Automerge documents so tablets can
//! work offline for days and merge later.
//!
//! This crate is shared by the tablet UI (compiled to wasm32), the device store and the sync
//! server. It does no I/O: no files, sockets, threads or clock reads. Read it in this order:
//!
//! - [`ids`]: one newtype per identifier (beneficiary, visit, episode, device, division code,
//!   ID number, photo hash), each parsed and displayed in one place.
//! - [`model`]: the programme's records: card, case, visit, vitals, episode, services, and the
//!   [`model::Provenance`] every record carries.
//! - [`doc`]: how those records are laid out in Automerge documents, and why: records in maps
//!   keyed by id, amendments instead of overwrites, registers whose concurrent values stay visible.
//! - [`rules`]: visit duty by colour (in China time), early warnings from configurable
//!   thresholds, and validation of readings with messages that name the field and the bound.
//! - [`sync`]: the sans-IO sync engine used by devices and the server.
//! - [`time`]: China Standard Time helpers.
//!
//! ```
//! use peihu_shared::doc::{self, NewBeneficiary};
//! use peihu_shared::ids::{BeneficiaryId, DeviceId, UserId};
//! use peihu_shared::model::{DisabilityLevel, LivingSituation, Provenance, RiskColour, Sex};
//!
//! let prov = Provenance { by: UserId::new_random(), device: DeviceId::new_random(), at: 0 };
//! let new = NewBeneficiary {
//!     id: BeneficiaryId::new_random(),
//!     place: "370602001201".parse().unwrap(),
//!     name: "王某".into(),
//!     sex: Sex::Female,
//!     birth_date: "1938-05-01".into(),
//!     id_number: "11010519491231002X".into(),
//!     address: "某村12号".into(),
//!     living: LivingSituation::Alone,
//!     disability: DisabilityLevel::Partial,
//!     allergies: vec!["青霉素".into()],
//!     conditions: vec!["高血压".into()],
//!     contact_name: "王某某".into(),
//!     contact_phone: "13800000000".into(),
//!     colour: RiskColour::Red,
//!     colour_reason: "88岁，半失能".into(),
//! };
//! let (card, case) = doc::new_beneficiary(&new, &prov).unwrap();
//! assert_eq!(doc::hydrate_card(&card).unwrap().name.v, "王某");
//! let case = doc::hydrate_case(&case).unwrap();
//! assert_eq!(case.current_colour().unwrap().colour, RiskColour::Red);
//! ```

pub mod doc;
pub mod ids;
pub mod model;
pub mod rules;
pub mod sync;
pub mod time;
