//! The engine: a persistent queue of jobs, one per input, each taken stage by stage (fetch,
//! probe, transcribe, plan the clips, analyse and render each clip, write the manifest) on
//! the stage's own bounded pool, reporting typed [`Event`]s. It owns what is expensive to
//! load (Whisper models, face detectors) and knows no UI; the CLI and the desktop app are
//! clients.

mod assets;
pub mod doctor;
mod error;
mod exit;
mod export;
mod fetch;
mod frame;
mod inputs;
mod jobs;
mod model_import;
mod options;
mod outputs;
mod plan;
mod reframe;
mod rerank;
mod resources;
mod select;
mod speech_model;
mod throttle;
mod transcribe;
mod voice;
mod voiced;
pub mod watch;
mod writer;

pub use assets::Assets;
pub use error::{EngineError, FetchError};
pub use exit::exit_process;
pub use export::{export_plan, source_timing, ExportFormat};
pub use fetch::{download_name, download_with, find_ytdlp, inspect_url, is_url, UrlInfo};
pub use frame::{source_frame, SourceFrame};
pub use inputs::videos_in;
pub use jobs::{Engine, EngineConfig, PlanClip, PlanRender, PoolSizes, RetryPolicy};
pub use model_import::{import_model, ImportOptions, Imported};
pub use options::{LayoutChoice, Reframe, RunOptions};
pub use plan::{plan_input, PlannedClip};
pub use reelcut_core::{CancellationToken, Event};
pub use reframe::TrackOptions;
pub use rerank::{RerankConfig, RerankError};
pub use resources::Resources;
pub use select::{choose_clips, choose_from, ChosenClip, Loudness, Reason, SelectOptions, Signal};
pub use transcribe::{resolve_model, transcribe_input, SpeechOptions, Transcribed};
