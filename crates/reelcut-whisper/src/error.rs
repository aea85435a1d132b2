use std::path::PathBuf;

use reelcut_core::ErrorKind;
use thiserror::Error;

/// Errors of model conversion, loading and transcription. Errors about a file name it.
#[derive(Debug, Error)]
pub enum WhisperError {
    #[error("{path}: file not found")]
    NotFound { path: PathBuf },
    #[error("{path}: cannot read: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: cannot write: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The source directory does not hold a CTranslate2 Whisper model we can read.
    #[error("{path}: not a CTranslate2 Whisper model: {message}")]
    BadSource { path: PathBuf, message: String },
    /// A readable CTranslate2 model in a variant the converter does not handle.
    #[error("{path}: unsupported CTranslate2 model: {message}")]
    Unsupported { path: PathBuf, message: String },
    /// whisper.cpp refused the file; its own log (routed to tracing) says why.
    #[error(
        "{path}: whisper.cpp cannot load this model (not a ggml Whisper model, or a damaged one)"
    )]
    Load { path: PathBuf },
    #[error("unknown language code {0:?} (use an ISO 639-1 code such as \"en\" or \"de\", or leave it out to auto-detect)")]
    UnknownLanguage(String),
    #[error(
        "the English-only Whisper model {model} cannot transcribe language {language:?}: \
         use a multilingual model (e.g. base) or the language \"en\""
    )]
    EnglishOnly { model: String, language: String },
    #[error("audio too long for one transcription ({seconds:.0} s)")]
    AudioTooLong { seconds: f64 },
    #[error("whisper failed while {stage}: {source}")]
    Whisper {
        stage: &'static str,
        source: whisper_rs::WhisperError,
    },
    #[error("{0}")]
    Worker(String),
    #[error("cancelled")]
    Cancelled,
}

impl WhisperError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            WhisperError::NotFound { .. }
            | WhisperError::Read { .. }
            | WhisperError::BadSource { .. }
            | WhisperError::Unsupported { .. }
            | WhisperError::Load { .. } => ErrorKind::AssetInvalid,
            WhisperError::UnknownLanguage(_) | WhisperError::EnglishOnly { .. } => {
                ErrorKind::InvalidOptions
            }
            WhisperError::AudioTooLong { .. } => ErrorKind::InputInvalid,
            WhisperError::Write { .. } => ErrorKind::Io,
            WhisperError::Whisper { .. } | WhisperError::Worker(_) => ErrorKind::Transcribe,
            WhisperError::Cancelled => ErrorKind::Cancelled,
        }
    }

    pub(crate) fn read(path: &std::path::Path, source: std::io::Error) -> Self {
        if source.kind() == std::io::ErrorKind::NotFound {
            WhisperError::NotFound {
                path: path.to_path_buf(),
            }
        } else {
            WhisperError::Read {
                path: path.to_path_buf(),
                source,
            }
        }
    }

    pub(crate) fn bad(path: &std::path::Path, message: impl Into<String>) -> Self {
        WhisperError::BadSource {
            path: path.to_path_buf(),
            message: message.into(),
        }
    }
}
