//! Checks of an edited plan (a clips.json a person or the editor changed) before anything
//! is rendered: every problem is named by its field, so the message can say "clip 2,
//! parts[1]: …".

use crate::track::{Override, Pin};
use crate::ClipEntry;

/// Slack for times at the source's end (containers round their duration).
const END_SLACK: f64 = 0.05;

/// What is wrong with clip `e` of a source `duration` seconds long and `w`x`h` pixels, as
/// "field: problem"; `Ok` if it can be rendered.
pub fn check_clip(e: &ClipEntry, duration: f64, w: u32, h: u32) -> Result<(), String> {
    if e.parts.is_empty() {
        return Err("parts: the clip has no parts".into());
    }
    for (i, p) in e.parts.iter().enumerate() {
        if !(p.start.is_finite() && p.end.is_finite()) || p.end <= p.start {
            return Err(format!(
                "parts[{i}]: {}-{} does not end after it starts",
                p.start, p.end
            ));
        }
        if p.start < 0.0 || p.end > duration + END_SLACK {
            return Err(format!(
                "parts[{i}]: {:.3}-{:.3} s is outside the source (0-{duration:.3} s)",
                p.start, p.end
            ));
        }
    }
    let mut order: Vec<usize> = (0..e.parts.len()).collect();
    order.sort_by(|&a, &b| e.parts[a].start.total_cmp(&e.parts[b].start));
    for w2 in order.windows(2) {
        let (a, b) = (&e.parts[w2[0]], &e.parts[w2[1]]);
        if a.end > b.start + 1e-6 {
            return Err(format!(
                "parts[{}] and parts[{}] overlap ({:.3}-{:.3} s and {:.3}-{:.3} s)",
                w2[0], w2[1], a.start, a.end, b.start, b.end
            ));
        }
    }
    // Words are checked against the parts they were cut for; edited parts cut them again.
    if let Some(c) = e
        .captions
        .as_ref()
        .filter(|c| c.cut.is_empty() || c.cut == e.parts)
    {
        for (k, word) in c.words.iter().enumerate() {
            if word.text.trim().is_empty() {
                return Err(format!("captions.words[{k}]: the word has no text"));
            }
            if !(word.start.is_finite() && word.end.is_finite()) || word.end < word.start {
                return Err(format!(
                    "captions.words[{k}] ({:?}): {}-{} does not end after it starts",
                    word.text, word.start, word.end
                ));
            }
            let inside = e
                .parts
                .iter()
                .any(|p| word.start >= p.start - END_SLACK && word.end <= p.end + END_SLACK);
            if !inside {
                return Err(format!(
                    "captions.words[{k}] ({:?}) at {:.3}-{:.3} s is outside the clip's parts",
                    word.text, word.start, word.end
                ));
            }
        }
    }
    let clip_duration: f64 = e.parts.iter().map(|p| p.end - p.start).sum();
    for (k, o) in e.overrides.iter().enumerate() {
        let pin = o
            .check(clip_duration, w, h)
            .map_err(|m| format!("overrides[{k}]: {m}"))?;
        if let Pin::Track(id) = pin {
            check_track(e, o, id).map_err(|m| format!("overrides[{k}]: {m}"))?;
        }
    }
    Ok(())
}

/// A track pin must name a face of the shot where its range starts (when the clip lists
/// its shots' faces).
fn check_track(e: &ClipEntry, o: &Override, id: usize) -> Result<(), String> {
    let Some(shot) = e
        .shots
        .iter()
        .find(|s| o.start >= s.start - 1e-6 && o.start < s.end)
    else {
        return Ok(());
    };
    if shot.tracks.iter().any(|t| t.id == id) {
        return Ok(());
    }
    let ids: Vec<String> = shot.tracks.iter().map(|t| t.id.to_string()).collect();
    Err(format!(
        "track {id} is not a face of the shot at {:.3} s (its faces: {})",
        o.start,
        if ids.is_empty() {
            "none".to_string()
        } else {
            ids.join(", ")
        }
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // test code: a panic is a failed test
    use super::*;

    fn clip(json: &str) -> ClipEntry {
        let mut v: serde_json::Value = serde_json::from_str(
            r#"{"parts":[{"start":1.0,"end":5.0},{"start":8.0,"end":10.0}],"output":"clip-01.mp4",
               "width":1080,"height":1920,"duration":6.0,"aspect":"9:16","reframe":"track",
               "encoder":"libx264","frames":180,
               "captions":{"style":"karaoke","words":[{"start":1.2,"end":1.5,"text":"Hello"}]},
               "shots":[{"start":0.0,"end":6.0,"mode":"track","faces":2,"subject_coverage":1.0,
                         "subject_box":null,"tracks":[{"id":0,"box":[0,0,10,10],"coverage":1.0},
                                                      {"id":1,"box":[50,0,10,10],"coverage":1.0}]}]}"#,
        )
        .unwrap();
        let patch: serde_json::Value = serde_json::from_str(json).unwrap();
        for (k, val) in patch.as_object().unwrap() {
            v[k] = val.clone();
        }
        serde_json::from_value(v).unwrap()
    }

    fn err(json: &str) -> String {
        check_clip(&clip(json), 60.0, 1920, 1080).unwrap_err()
    }

    #[test]
    fn a_sound_plan_passes() {
        assert_eq!(check_clip(&clip("{}"), 60.0, 1920, 1080), Ok(()));
        assert_eq!(
            check_clip(
                &clip(r#"{"overrides":[{"start":0,"end":2,"track":1}]}"#),
                60.0,
                1920,
                1080
            ),
            Ok(())
        );
    }

    #[test]
    fn each_bad_edit_is_named_by_its_field() {
        assert!(err(r#"{"parts":[{"start":50,"end":70}]}"#)
            .starts_with("parts[0]: 50.000-70.000 s is outside"));
        assert!(err(r#"{"parts":[{"start":5,"end":2}]}"#).starts_with("parts[0]"));
        assert!(err(r#"{"parts":[]}"#).starts_with("parts:"));
        let e = err(r#"{"parts":[{"start":1,"end":5},{"start":4,"end":6}]}"#);
        assert!(e.starts_with("parts[0] and parts[1] overlap"), "{e}");
        let e = err(
            r#"{"captions":{"style":"karaoke","words":[{"start":6.0,"end":6.3,"text":"out"}]}}"#,
        );
        assert!(
            e.starts_with("captions.words[0] (\"out\")") && e.contains("outside"),
            "{e}"
        );
        assert!(err(
            r#"{"captions":{"style":"karaoke","words":[{"start":1.2,"end":1.3,"text":" "}]}}"#
        )
        .starts_with("captions.words[0]: the word has no text"));
        let e = err(r#"{"overrides":[{"start":0,"end":2,"track":7}]}"#);
        assert!(
            e.starts_with("overrides[0]: track 7 is not a face") && e.contains("0, 1"),
            "{e}"
        );
        assert!(err(r#"{"overrides":[{"start":3,"end":2,"track":0}]}"#)
            .starts_with("overrides[0]: end"));
    }
}
