//! A tablet (the `peihu-field` library) syncing against a real server on loopback follows a
//! colour change a supervisor made in the console.

use std::sync::Arc;

use axum::http::StatusCode;
use peihu_device::Store;
use peihu_device::field::duty_list;
use peihu_device::sync::{Http, enroll, sync};
use peihu_shared::model::RiskColour;

use super::support::{Fixture, START};

struct Server {
    url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    rt: Arc<tokio::runtime::Runtime>,
}

impl Server {
    fn start(fx: &Fixture, rt: Arc<tokio::runtime::Runtime>) -> Server {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let state = fx.state.clone();
        rt.spawn(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            let shutdown = async {
                let _ = stopped.await;
            };
            peihu_server::serve(listener, state, shutdown).await.unwrap();
        });
        Server { url, stop: Some(stop), rt }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = &self.rt;
    }
}

#[test]
fn a_tablet_follows_a_colour_change_made_in_the_console_after_its_next_sync() {
    let rt = Arc::new(tokio::runtime::Runtime::new().unwrap());
    let fx = Fixture::new();
    let server = Server::start(&fx, rt.clone());
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("tablet.sqlite")).unwrap();
    enroll(&mut store, &server.url, &fx.account("helper1").code).unwrap();
    let mut http = Http::for_store(&store).unwrap();
    sync(&mut store, &mut http, START).unwrap();

    let before = duty_list(&store, START);
    assert!(!before.is_empty(), "the helper's village came down");
    let row =
        before.iter().find(|r| r.colour != RiskColour::Red).expect("a beneficiary who is not red");
    let id = row.beneficiary;

    let fx = &fx;
    rt.block_on(async move {
        let cookie = fx.login("town1").await;
        let csrf = fx.csrf(&cookie).await;
        let path = format!("/console/beneficiary/{id}/colour");
        let page = fx
            .post(
                &path,
                &cookie,
                &[("csrf", &csrf), ("colour", "red"), ("reason", "出院后需每日观察")],
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    });

    let unsynced = duty_list(&store, START);
    assert_ne!(unsynced.iter().find(|r| r.beneficiary == id).unwrap().colour, RiskColour::Red);
    sync(&mut store, &mut http, START + 1).unwrap();
    let after = duty_list(&store, START + 1);
    let row = after.iter().find(|r| r.beneficiary == id).unwrap();
    assert_eq!(row.colour, RiskColour::Red, "the tablet follows the console");
    assert_ne!(row.status, "overdue", "red duty starts today, it cannot be overdue yet");
    assert_eq!(after.first().map(|r| r.colour), Some(RiskColour::Red), "red rows come first");
    drop(server);
}
