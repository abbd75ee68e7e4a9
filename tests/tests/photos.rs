//! Photo evidence end to end: uploads over a connection that keeps breaking, scoped downloads,
//! hash checks on arrival and on `verify`.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use peihu_device::photos;
use peihu_server::blobs::{BlobStore, FsBlobStore};
use peihu_server::storage::Storage;
use peihu_shared::ids::{BlobHash, DocId};
use peihu_tests::{TestServer, VILLAGE_A, VILLAGE_B};

const CUT_EVERY: u64 = 256 * 1024;

/// A loopback proxy that forwards to `target` and cuts each connection once 256 KB have gone
/// from client to server. Counts every byte the client sent and every cut.
struct CuttingProxy {
    url: String,
    sent: Arc<AtomicU64>,
    cuts: Arc<AtomicU64>,
}

fn pump(
    mut from: TcpStream,
    mut to: TcpStream,
    limit: Option<u64>,
    sent: &AtomicU64,
    cuts: &AtomicU64,
) {
    let mut buf = [0u8; 8192];
    let mut forwarded = 0u64;
    loop {
        let want = match limit {
            Some(l) => buf.len().min((l - forwarded) as usize),
            None => buf.len(),
        };
        let n = match from.read(&mut buf[..want]) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if limit.is_some() {
            sent.fetch_add(n as u64, Ordering::SeqCst);
        }
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
        forwarded += n as u64;
        if limit.is_some_and(|l| forwarded >= l) {
            cuts.fetch_add(1, Ordering::SeqCst);
            break;
        }
    }
    let _ = from.shutdown(Shutdown::Both);
    let _ = to.shutdown(Shutdown::Both);
}

impl CuttingProxy {
    fn start(target: &str) -> CuttingProxy {
        let target = target.trim_start_matches("http://").to_string();
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        let url = format!("http://{}", listener.local_addr().expect("proxy address"));
        let sent = Arc::new(AtomicU64::new(0));
        let cuts = Arc::new(AtomicU64::new(0));
        let (s, c) = (sent.clone(), cuts.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { break };
                let Ok(server) = TcpStream::connect(&target) else { continue };
                let (c_read, s_write) =
                    (client.try_clone().expect("clone"), server.try_clone().expect("clone"));
                let (s1, c1) = (s.clone(), c.clone());
                std::thread::spawn(move || pump(c_read, s_write, Some(CUT_EVERY), &s1, &c1));
                let (s2, c2) = (s.clone(), c.clone());
                std::thread::spawn(move || pump(server, client, None, &s2, &c2));
            }
        });
        CuttingProxy { url, sent, cuts }
    }
}

/// A 1024×768 picture of noise: it compresses badly, so each normalised photo is a few hundred
/// kilobytes, like a real one.
fn noisy_jpeg(seed: u64) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let image = image::RgbImage::from_fn(1024, 768, |x, y| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let base = ((x + y) % 256) as u8;
        image::Rgb([
            base ^ (state as u8),
            (state >> 8) as u8,
            base.wrapping_add((state >> 16) as u8),
        ])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 95)
        .encode_image(&image)
        .expect("encode a test picture");
    out
}

#[test]
fn a_hundred_photos_arrive_intact_through_a_connection_cut_every_256_kb() {
    let server = TestServer::start();
    let mut helper = server.helper("photo-helper", VILLAGE_A);
    let beneficiary = helper.register(VILLAGE_A, 1);
    helper.sync().expect("documents sync first");

    let mut kept = Vec::new();
    for n in 0..100 {
        let photo = photos::keep_photo(&mut helper.store, DocId::Case(beneficiary), &noisy_jpeg(n))
            .expect("a valid photo is kept");
        kept.push((photo.sha256.clone(), photo.jpeg.clone()));
    }
    let total: u64 = kept.iter().map(|(_, j)| j.len() as u64).sum();
    assert!(total > 20 * 1024 * 1024, "the test needs tens of megabytes, made {total} bytes");

    let proxy = CuttingProxy::start(&server.url);
    helper.store.set_meta(&[("server", &proxy.url)]).expect("point the device at the proxy");
    let mut report = photos::upload_pending(&mut helper.store).expect("upload runs");
    for _ in 0..3 {
        if report.pending == 0 {
            break;
        }
        report = photos::upload_pending(&mut helper.store).expect("upload runs again");
    }
    assert_eq!(report.pending, 0, "every photo uploaded: {report:?}");
    assert!(helper.store.pending_photos().expect("readable").is_empty());

    let blobs = FsBlobStore::open(server.storage.data_dir()).expect("blob folder");
    for (hash, jpeg) in &kept {
        let held = blobs.read(&hash.parse().expect("hash")).expect("readable").expect("present");
        assert_eq!(&held, jpeg, "photo {hash} arrived intact");
    }
    let sent = proxy.sent.load(Ordering::SeqCst);
    let cuts = proxy.cuts.load(Ordering::SeqCst);
    println!(
        "photos: {total} bytes, sent through the proxy {sent} ({:.3}x), {cuts} cuts",
        sent as f64 / total as f64
    );
    assert!(cuts >= total / CUT_EVERY / 2, "the proxy really cut the connection ({cuts} cuts)");
    assert!(sent as f64 <= 1.1 * total as f64, "sent {sent} bytes for {total} bytes of photos");
}

