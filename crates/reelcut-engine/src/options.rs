use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use reelcut_core::jumpcut::JumpCuts;
use reelcut_core::{Aspect, ClipSpec, EncoderSettings, Watermark};

use crate::{SelectOptions, SpeechOptions, TrackOptions};

/// How the crop window is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Reframe {
    /// A fixed window in the middle of the frame.
    Center,
    /// Follow the speaker's face.
    #[default]
    Track,
}

/// Layout choice for a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum LayoutChoice {
    /// Crop (tracked or centred); a clip where no face is ever seen gets the centred crop.
    #[default]
    Crop,
    /// Crop, but a clip where no face is ever seen gets the blurred-background fit.
    CropOrBlur,
    /// Always the blurred-background fit.
    Blur,
    /// Shots with two to four people as panels (split halves, rows, a grid), one person's
    /// crop otherwise; shots without a face get the blurred-background fit.
    Split,
    /// Chosen per shot: one person's crop (cutting between speakers), panels for a rapid
    /// exchange or for three or four people with no clear speaker, the blurred-background
    /// fit for a wide shot or one without a face.
    Auto,
}

impl LayoutChoice {
    /// What the tracker is asked for.
    pub fn policy(self) -> reelcut_core::track::LayoutPolicy {
        use reelcut_core::track::LayoutPolicy;
        match self {
            LayoutChoice::Split => LayoutPolicy::Split,
            LayoutChoice::Auto => LayoutPolicy::Auto,
            LayoutChoice::Crop | LayoutChoice::CropOrBlur | LayoutChoice::Blur => {
                LayoutPolicy::Speaker
            }
        }
    }
}

/// Everything a user chooses for a run, shared by all inputs of that run.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct RunOptions {
    pub out_dir: PathBuf,
    /// Clips asked for by hand. Empty: chosen automatically (`auto`), or the whole input
    /// with `whole`.
    pub clips: Vec<ClipSpec>,
    /// Automatic selection (used when `clips` is empty and `whole` is not set).
    pub auto: SelectOptions,
    /// Without `clips`: the whole input as one clip instead of choosing.
    pub whole: bool,
    /// Move the boundaries of `clips` onto word or sentence edges (transcribes the input).
    pub snap: reelcut_core::snap::Snap,
    pub aspect: Aspect,
    /// Short side of the output in pixels (1080 gives 1080x1920 for 9:16).
    pub resolution: u32,
    pub reframe: Reframe,
    pub layout: LayoutChoice,
    /// Subtitles timed against the source, burned into each clip after retiming.
    pub subtitles: Option<PathBuf>,
    /// Caption style (a preset name or a style file) from speech; `None` for no captions.
    pub captions: Option<String>,
    pub speech: SpeechOptions,
    /// Pauses and filler words cut out of each clip (transcribes the input).
    pub jump: JumpCuts,
    pub watermark: Option<Watermark>,
    pub encoder: EncoderSettings,
    /// The audio stream clips carry, counting audio streams from 0; `None`: the default one.
    pub audio_track: Option<usize>,
    pub track: TrackOptions,
    /// Redo inputs even when their clips exist with the same options.
    pub force: bool,
    /// A folder input includes its subfolders.
    pub recursive: bool,
    /// The clips folder's name under `out_dir`, chosen when a local input is queued (see
    /// `outputs::claim_folder`); `None`: the input's (or the download's) file stem.
    pub folder: Option<String>,
    /// The playlists (feeds, pages) whose expansion queued this job, outermost first; empty
    /// for an input the user gave. Kept with the job so a feed that lists its own ancestor
    /// is not expanded again, and nesting is bounded, across restarts too.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub via: Vec<String>,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            out_dir: PathBuf::from("out"),
            clips: Vec::new(),
            auto: SelectOptions::default(),
            whole: false,
            snap: reelcut_core::snap::Snap::None,
            aspect: Aspect::Vertical,
            resolution: 1080,
            reframe: Reframe::Track,
            layout: LayoutChoice::Crop,
            subtitles: None,
            captions: None,
            speech: SpeechOptions::default(),
            jump: JumpCuts::default(),
            watermark: None,
            encoder: EncoderSettings::default(),
            audio_track: None,
            track: TrackOptions::default(),
            force: false,
            recursive: false,
            folder: None,
            via: Vec::new(),
        }
    }
}
