//! The programme's rules as pure functions: visit duty, early warnings, input validation.

mod duty;
mod thresholds;
mod validation;

pub use duty::{Duty, DutyStatus, Period, duty_for};
pub use thresholds::{Severity, Thresholds, ThresholdsError, VitalWarning};
pub use validation::{Check, VitalInput, VitalsError, validate_vitals};
