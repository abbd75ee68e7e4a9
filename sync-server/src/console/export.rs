//! Exports of the monitoring ledger (监测台账) and the overdue list: `.xlsx` with Chinese headers,
//! and CSV with a UTF-8 byte-order mark so Excel on a Chinese Windows desk reads it correctly.
//! Every export is audited: it carries personal data out of the system.

use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::{Format, Workbook};

use super::ledger::{self, EpisodeRow};
use super::overdue::{self, overdue_days};
use super::period::{Kind, PeriodQuery, Window};
use super::session::Session;
use super::strings::{Lang, Tr};
use super::{ConsoleError, access, blocking, summary};
use crate::AppState;
use crate::storage::{AuditEvent, Storage};

/// A spreadsheet cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A number.
    Number(f64),
}

/// One sheet: a name, Chinese headers and rows.
#[derive(Debug, Clone)]
pub struct Sheet {
    /// Sheet name.
    pub name: &'static str,
    /// Column headers.
    pub headers: &'static [&'static str],
    /// Rows of cells.
    pub rows: Vec<Vec<Cell>>,
}

/// The ledger's episode columns.
pub const LEDGER_HEADERS: &[&str] = &[
    "序号",
    "服务机构",
    "服务对象",
    "所属村（居）",
    "医院",
    "科室",
    "陪护员",
    "派单时间",
    "入院时间",
    "出院时间",
    "状态",
    "服务时长（小时）",
    "九步完成数",
    "缺失步骤",
    "明白卡确认",
    "缺记录天数",
    "九步齐全",
];

/// The ledger's per-agency columns.
pub const AGENCY_HEADERS: &[&str] = &[
    "服务机构",
    "陪护人次",
    "服务时长（小时）",
    "九步齐全人次",
    "缺失步骤数",
    "缺记录天数",
    "期间预警",
];

/// The overdue list's columns.
pub const OVERDUE_HEADERS: &[&str] =
    &["序号", "姓名", "所属村（居）", "风险等级", "逾期天数", "最近走访", "未处置预警"];

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

/// Writes sheets into an `.xlsx` file in memory.
pub fn to_xlsx(sheets: &[Sheet]) -> Result<Vec<u8>, ConsoleError> {
    let bad = |e: rust_xlsxwriter::XlsxError| ConsoleError::Render(e.to_string());
    let mut book = Workbook::new();
    let bold = Format::new().set_bold().set_background_color("#DDE6F0");
    for sheet in sheets {
        let ws = book.add_worksheet();
        ws.set_name(sheet.name).map_err(bad)?;
        for (c, h) in sheet.headers.iter().enumerate() {
            let col = u16::try_from(c).unwrap_or(u16::MAX);
            ws.write_string_with_format(0, col, *h, &bold).map_err(bad)?;
            ws.set_column_width(col, (h.chars().count() as f64 * 2.2).max(10.0)).map_err(bad)?;
        }
        ws.set_freeze_panes(1, 0).map_err(bad)?;
        for (r, row) in sheet.rows.iter().enumerate() {
            let row_num = u32::try_from(r + 1).unwrap_or(u32::MAX);
            for (c, cell) in row.iter().enumerate() {
                let col = u16::try_from(c).unwrap_or(u16::MAX);
                match cell {
                    Cell::Text(t) => ws.write_string(row_num, col, t.as_str()).map_err(bad)?,
                    Cell::Number(n) => ws.write_number(row_num, col, *n).map_err(bad)?,
                };
            }
        }
    }
    book.save_to_buffer().map_err(bad)
}

/// Writes one sheet as CSV with a UTF-8 byte-order mark and CRLF line ends. Text that a
/// spreadsheet would run as a formula is prefixed with `'`.
pub fn to_csv(sheet: &Sheet) -> Vec<u8> {
    let mut out = String::from("\u{FEFF}");
    let line = |cells: Vec<String>| cells.join(",") + "\r\n";
    out.push_str(&line(sheet.headers.iter().map(|h| quote(h)).collect()));
    for row in &sheet.rows {
        out.push_str(&line(
            row.iter()
                .map(|c| match c {
                    Cell::Text(t) => quote(t),
                    Cell::Number(n) => format!("{n}"),
                })
                .collect(),
        ));
    }
    out.into_bytes()
}

