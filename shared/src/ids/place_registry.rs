//! Which division codes exist today, and which were abolished and by what they were replaced.
//!
//! [`PlaceCode`] only checks that a code is well formed. Before a beneficiary is filed under a
//! code, the code must also name a division that exists: a typo can produce a well-formed code of
//! no place at all, and an old paper record can carry a code abolished by a boundary change (the
//! 2020 merger of 蓬莱市 and 长岛县 into 蓬莱区 retired 370684 and 370634). The registry is read
//! from two small CSV tables, the built-in ones being `assets/places/yantai_divisions.csv` and
//! `assets/places/retired.csv`.
//!
//! Villages are not listed: the statistics bureau renumbers them often and the programme adds its
//! own. A village code is accepted when its town is, and the town's entry is returned for it.

use std::collections::BTreeMap;

use super::{PlaceCode, PlaceCodeError, PlaceLevel};

const YANTAI_DIVISIONS: &str = include_str!("../../../assets/places/yantai_divisions.csv");
const YANTAI_RETIRED: &str = include_str!("../../../assets/places/retired.csv");

/// A division that exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// Its code.
    pub code: PlaceCode,
    /// Its official name, e.g. 芝罘区.
    pub name: String,
    /// The division it lies in; `None` for the top of the list.
    pub parent: Option<PlaceCode>,
}

impl Place {
    /// City, county or town.
    pub fn level(&self) -> PlaceLevel {
        self.code.level()
    }
}

/// A division abolished by a boundary change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetiredPlace {
    /// The abolished code.
    pub code: PlaceCode,
    /// The abolished division's name.
    pub name: String,
    /// The division that took its place.
    pub successor: PlaceCode,
    /// The year of the change.
    pub year: u16,
}

/// Why a division code was refused by the registry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlaceCheckError {
    /// The text is not a well-formed code at all.
    #[error(transparent)]
    Malformed(#[from] PlaceCodeError),
    /// The code is well formed but names no division in the list (probably mistyped).
    #[error("division code {code} is not in Peihu's division list")]
    Unknown {
        /// The code as checked.
        code: String,
    },
    /// The code itself was abolished.
    #[error(
        "division code {code} ({name}) was abolished in {year}: use {successor} ({successor_name}) instead"
    )]
    Retired {
        /// The abolished code.
        code: String,
        /// The abolished division's name.
        name: String,
        /// The year of the change.
        year: u16,
        /// The code that replaced it.
        successor: String,
        /// The successor's name.
        successor_name: String,
    },
    /// The code lies inside an abolished division (a town or village of it).
    #[error(
        "division code {code} lies in {retired} ({name}), which was abolished in {year}: use a code under {successor} ({successor_name}) instead"
    )]
    InRetired {
        /// The code as checked.
        code: String,
        /// The abolished division it lies in.
        retired: String,
        /// The abolished division's name.
        name: String,
        /// The year of the change.
        year: u16,
        /// The code that replaced the abolished division.
        successor: String,
        /// The successor's name.
        successor_name: String,
    },
}

/// Why a division table could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{table} line {line}: {reason}")]
pub struct PlaceTableError {
    /// `divisions` or `retired`.
    pub table: &'static str,
    /// The 1-based line number in the table's text.
    pub line: usize,
    /// What is wrong with the line.
    pub reason: String,
}

/// The divisions that exist and the codes retired from use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceRegistry {
    places: BTreeMap<PlaceCode, Place>,
    retired: BTreeMap<PlaceCode, RetiredPlace>,
}

impl PlaceRegistry {
    /// The built-in registry: Yantai's divisions (statistics bureau, 2023) and its retired codes.
    pub fn yantai() -> Self {
        PlaceRegistry::parse(YANTAI_DIVISIONS, YANTAI_RETIRED)
            .expect("the built-in division tables are valid")
    }

    /// Reads a division table (`code,name,level,parent`) and a table of retired codes
    /// (`code,name,successor,year`). Lines starting with `#` are comments; the first other line
    /// must be the header.
    pub fn parse(divisions: &str, retired: &str) -> Result<Self, PlaceTableError> {
        let mut places = BTreeMap::new();
        for (line, fields) in rows(divisions, "divisions", "code,name,level,parent")? {
            let err = |reason: String| PlaceTableError { table: "divisions", line, reason };
            let place = division_row(&fields).map_err(err)?;
            if let Some(parent) = place.parent
                && !places.contains_key(&parent)
            {
                return Err(err(format!("parent {parent} is not listed above this line")));
            }
            if places.insert(place.code, place).is_some() {
                return Err(err("the code is listed twice".into()));
            }
        }
        let mut registry = PlaceRegistry { places, retired: BTreeMap::new() };
        for (line, fields) in rows(retired, "retired", "code,name,successor,year")? {
            let err = |reason: String| PlaceTableError { table: "retired", line, reason };
            let old = retired_row(&fields).map_err(err)?;
            if !registry.places.contains_key(&old.successor) {
                return Err(err(format!("successor {} is not a listed division", old.successor)));
            }
            if registry.places.contains_key(&old.code) {
                return Err(err(format!("{} is listed as a current division too", old.code)));
            }
            registry.retired.insert(old.code, old);
        }
        Ok(registry)
    }

