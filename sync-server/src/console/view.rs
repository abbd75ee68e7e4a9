//! What every page shares: the frame (header, navigation, language switch), the login and error
//! pages, and small formatting helpers.

use askama::Template;
use axum::http::Uri;
use rusqlite::OptionalExtension;

use super::session::Session;
use super::strings::{Lang, Tr};
use crate::AppState;
use crate::storage::StorageError;

/// The header, navigation and footer around every signed-in page.
#[derive(Debug, Clone)]
pub struct Frame {
    /// The translator.
    pub tr: Tr,
    /// The page title.
    pub title: String,
    /// Which navigation item is current.
    pub nav: &'static str,
    /// The signed-in person's name.
    pub user_name: String,
    /// Their division, as `name（code）`.
    pub division: String,
    /// The CSRF token every form carries.
    pub csrf: String,
    /// This page in the other language.
    pub lang_link: String,
    /// When the page was made, for printed copies.
    pub generated: String,
    /// A one-line notice after a successful write.
    pub flash: Option<String>,
}

impl Frame {
    /// The frame of a page.
    pub fn new(
        state: &AppState,
        session: &Session,
        uri: &Uri,
        title: String,
        nav: &'static str,
    ) -> Result<Frame, StorageError> {
        let tr = Tr(session.lang);
        let place = session.user.place;
        let name = place_name(state, &place.to_string())?.unwrap_or_default();
        let other = match session.lang {
            Lang::Zh => "en",
            Lang::En => "zh",
        };
        let flash = query_value(uri, "saved").map(|_| tr.t("form.saved").to_string());
        Ok(Frame {
            tr,
            title,
            nav,
            user_name: session.user.name.clone(),
            division: format!("{name}（{place}）"),
            csrf: session.csrf.clone(),
            lang_link: with_query(uri, "lang", other),
            generated: tr.time(state.now()),
            flash,
        })
    }
}

/// The name of a division, if the server knows it.
pub fn place_name(state: &AppState, code: &str) -> Result<Option<String>, StorageError> {
    state.storage.with_conn(|c| {
        Ok(c.query_row("SELECT name FROM places WHERE code = ?1", [code], |r| r.get(0))
            .optional()?)
    })
}

/// One value of the query string.
pub fn query_value(uri: &Uri, key: &str) -> Option<String> {
    uri.query()?
        .split('&')
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v.to_string())
}

/// `uri` with `key` set to `value` (other parameters kept).
pub fn with_query(uri: &Uri, key: &str, value: &str) -> String {
    let mut parts: Vec<String> = uri
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty() && p.split('=').next() != Some(key) && !p.starts_with("saved"))
        .map(str::to_string)
        .collect();
    parts.push(format!("{key}={}", url_encode(value)));
    format!("{}?{}", uri.path(), parts.join("&"))
}

/// Percent-encodes a query value.
pub fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Masks the middle of an ID number: `370602********123X`.
pub fn mask_id_number(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() < 10 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..6].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 10))
}

/// The sign-in page.
#[derive(Debug, Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    /// The translator.
    pub tr: Tr,
    /// The double-submit token.
    pub csrf: String,
    /// Where to go afterwards.
    pub next: String,
    /// Why the last attempt failed.
    pub error: Option<String>,
}

/// A refusal or failure, in both languages (there may be no session to choose one).
#[derive(Debug, Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    /// HTTP status.
    pub status: u16,
    /// Chinese message.
    pub zh: String,
    /// English message.
    pub en: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_number_shows_only_its_region_and_last_four_characters() {
        assert_eq!(mask_id_number("37060219380501002X"), "370602********002X");
    }

    #[test]
    fn switching_language_keeps_the_other_query_parameters() {
        let uri: Uri = "/console/overview?period=week&lang=zh&saved=1".parse().unwrap();
        assert_eq!(with_query(&uri, "lang", "en"), "/console/overview?period=week&lang=en");
    }
}

/// The period and division chooser at the top of the overview, the ledger and the figures.
#[derive(Debug, Clone)]
pub struct PeriodBar {
    /// The page the links lead back to.
    pub path: String,
    /// `(label, href, current)` for day, week, month and range.
    pub kinds: Vec<(String, String, bool)>,
    /// The previous window.
    pub previous: String,
    /// The next window.
    pub next: String,
    /// The window as text.
    pub label: String,
    /// The window's kind code, for the form.
    pub kind: String,
    /// First day, for the range form.
    pub from: String,
    /// Last day, for the range form.
    pub to: String,
    /// `(code, name, selected)` of the divisions one may narrow to; empty when there are none.
    pub places: Vec<(String, String, bool)>,
}

impl PeriodBar {
    /// The bar for `window` on `path`, narrowed to `place` if chosen.
    pub fn new(
        state: &AppState,
        session: &Session,
        path: &str,
        window: &super::period::Window,
        place: Option<&peihu_shared::ids::PlaceCode>,
        kinds: &[super::period::Kind],
    ) -> Result<PeriodBar, StorageError> {
        use super::period::{Kind, Window};
        let tr = Tr(session.lang);
        let place_q = place.map(|p| format!("&place={p}")).unwrap_or_default();
        let href = |w: &Window| format!("{path}?{}{place_q}", w.query());
        let kinds = kinds
            .iter()
            .map(|k| {
                let w = match k {
                    Kind::Range => Window { kind: Kind::Range, ..*window },
                    k => Window::containing(*k, window.start),
                };
                (tr.t(&format!("period.{}", k.code())).to_string(), href(&w), *k == window.kind)
            })
            .collect();
        Ok(PeriodBar {
            path: path.to_string(),
            kinds,
            previous: href(&window.previous()),
            next: href(&window.next()),
            label: window.label(tr),
            kind: window.kind.code().to_string(),
            from: window.start.format("%Y-%m-%d").to_string(),
            to: window.last_day().format("%Y-%m-%d").to_string(),
            places: child_places(state, session, place)?,
        })
    }
}

/// The divisions directly under the supervisor's, to narrow a page to one of them.
fn child_places(
    state: &AppState,
    session: &Session,
    chosen: Option<&peihu_shared::ids::PlaceCode>,
) -> Result<Vec<(String, String, bool)>, StorageError> {
    let parent = session.user.place.to_string();
    let chosen = chosen.map(|c| c.to_string());
    state.storage.with_conn(|c| {
        let mut stmt = c.prepare_cached(
            "SELECT code, name FROM places WHERE parent = ?1
             AND EXISTS (SELECT 1 FROM docs d WHERE d.place >= places.code AND d.place < places.code || ':')
             ORDER BY code",
        )?;
        let rows = stmt.query_map([&parent], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (code, name) = row?;
            let selected = chosen.as_deref() == Some(code.as_str());
            out.push((code, name, selected));
        }
        Ok(out)
    })
}
