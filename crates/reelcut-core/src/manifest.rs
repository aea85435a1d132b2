//! `clips.json`, written next to the clips of one input. Times are in source seconds.
//! Scripts depend on `clips[].parts[].start/end`, `output`, `width`, `height`, `duration`:
//! fields may be added, never renamed.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

use crate::select::Reason;
use crate::track::{Override, ShotSummary};
use crate::Watermark;

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
    /// Damaged packets of the input skipped while decoding this clip (logged with their
    /// positions); absent when there were none.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub skipped_packets: u64,
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
    /// Clip-time ranges shown as panels (split, grid, a pinned fixed crop), each panel's
    /// window as `crop` gives the main one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub panels: Vec<PanelEntry>,
    /// The user's framing overrides for this clip (pin a face, a fixed crop or a layout for
    /// a clip-time range; see [`Override`]). Edit them and run again: the clip is rendered
    /// anew with them (kept across re-renders).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<Override>,
    /// [`overrides_key`] of the overrides this clip was rendered with: an edit shows as a
    /// difference, so the next run renders again rather than skipping finished work.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub overrides_key: String,
    /// Captions burned from speech: the style (a preset name or a style file) and the words
    /// in source seconds. Edit a word's text (or its times) and `reelcut render` burns the
    /// edit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub captions: Option<CaptionsPlan>,
    /// The watermark of this clip (the run's, unless edited).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub watermark: Option<Watermark>,
    /// [`plan_key`] of what this clip was rendered from: `reelcut render` renders again only
    /// the clips whose plan no longer matches it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub plan_key: String,
    /// For an automatically chosen clip: its selection score (the sum of `reasons`' values),
    /// the signals behind it and the words it contains. Absent for `--clip` ranges.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<Reason>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excerpt: Option<String>,
}

/// The captions of a clip, as the plan holds them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaptionsPlan {
    pub style: String,
    pub words: Vec<WordEntry>,
    /// The parts the words were cut for. While a clip's `parts` equal it, a word outside
    /// them is a mistake; once the parts are edited, the words are cut again for the new
    /// parts (those outside dropped, the transcript's words added for new stretches).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cut: Vec<PartEntry>,
}

/// One caption word: source seconds and its text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WordEntry {
    pub start: f64,
    pub end: f64,
    pub text: String,
}

/// Identifies the editable plan of one clip: its parts, captions, framing overrides and
/// watermark. Equal keys, same clip.
pub fn plan_key(e: &ClipEntry) -> String {
    let text = format!(
        "{:?}|{:?}|{:?}|{:?}",
        e.parts, e.captions, e.overrides, e.watermark
    );
    fnv(&text)
}

/// FNV-1a: a change detector, not a security boundary.
fn fnv(text: &str) -> String {
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{hash:016x}")
}

/// The version of clips.json this Reelcut writes: 2 is the editable plan (`options`,
/// per-clip `captions`, `watermark`, `overrides`, `plan_key`).
pub const MANIFEST_VERSION: u32 = 2;

/// A stretch of a clip shown as panels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PanelEntry {
    /// Clip time.
    pub start: f64,
    pub end: f64,
    /// Per panel, in cell order: its window as `[clip time, x, y, width, height]` each time
    /// it changes.
    pub crops: Vec<Vec<[f64; 5]>>,
}

/// Identifies a list of overrides (empty for none).
pub fn overrides_key(overrides: &[Override]) -> String {
    if overrides.is_empty() {
        return String::new();
    }
    // Debug output covers every field and is stable within a version.
    fnv(&format!("{overrides:?}"))
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClipsManifest {
    pub input: PathBuf,
    pub clips: Vec<ClipEntry>,
    /// Identifies the input (size, modification time) and every option that shaped the
    /// clips: a re-run with the same key finds the work done and skips it.
    #[serde(default)]
    pub run_key: String,
    /// The input as it plays (after its display rotation), for people and clients; absent
    /// in manifests of older versions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceInfo>,
    /// [`MANIFEST_VERSION`] (absent: 1, not editable).
    #[serde(default)]
    pub version: u32,
    /// The options the clips were made with (the engine's `RunOptions`), so that
    /// `reelcut render` renders an edited plan as the run did.
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub options: serde_json::Value,
}

/// What the input was, as a player shows it (the desktop window shows it too).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SourceInfo {
    /// Displayed size (a portrait phone video stored 1280x720 with a 90° matrix is 720x1280).
    pub width: u32,
    pub height: u32,
    /// Degrees a player turns the stored picture clockwise (0, 90, 180, 270).
    pub rotation: u32,
    pub mirrored: bool,
    /// PQ or HLG, tone-mapped to SDR in the clips.
    pub hdr: bool,
    /// Deinterlaced in the clips.
    pub interlaced: bool,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // test code: a panic is a failed test
    use super::*;
    use crate::select::Signal;

    #[test]
    fn selection_fields_are_optional_both_ways() {
        // A manifest written before automatic selection still reads...
        let old = r#"{"parts":[{"start":1.0,"end":2.0}],"output":"clip-01.mp4","width":1080,
            "height":1920,"duration":1.0,"aspect":"9:16","reframe":"center",
            "encoder":"libx264","frames":30}"#;
        let mut e: ClipEntry = serde_json::from_str(old).unwrap();
        assert_eq!(
            (e.score, e.reasons.len(), e.excerpt.as_deref()),
            (None, 0, None)
        );
        // ...a manual clip writes none of them...
        assert!(!serde_json::to_string(&e).unwrap().contains("score"));
        // ...and a chosen clip round-trips its reasons.
        e.score = Some(1.5);
        e.excerpt = Some("Why?".into());
        e.reasons = vec![Reason {
            signal: Signal::Hook,
            value: 1.5,
            text: "first line asks a question".into(),
            sentences: vec![4],
        }];
        let json = serde_json::to_string(&e).unwrap();
        assert!(json.contains(r#""signal":"hook""#), "{json}");
        assert_eq!(serde_json::from_str::<ClipEntry>(&json).unwrap(), e);
    }
}
