//! The engine's errors: one variant per cause a user can act on, each mapped to the
//! [`ErrorKind`] clients see. Causes are classified where the failure happens (yt-dlp's exit,
//! a detector load, a store call), never recovered later from the formatted message.

use std::path::PathBuf;

use reelcut_core::{ErrorKind, JobId};
use reelcut_media::MediaError;
use thiserror::Error;

pub use crate::fetch::FetchError;

#[derive(Debug, Error)]
pub enum EngineError {
    #[error(transparent)]
    Media(MediaError),
    /// Options that cannot work (checked before any input is touched).
    #[error("{0}")]
    InvalidOptions(String),
    #[error("no job {0}")]
    JobNotFound(JobId),
    /// Another process holds the job, or the job is in a state that forbids the request.
    #[error("{input}: {reason} (job {job})")]
    Busy {
        job: JobId,
        input: String,
        reason: String,
    },
    /// No face detector could be made (a model or ONNX Runtime missing or broken).
    #[error("no face detector available: {source}")]
    Detector {
        #[source]
        source: reelcut_vision::VisionError,
    },
    /// Detection failed on a clip's frames.
    #[error("{path}: face analysis failed: {source}")]
    Analyse {
        path: PathBuf,
        #[source]
        source: reelcut_vision::VisionError,
    },
    #[error(transparent)]
    Selection(#[from] reelcut_core::select::SelectError),
    #[error("{path}: no audio to transcribe")]
    NoAudio { path: PathBuf },
    /// A Whisper model that is not installed or not registered correctly.
    #[error("{0}")]
    Model(String),
    #[error(transparent)]
    Models(#[from] reelcut_models::ModelError),
    #[error("{path}: cannot parse subtitles: {source}")]
    Subtitles {
        path: PathBuf,
        source: reelcut_core::subtitles::SubtitleError,
    },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Whisper(reelcut_whisper::WhisperError),
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error(transparent)]
    Store(#[from] reelcut_core::StoreError),
    /// A clips.json the user edited says something that cannot be done (the field named).
    #[error("{path}: {message}")]
    Manifest { path: PathBuf, message: String },
    #[error("{path}: {source}")]
    Captions {
        path: PathBuf,
        source: reelcut_core::captions::CaptionError,
    },
    /// Something inside Reelcut failed: a worker panicked, a thread could not start, a record
    /// it wrote itself does not read back.
    #[error("internal error: {what}: {source}")]
    Internal {
        what: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("cancelled")]
    Cancelled,
}

impl From<MediaError> for EngineError {
    fn from(e: MediaError) -> Self {
        match e {
            MediaError::Cancelled => EngineError::Cancelled,
            other => EngineError::Media(other),
        }
    }
}

impl From<reelcut_whisper::WhisperError> for EngineError {
    fn from(e: reelcut_whisper::WhisperError) -> Self {
        match e {
            reelcut_whisper::WhisperError::Cancelled => EngineError::Cancelled,
            other => EngineError::Whisper(other),
        }
    }
}

impl EngineError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            EngineError::Media(m) => m.kind(),
            EngineError::InvalidOptions(_) => ErrorKind::InvalidOptions,
            EngineError::JobNotFound(_) => ErrorKind::JobNotFound,
            EngineError::Busy { .. } => ErrorKind::JobBusy,
            EngineError::Detector { .. } => ErrorKind::Detector,
            EngineError::Analyse { .. } => ErrorKind::Analyse,
            // The only selection error today is a pair of bounds that cannot hold a clip.
            EngineError::Selection(reelcut_core::select::SelectError::Bounds { .. }) => {
                ErrorKind::InvalidOptions
            }
            EngineError::NoAudio { .. } => ErrorKind::NoAudio,
            EngineError::Model(_) | EngineError::Models(_) => ErrorKind::AssetInvalid,
            EngineError::Subtitles { .. } => ErrorKind::AssetInvalid,
            // A style name or style file given on the command line: part of the options.
            EngineError::Captions { .. } => ErrorKind::InvalidOptions,
            EngineError::Manifest { .. } => ErrorKind::InvalidOptions,
            EngineError::Io { .. } => ErrorKind::Io,
            EngineError::Whisper(w) => w.kind(),
            EngineError::Fetch(f) => f.kind(),
            EngineError::Store(_) => ErrorKind::Store,
            EngineError::Internal { .. } => ErrorKind::Internal,
            EngineError::Cancelled => ErrorKind::Cancelled,
        }
    }

    /// Worth retrying after a pause: network trouble, not a property of the input.
    pub fn is_transient(&self) -> bool {
        matches!(self, EngineError::Fetch(f) if f.is_transient())
    }

    pub fn is_cancelled(&self) -> bool {
        matches!(self, EngineError::Cancelled)
    }

    pub(crate) fn internal(
        what: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        EngineError::Internal {
            what: what.into(),
            source: source.into(),
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| EngineError::Io { path, source }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cancellation_is_its_own_variant_whatever_reports_it() {
        assert!(EngineError::from(MediaError::Cancelled).is_cancelled());
        assert!(EngineError::from(reelcut_whisper::WhisperError::Cancelled).is_cancelled());
        assert_eq!(
            EngineError::from(MediaError::Cancelled).kind(),
            ErrorKind::Cancelled
        );
    }

    #[test]
    fn each_cause_has_its_kind() {
        let cases = [
            (EngineError::JobNotFound(JobId(7)), ErrorKind::JobNotFound),
            (
                EngineError::Busy {
                    job: JobId(1),
                    input: "x".into(),
                    reason: "already being processed".into(),
                },
                ErrorKind::JobBusy,
            ),
            (
                EngineError::Detector {
                    source: reelcut_vision::VisionError::ModelMissing { path: "m".into() },
                },
                ErrorKind::Detector,
            ),
            (
                EngineError::NoAudio { path: "a".into() },
                ErrorKind::NoAudio,
            ),
            (
                EngineError::internal("a worker panicked", "boom"),
                ErrorKind::Internal,
            ),
            (EngineError::Cancelled, ErrorKind::Cancelled),
        ];
        for (e, kind) in cases {
            assert_eq!(e.kind(), kind, "{e}");
        }
    }
}
