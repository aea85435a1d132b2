//! `clips.json`, written next to the clips of one input. Times are in source seconds.
//! Scripts depend on `clips[].parts[].start/end`, `output`, `width`, `height`, `duration`:
//! fields may be added, never renamed.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

use crate::track::ShotSummary;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartEntry {
    pub start: f64,
    pub end: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClipEntry {
    pub parts: Vec<PartEntry>,
    /// File name relative to the manifest's directory.
    pub output: String,
    pub width: u32,
    pub height: u32,
    pub duration: f64,
    pub aspect: String,
    pub reframe: String,
    pub encoder: String,
    pub frames: u64,
    /// Face detector used for `reframe: "track"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detector: Option<String>,
    /// Per-shot reframing summary (subject, face coverage, mode), clip-timeline seconds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shots: Vec<ShotSummary>,
    /// The crop window over the clip, as `[clip time, x, y, width, height]` in source
    /// pixels, one entry each time it changes (a still crop is one entry).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub crop: Vec<[f64; 5]>,
    /// Clip-time ranges shown in the blurred-background layout (shots without a face).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blur: Vec<[f64; 2]>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClipsManifest {
    pub input: PathBuf,
    pub clips: Vec<ClipEntry>,
    /// Identifies the input (size, modification time) and every option that shaped the
    /// clips: a re-run with the same key finds the work done and skips it.
    #[serde(default)]
    pub run_key: String,
}
