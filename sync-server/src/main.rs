//! `peihu-server`: run the sync server, load the demo, administer places, people and devices.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use peihu_server::admin::NewUser;
use peihu_server::storage::Role;
use peihu_server::storage::sqlite::SqliteStorage;
use peihu_server::{AppState, demo, now_ms};
use peihu_shared::ids::{DeviceId, PlaceCode};

#[derive(Parser)]
#[command(name = "peihu-server", version, about = "Peihu sync server and administration")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve devices and the console.
    Serve {
        /// Data directory (holds peihu.sqlite).
        #[arg(long)]
        data: PathBuf,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8780")]
        listen: SocketAddr,
    },
    /// Fill a new data directory with demo data and print the demo accounts.
    Demo {
        /// Data directory.
        #[arg(long)]
        data: PathBuf,
        /// Print the accounts as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Re-hash every stored photo file and report any that no longer match their id.
    Verify {
        /// Data directory.
        #[arg(long)]
        data: PathBuf,
    },
    /// Administration.
    Admin {
        /// Data directory.
        #[arg(long)]
        data: PathBuf,
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Add a division (its parent must make sense: towns under counties, villages under towns).
    PlaceAdd {
        /// 6, 9 or 12-digit division code.
        code: String,
        /// Name.
        name: String,
    },
    /// Add an agency.
    AgencyAdd {
        /// Name.
        name: String,
    },
    /// Suspend an agency from service: its escorts' devices are refused at once.
    AgencySuspend {
        /// Agency name.
        name: String,
    },
    /// Add a user.
    UserAdd {
        /// Login name.
        login: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// helper, escort, supervisor or admin.
        #[arg(long)]
        role: String,
        /// Division code: the village of a helper; town, county or city of a supervisor.
        #[arg(long)]
        place: String,
        /// Agency name, for escorts.
        #[arg(long)]
        agency: Option<String>,
        /// Console password (supervisors, admins); read from PEIHU_PASSWORD if not given.
        #[arg(long, env = "PEIHU_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// Move a user to another division.
    UserMove {
        /// Login name.
        login: String,
        /// New division code.
        place: String,
    },
    /// Issue a one-time enrolment code for a user's device.
    Code {
        /// Login name.
        login: String,
    },
    /// Revoke a device: it is refused and told to wipe at its next sync.
    Revoke {
        /// Device id.
        device: String,
    },
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match cli.command {
        Command::Serve { data, listen } => serve(&data, listen),
        Command::Demo { data, json } => run_demo(&data, json),
        Command::Verify { data } => verify(&data),
        Command::Admin { data, command } => admin(&data, command),
    }
}

fn open(data: &std::path::Path) -> anyhow::Result<SqliteStorage> {
    SqliteStorage::open(data)
        .with_context(|| format!("cannot open data directory {}", data.display()))
}

fn serve(data: &Path, listen: SocketAddr) -> anyhow::Result<()> {
    let storage = open(data)?;
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| format!("cannot listen on {listen}"))?;
        tracing::info!(addr = %listener.local_addr()?, "peihu-server listening");
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        peihu_server::serve(listener, AppState::new(storage), shutdown).await?;
        Ok(())
    })
}

fn run_demo(data: &Path, json: bool) -> anyhow::Result<()> {
    let storage = open(data)?;
    if storage.user_by_login("admin")?.is_some() {
        bail!("{} already holds demo data: use a new data directory", data.display());
    }
    let accounts = demo::load(&storage, now_ms())?;
    if json {
        println!("{}", serde_json::to_string_pretty(&accounts)?);
    } else {
        println!("Demo loaded into {}. Accounts:", data.display());
        for a in &accounts {
            let password =
                a.password.as_deref().map(|p| format!("  password {p}")).unwrap_or_default();
            println!("  {:<8} {:<10} {:<12} code {}{}", a.user, a.role, a.place, a.code, password);
        }
    }
    Ok(())
}

/// Refuses a data directory that holds no server data: a mistyped `--data` must not report
/// "all files match" or quietly create an empty server.
fn existing(data: &Path) -> anyhow::Result<()> {
    if !data.join("peihu.sqlite").is_file() {
        bail!(
            "{} holds no Peihu server data (peihu.sqlite is missing): check --data; `serve` or `demo` creates it",
            data.display()
        );
    }
    Ok(())
}

fn verify(data: &Path) -> anyhow::Result<()> {
    use peihu_server::blobs::{BlobStore, FsBlobStore};
    existing(data)?;
    let store = FsBlobStore::open(data).context("cannot open the blob folder")?;
    let (checked, bad) = store.verify_all()?;
    for hash in &bad {
        println!("DAMAGED {hash}");
    }
    if !bad.is_empty() {
        bail!("{} of {checked} stored files do not match their id", bad.len());
    }
    println!("{checked} stored files checked, all match their id");
    Ok(())
}

fn place(text: &str) -> anyhow::Result<PlaceCode> {
    text.parse().with_context(|| format!("bad division code {text}"))
}

fn admin(data: &Path, command: AdminCommand) -> anyhow::Result<()> {
    // Setting up a new server may start with places, agencies and users; everything else
    // acts on records that must already exist.
    if !matches!(
        command,
        AdminCommand::PlaceAdd { .. }
            | AdminCommand::AgencyAdd { .. }
            | AdminCommand::UserAdd { .. }
    ) {
        existing(data)?;
    }
    let storage = open(data)?;
    let now = now_ms();
    match command {
        AdminCommand::PlaceAdd { code, name } => storage.put_place(place(&code)?, &name, false)?,
        AdminCommand::AgencyAdd { name } => {
            let id = storage.create_agency(&name)?;
            println!("{id}");
        }
        AdminCommand::AgencySuspend { name } => {
            let id = storage
                .agency_by_name(&name)?
                .with_context(|| format!("no agency named {name}"))?;
            storage.suspend_agency(id, true, now)?;
            println!("agency {name} suspended: its escorts' devices may no longer sync");
        }
        AdminCommand::UserAdd { login, name, role, place: p, agency, password } => {
            let role = Role::from_code(&role).with_context(|| {
                format!("unknown role {role}: use helper, escort, supervisor or admin")
            })?;
            let agency = match agency {
                Some(a) => Some(
                    storage.agency_by_name(&a)?.with_context(|| format!("no agency named {a}"))?,
                ),
                None => None,
            };
            let user = storage.create_user(&NewUser {
                login,
                name,
                role,
                place: place(&p)?,
                agency,
                password,
            })?;
            println!("{}", user.id);
        }
        AdminCommand::UserMove { login, place: p } => {
            let user =
                storage.user_by_login(&login)?.with_context(|| format!("no user {login}"))?;
            storage.move_user(user.id, place(&p)?)?;
        }
        AdminCommand::Code { login } => {
            let user =
                storage.user_by_login(&login)?.with_context(|| format!("no user {login}"))?;
            println!("{}", storage.issue_code(user.id, now)?);
        }
        AdminCommand::Revoke { device } => {
            let id: DeviceId = device.parse().context("bad device id")?;
            storage.revoke_device(id, now)?;
            println!("device {id} revoked: it will wipe its records at its next sync");
        }
    }
    Ok(())
}
