//! Administrative division codes (行政区划代码), the tree that scopes every read and write.

use std::fmt;
use std::str::FromStr;

/// The level of a division in the tree Peihu uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PlaceLevel {
    /// A prefecture-level city (地级市), e.g. Yantai 370600.
    City,
    /// A district or county-level city (区/县/县级市), e.g. 370602.
    County,
    /// A town or street office (镇/乡/街道), 9 digits.
    Town,
    /// A village or residents' committee (村/居委会), 12 digits.
    Village,
}

impl PlaceLevel {
    /// How many leading digits of the 12-digit form are significant at this level.
    pub const fn significant_digits(self) -> usize {
        match self {
            PlaceLevel::City => 4,
            PlaceLevel::County => 6,
            PlaceLevel::Town => 9,
            PlaceLevel::Village => 12,
        }
    }

    /// The level's name as the UI shows it in Chinese.
    pub const fn name_zh(self) -> &'static str {
        match self {
            PlaceLevel::City => "市",
            PlaceLevel::County => "县（市、区）",
            PlaceLevel::Town => "乡镇（街道）",
            PlaceLevel::Village => "村（居）",
        }
    }
}

impl fmt::Display for PlaceLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PlaceLevel::City => "city",
            PlaceLevel::County => "county",
            PlaceLevel::Town => "town",
            PlaceLevel::Village => "village",
        })
    }
}

/// A division code at city, county, town or village level.
///
/// Written the way the statistics bureau writes them: 6 digits for a city or county, 9 for a
/// town, 12 for a village. Internally the 12-digit zero-padded form is kept so that "is this
/// place inside that one" is a prefix test.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PlaceCode {
    digits: [u8; 12],
    level: PlaceLevel,
}

/// Why a division code was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlaceCodeError {
    /// The code held something other than ASCII digits.
    #[error("division code \"{0}\" may hold only digits")]
    NotDigits(String),
    /// The code had a length no division level uses.
    #[error("division code \"{0}\" must have 6 digits (city or county), 9 (town) or 12 (village)")]
    Length(String),
    /// The code's digits do not form a code of any level (e.g. a zero province).
    #[error("division code \"{0}\" is malformed: {1}")]
    Malformed(String, &'static str),
    /// The code is well formed but of another level than the one asked for.
    #[error("division code {code} is a {found} code, but a {expected} code is needed here")]
    WrongLevel {
        /// The code as given.
        code: String,
        /// The level the caller needed.
        expected: PlaceLevel,
        /// The level the code has.
        found: PlaceLevel,
    },
}

impl PlaceCode {
    /// Reads a code and insists on one level.
    pub fn parse_at(text: &str, expected: PlaceLevel) -> Result<Self, PlaceCodeError> {
        let code: PlaceCode = text.parse()?;
        if code.level != expected {
            return Err(PlaceCodeError::WrongLevel {
                code: text.to_string(),
                expected,
                found: code.level,
            });
        }
        Ok(code)
    }

    /// The level of this division.
    pub fn level(&self) -> PlaceLevel {
        self.level
    }

    /// The zero-padded 12-digit form, as used in statistical tables.
    pub fn code12(&self) -> String {
        self.digits.iter().map(|d| char::from(b'0' + d)).collect()
    }

    /// The significant prefix: "3706" for Yantai, "370602001" for a town.
    pub fn prefix(&self) -> String {
        self.code12()[..self.level.significant_digits()].to_string()
    }

    /// Whether `other` is this place or lies inside it.
    pub fn contains(&self, other: &PlaceCode) -> bool {
        let n = self.level.significant_digits();
        self.level <= other.level && self.digits[..n] == other.digits[..n]
    }

    /// The division this one belongs to, if any is kept in Peihu's tree.
    pub fn parent(&self) -> Option<PlaceCode> {
        let level = match self.level {
            PlaceLevel::City => return None,
            PlaceLevel::County => PlaceLevel::City,
            PlaceLevel::Town => PlaceLevel::County,
            PlaceLevel::Village => PlaceLevel::Town,
        };
        let mut digits = self.digits;
        digits[level.significant_digits()..].fill(0);
        Some(PlaceCode { digits, level })
    }
}