    /// The listed division with this code, if any.
    pub fn get(&self, code: &PlaceCode) -> Option<&Place> {
        self.places.get(code)
    }

    /// The retired division with this code, if it is one.
    pub fn retired(&self, code: &PlaceCode) -> Option<&RetiredPlace> {
        self.retired.get(code)
    }

    /// Every listed division, in code order.
    pub fn places(&self) -> impl Iterator<Item = &Place> {
        self.places.values()
    }

    /// Reads and checks a code typed or imported as text.
    pub fn check_text(&self, text: &str) -> Result<&Place, PlaceCheckError> {
        self.check(&text.parse()?)
    }

    /// Checks that `code` names a division that exists today. Refuses a retired code, or a code
    /// inside a retired division, naming the successor; refuses a code that is not listed. For a
    /// village, its town must be listed, and the town is returned.
    pub fn check(&self, code: &PlaceCode) -> Result<&Place, PlaceCheckError> {
        if let Some(old) = self.retired.get(code) {
            return Err(PlaceCheckError::Retired {
                code: code.to_string(),
                name: old.name.clone(),
                year: old.year,
                successor: old.successor.to_string(),
                successor_name: self.name_of(&old.successor),
            });
        }
        let ancestors = std::iter::successors(code.parent(), PlaceCode::parent);
        if let Some(old) = ancestors.filter_map(|a| self.retired.get(&a)).next() {
            return Err(PlaceCheckError::InRetired {
                code: code.to_string(),
                retired: old.code.to_string(),
                name: old.name.clone(),
                year: old.year,
                successor: old.successor.to_string(),
                successor_name: self.name_of(&old.successor),
            });
        }
        let listed = match code.level() {
            PlaceLevel::Village => code.parent().and_then(|town| self.places.get(&town)),
            _ => self.places.get(code),
        };
        listed.ok_or_else(|| PlaceCheckError::Unknown { code: code.to_string() })
    }

    fn name_of(&self, code: &PlaceCode) -> String {
        self.places.get(code).map(|p| p.name.clone()).unwrap_or_default()
    }
}

/// The data lines of a table with their 1-based line numbers, after checking the header.
fn rows<'a>(
    text: &'a str,
    table: &'static str,
    header: &str,
) -> Result<Vec<(usize, Vec<&'a str>)>, PlaceTableError> {
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'));
    match lines.next() {
        Some((_, first)) if first == header => {}
        Some((line, _)) => {
            return Err(PlaceTableError {
                table,
                line,
                reason: format!("header must be {header}"),
            });
        }
        None => {
            return Err(PlaceTableError { table, line: 1, reason: "the table is empty".into() });
        }
    }
    let width = header.split(',').count();
    lines
        .map(|(line, l)| {
            let fields: Vec<&str> = l.split(',').map(str::trim).collect();
            if fields.len() == width {
                Ok((line, fields))
            } else {
                let reason = format!("expected {width} fields, found {}", fields.len());
                Err(PlaceTableError { table, line, reason })
            }
        })
        .collect()
}

fn division_row(fields: &[&str]) -> Result<Place, String> {
    let [code, name, level, parent] = fields else {
        return Err("wrong number of fields".into());
    };
    let code: PlaceCode = code.parse().map_err(|e: PlaceCodeError| e.to_string())?;
    if code.level().to_string() != *level {
        return Err(format!(
            "{code} is a {} code, but the level column says {level}",
            code.level()
        ));
    }
    if name.is_empty() {
        return Err(format!("{code} has no name"));
    }
    let parent = match *parent {
        "" => None,
        text => Some(text.parse::<PlaceCode>().map_err(|e| e.to_string())?),
    };
    if let Some(p) = parent
        && Some(p) != code.parent()
    {
        return Err(format!("{code} does not lie in its parent {p}"));
    }
    Ok(Place { code, name: (*name).to_string(), parent })
}

fn retired_row(fields: &[&str]) -> Result<RetiredPlace, String> {
    let [code, name, successor, year] = fields else {
        return Err("wrong number of fields".into());
    };
    Ok(RetiredPlace {
        code: code.parse().map_err(|e: PlaceCodeError| e.to_string())?,
        name: (*name).to_string(),
        successor: successor.parse().map_err(|e: PlaceCodeError| e.to_string())?,
        year: year.parse().map_err(|_| format!("year \"{year}\" is not a year"))?,
    })
}
