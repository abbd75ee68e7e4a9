//! Integration tests of the shared model, in one binary: documents converge however changes
//! travel, visit duty follows China's calendar, and readings, division codes and ID numbers are
//! refused with messages a person can act on.

#[path = "model/convergence.rs"]
mod convergence;
#[path = "model/duty.rs"]
mod duty;
#[path = "model/places.rs"]
mod places;
#[path = "model/support.rs"]
mod support;
#[path = "model/thresholds.rs"]
mod thresholds;
#[path = "model/validation.rs"]
mod validation;
