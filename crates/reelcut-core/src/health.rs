//! The health check's report (`reelcut doctor`, the desktop app's first start): what was
//! found where, and for each problem the fix.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    Ok,
    /// Works, with a limit worth knowing (an optional piece missing, little disk).
    Warning,
    /// Something a job needs is missing or broken.
    Missing,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Check {
    /// Stable key: `libav`, `encoder`, `onnxruntime`, `face_model`, `vad_model`, `fonts`,
    /// `whisper`, `whisper:NAME`, `yt-dlp`, `disk:out`, `disk:state`, `job_store`.
    pub id: String,
    /// What is checked, in words.
    pub label: String,
    pub status: CheckStatus,
    /// What was found and where (versions, paths, sizes).
    pub found: String,
    /// How to fix it, when it is not ok.
    pub fix: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HealthReport {
    pub checks: Vec<Check>,
}

impl HealthReport {
    /// Nothing a job needs is missing (warnings allowed).
    pub fn ready(&self) -> bool {
        self.checks.iter().all(|c| c.status != CheckStatus::Missing)
    }

    pub fn problems(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| c.status != CheckStatus::Ok)
    }
}
