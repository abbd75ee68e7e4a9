//! `peihu-field photo add` and `photo export` as a script would use them: the id on stdout, a
//! refusal as a non-zero exit with its reason, and the capture facts kept in the visit record.

use std::path::{Path, PathBuf};

use peihu_device::{Store, field};
use peihu_shared::doc;
use peihu_shared::ids::{BlobHash, DocId};
use peihu_shared::rules::Thresholds;

use crate::support::{START, field_cli, form, helper, register};

fn photos_dir() -> PathBuf {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/photos"));
    assert!(
        dir.is_dir(),
        "the photo fixtures in ../shared/data/photos are missing (looked for {}); \
         this test needs the real photos and cannot run without them",
        dir.display()
    );
    dir
}

/// A device folder as `peihu-field --data` expects, enrolled by hand, with one visit.
fn device_with_a_visit(data: &Path) -> (peihu_shared::ids::BeneficiaryId, String) {
    let mut store = Store::open(&data.join("device.sqlite")).expect("store opens");
    let prov = helper(START);
    store
        .set_meta(&[("user", &prov.by.to_string()), ("device", &prov.device.to_string())])
        .expect("enrolment facts");
    let b = register(&mut store, 31);
    let saved = field::record_visit(
        &mut store,
        b,
        &form(1),
        &helper(START + 86_400_000),
        &Thresholds::default(),
    )
    .expect("a visit");
    (b, saved.id.to_string())
}

#[test]
fn photo_add_prints_the_id_and_keeps_the_capture_place_in_the_visit_not_in_the_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (b, visit) = device_with_a_visit(dir.path());
    let file = photos_dir().join("DSCN0010.jpg");
    let added = field_cli(dir.path(), &["photo", "add", "--visit", &visit, file.to_str().unwrap()]);
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    let id = String::from_utf8(added.stdout).expect("utf-8").trim().to_string();
    let hash: BlobHash = id.parse().expect("stdout is the photo id");

    let out = dir.path().join("out.jpg");
    let exported = field_cli(dir.path(), &["photo", "export", &id, out.to_str().unwrap()]);
    assert!(exported.status.success(), "{}", String::from_utf8_lossy(&exported.stderr));
    let jpeg = std::fs::read(&out).expect("exported file");
    assert_eq!(BlobHash::of(&jpeg), hash, "the exported JPEG is the photo its id names");
    assert!(!jpeg.windows(4).any(|w| w == b"Exif"), "the stored JPEG carries no EXIF block");

    let store = Store::open(&dir.path().join("device.sqlite")).expect("store reopens");
    let case = doc::hydrate_case(store.doc(&DocId::Case(b)).expect("case")).expect("reads");
    let visit = case.visits.get(&visit).expect("the visit").effective();
    assert!(visit.photos.contains(&hash));
    let facts = visit.facts_of(&hash).expect("capture facts kept in the record");
    // expected.json: DSCN0010.jpg was taken at 43.467448 N, 11.885127 E.
    assert_eq!(facts.lat_u.map(|v| (v as f64 / 1e6 * 1e4).round() / 1e4), Some(43.4674));
    assert_eq!(facts.lon_u.map(|v| (v as f64 / 1e6 * 1e4).round() / 1e4), Some(11.8851));
    assert!(facts.taken_at.as_deref().is_some_and(|t| t.len() == 19 && t.as_bytes()[10] == b'T'));
}

#[test]
fn photo_add_refuses_a_damaged_jpeg_with_its_reason_and_keeps_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (b, visit) = device_with_a_visit(dir.path());
    let file = photos_dir().join("corrupted.jpg");
    let refused =
        field_cli(dir.path(), &["photo", "add", "--visit", &visit, file.to_str().unwrap()]);
    assert!(!refused.status.success(), "a damaged photo must not be accepted");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("photo refused"), "the reason is given: {stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");

    let store = Store::open(&dir.path().join("device.sqlite")).expect("store reopens");
    assert!(store.pending_photos().expect("readable").is_empty(), "nothing kept");
    let case = doc::hydrate_case(store.doc(&DocId::Case(b)).expect("case")).expect("reads");
    assert!(case.visits[&visit].effective().photos.is_empty(), "the visit is unchanged");
}
