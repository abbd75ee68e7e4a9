//! The supervisors' console, end to end: in-process through the router (`oneshot`), against a
//! real server with a tablet client syncing, and in a real headless Chromium.

mod console {
    pub mod browser;
    pub mod support;
    pub mod tablet;
}

use std::io::Cursor;

use axum::http::StatusCode;
use calamine::{Reader, Xlsx};
use console::support::{Fixture, START};
use peihu_server::console::export::{LEDGER_HEADERS, OVERDUE_HEADERS};
use peihu_server::console::writes::SERVER_DEVICE;
use peihu_server::storage::Storage;
use peihu_shared::doc::{self, NewEpisode};
use peihu_shared::ids::{BeneficiaryId, DeviceId, DocId, EpisodeId, UserId};
use peihu_shared::model::{Provenance, RiskColour};

const MINUTE: i64 = 60_000;

/// A beneficiary (case) whose village lies outside `prefix`, or inside it with `inside`.
fn beneficiary_where(fx: &Fixture, prefix: &str, inside: bool) -> BeneficiaryId {
    let op = if inside { "=" } else { "<>" };
    let raw = fx.query_string(&format!(
        "SELECT beneficiary FROM docs WHERE kind = 'case'
         AND substr(place, 1, {}) {op} '{prefix}' ORDER BY doc_id LIMIT 1",
        prefix.len()
    ));
    raw.parse().unwrap()
}

fn current_colour(fx: &Fixture, id: BeneficiaryId) -> (RiskColour, String, Provenance) {
    let loaded = fx.state.storage.load_doc(&DocId::Case(id)).unwrap().unwrap();
    let case = doc::hydrate_case(&loaded.doc).unwrap();
    let c = case.current_colour().unwrap();
    (c.colour, c.reason.clone(), c.prov.clone())
}

#[tokio::test]
async fn a_supervisor_signs_in_with_a_strict_httponly_cookie_and_sees_their_division() {
    let fx = Fixture::new();
    let page = fx.try_login("town1", &fx.password("town1")).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let line = page.set_cookie_line("peihu_session").unwrap();
    assert!(line.contains("HttpOnly") && line.contains("SameSite=Strict"), "{line}");
    let cookie = fx.login("town1").await;
    let overview = fx.get("/console/overview", &cookie).await;
    assert_eq!(overview.status, StatusCode::OK);
    assert!(overview.body.contains("走访履职情况"));
    assert!(overview.body.contains(&fx.place_of("town1")));
    assert_eq!(fx.audit_count("console.login"), 2);
}

#[tokio::test]
async fn a_wrong_password_is_refused_and_five_in_a_row_lock_the_login_for_a_while() {
    let fx = Fixture::new();
    for _ in 0..4 {
        let page = fx.try_login("town1", "not-the-password").await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
        assert!(page.body.contains("用户名或密码不正确"));
    }
    let fifth = fx.try_login("town1", "not-the-password").await;
    assert!(fifth.body.contains("已暂时锁定"), "the fifth failure locks");
    let right = fx.try_login("town1", &fx.password("town1")).await;
    assert_eq!(
        right.status,
        StatusCode::UNAUTHORIZED,
        "even the right password is refused while locked"
    );
    assert!(right.cookie("peihu_session").is_none());
    assert_eq!(fx.audit_count("console.login.locked"), 1);
    assert_eq!(fx.audit_count("console.login.refused_locked"), 1);

    fx.advance(16 * MINUTE);
    let later = fx.try_login("town1", &fx.password("town1")).await;
    assert_eq!(later.status, StatusCode::SEE_OTHER, "the lock lifts after fifteen minutes");
}

