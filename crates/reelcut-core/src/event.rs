//! Typed progress events. Both the CLI (`--json` lines, progress bars) and the desktop app
//! subscribe to the same stream.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Why something failed, for clients that react differently (retry, show a hint).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The input file does not exist or cannot be read.
    InputMissing,
    /// The input exists but is not a media file ffmpeg can read.
    InputInvalid,
    /// The input has no video stream.
    NoVideo,
    /// A requested range lies outside the input.
    RangeOutside,
    /// Options that contradict each other or are not available.
    InvalidOptions,
    /// Subtitle or watermark files that are missing or unreadable.
    AssetInvalid,
    /// Decoding, filtering, encoding or writing failed.
    Render,
    /// A URL could not be downloaded (yt-dlp missing, unsupported, not found, sign-in).
    Fetch,
    Cancelled,
}

/// The stage a progress event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Downloading a URL (clip 0: the whole input).
    Fetch,
    /// Speech to timed words (clip 0: the whole input).
    Transcribe,
    /// Face analysis for reframing.
    Analyse,
    Render,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    InputStarted {
        input: PathBuf,
        clips: usize,
    },
    /// Progress of one stage of one clip, `fraction` in 0..=1.
    Progress {
        input: PathBuf,
        clip: usize,
        stage: Stage,
        fraction: f64,
        eta_seconds: Option<f64>,
    },
    ClipReady {
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
    InputDone {
        input: PathBuf,
        manifest: PathBuf,
        outputs: Vec<PathBuf>,
    },
    /// The same input with the same options was already done (its clips exist): nothing redone.
    InputSkipped {
        input: PathBuf,
        manifest: PathBuf,
    },
    InputFailed {
        input: PathBuf,
        kind: ErrorKind,
        message: String,
    },
}
