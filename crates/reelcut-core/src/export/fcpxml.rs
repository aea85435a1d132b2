//! FCPXML 1.9 (Final Cut Pro X 10.4.6+, DaVinci Resolve): one asset for the source, one
//! project per clip whose spine holds an asset-clip per part (audio and video linked, as an
//! asset-clip is). Each asset-clip carries the reframing as an `adjust-transform` with
//! keyframed position and scale (conform "none": scale 1 is one source pixel per output
//! pixel; position in Final Cut's units, percent of the frame height, y up), and the
//! captions that start in it as connected Basic Title clips on lane 1, one per caption.
//! All times are whole frames as rational seconds.

use std::fmt::Write;

use super::{caption_in_parts, edits, file_url, keyframes, ClipExport, Source};

/// `frames` of a `rate` (num/den frames per second) as FCPXML rational seconds.
fn time(frames: i64, rate: (u32, u32)) -> String {
    if frames == 0 {
        return "0s".into();
    }
    let (num, den) = (rate.0 as i64, rate.1 as i64);
    let (mut n, mut d) = (frames * den, num);
    let g = gcd(n.abs(), d);
    n /= g;
    d /= g;
    if d == 1 {
        format!("{n}s")
    } else {
        format!("{n}/{d}s")
    }
}

fn gcd(a: i64, b: i64) -> i64 {
    if b == 0 {
        a.max(1)
    } else {
        gcd(b, a % b)
    }
}

