//! One picture of a source, for a client that lets a person point at what to frame (the
//! clip editor's "this person" and "this crop"): decoded and conditioned exactly as the
//! face analysis sees it (upright, tone-mapped, the analysis size), so a point on it maps to
//! the source pixels the framing overrides are written in.

use std::path::Path;

use reelcut_core::{CancellationToken, TimeRange};

use crate::EngineError;

/// A source's frame as RGB24, with the size of the source it maps to.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceFrame {
    /// Packed RGB, `width * height * 3` bytes.
    pub rgb: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// Source time of the frame, seconds.
    pub time: f64,
    /// The source pixels a frame pixel stands for: x * source_width / width.
    pub source_width: u32,
    pub source_height: u32,
}

/// The analysis size: the one the face boxes of clips.json were measured at.
const SIZE: u32 = 640;

/// The frame of `path` shown at `time` (source seconds), or the first after it.
pub fn source_frame(path: &Path, time: f64) -> Result<SourceFrame, EngineError> {
    let info = reelcut_media::probe(path)?;
    let time = time.clamp(0.0, (info.duration - 0.05).max(0.0));
    let part = TimeRange {
        start: time,
        end: (time + 0.5).min(info.duration.max(time + 0.04)),
    };
    let mut found: Option<SourceFrame> = None;
    // A sample rate of 100/s takes the first decoded frame of the range.
    reelcut_media::analysis::analyse(
        path,
        &[part],
        100.0,
        SIZE,
        &CancellationToken::new(),
        &mut |f| {
            if found.is_none() {
                let rgb = f
                    .bgr
                    .chunks_exact(3)
                    .flat_map(|p| [p[2], p[1], p[0]])
                    .collect();
                found = Some(SourceFrame {
                    rgb,
                    width: f.width,
                    height: f.height,
                    time: f.t,
                    source_width: info.width,
                    source_height: info.height,
                });
            }
            Ok(())
        },
    )?;
    found.ok_or_else(|| {
        reelcut_media::MediaError::Invalid {
            path: path.to_path_buf(),
            message: format!("no frame decodes at {time:.3} s"),
        }
        .into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 1280x720: the left half red until 1 s, then blue; the right half green throughout.
    fn video(dir: &Path) -> std::path::PathBuf {
        let p = dir.join("halves.mp4");
        let ok = std::process::Command::new("ffmpeg")
            .args(["-v", "error", "-y", "-f", "lavfi", "-i"])
            .arg("color=red:size=640x720:rate=25:duration=1")
            .args([
                "-f",
                "lavfi",
                "-i",
                "color=blue:size=640x720:rate=25:duration=1",
            ])
            .args([
                "-f",
                "lavfi",
                "-i",
                "color=green:size=640x720:rate=25:duration=2",
            ])
            .args(["-filter_complex", "[0:v][1:v]concat=n=2[l];[l][2:v]hstack"])
            .args([
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-pix_fmt",
                "yuv420p",
            ])
            .arg(&p)
            .status()
            .expect("ffmpeg (run scripts/setup.sh)")
            .success();
        assert!(ok, "ffmpeg could not make {}", p.display());
        p
    }

    fn pixel(f: &SourceFrame, x: u32, y: u32) -> [u8; 3] {
        let i = ((y * f.width + x) * 3) as usize;
        [f.rgb[i], f.rgb[i + 1], f.rgb[i + 2]]
    }

    #[test]
    fn the_frame_at_a_time_is_the_picture_then_at_the_analysis_size() {
        let dir = tempfile::tempdir().expect("dir");
        let path = video(dir.path());
        for (t, left) in [(0.3, [255, 0, 0]), (1.5, [0, 0, 255])] {
            let f = source_frame(&path, t).expect("frame");
            // Inside 640x320, as the analysis decodes (two frames stack into one detector input).
            assert_eq!((f.width, f.height), (568, 320));
            assert_eq!((f.source_width, f.source_height), (1280, 720));
            assert!((f.time - t).abs() < 0.05, "frame at {} for {t}", f.time);
            let near = |a: [u8; 3], b: [u8; 3]| a.iter().zip(b).all(|(x, y)| x.abs_diff(y) < 40);
            assert!(
                near(pixel(&f, 140, 160), left),
                "{t}: left {:?}",
                pixel(&f, 140, 160)
            );
            assert!(
                near(pixel(&f, 430, 160), [0, 128, 0]),
                "{t}: right {:?}",
                pixel(&f, 430, 160)
            );
        }
        // Past the end: the last frame, not an error.
        assert!(source_frame(&path, 99.0).is_ok());
        let err = source_frame(&dir.path().join("none.mp4"), 0.0).unwrap_err();
        assert!(err.to_string().contains("none.mp4"), "{err}");
    }
}
