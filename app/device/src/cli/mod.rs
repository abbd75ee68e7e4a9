//! Command-line parsing and dispatch for `peihu-field`.

/// `println!` that hands a closed stdout (`peihu-field duty | head`) back as an error instead
/// of panicking; `main` ends quietly on it.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)?
    }};
}

mod episode;
mod visit;

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use peihu_device::Store;
use peihu_device::sync::{self, Http};
use peihu_device::{field, photos};
use peihu_shared::doc;
use peihu_shared::ids::{BeneficiaryId, DeviceId, DocId, UserId};
use peihu_shared::model::Provenance;

/// The headless Peihu client.
#[derive(Parser)]
#[command(name = "peihu-field", version, about = "Headless Peihu client")]
pub struct Args {
    /// The device's data directory.
    #[arg(long, global = true, default_value = "peihu-field-data")]
    data: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Enrol this device with a one-time code from a supervisor.
    Enroll {
        /// Server base URL, e.g. http://127.0.0.1:8780
        #[arg(long)]
        server: String,
        /// The one-time enrolment code.
        #[arg(long)]
        code: String,
    },
    /// Today's due and overdue visits.
    Duty {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Home visits.
    Visit {
        #[command(subcommand)]
        command: visit::VisitCommand,
    },
    /// Escort episodes and their nine steps.
    Episode {
        #[command(subcommand)]
        command: episode::EpisodeCommand,
    },
    /// Sync with the server.
    Sync {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Photos: attach (normalised, without metadata) and export.
    Photo {
        #[command(subcommand)]
        command: PhotoCommand,
    },
    /// Show a record.
    Show {
        #[command(subcommand)]
        what: ShowCommand,
    },
    /// Delete every record on this device (a revoked or handed-over device).
    Wipe,
}

#[derive(Subcommand)]
enum PhotoCommand {
    /// Normalise a photo and keep it; with --visit, attach it to that visit. Prints its id.
    Add {
        /// The visit to attach it to.
        #[arg(long)]
        visit: Option<String>,
        /// The beneficiary it is evidence for (when not attaching to a visit).
        #[arg(long, conflicts_with = "visit")]
        beneficiary: Option<String>,
        /// The image file.
        file: PathBuf,
    },
    /// Write a kept photo's stored JPEG to a file.
    Export {
        /// Photo id (SHA-256).
        id: String,
        /// Where to write it.
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum ShowCommand {
    /// A beneficiary's card, case and visits.
    Beneficiary {
        /// Beneficiary id.
        id: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// The open store plus who is using it.
pub(crate) struct Session {
    pub store: Store,
    pub user: UserId,
    pub device: DeviceId,
}

impl Session {
    pub fn prov(&self) -> Provenance {
        Provenance { by: self.user, device: self.device, at: now_ms() }
    }
}

pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn open_store(data: &std::path::Path) -> anyhow::Result<Store> {
    std::fs::create_dir_all(data)
        .with_context(|| format!("cannot create data directory {}", data.display()))?;
    Store::open(&data.join("device.sqlite"))
        .with_context(|| format!("cannot open the device store in {}", data.display()))
}

fn session(data: &std::path::Path) -> anyhow::Result<Session> {
    let store = open_store(data)?;
    for q in store.quarantined() {
        eprintln!("peihu-field: warning: set aside unreadable data of {} ({})", q.doc, q.reason);
    }
    let user = store.meta("user")?.context(
        "this device is not enrolled yet: run peihu-field enroll --server URL --code CODE",
    )?;
    let device = store.meta("device")?.context("this device is not enrolled yet")?;
    Ok(Session { user: user.parse()?, device: device.parse()?, store })
}

pub(crate) fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    outln!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// Runs one command.
pub fn run(args: Args) -> anyhow::Result<()> {
    match args.command {
        Command::Enroll { server, code } => enroll(&args.data, &server, &code),
        Command::Duty { json } => duty(&session(&args.data)?, json),
        Command::Visit { command } => visit::run(&mut session(&args.data)?, command),
        Command::Episode { command } => episode::run(&mut session(&args.data)?, command),
        Command::Sync { json } => run_sync(&mut session(&args.data)?, json),
        Command::Show { what: ShowCommand::Beneficiary { id, json } } => {
            show_beneficiary(&session(&args.data)?, &id, json)
        }
        Command::Photo { command } => photo(&mut session(&args.data)?, command),
        Command::Wipe => {
            let mut store = open_store(&args.data)?;
            store.wipe()?;
            let photos = photos::photo_dir(&store);
            if photos.exists() {
                std::fs::remove_dir_all(&photos).context("could not delete the photo folder")?;
            }
            outln!("every record on this device has been deleted");
            Ok(())
        }
    }
}

/// Enrols the device; a failed enrolment into a new data directory leaves no store behind.
fn enroll(data: &std::path::Path, server: &str, code: &str) -> anyhow::Result<()> {
    let file = data.join("device.sqlite");
    let fresh = !file.exists();
    let mut store = open_store(data)?;
    if store.meta("device")?.is_some() {
        bail!("this data directory is already enrolled; use another --data or wipe it");
    }
    let enrolment = sync::enroll(&mut store, server, code);
    drop(store);
    let e = match enrolment {
        Ok(e) => e,
        Err(error) => {
            if fresh {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(data.join(format!("device.sqlite{suffix}")));
                }
            }
            return Err(error.into());
        }
    };
    outln!("enrolled device {} for {} ({})", e.device, e.login, e.role);
    Ok(())
}

fn duty(s: &Session, json: bool) -> anyhow::Result<()> {
    let rows = field::duty_list(&s.store, now_ms());
    if json {
        return print_json(&rows);
    }
    if rows.is_empty() {
        outln!("no beneficiaries on this device yet: run peihu-field sync");
    }
    for r in rows {
        let overdue = match r.overdue_days {
            Some(0) => " (since today)".to_string(),
            Some(1) => " (1 day)".to_string(),
            Some(d) => format!(" ({d} days)"),
            None => String::new(),
        };
        let status = format!("{}{overdue}", r.status);
        outln!("{}  {:<6} {:<22} {}", r.beneficiary, r.colour.code(), status, r.name);
    }
    Ok(())
}

fn run_sync(s: &mut Session, json: bool) -> anyhow::Result<()> {
    let mut http = Http::for_store(&s.store)?;
    let outcome = sync::sync(&mut s.store, &mut http, now_ms())?;
    let uploads = photos::upload_pending(&mut s.store)?;
    if json {
        return print_json(&serde_json::json!({
            "synced": outcome.synced,
            "received": outcome.received.len(),
            "deleted": outcome.deleted.len(),
            "refused": outcome.refused.iter().map(|r| serde_json::json!({
                "doc": r.doc, "reason": format!("{:?}", r.reason)
            })).collect::<Vec<_>>(),
            "clock_flagged": outcome.clock_flagged,
            "requests": http.requests,
            "photos_uploaded": uploads.uploaded,
            "photos_pending": uploads.pending,
            "bytes_sent": http.sent,
            "bytes_received": http.received,
        }));
    }
    if outcome.clock_flagged {
        eprintln!(
            "peihu-field: warning: this device's clock is more than five minutes off the server's; please correct it"
        );
    }
    if !outcome.refused.is_empty() {
        bail!(
            "the server refused {} document(s) as outside what this account may change; they are kept on this device",
            outcome.refused.len()
        );
    }
    if !outcome.synced {
        bail!(
            "sync did not finish ({}); your records are safe on this device and will go at the next sync",
            outcome.problem.unwrap_or_else(|| "unknown reason".into())
        );
    }
    outln!(
        "synced: {} received, {} removed, {} request(s); {} photo(s) uploaded, {} pending",
        outcome.received.len(),
        outcome.deleted.len(),
        http.requests,
        uploads.uploaded,
        uploads.pending
    );
    Ok(())
}

fn photo(s: &mut Session, command: PhotoCommand) -> anyhow::Result<()> {
    match command {
        PhotoCommand::Add { visit, beneficiary, file } => {
            // A file too big to be a photo is refused before it is read into memory.
            let size = std::fs::metadata(&file)
                .with_context(|| format!("cannot read the photo file {}", file.display()))?
                .len();
            let limit = peihu_photo::Limits::default().max_input_bytes;
            if size > limit as u64 {
                let refusal = peihu_photo::PhotoError::TooLarge {
                    bytes: usize::try_from(size).unwrap_or(usize::MAX),
                    limit,
                };
                bail!("photo refused ({}): {refusal}", refusal.code());
            }
            let bytes = std::fs::read(&file)
                .with_context(|| format!("cannot read the photo file {}", file.display()))?;
            let prov = s.prov();
            let photo = match (visit, beneficiary) {
                (Some(v), None) => photos::attach_to_visit(&mut s.store, v.parse()?, &bytes, &prov),
                (None, Some(b)) => {
                    photos::keep_photo(&mut s.store, DocId::Case(b.parse()?), &bytes)
                }
                _ => bail!("say which record the photo belongs to: --visit ID or --beneficiary ID"),
            };
            let photo = photo.map_err(|e| anyhow::anyhow!("photo refused ({}): {e}", e.code()))?;
            for note in &photo.notes {
                eprintln!("peihu-field: note: {note}");
            }
            outln!("{}", photo.sha256);
            Ok(())
        }
        PhotoCommand::Export { id, out } => {
            let hash: peihu_shared::ids::BlobHash = id.parse()?;
            let path = photos::photo_path(&s.store, &hash);
            let bytes = std::fs::read(&path)
                .with_context(|| format!("photo {hash} is not on this device"))?;
            std::fs::write(&out, bytes)
                .with_context(|| format!("cannot write {}", out.display()))?;
            Ok(())
        }
    }
}

fn show_beneficiary(s: &Session, id: &str, json: bool) -> anyhow::Result<()> {
    let id: BeneficiaryId = id.parse()?;
    let card = s
        .store
        .doc(&DocId::Card(id))
        .map(doc::hydrate_card)
        .transpose()?
        .with_context(|| format!("beneficiary {id} is not on this device"))?;
    let case = s.store.doc(&DocId::Case(id)).map(doc::hydrate_case).transpose()?;
    if json {
        let visits: Vec<_> = case
            .as_ref()
            .map(|c| c.visits.values().map(|v| v.effective()).collect())
            .unwrap_or_default();
        return print_json(&serde_json::json!({
            "card": card,
            "colour": case.as_ref().and_then(|c| c.current_colour()).map(|c| c.colour),
            "visits": visits,
            "open_warnings": case.as_ref().map(|c| c.open_warnings().len()).unwrap_or(0),
            "conflicts": s.store.doc(&DocId::Card(id)).map(doc::conflicts).unwrap_or_default(),
        }));
    }
    outln!("{} ({})", card.name.v, card.birth_date.v);
    outln!("allergies: {}", card.allergies.v.join(", "));
    outln!("conditions: {}", card.conditions.v.join(", "));
    outln!("contact: {} {}", card.contact_name.v, card.contact_phone.v);
    if let Some(case) = case {
        if let Some(c) = case.current_colour() {
            outln!("colour: {}", c.colour.code());
        }
        let mut visits: Vec<_> = case.visits.values().collect();
        visits.sort_by_key(|v| v.arrived);
        for v in visits {
            outln!("visit {} at {}", v.id, peihu_shared::time::format_zh(v.arrived));
        }
    }
    Ok(())
}
