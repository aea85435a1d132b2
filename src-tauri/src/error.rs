//! The error every command returns: a kind the UI can branch on and a message for people.
//! When the engine refused or failed, the kind is the engine's own [`ErrorKind`] (the same a
//! failed job shows); the shell adds only the few kinds it decides itself.

use reelcut_core::ErrorKind;
use reelcut_engine::EngineError;
use serde::Serialize;
use ts_rs::TS;

/// Why a command failed: one of the shell's own reasons, or the engine's kind (in
/// TypeScript one flat union of strings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CommandErrorKind {
    /// The request itself is wrong (a bad clip range, no URL in the pasted text).
    InvalidRequest,
    /// No such file to show or open.
    NotFound,
    /// A path outside the folders the app manages.
    Forbidden,
    /// The file manager or the player could not be started.
    OpenFailed,
    /// The engine's kind, e.g. `job_not_found`, `job_busy`, `io`.
    #[serde(untagged)]
    Engine(ErrorKind),
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

    pub fn engine(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self::new(CommandErrorKind::Engine(kind), message)
    }
}

impl From<EngineError> for CommandError {
    fn from(e: EngineError) -> Self {
        Self::engine(e.kind(), e.to_string())
    }
}

/// Reading or writing the shell's own files (settings, the output folder).
impl From<std::io::Error> for CommandError {
    fn from(e: std::io::Error) -> Self {
        Self::engine(ErrorKind::Io, e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reelcut_core::JobId;

    #[test]
    fn engine_errors_keep_their_kind() {
        let cases = [
            (EngineError::JobNotFound(JobId(9)), "job_not_found"),
            (
                EngineError::Busy {
                    job: JobId(1),
                    input: "talk.mp4".into(),
                    reason: "already being processed by another Reelcut process".into(),
                },
                "job_busy",
            ),
            (EngineError::Cancelled, "cancelled"),
            (
                EngineError::Fetch(reelcut_engine::FetchError::NotFound {
                    url: "https://example.com/gone".into(),
                }),
                "fetch_not_found",
            ),
            (EngineError::InvalidOptions("no".into()), "invalid_options"),
            (
                EngineError::Io {
                    path: "/o".into(),
                    source: std::io::Error::other("disk full"),
                },
                "io",
            ),
        ];
        for (e, kind) in cases {
            let message = e.to_string();
            let json = serde_json::to_value(CommandError::from(e)).expect("serialises");
            assert_eq!(json["kind"], kind, "{message}");
            assert_eq!(json["message"], message.as_str());
        }
    }

    #[test]
    fn shell_kinds_serialise_flat() {
        let e = CommandError::invalid("no URL");
        assert_eq!(
            serde_json::to_value(e).expect("serialises"),
            serde_json::json!({"kind": "invalid_request", "message": "no URL"})
        );
    }
}