#[tokio::test]
async fn an_unknown_login_or_a_helper_cannot_sign_in() {
    let fx = Fixture::new();
    assert_eq!(fx.try_login("nobody", "whatever-password").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(fx.try_login("helper1", "whatever-password").await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_session_ends_after_thirty_idle_minutes_and_pages_send_you_to_sign_in() {
    let fx = Fixture::new();
    let cookie = fx.login("county1").await;
    fx.advance(29 * MINUTE);
    assert_eq!(fx.get("/console/overview", &cookie).await.status, StatusCode::OK);
    fx.advance(29 * MINUTE);
    assert_eq!(
        fx.get("/console/overview", &cookie).await.status,
        StatusCode::OK,
        "use keeps it alive"
    );
    fx.advance(31 * MINUTE);
    let page = fx.get("/console/overview", &cookie).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(page.location.unwrap().starts_with("/console/login?next=/console/overview"));
}

#[tokio::test]
async fn pages_without_a_session_redirect_to_the_login() {
    let fx = Fixture::new();
    let page = fx.get("/console/overview", "peihu_session=0000").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_form_without_the_right_csrf_token_is_refused_audited_and_writes_nothing() {
    let fx = Fixture::new();
    let cookie = fx.login("town1").await;
    let id = beneficiary_where(&fx, &fx.place_of("town1"), true);
    let before = current_colour(&fx, id);
    let path = format!("/console/beneficiary/{id}/colour");
    let none = fx.post(&path, &cookie, &[("colour", "red"), ("reason", "试图伪造")]).await;
    assert_eq!(none.status, StatusCode::FORBIDDEN);
    let wrong =
        fx.post(&path, &cookie, &[("csrf", "00ff"), ("colour", "red"), ("reason", "x")]).await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    assert_eq!(current_colour(&fx, id), before);
    assert_eq!(fx.audit_count("console.refused.csrf"), 2);
}

#[tokio::test]
async fn a_login_form_posted_without_its_token_is_refused() {
    let fx = Fixture::new();
    let pw = fx.password("town1");
    let page = fx.post("/console/login", "", &[("login", "town1"), ("password", &pw)]).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.cookie("peihu_session").is_none());
}

#[tokio::test]
async fn a_town_supervisor_typing_another_towns_urls_is_refused_and_audited() {
    let fx = Fixture::new();
    let town = fx.place_of("town1");
    let cookie = fx.login("town1").await;
    let me = fx.user_id("town1");
    let other = beneficiary_where(&fx, &town, false);

    // Another town's record answers exactly as an id that exists nowhere.
    let page = fx.get(&format!("/console/beneficiary/{other}"), &cookie).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let unknown = BeneficiaryId::new_random();
    let nowhere = fx.get(&format!("/console/beneficiary/{unknown}"), &cookie).await;
    assert_eq!(nowhere.status, StatusCode::NOT_FOUND);
    assert_eq!(page.body, nowhere.body, "the two answers must not tell which id exists");
    let csrf = fx.csrf(&cookie).await;
    let post = fx
        .post(
            &format!("/console/beneficiary/{other}/colour"),
            &cookie,
            &[("csrf", &csrf), ("colour", "red"), ("reason", "x")],
        )
        .await;
    assert_eq!(post.status, StatusCode::NOT_FOUND, "writes are refused too");
    let rows = fx.audit_rows("console.refused.out_of_scope");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0], (Some(me.clone()), Some(DocId::Case(other).to_string())));

    let episode = episode_outside(&fx, other);
    let page = fx.get(&format!("/console/episode/{episode}"), &cookie).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert_eq!(
        fx.audit_rows("console.refused.out_of_scope")[2].1,
        Some(DocId::Episode(episode).to_string())
    );

    let far = far_agency(&fx);
    assert_eq!(
        fx.get(&format!("/console/agency/{far}"), &cookie).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        fx.audit_rows("console.refused.out_of_scope.agency"),
        vec![(Some(me.clone()), None)]
    );

    let other_town = fx.query_string(&format!(
        "SELECT substr(place, 1, 9) FROM docs WHERE beneficiary = '{other}' LIMIT 1"
    ));
    for url in [
        format!("/console/export/ledger.xlsx?place={other_town}"),
        format!("/console/export/overdue.csv?place={other_town}"),
        format!("/console/overview?place={other_town}"),
    ] {
        assert_eq!(fx.get(&url, &cookie).await.status, StatusCode::FORBIDDEN, "{url}");
    }
    assert_eq!(fx.audit_count("console.refused.out_of_scope.place"), 3);
    let export = fx.get(&format!("/console/export/ledger.csv?agency={far}"), &cookie).await;
    assert_eq!(export.status, StatusCode::FORBIDDEN);
    assert_eq!(fx.audit_count("console.refused.out_of_scope.agency"), 2);
}

/// Opens an episode for `beneficiary` (outside town1) as the demo's county supervisor would.
fn episode_outside(fx: &Fixture, beneficiary: BeneficiaryId) -> EpisodeId {
    let place =
        fx.query_string(&format!("SELECT place FROM docs WHERE doc_id = 'case:{beneficiary}'"));
    let agency = fx.query_string("SELECT id FROM agencies ORDER BY name LIMIT 1");
    let new = NewEpisode {
        id: EpisodeId::new_random(),
        beneficiary,
        place: place.parse().unwrap(),
        agency: agency.parse().unwrap(),
        escort: None,
        hospital: "另一家医院（虚构）".into(),
        ward: "骨科".into(),
        bed: "3".into(),
        expected_admission: START,
    };
    let by: UserId = fx.user_id("county1").parse().unwrap();
    let prov = Provenance { by, device: DeviceId::new_random(), at: START };
    let mut d = doc::new_episode(&new, &prov).unwrap();
    fx.state.storage.put_new_doc(DocId::Episode(new.id), &mut d, START).unwrap();
    new.id
}

/// An agency whose only escort works in another county.
fn far_agency(fx: &Fixture) -> String {
    let county = fx.place_of("county1");
    let far = fx.query_string(&format!(
        "SELECT code FROM places WHERE level = 'county' AND code <> '{county}' ORDER BY code LIMIT 1"
    ));
    let agency = fx.state.storage.create_agency("远方陪护服务社（虚构）").unwrap();
    fx.state
        .storage
        .create_user(&peihu_server::admin::NewUser {
            login: "far-escort".into(),
            name: "远方陪护员（虚构）".into(),
            role: peihu_server::storage::Role::Escort,
            place: far.parse().unwrap(),
            agency: Some(agency),
            password: None,
        })
        .unwrap();
    agency.to_string()
}

#[tokio::test]
async fn changing_a_colour_writes_a_change_under_the_supervisors_name() {
    let fx = Fixture::new();
    let cookie = fx.login("town1").await;
    let id = beneficiary_where(&fx, &fx.place_of("town1"), true);
    let (before, _, _) = current_colour(&fx, id);
    let target = if before == RiskColour::Red { "blue" } else { "red" };
    let changes_before =
        fx.query_string(&format!("SELECT count(*) FROM doc_changes WHERE doc_id = 'case:{id}'"));
    fx.advance(MINUTE);
    let csrf = fx.csrf(&cookie).await;
    let page = fx
        .post(
            &format!("/console/beneficiary/{id}/colour"),
            &cookie,
            &[("csrf", &csrf), ("colour", target), ("reason", "跌倒后行动不便")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let (colour, reason, prov) = current_colour(&fx, id);
    assert_eq!(colour.code(), target);
    assert_eq!(reason, "跌倒后行动不便");
    assert_eq!(prov.by.to_string(), fx.user_id("town1"));
    assert_eq!(prov.device, SERVER_DEVICE);
    assert_eq!(prov.at, START + MINUTE);
    let changes_after =
        fx.query_string(&format!("SELECT count(*) FROM doc_changes WHERE doc_id = 'case:{id}'"));
    assert_ne!(changes_before, changes_after, "a change record was appended");

    let page = fx.get(&format!("/console/beneficiary/{id}"), &cookie).await;
    assert!(page.body.contains("跌倒后行动不便"), "the history shows the new assessment");
    let empty = fx
        .post(
            &format!("/console/beneficiary/{id}/colour"),
            &cookie,
            &[("csrf", &csrf), ("colour", "red"), ("reason", " ")],
        )
        .await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST, "a reason is required");
}

#[tokio::test]
async fn a_conflict_kept_by_the_crdt_is_shown_and_settled_with_the_chosen_value() {
    let fx = Fixture::new();
    let id = beneficiary_where(&fx, &fx.place_of("town1"), true);
    let storage = &fx.state.storage;
    let mut loaded = storage.load_doc(&DocId::Card(id)).unwrap().unwrap();
    let heads = loaded.doc.get_heads();
    let helper: UserId = fx.user_id("helper1").parse().unwrap();
    let mut a = loaded.doc.fork();
    let mut b = loaded.doc.fork();
    let prov = |at| Provenance { by: helper, device: DeviceId::new_random(), at };
    doc::set_register(
        &mut a,
        &["contact_phone"],
        "13900000001".to_string(),
        &prov(START - 2 * MINUTE),
    )
    .unwrap();
    doc::set_register(&mut b, &["contact_phone"], "13900000002".to_string(), &prov(START - MINUTE))
        .unwrap();
    a.merge(&mut b).unwrap();
    let changes: Vec<Vec<u8>> =
        a.get_changes(&heads).iter().map(|c| c.raw_bytes().to_vec()).collect();
    let header = doc::header(&a).unwrap();
    storage.append_changes(&DocId::Card(id), &mut loaded, &changes, &header, None, START).unwrap();

    let cookie = fx.login("town1").await;
    let page = fx.get(&format!("/console/beneficiary/{id}"), &cookie).await;
    assert!(page.body.contains("13900000001") && page.body.contains("13900000002"));
    let conflict =
        doc::conflicts(&storage.load_doc(&DocId::Card(id)).unwrap().unwrap().doc).remove(0);
    let chosen = &conflict.values[0];
    let csrf = page.csrf().unwrap();
    let at = chosen.set.at.to_string();
    let (by, device) = (chosen.set.by.to_string(), chosen.set.device.to_string());
    let fields = [
        ("csrf", csrf.as_str()),
        ("doc", "card"),
        ("path", "contact_phone"),
        ("set_by", &by),
        ("set_device", &device),
        ("set_at", &at),
    ];
    let res = fx.post(&format!("/console/beneficiary/{id}/settle"), &cookie, &fields).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let after = storage.load_doc(&DocId::Card(id)).unwrap().unwrap();
    assert!(doc::conflicts(&after.doc).is_empty());
    assert_eq!(doc::hydrate_card(&after.doc).unwrap().contact_phone.v, chosen.value);
    let again = fx.post(&format!("/console/beneficiary/{id}/settle"), &cookie, &fields).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "a settled conflict cannot be settled twice");
}

#[tokio::test]
async fn a_phone_call_opens_an_episode_with_its_escort_and_the_overview_shows_it() {
    let fx = Fixture::new();
    let cookie = fx.login("town1").await;
    let id = beneficiary_where(&fx, &fx.place_of("town1"), true);
    let agency = fx.query_string("SELECT agency FROM users WHERE login = 'escort1'");
    let escort = fx.user_id("escort1");
    let csrf = fx.csrf(&cookie).await;
    let fields = [
        ("csrf", csrf.as_str()),
        ("hospital", "烟台市第二医院（虚构）"),
        ("ward", "呼吸科"),
        ("bed", "8"),
        ("expected", "2026-12-04T15:30"),
        ("agency", &agency),
        ("escort", &escort),
    ];
    let res = fx.post(&format!("/console/beneficiary/{id}/episode"), &cookie, &fields).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let href = res.location.unwrap();
    let episode: EpisodeId =
        href.trim_start_matches("/console/episode/").split('?').next().unwrap().parse().unwrap();
    let loaded = fx.state.storage.load_doc(&DocId::Episode(episode)).unwrap().unwrap();
    let e = doc::hydrate_episode(&loaded.doc).unwrap();
    assert_eq!((e.beneficiary, e.escort.v.map(|u| u.to_string())), (id, Some(escort)));
    assert_eq!(e.expected_admission, START + 330 * MINUTE);
    let page = fx.get(&href, &cookie).await;
    assert!(page.body.contains("烟台市第二医院（虚构）") && page.body.contains("告知服务内容"));
    assert!(fx.get("/console/overview", &cookie).await.body.contains("烟台市第二医院（虚构）"));

    let bad = [
        ("csrf", csrf.as_str()),
        ("hospital", "h"),
        ("ward", "w"),
        ("expected", "2026-12-04T15:30"),
        ("agency", &agency),
        ("escort", &fx.user_id("escort2")),
    ];
    let res = fx.post(&format!("/console/beneficiary/{id}/episode"), &cookie, &bad).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "an escort of another agency is refused");
}

