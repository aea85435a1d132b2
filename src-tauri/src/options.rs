//! What the options panel sends with every submission, and how it becomes the engine's
//! [`RunOptions`]. Kept to the choices a person makes in the window; the rest are the
//! engine's defaults.

use std::path::PathBuf;

use reelcut_core::jumpcut::{JumpCuts, DEFAULT_GAP_S};
use reelcut_core::{Aspect, ClipSpec, Watermark, WatermarkKind, WatermarkPosition};
use reelcut_engine::RunOptions;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::CommandError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WatermarkChoice {
    None,
    Text { text: String },
    Image { path: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum ClipChoice {
    /// The engine chooses the `count` best moments (offline, explained in the gallery).
    Auto {
        #[serde(default = "default_count")]
        count: u32,
    },
    /// The whole input as one clip.
    Whole,
    /// `START-END` or `A-B+C-D` (seconds or `[h:]mm:ss[.fff]`), one clip each.
    Ranges { ranges: Vec<String> },
}

fn default_count() -> u32 {
    reelcut_engine::SelectOptions::default().count as u32
}

/// One run's options. Also the saved defaults (see [`crate::settings`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct RunRequest {
    pub out_dir: String,
    pub aspect: Aspect,
    /// A caption preset name, or "none".
    pub captions: String,
    pub watermark: WatermarkChoice,
    /// "top-left", "top-right", "bottom-left", "bottom-right" or "center".
    pub watermark_position: String,
    pub clips: ClipChoice,
    /// Follow the speaker's face (true) or keep a centred crop.
    pub track_faces: bool,
    /// Jump cuts: pauses longer than half a second are cut (to 0.1 s each side).
    pub cut_silences: bool,
    /// Jump cuts: filler words ("um", "uh") are cut.
    pub cut_fillers: bool,
    /// The Whisper model: "auto" (the engine picks by language) or an installed model's
    /// name (see `list_models`).
    pub model: String,
}

impl Default for RunRequest {
    fn default() -> Self {
        Self {
            out_dir: String::new(),
            aspect: Aspect::Vertical,
            captions: "karaoke".into(),
            watermark: WatermarkChoice::None,
            watermark_position: "top-left".into(),
            clips: ClipChoice::Auto {
                count: default_count(),
            },
            track_faces: true,
            cut_silences: false,
            cut_fillers: false,
            model: reelcut_engine::SpeechOptions::default().model,
        }
    }
}

impl RunRequest {
    /// Checks everything a person can get wrong in the form, so the error shows beside the
    /// form instead of as a failed job.
    pub fn to_run_options(&self) -> Result<RunOptions, CommandError> {
        if self.out_dir.trim().is_empty() {
            return Err(CommandError::invalid("choose an output folder"));
        }
        let mut auto = reelcut_engine::SelectOptions::default();
        let clips = match &self.clips {
            ClipChoice::Auto { count } => {
                if !(1..=20).contains(count) {
                    return Err(CommandError::invalid("choose between 1 and 20 clips"));
                }
                auto.count = *count as usize;
                Vec::new()
            }
            ClipChoice::Whole => Vec::new(),
            ClipChoice::Ranges { ranges } => {
                let specs = ranges
                    .iter()
                    .filter(|r| !r.trim().is_empty())
                    .map(|r| {
                        ClipSpec::parse(r.trim())
                            .map_err(|e| CommandError::invalid(format!("clip range '{r}': {e}")))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                if specs.is_empty() {
                    return Err(CommandError::invalid("enter at least one clip range"));
                }
                specs
            }
        };
        let captions = match self.captions.as_str() {
            "none" | "" => None,
            name if reelcut_core::captions::PRESET_NAMES.contains(&name) => Some(name.to_string()),
            other => {
                return Err(CommandError::invalid(format!(
                    "unknown caption style '{other}'"
                )))
            }
        };
        let position: WatermarkPosition = self
            .watermark_position
            .parse()
            .map_err(|e| CommandError::invalid(format!("watermark position: {e}")))?;
        let watermark = match &self.watermark {
            WatermarkChoice::None => None,
            WatermarkChoice::Text { text } if text.trim().is_empty() => {
                return Err(CommandError::invalid("the watermark text is empty"))
            }
            WatermarkChoice::Text { text } => Some(WatermarkKind::Text(text.clone())),
            WatermarkChoice::Image { path } if path.trim().is_empty() => {
                return Err(CommandError::invalid("choose a watermark image"))
            }
            WatermarkChoice::Image { path } => Some(WatermarkKind::Image(watermark_image(path)?)),
        }
        .map(|kind| Watermark {
            position,
            ..Watermark::new(kind)
        });
        let model = match self.model.trim() {
            "" => reelcut_engine::SpeechOptions::default().model,
            name => name.to_string(),
        };
        Ok(RunOptions {
            out_dir: PathBuf::from(&self.out_dir),
            speech: reelcut_engine::SpeechOptions {
                model,
                ..reelcut_engine::SpeechOptions::default()
            },
            whole: self.clips == ClipChoice::Whole,
            auto,
            clips,
            aspect: self.aspect,
            captions,
            watermark,
            reframe: if self.track_faces {
                reelcut_engine::Reframe::Track
            } else {
                reelcut_engine::Reframe::Center
            },
            jump: JumpCuts {
                silences: self.cut_silences.then_some(DEFAULT_GAP_S),
                fillers: self.cut_fillers,
                filler_words: None,
            },
            ..RunOptions::default()
        })
    }
}

/// A watermark image the page names must be an existing image file on this machine, by an
/// absolute path: the render opens it through ffmpeg's `movie` source, which would as
/// happily fetch `http://...` or read a device.
fn watermark_image(path: &str) -> Result<PathBuf, CommandError> {
    let p = PathBuf::from(path);
    if !p.is_absolute() {
        return Err(CommandError::invalid(format!(
            "watermark image '{path}': choose the file (an absolute path is needed)"
        )));
    }
    match std::fs::metadata(&p) {
        Ok(m) if m.is_file() => Ok(p),
        Ok(_) => Err(CommandError::invalid(format!(
            "watermark image '{path}' is not a file"
        ))),
        Err(e) => Err(CommandError::invalid(format!(
            "watermark image '{path}': {e}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> RunRequest {
        RunRequest {
            out_dir: "/tmp/out".into(),
            ..RunRequest::default()
        }
    }

    #[test]
    fn ranges_become_clip_specs() {
        let r = RunRequest {
            clips: ClipChoice::Ranges {
                ranges: vec!["1-3".into(), " ".into(), "0:05-0:07+9-10".into()],
            },
            ..request()
        };
        let o = r.to_run_options().expect("valid");
        assert_eq!(o.clips.len(), 2);
        assert_eq!(o.clips[1].parts.len(), 2);
        assert_eq!(o.captions.as_deref(), Some("karaoke"));
    }

    #[test]
    fn mistakes_are_reported_not_submitted() {
        let bad_range = RunRequest {
            clips: ClipChoice::Ranges {
                ranges: vec!["5-2".into()],
            },
            ..request()
        };
        let e = bad_range.to_run_options().expect_err("end before start");
        assert!(e.message.contains("5-2"), "{}", e.message);
        let no_ranges = RunRequest {
            clips: ClipChoice::Ranges { ranges: vec![] },
            ..request()
        };
        assert!(no_ranges.to_run_options().is_err());
        let no_dir = RunRequest::default();
        assert!(no_dir.to_run_options().is_err());
        let style = RunRequest {
            captions: "comic-sans".into(),
            ..request()
        };
        assert!(style.to_run_options().is_err());
        let empty_text = RunRequest {
            watermark: WatermarkChoice::Text { text: "  ".into() },
            ..request()
        };
        assert!(empty_text.to_run_options().is_err());
    }

    #[test]
    fn a_watermark_image_is_an_existing_file_by_absolute_path() {
        let image = |path: &str| RunRequest {
            watermark: WatermarkChoice::Image { path: path.into() },
            ..request()
        };
        for bad in [
            "http://127.0.0.1:9/logo.png",
            "logo.png",
            "/dev",
            "/no/such/logo.png",
        ] {
            let e = image(bad).to_run_options().expect_err(bad);
            assert!(e.message.contains(bad), "{}", e.message);
        }
        let dir = std::env::temp_dir().join(format!("reelcut-wm-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let logo = dir.join("logo.png");
        std::fs::write(&logo, b"png").expect("logo");
        let o = image(logo.to_str().expect("utf-8"))
            .to_run_options()
            .expect("an existing image");
        assert!(o.watermark.is_some());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn none_caption_and_text_watermark() {
        let r = RunRequest {
            captions: "none".into(),
            watermark: WatermarkChoice::Text { text: "@me".into() },
            watermark_position: "bottom-right".into(),
            track_faces: false,
            ..request()
        };
        let o = r.to_run_options().expect("valid");
        assert!(o.captions.is_none());
        let w = o.watermark.expect("watermark");
        assert_eq!(w.position, WatermarkPosition::BottomRight);
        assert_eq!(o.reframe, reelcut_engine::Reframe::Center);
    }

    #[test]
    fn jump_cut_switches_become_jump_cuts() {
        let off = request().to_run_options().expect("valid");
        assert!(off.jump.is_off());
        let on = RunRequest {
            cut_silences: true,
            cut_fillers: true,
            ..request()
        }
        .to_run_options()
        .expect("valid");
        assert_eq!(on.jump.silences, Some(DEFAULT_GAP_S));
        assert!(on.jump.fillers && on.jump.filler_words.is_none());
        // Saved defaults from before the switches existed load with them off.
        let r: RunRequest = serde_json::from_str(r#"{"aspect":"1:1"}"#).expect("parses");
        assert!(!r.cut_silences && !r.cut_fillers);
    }

    #[test]
    fn partial_json_takes_defaults() {
        let r: RunRequest = serde_json::from_str(r#"{"aspect":"1:1"}"#).expect("parses");
        assert_eq!(r.aspect, Aspect::Square);
        // Captions are on, as karaoke, unless a person turns them off.
        assert_eq!(r.captions, "karaoke");
        assert_eq!(r.model, "auto");
        let r: RunRequest = serde_json::from_str(r#"{"clips":{"mode":"auto"}}"#).expect("parses");
        assert_eq!(
            r.clips,
            ClipChoice::Auto {
                count: default_count()
            }
        );
    }

    #[test]
    fn the_chosen_model_reaches_the_speech_options() {
        let auto = request().to_run_options().expect("valid");
        assert_eq!(auto.speech.model, "auto");
        let named = RunRequest {
            model: "base".into(),
            ..request()
        }
        .to_run_options()
        .expect("valid");
        assert_eq!(named.speech.model, "base");
        let blank = RunRequest {
            model: " ".into(),
            ..request()
        }
        .to_run_options()
        .expect("valid");
        assert_eq!(blank.speech.model, "auto");
    }

    #[test]
    fn automatic_whole_or_ranges() {
        let auto = RunRequest {
            clips: ClipChoice::Auto { count: 5 },
            ..request()
        }
        .to_run_options()
        .expect("valid");
        assert!(auto.clips.is_empty() && !auto.whole);
        assert_eq!(auto.auto.count, 5);
        let whole = RunRequest {
            clips: ClipChoice::Whole,
            ..request()
        }
        .to_run_options()
        .expect("valid");
        assert!(whole.clips.is_empty() && whole.whole);
        let none = RunRequest {
            clips: ClipChoice::Auto { count: 0 },
            ..request()
        };
        assert!(none.to_run_options().is_err());
    }
}
