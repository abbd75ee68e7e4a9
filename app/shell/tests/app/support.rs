//! A real `peihu-server` with demo data on a loopback port that can be stopped and started
//! again on the same port (to play "the server is down").

use std::net::SocketAddr;
use std::path::Path;

use peihu_server::demo::DemoAccount;
use peihu_server::storage::sqlite::SqliteStorage;
use peihu_server::{AppState, serve};
use tokio::sync::oneshot;

/// A server with demo data.
pub struct DemoServer {
    pub rt: tokio::runtime::Runtime,
    pub addr: SocketAddr,
    pub accounts: Vec<DemoAccount>,
    data: std::path::PathBuf,
    stop: Option<(oneshot::Sender<()>, std::sync::mpsc::Receiver<()>)>,
}

impl DemoServer {
    /// Loads the demo into `data` and starts serving on an ephemeral loopback port.
    pub fn start(data: &Path) -> DemoServer {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let storage = SqliteStorage::open(data).unwrap();
        let accounts = peihu_server::demo::load(&storage, peihu_server::now_ms()).unwrap();
        drop(storage);
        let mut server = DemoServer {
            rt,
            addr: "127.0.0.1:0".parse().unwrap(),
            accounts,
            data: data.to_path_buf(),
            stop: None,
        };
        server.up();
        server
    }

    /// Binds (reusing the address, so the same port works again at once) and serves. Never
    /// blocks on the runtime, so it may be called from async code on another runtime.
    fn listen(&mut self) -> tokio::net::TcpListener {
        let _entered = self.rt.enter();
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.set_reuseaddr(true).unwrap();
        socket.bind(self.addr).unwrap();
        let listener = socket.listen(64).unwrap();
        self.addr = listener.local_addr().unwrap();
        listener
    }

    /// The base URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A demo account's one-time code.
    pub fn code(&self, login: &str) -> String {
        self.accounts.iter().find(|a| a.user == login).unwrap().code.clone()
    }

    /// Stops serving; the port refuses connections until [`DemoServer::up`].
    pub fn down(&mut self) {
        if let Some((tx, done)) = self.stop.take() {
            let _ = tx.send(());
            let _ = done.recv();
        }
    }

    /// Serves (again, on the same port after [`DemoServer::down`]).
    pub fn up(&mut self) {
        let listener = self.listen();
        let state = AppState::new(SqliteStorage::open(&self.data).unwrap());
        let (tx, rx) = oneshot::channel::<()>();
        let (done_tx, done) = std::sync::mpsc::channel();
        self.rt.spawn(async move {
            let stopped = async move {
                let _ = rx.await;
            };
            serve(listener, state, stopped).await.unwrap();
            let _ = done_tx.send(());
        });
        self.stop = Some((tx, done));
    }

    /// After [`DemoServer::down`]: a listener on the same port that never answers, like a
    /// village connection that swallows requests. Dropping it resets whatever waits on it.
    pub fn stall(&mut self) -> std::net::TcpListener {
        self.listen().into_std().unwrap()
    }

    /// A stored file's bytes, once it has arrived whole.
    pub fn blob(&self, hash: &peihu_shared::ids::BlobHash) -> Option<Vec<u8>> {
        use peihu_server::blobs::{BlobStore, FsBlobStore};
        FsBlobStore::open(&self.data).unwrap().read(hash).unwrap()
    }

    /// The server's storage, opened fresh.
    pub fn storage(&self) -> SqliteStorage {
        SqliteStorage::open(&self.data).unwrap()
    }

    /// Visits the server holds for every beneficiary, with their notes.
    pub fn visit_notes(&self) -> Vec<String> {
        use peihu_server::storage::Storage;
        let storage = self.storage();
        let ids: Vec<peihu_shared::ids::DocId> = storage
            .with_conn(|c| {
                let mut stmt = c.prepare("SELECT doc_id FROM docs")?;
                let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
                Ok(rows.collect::<Result<Vec<_>, _>>()?)
            })
            .unwrap()
            .into_iter()
            .filter_map(|d| d.parse().ok())
            .collect();
        let mut notes = Vec::new();
        for id in ids.iter().filter(|d| matches!(d, peihu_shared::ids::DocId::Case(_))) {
            let loaded = storage.load_doc(id).unwrap().unwrap();
            let case = peihu_shared::doc::hydrate_case(&loaded.doc).unwrap();
            notes.extend(case.visits.values().map(|v| v.notes.clone()));
        }
        notes
    }

    /// The server's copy of an episode.
    pub fn episode(&self, id: &str) -> peihu_shared::model::Episode {
        use peihu_server::storage::Storage;
        let id = peihu_shared::ids::DocId::Episode(id.parse().unwrap());
        let loaded = self.storage().load_doc(&id).unwrap().unwrap();
        peihu_shared::doc::hydrate_episode(&loaded.doc).unwrap()
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        self.down();
    }
}
