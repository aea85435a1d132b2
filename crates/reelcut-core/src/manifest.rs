//! `clips.json`, written next to the clips of one input. Times are in source seconds.
//! Scripts depend on `clips[].parts[].start/end`, `output`, `width`, `height`, `duration`:
//! fields may be added, never renamed.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

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
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClipsManifest {
    pub input: PathBuf,
    pub clips: Vec<ClipEntry>,
}
