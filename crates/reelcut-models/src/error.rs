//! What can go wrong with model files; every variant names the file or URL concerned.

use std::io;
use std::path::PathBuf;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum ModelError {
    #[error("no per-user data directory: set REELCUT_DATA_DIR, XDG_DATA_HOME or HOME")]
    NoDataDir,
    #[error("unknown model '{name}': expected an http(s) URL or one of {known}")]
    UnknownModel { name: String, known: String },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot download {url}: {source}")]
    Request {
        url: String,
        #[source]
        source: Box<ureq::Error>,
    },
    #[error("cannot download {url}: the server answered HTTP {status}")]
    Http { url: String, status: u16 },
    #[error("download of {url} broke off: {source}")]
    Transfer {
        url: String,
        #[source]
        source: io::Error,
    },
    #[error("download of {url} is incomplete: {got} of {expected} bytes")]
    Incomplete {
        url: String,
        got: u64,
        expected: u64,
    },
    #[error("checksum mismatch for {url}: expected sha256 {expected}, got {actual}; the download was deleted")]
    ChecksumMismatch {
        url: String,
        expected: String,
        actual: String,
    },
    #[error("invalid expected sha256 '{0}': expected 64 hex digits")]
    InvalidChecksum(String),
    #[error("model manifest {path} is invalid: {reason}")]
    Manifest { path: PathBuf, reason: String },
    #[error("download of {url} was cancelled")]
    Cancelled { url: String },
    /// Plain http with nothing to check the bytes against: anyone on the way could swap them.
    #[error(
        "{url}: plain http and no checksum, so the file cannot be verified: give its sha256 \
         (`--sha256 HEX`) or an https URL"
    )]
    Unverifiable { url: String },
    /// The file arrived (and matched any checksum) but is not a model Reelcut can load.
    #[error("{url} is not a usable Whisper model ({reason}); the download was deleted")]
    NotAModel { url: String, reason: String },
}

impl ModelError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(io::Error) -> ModelError {
        let path = path.into();
        move |source| ModelError::Io { path, source }
    }
}
