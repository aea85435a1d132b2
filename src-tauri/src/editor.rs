//! The clip editor's commands: one clip's plan as the editor shows it (its parts, its words,
//! the transcript's words around it to extend into), and an edit saved into clips.json and
//! rendered through the engine (that clip only; see `reelcut render`).

use std::path::{Path, PathBuf};

use reelcut_core::Transcript;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::CommandError;
use crate::gallery::ClipView;

/// A part of a clip, source seconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PlanPart {
    pub start: f64,
    pub end: f64,
}

/// A caption word, source seconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PlanWord {
    pub start: f64,
    pub end: f64,
    pub text: String,
}

/// A stretch of the clip (clip seconds) pinned to a layout, the person nearest a point, or a
/// fixed crop: an override in clips.json. Exactly one of `layout`, `face`, `crop`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PlanPin {
    pub start: f64,
    pub end: f64,
    /// "speaker", "split" or "blur".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub layout: Option<String>,
    /// Follow the face nearest this point, source pixels (x, y).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub face: Option<[f32; 2]>,
    /// A fixed window, source pixels (x, y, width, height); its width follows the output.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub crop: Option<[u32; 4]>,
}

/// A face the analysis saw in a shot, source pixels: where a click pins the framing to.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct FrameFace {
    pub track: u32,
    /// x, y, width, height.
    pub rect: [f32; 4],
}

/// A frame of the source under a clip time, for pointing at whom or what to frame.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ClipFrame {
    /// A PNG beside the clip (in its `.reelcut` folder), for the window to show.
    pub image: String,
    /// Source time of the frame.
    pub time: f64,
    pub source_width: u32,
    pub source_height: u32,
    /// The faces of the shot the frame is in, as clips.json records them.
    pub faces: Vec<FrameFace>,
}

/// One clip's plan, for the editor.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ClipPlan {
    /// The rendered clip (what the player shows).
    pub output: String,
    pub index: u32,
    pub parts: Vec<PlanPart>,
    /// The words burned into the clip, as the plan holds them.
    pub words: Vec<PlanWord>,
    /// The transcript's words from 30 s before the clip to 30 s after: where its edges can
    /// be moved to, on word edges.
    pub context: Vec<PlanWord>,
    /// The caption style (a preset name or a style file); none without captions.
    pub style: Option<String>,
    /// The clip's layout pins (its other overrides are kept as they are).
    pub pins: Vec<PlanPin>,
    pub source_duration: f64,
    pub fps: f64,
}

/// What the editor sends back.
#[derive(Debug, Clone, PartialEq, Deserialize, TS)]
pub struct ClipEdit {
    pub parts: Vec<PlanPart>,
    pub words: Vec<PlanWord>,
    pub style: Option<String>,
    pub pins: Vec<PlanPin>,
}

/// How far around a clip the editor offers the transcript's words.
const CONTEXT_S: f64 = 30.0;

fn manifest_of(output: &Path) -> Result<(PathBuf, String), CommandError> {
    let name = output
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .ok_or_else(|| CommandError::invalid(format!("{} is not a clip", output.display())))?;
    let manifest = output.with_file_name("clips.json");
    Ok((manifest, name))
}

fn read_json(path: &Path) -> Result<serde_json::Value, CommandError> {
    let bytes = std::fs::read(path)?;
    serde_json::from_slice(&bytes)
        .map_err(|e| CommandError::invalid(format!("{}: does not parse: {e}", path.display())))
}

/// The clip's index in the plan at `manifest` (0-based) by its file name.
fn position(m: &serde_json::Value, name: &str, manifest: &Path) -> Result<usize, CommandError> {
    m["clips"]
        .as_array()
        .and_then(|c| c.iter().position(|c| c["output"] == name))
        .ok_or_else(|| {
            CommandError::invalid(format!(
                "{}: no clip {name} in the plan",
                manifest.display()
            ))
        })
}

fn words_of(v: &serde_json::Value) -> Vec<PlanWord> {
    serde_json::from_value(v.clone()).unwrap_or_default()
}

/// The clip at `output` as its plan holds it.
struct Planned {
    manifest: PathBuf,
    /// The whole plan (clips.json).
    m: serde_json::Value,
    /// The clip's index in it, 0-based.
    i: usize,
    parts: Vec<PlanPart>,
    input: PathBuf,
}

