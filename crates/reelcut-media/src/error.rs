use std::path::PathBuf;

use reelcut_core::ErrorKind;
use thiserror::Error;

/// Every error names the file it is about and keeps libav's own error as the source.
#[derive(Debug, Error)]
pub enum MediaError {
    #[error("{path}: file not found")]
    NotFound { path: PathBuf },
    #[error("{path}: cannot read: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: not a media file ffmpeg can read ({source})")]
    Unreadable {
        path: PathBuf,
        source: ffmpeg_next::Error,
    },
    #[error("{path}: has no video stream")]
    NoVideo { path: PathBuf },
    /// libavformat opened it but what it found is not a usable video.
    #[error("{path}: not a usable video ({message})")]
    BadInput { path: PathBuf, message: String },
    #[error("{path}: range {start:.3}-{end:.3}s lies outside the video (duration {duration:.3}s)")]
    RangeOutside {
        path: PathBuf,
        start: f64,
        end: f64,
        duration: f64,
    },
    #[error("{path}: {what} not found")]
    AssetMissing { path: PathBuf, what: &'static str },
    #[error("{path}: unsupported subtitle format (use .ass, .ssa, .srt or .vtt)")]
    SubtitleFormat { path: PathBuf },
    #[error("no usable H.264 encoder (tried {tried})")]
    NoEncoder { tried: String },
    #[error("{path}: {stage} failed: {source}")]
    Libav {
        path: PathBuf,
        stage: &'static str,
        source: ffmpeg_next::Error,
    },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
    /// The decoder itself failed (out of memory, a libav bug), not on damaged data.
    #[error("{path}: decoding the {stream} stream failed near {position:.3}s: {source}")]
    Decode {
        path: PathBuf,
        stream: &'static str,
        position: f64,
        source: ffmpeg_next::Error,
    },
    /// Not one frame of the range could be decoded: the input is damaged there.
    #[error("{path}: no {stream} frame could be decoded in {start:.3}-{end:.3}s ({skipped} damaged packets skipped)")]
    Undecodable {
        path: PathBuf,
        stream: &'static str,
        start: f64,
        end: f64,
        skipped: u64,
    },
    /// A part of a clip in which the input has no frame at all: it lies past the real end
    /// (the header claims more than the file holds).
    #[error(
        "{path}: part {start:.3}-{end:.3}s has no video frames (the video ends at {ends:.3}s)"
    )]
    EmptyPart {
        path: PathBuf,
        start: f64,
        end: f64,
        /// End of the last frame decoded, seconds (0 if none).
        ends: f64,
    },
    #[error("{path}: no audio track {track} (the file has {count}; tracks count from 0)")]
    NoAudioTrack {
        path: PathBuf,
        track: usize,
        count: usize,
    },
    #[error("cancelled")]
    Cancelled,
}

impl MediaError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            MediaError::NotFound { .. } | MediaError::Io { .. } => ErrorKind::InputMissing,
            MediaError::Unreadable { .. }
            | MediaError::BadInput { .. }
            | MediaError::Undecodable { .. } => ErrorKind::InputInvalid,
            MediaError::NoVideo { .. } => ErrorKind::NoVideo,
            MediaError::RangeOutside { .. } | MediaError::EmptyPart { .. } => {
                ErrorKind::RangeOutside
            }
            MediaError::NoAudioTrack { .. } => ErrorKind::InvalidOptions,
            MediaError::AssetMissing { .. } | MediaError::SubtitleFormat { .. } => {
                ErrorKind::AssetInvalid
            }
            MediaError::NoEncoder { .. }
            | MediaError::Libav { .. }
            | MediaError::Decode { .. }
            | MediaError::Invalid { .. } => ErrorKind::Render,
            MediaError::Cancelled => ErrorKind::Cancelled,
        }
    }
}

/// Attaches a path and a stage name to a libav result.
pub(crate) trait LibavContext<T> {
    fn at(self, path: &std::path::Path, stage: &'static str) -> Result<T, MediaError>;
}

impl<T> LibavContext<T> for Result<T, ffmpeg_next::Error> {
    fn at(self, path: &std::path::Path, stage: &'static str) -> Result<T, MediaError> {
        self.map_err(|source| MediaError::Libav {
            path: path.to_path_buf(),
            stage,
            source,
        })
    }
}
