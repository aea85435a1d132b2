//! Reelcut's UI-free domain: what a clip is (time ranges of a source), how it is framed
//! (aspect, output size, crop path), what the render engine is asked to do ([`RenderSpec`]),
//! and the typed events and manifests that clients (CLI, desktop) consume.
//!
//! Nothing here touches ffmpeg, Whisper, ONNX, Tauri or a terminal: adapter crates implement
//! the heavy work against these types, so this crate compiles and tests in seconds.

pub mod captions;
pub mod edit;
pub mod error;
pub mod event;
pub mod export;
pub mod geometry;
pub mod health;
pub mod job;
pub mod jumpcut;
pub mod manifest;
pub mod names;
pub mod partial;
pub mod range;
pub mod render_spec;
pub mod select;
pub mod snap;
pub mod subtitles;
pub mod timecode;
pub mod track;
pub mod transcript;
pub mod watermark;

pub use error::CoreError;
pub use event::{ErrorKind, Event, Stage};
pub use geometry::{Aspect, CropPath, CropRect, OutputSize};
pub use job::{JobId, JobRecord, JobStatus, JobStore, JobUpdate, NewJob, StoreError};
pub use manifest::{ClipEntry, ClipsManifest, PartEntry, SourceInfo};
pub use names::{is_url, printable, safe_stem};
pub use range::{ClipSpec, TimeRange};
pub use render_spec::{EncoderChoice, EncoderSettings, Layout, PanelRange, RenderSpec};
pub use transcript::{Segment, Transcript, Word};
pub use watermark::{Watermark, WatermarkKind, WatermarkPosition};

/// Cancellation is a token shared between a job and every stage working for it; the render
/// loop checks it once per frame.
pub use tokio_util::sync::CancellationToken;
