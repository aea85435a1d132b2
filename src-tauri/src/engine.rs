//! The job engine the commands drive: reelcut-engine's, the same the CLI uses.
pub use reelcut_core::JobRecord as JobSummary;
pub use reelcut_engine::{Engine, EngineConfig};
