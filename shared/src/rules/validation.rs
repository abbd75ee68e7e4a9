//! Checking readings as they are typed: refuse the impossible, question the implausible.
//!
//! Every problem names the field and the bound, in Chinese for the form and in English for logs
//! and tests. Refusals carry a hint where the likely mistake is known: 98.6 in a Celsius field is
//! a Fahrenheit reading, 126 in a mmol/L field is mg/dL.

use super::Thresholds;
use crate::model::{
    BloodPressure, Glucose, GlucoseSample, GlucoseTiming, TempSite, Temperature, Vitals,
};

/// Readings as typed, before checking. Decimal values are as entered.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VitalInput {
    /// Systolic, mmHg.
    pub sys: Option<f64>,
    /// Diastolic, mmHg.
    pub dia: Option<f64>,
    /// Heart rate, /min.
    pub pulse: Option<f64>,
    /// Temperature as typed.
    pub temp: Option<f64>,
    /// Whether the temperature was typed in Fahrenheit on purpose (the form's °F switch).
    pub temp_fahrenheit: bool,
    /// Where the temperature was taken.
    pub temp_site: Option<TempSite>,
    /// Glucose, mmol/L.
    pub glucose: Option<f64>,
    /// Fasting, random or after a meal.
    pub glucose_timing: Option<GlucoseTiming>,
    /// Capillary or venous.
    pub glucose_sample: Option<GlucoseSample>,
    /// SpO2, %.
    pub spo2: Option<f64>,
    /// Weight, kg.
    pub weight: Option<f64>,
}

/// One problem with one field.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Check {
    /// The field's stable code: `sys`, `dia`, `pulse`, `temp`, `glucose`, `spo2`, `weight`.
    pub field: &'static str,
    /// For the form, in Chinese.
    pub message_zh: String,
    /// In English.
    pub message_en: String,
}

/// The readings were refused; each entry names a field and why.
#[derive(Debug, Clone, PartialEq, thiserror::Error, serde::Serialize)]
#[error("{}", .refusals.iter().map(|c| c.message_en.as_str()).collect::<Vec<_>>().join("; "))]
pub struct VitalsError {
    /// Every refused field.
    pub refusals: Vec<Check>,
}

fn label(field: &str) -> (&'static str, &'static str) {
    match field {
        "sys" => ("收缩压（高压）", "systolic pressure"),
        "dia" => ("舒张压（低压）", "diastolic pressure"),
        "pulse" => ("心率", "heart rate"),
        "temp" => ("体温", "temperature"),
        "glucose" => ("血糖", "blood glucose"),
        "spo2" => ("血氧饱和度", "SpO2"),
        _ => ("体重", "weight"),
    }
}

