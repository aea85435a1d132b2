//! What the render engine is asked to produce for one clip. The engine (reelcut-media) turns
//! a spec into exactly one decode -> filter -> encode pass.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

use crate::{Aspect, ClipSpec, CropPath, OutputSize, Watermark};

/// Which H.264 encoder to use. `Auto` walks an ordered list (hardware first, libx264 last)
/// and takes the first one that opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum EncoderChoice {
    #[default]
    Auto,
    Named(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EncoderSettings {
    pub encoder: EncoderChoice,
    /// x264 preset name (ultrafast ... veryslow); mapped to the nearest hardware preset.
    pub preset: String,
    /// Constant rate factor (0-51, lower is better quality).
    pub crf: u8,
    pub audio_bitrate: usize,
}

impl Default for EncoderSettings {
    fn default() -> Self {
        Self {
            encoder: EncoderChoice::Auto,
            preset: "veryfast".into(),
            crf: 20,
            audio_bitrate: 160_000,
        }
    }
}

pub const X264_PRESETS: &[&str] = &[
    "ultrafast",
    "superfast",
    "veryfast",
    "faster",
    "fast",
    "medium",
    "slow",
    "slower",
    "veryslow",
];

/// How the source fills the output frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Layout {
    /// A window of the output's aspect cut from the source (the crop path), scaled up.
    #[default]
    Crop,
    /// The whole frame scaled to fit, over a blurred copy that covers the output.
    BlurFit,
}

/// A stretch of a clip shown as panels (see [`RenderSpec::panels`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PanelRange {
    /// Clip time.
    pub start: f64,
    pub end: f64,
    /// One per cell, in cell order (the source's left-to-right order of the people).
    pub crops: Vec<CropPath>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RenderSpec {
    pub input: PathBuf,
    pub output: PathBuf,
    pub clip: ClipSpec,
    pub aspect: Aspect,
    pub size: OutputSize,
    pub layout: Layout,
    /// Clip-time ranges rendered with [`Layout::BlurFit`] although `layout` is
    /// [`Layout::Crop`] (shots without a face, when the user asked for that).
    #[serde(default)]
    pub blur_ranges: Vec<crate::TimeRange>,
    /// Clip-time ranges shown as panels (split or grid): one crop path per person, each
    /// scaled into its cell of [`crate::geometry::panel_cells`]. Takes precedence over
    /// `crop` and `blur_ranges` in its ranges; one panel is a crop with a window of its own
    /// (a pinned fixed crop).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub panels: Vec<PanelRange>,
    /// `None`: the engine uses a centred crop of `aspect` (or the whole frame for
    /// [`Layout::BlurFit`]).
    pub crop: Option<CropPath>,
    /// An ASS, SRT or VTT file burned into the picture (times relative to the clip's start).
    pub subtitles: Option<PathBuf>,
    /// Directory libass loads fonts from, so output never depends on the machine's fonts.
    pub fonts_dir: Option<PathBuf>,
    /// Font family used for SRT/VTT subtitles and text watermarks (must exist in `fonts_dir`).
    pub font_family: String,
    /// A font file for text watermarks (drawtext takes a file, not a family).
    pub font_file: Option<PathBuf>,
    pub watermark: Option<Watermark>,
    pub encoder: EncoderSettings,
    /// Which audio stream to carry, counting audio streams from 0; `None`: the one the
    /// container marks default, else the first.
    #[serde(default)]
    pub audio_track: Option<usize>,
}
