//! Sync driven a step at a time. The shell holds the tablet only between network requests, so
//! a helper can save a visit while a slow village connection is still uploading; every step
//! leaves the store consistent, so a sync abandoned anywhere resumes next time.

use std::path::PathBuf;

use serde::Serialize;

use super::{Tablet, TabletError, blobs, status};
use crate::photos::{PendingUpload, UploadReport, Uploader};
use crate::sync::{Http, SyncError, SyncRun, Transport};

/// How far a sync has got, for the sync line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncProgress {
    /// `records` while documents are exchanged, then `files` while photos and signatures go.
    pub phase: &'static str,
    /// Requests answered so far in the records phase.
    pub exchanges: usize,
    /// Files sent so far.
    pub files_done: usize,
    /// Files to send in this sync.
    pub files_total: usize,
}

/// A file waiting to go: a photo (tracked in the store) or a signature (tracked by a marker
/// file in the user's folder). Both travel the same way.
#[derive(Debug, Clone)]
pub enum FileUpload {
    /// A photo.
    Photo(PendingUpload),
    /// A signature.
    Signature(PendingUpload),
}

impl FileUpload {
    fn upload(&self) -> &PendingUpload {
        match self {
            FileUpload::Photo(u) | FileUpload::Signature(u) => u,
        }
    }
}

/// One sync in progress for one user. Network calls take `&mut self` of the job only.
#[derive(Debug)]
pub struct SyncJob {
    user: String,
    dir: PathBuf,
    run: SyncRun,
    http: Http,
    uploader: Uploader,
    report: UploadReport,
    /// How far it has got.
    pub progress: SyncProgress,
}

impl SyncJob {
    /// Sends the next request; `None` once the records phase is over.
    pub fn exchange(&mut self) -> Option<Result<Vec<u8>, SyncError>> {
        let body = self.run.next_request()?;
        Some(self.http.send(body))
    }

    /// Sends one file, resuming from what the server holds. `Ok(true)` when the server holds
    /// all of it.
    pub fn send_file(&mut self, file: &FileUpload) -> Result<bool, TabletError> {
        Ok(self.uploader.send(file.upload(), &mut self.report)?)
    }
}

impl Tablet {
    /// Starts a sync of the unlocked user's store.
    pub fn sync_start(&mut self, now: i64) -> Result<SyncJob, TabletError> {
        let dir = self.current_dir()?;
        let s = self.session()?;
        let user = s.profile.user.clone();
        let store = &mut s.store;
        let http = Http::for_store(store)?;
        let uploader = Uploader::for_store(store)?;
        let run = SyncRun::start(store, now);
        let progress = SyncProgress { phase: "records", ..SyncProgress::default() };
        Ok(SyncJob { user, dir, run, http, uploader, report: UploadReport::default(), progress })
    }

    /// The session's store, if it is still the job's user who is unlocked: another user (or
    /// nobody) may have taken the tablet while a request was out, and their store is not this
    /// sync's to touch.
    fn job_store(&mut self, job: &SyncJob) -> Result<&mut crate::Store, TabletError> {
        match &mut self.session {
            Some(s) if s.profile.user == job.user => Ok(&mut s.store),
            _ => Err(TabletError::new(
                "sync_interrupted",
                "the user changed during the sync; it will resume at the next one",
            )),
        }
    }

    /// Takes the server's answer (or the failure to get one). `Ok(true)` when the records
    /// phase is over and complete. A revoked device wipes this user's data and returns
    /// `device_revoked`.
    pub fn sync_answer(
        &mut self,
        job: &mut SyncJob,
        answer: Result<Vec<u8>, SyncError>,
    ) -> Result<bool, TabletError> {
        let store = self.job_store(job)?;
        let outcome = answer.and_then(|body| job.run.on_response(store, &body));
        job.progress.exchanges += 1;
        match outcome {
            Ok(None) => Ok(false),
            Ok(Some(outcome)) if outcome.synced => {
                status::record_success(store)?;
                Ok(true)
            }
            Ok(Some(outcome)) => {
                let problem = outcome.problem.unwrap_or_else(|| "the sync did not finish".into());
                status::record_failure(store, "incomplete", &problem)?;
                Err(TabletError::new("incomplete", problem))
            }
            Err(SyncError::Revoked) => {
                self.wipe_current()?;
                Err(SyncError::Revoked.into())
            }
            Err(e) => {
                let err = TabletError::from(e);
                status::record_failure(store, &err.code, &err.message)?;
                Err(err)
            }
        }
    }

    /// The photos and signatures still to send.
    pub fn sync_files(&mut self, job: &mut SyncJob) -> Result<Vec<FileUpload>, TabletError> {
        let store = self.job_store(job)?;
        let mut files: Vec<FileUpload> =
            crate::photos::pending_uploads(store)?.into_iter().map(FileUpload::Photo).collect();
        files.extend(blobs::pending(&job.dir)?.into_iter().map(FileUpload::Signature));
        job.progress.phase = "files";
        job.progress.files_total = files.len();
        Ok(files)
    }

    /// Records how sending one file went; `Ok(false)` when the rest should wait (the server
    /// stopped answering). A file that did not arrive waits for the next sync (the record shows
    /// "photo pending" meanwhile); a device the server no longer accepts stops the sync.
    pub fn sync_file_sent(
        &mut self,
        job: &mut SyncJob,
        file: &FileUpload,
        sent: Result<bool, TabletError>,
    ) -> Result<bool, TabletError> {
        let store = self.job_store(job)?;
        job.progress.files_done += 1;
        match (sent, file) {
            (Ok(true), FileUpload::Photo(photo)) => {
                store.mark_photo_uploaded(&photo.hash.to_string())?;
                Ok(true)
            }
            (Ok(true), FileUpload::Signature(signature)) => {
                blobs::confirm(&job.dir, &signature.hash)?;
                Ok(true)
            }
            (Ok(false), _) => Ok(true),
            (Err(e), _) if e.code == "device_revoked" => {
                self.wipe_current()?;
                Err(e)
            }
            (Err(e), _) => {
                status::record_failure(store, &e.code, &e.message)?;
                if matches!(e.code.as_str(), "agency_suspended" | "unknown_token") {
                    return Err(e);
                }
                Ok(e.code != "unreachable")
            }
        }
    }
}
