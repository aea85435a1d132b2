//! Watermark options: an image or a line of text, placed in a corner with a margin.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::str::FromStr;

use crate::CoreError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum WatermarkKind {
    Image(PathBuf),
    Text(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum WatermarkPosition {
    #[default]
    TopLeft,
    TopRight,
    BottomLeft,
    BottomRight,
    Center,
}

impl FromStr for WatermarkPosition {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "top-left" => Self::TopLeft,
            "top-right" => Self::TopRight,
            "bottom-left" => Self::BottomLeft,
            "bottom-right" => Self::BottomRight,
            "center" | "centre" => Self::Center,
            other => return Err(CoreError::InvalidPosition(other.to_string())),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Watermark {
    pub kind: WatermarkKind,
    pub position: WatermarkPosition,
    /// Distance from the edges, as a fraction of the output width.
    pub margin: f64,
    /// 0.0 (invisible) to 1.0 (opaque).
    pub opacity: f64,
    /// Image width (or text height x 4) as a fraction of the output width.
    pub scale: f64,
}

impl Watermark {
    pub fn new(kind: WatermarkKind) -> Self {
        Self {
            kind,
            position: WatermarkPosition::TopLeft,
            margin: 0.04,
            opacity: 0.8,
            scale: 0.25,
        }
    }
}
