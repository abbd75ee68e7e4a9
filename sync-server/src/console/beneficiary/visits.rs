//! The visit timeline and the blood-pressure and glucose trend of a beneficiary.

use std::collections::HashMap;

use peihu_shared::model::{Case, GlucoseTiming, Vitals};

use crate::console::strings::Tr;
use crate::console::svg::{self, Series};

/// One visit as the timeline shows it (latest first).
#[derive(Debug, Clone)]
pub struct VisitView {
    /// Arrival.
    pub when: String,
    /// The helper.
    pub by: String,
    /// Minutes spent.
    pub minutes: i64,
    /// Readings as one line.
    pub vitals: String,
    /// Notes as amended.
    pub notes: String,
    /// Photos, as amended.
    pub photos: Vec<PhotoView>,
    /// Escalation reason, if any.
    pub escalation: Option<String>,
    /// Whether it was corrected after sign-off.
    pub amended: bool,
    /// Whether the helper checked in by GPS.
    pub located: bool,
}

/// One photo of a visit.
#[derive(Debug, Clone)]
pub struct PhotoView {
    /// Where the console serves it; `None` while the file has not reached the server yet
    /// (the page then says "photo pending" instead of showing a broken image).
    pub src: Option<String>,
    /// Capture time and place from the camera, when the record kept them.
    pub caption: String,
}

fn photo_view(
    tr: Tr,
    visit: &peihu_shared::model::Visit,
    hash: &peihu_shared::ids::BlobHash,
    blobs: &dyn crate::blobs::BlobStore,
) -> PhotoView {
    let arrived = blobs.state(hash).map(|s| s.complete).unwrap_or(false);
    let mut caption = Vec::new();
    if let Some(facts) = visit.facts_of(hash) {
        if let Some(t) = &facts.taken_at {
            caption.push(format!(
                "{}{}{}",
                tr.t("ben.photo_taken"),
                tr.colon(),
                t.replace('T', " ")
            ));
        }
        if let (Some(lat), Some(lon)) = (facts.lat_u, facts.lon_u) {
            caption.push(format!(
                "{}{}{:.5}, {:.5}",
                tr.t("ben.photo_place"),
                tr.colon(),
                f64::from(lat) / 1e6,
                f64::from(lon) / 1e6
            ));
        }
    }
    PhotoView {
        src: arrived.then(|| format!("/console/photo/{hash}")),
        caption: caption.join(tr.list_sep()),
    }
}

/// The readings of a visit in one line: `血压 150/95 · 脉搏 88 · 体温 36.8℃ …`.
pub fn vitals_line(tr: Tr, v: &Vitals) -> String {
    let zh = tr.is_zh();
    let mut parts = Vec::new();
    if let Some(bp) = v.bp {
        parts.push(format!("{} {}/{}", if zh { "血压" } else { "BP" }, bp.sys, bp.dia));
    }
    if let Some(p) = v.pulse {
        parts.push(format!("{} {p}", if zh { "脉搏" } else { "pulse" }));
    }
    if let Some(t) = v.temp {
        parts.push(format!("{} {:.1}℃", if zh { "体温" } else { "temp" }, t.celsius()));
    }
    if let Some(g) = v.glucose {
        let timing = match (g.timing, zh) {
            (GlucoseTiming::Fasting, true) => "空腹",
            (GlucoseTiming::Random, true) => "随机",
            (GlucoseTiming::AfterMeal2h, true) => "餐后2h",
            (GlucoseTiming::Fasting, false) => "fasting",
            (GlucoseTiming::Random, false) => "random",
            (GlucoseTiming::AfterMeal2h, false) => "2 h after a meal",
        };
        parts.push(format!("{} {:.1}（{timing}）", if zh { "血糖" } else { "glucose" }, g.mmol()));
    }
    if let Some(s) = v.spo2 {
        parts.push(format!("SpO₂ {s}%"));
    }
    if let Some(w) = v.weight_kg() {
        parts.push(format!("{} {w:.1}kg", if zh { "体重" } else { "weight" }));
    }
    parts.join(" · ")
}

/// Every visit, latest first, as amended.
pub fn views(
    tr: Tr,
    case: &Case,
    users: &HashMap<String, String>,
    blobs: &dyn crate::blobs::BlobStore,
) -> Vec<VisitView> {
    let mut list: Vec<_> = case.visits.values().collect();
    list.sort_by_key(|v| std::cmp::Reverse((v.arrived, v.id)));
    list.into_iter()
        .map(|v| {
            let e = v.effective();
            VisitView {
                when: tr.time(v.arrived),
                by: users.get(&v.prov.by.to_string()).cloned().unwrap_or_default(),
                minutes: ((v.departed - v.arrived) / 60_000).max(0),
                vitals: vitals_line(tr, &e.vitals),
                notes: e.notes.clone(),
                photos: e.photos.iter().map(|h| photo_view(tr, &e, h, blobs)).collect(),
                escalation: v.escalation.clone(),
                amended: !v.amendments.is_empty(),
                located: v.checkin.source == peihu_shared::model::LocationSource::Gps,
            }
        })
        .collect()
}

/// The trend charts (blood pressure, glucose) over the latest 60 visits with readings, and
/// whether there was anything to draw.
pub fn trends(tr: Tr, case: &Case) -> (String, String, bool) {
    let mut list: Vec<_> =
        case.visits.values().map(|v| (v.arrived, v.effective().vitals)).collect();
    list.sort_by_key(|(t, _)| *t);
    let with_bp: Vec<_> = list.iter().filter_map(|(t, v)| v.bp.map(|b| (*t, b))).collect();
    let with_bp = &with_bp[with_bp.len().saturating_sub(60)..];
    let with_glucose: Vec<_> =
        list.iter().filter_map(|(t, v)| v.glucose.map(|g| (*t, g.mmol()))).collect();
    let with_glucose = &with_glucose[with_glucose.len().saturating_sub(60)..];
    let zh = tr.is_zh();
    let bp = svg::trend(
        tr.t("ben.trend_bp"),
        &[
            Series {
                name: if zh { "收缩压" } else { "systolic" }.into(),
                colour: "#c62828",
                points: with_bp.iter().map(|(t, b)| (*t, f64::from(b.sys))).collect(),
            },
            Series {
                name: if zh { "舒张压" } else { "diastolic" }.into(),
                colour: "#1565c0",
                points: with_bp.iter().map(|(t, b)| (*t, f64::from(b.dia))).collect(),
            },
        ],
        Some((140.0, "140")),
    );
    let glucose = svg::trend(
        tr.t("ben.trend_glucose"),
        &[Series {
            name: if zh { "血糖" } else { "glucose" }.into(),
            colour: "#6a1b9a",
            points: with_glucose.to_vec(),
        }],
        None,
    );
    let has = !with_bp.is_empty() || !with_glucose.is_empty();
    (
        if with_bp.is_empty() { String::new() } else { bp },
        if with_glucose.is_empty() { String::new() } else { glucose },
        has,
    )
}
