//! A job's clips as editor timelines, referencing the source media (not the rendered
//! clips): one timeline per clip, its parts as edits with audio and video linked, the 9:16
//! framing as keyframed position and scale, the captions as a track of their own with one
//! item per caption.
//!
//! - [`otio`]: OpenTimelineIO JSON (.otio);
//! - [`fcpxml`]: Final Cut Pro X / DaVinci Resolve FCPXML 1.9;
//! - [`edl`]: CMX3600 EDL (edits only: the format has no keyframes or text).

pub mod edl;
pub mod fcpxml;
pub mod otio;

use std::path::PathBuf;

use crate::captions::CaptionLines;
use crate::{ClipEntry, OutputSize};

/// The source as exports describe it.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    pub path: PathBuf,
    /// Frame rate as a fraction (30/1, 30000/1001).
    pub rate: (u32, u32),
    pub duration: f64,
    pub width: u32,
    pub height: u32,
    pub has_audio: bool,
}

impl Source {
    pub fn fps(&self) -> f64 {
        self.rate.0 as f64 / self.rate.1.max(1) as f64
    }

    /// The frame at or nearest `t` seconds.
    pub fn frame(&self, t: f64) -> i64 {
        (t * self.fps()).round() as i64
    }

    /// A frame rate from a float (30, 29.97, 23.976, 59.94...): NTSC rates as /1001.
    pub fn rate_of(fps: f64) -> (u32, u32) {
        let ntsc = fps * 1.001;
        if (ntsc - ntsc.round()).abs() < 0.01 && (fps - fps.round()).abs() > 0.01 {
            ((ntsc.round() as u32) * 1000, 1001)
        } else {
            ((fps.round() as u32).max(1), 1)
        }
    }
}

/// One clip to export.
#[derive(Debug, Clone)]
pub struct ClipExport<'a> {
    /// The timeline's name (the clip's file stem).
    pub name: String,
    pub entry: &'a ClipEntry,
    pub size: OutputSize,
    /// Its captions as shown (clip time).
    pub captions: Vec<CaptionLines>,
}

/// One part as an edit: source frames `[src_in, src_out)` at record frame `rec_in`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Edit {
    pub src_in: i64,
    pub src_out: i64,
    pub rec_in: i64,
}

/// The parts of a clip as edits, frame-exact, back to back from record frame 0.
pub fn edits(entry: &ClipEntry, src: &Source) -> Vec<Edit> {
    let mut rec = 0;
    entry
        .parts
        .iter()
        .map(|p| {
            let (a, b) = (src.frame(p.start), src.frame(p.end));
            let e = Edit {
                src_in: a,
                src_out: b.max(a + 1),
                rec_in: rec,
            };
            rec += e.src_out - e.src_in;
            e
        })
        .collect()
}

/// How the source sits in the output frame at one instant: the source scaled by `scale`
/// (output pixels per source pixel), its centre moved `(dx, dy)` output pixels from the
/// output's centre (y down).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Keyframe {
    /// Clip time.
    pub t: f64,
    pub dx: f64,
    pub dy: f64,
    pub scale: f64,
}

/// The clip's crop window (clips.json `crop`: changes only) as transform keyframes, reduced
/// to as few as keep the window's centre within a source pixel of the path (linear in
/// between). Without a crop path: the centred window that fills the output's height.
pub fn keyframes(entry: &ClipEntry, src: &Source, size: OutputSize) -> Vec<Keyframe> {
    let windows: Vec<[f64; 5]> = if entry.crop.is_empty() {
        let (w, h) = crate::geometry::crop_size_for(
            src.width,
            src.height,
            1.0,
            entry.aspect.parse().unwrap_or_default(),
        );
        vec![[
            0.0,
            (src.width - w) as f64 / 2.0,
            (src.height - h) as f64 / 2.0,
            w as f64,
            h as f64,
        ]]
    } else {
        entry.crop.clone()
    };
    // The crop holds between changes: a point just before each change keeps the line
    // between keyframes from starting early.
    let mut pts: Vec<(f64, f64, f64, f64)> = Vec::new();
    let frame = 1.0 / src.fps();
    for (i, w) in windows.iter().enumerate() {
        let centre = (w[0], w[1] + w[3] / 2.0, w[2] + w[4] / 2.0, w[4]);
        if i > 0 {
            let prev = pts[pts.len() - 1];
            if w[0] - frame > prev.0 + 1e-9 {
                pts.push((w[0] - frame, prev.1, prev.2, prev.3));
            }
        }
        pts.push(centre);
    }
    let kept = simplify(&pts, 1.0);
    kept.iter()
        .map(|&(t, cx, cy, ch)| {
            let scale = size.height as f64 / ch.max(1.0);
            Keyframe {
                t,
                dx: -(cx - src.width as f64 / 2.0) * scale,
                dy: -(cy - src.height as f64 / 2.0) * scale,
                scale,
            }
        })
        .collect()
}