fn num(v: f64) -> String {
    let s = format!("{v:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// Checks readings against the configured bounds. On success returns the readings in stored
/// form with any warnings (accepted, but worth a second look); on failure every refusal.
pub fn validate_vitals(
    input: &VitalInput,
    thresholds: &Thresholds,
) -> Result<(Vitals, Vec<Check>), VitalsError> {
    let mut refusals = Vec::new();
    let mut warnings = Vec::new();
    // `hint` is off where the likely mistake is already ruled out: a temperature typed with the
    // form's °F switch on must not be told that it looks like Fahrenheit.
    let mut check = |field: &'static str, value: f64, hint: bool| -> Option<f64> {
        match range_check(field, value, thresholds, hint) {
            Outcome::Ok => Some(value),
            Outcome::Warn(c) => {
                warnings.push(c);
                Some(value)
            }
            Outcome::Refuse(c) => {
                refusals.push(c);
                None
            }
        }
    };

    let sys = input.sys.and_then(|v| check("sys", v, true));
    let dia = input.dia.and_then(|v| check("dia", v, true));
    let pulse = input.pulse.and_then(|v| check("pulse", v, true));
    let spo2 = input.spo2.and_then(|v| check("spo2", v, true));
    let weight = input.weight.and_then(|v| check("weight", v, true));
    let temp_c = input.temp.map(|v| if input.temp_fahrenheit { (v - 32.0) / 1.8 } else { v });
    let temp = temp_c.and_then(|v| check("temp", v, !input.temp_fahrenheit));
    let glucose = input.glucose.and_then(|v| check("glucose", v, true));

    let bp = blood_pressure(input, sys, dia, &mut refusals);
    if !refusals.is_empty() {
        return Err(VitalsError { refusals });
    }
    let vitals = Vitals {
        bp,
        pulse: pulse.map(|p| p.round() as u16),
        temp: temp.map(|t| Temperature {
            dc: (t * 10.0).round() as i16,
            site: input.temp_site.unwrap_or(TempSite::Axillary),
        }),
        glucose: glucose.map(|g| Glucose {
            dmmol: (g * 10.0).round() as u16,
            timing: input.glucose_timing.unwrap_or(GlucoseTiming::Random),
            sample: input.glucose_sample.unwrap_or(GlucoseSample::Capillary),
        }),
        spo2: spo2.map(|s| s.round() as u8),
        weight_dg: weight.map(|w| (w * 10.0).round() as u16),
    };
    Ok((vitals, warnings))
}

fn blood_pressure(
    input: &VitalInput,
    sys: Option<f64>,
    dia: Option<f64>,
    refusals: &mut Vec<Check>,
) -> Option<BloodPressure> {
    match (sys, dia) {
        (Some(s), Some(d)) if s <= d => {
            refusals.push(Check {
                field: "sys",
                message_zh: format!(
                    "收缩压（高压）{} 必须高于舒张压（低压）{}，请检查是否填反",
                    num(s),
                    num(d)
                ),
                message_en: format!(
                    "systolic pressure {} must be above diastolic pressure {} (were they swapped?)",
                    num(s),
                    num(d)
                ),
            });
            None
        }
        (Some(s), Some(d)) => Some(BloodPressure { sys: s.round() as u16, dia: d.round() as u16 }),
        (None, None) => None,
        _ if input.sys.is_some() != input.dia.is_some() => {
            let missing = if input.sys.is_none() { "sys" } else { "dia" };
            let (zh, en) = label(missing);
            refusals.push(Check {
                field: missing,
                message_zh: format!("血压要同时填写高压和低压：缺少{zh}"),
                message_en: format!("blood pressure needs both numbers: {en} is missing"),
            });
            None
        }
        // One side was refused already; its refusal says why.
        _ => None,
    }
}

enum Outcome {
    Ok,
    Warn(Check),
    Refuse(Check),
}

fn range_check(field: &'static str, value: f64, thresholds: &Thresholds, hint: bool) -> Outcome {
    let bound = thresholds.bound(field);
    let (zh, en) = label(field);
    let unit = &bound.unit;
    if !value.is_finite() {
        return Outcome::Refuse(Check {
            field,
            message_zh: format!("{zh}不是一个数字"),
            message_en: format!("{en} is not a number"),
        });
    }
    if value < bound.min || value > bound.max {
        let (hint_zh, hint_en) =
            if hint { refusal_hint(field, value) } else { (String::new(), String::new()) };
        return Outcome::Refuse(Check {
            field,
            message_zh: format!(
                "{zh} {} 超出可能范围（{}–{} {unit}）{hint_zh}",
                num(value),
                num(bound.min),
                num(bound.max)
            ),
            message_en: format!(
                "{en} {} is outside the possible range {}-{} {unit}{hint_en}",
                num(value),
                num(bound.min),
                num(bound.max)
            ),
        });
    }
    if value < bound.plausible_min || value > bound.plausible_max {
        return Outcome::Warn(Check {
            field,
            message_zh: format!(
                "{zh} {} 不太常见（通常在 {}–{} {unit}），请再测一次确认",
                num(value),
                num(bound.plausible_min),
                num(bound.plausible_max)
            ),
            message_en: format!(
                "{en} {} is unusual (usually {}-{} {unit}): please measure again to confirm",
                num(value),
                num(bound.plausible_min),
                num(bound.plausible_max)
            ),
        });
    }
    Outcome::Ok
}

fn refusal_hint(field: &str, value: f64) -> (String, String) {
    match field {
        "temp" if (93.0..=113.0).contains(&value) => {
            let c = num((value - 32.0) / 1.8);
            (
                format!("；这像是华氏度，约合 {c} °C，请改填摄氏度或切换到 °F"),
                format!(
                    ": this looks like Fahrenheit ({c} °C); enter Celsius or switch the unit to °F"
                ),
            )
        }
        "glucose" if (55.5..=1000.0).contains(&value) => {
            let mmol = num(value / 18.0);
            (
                format!("；这像是 mg/dL 单位，约合 {mmol} mmol/L，请按 mmol/L 填写"),
                format!(": this looks like mg/dL ({mmol} mmol/L); enter mmol/L"),
            )
        }
        _ => (String::new(), String::new()),
    }
}
