//! `reelcut export DIR/clips.json --format otio|fcpxml|edl`: the plan's clips as editor
//! timelines over the source media (see `reelcut_core::export`).

use std::path::Path;

use reelcut_core::captions::{caption_lines, CaptionContext, CaptionStyle};
use reelcut_core::export::{self, ClipExport, Source};
use reelcut_core::transcript::words_in;
use reelcut_core::{ClipsManifest, OutputSize, Segment, TimeRange, Transcript, Word};

use crate::EngineError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Otio,
    Fcpxml,
    Edl,
}

impl ExportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Otio => "otio",
            ExportFormat::Fcpxml => "fcpxml",
            ExportFormat::Edl => "edl",
        }
    }
}

/// The length (seconds) and frame rate of a source, for clients that edit its plan.
pub fn source_timing(path: &Path) -> Result<(f64, f64), EngineError> {
    let info = reelcut_media::probe(path)?;
    Ok((info.duration, info.fps))
}

/// The export of the plan at `manifest` (clips `only`, 1-based; empty: all) as files:
/// (file name, contents). OTIO and FCPXML hold every clip in one file named after the
/// input; an EDL holds one timeline, so there is one per clip (`clip-NN.edl`).
pub fn export_plan(
    manifest: &Path,
    format: ExportFormat,
    only: &[usize],
) -> Result<Vec<(String, String)>, EngineError> {
    let bad = |message: String| EngineError::Manifest {
        path: manifest.to_path_buf(),
        message,
    };
    let bytes = std::fs::read(manifest).map_err(EngineError::io(manifest))?;
    let m: ClipsManifest =
        serde_json::from_slice(&bytes).map_err(|e| bad(format!("does not parse: {e}")))?;
    for &n in only {
        if n == 0 || n > m.clips.len() {
            return Err(bad(format!(
                "clip {n} is not in the plan (it has {})",
                m.clips.len()
            )));
        }
    }
    let info = reelcut_media::probe(&m.input)?;
    for (i, c) in m.clips.iter().enumerate() {
        reelcut_core::edit::check_clip(c, info.duration, info.width, info.height)
            .map_err(|e| bad(format!("clip {}, {e}", i + 1)))?;
    }
    let src = Source {
        path: std::fs::canonicalize(&m.input).unwrap_or_else(|_| m.input.clone()),
        rate: Source::rate_of(info.fps),
        duration: info.duration,
        width: info.width,
        height: info.height,
        has_audio: info.has_audio,
    };
    let mut clips = Vec::new();
    for (i, c) in m.clips.iter().enumerate() {
        if !only.is_empty() && !only.contains(&(i + 1)) {
            continue;
        }
        let size = OutputSize {
            width: c.width,
            height: c.height,
        };
        let captions = match &c.captions {
            Some(plan) => {
                let style = CaptionStyle::resolve(&plan.style)
                    .map_err(|e| bad(format!("clip {}, captions.style: {e}", i + 1)))?;
                let words: Vec<Word> = plan
                    .words
                    .iter()
                    .map(|w| Word {
                        start: w.start,
                        end: w.end,
                        text: w.text.clone(),
                        probability: 1.0,
                    })
                    .collect();
                let t = Transcript {
                    language: String::new(),
                    model: String::new(),
                    duration: info.duration,
                    segments: vec![Segment {
                        start: 0.0,
                        end: info.duration,
                        text: String::new(),
                        confidence: 1.0,
                        words,
                    }],
                };
                let parts: Vec<TimeRange> = c
                    .parts
                    .iter()
                    .map(|p| TimeRange {
                        start: p.start,
                        end: p.end,
                    })
                    .collect();
                caption_lines(
                    &words_in(&t, &parts),
                    size,
                    &style,
                    &CaptionContext::default(),
                )
            }
            None => Vec::new(),
        };
        clips.push(ClipExport {
            name: c.output.trim_end_matches(".mp4").to_string(),
            entry: c,
            size,
            captions,
        });
    }
    let stem = m
        .input
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "clips".into());
    Ok(match format {
        ExportFormat::Otio => vec![(
            format!("{stem}.otio"),
            export::otio::export(&stem, &src, &clips),
        )],
        ExportFormat::Fcpxml => {
            vec![(
                format!("{stem}.fcpxml"),
                export::fcpxml::export(&stem, &src, &clips),
            )]
        }
        ExportFormat::Edl => clips
            .iter()
            .map(|c| (format!("{}.edl", c.name), export::edl::export(&src, c)))
            .collect(),
    })
}
