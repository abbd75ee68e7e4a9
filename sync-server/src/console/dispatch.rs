//! Escort dispatch (陪护派单): helpers' escort requests from the tablets that no episode has
//! answered yet, oldest first, each a link to the phone-call form on the beneficiary's page.

use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use rusqlite::params;

use super::session::Session;
use super::strings::Tr;
use super::view::{Frame, url_encode};
use super::{ConsoleError, access, blocking, render, summary};
use crate::AppState;

struct RequestLine {
    href: String,
    name: String,
    village: String,
    when: String,
    reason: String,
    hospital: String,
}

#[derive(Template)]
#[template(path = "dispatch.html")]
struct DispatchPage {
    f: Frame,
    lines: Vec<RequestLine>,
}

/// `GET /console/dispatch`.
pub async fn page(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    uri: Uri,
) -> Result<Response, ConsoleError> {
    blocking(move || {
        let tr = Tr(session.lang);
        let (lo, hi) = access::place_range(&session.user);
        summary::catch_up(&state.storage, &lo, &hi)?;
        let villages = super::overdue::village_names(&state, (&lo, &hi))?;
        let raw: Vec<(String, String, String, i64, String, Option<String>)> =
            state.storage.with_conn(|c| {
                let mut stmt = c.prepare_cached(
                "SELECT r.beneficiary, COALESCE(b.name, ''), r.place, r.at, r.reason, r.hospital
                 FROM console_escort_requests r
                 LEFT JOIN console_beneficiaries b ON b.beneficiary = r.beneficiary
                 WHERE r.place >= ?1 AND r.place < ?2
                   AND NOT EXISTS (SELECT 1 FROM console_episodes e
                                   WHERE e.beneficiary = r.beneficiary AND e.opened >= r.at)
                 ORDER BY r.at",
            )?;
                let rows = stmt.query_map(params![lo, hi], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
                })?;
                Ok(rows.collect::<Result<_, _>>()?)
            })?;
        let lines = raw
            .into_iter()
            .map(|(b, name, place, at, reason, hospital)| {
                let hospital = hospital.unwrap_or_default();
                RequestLine {
                    href: format!(
                        "/console/beneficiary/{b}?hospital={}#open-episode",
                        url_encode(&hospital)
                    ),
                    name,
                    village: villages.get(&place).cloned().unwrap_or(place),
                    when: tr.time(at),
                    reason,
                    hospital,
                }
            })
            .collect();
        let page = DispatchPage {
            f: Frame::new(&state, &session, &uri, tr.t("dispatch.title").into(), "dispatch")?,
            lines,
        };
        render(&page)
    })
    .await
}
