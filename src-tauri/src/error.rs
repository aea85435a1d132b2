//! The error every command returns: a kind the UI can branch on and a message for people.

use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CommandErrorKind {
    /// The request itself is wrong (a bad clip range, an empty URL list).
    InvalidRequest,
    /// No such job or file.
    NotFound,
    /// A path outside the folders the app manages.
    Forbidden,
    /// The engine refused or failed.
    Engine,
    /// Reading or writing settings failed.
    Io,
}

#[derive(Debug, Clone, Serialize, TS, thiserror::Error)]
#[error("{message}")]
pub struct CommandError {
    pub kind: CommandErrorKind,
    pub message: String,
}

impl CommandError {
    pub fn new(kind: CommandErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(CommandErrorKind::InvalidRequest, message)
    }
}

impl From<std::io::Error> for CommandError {
    fn from(e: std::io::Error) -> Self {
        Self::new(CommandErrorKind::Io, e.to_string())
    }
}