impl FromStr for PlaceCode {
    type Err = PlaceCodeError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if !text.bytes().all(|b| b.is_ascii_digit()) || text.is_empty() {
            return Err(PlaceCodeError::NotDigits(text.to_string()));
        }
        let mut digits = [0u8; 12];
        for (slot, b) in digits.iter_mut().zip(text.bytes()) {
            *slot = b - b'0';
        }
        let malformed = |why| Err(PlaceCodeError::Malformed(text.to_string(), why));
        if digits[..2] == [0, 0] {
            return malformed("the province part (first two digits) cannot be 00");
        }
        if digits[2..4] == [0, 0] {
            return malformed("the city part (digits 3-4) cannot be 00");
        }
        let level = match text.len() {
            6 if digits[4..6] == [0, 0] => PlaceLevel::City,
            6 => PlaceLevel::County,
            9 | 12 if digits[4..6] == [0, 0] => {
                return malformed("a town or village must lie in a county (digits 5-6 are 00)");
            }
            9 if digits[6..9] == [0, 0, 0] => {
                return malformed("the town part (digits 7-9) cannot be 000");
            }
            9 => PlaceLevel::Town,
            12 if digits[6..9] == [0, 0, 0] => {
                return malformed("the town part (digits 7-9) cannot be 000");
            }
            12 if digits[9..12] == [0, 0, 0] => {
                return malformed("the village part (digits 10-12) cannot be 000");
            }
            12 => PlaceLevel::Village,
            _ => return Err(PlaceCodeError::Length(text.to_string())),
        };
        Ok(PlaceCode { digits, level })
    }
}

impl fmt::Display for PlaceCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let len = match self.level {
            PlaceLevel::City | PlaceLevel::County => 6,
            PlaceLevel::Town => 9,
            PlaceLevel::Village => 12,
        };
        f.write_str(&self.code12()[..len])
    }
}

impl fmt::Debug for PlaceCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PlaceCode({self})")
    }
}

impl serde::Serialize for PlaceCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for PlaceCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl autosurgeon::Reconcile for PlaceCode {
    type Key<'a> = autosurgeon::reconcile::NoKey;

    fn reconcile<R: autosurgeon::Reconciler>(&self, r: R) -> Result<(), R::Error> {
        self.to_string().reconcile(r)
    }
}

impl autosurgeon::Hydrate for PlaceCode {
    fn hydrate_string(s: &'_ str) -> Result<Self, autosurgeon::HydrateError> {
        s.parse().map_err(|e: PlaceCodeError| {
            autosurgeon::HydrateError::unexpected("division code", e.to_string())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_of_each_level_parse_and_print_back() {
        for (text, level) in [
            ("370600", PlaceLevel::City),
            ("370602", PlaceLevel::County),
            ("370602001", PlaceLevel::Town),
            ("370602001201", PlaceLevel::Village),
        ] {
            let code: PlaceCode = text.parse().unwrap();
            assert_eq!(code.level(), level);
            assert_eq!(code.to_string(), text);
        }
    }

    #[test]
    fn a_village_lies_inside_its_town_county_and_city_but_not_a_neighbour() {
        let village: PlaceCode = "370602001201".parse().unwrap();
        for outer in ["370600", "370602", "370602001", "370602001201"] {
            assert!(outer.parse::<PlaceCode>().unwrap().contains(&village), "{outer}");
        }
        for other in ["370611", "370602002", "370602001202"] {
            assert!(!other.parse::<PlaceCode>().unwrap().contains(&village), "{other}");
        }
        assert!(!village.contains(&"370602".parse().unwrap()));
    }

    #[test]
    fn parents_climb_the_tree() {
        let village: PlaceCode = "370602001201".parse().unwrap();
        let chain: Vec<String> = std::iter::successors(Some(village), PlaceCode::parent)
            .map(|p| p.to_string())
            .collect();
        assert_eq!(chain, ["370602001201", "370602001", "370602", "370600"]);
    }
}