fn quote(text: &str) -> String {
    let guarded = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

fn stamp(ms: i64) -> String {
    peihu_shared::time::china_time(ms).format("%Y-%m-%d %H:%M").to_string()
}

/// The ledger's episode sheet and per-agency sheet.
pub fn ledger_sheets(
    state: &AppState,
    rows: &[EpisodeRow],
    warnings: &std::collections::HashMap<String, i64>,
    at: i64,
) -> Result<Vec<Sheet>, ConsoleError> {
    let tr = Tr(Lang::Zh);
    let users = ledger::user_names(state)?;
    let agencies = ledger::agency_names(state)?;
    let villages = overdue::village_names(state, ("", "~"))?;
    let opt = |t: Option<i64>| t.map(stamp).unwrap_or_default();
    let episodes = rows
        .iter()
        .enumerate()
        .map(|(i, e)| {
            vec![
                Cell::Number((i + 1) as f64),
                text(agencies.get(&e.agency).cloned().unwrap_or_default()),
                text(e.name.clone()),
                text(villages.get(&e.place).cloned().unwrap_or_else(|| e.place.clone())),
                text(e.hospital.clone()),
                text(e.ward.clone()),
                text(
                    e.escort
                        .as_ref()
                        .and_then(|u| users.get(u).cloned())
                        .unwrap_or_else(|| "未指派".into()),
                ),
                text(stamp(e.opened)),
                text(opt(e.admitted)),
                text(opt(e.discharged)),
                text(tr.t(&format!("ep.status.{}", e.status()))),
                Cell::Number((e.minutes as f64 / 6.0).round() / 10.0),
                Cell::Number(e.steps_done() as f64),
                text(
                    e.missing_steps()
                        .iter()
                        .map(|c| tr.t(&format!("ep.step.{c}")))
                        .collect::<Vec<_>>()
                        .join("、"),
                ),
                text(if e.acknowledged { "是" } else { "否" }),
                Cell::Number(e.days_missing_records(at).len() as f64),
                text(if e.complete(at) { "是" } else { "否" }),
            ]
        })
        .collect();
    let mut totals: Vec<_> = ledger::totals(rows, warnings, at).into_iter().collect();
    totals.sort_by(|a, b| a.0.cmp(&b.0));
    let per_agency = totals
        .into_iter()
        .map(|(agency, t)| {
            vec![
                text(agencies.get(&agency).cloned().unwrap_or_default()),
                Cell::Number(t.episodes as f64),
                Cell::Number((t.minutes as f64 / 6.0).round() / 10.0),
                Cell::Number(t.complete as f64),
                Cell::Number(t.missed_steps as f64),
                Cell::Number(t.days_missing as f64),
                Cell::Number(t.warnings as f64),
            ]
        })
        .collect();
    Ok(vec![
        Sheet { name: "监测台账", headers: LEDGER_HEADERS, rows: episodes },
        Sheet { name: "机构汇总", headers: AGENCY_HEADERS, rows: per_agency },
    ])
}

/// `GET /console/export/{file}`: `ledger.xlsx`, `ledger.csv`, `overdue.xlsx`, `overdue.csv`.
pub async fn download(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(file): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, ConsoleError> {
    blocking(move || {
        let (what, format) = file.split_once('.').ok_or(ConsoleError::NotFound)?;
        if !matches!(format, "xlsx" | "csv") || !matches!(what, "ledger" | "overdue") {
            return Err(ConsoleError::NotFound);
        }
        let now = state.now();
        let place = access::narrow(&state, &session.user, q.place.as_deref())?;
        let agency = match q.agency.as_deref().filter(|a| !a.is_empty()) {
            Some(raw) => Some(access::agency(&state, &session.user, raw)?.id.to_string()),
            None => None,
        };
        let (lo, hi) = place
            .as_ref()
            .map(access::range_of)
            .unwrap_or_else(|| access::place_range(&session.user));
        summary::catch_up(&state.storage, &lo, &hi)?;
        let default = if what == "ledger" { Kind::Month } else { Kind::Day };
        let window = Window::from_query(&q, default, now);
        let at = window.as_of(now);
        let sheets = if what == "ledger" {
            let span = (window.start_ms(), window.end_ms());
            let rows = ledger::episodes(&state, (&lo, &hi), span, agency.as_deref())?;
            let warnings = ledger::warnings_by_beneficiary(&state, (&lo, &hi), span)?;
            ledger_sheets(&state, &rows, &warnings, at)?
        } else {
            vec![overdue_sheet(&state, (&lo, &hi), at)?]
        };
        let audit = AuditEvent {
            device: None,
            user: Some(session.user.id),
            event: format!("console.export.{what}"),
            doc: None,
        };
        state.storage.audit(&audit, now)?;
        let name = format!(
            "peihu-{what}-{}_{}.{format}",
            window.start.format("%Y%m%d"),
            window.last_day().format("%Y%m%d")
        );
        let (body, mime) = match format {
            "xlsx" => (
                to_xlsx(&sheets)?,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            _ => (to_csv(&sheets[0]), "text/csv; charset=utf-8"),
        };
        let disposition = format!("attachment; filename=\"{name}\"");
        Ok((
            [(header::CONTENT_TYPE, mime.to_string()), (header::CONTENT_DISPOSITION, disposition)],
            body,
        )
            .into_response())
    })
    .await
}

/// The overdue list at `at`.
pub fn overdue_sheet(
    state: &AppState,
    range: (&str, &str),
    at: i64,
) -> Result<Sheet, ConsoleError> {
    let tr = Tr(Lang::Zh);
    let villages = overdue::village_names(state, range)?;
    let rows = overdue::overdue_rows(state, range, at)?
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            vec![
                Cell::Number((i + 1) as f64),
                text(r.name),
                text(villages.get(&r.place).cloned().unwrap_or(r.place)),
                text(tr.colour(r.colour.code())),
                Cell::Number(overdue_days(&r.status).unwrap_or(0) as f64),
                text(r.last_visit.map(stamp).unwrap_or_else(|| "从未".into())),
                Cell::Number(r.open_warnings as f64),
            ]
        })
        .collect();
    Ok(Sheet { name: "逾期名单", headers: OVERDUE_HEADERS, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_commas_and_defuses_formulas() {
        let sheet = Sheet {
            name: "t",
            headers: &["甲"],
            rows: vec![vec![text("a,b")], vec![text("=1+1")], vec![text("say \"hi\"")]],
        };
        let csv = String::from_utf8(to_csv(&sheet)).unwrap();
        assert!(csv.starts_with('\u{FEFF}'));
        assert!(csv.contains("\"a,b\""));
        assert!(csv.contains("'=1+1"));
        assert!(csv.contains("\"say \"\"hi\"\"\""));
    }
}
