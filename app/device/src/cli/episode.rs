//! `peihu-field episode …`: the nine steps from the bedside.

use anyhow::{Context, bail};
use clap::Subcommand;
use peihu_device::field::{self, EpisodeStep};
use peihu_shared::doc;
use peihu_shared::ids::{BlobHash, DocId, EpisodeId};
use peihu_shared::model::{AckMethod, DailyKind, HandoverKind, NoticeKind};

use super::{Session, now_ms, print_json};

#[derive(Subcommand)]
pub(crate) enum EpisodeCommand {
    /// Episodes assigned to this device's user.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// One episode with its nine steps and what is missing.
    Show {
        /// Episode id.
        id: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Record admission now.
    Admit {
        /// Episode id.
        id: String,
    },
    /// Record one of the three notices: coverage, standard, complaints.
    Notice {
        /// Episode id.
        id: String,
        /// coverage, standard or complaints.
        which: String,
    },
    /// Record the clarity-card acknowledgement: a signature image id, or an attestation.
    Ack {
        /// Episode id.
        id: String,
        /// Signature image id (from `photo add`).
        #[arg(long, conflicts_with = "attest")]
        signature: Option<String>,
        /// The escort's attestation when the person cannot sign.
        #[arg(long)]
        attest: Option<String>,
    },
    /// Record one of today's three records: services, orders, special.
    Daily {
        /// Episode id.
        id: String,
        /// services, orders or special.
        which: String,
        /// What was done, ordered or happened.
        text: String,
        /// China-time day `YYYY-MM-DD` (default today).
        #[arg(long)]
        day: Option<String>,
    },
    /// Record one of the three handovers: care_points, medication, rehabilitation.
    Handover {
        /// Episode id.
        id: String,
        /// care_points, medication or rehabilitation.
        which: String,
        /// What was handed over.
        text: String,
        /// To whom.
        #[arg(long, default_value = "本人及家属")]
        to: String,
    },
    /// Record discharge now.
    Discharge {
        /// Episode id.
        id: String,
    },
    /// Clock in at the bedside; prints the shift id.
    ClockIn {
        /// Episode id.
        id: String,
    },
    /// Clock out of a shift.
    ClockOut {
        /// Episode id.
        id: String,
        /// Shift id.
        shift: String,
    },
}

fn notice(text: &str) -> anyhow::Result<NoticeKind> {
    Ok(match text {
        "coverage" => NoticeKind::Coverage,
        "standard" => NoticeKind::Standard,
        "complaints" => NoticeKind::Complaints,
        _ => bail!("notice \"{text}\" must be coverage, standard or complaints"),
    })
}

fn daily(text: &str) -> anyhow::Result<DailyKind> {
    Ok(match text {
        "services" => DailyKind::Services,
        "orders" => DailyKind::Orders,
        "special" => DailyKind::Special,
        _ => bail!("daily record \"{text}\" must be services, orders or special"),
    })
}

fn handover(text: &str) -> anyhow::Result<HandoverKind> {
    Ok(match text {
        "care_points" => HandoverKind::CarePoints,
        "medication" => HandoverKind::Medication,
        "rehabilitation" => HandoverKind::Rehabilitation,
        _ => bail!("handover \"{text}\" must be care_points, medication or rehabilitation"),
    })
}

pub(crate) fn run(s: &mut Session, command: EpisodeCommand) -> anyhow::Result<()> {
    let (id, step) = match command {
        EpisodeCommand::List { json } => return list(s, json),
        EpisodeCommand::Show { id, json } => return show(s, &id, json),
        EpisodeCommand::Admit { id } => (id, EpisodeStep::Admit(now_ms())),
        EpisodeCommand::Discharge { id } => (id, EpisodeStep::Discharge(now_ms())),
        EpisodeCommand::Notice { id, which } => (id, EpisodeStep::Notice(notice(&which)?)),
        EpisodeCommand::Ack { id, signature, attest } => {
            let step = match (signature, attest) {
                (Some(sig), None) => EpisodeStep::Acknowledge {
                    method: AckMethod::Signature,
                    signature: Some(sig.parse::<BlobHash>()?),
                    attestation: None,
                },
                (None, Some(text)) if !text.trim().is_empty() => EpisodeStep::Acknowledge {
                    method: AckMethod::AttestedTick,
                    signature: None,
                    attestation: Some(text),
                },
                _ => bail!("give either --signature ID or --attest TEXT"),
            };
            (id, step)
        }
        EpisodeCommand::Daily { id, which, text, day } => {
            (id, EpisodeStep::Daily { day, which: daily(&which)?, text })
        }
        EpisodeCommand::Handover { id, which, text, to } => {
            (id, EpisodeStep::Handover { which: handover(&which)?, text, to })
        }
        EpisodeCommand::ClockIn { id } => (id, EpisodeStep::ClockIn),
        EpisodeCommand::ClockOut { id, shift } => (id, EpisodeStep::ClockOut(shift.parse()?)),
    };
    let episode: EpisodeId = id.parse()?;
    let prov = s.prov();
    if let Some(rid) = field::record_step(&mut s.store, episode, step, &prov)? {
        outln!("{rid}");
    }
    Ok(())
}

fn list(s: &Session, json: bool) -> anyhow::Result<()> {
    let today = peihu_shared::time::day_key(now_ms());
    let mut rows = Vec::new();
    for (id, d) in s.store.docs() {
        let DocId::Episode(eid) = id else { continue };
        let Ok(e) = doc::hydrate_episode(d) else { continue };
        let steps = e.nine_steps(&today);
        rows.push(serde_json::json!({
            "episode": eid, "beneficiary": e.beneficiary, "hospital": e.hospital.v,
            "ward": e.ward.v, "bed": e.bed.v, "steps_done": steps.done(), "complete": steps.complete(),
        }));
    }
    if json {
        return print_json(&rows);
    }
    for r in rows {
        outln!(
            "{}  {} {} bed {}  {}/9",
            r["episode"],
            r["hospital"],
            r["ward"],
            r["bed"],
            r["steps_done"]
        );
    }
    Ok(())
}

fn show(s: &Session, id: &str, json: bool) -> anyhow::Result<()> {
    let eid: EpisodeId = id.parse()?;
    let d = s
        .store
        .doc(&DocId::Episode(eid))
        .with_context(|| format!("episode {eid} is not on this device"))?;
    let e = doc::hydrate_episode(d)?;
    let steps = e.nine_steps(&peihu_shared::time::day_key(now_ms()));
    if json {
        return print_json(&serde_json::json!({
            "episode": e, "nine_steps": steps, "complete": steps.complete(),
            "service_minutes": e.service_minutes(now_ms()),
        }));
    }
    for step in &steps.steps {
        let mark = if step.done_at.is_some() { "done" } else { "MISSING" };
        outln!("{:<26} {mark}", step.code);
    }
    outln!("clarity card acknowledged: {}", if steps.acknowledged { "yes" } else { "NO" });
    for day in &steps.days_missing_records {
        outln!("day {day} lacks one of the three daily records");
    }
    outln!("complete: {}", if steps.complete() { "yes" } else { "no" });
    Ok(())
}
