//! Vital-sign readings as taken at a home visit or a bedside.
//!
//! Decimal readings are kept as integers in tenths (36.8 °C is 368) so that saved documents stay
//! small and equal readings compare equal.

use autosurgeon::{Hydrate, Reconcile};

/// A set of readings from one visit. Every reading is optional: a helper records what they
/// could measure.
#[derive(Debug, Clone, Default, PartialEq, Eq, Reconcile, Hydrate, serde::Serialize)]
pub struct Vitals {
    /// Blood pressure.
    pub bp: Option<BloodPressure>,
    /// Heart rate, beats per minute.
    pub pulse: Option<u16>,
    /// Body temperature.
    pub temp: Option<Temperature>,
    /// Blood glucose.
    pub glucose: Option<Glucose>,
    /// Oxygen saturation, percent.
    pub spo2: Option<u8>,
    /// Body weight in tenths of a kilogram.
    pub weight_dg: Option<u16>,
}

impl Vitals {
    /// Whether nothing was measured.
    pub fn is_empty(&self) -> bool {
        *self == Vitals::default()
    }

    /// Weight in kilograms.
    pub fn weight_kg(&self) -> Option<f64> {
        self.weight_dg.map(|w| f64::from(w) / 10.0)
    }
}

/// Systolic over diastolic, mmHg.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Reconcile, Hydrate, serde::Serialize)]
pub struct BloodPressure {
    /// Systolic pressure (高压), mmHg.
    pub sys: u16,
    /// Diastolic pressure (低压), mmHg.
    pub dia: u16,
}

/// Where a temperature was taken: the site changes what counts as a fever.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Reconcile, Hydrate, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TempSite {
    /// Under the arm (腋温), the usual site at home in China.
    Axillary,
    /// In the mouth (口温).
    Oral,
    /// In the ear (耳温).
    Ear,
    /// Rectal (肛温).
    Rectal,
}

/// A body temperature with its site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Reconcile, Hydrate, serde::Serialize)]
pub struct Temperature {
    /// Degrees Celsius in tenths: 368 is 36.8 °C.
    pub dc: i16,
    /// Where it was taken.
    pub site: TempSite,
}

impl Temperature {
    /// Degrees Celsius.
    pub fn celsius(&self) -> f64 {
        f64::from(self.dc) / 10.0
    }
}

/// When the glucose sample was taken relative to meals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Reconcile, Hydrate, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GlucoseTiming {
    /// At least eight hours without food (空腹).
    Fasting,
    /// Any time (随机).
    Random,
    /// Two hours after a meal (餐后2小时).
    AfterMeal2h,
}

/// What was sampled: home meters read capillary blood, guidelines are written for venous plasma.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Reconcile, Hydrate, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GlucoseSample {
    /// Finger-prick meter reading (指尖血).
    Capillary,
    /// Laboratory venous plasma (静脉血).
    Venous,
}

/// A blood glucose reading in mmol/L.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Reconcile, Hydrate, serde::Serialize)]
pub struct Glucose {
    /// mmol/L in tenths: 61 is 6.1 mmol/L.
    pub dmmol: u16,
    /// Fasting, random or after a meal.
    pub timing: GlucoseTiming,
    /// Capillary or venous.
    pub sample: GlucoseSample,
}

impl Glucose {
    /// mmol/L.
    pub fn mmol(&self) -> f64 {
        f64::from(self.dmmol) / 10.0
    }
}
