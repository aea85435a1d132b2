//! The engine: what happens to one input, stage by stage (probe, plan clips, retime
//! subtitles, render each clip, write the manifest), reporting typed [`Event`]s. It knows no
//! UI; the CLI and the desktop app are clients.

mod assets;
mod error;
mod fetch;
mod jobs;
mod options;
mod process;
mod reframe;
mod rerank;
mod select;
mod throttle;
mod transcribe;

pub use assets::Assets;
pub use error::EngineError;
pub use fetch::{download_with, find_ytdlp, inspect_url, is_url, safe_name, UrlInfo};
pub use jobs::{Engine, EngineConfig, PoolSizes, RetryPolicy};
pub use options::{LayoutChoice, Reframe, RunOptions};
pub use process::{plan_input, videos_in};
pub use reelcut_core::{CancellationToken, Event};
pub use reframe::TrackOptions;
pub use rerank::{RerankConfig, RerankError};
pub use select::{choose_clips, choose_from, ChosenClip, Loudness, Reason, SelectOptions, Signal};
pub use transcribe::{resolve_model, transcribe_input, SpeechOptions, Transcribed};
