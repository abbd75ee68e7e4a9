//! Early-warning thresholds come from configuration, and a problem raises one warning.

use peihu_shared::model::{BloodPressure, Vitals};
use peihu_shared::rules::{Severity, Thresholds, VitalWarning};

const DEFAULT_FILE: &str = include_str!("../../../assets/vital_thresholds.toml");

fn bp(sys: u16, dia: u16) -> Vitals {
    Vitals { bp: Some(BloodPressure { sys, dia }), ..Vitals::default() }
}

fn labels(warnings: &[VitalWarning]) -> Vec<&str> {
    warnings.iter().map(|w| w.label.as_str()).collect()
}

#[test]
fn the_default_thresholds_file_parses_with_every_bound() {
    let parsed = Thresholds::parse(DEFAULT_FILE).expect("the shipped file is valid");
    assert_eq!(parsed, Thresholds::default());
    for measure in ["sys", "dia", "pulse", "temp", "spo2", "glucose", "weight"] {
        assert!(parsed.bounds.contains_key(measure), "{measure}");
    }
    assert!(parsed.warnings.iter().all(|w| !w.source.is_empty()), "every rule names a source");
}

#[test]
fn a_configured_130_80_threshold_warns_where_the_default_does_not() {
    let reading = bp(135, 85);
    assert!(Thresholds::default().evaluate(&reading).is_empty());

    let stricter = format!(
        "{DEFAULT_FILE}\n[[warning]]\nmeasure = \"sys\"\nat_or_above = 130\nseverity = \"high\"\n\
         label = \"高血压（≥130/80）\"\nsource = \"2022 practice guideline\"\n\n[[warning]]\n\
         measure = \"dia\"\nat_or_above = 80\nseverity = \"high\"\nlabel = \"高血压（≥130/80）\"\n\
         source = \"2022 practice guideline\"\n"
    );
    let configured = Thresholds::parse(&stricter).expect("the changed file is valid");
    let warnings = configured.evaluate(&reading);
    assert_eq!(labels(&warnings), ["高血压（≥130/80）"]);
    assert_eq!(warnings[0].severity, Severity::High);
    assert_eq!(warnings[0].measure, "bp");
}

#[test]
fn grade_3_blood_pressure_raises_one_urgent_warning_and_not_grade_2_as_well() {
    let thresholds = Thresholds::default();

    let warnings = thresholds.evaluate(&bp(182, 104));
    assert_eq!(labels(&warnings), ["3级高血压（收缩压≥180）"]);
    assert_eq!(warnings[0].severity, Severity::Urgent);

    let diastolic = thresholds.evaluate(&bp(165, 112));
    assert_eq!(labels(&diastolic), ["3级高血压（舒张压≥110）"]);
}

#[test]
fn grade_3_in_both_numbers_is_still_one_warning() {
    let warnings = Thresholds::default().evaluate(&bp(190, 115));
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0].severity, Severity::Urgent);
}

#[test]
fn grade_2_in_both_numbers_is_one_warning() {
    let warnings = Thresholds::default().evaluate(&bp(165, 102));
    assert_eq!(labels(&warnings), ["2级高血压（收缩压≥160）"]);
    assert_eq!(warnings[0].severity, Severity::High);
}

#[test]
fn a_rule_naming_an_unknown_measure_is_refused_by_name() {
    let text = format!(
        "{DEFAULT_FILE}\n[[warning]]\nmeasure = \"bmi\"\nat_or_above = 28\nseverity = \"high\"\n\
         label = \"肥胖\"\nsource = \"x\"\n"
    );
    let err = Thresholds::parse(&text).unwrap_err();
    assert_eq!(err.to_string(), "warning rule \"肥胖\" names an unknown measure \"bmi\"");
}

#[test]
fn a_file_without_the_weight_bounds_is_refused() {
    let start = DEFAULT_FILE.find("[bounds.weight]").expect("the default has weight bounds");
    let err = Thresholds::parse(&DEFAULT_FILE[..start]).unwrap_err();
    assert_eq!(err.to_string(), "thresholds file has no [bounds.weight] section");
}