fn sheet_rows(bytes: Vec<u8>, name: &str) -> Vec<Vec<String>> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    let range = book.worksheet_range(name).unwrap();
    range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
}

#[tokio::test]
async fn the_ledger_exports_as_xlsx_with_chinese_headers_and_one_row_per_episode() {
    let fx = Fixture::new();
    let cookie = fx.login("county1").await;
    let (status, bytes) = fx.get_bytes("/console/export/ledger.xlsx", &cookie).await;
    assert_eq!(status, StatusCode::OK);
    let rows = sheet_rows(bytes, "监测台账");
    assert_eq!(rows[0], LEDGER_HEADERS.iter().map(|h| h.to_string()).collect::<Vec<_>>());
    assert_eq!(rows.len(), 2, "the demo has one episode");
    assert_eq!(rows[1][4], "烟台市某医院（虚构）");
    assert_eq!(rows[1][6], "陪护员甲（虚构）");
    assert_eq!(rows[1][12], "0", "no step done yet");
    assert_eq!(fx.audit_count("console.export.ledger"), 1);
}

#[tokio::test]
async fn the_overdue_list_exports_as_xlsx_and_as_csv_with_a_byte_order_mark() {
    let fx = Fixture::new();
    let cookie = fx.login("town1").await;
    let (status, bytes) = fx.get_bytes("/console/export/overdue.xlsx", &cookie).await;
    assert_eq!(status, StatusCode::OK);
    let rows = sheet_rows(bytes, "逾期名单");
    assert_eq!(rows[0], OVERDUE_HEADERS.iter().map(|h| h.to_string()).collect::<Vec<_>>());
    let page = fx.get("/console/overdue", &cookie).await;
    assert_eq!(
        page.body.matches("badge s-overdue").count(),
        rows.len() - 1,
        "the page and the file agree"
    );
    assert!(rows.len() > 1, "the demo has overdue beneficiaries");

    let (status, csv) = fx.get_bytes("/console/export/overdue.csv", &cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(&csv[..3], b"\xEF\xBB\xBF");
    assert!(
        String::from_utf8(csv)
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .contains("姓名,所属村（居）,风险等级")
    );
    let (_, ledger_csv) = fx.get_bytes("/console/export/ledger.csv", &cookie).await;
    assert_eq!(&ledger_csv[..3], b"\xEF\xBB\xBF");
}

#[tokio::test]
async fn every_page_renders_in_chinese_and_in_english() {
    let fx = Fixture::new();
    let cookie = fx.login("county1").await;
    let id = beneficiary_where(&fx, &fx.place_of("county1"), true);
    let episode =
        fx.query_string("SELECT substr(doc_id, 9) FROM docs WHERE kind = 'episode' LIMIT 1");
    let agency = fx.query_string("SELECT id FROM agencies ORDER BY name LIMIT 1");
    let pages = [
        "/console/overview".to_string(),
        "/console/overview?period=month".into(),
        "/console/overdue".into(),
        "/console/dispatch".into(),
        "/console/agencies".into(),
        format!("/console/agency/{agency}"),
        "/console/figures?period=range&from=2026-01-01&to=2026-12-31".into(),
        format!("/console/beneficiary/{id}"),
        format!("/console/episode/{episode}"),
    ];
    for path in &pages {
        let zh = fx.get(path, &cookie).await;
        assert_eq!(zh.status, StatusCode::OK, "{path}: {}", zh.body);
        assert!(zh.body.contains("lang=\"zh-CN\""), "{path}");
    }
    let en = fx.get("/console/overview?lang=en", &cookie).await;
    assert!(en.body.contains("Visit duty"));
    let lang_cookie = en.cookie("peihu_lang").unwrap();
    let cookie_en = format!("{cookie}; peihu_lang={lang_cookie}");
    for path in &pages {
        let page = fx.get(path, &cookie_en).await;
        assert!(page.body.contains("lang=\"en\""), "{path}");
        assert!(
            !page.body.contains(">ep.") && !page.body.contains(">col."),
            "{path} has an untranslated key"
        );
    }
}

#[tokio::test]
async fn removal_from_service_suspends_the_agency_and_a_town_may_not_do_it() {
    let fx = Fixture::new();
    let agency = fx.query_string("SELECT agency FROM users WHERE login = 'escort1'");
    let town = fx.login("town1").await;
    let csrf = fx.csrf(&town).await;
    let removal = [
        ("csrf", csrf.as_str()),
        ("step", "removal"),
        ("note", "多次整改不到位"),
        ("confirm", "1"),
    ];
    let res = fx.post(&format!("/console/agency/{agency}/ladder"), &town, &removal).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(fx.audit_count("console.refused.agency_removal"), 1);

    let county = fx.login("county1").await;
    let csrf = fx.csrf(&county).await;
    let rect = [
        ("csrf", csrf.as_str()),
        ("step", "rectification"),
        ("note", "补齐明白卡确认"),
        ("deadline", "2026-12-10"),
    ];
    assert_eq!(
        fx.post(&format!("/console/agency/{agency}/ladder"), &county, &rect).await.status,
        StatusCode::SEE_OTHER
    );
    let step = fx.query_string("SELECT id FROM console_agency_ladder WHERE step = 'rectification'");
    let outcome = [("csrf", csrf.as_str()), ("outcome", "rectified"), ("note", "已补齐")];
    let res = fx
        .post(&format!("/console/agency/{agency}/ladder/{step}/outcome"), &county, &outcome)
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let figures = fx.get("/console/figures", &county).await;
    assert!(figures.body.contains("问题整改完成"));

    let removal = [
        ("csrf", csrf.as_str()),
        ("step", "removal"),
        ("note", "多次整改不到位"),
        ("confirm", "1"),
    ];
    let res = fx.post(&format!("/console/agency/{agency}/ladder"), &county, &removal).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(
        fx.query_string(&format!("SELECT suspended FROM agencies WHERE id = '{agency}'")),
        "1"
    );
    assert_eq!(fx.audit_count("agency.suspended"), 1);
}

#[tokio::test]
async fn a_photo_is_served_to_a_supervisor_of_its_division_and_refused_to_another() {
    use peihu_shared::ids::BlobHash;

    let fx = Fixture::new();
    let town = fx.place_of("town1");
    let store = |id: BeneficiaryId, tag: u8| {
        let bytes: Vec<u8> =
            [0xFF, 0xD8, 0xFF, 0xE0, tag].into_iter().chain(std::iter::repeat_n(tag, 64)).collect();
        let hash = BlobHash::of(&bytes);
        fx.state.blobs.append(&hash, "test", 0, bytes.len() as u64, &mut &bytes[..]).unwrap();
        fx.state.storage.add_blob_ref(&hash, &DocId::Case(id)).unwrap();
        (hash, bytes)
    };
    let (mine, bytes) = store(beneficiary_where(&fx, &town, true), 1);
    let (theirs, _) = store(beneficiary_where(&fx, &town, false), 2);
    let cookie = fx.login("town1").await;
    let (status, body) = fx.get_bytes(&format!("/console/photo/{mine}"), &cookie).await;
    assert_eq!((status, body), (StatusCode::OK, bytes));
    let (status, _) = fx.get_bytes(&format!("/console/photo/{theirs}"), &cookie).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "as if it did not exist");
    assert_eq!(fx.audit_count("console.refused.out_of_scope.photo"), 1);
}

