//! Framing: output aspects and sizes, and the crop window that follows the subject over time.

use serde::{Deserialize, Serialize};
use std::str::FromStr;

use crate::CoreError;

/// Output aspect ratio of a clip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Aspect {
    #[default]
    #[serde(rename = "9:16")]
    Vertical,
    #[serde(rename = "1:1")]
    Square,
    #[serde(rename = "4:5")]
    Portrait,
    #[serde(rename = "16:9")]
    Landscape,
}

impl Aspect {
    /// (width, height) ratio terms.
    pub fn ratio(self) -> (u32, u32) {
        match self {
            Aspect::Vertical => (9, 16),
            Aspect::Square => (1, 1),
            Aspect::Portrait => (4, 5),
            Aspect::Landscape => (16, 9),
        }
    }

    /// Output size for a given short side (1080 gives 1080x1920 for 9:16), both sides even
    /// because H.264 with 4:2:0 chroma needs even dimensions.
    pub fn output_size(self, short_side: u32) -> OutputSize {
        let (w, h) = self.ratio();
        let short = even(short_side);
        if w <= h {
            OutputSize {
                width: short,
                height: even_round(short as f64 * h as f64 / w as f64),
            }
        } else {
            OutputSize {
                width: even_round(short as f64 * w as f64 / h as f64),
                height: short,
            }
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Aspect::Vertical => "9:16",
            Aspect::Square => "1:1",
            Aspect::Portrait => "4:5",
            Aspect::Landscape => "16:9",
        }
    }
}

impl FromStr for Aspect {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "9:16" => Ok(Aspect::Vertical),
            "1:1" => Ok(Aspect::Square),
            "4:5" => Ok(Aspect::Portrait),
            "16:9" => Ok(Aspect::Landscape),
            other => Err(CoreError::InvalidAspect(other.to_string())),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputSize {
    pub width: u32,
    pub height: u32,
}

/// A crop window in source pixels (top-left corner and size).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CropRect {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

/// The largest window of `aspect` that fits a `src_w`x`src_h` frame whose pixels have the
/// sample aspect ratio `sar` (width/height of one pixel; 1.0 for square pixels).
pub fn crop_size_for(src_w: u32, src_h: u32, sar: f64, aspect: Aspect) -> (u32, u32) {
    let (aw, ah) = aspect.ratio();
    crop_size_for_ratio(src_w, src_h, sar, aw as f64 / ah as f64)
}

/// [`crop_size_for`] a display width/height ratio `target` (a cell of a split layout is
/// not one of the output aspects).
pub fn crop_size_for_ratio(src_w: u32, src_h: u32, sar: f64, target: f64) -> (u32, u32) {
    let display_w = src_w as f64 * sar;
    if display_w / src_h as f64 > target {
        // Source is wider than the target: full height, narrower width.
        let w_display = src_h as f64 * target;
        (
            even_floor(w_display / sar).min(src_w),
            even_floor(src_h as f64).min(src_h),
        )
    } else {
        (
            even_floor(src_w as f64).min(src_w),
            even_floor(display_w / target).min(src_h),
        )
    }
}

/// A crop window that may move over time: a fixed window size and a series of centre
/// positions keyed by time on the clip's own timeline (parts joined back to back, from 0). Between keys the centre is interpolated linearly; before
/// the first and after the last key it holds. The tracker (face-following) produces dense
/// keys; the centred crop is a single key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CropPath {
    pub source_width: u32,
    pub source_height: u32,
    pub width: u32,
    pub height: u32,
    /// (clip time in seconds, centre x, centre y), sorted by time.
    pub keys: Vec<(f64, f64, f64)>,
}

impl CropPath {
    /// A still window of `aspect` in the middle of the frame.
    pub fn centered(src_w: u32, src_h: u32, sar: f64, aspect: Aspect) -> Self {
        let (width, height) = crop_size_for(src_w, src_h, sar, aspect);
        Self {
            source_width: src_w,
            source_height: src_h,
            width,
            height,
            keys: vec![(0.0, src_w as f64 / 2.0, src_h as f64 / 2.0)],
        }
    }