/// XML attribute/text escaping.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The .fcpxml document for `clips` of `src`.
pub fn export(name: &str, src: &Source, clips: &[ClipExport<'_>]) -> String {
    let rate = src.rate;
    let frame_duration = time(1, rate);
    let total = src.frame(src.duration);
    let media_name = src
        .path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut x = String::new();
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE fcpxml>\n");
    x.push_str("<fcpxml version=\"1.9\">\n  <resources>\n");
    let _ = writeln!(
        x,
        "    <format id=\"r1\" name=\"FFVideoFormatRateUndefined\" frameDuration=\"{frame_duration}\" width=\"{}\" height=\"{}\"/>",
        src.width, src.height
    );
    let _ = writeln!(
        x,
        "    <asset id=\"r2\" name=\"{}\" start=\"0s\" duration=\"{}\" hasVideo=\"1\" format=\"r1\"{}>",
        esc(&media_name),
        time(total, rate),
        if src.has_audio {
            " hasAudio=\"1\" audioSources=\"1\" audioChannels=\"2\""
        } else {
            ""
        }
    );
    let _ = writeln!(
        x,
        "      <media-rep kind=\"original-media\" src=\"{}\"/>\n    </asset>",
        esc(&file_url(&src.path))
    );
    x.push_str("    <effect id=\"r3\" name=\"Basic Title\" uid=\".../Titles.localized/Bumper:Opener.localized/Basic Title.localized/Basic Title.moti\"/>\n");
    // One sequence format per output size.
    let mut sizes: Vec<(u32, u32)> = clips
        .iter()
        .map(|c| (c.size.width, c.size.height))
        .collect();
    sizes.sort_unstable();
    sizes.dedup();
    for (i, (w, h)) in sizes.iter().enumerate() {
        let _ = writeln!(
            x,
            "    <format id=\"s{i}\" name=\"FFVideoFormatRateUndefined\" frameDuration=\"{frame_duration}\" width=\"{w}\" height=\"{h}\"/>"
        );
    }
    x.push_str("  </resources>\n  <library>\n");
    let _ = writeln!(x, "    <event name=\"{}\">", esc(name));
    let mut title_id = 0;
    for c in clips {
        let format = sizes
            .iter()
            .position(|s| *s == (c.size.width, c.size.height))
            .unwrap_or(0);
        let edits = edits(c.entry, src);
        let length: i64 = edits.iter().map(|e| e.src_out - e.src_in).sum();
        let keys = keyframes(c.entry, src, c.size);
        let _ = writeln!(x, "      <project name=\"{}\">", esc(&c.name));
        let _ = writeln!(
            x,
            "        <sequence format=\"s{format}\" duration=\"{}\" tcStart=\"0s\" tcFormat=\"NDF\" audioLayout=\"stereo\" audioRate=\"48k\">\n          <spine>",
            time(length, rate)
        );
        for (k, e) in edits.iter().enumerate() {
            let len = e.src_out - e.src_in;
            let _ = writeln!(
                x,
                "            <asset-clip ref=\"r2\" name=\"{}\" offset=\"{}\" start=\"{}\" duration=\"{}\" format=\"r1\" tcFormat=\"NDF\">",
                esc(&media_name),
                time(e.rec_in, rate),
                time(e.src_in, rate),
                time(len, rate)
            );
            x.push_str("              <adjust-conform type=\"none\"/>\n");
            // Keyframes of this part, in the asset-clip's own (source) time.
            let (t0, t1) = (
                e.rec_in as f64 / src.fps(),
                (e.rec_in + len) as f64 / src.fps(),
            );
            let mine: Vec<_> = keys
                .iter()
                .filter(|kf| kf.t >= t0 - 1e-9 && kf.t <= t1 + 1e-9)
                .collect();
            let first = mine
                .first()
                .copied()
                .or_else(|| keys.iter().rev().find(|kf| kf.t < t0));
            if let Some(f) = first {
                let pos = |kf: &super::Keyframe| {
                    let h = c.size.height as f64;
                    format!("{:.4} {:.4}", kf.dx / h * 100.0, -kf.dy / h * 100.0)
                };
                let _ = writeln!(
                    x,
                    "              <adjust-transform position=\"{}\" scale=\"{:.6} {:.6}\">",
                    pos(f),
                    f.scale,
                    f.scale
                );
                if mine.len() > 1 {
                    let at = |kf: &super::Keyframe| {
                        time(e.src_in + ((kf.t - t0) * src.fps()).round() as i64, rate)
                    };
                    x.push_str("                <param name=\"position\">\n                  <keyframeAnimation>\n");
                    for kf in &mine {
                        let _ = writeln!(
                            x,
                            "                    <keyframe time=\"{}\" value=\"{}\"/>",
                            at(kf),
                            pos(kf)
                        );
                    }
                    x.push_str(
                        "                  </keyframeAnimation>\n                </param>\n",
                    );
                    x.push_str("                <param name=\"scale\">\n                  <keyframeAnimation>\n");
                    for kf in &mine {
                        let _ = writeln!(
                            x,
                            "                    <keyframe time=\"{}\" value=\"{:.6} {:.6}\"/>",
                            at(kf),
                            kf.scale,
                            kf.scale
                        );
                    }
                    x.push_str(
                        "                  </keyframeAnimation>\n                </param>\n",
                    );
                }
                x.push_str("              </adjust-transform>\n");
            }
            for cap in &c.captions {
                let Some((part, a, b)) = caption_in_parts(c.entry, cap.start, cap.end) else {
                    continue;
                };
                if part != k {
                    continue;
                }
                let (fa, fb) = (src.frame(a), src.frame(b));
                if fb <= fa {
                    continue;
                }
                title_id += 1;
                let text = cap.lines.join("\n");
                let _ = writeln!(
                    x,
                    "              <title ref=\"r3\" lane=\"1\" name=\"{}\" offset=\"{}\" start=\"0s\" duration=\"{}\">",
                    esc(&cap.lines.join(" ")),
                    time(fa.max(e.src_in), rate),
                    time(fb - fa.max(e.src_in), rate)
                );
                let _ = writeln!(
                    x,
                    "                <text><text-style ref=\"ts{title_id}\">{}</text-style></text>\n                <text-style-def id=\"ts{title_id}\"><text-style font=\"Montserrat\" fontSize=\"60\" fontColor=\"1 1 1 1\" bold=\"1\" alignment=\"center\"/></text-style-def>\n              </title>",
                    esc(&text)
                );
            }
            x.push_str("            </asset-clip>\n");
        }
        x.push_str("          </spine>\n        </sequence>\n      </project>\n");
    }
    x.push_str("    </event>\n  </library>\n</fcpxml>\n");
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_whole_frames_in_lowest_terms() {
        assert_eq!(time(0, (30, 1)), "0s");
        assert_eq!(time(45, (30, 1)), "3/2s");
        assert_eq!(time(60, (30, 1)), "2s");
        assert_eq!(time(1, (30000, 1001)), "1001/30000s");
        assert_eq!(time(300, (30000, 1001)), "1001/100s");
    }
}
