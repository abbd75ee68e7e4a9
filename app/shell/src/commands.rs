//! The Tauri commands: each takes its arguments, runs one [`Tablet`] method on a blocking
//! thread, and returns its result or its [`TabletError`].

use peihu_device::field::{DutyRow, SavedVisit};
use peihu_device::tablet::views::{BeneficiaryView, EpisodeRow, EpisodeView};
use peihu_device::tablet::{
    AppInfo, ProfileView, StepInput, SyncProgress, SyncStatus, Tablet, TabletError, VisitSubmission,
};
use tauri::State;

use crate::Shared;

type Answer<T> = Result<T, TabletError>;

async fn run<T: Send + 'static>(
    shared: &Shared,
    work: impl FnOnce(&mut Tablet) -> Answer<T> + Send + 'static,
) -> Answer<T> {
    let shared = shared.clone();
    tauri::async_runtime::spawn_blocking(move || shared.with(work))
        .await
        .map_err(|_| TabletError::new("storage", "the action stopped unexpectedly"))?
}

/// Users of this tablet and the server to pre-fill.
#[tauri::command]
pub async fn app_info(state: State<'_, Shared>) -> Answer<AppInfo> {
    run(&state, |t| t.app_info()).await
}

/// Enrols a user with a one-time code and sets their PIN.
#[tauri::command]
pub async fn enrol(
    state: State<'_, Shared>,
    server: String,
    code: String,
    pin: String,
) -> Answer<ProfileView> {
    run(&state, move |t| t.enrol(&server, &code, &pin)).await
}

/// Unlocks a user.
#[tauri::command]
pub async fn unlock(state: State<'_, Shared>, user: String, pin: String) -> Answer<ProfileView> {
    run(&state, move |t| t.unlock(&user, &pin)).await
}

/// Locks the tablet.
#[tauri::command]
pub async fn lock(state: State<'_, Shared>) -> Answer<()> {
    run(&state, |t| {
        t.lock();
        Ok(())
    })
    .await
}

/// Today's duty list.
#[tauri::command]
pub async fn duty(state: State<'_, Shared>, now: i64) -> Answer<Vec<DutyRow>> {
    run(&state, move |t| t.duty(now)).await
}

/// A beneficiary's card.
#[tauri::command]
pub async fn beneficiary(
    state: State<'_, Shared>,
    id: String,
    now: i64,
) -> Answer<BeneficiaryView> {
    run(&state, move |t| t.beneficiary(&id, now)).await
}

/// Saves the half-filled visit form.
#[tauri::command]
pub async fn save_draft(
    state: State<'_, Shared>,
    beneficiary: String,
    form: serde_json::Value,
) -> Answer<()> {
    run(&state, move |t| t.save_draft(&beneficiary, &form)).await
}

/// The half-filled visit form.
#[tauri::command]
pub async fn load_draft(
    state: State<'_, Shared>,
    beneficiary: String,
) -> Answer<Option<serde_json::Value>> {
    run(&state, move |t| t.load_draft(&beneficiary)).await
}

/// Keeps a photo; returns its hash.
#[tauri::command]
pub async fn save_photo(
    state: State<'_, Shared>,
    beneficiary: String,
    bytes: Vec<u8>,
) -> Answer<String> {
    run(&state, move |t| t.save_photo(&beneficiary, &bytes)).await
}

/// Records a finished visit.
#[tauri::command]
pub async fn record_visit(
    state: State<'_, Shared>,
    beneficiary: String,
    visit: VisitSubmission,
    now: i64,
) -> Answer<SavedVisit> {
    run(&state, move |t| t.record_visit(&beneficiary, &visit, now)).await
}

/// Episodes on the tablet.
#[tauri::command]
pub async fn episodes(state: State<'_, Shared>, now: i64) -> Answer<Vec<EpisodeRow>> {
    run(&state, move |t| t.episodes(now)).await
}

/// One episode.
#[tauri::command]
pub async fn episode(state: State<'_, Shared>, id: String, now: i64) -> Answer<EpisodeView> {
    run(&state, move |t| t.episode(&id, now)).await
}

/// Records one step of an episode.
#[tauri::command]
pub async fn episode_step(
    state: State<'_, Shared>,
    id: String,
    step: StepInput,
    now: i64,
) -> Answer<()> {
    run(&state, move |t| t.episode_step(&id, &step, now)).await
}

/// The sync line.
#[tauri::command]
pub async fn sync_status(state: State<'_, Shared>) -> Answer<SyncStatus> {
    run(&state, |t| t.status()).await
}

/// Syncs now.
#[tauri::command]
pub async fn sync(state: State<'_, Shared>, now: i64) -> Answer<SyncStatus> {
    let shared = (*state).clone();
    tauri::async_runtime::spawn_blocking(move || shared.sync(now))
        .await
        .map_err(|_| TabletError::new("storage", "the sync stopped unexpectedly"))?
}

/// How far the running sync has got (`null` when none runs). Never waits on the sync.
#[tauri::command]
pub async fn sync_progress(state: State<'_, Shared>) -> Answer<Option<SyncProgress>> {
    Ok(state.progress())
}
