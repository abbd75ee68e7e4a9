//! Readings as typed: the impossible is refused with the bound named, the likely unit mistake is
//! pointed out, the implausible is accepted with a request to measure again.

use peihu_shared::ids::{IdNumber, IdNumberError};
use peihu_shared::model::{BloodPressure, TempSite, Temperature};
use peihu_shared::rules::{Check, Thresholds, VitalInput, validate_vitals};

fn refusals(input: &VitalInput) -> Vec<Check> {
    match validate_vitals(input, &Thresholds::default()) {
        Ok(accepted) => panic!("expected a refusal, got {accepted:?}"),
        Err(e) => e.refusals,
    }
}

/// The one refusal the input gives, as (field, English message, Chinese message).
fn refusal(input: &VitalInput) -> (&'static str, String, String) {
    let mut all = refusals(input);
    assert_eq!(all.len(), 1, "one refusal expected: {all:?}");
    let c = all.remove(0);
    (c.field, c.message_en, c.message_zh)
}

fn bp(sys: f64, dia: f64) -> VitalInput {
    VitalInput { sys: Some(sys), dia: Some(dia), ..VitalInput::default() }
}

#[test]
fn each_reading_beyond_its_possible_range_is_refused_with_the_bound_named() {
    let cases = [
        (
            bp(251.0, 80.0),
            "sys",
            "systolic pressure 251 is outside the possible range 1-250 mmHg",
            "收缩压（高压）",
        ),
        (
            bp(0.0, 80.0),
            "sys",
            "systolic pressure 0 is outside the possible range 1-250 mmHg",
            "收缩压（高压）",
        ),
        (
            bp(120.0, 151.0),
            "dia",
            "diastolic pressure 151 is outside the possible range 1-150 mmHg",
            "舒张压（低压）",
        ),
        (
            VitalInput { pulse: Some(231.0), ..VitalInput::default() },
            "pulse",
            "heart rate 231 is outside the possible range 1-230 次/分",
            "心率",
        ),
        (
            VitalInput { temp: Some(24.9), ..VitalInput::default() },
            "temp",
            "temperature 24.9 is outside the possible range 25-43 °C",
            "体温",
        ),
        (
            VitalInput { temp: Some(43.5), ..VitalInput::default() },
            "temp",
            "temperature 43.5 is outside the possible range 25-43 °C",
            "体温",
        ),
        (
            VitalInput { spo2: Some(101.0), ..VitalInput::default() },
            "spo2",
            "SpO2 101 is outside the possible range 1-100 %",
            "血氧饱和度",
        ),
        (
            VitalInput { glucose: Some(0.5), ..VitalInput::default() },
            "glucose",
            "blood glucose 0.5 is outside the possible range 0.6-55.5 mmol/L",
            "血糖",
        ),
        (
            VitalInput { weight: Some(251.0), ..VitalInput::default() },
            "weight",
            "weight 251 is outside the possible range 1-250 kg",
            "体重",
        ),
    ];
    for (input, field, en, zh_name) in cases {
        let (got_field, got_en, got_zh) = refusal(&input);
        assert_eq!(got_field, field);
        assert_eq!(got_en, en);
        assert!(got_zh.starts_with(zh_name), "{got_zh} names {zh_name}");
    }
}

/// Input with one reading typed and nothing else.
fn only(field: &str, value: f64) -> VitalInput {
    let mut input = VitalInput::default();
    let slot = match field {
        "pulse" => &mut input.pulse,
        "temp" => &mut input.temp,
        "glucose" => &mut input.glucose,
        "spo2" => &mut input.spo2,
        _ => &mut input.weight,
    };
    *slot = Some(value);
    input
}

#[test]
fn the_other_bounds_are_refused_with_the_bound_named_too() {
    let cases = [
        (bp(120.0, 0.0), "diastolic pressure 0 is outside the possible range 1-150 mmHg"),
        (only("pulse", 0.0), "heart rate 0 is outside the possible range 1-230 次/分"),
        (only("spo2", 0.0), "SpO2 0 is outside the possible range 1-100 %"),
        (only("weight", 0.5), "weight 0.5 is outside the possible range 1-250 kg"),
        (
            only("glucose", 60.0),
            "blood glucose 60 is outside the possible range 0.6-55.5 mmol/L: this looks like \
             mg/dL (3.3 mmol/L); enter mmol/L",
        ),
    ];
    for (input, en) in cases {
        assert_eq!(refusal(&input).1, en);
    }
}

#[test]
fn the_chinese_refusal_names_the_field_the_value_and_the_range() {
    let (_, _, zh) = refusal(&bp(251.0, 80.0));
    assert_eq!(zh, "收缩压（高压） 251 超出可能范围（1–250 mmHg）");
}

#[test]
fn fahrenheit_typed_into_the_celsius_field_is_refused_with_the_celsius_value() {
    let (field, en, zh) = refusal(&VitalInput { temp: Some(98.6), ..VitalInput::default() });
    assert_eq!(field, "temp");
    assert_eq!(
        en,
        "temperature 98.6 is outside the possible range 25-43 °C: this looks like Fahrenheit \
         (37 °C); enter Celsius or switch the unit to °F"
    );
    assert!(zh.contains("华氏度") && zh.contains("37 °C"), "{zh}");
}

