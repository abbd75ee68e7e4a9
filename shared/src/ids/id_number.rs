//! Resident identity card numbers (居民身份证号码), GB 11643-1999.

use std::fmt;
use std::str::FromStr;

/// An 18-character citizen ID number whose check character has been verified.
///
/// Its `Debug` form is redacted: the number identifies a vulnerable person and must never reach
/// a log line by accident.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdNumber(String);

/// Why an ID number was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    /// Not 18 characters.
    #[error("ID number must have 18 characters, got {0}")]
    Length(usize),
    /// Something other than 17 digits followed by a digit or X.
    #[error("ID number must be 17 digits followed by a digit or X")]
    Characters,
    /// The 18th character does not match the GB 11643 check computed from the first 17.
    #[error(
        "ID number check character is wrong: expected {expected}, found {found} (a digit was probably mistyped)"
    )]
    CheckDigit {
        /// The check character the first 17 digits call for.
        expected: char,
        /// The check character given.
        found: char,
    },
}

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

impl IdNumber {
    /// The check character GB 11643 assigns to 17 leading digits.
    pub fn check_char(first17: &[u8; 17]) -> char {
        let sum: u32 = first17.iter().zip(WEIGHTS).map(|(d, w)| u32::from(*d) * w).sum();
        CHECK_CHARS[(sum % 11) as usize]
    }

    /// The birth date written in digits 7-14, as (year, month, day).
    pub fn birth_date(&self) -> (i32, u32, u32) {
        let d = &self.0;
        (
            d[6..10].parse().unwrap_or(0),
            d[10..12].parse().unwrap_or(0),
            d[12..14].parse().unwrap_or(0),
        )
    }

    /// The number as written, for forms that must show it in full.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The number with all but the first 6 and last 4 characters hidden, for lists and
    /// public disclosure.
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.0[..6], &self.0[14..])
    }
}

impl FromStr for IdNumber {
    type Err = IdNumberError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim().to_ascii_uppercase();
        let chars: Vec<char> = text.chars().collect();
        if chars.len() != 18 {
            return Err(IdNumberError::Length(chars.len()));
        }
        let mut first17 = [0u8; 17];
        for (slot, c) in first17.iter_mut().zip(&chars) {
            *slot = c.to_digit(10).ok_or(IdNumberError::Characters)? as u8;
        }
        let found = chars[17];
        if !(found.is_ascii_digit() || found == 'X') {
            return Err(IdNumberError::Characters);
        }
        let expected = Self::check_char(&first17);
        if expected != found {
            return Err(IdNumberError::CheckDigit { expected, found });
        }
        Ok(IdNumber(text))
    }
}

impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("IdNumber(<redacted>)")
    }
}

impl autosurgeon::Reconcile for IdNumber {
    type Key<'a> = autosurgeon::reconcile::NoKey;

    fn reconcile<R: autosurgeon::Reconciler>(&self, r: R) -> Result<(), R::Error> {
        self.0.reconcile(r)
    }
}

impl autosurgeon::Hydrate for IdNumber {
    fn hydrate_string(s: &'_ str) -> Result<Self, autosurgeon::HydrateError> {
        s.parse().map_err(|e: IdNumberError| {
            autosurgeon::HydrateError::unexpected("ID number", e.to_string())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // 11010519491231002X is the worked example printed in GB 11643-1999.
    #[test]
    fn the_standards_worked_example_is_accepted() {
        let id: IdNumber = "11010519491231002X".parse().unwrap();
        assert_eq!(id.birth_date(), (1949, 12, 31));
        assert_eq!(id.masked(), "110105********002X");
    }

    #[test]
    fn a_lowercase_x_is_read_as_uppercase() {
        assert!("11010519491231002x".parse::<IdNumber>().is_ok());
    }

    #[test]
    fn debug_output_hides_the_number() {
        let id: IdNumber = "11010519491231002X".parse().unwrap();
        assert_eq!(format!("{id:?}"), "IdNumber(<redacted>)");
    }
}
