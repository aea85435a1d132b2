//! The caption presets as the options panel previews them: the engine's own style values
//! (colours, size, position, case), so the preview cannot drift from what gets burned in.

use reelcut_core::captions::{Animation, CaptionStyle, PRESET_NAMES};
use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct StylePreview {
    pub name: String,
    #[ts(type = "\"karaoke\" | \"pop\" | \"static\"")]
    pub animation: String,
    pub bold: bool,
    /// Font size as a fraction of the frame height of a 1080x1920 clip.
    pub size: f64,
    /// CSS colours (`#RRGGBB` or `#RRGGBBAA`).
    pub primary: String,
    pub highlight: String,
    pub outline_colour: String,
    pub back_colour: String,
    /// Outline width as a fraction of the frame height.
    pub outline: f64,
    pub boxed: bool,
    /// Bottom of the caption block, as a fraction of the height from the top.
    pub position: f64,
    #[ts(type = "\"left\" | \"center\" | \"right\"")]
    pub align: String,
    pub uppercase: bool,
    pub max_words_per_line: u32,
}

impl From<&CaptionStyle> for StylePreview {
    fn from(s: &CaptionStyle) -> Self {
        const HEIGHT: f64 = 1920.0;
        StylePreview {
            name: s.name.clone(),
            animation: match s.animation {
                Animation::Karaoke => "karaoke",
                Animation::Pop => "pop",
                Animation::Static => "static",
            }
            .into(),
            bold: s.bold,
            size: s.size / HEIGHT,
            primary: s.primary_colour.to_string(),
            highlight: s.highlight_colour.to_string(),
            outline_colour: s.outline_colour.to_string(),
            back_colour: s.back_colour.to_string(),
            outline: s.outline / HEIGHT,
            boxed: s.boxed,
            position: s.position,
            align: serde_json::to_value(s.align)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_else(|| "center".into()),
            uppercase: s.uppercase,
            max_words_per_line: s.max_words_per_line as u32,
        }
    }
}

pub fn presets() -> Vec<StylePreview> {
    PRESET_NAMES
        .iter()
        .filter_map(|n| CaptionStyle::named(n).ok())
        .map(|s| StylePreview::from(&s))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_previews() {
        let p = presets();
        assert_eq!(p.len(), PRESET_NAMES.len());
        let karaoke = &p[0];
        assert_eq!(karaoke.animation, "karaoke");
        assert_eq!(karaoke.primary, "#FFFFFF");
        assert!(karaoke.uppercase);
        assert!(p.iter().any(|s| s.boxed));
        assert!(p.iter().any(|s| s.align == "left"));
    }
}