#[test]
fn fahrenheit_entered_with_the_unit_switch_is_stored_as_celsius() {
    let input = VitalInput {
        temp: Some(98.6),
        temp_fahrenheit: true,
        temp_site: Some(TempSite::Oral),
        ..VitalInput::default()
    };
    let (vitals, checks) = validate_vitals(&input, &Thresholds::default()).expect("accepted");
    assert_eq!(vitals.temp, Some(Temperature { dc: 370, site: TempSite::Oral }));
    assert!(checks.is_empty(), "{checks:?}");
}

#[test]
fn an_impossible_fahrenheit_reading_is_not_told_it_looks_like_fahrenheit() {
    let input = VitalInput { temp: Some(200.0), temp_fahrenheit: true, ..VitalInput::default() };
    let (_, en, zh) = refusal(&input);
    assert_eq!(en, "temperature 93.3 is outside the possible range 25-43 °C");
    assert!(!zh.contains("华氏度"), "{zh}");
}

#[test]
fn glucose_126_is_refused_as_probably_mg_per_decilitre() {
    let (field, en, zh) = refusal(&VitalInput { glucose: Some(126.0), ..VitalInput::default() });
    assert_eq!(field, "glucose");
    assert_eq!(
        en,
        "blood glucose 126 is outside the possible range 0.6-55.5 mmol/L: this looks like mg/dL \
         (7 mmol/L); enter mmol/L"
    );
    assert!(zh.starts_with("血糖") && zh.contains("mg/dL"), "{zh}");
}

#[test]
fn systolic_not_above_diastolic_is_refused_as_probably_swapped() {
    for (sys, dia, en) in [
        (
            80.0,
            120.0,
            "systolic pressure 80 must be above diastolic pressure 120 (were they swapped?)",
        ),
        (
            90.0,
            90.0,
            "systolic pressure 90 must be above diastolic pressure 90 (were they swapped?)",
        ),
    ] {
        let (field, got_en, zh) = refusal(&bp(sys, dia));
        assert_eq!(field, "sys");
        assert_eq!(got_en, en);
        assert!(zh.contains("收缩压（高压）") && zh.contains("舒张压（低压）"), "{zh}");
    }
}

#[test]
fn half_a_blood_pressure_is_refused_naming_the_missing_number() {
    let (field, en, _) = refusal(&VitalInput { sys: Some(130.0), ..VitalInput::default() });
    assert_eq!(field, "dia");
    assert_eq!(en, "blood pressure needs both numbers: diastolic pressure is missing");
}

#[test]
fn an_implausible_but_possible_reading_is_accepted_with_a_request_to_measure_again() {
    let (vitals, checks) = validate_vitals(&bp(65.0, 40.0), &Thresholds::default()).expect("ok");
    assert_eq!(vitals.bp, Some(BloodPressure { sys: 65, dia: 40 }));
    assert_eq!(checks.len(), 1, "{checks:?}");
    assert_eq!(checks[0].field, "sys");
    assert_eq!(
        checks[0].message_en,
        "systolic pressure 65 is unusual (usually 70-250 mmHg): please measure again to confirm"
    );
    assert!(checks[0].message_zh.starts_with("收缩压（高压） 65"), "{}", checks[0].message_zh);
}

#[test]
fn a_reading_that_is_not_a_number_is_refused() {
    let (_, en, zh) = refusal(&VitalInput { spo2: Some(f64::NAN), ..VitalInput::default() });
    assert_eq!(en, "SpO2 is not a number");
    assert_eq!(zh, "血氧饱和度不是一个数字");
}

#[test]
fn every_refused_field_is_reported_at_once() {
    let input = VitalInput {
        sys: Some(300.0),
        dia: Some(80.0),
        pulse: Some(0.0),
        glucose: Some(126.0),
        ..VitalInput::default()
    };
    let fields: Vec<&str> = refusals(&input).iter().map(|c| c.field).collect();
    assert_eq!(fields, ["sys", "pulse", "glucose"]);
}

#[test]
fn the_standards_example_id_number_passes_and_a_changed_check_character_is_refused() {
    assert!("11010519491231002X".parse::<IdNumber>().is_ok());

    let err = "110105194912310021".parse::<IdNumber>().unwrap_err();
    assert_eq!(err, IdNumberError::CheckDigit { expected: 'X', found: '1' });
    assert_eq!(
        err.to_string(),
        "ID number check character is wrong: expected X, found 1 (a digit was probably mistyped)"
    );
}

#[test]
fn id_numbers_of_the_wrong_shape_are_refused_with_what_is_wrong() {
    let short = "1101051949123100".parse::<IdNumber>().unwrap_err();
    assert_eq!(short.to_string(), "ID number must have 18 characters, got 16");
    let letters = "11010519491231A02X".parse::<IdNumber>().unwrap_err();
    assert_eq!(letters.to_string(), "ID number must be 17 digits followed by a digit or X");
}
