//! Early warnings from vital signs, driven by configuration rather than code.
//!
//! The defaults live in `assets/vital_thresholds.toml` (each rule with its published source) and
//! are compiled in so a fresh device has them; a deployment can load its own file instead.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::model::{GlucoseTiming, TempSite, Vitals};

const DEFAULT_TOML: &str = include_str!("../../../assets/vital_thresholds.toml");

/// How urgently a warning needs acting on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Act today.
    High,
    /// Act now.
    Urgent,
}

impl Severity {
    /// `high` or `urgent`.
    pub fn code(self) -> &'static str {
        match self {
            Severity::High => "high",
            Severity::Urgent => "urgent",
        }
    }
}

/// One warning rule.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WarningRule {
    /// Which reading: `sys`, `dia`, `pulse`, `temp`, `temp_<site>`, `glucose`,
    /// `glucose_<timing>`, `spo2`.
    pub measure: String,
    /// Fires when the reading is at or above this.
    pub at_or_above: Option<f64>,
    /// Fires when the reading is below this.
    pub below: Option<f64>,
    /// How urgent.
    pub severity: Severity,
    /// What the supervisor reads.
    pub label: String,
    /// Where the figure comes from.
    pub source: String,
}

/// Impossible and implausible limits for one measure.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bound {
    /// Below this the value is impossible.
    pub min: f64,
    /// Above this the value is impossible.
    pub max: f64,
    /// Below this the value is accepted with a request to re-measure.
    pub plausible_min: f64,
    /// Above this the value is accepted with a request to re-measure.
    pub plausible_max: f64,
    /// Unit shown to people.
    pub unit: String,
    /// Where the figures come from.
    pub source: String,
}

/// The whole configuration: warning rules and input bounds.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    /// Warning rules, in file order.
    #[serde(rename = "warning")]
    pub warnings: Vec<WarningRule>,
    /// Input bounds by measure: `sys`, `dia`, `pulse`, `temp`, `spo2`, `glucose`, `weight`.
    pub bounds: BTreeMap<String, Bound>,
}

/// Why a thresholds file was refused.
#[derive(Debug, thiserror::Error)]
pub enum ThresholdsError {
    /// Not valid TOML of the expected shape.
    #[error("thresholds file is not valid: {0}")]
    Parse(#[from] toml::de::Error),
    /// A bound every form needs is missing.
    #[error("thresholds file has no [bounds.{0}] section")]
    MissingBound(&'static str),
    /// A rule names a measure Peihu does not record.
    #[error("warning rule \"{label}\" names an unknown measure \"{measure}\"")]
    UnknownMeasure {
        /// The rule's label.
        label: String,
        /// The measure it names.
        measure: String,
    },
    /// A rule with neither limit would never fire.
    #[error("warning rule \"{0}\" has neither at_or_above nor below")]
    NoLimit(String),
}

const MEASURES: [&str; 13] = [
    "sys",
    "dia",
    "pulse",
    "temp",
    "temp_axillary",
    "temp_oral",
    "temp_ear",
    "temp_rectal",
    "spo2",
    "glucose",
    "glucose_fasting",
    "glucose_random",
    "glucose_after_meal",
];

/// An early warning raised by a reading.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct VitalWarning {
    /// The measure, as named in the rules.
    pub measure: String,
    /// The rule's label.
    pub label: String,
    /// How urgent.
    pub severity: Severity,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds::parse(DEFAULT_TOML).expect("the built-in thresholds file is valid")
    }
}

impl Thresholds {
    /// Reads a thresholds file and checks it is complete.
    pub fn parse(text: &str) -> Result<Self, ThresholdsError> {
        let parsed: Thresholds = toml::from_str(text)?;
        for needed in ["sys", "dia", "pulse", "temp", "spo2", "glucose", "weight"] {
            if !parsed.bounds.contains_key(needed) {
                return Err(ThresholdsError::MissingBound(needed));
            }
        }
        for rule in &parsed.warnings {
            if !MEASURES.contains(&rule.measure.as_str()) {
                return Err(ThresholdsError::UnknownMeasure {
                    label: rule.label.clone(),
                    measure: rule.measure.clone(),
                });
            }
            if rule.at_or_above.is_none() && rule.below.is_none() {
                return Err(ThresholdsError::NoLimit(rule.label.clone()));
            }
        }
        Ok(parsed)
    }

    /// The input bound for a measure.
    pub fn bound(&self, measure: &str) -> &Bound {
        &self.bounds[measure]
    }

    /// Every warning the readings raise. Where several rules fire on one measure in the same
    /// direction (grade 2 and grade 3; or systolic and diastolic both high), only the most severe
    /// is kept, the first in file order among equals, so a supervisor sees one warning per
    /// problem.
    pub fn evaluate(&self, vitals: &Vitals) -> Vec<VitalWarning> {
        let readings = readings_of(vitals);
        let mut fired: Vec<(&WarningRule, &'static str)> = Vec::new();
        for rule in &self.warnings {
            for (names, family, value) in &readings {
                if names.contains(&rule.measure.as_str()) && fires(rule, *value) {
                    fired.push((rule, family));
                }
            }
        }
        let mut out: Vec<VitalWarning> = Vec::new();
        let mut kept: Vec<(&WarningRule, &'static str)> = Vec::new();
        for (rule, family) in &fired {
            let worse_in_family = fired.iter().any(|(other, f)| {
                f == family && other.severity > rule.severity && same_direction(rule, other)
            });
            let already = kept.iter().any(|(other, f)| f == family && same_direction(rule, other));
            if !worse_in_family && !already {
                kept.push((rule, family));
                out.push(VitalWarning {
                    measure: family.to_string(),
                    label: rule.label.clone(),
                    severity: rule.severity,
                });
            }
        }
        out
    }
}

fn fires(rule: &WarningRule, value: f64) -> bool {
    rule.at_or_above.is_some_and(|a| value >= a - 1e-9)
        || rule.below.is_some_and(|b| value < b - 1e-9)
}

fn same_direction(a: &WarningRule, b: &WarningRule) -> bool {
    a.at_or_above.is_some() == b.at_or_above.is_some()
}

/// Each reading with the rule names that apply to it and the family it is reported under.
fn readings_of(v: &Vitals) -> Vec<(Vec<&'static str>, &'static str, f64)> {
    let mut out = Vec::new();
    if let Some(bp) = v.bp {
        out.push((vec!["sys"], "bp", f64::from(bp.sys)));
        out.push((vec!["dia"], "bp", f64::from(bp.dia)));
    }
    if let Some(p) = v.pulse {
        out.push((vec!["pulse"], "pulse", f64::from(p)));
    }
    if let Some(t) = v.temp {
        let site = match t.site {
            TempSite::Axillary => "temp_axillary",
            TempSite::Oral => "temp_oral",
            TempSite::Ear => "temp_ear",
            TempSite::Rectal => "temp_rectal",
        };
        out.push((vec!["temp", site], "temp", t.celsius()));
    }
    if let Some(s) = v.spo2 {
        out.push((vec!["spo2"], "spo2", f64::from(s)));
    }
    if let Some(g) = v.glucose {
        let timing = match g.timing {
            GlucoseTiming::Fasting => "glucose_fasting",
            GlucoseTiming::Random => "glucose_random",
            GlucoseTiming::AfterMeal2h => "glucose_after_meal",
        };
        out.push((vec!["glucose", timing], "glucose", g.mmol()));
    }
    out
}
