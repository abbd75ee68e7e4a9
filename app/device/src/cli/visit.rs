//! `peihu-field visit …`

use anyhow::{Context, bail};
use clap::Subcommand;
use peihu_device::field::{self, FieldError, VisitForm};
use peihu_shared::ids::{BeneficiaryId, BlobHash};
use peihu_shared::model::{CheckIn, GlucoseSample, GlucoseTiming, LocationSource, TempSite};
use peihu_shared::rules::{Thresholds, VitalInput};

use super::{Session, now_ms, print_json};

#[derive(Subcommand)]
pub(crate) enum VisitCommand {
    /// Record a signed-off home visit; prints the new visit's id.
    Record(RecordArgs),
}

#[derive(clap::Args)]
pub(crate) struct RecordArgs {
    /// Beneficiary id.
    #[arg(long)]
    beneficiary: String,
    /// Blood pressure as systolic/diastolic, e.g. 150/95.
    #[arg(long, allow_hyphen_values = true)]
    bp: Option<String>,
    /// Heart rate per minute.
    #[arg(long, allow_negative_numbers = true)]
    pulse: Option<f64>,
    /// Temperature in °C; append F for Fahrenheit (98.6F).
    #[arg(long, allow_hyphen_values = true)]
    temp: Option<String>,
    /// Where the temperature was taken: axillary, oral, ear, rectal.
    #[arg(long, default_value = "axillary")]
    temp_site: String,
    /// Blood glucose in mmol/L.
    #[arg(long, allow_negative_numbers = true)]
    glucose: Option<f64>,
    /// fasting, random or after_meal.
    #[arg(long, default_value = "random")]
    glucose_timing: String,
    /// capillary or venous.
    #[arg(long, default_value = "capillary")]
    glucose_sample: String,
    /// SpO2 in %.
    #[arg(long, allow_negative_numbers = true)]
    spo2: Option<f64>,
    /// Weight in kg.
    #[arg(long, allow_negative_numbers = true)]
    weight: Option<f64>,
    /// Observations.
    #[arg(long, default_value = "")]
    notes: String,
    /// Health-education topic codes, comma-separated.
    #[arg(long, value_delimiter = ',')]
    education: Vec<String>,
    /// Escalate to a supervisor with this reason (raises an early warning).
    #[arg(long)]
    escalate: Option<String>,
    /// Check-in latitude (typed in: a desktop has no GPS).
    #[arg(long, requires = "lon", allow_negative_numbers = true)]
    lat: Option<f64>,
    /// Check-in longitude.
    #[arg(long, requires = "lat", allow_negative_numbers = true)]
    lon: Option<f64>,
    /// Photo ids (from `photo add`) to attach.
    #[arg(long)]
    photo: Vec<String>,
    /// How long the visit lasted, in minutes (arrival is that long before now).
    #[arg(long, default_value_t = 20, allow_negative_numbers = true)]
    minutes: i64,
    /// Print JSON (id, checks, warnings).
    #[arg(long)]
    json: bool,
}

fn parse_bp(text: &str) -> anyhow::Result<(f64, f64)> {
    let (s, d) = text
        .split_once('/')
        .with_context(|| format!("blood pressure \"{text}\" must look like 150/95"))?;
    Ok((
        s.trim().parse().context("systolic is not a number")?,
        d.trim().parse().context("diastolic is not a number")?,
    ))
}

fn parse_temp(text: &str) -> anyhow::Result<(f64, bool)> {
    let t = text.trim();
    let (num, fahrenheit) = match t.strip_suffix(['F', 'f']) {
        Some(n) => (n, true),
        None => (t.strip_suffix(['C', 'c']).unwrap_or(t), false),
    };
    Ok((
        num.trim().parse().with_context(|| format!("temperature \"{text}\" is not a number"))?,
        fahrenheit,
    ))
}