#[tokio::test]
async fn a_helpers_escort_request_waits_on_the_dispatch_page_until_an_episode_answers_it() {
    use peihu_shared::ids::RecordId;
    use peihu_shared::model::EscortRequest;

    let fx = Fixture::new();
    let id = beneficiary_where(&fx, &fx.place_of("town1"), true);
    let storage = &fx.state.storage;
    let mut loaded = storage.load_doc(&DocId::Case(id)).unwrap().unwrap();
    let heads = loaded.doc.get_heads();
    let helper: UserId = fx.user_id("helper1").parse().unwrap();
    let prov = Provenance { by: helper, device: DeviceId::new_random(), at: START - 30 * MINUTE };
    let request = EscortRequest {
        reason: "胸闷加重，需住院".into(),
        hospital: Some("烟台市某医院（虚构）".into()),
        prov: prov.clone(),
    };
    doc::add_record(&mut loaded.doc, "escort_requests", RecordId::new_random(), &request, &prov)
        .unwrap();
    let changes: Vec<Vec<u8>> =
        loaded.doc.get_changes(&heads).iter().map(|c| c.raw_bytes().to_vec()).collect();
    let header = doc::header(&loaded.doc).unwrap();
    storage.append_changes(&DocId::Case(id), &mut loaded, &changes, &header, None, START).unwrap();

    let cookie = fx.login("town1").await;
    let page = fx.get("/console/dispatch", &cookie).await;
    assert!(page.body.contains("胸闷加重，需住院"), "the request is listed");
    assert!(
        page.body.contains(&format!("/console/beneficiary/{id}?hospital=")),
        "with a link to the call form"
    );

    let agency = fx.query_string("SELECT agency FROM users WHERE login = 'escort1'");
    let csrf = page.csrf().unwrap();
    let fields = [
        ("csrf", csrf.as_str()),
        ("hospital", "烟台市某医院（虚构）"),
        ("ward", "心内科"),
        ("expected", "2026-12-04T12:00"),
        ("agency", &agency),
    ];
    let res = fx.post(&format!("/console/beneficiary/{id}/episode"), &cookie, &fields).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(
        !fx.get("/console/dispatch", &cookie).await.body.contains("胸闷加重，需住院"),
        "answered"
    );
}