#[test]
fn a_photo_is_served_to_its_village_and_refused_to_another() {
    let server = TestServer::start();
    let mut helper_a = server.helper("photo-a", VILLAGE_A);
    let mut helper_b = server.helper("photo-b", VILLAGE_B);
    let beneficiary = helper_a.register(VILLAGE_A, 2);
    helper_a.sync().expect("sync");
    let photo = photos::keep_photo(&mut helper_a.store, DocId::Case(beneficiary), &noisy_jpeg(7))
        .expect("kept");
    let report = photos::upload_pending(&mut helper_a.store).expect("upload");
    assert_eq!(report.uploaded, 1);

    let client = reqwest::blocking::Client::new();
    let url = format!("{}/api/blobs/{}", server.url, photo.sha256);
    let own = client.get(&url).bearer_auth(helper_a.token()).send().expect("request");
    assert_eq!(own.status().as_u16(), 200);
    assert_eq!(own.bytes().expect("body").to_vec(), photo.jpeg);

    let other = client.get(&url).bearer_auth(helper_b.token()).send().expect("request");
    assert_eq!(other.status().as_u16(), 403, "another village's helper is refused");
    let audited = peihu_tests::audit(&server.storage, "blob.refused");
    assert!(!audited.is_empty(), "the refusal is recorded");

    // Knowing the hash (it is in console URLs) is not having the photo: claiming it for one of
    // B's own records with no bytes links nothing, and the state tells B nothing.
    let own_case = helper_b.register(VILLAGE_B, 4);
    helper_b.sync().expect("sync");
    let total = photo.jpeg.len();
    let claim = format!("{url}?doc=case:{own_case}&offset=0&total={total}");
    let claimed = client.put(&claim).bearer_auth(helper_b.token()).send().expect("request");
    assert_ne!(claimed.status().as_u16(), 201, "no bytes, no link");
    let state = client.get(format!("{url}/state")).bearer_auth(helper_b.token()).send();
    let state: serde_json::Value = state.expect("request").json().expect("json");
    assert_eq!(state["complete"], false, "B is not told the server holds it");
    let after = client.get(&url).bearer_auth(helper_b.token()).send().expect("request");
    assert_eq!(after.status().as_u16(), 403, "still refused after the empty claim");

    // A device that really has the photo proves it by sending it, and may then fetch it.
    let proof = client
        .put(format!("{url}?doc=case:{own_case}&offset=0&total={total}"))
        .bearer_auth(helper_b.token())
        .body(photo.jpeg)
        .send()
        .expect("request");
    assert_eq!(proof.status().as_u16(), 201);
    let fetched = client.get(&url).bearer_auth(helper_b.token()).send().expect("request");
    assert_eq!(fetched.status().as_u16(), 200);
}

#[test]
fn an_upload_whose_bytes_do_not_match_its_id_is_discarded() {
    let server = TestServer::start();
    let mut helper = server.helper("photo-c", VILLAGE_A);
    let beneficiary = helper.register(VILLAGE_A, 3);
    helper.sync().expect("sync");
    let claimed = BlobHash::of(b"the real photo");
    let url =
        format!("{}/api/blobs/{claimed}?doc=case:{beneficiary}&offset=0&total=11", server.url);
    let resp = reqwest::blocking::Client::new()
        .put(url)
        .bearer_auth(helper.token())
        .body("not a match".as_bytes().to_vec())
        .send()
        .expect("request");
    assert_eq!(resp.status().as_u16(), 400);
    let blobs = FsBlobStore::open(server.storage.data_dir()).expect("blob folder");
    assert_eq!(blobs.read(&claimed).expect("readable"), None, "nothing half-stored");
    assert!(!blobs.state(&claimed).expect("state").complete);
    let partial = server.storage.data_dir().join("blobs").join("partial");
    assert_eq!(
        std::fs::read_dir(partial).expect("partial folder").count(),
        0,
        "its bytes are gone"
    );
    assert!(
        server.storage.blob_docs(&claimed).expect("links").is_empty(),
        "and it is linked to nothing"
    );
}

#[test]
fn verify_finds_a_stored_photo_that_was_damaged_on_disk() {
    let dir = tempfile::tempdir().expect("temp dir");
    let blobs = FsBlobStore::open(dir.path()).expect("blob folder");
    let good = noisy_jpeg(1);
    let hash = BlobHash::of(&good);
    let state =
        blobs.append(&hash, "test", 0, good.len() as u64, &mut good.as_slice()).expect("stored");
    assert!(state.complete);
    assert_eq!(blobs.verify_all().expect("verify").1, Vec::<BlobHash>::new());

    let text = hash.to_string();
    let path = dir.path().join("blobs").join(&text[..2]).join(&text);
    let mut damaged = std::fs::read(&path).expect("read");
    damaged[100] ^= 0xff;
    std::fs::write(&path, damaged).expect("damage it");
    assert_eq!(blobs.verify_all().expect("verify").1, vec![hash]);
}