fn planned(output: &Path) -> Result<Planned, CommandError> {
    let (manifest, name) = manifest_of(output)?;
    let m = read_json(&manifest)?;
    let i = position(&m, &name, &manifest)?;
    let parts = serde_json::from_value(m["clips"][i]["parts"].clone()).map_err(|e| {
        CommandError::invalid(format!(
            "{}: clip {}: parts: {e}",
            manifest.display(),
            i + 1
        ))
    })?;
    let input = PathBuf::from(m["input"].as_str().unwrap_or_default());
    Ok(Planned {
        manifest,
        m,
        i,
        parts,
        input,
    })
}

/// An override the editor shows and replaces (the others it keeps as they are).
fn is_editors(o: &serde_json::Value) -> bool {
    o["layout"].is_string() || o["face"].is_array() || o["crop"].is_array()
}

/// The source time of `at` seconds into a clip of `parts`.
fn source_time(parts: &[PlanPart], at: f64) -> f64 {
    let mut left = at.max(0.0);
    for p in parts {
        let len = p.end - p.start;
        if left < len {
            return p.start + left;
        }
        left -= len;
    }
    parts.last().map_or(0.0, |p| p.end)
}

/// The source frame `at` seconds into the clip at `output`, written beside it as a PNG, with
/// the faces of its shot.
pub fn clip_frame(output: &Path, at: f64) -> Result<ClipFrame, CommandError> {
    let Planned {
        manifest,
        m,
        i,
        parts,
        input,
    } = planned(output)?;
    let clip = &m["clips"][i];
    let f = reelcut_engine::source_frame(&input, source_time(&parts, at))?;
    let dir = manifest.with_file_name(".reelcut");
    std::fs::create_dir_all(&dir)?;
    let file = dir.join(format!("frame-{:02}.png", i + 1));
    reelcut_core::partial::write_atomic(&file, &png_of(&f.rgb, f.width, f.height)?)?;
    // The shot the frame is in (shots are clip time, like `at`).
    let faces = clip["shots"]
        .as_array()
        .and_then(|shots| {
            shots.iter().find(|s| {
                s["start"].as_f64().is_some_and(|a| a <= at + 1e-6)
                    && s["end"].as_f64().is_some_and(|b| at < b)
            })
        })
        .and_then(|s| s["tracks"].as_array())
        .map(|tracks| {
            tracks
                .iter()
                .filter_map(|t| {
                    let rect: [f32; 4] = serde_json::from_value(t["box"].clone()).ok()?;
                    Some(FrameFace {
                        track: t["id"].as_u64()? as u32,
                        rect,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(ClipFrame {
        image: file.to_string_lossy().into_owned(),
        time: f.time,
        source_width: f.source_width,
        source_height: f.source_height,
        faces,
    })
}

fn png_of(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>, CommandError> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, width, height);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    enc.set_compression(png::Compression::Fast);
    let fail =
        |e: png::EncodingError| CommandError::invalid(format!("the frame does not encode: {e}"));
    let mut w = enc.write_header().map_err(fail)?;
    w.write_image_data(rgb).map_err(fail)?;
    w.finish().map_err(fail)?;
    Ok(out)
}

/// The plan of the clip at `output` (already checked to be in an output folder).
pub fn clip_plan(output: &Path) -> Result<ClipPlan, CommandError> {
    let Planned {
        manifest,
        m,
        i,
        parts,
        input,
    } = planned(output)?;
    let clip = &m["clips"][i];
    let (source_duration, fps) = reelcut_engine::source_timing(&input)?;
    let (lo, hi) = (
        parts.iter().map(|p| p.start).fold(f64::INFINITY, f64::min) - CONTEXT_S,
        parts.iter().map(|p| p.end).fold(0.0, f64::max) + CONTEXT_S,
    );
    let context = std::fs::read(manifest.with_file_name("transcript.json"))
        .ok()
        .and_then(|b| serde_json::from_slice::<Transcript>(&b).ok())
        .map(|t| {
            t.words()
                .filter(|w| w.end > lo && w.start < hi)
                .map(|w| PlanWord {
                    start: w.start,
                    end: w.end,
                    text: w.text.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(ClipPlan {
        output: output.to_string_lossy().into_owned(),
        index: i as u32 + 1,
        parts,
        words: words_of(&clip["captions"]["words"]),
        context,
        style: clip["captions"]["style"].as_str().map(str::to_string),
        pins: clip["overrides"]
            .as_array()
            .map(|o| {
                o.iter()
                    .filter(|o| is_editors(o))
                    .filter_map(|o| serde_json::from_value(o.clone()).ok())
                    .collect()
            })
            .unwrap_or_default(),
        source_duration,
        fps,
    })
}

/// Writes `edit` into the plan of the clip at `output` (everything else in clips.json kept
/// as it is) and returns the manifest and the clip's number; the caller renders it.
pub fn save_edit(output: &Path, edit: &ClipEdit) -> Result<(PathBuf, usize), CommandError> {
    let (manifest, m, index) = edited(output, edit)?;
    let json = serde_json::to_vec_pretty(&m)
        .map_err(|e| CommandError::invalid(format!("the plan does not serialise: {e}")))?;
    reelcut_core::partial::write_atomic(&manifest, &json)?;
    Ok((manifest, index))
}

/// The plan with `edit` in it, not saved: what a preview renders (clips.json stays as the
/// last render left it until the edit is rendered for real).
pub fn previewed_plan(
    output: &Path,
    edit: &ClipEdit,
) -> Result<(PathBuf, reelcut_core::ClipsManifest, usize), CommandError> {
    let (manifest, m, index) = edited(output, edit)?;
    let plan = serde_json::from_value(m).map_err(|e| {
        CommandError::invalid(format!("{}: the edited plan: {e}", manifest.display()))
    })?;
    Ok((manifest, plan, index))
}

/// The manifest of the clip at `output`, its plan with `edit` applied, and the clip's number.
fn edited(
    output: &Path,
    edit: &ClipEdit,
) -> Result<(PathBuf, serde_json::Value, usize), CommandError> {
    let (manifest, name) = manifest_of(output)?;
    let mut m = read_json(&manifest)?;
    let i = position(&m, &name, &manifest)?;
    let clip = &mut m["clips"][i];
    clip["parts"] = serde_json::to_value(&edit.parts).unwrap_or_default();
    if clip["captions"].is_object() {
        clip["captions"]["words"] = serde_json::to_value(&edit.words).unwrap_or_default();
        if let Some(style) = &edit.style {
            clip["captions"]["style"] = style.clone().into();
        }
    }
    // Layout, face and crop pins are the editor's; track pins (written by hand, naming a
    // face by its id) stay as they were.
    let mut overrides: Vec<serde_json::Value> = clip["overrides"]
        .as_array()
        .map(|o| o.iter().filter(|o| !is_editors(o)).cloned().collect())
        .unwrap_or_default();
    overrides.extend(
        edit.pins
            .iter()
            .filter_map(|p| serde_json::to_value(p).ok()),
    );
    if overrides.is_empty() {
        if let Some(o) = clip.as_object_mut() {
            o.remove("overrides");
        }
    } else {
        clip["overrides"] = overrides.into();
    }
    Ok((manifest, m, i + 1))
}

/// The job that wrote the plan at `manifest`, if this machine's job list has it: the
/// re-render's progress goes on that job's card.
pub fn job_of(engine: &reelcut_engine::Engine, manifest: &Path) -> Option<reelcut_core::JobId> {
    let want = std::fs::canonicalize(manifest).ok()?;
    engine.jobs().ok()?.into_iter().find_map(|j| {
        let m = std::fs::canonicalize(j.manifest.as_deref()?).ok()?;
        (m == want).then_some(j.id)
    })
}

/// The clip as the gallery now shows it.
pub fn clip_view(manifest: &Path, index: usize) -> Result<ClipView, CommandError> {
    crate::gallery::finished_of(manifest)
        .clips
        .into_iter()
        .find(|c| c.index as usize == index)
        .ok_or_else(|| {
            CommandError::invalid(format!("{}: clip {index} is gone", manifest.display()))
        })
}

/// Exports the clip at `output` as `format` beside it (clip-NN.otio, .fcpxml or .edl).
pub fn export_clip(output: &Path, format: &str) -> Result<String, CommandError> {
    let format = match format {
        "otio" => reelcut_engine::ExportFormat::Otio,
        "fcpxml" => reelcut_engine::ExportFormat::Fcpxml,
        "edl" => reelcut_engine::ExportFormat::Edl,
        other => {
            return Err(CommandError::invalid(format!(
                "unknown export format {other:?} (otio, fcpxml, edl)"
            )))
        }
    };
    let (manifest, name) = manifest_of(output)?;
    let m = read_json(&manifest)?;
    let index = position(&m, &name, &manifest)? + 1;
    let files = reelcut_engine::export_plan(&manifest, format, &[index])?;
    let (_, text) = files
        .into_iter()
        .next()
        .ok_or_else(|| CommandError::invalid("nothing to export"))?;
    let file = output.with_extension(format.extension());
    reelcut_core::partial::write_atomic(&file, text.as_bytes())?;
    Ok(file.to_string_lossy().into_owned())
}