fn vital_input(a: &RecordArgs) -> anyhow::Result<VitalInput> {
    let (sys, dia) = match &a.bp {
        Some(bp) => {
            let (s, d) = parse_bp(bp)?;
            (Some(s), Some(d))
        }
        None => (None, None),
    };
    let (temp, temp_fahrenheit) = match &a.temp {
        Some(t) => {
            let (v, f) = parse_temp(t)?;
            (Some(v), f)
        }
        None => (None, false),
    };
    let temp_site = match a.temp_site.as_str() {
        "axillary" => TempSite::Axillary,
        "oral" => TempSite::Oral,
        "ear" => TempSite::Ear,
        "rectal" => TempSite::Rectal,
        other => bail!("temperature site \"{other}\" must be axillary, oral, ear or rectal"),
    };
    let glucose_timing = match a.glucose_timing.as_str() {
        "fasting" => GlucoseTiming::Fasting,
        "random" => GlucoseTiming::Random,
        "after_meal" => GlucoseTiming::AfterMeal2h,
        other => bail!("glucose timing \"{other}\" must be fasting, random or after_meal"),
    };
    let glucose_sample = match a.glucose_sample.as_str() {
        "capillary" => GlucoseSample::Capillary,
        "venous" => GlucoseSample::Venous,
        other => bail!("glucose sample \"{other}\" must be capillary or venous"),
    };
    Ok(VitalInput {
        sys,
        dia,
        pulse: a.pulse,
        temp,
        temp_fahrenheit,
        temp_site: Some(temp_site),
        glucose: a.glucose,
        glucose_timing: Some(glucose_timing),
        glucose_sample: Some(glucose_sample),
        spo2: a.spo2,
        weight: a.weight,
    })
}

fn checkin(a: &RecordArgs) -> anyhow::Result<CheckIn> {
    let (Some(lat), Some(lon)) = (a.lat, a.lon) else { return Ok(CheckIn::unavailable()) };
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
        bail!(
            "check-in location {lat},{lon} is not a place on Earth (latitude -90..90, longitude -180..180)"
        );
    }
    Ok(CheckIn {
        source: LocationSource::Manual,
        lat_u: Some((lat * 1e6).round() as i32),
        lon_u: Some((lon * 1e6).round() as i32),
        accuracy_m: None,
    })
}

pub(crate) fn run(s: &mut Session, command: VisitCommand) -> anyhow::Result<()> {
    let VisitCommand::Record(a) = command;
    if a.minutes < 0 {
        bail!("--minutes {} cannot be negative: it is how long the visit lasted", a.minutes);
    }
    let beneficiary: BeneficiaryId = a.beneficiary.parse()?;
    let photos = a.photo.iter().map(|p| p.parse::<BlobHash>()).collect::<Result<Vec<_>, _>>()?;
    let now = now_ms();
    let form = VisitForm {
        arrived: now.saturating_sub(a.minutes.saturating_mul(60_000)),
        departed: now,
        checkin: Some(checkin(&a)?),
        vitals: vital_input(&a)?,
        notes: a.notes.clone(),
        education: a.education.clone(),
        photos,
        escalation: a.escalate.clone(),
    };
    let prov = s.prov();
    let saved = match field::record_visit(
        &mut s.store,
        beneficiary,
        &form,
        &prov,
        &Thresholds::default(),
    ) {
        Ok(saved) => saved,
        Err(FieldError::Vitals(e)) => {
            let lines: Vec<&str> = e.refusals.iter().map(|c| c.message_en.as_str()).collect();
            bail!("the visit was not saved: {}", lines.join("; "));
        }
        Err(e) => return Err(e.into()),
    };
    if a.json {
        return print_json(&saved);
    }
    for c in &saved.checks {
        eprintln!("peihu-field: note: {}", c.message_en);
    }
    for w in &saved.warnings {
        eprintln!("peihu-field: early warning raised: {w}");
    }
    outln!("{}", saved.id);
    Ok(())
}