/// Ramer-Douglas-Peucker on (t, x, y, h): the fewest points whose linear interpolation stays
/// within `eps` source pixels of every point (x and y), a change of window size always kept.
fn simplify(pts: &[(f64, f64, f64, f64)], eps: f64) -> Vec<(f64, f64, f64, f64)> {
    if pts.len() <= 2 {
        return pts.to_vec();
    }
    let (a, b) = (pts[0], pts[pts.len() - 1]);
    let mut worst = (0usize, 0.0f64);
    for (i, p) in pts.iter().enumerate().take(pts.len() - 1).skip(1) {
        let f = if b.0 > a.0 {
            (p.0 - a.0) / (b.0 - a.0)
        } else {
            0.0
        };
        let (x, y) = (a.1 + (b.1 - a.1) * f, a.2 + (b.2 - a.2) * f);
        let mut d = (p.1 - x).abs().max((p.2 - y).abs());
        if (p.3 - a.3).abs() > 0.5 || (p.3 - b.3).abs() > 0.5 {
            d = f64::INFINITY;
        }
        if d > worst.1 {
            worst = (i, d);
        }
    }
    if worst.1 <= eps {
        return vec![a, b];
    }
    let mut left = simplify(&pts[..=worst.0], eps);
    let right = simplify(&pts[worst.0..], eps);
    left.pop();
    left.extend(right);
    left
}

/// Where a caption (clip time) falls: the part it starts in, and its source-time span
/// clipped to that part.
pub(crate) fn caption_in_parts(
    entry: &ClipEntry,
    start: f64,
    end: f64,
) -> Option<(usize, f64, f64)> {
    let mut offset = 0.0;
    for (i, p) in entry.parts.iter().enumerate() {
        let len = p.end - p.start;
        if start < offset + len - 1e-9 {
            let a = p.start + (start - offset).max(0.0);
            let b = p.start + (end - offset).min(len);
            return (b > a).then_some((i, a, b));
        }
        offset += len;
    }
    None
}

/// The source as a file:// URL.
pub(crate) fn file_url(path: &std::path::Path) -> String {
    let s = path.to_string_lossy();
    let mut out = String::from("file://");
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_and_frames() {
        assert_eq!(Source::rate_of(30.0), (30, 1));
        assert_eq!(Source::rate_of(29.97), (30000, 1001));
        assert_eq!(Source::rate_of(23.976), (24000, 1001));
        assert_eq!(Source::rate_of(25.0), (25, 1));
    }

    #[test]
    fn a_path_reduces_to_few_keyframes_within_a_pixel() {
        // Still, then a linear pan, then still.
        let mut pts = Vec::new();
        for k in 0..90 {
            let t = k as f64 / 30.0;
            let x = if t < 1.0 {
                500.0
            } else if t < 2.0 {
                500.0 + 300.0 * (t - 1.0)
            } else {
                800.0
            };
            pts.push((t, x, 540.0, 1080.0));
        }
        let kept = simplify(&pts, 1.0);
        assert!(kept.len() <= 5, "{kept:?}");
        for p in &pts {
            let i = kept
                .partition_point(|k| k.0 <= p.0)
                .clamp(1, kept.len() - 1);
            let (a, b) = (kept[i - 1], kept[i]);
            let f = if b.0 > a.0 {
                (p.0 - a.0) / (b.0 - a.0)
            } else {
                0.0
            };
            assert!((a.1 + (b.1 - a.1) * f - p.1).abs() <= 1.0 + 1e-9, "{p:?}");
        }
    }

    #[test]
    fn urls_escape_what_they_must() {
        assert_eq!(
            file_url(std::path::Path::new("/v/my talk#1.mp4")),
            "file:///v/my%20talk%231.mp4"
        );
    }
}
