//! Reusable pieces, one component per file.

pub mod clarity_card;
pub mod nine_steps;
pub mod signature_pad;
pub mod text_step;
pub mod top_bar;
pub mod vital_field;
