//! Small inline SVG charts: stacked bars, plain bars, meters and trend lines. No script, no
//! external files; every chart has a title for screen readers and the figures also appear as
//! text beside it.

use std::fmt::Write;

/// Escapes text for SVG.
fn esc(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// One stacked bar: a label and its segments `(value, colour)`.
#[derive(Debug, Clone)]
pub struct Stack {
    /// Shown left of the bar.
    pub label: String,
    /// Segments in order.
    pub parts: Vec<(i64, &'static str)>,
}

const LABEL_W: f64 = 150.0;
const BAR_W: f64 = 380.0;

/// Horizontal stacked bars, one per row, scaled to the largest total.
pub fn stacked_bars(title: &str, rows: &[Stack]) -> String {
    let max =
        rows.iter().map(|r| r.parts.iter().map(|p| p.0).sum::<i64>()).max().unwrap_or(0).max(1);
    let height = 34.0 * rows.len() as f64 + 10.0;
    let mut out = open(title, LABEL_W + BAR_W + 60.0, height);
    for (i, row) in rows.iter().enumerate() {
        let y = 8.0 + 34.0 * i as f64;
        let _ = write!(
            out,
            r#"<text x="0" y="{:.1}" font-size="14">{}</text>"#,
            y + 17.0,
            esc(&row.label)
        );
        let mut x = LABEL_W;
        for (value, colour) in &row.parts {
            let w = BAR_W * (*value as f64) / max as f64;
            if w > 0.0 {
                let _ = write!(
                    out,
                    r#"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="24" fill="{colour}"/>"#
                );
                if w > 22.0 {
                    let _ = write!(
                        out,
                        r##"<text x="{:.1}" y="{:.1}" font-size="12" fill="#fff" text-anchor="middle">{value}</text>"##,
                        x + w / 2.0,
                        y + 16.5
                    );
                }
            }
            x += w;
        }
        let total: i64 = row.parts.iter().map(|p| p.0).sum();
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{:.1}" font-size="13">{total}</text>"#,
            x + 6.0,
            y + 17.0
        );
    }
    out.push_str("</svg>");
    out
}

/// Horizontal bars with the value written after each.
pub fn bars(title: &str, rows: &[(String, f64, String)], colour: &str) -> String {
    let max = rows.iter().map(|r| r.1).fold(0.0, f64::max).max(1e-9);
    let height = 30.0 * rows.len() as f64 + 10.0;
    let mut out = open(title, LABEL_W + BAR_W + 80.0, height);
    for (i, (label, value, shown)) in rows.iter().enumerate() {
        let y = 6.0 + 30.0 * i as f64;
        let w = (BAR_W * value / max).max(if *value > 0.0 { 2.0 } else { 0.0 });
        let _ = write!(
            out,
            r#"<text x="0" y="{:.1}" font-size="13">{}</text>"#,
            y + 15.0,
            esc(&truncate(label, 11))
        );
        let _ = write!(
            out,
            r#"<rect x="{LABEL_W}" y="{y:.1}" width="{w:.1}" height="20" fill="{colour}"/>"#
        );
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{:.1}" font-size="13">{}</text>"#,
            LABEL_W + w + 6.0,
            y + 15.0,
            esc(shown)
        );
    }
    out.push_str("</svg>");
    out
}

fn truncate(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(chars - 1).collect();
    cut.push('…');
    cut
}

