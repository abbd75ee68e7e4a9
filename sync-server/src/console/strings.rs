//! Every string the console shows, Chinese first, English second, in one table.
//!
//! Templates and handlers ask [`Tr::t`] for a key; a key missing from the table shows as the key
//! itself, and a unit test reads every template and console source file to make sure none is.

use std::collections::HashMap;
use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};

/// The console's languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// 简体中文, the default.
    Zh,
    /// English.
    En,
}

impl Lang {
    /// `zh` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// Reads `zh` or `en`.
    pub fn from_code(text: &str) -> Option<Lang> {
        match text {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

/// The translator a page carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tr(pub Lang);

static TABLE: LazyLock<HashMap<&'static str, (&'static str, &'static str)>> =
    LazyLock::new(|| STRINGS.iter().map(|(k, zh, en)| (*k, (*zh, *en))).collect());

impl Tr {
    /// The string for `key` in this language (the key itself if the table lacks it, so a
    /// missing translation is visible rather than blank).
    pub fn t(&self, key: &str) -> &'static str {
        match TABLE.get(key) {
            Some((zh, en)) => match self.0 {
                Lang::Zh => zh,
                Lang::En => en,
            },
            None => missing(key),
        }
    }

    /// Whether the page is in Chinese.
    pub fn is_zh(&self) -> bool {
        self.0 == Lang::Zh
    }

    /// `zh` or `en`, for `<html lang>`.
    pub fn html_lang(&self) -> &'static str {
        match self.0 {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// A date: `2026年12月4日` or `2026-12-04`.
    pub fn date(&self, d: NaiveDate) -> String {
        match self.0 {
            Lang::Zh => format!("{}年{}月{}日", d.year(), d.month(), d.day()),
            Lang::En => d.format("%Y-%m-%d").to_string(),
        }
    }

    /// An instant in China time: `2026年12月4日 08:30` or `2026-12-04 08:30`.
    pub fn time(&self, ms: i64) -> String {
        let t = peihu_shared::time::china_time(ms);
        format!("{} {}", self.date(t.date_naive()), t.format("%H:%M"))
    }

    /// An instant without the year, for dense tables: `12月4日 08:30` or `12-04 08:30`.
    pub fn short_time(&self, ms: i64) -> String {
        let t = peihu_shared::time::china_time(ms);
        match self.0 {
            Lang::Zh => format!("{}月{}日 {}", t.month(), t.day(), t.format("%H:%M")),
            Lang::En => t.format("%m-%d %H:%M").to_string(),
        }
    }

    /// A whole number of days as text: `3天` or `3 d`.
    pub fn days(&self, n: impl std::borrow::Borrow<i64>) -> String {
        let n = *n.borrow();
        match self.0 {
            Lang::Zh => format!("{n}天"),
            Lang::En => format!("{n} d"),
        }
    }

    /// The separator after a label: `：` or `: `.
    pub fn colon(&self) -> &'static str {
        if self.is_zh() { "：" } else { ": " }
    }

    /// A count or aside in brackets after a heading: `（3）` or ` (3)`.
    pub fn count(&self, n: impl std::fmt::Display) -> String {
        if self.is_zh() { format!("（{n}）") } else { format!(" ({n})") }
    }

    /// The separator between items of a list: `、` or `, `.
    pub fn list_sep(&self) -> &'static str {
        if self.is_zh() { "、" } else { ", " }
    }

    /// Hours with one decimal from minutes.
    pub fn hours(&self, minutes: i64) -> String {
        format!("{:.1}", minutes as f64 / 60.0)
    }

    /// A colour's name.
    pub fn colour(&self, code: &str) -> &'static str {
        match (code, self.0) {
            ("red", Lang::Zh) => "红色",
            ("yellow", Lang::Zh) => "黄色",
            ("blue", Lang::Zh) => "蓝色",
            ("red", Lang::En) => "red",
            ("yellow", Lang::En) => "yellow",
            ("blue", Lang::En) => "blue",
            _ => "—",
        }
    }
}

/// A key the table lacks, kept for the life of the process (each distinct key once; a missing
/// key is a bug the unit test below is there to catch).
fn missing(key: &str) -> &'static str {
    use std::collections::HashSet;
    use std::sync::Mutex;
    static SEEN: LazyLock<Mutex<HashSet<&'static str>>> =
        LazyLock::new(|| Mutex::new(HashSet::new()));
    let mut seen = SEEN.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(k) = seen.get(key) {
        return k;
    }
    tracing::warn!(key, "console string missing from the table");
    let leaked: &'static str = Box::leak(key.to_string().into_boxed_str());
    seen.insert(leaked);
    leaked
}