    /// The whole frame (for layouts that scale the full picture).
    pub fn full(src_w: u32, src_h: u32) -> Self {
        Self {
            source_width: src_w,
            source_height: src_h,
            width: src_w & !1,
            height: src_h & !1,
            keys: vec![(0.0, src_w as f64 / 2.0, src_h as f64 / 2.0)],
        }
    }

    /// The window at clip time `t`, clamped inside the frame, with an even top-left corner
    /// so 4:2:0 chroma planes are cropped on whole samples.
    pub fn at(&self, t: f64) -> CropRect {
        let (cx, cy) = self.centre_at(t);
        let max_x = self.source_width.saturating_sub(self.width) as f64;
        let max_y = self.source_height.saturating_sub(self.height) as f64;
        let x = (cx - self.width as f64 / 2.0).clamp(0.0, max_x);
        let y = (cy - self.height as f64 / 2.0).clamp(0.0, max_y);
        CropRect {
            x: even_floor(x).min(even_floor(max_x)),
            y: even_floor(y).min(even_floor(max_y)),
            width: self.width,
            height: self.height,
        }
    }

    /// `[time, x, y, width, height]` at each key where the window changes.
    pub fn changes(&self) -> Vec<[f64; 5]> {
        let mut out: Vec<[f64; 5]> = Vec::new();
        let mut last: Option<CropRect> = None;
        for &(t, ..) in &self.keys {
            let r = self.at(t);
            if last != Some(r) {
                out.push([t, r.x as f64, r.y as f64, r.width as f64, r.height as f64]);
                last = Some(r);
            }
        }
        out
    }

    fn centre_at(&self, t: f64) -> (f64, f64) {
        let keys = &self.keys;
        let Some(first) = keys.first() else {
            return (
                self.source_width as f64 / 2.0,
                self.source_height as f64 / 2.0,
            );
        };
        if t <= first.0 {
            return (first.1, first.2);
        }
        // Keys are sorted: find the first key after t.
        let idx = keys.partition_point(|k| k.0 <= t);
        if idx >= keys.len() {
            let last = keys[keys.len() - 1];
            return (last.1, last.2);
        }
        let (a, b) = (keys[idx - 1], keys[idx]);
        let span = b.0 - a.0;
        let f = if span > 0.0 { (t - a.0) / span } else { 1.0 };
        (a.1 + (b.1 - a.1) * f, a.2 + (b.2 - a.2) * f)
    }
}

/// Where each of `n` panels (1-4 people side by side in the source) sits in an output of
/// `size`: stacked rows when the output is at least as tall as wide (two people: top and
/// bottom halves), columns when it is wider, and a 2x2 grid for four. Every cell has even
/// sides and the cells tile the frame exactly (the last row or column takes the remainder).
pub fn panel_cells(size: OutputSize, n: usize) -> Vec<CropRect> {
    let n = n.clamp(1, 4) as u32;
    let (w, h) = (size.width, size.height);
    let split = |len: u32, k: u32| -> Vec<(u32, u32)> {
        let step = even(len / k);
        (0..k)
            .map(|i| {
                let a = i * step;
                (a, if i + 1 == k { len - a } else { step })
            })
            .collect()
    };
    let (cols, rows) = match n {
        4 => (split(w, 2), split(h, 2)),
        _ if w > h => (split(w, n), split(h, 1)),
        _ => (split(w, 1), split(h, n)),
    };
    rows.iter()
        .flat_map(|&(y, height)| {
            cols.iter().map(move |&(x, width)| CropRect {
                x,
                y,
                width,
                height,
            })
        })
        .collect()
}

fn even(v: u32) -> u32 {
    v & !1
}

fn even_floor(v: f64) -> u32 {
    even(v.max(0.0).floor() as u32)
}

