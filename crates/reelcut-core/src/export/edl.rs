//! CMX3600 EDL, one per clip: an event per part (audio and video together, `AA/V`), source
//! and record timecodes non-drop at the nearest whole rate. The format has no keyframes and
//! no text track: the reframing and captions travel in the .otio and .fcpxml exports.

use std::fmt::Write;

use super::{edits, ClipExport, Source};

/// `frames` as HH:MM:SS:FF at `fps` frames per second (non-drop).
pub fn timecode(frames: i64, fps: u32) -> String {
    let fps = fps.max(1) as i64;
    let f = frames.max(0);
    let (h, m, s, ff) = (f / (3600 * fps), f / (60 * fps) % 60, f / fps % 60, f % fps);
    format!("{h:02}:{m:02}:{s:02}:{ff:02}")
}

/// The EDL of one clip.
pub fn export(src: &Source, clip: &ClipExport<'_>) -> String {
    // Timecode counts whole frames; a 29.97 source counts 30 a second (non-drop).
    let tc_rate = src.fps().round() as u32;
    let reel = "AX";
    let name = src
        .path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut x = String::new();
    let _ = writeln!(x, "TITLE: {}", clip.name.replace(['\n', '\r'], " "));
    x.push_str("FCM: NON-DROP FRAME\n\n");
    for (i, e) in edits(clip.entry, src).iter().enumerate() {
        let len = e.src_out - e.src_in;
        let channels = if src.has_audio { "AA/V" } else { "V" };
        let _ = writeln!(
            x,
            "{:03}  {reel:<8} {channels:<5} C        {} {} {} {}",
            i + 1,
            timecode(e.src_in, tc_rate),
            timecode(e.src_out, tc_rate),
            timecode(e.rec_in, tc_rate),
            timecode(e.rec_in + len, tc_rate)
        );
        let _ = writeln!(x, "* FROM CLIP NAME: {name}");
        let _ = writeln!(x, "* SOURCE FILE: {}\n", src.path.display());
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timecodes_count_frames() {
        assert_eq!(timecode(0, 30), "00:00:00:00");
        assert_eq!(timecode(29, 30), "00:00:00:29");
        assert_eq!(timecode(30 * 3661 + 5, 30), "01:01:01:05");
        assert_eq!(timecode(25 * 60, 25), "00:01:00:00");
    }
}
