//! A job as the window shows it: the engine's record plus, once done, its clips.

use reelcut_core::{ErrorKind, JobId, JobStatus, Stage};
use serde::Serialize;
use ts_rs::TS;

use crate::engine::JobSummary;
use crate::gallery::{ClipView, GalleryCache};

#[derive(Debug, Clone, Serialize, TS)]
pub struct JobView {
    pub id: JobId,
    /// The URL or path as given.
    pub input: String,
    /// Whether `input` is a URL to download, by the engine's test ([`reelcut_core::is_url`]):
    /// the window decides nothing from the text itself.
    pub is_url: bool,
    pub title: String,
    pub status: JobStatus,
    /// The stage running now, or the last one reached.
    pub stage: Option<Stage>,
    pub error: Option<String>,
    /// Why it failed (or `cancelled`), shown as a label beside `error`.
    pub error_kind: Option<ErrorKind>,
    /// It failed for want of a piece of the installation (a model, yt-dlp): the card offers
    /// the set-up check (see [`crate::health::needs_setup`]).
    pub needs_setup: bool,
    /// Clips written so far.
    pub outputs: Vec<String>,
    /// The finished job's clips (from its manifest).
    pub clips: Vec<ClipView>,
    /// The finished job's input as it plays (from its manifest).
    pub source: Option<reelcut_core::SourceInfo>,
}

impl JobView {
    pub fn new(s: &JobSummary, gallery: &GalleryCache) -> Self {
        let done = s
            .manifest
            .as_deref()
            .map(|m| gallery.finished(std::path::Path::new(m)))
            .unwrap_or_default();
        JobView {
            id: s.id,
            input: s.input.clone(),
            is_url: reelcut_core::is_url(&s.input),
            title: s.title.clone(),
            status: s.status,
            stage: s.stage,
            error: s.error.clone(),
            error_kind: s.error_kind,
            needs_setup: s.status == JobStatus::Failed && crate::health::needs_setup(s.error_kind),
            outputs: s.outputs.clone(),
            clips: done.clips,
            source: done.source,
        }
    }
}