#[tokio::test]
async fn a_photo_not_yet_uploaded_shows_as_pending_and_an_arrived_one_with_where_it_was_taken() {
    use peihu_shared::ids::{BlobHash, VisitId};
    use peihu_shared::model::{CheckIn, PhotoFacts, Visit, Vitals};

    let fx = Fixture::new();
    let id = beneficiary_where(&fx, &fx.place_of("town1"), true);
    let storage = &fx.state.storage;
    let arrived_bytes: Vec<u8> =
        [0xFF, 0xD8, 0xFF, 0xE0, 9].into_iter().chain(std::iter::repeat_n(9, 64)).collect();
    let arrived = BlobHash::of(&arrived_bytes);
    fx.state
        .blobs
        .append(&arrived, "test", 0, arrived_bytes.len() as u64, &mut &arrived_bytes[..])
        .unwrap();
    storage.add_blob_ref(&arrived, &DocId::Case(id)).unwrap();
    let pending = BlobHash::of(b"a photo still on the tablet");

    let mut loaded = storage.load_doc(&DocId::Case(id)).unwrap().unwrap();
    let heads = loaded.doc.get_heads();
    let helper: UserId = fx.user_id("helper1").parse().unwrap();
    let prov = Provenance { by: helper, device: DeviceId::new_random(), at: START - 30 * MINUTE };
    let visit = Visit {
        id: VisitId::new_random(),
        prov: prov.clone(),
        arrived: START - 60 * MINUTE,
        departed: START - 30 * MINUTE,
        checkin: CheckIn::unavailable(),
        vitals: Vitals::default(),
        notes: "带照片的探访".into(),
        education: Vec::new(),
        photos: vec![arrived, pending],
        photo_facts: Some(vec![PhotoFacts {
            photo: arrived,
            taken_at: Some("2026-12-04T09:12:30".into()),
            lat_u: Some(37_463_821),
            lon_u: Some(121_447_940),
            dropped: Vec::new(),
        }]),
        escalation: None,
        amendments: Default::default(),
    };
    doc::add_visit(&mut loaded.doc, &visit).unwrap();
    let changes: Vec<Vec<u8>> =
        loaded.doc.get_changes(&heads).iter().map(|c| c.raw_bytes().to_vec()).collect();
    let header = doc::header(&loaded.doc).unwrap();
    storage.append_changes(&DocId::Case(id), &mut loaded, &changes, &header, None, START).unwrap();

    let cookie = fx.login("town1").await;
    let page = fx.get(&format!("/console/beneficiary/{id}"), &cookie).await;
    assert!(page.body.contains(&format!("<img src=\"/console/photo/{arrived}\"")));
    assert!(page.body.contains("拍摄时间：2026-12-04 09:12:30"), "capture time shown");
    assert!(page.body.contains("37.46382, 121.44794"), "capture place shown");
    assert!(!page.body.contains(&format!("/console/photo/{pending}")), "no broken image");
    assert!(page.body.contains("照片待上传"), "the missing photo is marked pending");
}
