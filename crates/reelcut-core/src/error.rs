//! Errors of the pure domain: user-supplied specs that do not parse or do not make sense.

use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq)]
pub enum CoreError {
    #[error("invalid time '{input}': {reason}")]
    InvalidTime { input: String, reason: &'static str },
    #[error("invalid clip range '{input}': {reason}")]
    InvalidRange { input: String, reason: String },
    #[error("invalid aspect '{0}': expected one of 9:16, 1:1, 4:5, 16:9")]
    InvalidAspect(String),
    #[error("invalid watermark position '{0}': expected top-left, top-right, bottom-left, bottom-right or center")]
    InvalidPosition(String),
}