/// A small meter for `done` out of `total` (nine steps).
pub fn meter(done: usize, total: usize) -> String {
    let mut out = String::from(
        r#"<svg class="meter" width="92" height="12" viewBox="0 0 92 12" aria-hidden="true">"#,
    );
    for i in 0..total {
        let fill = if i < done { "#2e7d32" } else { "#d5dbe3" };
        let _ = write!(out, r#"<rect x="{}" y="1" width="8" height="10" fill="{fill}"/>"#, i * 10);
    }
    out.push_str("</svg>");
    out
}

/// One series of a trend chart.
#[derive(Debug, Clone)]
pub struct Series {
    /// Its name in the legend.
    pub name: String,
    /// Its colour.
    pub colour: &'static str,
    /// Points `(time ms, value)`, oldest first.
    pub points: Vec<(i64, f64)>,
}

/// A line chart over time with a y axis from the data (plus a little room) and, optionally,
/// a dashed reference line (a threshold).
pub fn trend(title: &str, series: &[Series], reference: Option<(f64, &str)>) -> String {
    let all: Vec<(i64, f64)> = series.iter().flat_map(|s| s.points.iter().copied()).collect();
    let (w, h, left, top, bottom) = (560.0, 200.0, 44.0, 24.0, 24.0);
    let mut out = open(title, w, h);
    if all.is_empty() {
        out.push_str("</svg>");
        return out;
    }
    let (t0, t1) =
        (all.iter().map(|p| p.0).min().unwrap_or(0), all.iter().map(|p| p.0).max().unwrap_or(1));
    let mut lo = all.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let mut hi = all.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    if let Some((r, _)) = reference {
        lo = lo.min(r);
        hi = hi.max(r);
    }
    let pad = ((hi - lo) * 0.1).max(1.0);
    let (lo, hi) = (lo - pad, hi + pad);
    let x = |t: i64| {
        left + (w - left - 10.0) * if t1 > t0 { (t - t0) as f64 / (t1 - t0) as f64 } else { 0.5 }
    };
    let y = |v: f64| top + (h - top - bottom) * (1.0 - (v - lo) / (hi - lo));
    for tick in [lo + pad, (lo + hi) / 2.0, hi - pad] {
        let _ = write!(
            out,
            r##"<line x1="{left}" x2="{:.1}" y1="{:.1}" y2="{:.1}" stroke="#e3e8ee"/><text x="{:.1}" y="{:.1}" font-size="11" text-anchor="end">{tick:.0}</text>"##,
            w - 10.0,
            y(tick),
            y(tick),
            left - 4.0,
            y(tick) + 4.0
        );
    }
    if let Some((r, label)) = reference {
        let _ = write!(
            out,
            r##"<line x1="{left}" x2="{:.1}" y1="{:.1}" y2="{:.1}" stroke="#c62828" stroke-dasharray="4 3"/><text x="{:.1}" y="{:.1}" font-size="11" fill="#c62828" text-anchor="end">{}</text>"##,
            w - 10.0,
            y(r),
            y(r),
            w - 10.0,
            y(r) - 3.0,
            esc(label)
        );
    }
    for (i, s) in series.iter().enumerate() {
        let path: Vec<String> =
            s.points.iter().map(|&(t, v)| format!("{:.1},{:.1}", x(t), y(v))).collect();
        let _ = write!(
            out,
            r#"<polyline fill="none" stroke="{}" stroke-width="2" points="{}"/>"#,
            s.colour,
            path.join(" ")
        );
        for &(t, v) in &s.points {
            let _ = write!(
                out,
                r#"<circle cx="{:.1}" cy="{:.1}" r="2.5" fill="{}"/>"#,
                x(t),
                y(v),
                s.colour
            );
        }
        let lx = left + 130.0 * i as f64;
        let _ = write!(
            out,
            r#"<rect x="{lx:.1}" y="4" width="12" height="4" fill="{}"/><text x="{:.1}" y="11" font-size="12">{}</text>"#,
            s.colour,
            lx + 16.0,
            esc(&s.name)
        );
    }
    let day = |t: i64| peihu_shared::time::china_date(t).format("%m-%d").to_string();
    let _ = write!(
        out,
        r#"<text x="{left}" y="{:.1}" font-size="11">{}</text><text x="{:.1}" y="{:.1}" font-size="11" text-anchor="end">{}</text>"#,
        h - 6.0,
        day(t0),
        w - 10.0,
        h - 6.0,
        day(t1)
    );
    out.push_str("</svg>");
    out
}

fn open(title: &str, w: f64, h: f64) -> String {
    format!(
        r#"<svg class="chart" viewBox="0 0 {w:.0} {h:.0}" role="img" aria-label="{t}" xmlns="http://www.w3.org/2000/svg"><title>{t}</title>"#,
        t = esc(title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped_so_a_name_cannot_break_the_markup() {
        let svg = bars("t", &[("<b>&".into(), 1.0, "1".into())], "#000");
        assert!(svg.contains("&lt;b&gt;&amp;"));
        assert!(!svg.contains("<b>"));
    }

    #[test]
    fn a_trend_without_points_is_still_a_closed_svg() {
        let svg = trend("empty", &[], None);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }
}
