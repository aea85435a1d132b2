use std::path::PathBuf;

use reelcut_core::ErrorKind;
use reelcut_media::MediaError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum EngineError {
    #[error(transparent)]
    Media(#[from] MediaError),
    #[error("{0}")]
    Options(String),
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
    #[error("{url}: {message}")]
    Fetch { url: String, message: String },
    #[error(transparent)]
    Store(#[from] reelcut_core::StoreError),
    #[error("{path}: {source}")]
    Captions {
        path: PathBuf,
        source: reelcut_core::captions::CaptionError,
    },
}

impl EngineError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            EngineError::Media(m) => m.kind(),
            EngineError::Options(_) => ErrorKind::InvalidOptions,
            EngineError::Subtitles { .. } => ErrorKind::AssetInvalid,
            EngineError::Io { .. } => ErrorKind::Render,
            EngineError::Whisper(w) => w.kind(),
            EngineError::Fetch { .. } => ErrorKind::Fetch,
            EngineError::Captions { .. } => ErrorKind::InvalidOptions,
            EngineError::Store(_) => ErrorKind::Render,
        }
    }

    /// Worth retrying after a pause: network trouble, not a property of the input.
    pub fn is_transient(&self) -> bool {
        match self {
            EngineError::Fetch { message, .. } => crate::fetch::is_transient_message(message),
            _ => false,
        }
    }

    pub fn is_cancelled(&self) -> bool {
        self.kind() == ErrorKind::Cancelled
    }
}
