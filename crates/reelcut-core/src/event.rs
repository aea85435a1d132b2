//! Typed progress events. Both the CLI (`--json` lines, progress bars) and the desktop app
//! subscribe to the same stream.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

use crate::job::JobId;

/// Why something failed, for clients that react differently (retry, show a hint). Each
/// kind is one cause a user can act on; the message says the details.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The input file does not exist or cannot be read.
    InputMissing,
    /// The input exists but is not a media file ffmpeg can read (or is damaged).
    InputInvalid,
    /// The input has no video stream.
    NoVideo,
    /// The input has no audio to transcribe.
    NoAudio,
    /// A requested range lies outside the input.
    RangeOutside,
    /// Options that contradict each other or are not available.
    InvalidOptions,
    /// Subtitle, caption-style, watermark or model files that are missing or unreadable.
    AssetInvalid,
    /// No job with that id in the store.
    JobNotFound,
    /// The job is being processed by another Reelcut process, or cannot be retried now.
    JobBusy,
    /// yt-dlp failing in a way not listed below.
    Fetch,
    /// yt-dlp is not installed, or too old (URL inputs need it; the fix is on this machine).
    FetchToolMissing,
    /// No yt-dlp extractor handles the URL.
    FetchUnsupported,
    /// The URL points at nothing (HTTP 404, removed video).
    FetchNotFound,
    /// The site asks to sign in or to prove the user is not a bot (cookies needed).
    FetchSignIn,
    /// Network or server trouble that outlasted the retries (HTTP 5xx, timeouts).
    FetchUnavailable,
    /// Speech recognition failed.
    Transcribe,
    /// Automatic clip selection failed.
    Selection,
    /// No face detector could be loaded (model or ONNX Runtime missing or broken).
    Detector,
    /// Face analysis of a clip failed.
    Analyse,
    /// Decoding, filtering or encoding failed.
    Render,
    /// Reading or writing Reelcut's own files (work or output folder) failed.
    Io,
    /// The job store (its database) failed.
    Store,
    /// A bug or a resource failure inside Reelcut (a worker panicked, a thread not started).
    Internal,
    Cancelled,
}

/// A stage of a job; progress and stage events name one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Downloading a URL (clip 0: the whole input).
    Fetch,
    /// Opening the input and checking what it holds.
    Probe,
    /// Speech to timed words (clip 0: the whole input).
    Transcribe,
    /// Choosing the clips: the given ranges (snapped) or automatic selection.
    Select,
    /// Face analysis for reframing (per clip).
    Analyse,
    /// Decode, filter, encode (per clip).
    Render,
}

impl Stage {
    pub const ALL: [Stage; 6] = [
        Stage::Fetch,
        Stage::Probe,
        Stage::Transcribe,
        Stage::Select,
        Stage::Analyse,
        Stage::Render,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Fetch => "fetch",
            Stage::Probe => "probe",
            Stage::Transcribe => "transcribe",
            Stage::Select => "select",
            Stage::Analyse => "analyse",
            Stage::Render => "render",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Stage::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

/// Everything a client hears about jobs. Every event names its job; `clip` is 1-based, 0
/// for stages that work on the whole input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A job entered the queue (new, or `resumed` after an interruption).
    JobQueued {
        job: JobId,
        input: String,
        title: String,
        resumed: bool,
    },
    /// The job's clips are known (after selection).
    JobStarted {
        job: JobId,
        input: PathBuf,
        clips: usize,
    },
    /// Waiting for a free worker of `stage` (its pool is full).
    Throttled {
        job: JobId,
        stage: Stage,
        clip: usize,
    },
    StageStarted {
        job: JobId,
        stage: Stage,
        clip: usize,
    },
    /// The stage's checkpoint from an earlier attempt was found: not redone.
    StageSkipped {
        job: JobId,
        stage: Stage,
        clip: usize,
    },
    StageDone {
        job: JobId,
        stage: Stage,
        clip: usize,
        seconds: f64,
    },
    /// Progress of one stage of one clip, `fraction` in 0..=1.
    Progress {
        job: JobId,
        input: PathBuf,
        clip: usize,
        stage: Stage,
        fraction: f64,
        eta_seconds: Option<f64>,
    },
    ClipReady {
        job: JobId,
        input: PathBuf,
        clip: usize,
        output: PathBuf,
        width: u32,
        height: u32,
        duration: f64,
        encoder: String,
        render_seconds: f64,
        /// Time spent on face analysis for this clip (tracked reframing only).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        analyse_seconds: Option<f64>,
    },
    /// A transient failure (network): the stage runs again after `delay_seconds`.
    Retrying {
        job: JobId,
        stage: Stage,
        attempt: u32,
        delay_seconds: f64,
        message: String,
    },
    JobDone {
        job: JobId,
        input: PathBuf,
        manifest: PathBuf,
        outputs: Vec<PathBuf>,
    },
    /// The same input with the same options was already done (its clips exist): nothing redone.
    JobSkipped {
        job: JobId,
        input: PathBuf,
        manifest: PathBuf,
    },
    /// `job` is None for an input that never became a job (a folder without videos, a
    /// missing file).
    JobFailed {
        job: Option<JobId>,
        input: PathBuf,
        kind: ErrorKind,
        message: String,
    },
    JobCancelled {
        job: JobId,
        input: PathBuf,
    },
}