fn even_round(v: f64) -> u32 {
    ((v / 2.0).round() * 2.0) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_sizes_per_aspect() {
        assert_eq!(
            Aspect::Vertical.output_size(1080),
            OutputSize {
                width: 1080,
                height: 1920
            }
        );
        assert_eq!(
            Aspect::Square.output_size(1080),
            OutputSize {
                width: 1080,
                height: 1080
            }
        );
        assert_eq!(
            Aspect::Portrait.output_size(1080),
            OutputSize {
                width: 1080,
                height: 1350
            }
        );
        assert_eq!(
            Aspect::Landscape.output_size(1080),
            OutputSize {
                width: 1920,
                height: 1080
            }
        );
        assert_eq!(
            Aspect::Vertical.output_size(480),
            OutputSize {
                width: 480,
                height: 854
            }
        );
    }

    #[test]
    fn crop_size_fits_the_source() {
        assert_eq!(
            crop_size_for(1920, 1080, 1.0, Aspect::Vertical),
            (606, 1080)
        );
        assert_eq!(
            crop_size_for(1920, 1080, 1.0, Aspect::Landscape),
            (1920, 1080)
        );
        assert_eq!(
            crop_size_for(1080, 1920, 1.0, Aspect::Landscape),
            (1080, 606)
        );
        assert_eq!(crop_size_for(1920, 1080, 1.0, Aspect::Square), (1080, 1080));
        // Anamorphic 1440x1080 with 4:3 pixels displays as 1920x1080.
        assert_eq!(
            crop_size_for(1440, 1080, 4.0 / 3.0, Aspect::Vertical),
            (454, 1080)
        );
    }

    #[test]
    fn panels_tile_the_frame() {
        let size = Aspect::Vertical.output_size(1080);
        for n in 1..=4 {
            let cells = panel_cells(size, n);
            assert_eq!(cells.len(), n);
            let area: u32 = cells.iter().map(|c| c.width * c.height).sum();
            assert_eq!(area, 1080 * 1920, "{n}: {cells:?}");
            assert!(cells
                .iter()
                .all(|c| c.width % 2 == 0 && c.height % 2 == 0 && c.x % 2 == 0 && c.y % 2 == 0));
        }
        // Two people: top and bottom halves; three: rows; four: a 2x2 grid.
        assert_eq!(
            panel_cells(size, 2)[1],
            CropRect {
                x: 0,
                y: 960,
                width: 1080,
                height: 960
            }
        );
        assert_eq!(panel_cells(size, 3)[2].height, 640);
        assert_eq!(
            panel_cells(size, 4)[3],
            CropRect {
                x: 540,
                y: 960,
                width: 540,
                height: 960
            }
        );
        // A landscape output puts them side by side.
        let wide = panel_cells(Aspect::Landscape.output_size(1080), 2);
        assert_eq!((wide[1].x, wide[1].y, wide[1].width), (960, 0, 960));
        // An odd height: the last row takes the remainder, still even.
        let odd = panel_cells(Aspect::Vertical.output_size(480), 3);
        assert_eq!(odd.iter().map(|c| c.height).sum::<u32>(), 854);
    }

    #[test]
    fn centred_path_is_centred_and_even() {
        let p = CropPath::centered(1920, 1080, 1.0, Aspect::Vertical);
        let r = p.at(12.0);
        assert_eq!((r.x, r.y, r.width, r.height), (656, 0, 606, 1080));
        assert_eq!(r.x % 2, 0);
    }

    #[test]
    fn moving_path_interpolates_and_clamps() {
        let mut p = CropPath::centered(1920, 1080, 1.0, Aspect::Vertical);
        p.keys = vec![
            (0.0, 400.0, 540.0),
            (2.0, 800.0, 540.0),
            (3.0, 5000.0, 540.0),
        ];
        assert_eq!(p.at(-1.0).x, 96);
        assert_eq!(p.at(1.0).x, 296); // centre 600 - 303 = 297 -> even 296
        assert_eq!(p.at(10.0).x, 1314); // clamped to 1920 - 606
        p.keys = vec![(0.0, 0.0, 0.0)];
        assert_eq!(p.at(0.0).x, 0);
    }
}