/// `(key, 中文, English)`.
const STRINGS: &[(&str, &str, &str)] = &[
    // The frame.
    ("app.title", "陪护监管台", "Peihu supervision console"),
    ("app.programme", "分散供养特困人员照护与住院陪护", "Home care and hospital escort"),
    ("nav.skip", "跳到正文", "Skip to content"),
    ("nav.overview", "总览", "Overview"),
    ("nav.overdue", "逾期名单", "Overdue"),
    ("nav.dispatch", "陪护派单", "Dispatch"),
    ("nav.agencies", "服务机构", "Agencies"),
    ("nav.figures", "工作成效", "Figures"),
    ("nav.logout", "退出", "Sign out"),
    ("nav.lang_other", "English", "中文"),
    ("nav.print", "打印本页请使用浏览器打印（Ctrl+P）", "Print with your browser (Ctrl+P)"),
    ("frame.division", "辖区", "Division"),
    ("frame.user", "当前用户", "Signed in as"),
    ("frame.generated", "生成时间", "Generated"),
    // Login.
    ("login.title", "监管台登录", "Sign in to the console"),
    ("login.login", "用户名", "User name"),
    ("login.password", "密码", "Password"),
    ("login.submit", "登录", "Sign in"),
    ("login.refused", "用户名或密码不正确。", "The user name or password is wrong."),
    (
        "login.locked",
        "连续输错次数过多，该账号已暂时锁定15分钟，请稍后再试或联系管理员。",
        "Too many wrong attempts: this account is locked for 15 minutes. Try later or call the administrator.",
    ),
    ("login.note", "仅限民政部门工作人员使用。", "For civil-affairs staff only."),
    // Periods.
    ("period.day", "日", "Day"),
    ("period.week", "周", "Week"),
    ("period.month", "月", "Month"),
    ("period.range", "自定义", "Range"),
    ("period.previous", "上一期", "Previous"),
    ("period.next", "下一期", "Next"),
    ("period.from", "起始日期", "From"),
    ("period.to", "截止日期", "To"),
    ("period.show", "查看", "Show"),
    ("period.as_of", "截至", "As of"),
    ("period.place", "范围", "Area"),
    ("period.all", "全部辖区", "Whole division"),
    // Colours and duty.
    ("colour", "风险等级", "Risk colour"),
    ("duty.done", "已走访", "Visited"),
    ("duty.due", "待走访", "Due"),
    ("duty.overdue", "逾期", "Overdue"),
    ("duty.rule", "红色每日、黄色每周、蓝色每月走访一次", "Red daily, yellow weekly, blue monthly"),
    // Overview.
    ("overview.title", "总览", "Overview"),
    ("overview.duty", "走访履职情况", "Visit duty"),
    ("overview.duty_note", "按各风险等级的走访周期判断", "Judged by each colour's visit period"),
    ("overview.visits_in_period", "本期走访次数", "Visits in the period"),
    ("overview.beneficiaries", "服务对象", "Beneficiaries"),
    ("overview.warnings", "未处置预警", "Open early warnings"),
    ("overview.warning_age", "预警已持续", "Open for"),
    ("overview.no_warnings", "没有未处置的预警。", "No open early warnings."),
    ("overview.oldest_warnings", "持续最久的预警", "Longest-open warnings"),
    ("overview.episodes", "在院陪护", "Escort episodes in progress"),
    ("overview.no_episodes", "当前没有在院陪护。", "No escort episodes in progress."),
    ("overview.hours", "各机构服务时长（小时）", "Service hours by agency"),
    ("overview.no_hours", "本期没有打卡记录。", "No clock-ins in this period."),
    ("overview.devices", "设备状况", "Devices"),
    ("overview.devices_unsynced", "超过1天未同步", "Not synced for over a day"),
    ("overview.devices_flagged", "时钟偏差", "Clock drift flagged"),
    (
        "overview.devices_ok",
        "所有设备均在1天内同步，时钟正常。",
        "Every device synced within a day with a good clock.",
    ),
    ("overview.see_overdue", "查看逾期名单", "See the overdue list"),
    ("age.under_1d", "1天内", "< 1 day"),
    ("age.1_3d", "1–3天", "1–3 days"),
    ("age.3_7d", "3–7天", "3–7 days"),
    ("age.over_7d", "7天以上", "> 7 days"),
    // Common columns.
    ("col.name", "姓名", "Name"),
    ("col.village", "村（居）", "Village"),
    ("col.colour", "风险等级", "Colour"),
    ("col.status", "状态", "Status"),
    ("col.overdue_days", "逾期天数", "Days overdue"),
    ("col.last_visit", "最近走访", "Last visit"),
    ("col.open_warnings", "未处置预警", "Open warnings"),
    ("col.raised", "发出时间", "Raised"),
    ("col.severity", "级别", "Severity"),
    ("col.age", "已持续", "Open for"),
    ("col.hospital", "医院", "Hospital"),
    ("col.ward", "科室", "Ward"),
    ("col.bed", "床号", "Bed"),
    ("col.escort", "陪护员", "Escort"),
    ("col.agency", "服务机构", "Agency"),
    ("col.admitted", "入院", "Admitted"),
    ("col.discharged", "出院", "Discharged"),
    ("col.steps", "九步完成", "Nine steps"),
    ("col.missing_days", "缺记录天数", "Days missing records"),
    ("col.hours", "服务时长（小时）", "Hours"),
    ("col.device", "设备", "Device"),
    ("col.user", "使用人", "User"),
    ("col.role", "角色", "Role"),
    ("col.last_sync", "最近同步", "Last sync"),
    ("col.drift", "时钟偏差", "Clock drift"),
    ("col.time", "时间", "Time"),
    ("col.author", "记录人", "By"),
    ("col.evidence", "佐证", "Evidence"),
    ("col.reason", "原因", "Reason"),
    ("col.action", "操作", "Action"),
    ("col.episodes", "陪护人次", "Episodes"),
    ("col.complete", "九步齐全", "Complete"),
    ("col.missed_steps", "缺失步骤", "Missed steps"),
    ("col.warnings", "期间预警", "Warnings"),
    ("col.ladder", "督办", "Escalation"),
    ("col.requested", "申请时间", "Requested"),
    ("col.state", "状态", "State"),
    ("never", "从未", "never"),
    ("none", "无", "none"),
    ("yes", "是", "yes"),
    ("no", "否", "no"),
    ("measure.sys", "收缩压", "Systolic BP"),
    ("measure.dia", "舒张压", "Diastolic BP"),
    ("measure.pulse", "心率", "Heart rate"),
    ("measure.temp", "体温", "Temperature"),
    ("measure.temp_axillary", "体温（腋下）", "Temperature (armpit)"),
    ("measure.temp_oral", "体温（口腔）", "Temperature (mouth)"),
    ("measure.temp_ear", "体温（耳温）", "Temperature (ear)"),
    ("measure.temp_rectal", "体温（肛温）", "Temperature (rectal)"),
    ("measure.spo2", "血氧", "SpO2"),
    ("measure.glucose", "血糖", "Glucose"),
    ("measure.glucose_fasting", "空腹血糖", "Fasting glucose"),
    ("measure.glucose_random", "随机血糖", "Random glucose"),
    ("measure.glucose_after_meal", "餐后血糖", "Glucose after a meal"),
    ("severity.high", "高", "high"),
    ("severity.urgent", "紧急", "urgent"),
    ("role.helper", "帮帮团成员", "helper"),
    ("role.escort", "陪护员", "escort"),
    ("role.supervisor", "民政工作人员", "supervisor"),
    ("role.admin", "管理员", "admin"),
    ("unassigned", "未指派", "unassigned"),
    // Overdue list.
    ("overdue.title", "逾期未走访名单", "Overdue home visits"),
    ("overdue.none", "没有逾期的服务对象。", "Nobody is overdue."),
    ("export.xlsx", "导出Excel", "Export .xlsx"),
    ("export.csv", "导出CSV", "Export CSV"),
    ("export.ledger", "监测台账", "Monitoring ledger"),
    ("export.overdue", "逾期名单", "Overdue list"),
    // Beneficiary.
    ("ben.profile", "基本信息", "Profile"),
    ("ben.sex", "性别", "Sex"),
    ("ben.birth", "出生日期", "Born"),
    ("ben.age", "年龄", "Age"),
    ("ben.id_number", "身份证号", "ID number"),
    ("ben.address", "住址", "Address"),
    ("ben.living", "居住情况", "Lives"),
    ("ben.disability", "失能等级", "Disability"),
    ("ben.allergies", "过敏史", "Allergies"),
    ("ben.conditions", "慢性病", "Conditions"),
    ("ben.contact", "联系人", "Contact"),
    ("ben.duty_now", "当前走访状态", "Visit duty now"),
    ("ben.colour_history", "风险等级变更记录", "Colour history"),
    ("ben.change_colour", "调整风险等级", "Change the risk colour"),
    ("ben.new_colour", "新的风险等级", "New colour"),
    ("ben.reason", "调整原因（必填）", "Reason (required)"),
    ("ben.save_colour", "保存调整", "Save the change"),
    (
        "ben.colour_saved",
        "风险等级已调整，平板将在下次同步时收到。",
        "Colour changed; tablets receive it at their next sync.",
    ),
    ("ben.trend", "血压与血糖趋势", "Blood pressure and glucose"),
    ("ben.trend_bp", "血压（mmHg）", "Blood pressure (mmHg)"),
    ("ben.trend_glucose", "血糖（mmol/L）", "Glucose (mmol/L)"),
    ("ben.no_readings", "暂无读数。", "No readings yet."),
    ("ben.visits", "走访记录", "Home visits"),
    ("ben.visits_all", "显示全部走访", "Show every visit"),
    ("ben.no_visits", "暂无走访记录。", "No visits recorded."),
    ("ben.duration", "时长", "Length"),
    ("ben.vitals", "体征", "Vital signs"),
    ("ben.notes", "情况记录", "Notes"),
    ("ben.photos", "照片", "Photos"),
    ("ben.photo_pending", "照片待上传", "photo pending"),
    ("ben.photo_taken", "拍摄时间", "taken"),
    ("ben.photo_place", "拍摄地点", "place"),
    ("ben.amended", "已更正", "corrected"),
    ("ben.escalated", "已上报", "escalated"),
    ("ben.warnings", "预警与处置", "Early warnings and actions"),
    ("ben.no_warnings_ever", "没有预警记录。", "No early warnings."),
    ("ben.closed", "已闭环", "closed"),
    ("ben.open", "待处置", "open"),
    ("ben.act", "记录处置", "Record an action"),
    ("ben.act_text", "处置情况", "What was done"),
    ("ben.act_closes", "处置完毕，关闭预警", "This closes the warning"),
    ("ben.act_save", "保存处置", "Save"),
    ("ben.episodes", "住院陪护", "Hospital escorts"),
    ("ben.no_episodes", "没有住院陪护记录。", "No hospital stays."),
    ("ben.open_episode", "电话派单：开启住院陪护", "Phone call: open an escort episode"),
    ("ben.expected", "预计入院", "Expected admission"),
    ("ben.open_episode_save", "开启陪护并派单", "Open and dispatch"),
    ("ben.requests", "帮帮团陪护申请", "Helpers' escort requests"),
    ("ben.conflicts", "待确认的并发修改", "Concurrent edits to settle"),
    (
        "ben.conflicts_note",
        "两台设备同时修改了同一字段，请确认保留哪个值，确认后会同步到平板。",
        "Two devices changed the same field at once: choose the value to keep; tablets receive it at their next sync.",
    ),
    ("ben.keep", "保留此值", "Keep this value"),
    ("ben.services", "出院后服务", "Post-discharge services"),
    ("sex.male", "男", "male"),
    ("sex.female", "女", "female"),
    ("living.alone", "独居", "alone"),
    ("living.with_spouse", "与配偶同住", "with spouse"),
    ("living.with_relatives", "与亲属同住", "with relatives"),
    ("living.other", "其他", "other"),
    ("disability.none", "能力完好", "none"),
    ("disability.partial", "半失能", "partial"),
    ("disability.full", "失能", "full"),
    // Episode.
    ("ep.title", "住院陪护", "Escort episode"),
    ("ep.back", "返回服务对象", "Back to the beneficiary"),
    ("ep.expected_short", "预计", "expected"),
    ("col.admitted_or_expected", "入院（预计）", "Admitted (expected)"),
    ("ben.village", "所属村（居）", "Village"),
    ("ep.steps", "三阶九步", "Three stages, nine steps"),
    ("ep.stage.admission", "入院·三告知", "Admission: three notices"),
    ("ep.stage.stay", "住院·三记录", "Stay: three records"),
    ("ep.stage.discharge", "出院·三反馈", "Discharge: three handovers"),
    ("ep.step.notice.coverage", "告知服务内容", "Notice: what the service covers"),
    ("ep.step.notice.standard", "告知服务标准", "Notice: the standard"),
    ("ep.step.notice.complaints", "告知投诉监督渠道", "Notice: how to complain"),
    ("ep.step.daily.services", "记录服务项目", "Record: services done"),
    ("ep.step.daily.orders", "记录医嘱", "Record: doctor's orders"),
    ("ep.step.daily.special", "记录特殊情况", "Record: special situations"),
    ("ep.step.handover.care_points", "反馈护理要点", "Handover: care points"),
    ("ep.step.handover.medication", "反馈用药清单", "Handover: medication list"),
    ("ep.step.handover.rehabilitation", "反馈康复建议", "Handover: rehabilitation advice"),
    ("ep.missing", "缺失", "missing"),
    ("ep.pending", "待完成（本阶段尚未开始）", "pending (stage not begun)"),
    ("overdue.today", "今日起逾期", "since today"),
    ("ep.ack", "明白卡确认", "Clarity card acknowledged"),
    ("ep.ack.signature", "本人签名", "signed"),
    ("ep.ack.attested_tick", "勾选并由陪护员见证", "ticked, attested by the escort"),
    ("ep.days_missing", "缺少三记录的日期", "Days missing a daily record"),
    ("ep.shifts", "陪护打卡与时长", "Shifts and hours"),
    ("ep.clock_in", "上岗", "Clock-in"),
    ("ep.clock_out", "离岗", "Clock-out"),
    ("ep.on_duty", "在岗中", "on duty"),
    ("ep.no_shifts", "暂无打卡记录。", "No shifts yet."),
    ("ep.total_hours", "合计服务时长", "Total hours"),
    ("ep.assign", "指派陪护员", "Assign the escort"),
    ("ep.assign_save", "保存指派", "Save"),
    ("ep.status.waiting", "待入院", "waiting for admission"),
    ("ep.status.in_hospital", "在院", "in hospital"),
    ("ep.status.discharged", "已出院", "discharged"),
    ("ep.opened", "派单时间", "Opened"),
    ("ep.records", "每日记录", "Daily records"),
    ("ep.handovers", "出院反馈", "Handovers"),
    // Dispatch.
    ("dispatch.title", "陪护派单", "Escort dispatch"),
    ("dispatch.pending", "待派单的陪护申请", "Escort requests waiting"),
    ("dispatch.none", "没有待派单的申请。", "No requests are waiting."),
    ("dispatch.go", "派单", "Dispatch"),
    (
        "dispatch.note",
        "来自帮帮团平板的陪护申请；派单后在服务对象页开启住院陪护。",
        "Requests from helpers' tablets; dispatching opens an episode on the beneficiary's page.",
    ),
    // Agencies and the ladder.
    ("agency.title", "服务机构监管台账", "Agency ledger"),
    ("agency.suspended", "已停止服务", "removed from service"),
    ("agency.active", "服务中", "in service"),
    ("agency.ledger", "本期台账", "Ledger for the period"),
    (
        "agency.ladder",
        "督办记录（提醒 → 限期整改 → 清退）",
        "Escalation (reminder → rectification → removal)",
    ),
    ("agency.no_ladder", "暂无督办记录。", "No escalation recorded."),
    ("agency.add_step", "新增督办", "Record an escalation step"),
    ("agency.step", "督办方式", "Step"),
    ("agency.deadline", "整改期限", "Deadline"),
    ("agency.note", "情况说明", "Note"),
    ("agency.save_step", "保存", "Save"),
    ("agency.outcome", "结果", "Outcome"),
    ("agency.record_outcome", "登记结果", "Record the outcome"),
    (
        "agency.confirm_removal",
        "确认清退：该机构所有陪护员设备将立即停止同步",
        "Confirm removal: every escort device of this agency stops syncing at once",
    ),
    (
        "agency.removal_not_allowed",
        "清退须由覆盖该机构服务范围的县级以上民政部门执行。",
        "Removal must be done at a level covering every place the agency works (county or above).",
    ),
    ("agency.episodes", "本期陪护", "Episodes in the period"),
    ("step.reminder", "提醒", "reminder"),
    ("step.rectification", "限期整改", "rectification"),
    ("step.removal", "清退", "removal"),
    ("outcome.rectified", "已整改", "rectified"),
    ("outcome.not_rectified", "逾期未整改", "not rectified"),
    ("outcome.noted", "已知悉", "acknowledged"),
    ("outcome.pending", "待反馈", "pending"),
    ("ladder.overdue", "已超期", "past deadline"),
    // Figures.
    (
        "fig.title",
        "工作成效（据系统数据自动统计）",
        "Programme figures (computed from the records)",
    ),
    ("fig.escorted", "住院陪护服务对象（人）", "Beneficiaries escorted"),
    ("fig.episodes", "陪护人次", "Escort episodes"),
    ("fig.hours", "陪护服务时长（小时）", "Escort service hours"),
    ("fig.complete", "九步齐全率", "Nine steps complete"),
    ("fig.warnings", "发出预警（次）", "Early warnings raised"),
    ("fig.acted", "已干预处置（次）", "Warnings acted on"),
    ("fig.services", "出院后服务（人次）", "Post-discharge services (person-times)"),
    ("fig.return_visits", "出院后回访（次）", "Return visits after discharge"),
    ("fig.rectified", "问题整改完成（个）", "Problems rectified"),
    ("fig.reminders", "提醒、约谈机构（次）", "Reminders to agencies"),
    ("fig.visits", "入户走访（次）", "Home visits"),
    ("fig.definitions", "口径说明", "How each figure is counted"),
    (
        "fig.def.escorted",
        "期间内在院（入院至出院与期间有交集）的不同服务对象数。",
        "Distinct beneficiaries whose stay overlaps the period.",
    ),
    (
        "fig.def.acted",
        "期间内发出的预警中，已有处置记录的数量。",
        "Warnings raised in the period that have at least one recorded action.",
    ),
    (
        "fig.def.services",
        "期间内登记的出院后服务（医疗、福利、四个一）人次。",
        "Post-discharge services (medical, welfare, four ones) recorded in the period.",
    ),
    (
        "fig.def.return_visits",
        "出院后30天内的入户走访次数。",
        "Home visits within 30 days after a discharge.",
    ),
    (
        "fig.def.rectified",
        "期间内登记为“已整改”的限期整改事项。",
        "Rectification steps recorded as rectified in the period.",
    ),
    // Errors and forms.
    ("form.required", "请填写此项。", "Please fill this in."),
    ("form.bad_colour", "请选择风险等级。", "Choose a colour."),
    ("form.bad_date", "日期格式应为 年-月-日。", "Dates are written YYYY-MM-DD."),
    ("form.bad_agency", "请选择仍在服务的机构。", "Choose an agency in service."),
    ("form.bad_escort", "陪护员须属于所选机构。", "The escort must belong to the chosen agency."),
    (
        "form.conflict_changed",
        "该字段已被再次修改，请刷新后重新确认。",
        "The field changed again: reload and choose again.",
    ),
    (
        "form.out_of_division",
        "该值会使记录移出您的辖区，未保存。",
        "That value would move the record out of your division; not saved.",
    ),
    ("form.saved", "已保存。", "Saved."),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `t("…")` key used by a template or console source must be in the table.
    #[test]
    fn every_key_used_in_templates_and_sources_is_translated() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        let mut dirs = vec![root.join("templates"), root.join("src/console")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() { dirs.push(path) } else { files.push(path) }
            }
        }
        let mut missing = Vec::new();
        for file in files {
            {
                let text = std::fs::read_to_string(file).unwrap();
                for part in text.split("t(\"").skip(1) {
                    let key = part.split('"').next().unwrap();
                    let looks_like_key = key.contains('.') || TABLE.contains_key(key);
                    if looks_like_key && !key.contains(' ') && !TABLE.contains_key(key) {
                        missing.push(key.to_string());
                    }
                }
            }
        }
        assert!(missing.is_empty(), "untranslated keys: {missing:?}");
    }

    /// A warning row names its measure in words, so every measure a threshold rule can raise
    /// one for needs its name.
    #[test]
    fn every_measure_in_the_thresholds_has_a_name() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../assets/vital_thresholds.toml");
        let text = std::fs::read_to_string(path).unwrap();
        let unnamed: Vec<&str> = text
            .lines()
            .filter_map(|l| l.trim().strip_prefix("measure = \""))
            .filter_map(|rest| rest.split('"').next())
            .filter(|m| !TABLE.contains_key(format!("measure.{m}").as_str()))
            .collect();
        assert!(unnamed.is_empty(), "measures without a name: {unnamed:?}");
    }

    #[test]
    fn no_key_is_listed_twice() {
        assert_eq!(TABLE.len(), STRINGS.len());
    }
}
