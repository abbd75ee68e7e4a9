//! App-wide state and the reducer that changes it. Views only dispatch [`Action`]s.
//!
//! What a page loads (duty rows, a card, an episode) lives in that page and disappears with it;
//! here is only who is unlocked, where they are, and the sync line. Locking resets all of it
//! except the language and the list of names on the unlock screen.

use std::rc::Rc;

use yew::Reducible;

use crate::api::{AppInfo, ProfileView, SyncStatus};
use crate::i18n::Lang;

/// Where the user is.
#[derive(Debug, Clone, PartialEq)]
pub enum Page {
    /// Waiting for the first answer from the shell.
    Loading,
    /// Enrol a new user.
    Enrol,
    /// Pick a name and type the PIN.
    Unlock,
    /// Helper: today's duty list.
    Duty,
    /// Helper: a beneficiary's card.
    Beneficiary(String),
    /// Helper: the visit form.
    Visit(String),
    /// Escort: episode list.
    Episodes,
    /// Escort: one episode.
    Episode(String),
}

/// The sync line's live state.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SyncLine {
    /// From the device.
    pub status: Option<SyncStatus>,
    /// A sync is under way.
    pub running: bool,
    /// The last attempt's failure code, if it failed.
    pub failure: Option<String>,
}

/// Everything app-wide.
#[derive(Debug, Clone, PartialEq)]
pub struct AppState {
    /// UI language.
    pub lang: Lang,
    /// Names on the unlock screen.
    pub profiles: Vec<ProfileView>,
    /// Server to pre-fill.
    pub default_server: String,
    /// Who is unlocked.
    pub user: Option<ProfileView>,
    /// Where.
    pub page: Page,
    /// The sync line.
    pub sync: SyncLine,
    /// A message key to show once (e.g. a revoked user was wiped), or an error code.
    pub notice: Option<String>,
}

impl Default for AppState {
    fn default() -> Self {
        AppState {
            lang: Lang::Zh,
            profiles: Vec::new(),
            default_server: String::new(),
            user: None,
            page: Page::Loading,
            sync: SyncLine::default(),
            notice: None,
        }
    }
}

/// What can happen.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// The shell answered the first question.
    Loaded(AppInfo),
    /// Switch language.
    ToggleLang,
    /// Someone unlocked (or enrolled).
    Unlocked(ProfileView),
    /// Lock: forget everything of the user.
    Lock,
    /// Go to a page.
    Go(Page),
    /// A sync started.
    SyncStarted,
    /// The sync line's new state (after a sync or a save).
    Status(SyncStatus),
    /// A sync failed with this code.
    SyncFailed(String),
    /// The server revoked this device for the unlocked user: their data is gone.
    Revoked,
    /// Show a one-off message key.
    Notice(Option<String>),
}

/// The home page for a role.
pub fn home_for(role: &str) -> Page {
    if role == "escort" { Page::Episodes } else { Page::Duty }
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Loaded(info) => {
                next.page = if info.profiles.is_empty() { Page::Enrol } else { Page::Unlock };
                next.profiles = info.profiles;
                next.default_server = info.default_server.unwrap_or_default();
                next.notice = info.wiped_notice.then(|| "wiped_notice".to_string());
            }
            Action::ToggleLang => next.lang = next.lang.other(),
            Action::Unlocked(user) => {
                next.page = home_for(&user.role);
                if !next.profiles.iter().any(|p| p.user == user.user) {
                    next.profiles.push(user.clone());
                }
                next.user = Some(user);
                next.sync = SyncLine::default();
                next.notice = None;
            }
            Action::Lock => {
                next.user = None;
                next.page = Page::Unlock;
                next.sync = SyncLine::default();
                next.notice = None;
            }
            Action::Go(page) => next.page = page,
            Action::SyncStarted => next.sync.running = true,
            Action::Status(status) => {
                next.sync.running = false;
                next.sync.failure = status.error_code.clone();
                next.sync.status = Some(status);
            }
            Action::SyncFailed(code) => {
                next.sync.running = false;
                next.sync.failure = Some(code);
            }
            Action::Revoked => {
                let gone = next.user.take().map(|u| u.user);
                next.profiles.retain(|p| Some(&p.user) != gone.as_ref());
                next.page = if next.profiles.is_empty() { Page::Enrol } else { Page::Unlock };
                next.sync = SyncLine::default();
                next.notice = Some("error_device_revoked".into());
            }
            Action::Notice(n) => next.notice = n,
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: &str) -> ProfileView {
        ProfileView { user: "u1".into(), name: "甲".into(), role: role.into() }
    }

    #[test]
    fn locking_forgets_the_user_and_their_sync_line() {
        let s = Rc::new(AppState::default()).reduce(Action::Unlocked(user("helper")));
        let s = s.reduce(Action::SyncStarted).reduce(Action::Lock);
        assert_eq!(s.user, None);
        assert_eq!(s.page, Page::Unlock);
        assert_eq!(s.sync, SyncLine::default());
    }

    #[test]
    fn escorts_land_on_their_episodes_and_helpers_on_the_duty_list() {
        let s = Rc::new(AppState::default());
        assert_eq!(s.clone().reduce(Action::Unlocked(user("escort"))).page, Page::Episodes);
        assert_eq!(s.reduce(Action::Unlocked(user("helper"))).page, Page::Duty);
    }

    #[test]
    fn a_revoked_user_disappears_from_the_unlock_screen() {
        let s = Rc::new(AppState::default()).reduce(Action::Unlocked(user("helper")));
        let s = s.reduce(Action::Revoked);
        assert!(s.profiles.is_empty());
        assert_eq!(s.page, Page::Enrol);
        assert_eq!(s.notice.as_deref(), Some("error_device_revoked"));
    }
}
