//! Division codes: malformed ones refused by the parser, unknown and abolished ones by the
//! registry, with the successor named.

use peihu_shared::ids::{PlaceCheckError, PlaceCode, PlaceCodeError, PlaceLevel, PlaceRegistry};

#[test]
fn the_built_in_registry_lists_yantai_its_13_county_level_units_and_their_towns() {
    let registry = PlaceRegistry::yantai();
    let count = |level| registry.places().filter(|p| p.level() == level).count();
    assert_eq!(count(PlaceLevel::City), 1);
    assert_eq!(count(PlaceLevel::County), 13);
    assert_eq!(count(PlaceLevel::Town), 159);

    let zhifu = registry.check_text("370602").expect("芝罘区 exists");
    assert_eq!(zhifu.name, "芝罘区");
    assert_eq!(zhifu.parent, Some("370600".parse().unwrap()));
    assert_eq!(registry.check_text("370614").expect("蓬莱区 exists").name, "蓬莱区");
}

#[test]
fn every_listed_town_lies_in_a_listed_county_of_yantai() {
    let registry = PlaceRegistry::yantai();
    let yantai: PlaceCode = "370600".parse().unwrap();
    for place in registry.places().filter(|p| p.level() == PlaceLevel::Town) {
        let county = place.parent.expect("a town has a county");
        assert!(registry.get(&county).is_some(), "{}", place.code);
        assert!(yantai.contains(&place.code), "{}", place.code);
    }
}

#[test]
fn a_village_is_accepted_through_its_listed_town() {
    let registry = PlaceRegistry::yantai();
    let town = registry.check_text("370602001201").expect("a village of 向阳街道");
    assert_eq!(town.code.to_string(), "370602001");
    assert_eq!(town.name, "向阳街道");
}

#[test]
fn penglai_city_abolished_in_2020_is_refused_naming_penglai_district() {
    let err = PlaceRegistry::yantai().check_text("370684").unwrap_err();
    assert_eq!(
        err.to_string(),
        "division code 370684 (蓬莱市) was abolished in 2020: use 370614 (蓬莱区) instead"
    );
}

#[test]
fn changdao_county_abolished_in_2020_is_refused_naming_penglai_district() {
    let err = PlaceRegistry::yantai().check_text("370634").unwrap_err();
    assert_eq!(
        err,
        PlaceCheckError::Retired {
            code: "370634".into(),
            name: "长岛县".into(),
            year: 2020,
            successor: "370614".into(),
            successor_name: "蓬莱区".into(),
        }
    );
    assert_eq!(
        err.to_string(),
        "division code 370634 (长岛县) was abolished in 2020: use 370614 (蓬莱区) instead"
    );
}

#[test]
fn a_village_of_an_abolished_county_is_refused_naming_the_successor() {
    let err = PlaceRegistry::yantai().check_text("370634100201").unwrap_err();
    assert_eq!(
        err.to_string(),
        "division code 370634100201 lies in 370634 (长岛县), which was abolished in 2020: use a \
         code under 370614 (蓬莱区) instead"
    );
}

#[test]
fn a_well_formed_code_of_no_division_is_refused_as_unknown() {
    let registry = PlaceRegistry::yantai();
    for code in ["370699", "370602999", "370602999001", "370700", "110105"] {
        let err = registry.check_text(code).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("division code {code} is not in Peihu's division list")
        );
    }
}

#[test]
fn malformed_division_codes_are_refused_with_what_is_wrong() {
    let cases = [
        (
            "37060",
            "division code \"37060\" must have 6 digits (city or county), 9 (town) or 12 (village)",
        ),
        (
            "3706021",
            "division code \"3706021\" must have 6 digits (city or county), 9 (town) or 12 (village)",
        ),
        ("37060A", "division code \"37060A\" may hold only digits"),
        (" 370602", "division code \" 370602\" may hold only digits"),
        (
            "370602000",
            "division code \"370602000\" is malformed: the town part (digits 7-9) cannot be 000",
        ),
        (
            "370602000201",
            "division code \"370602000201\" is malformed: the town part (digits 7-9) cannot be 000",
        ),
        (
            "370602001000",
            "division code \"370602001000\" is malformed: the village part (digits 10-12) cannot be 000",
        ),
        (
            "000602",
            "division code \"000602\" is malformed: the province part (first two digits) cannot be 00",
        ),
    ];
    let registry = PlaceRegistry::yantai();
    for (text, message) in cases {
        let parsed = text.parse::<PlaceCode>().unwrap_err();
        assert_eq!(parsed.to_string(), message, "{text:?}");
        let checked = registry.check_text(text).unwrap_err();
        assert_eq!(checked, PlaceCheckError::Malformed(parsed), "{text:?}");
        assert_eq!(checked.to_string(), message, "{text:?}");
    }
}

#[test]
fn a_code_of_the_wrong_level_is_refused_naming_both_levels() {
    let err = PlaceCode::parse_at("370602001", PlaceLevel::Village).unwrap_err();
    assert_eq!(
        err,
        PlaceCodeError::WrongLevel {
            code: "370602001".into(),
            expected: PlaceLevel::Village,
            found: PlaceLevel::Town,
        }
    );
    assert_eq!(
        err.to_string(),
        "division code 370602001 is a town code, but a village code is needed here"
    );
}

#[test]
fn a_registry_whose_successor_is_not_listed_is_refused_with_the_line() {
    let divisions = "code,name,level,parent\n370600,烟台市,city,\n370602,芝罘区,county,370600\n";
    let retired = "# a comment\ncode,name,successor,year\n370684,蓬莱市,370614,2020\n";
    let err = PlaceRegistry::parse(divisions, retired).unwrap_err();
    assert_eq!(err.to_string(), "retired line 3: successor 370614 is not a listed division");
}

#[test]
fn a_division_table_with_a_town_under_the_wrong_county_is_refused_with_the_line() {
    let divisions = "code,name,level,parent\n370600,烟台市,city,\n370602,芝罘区,county,370600\n\
                     370611,福山区,county,370600\n370602001,向阳街道,town,370611\n";
    let err = PlaceRegistry::parse(divisions, "code,name,successor,year\n").unwrap_err();
    assert_eq!(err.to_string(), "divisions line 5: 370602001 does not lie in its parent 370611");
}
