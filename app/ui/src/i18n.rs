//! Every string the UI shows comes from `i18n/zh.toml` (the default) or `i18n/en.toml`.

use std::collections::HashMap;
use std::sync::OnceLock;

/// The UI language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Simplified Chinese.
    Zh,
    /// English.
    En,
}

impl Lang {
    /// The other language.
    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }
}

type Table = HashMap<String, String>;

fn parse(text: &str) -> Table {
    let value: toml::Table = text.parse().expect("the i18n files are valid TOML");
    value.into_iter().filter_map(|(k, v)| v.as_str().map(|s| (k, s.to_string()))).collect()
}

fn table(lang: Lang) -> &'static Table {
    static ZH: OnceLock<Table> = OnceLock::new();
    static EN: OnceLock<Table> = OnceLock::new();
    match lang {
        Lang::Zh => ZH.get_or_init(|| parse(include_str!("../i18n/zh.toml"))),
        Lang::En => EN.get_or_init(|| parse(include_str!("../i18n/en.toml"))),
    }
}

/// The string for `key`; the key itself if missing (so a gap is visible, not blank).
pub fn t(lang: Lang, key: &str) -> String {
    table(lang).get(key).cloned().unwrap_or_else(|| key.to_string())
}

/// The string for `key` with `{name}` placeholders filled.
pub fn tf(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    let mut s = t(lang, key);
    for (name, value) in args {
        s = s.replace(&format!("{{{name}}}"), value);
    }
    s
}

/// The message for an error code, falling back to the generic one (for a photo refused for a
/// reason without its own message, to "this photo cannot be used").
pub fn error_text(lang: Lang, code: &str) -> String {
    let key = format!("error_{code}");
    match table(lang).get(&key) {
        Some(s) => s.clone(),
        None if code.starts_with("photo_") => t(lang, "error_photo_refused"),
        None => t(lang, "error_other"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_exactly_the_same_keys() {
        let mut zh: Vec<_> = table(Lang::Zh).keys().collect();
        let mut en: Vec<_> = table(Lang::En).keys().collect();
        zh.sort();
        en.sort();
        assert_eq!(zh, en);
    }

    #[test]
    fn placeholders_are_filled_and_unknown_error_codes_fall_back() {
        assert_eq!(tf(Lang::Zh, "status_overdue", &[("n", "3")]), "已逾期 3 天");
        assert_eq!(error_text(Lang::En, "no_such_code"), t(Lang::En, "error_other"));
        assert_eq!(error_text(Lang::Zh, "photo_new_reason"), t(Lang::Zh, "error_photo_refused"));
        assert!(error_text(Lang::Zh, "photo_heif_unsupported").contains("兼容性最佳"));
    }
}
