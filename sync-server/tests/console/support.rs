//! Fixtures for the console tests: the demo data in a temporary SQLite file, a clock the test
//! moves, and small helpers to sign in and to send requests through the router in-process.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use axum::body::Body;
use axum::http::{Request, Response, StatusCode, header};
use peihu_server::AppState;
use peihu_server::demo::DemoAccount;
use peihu_server::storage::sqlite::SqliteStorage;
use tower::ServiceExt;

/// 2026-12-04 10:00 China time, a Friday.
pub const START: i64 = 1_796_349_600_000;

/// A server with the demo data and a movable clock.
pub struct Fixture {
    pub _dir: tempfile::TempDir,
    pub state: AppState,
    pub clock: Arc<AtomicI64>,
    pub accounts: Vec<DemoAccount>,
}

impl Fixture {
    pub fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let storage = SqliteStorage::open(dir.path()).unwrap();
        let accounts = peihu_server::demo::load(&storage, START).unwrap();
        let clock = Arc::new(AtomicI64::new(START));
        let mut state = AppState::new(storage);
        let read = clock.clone();
        state.clock = Arc::new(move || read.load(Ordering::SeqCst));
        Fixture { _dir: dir, state, clock, accounts }
    }

    pub fn advance(&self, ms: i64) {
        self.clock.fetch_add(ms, Ordering::SeqCst);
    }

    pub fn account(&self, login: &str) -> &DemoAccount {
        self.accounts.iter().find(|a| a.user == login).unwrap()
    }

    pub fn password(&self, login: &str) -> String {
        self.account(login).password.clone().unwrap()
    }

    pub async fn send(&self, req: Request<Body>) -> Response<Body> {
        peihu_server::http::app(self.state.clone()).oneshot(req).await.unwrap()
    }

    /// GET with a cookie; returns status, headers' Location and body text.
    pub async fn get(&self, path: &str, cookie: &str) -> Page {
        let req = Request::get(path).header(header::COOKIE, cookie).body(Body::empty()).unwrap();
        Page::read(self.send(req).await).await
    }

    /// GET returning raw bytes.
    pub async fn get_bytes(&self, path: &str, cookie: &str) -> (StatusCode, Vec<u8>) {
        let req = Request::get(path).header(header::COOKIE, cookie).body(Body::empty()).unwrap();
        let res = self.send(req).await;
        let status = res.status();
        let bytes = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap();
        (status, bytes.to_vec())
    }

    /// POST a form with a cookie.
    pub async fn post(&self, path: &str, cookie: &str, fields: &[(&str, &str)]) -> Page {
        let body = serde_urlencoded::to_string(fields).unwrap();
        let req = Request::post(path)
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        Page::read(self.send(req).await).await
    }

    /// Tries to sign in; returns the response.
    pub async fn try_login(&self, login: &str, password: &str) -> Page {
        let form = self.get("/console/login", "").await;
        let login_cookie =
            form.cookie("peihu_login").expect("the login form sets its token cookie");
        let token = form.csrf().expect("the login form carries a token");
        assert_eq!(login_cookie, token);
        let cookie = format!("peihu_login={login_cookie}");
        self.post(
            "/console/login",
            &cookie,
            &[("csrf", &token), ("login", login), ("password", password)],
        )
        .await
    }

    /// Signs in; returns the `Cookie` header value for the session.
    pub async fn login(&self, login: &str) -> String {
        let page = self.try_login(login, &self.password(login)).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        format!("peihu_session={}", page.cookie("peihu_session").expect("a session cookie"))
    }

    /// The CSRF token of a signed-in session (read off a page's form).
    pub async fn csrf(&self, cookie: &str) -> String {
        self.get("/console/overview", cookie).await.csrf().unwrap()
    }

    /// Audit rows with this event.
    pub fn audit_count(&self, event: &str) -> i64 {
        self.state
            .storage
            .with_conn(|c| {
                Ok(c.query_row("SELECT count(*) FROM audit WHERE event = ?1", [event], |r| {
                    r.get(0)
                })?)
            })
            .unwrap()
    }

    /// Audit rows with this event, user and document.
    pub fn audit_rows(&self, event: &str) -> Vec<(Option<String>, Option<String>)> {
        self.state
            .storage
            .with_conn(|c| {
                let mut stmt =
                    c.prepare("SELECT user, doc_id FROM audit WHERE event = ?1 ORDER BY id")?;
                let rows = stmt.query_map([event], |r| Ok((r.get(0)?, r.get(1)?)))?;
                Ok(rows.collect::<Result<Vec<_>, _>>()?)
            })
            .unwrap()
    }

    /// One value from the database.
    pub fn query_string(&self, sql: &str) -> String {
        use rusqlite::types::Value;
        let value: Value =
            self.state.storage.with_conn(|c| Ok(c.query_row(sql, [], |r| r.get(0))?)).unwrap();
        match value {
            Value::Text(t) => t,
            Value::Integer(i) => i.to_string(),
            Value::Real(f) => f.to_string(),
            Value::Null => String::new(),
            Value::Blob(b) => format!("{b:?}"),
        }
    }

    pub fn user_id(&self, login: &str) -> String {
        self.query_string(&format!("SELECT id FROM users WHERE login = '{login}'"))
    }

    pub fn place_of(&self, login: &str) -> String {
        self.account(login).place.clone()
    }
}

/// A response read whole.
pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub set_cookies: Vec<String>,
    pub body: String,
}

impl Page {
    pub async fn read(res: Response<Body>) -> Page {
        let status = res.status();
        let location = res.headers().get(header::LOCATION).map(|v| v.to_str().unwrap().to_string());
        let set_cookies = res
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect();
        let bytes = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap();
        Page { status, location, set_cookies, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.set_cookies.iter().find_map(|c| {
            let (k, rest) = c.split_once('=')?;
            (k == name).then(|| rest.split(';').next().unwrap().to_string())
        })
    }

    pub fn set_cookie_line(&self, name: &str) -> Option<&String> {
        self.set_cookies.iter().find(|c| c.starts_with(&format!("{name}=")))
    }

    pub fn csrf(&self) -> Option<String> {
        let at = self.body.find("name=\"csrf\" value=\"")? + "name=\"csrf\" value=\"".len();
        Some(self.body[at..].split('"').next()?.to_string())
    }
}
