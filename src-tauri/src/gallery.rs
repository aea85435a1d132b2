//! What the gallery shows for a finished job: its clips from `clips.json`, each with the
//! words spoken in it (from `transcript.json` beside it, when the run transcribed).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use reelcut_core::{ClipsManifest, PartEntry, SourceInfo, Transcript};
use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ClipView {
    /// 1-based, as in the file names.
    pub index: u32,
    /// Absolute path of the clip.
    pub output: String,
    pub duration: f64,
    pub width: u32,
    pub height: u32,
    /// The words spoken in the clip: the selection's excerpt, else the first words from the
    /// transcript, if the input was transcribed.
    pub excerpt: Option<String>,
    /// For a clip chosen automatically: its score and why, strongest first.
    pub score: Option<f64>,
    pub reasons: Vec<ReasonView>,
}

/// One signal behind an automatic choice.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ReasonView {
    /// The signal's name ("hook", "density", ...).
    pub signal: String,
    pub value: f64,
    /// The same in words.
    pub text: String,
}

/// A finished job as the gallery shows it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Finished {
    pub clips: Vec<ClipView>,
    pub source: Option<SourceInfo>,
}

const EXCERPT_WORDS: usize = 24;

/// Clip lists by manifest, re-read only when the manifest changes: `list_jobs` runs after
/// every job event and must not parse every finished job's transcript each time.
#[derive(Default)]
pub struct GalleryCache {
    entries: Mutex<HashMap<PathBuf, (SystemTime, Finished)>>,
}

impl GalleryCache {
    pub fn finished(&self, manifest: &Path) -> Finished {
        let Ok(modified) = std::fs::metadata(manifest).and_then(|m| m.modified()) else {
            return Finished::default();
        };
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((when, done)) = entries.get(manifest) {
            if *when == modified {
                return done.clone();
            }
        }
        let done = finished_of(manifest);
        entries.insert(manifest.to_path_buf(), (modified, done.clone()));
        done
    }
}

/// The clips listed in `manifest` and its source; empty when it cannot be read (the job
/// list still shows the job's outputs).
pub fn finished_of(manifest: &Path) -> Finished {
    let Some(dir) = manifest.parent() else {
        return Finished::default();
    };
    let Ok(m) = std::fs::read(manifest)
        .map_err(|e| e.to_string())
        .and_then(|b| serde_json::from_slice::<ClipsManifest>(&b).map_err(|e| e.to_string()))
    else {
        return Finished::default();
    };
    Finished {
        clips: clips_in(dir, &m),
        source: m.source.clone(),
    }
}

fn clips_in(dir: &Path, m: &ClipsManifest) -> Vec<ClipView> {
    let transcript = std::fs::read(dir.join("transcript.json"))
        .ok()
        .and_then(|b| serde_json::from_slice::<Transcript>(&b).ok());
    m.clips
        .iter()
        .enumerate()
        // A manifest is a file on disk anyone could edit: only a plain file name beside it
        // is a clip (`"output": "../../etc/passwd"` is not shown, previewed or opened).
        .filter(|(_, c)| is_plain_name(&c.output))
        .map(|(i, c)| ClipView {
            index: i as u32 + 1,
            output: dir.join(&c.output).to_string_lossy().into_owned(),
            duration: c.duration,
            width: c.width,
            height: c.height,
            excerpt: c
                .excerpt
                .clone()
                .or_else(|| transcript.as_ref().and_then(|t| excerpt(t, &c.parts))),
            score: c.score,
            reasons: {
                let mut r: Vec<ReasonView> = c
                    .reasons
                    .iter()
                    .map(|r| ReasonView {
                        signal: serde_json::to_value(r.signal)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_string))
                            .unwrap_or_default(),
                        value: r.value,
                        text: r.text.clone(),
                    })
                    .collect();
                r.sort_by(|a, b| b.value.abs().total_cmp(&a.value.abs()));
                r
            },
        })
        .collect()
}

fn is_plain_name(name: &str) -> bool {
    let mut parts = Path::new(name).components();
    matches!(
        (parts.next(), parts.next()),
        (Some(std::path::Component::Normal(_)), None)
    )
}

/// Words whose middle lies inside one of `parts`, in order, ellipsised past
/// [`EXCERPT_WORDS`].
pub fn excerpt(t: &Transcript, parts: &[PartEntry]) -> Option<String> {
    let inside = |w: &reelcut_core::Word| {
        let mid = (w.start + w.end) / 2.0;
        parts.iter().any(|p| mid >= p.start && mid < p.end)
    };
    let words: Vec<&str> = t
        .words()
        .filter(|w| inside(w))
        .map(|w| w.text.trim())
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        return None;
    }
    let mut text = words
        .iter()
        .take(EXCERPT_WORDS)
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    if words.len() > EXCERPT_WORDS {
        text.push('…');
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reelcut_core::{Segment, Word};

    fn word(start: f64, text: &str) -> Word {
        Word {
            start,
            end: start + 0.4,
            text: text.into(),
            probability: 0.9,
        }
    }

    fn transcript(words: Vec<Word>) -> Transcript {
        Transcript {
            language: "en".into(),
            model: "tiny.en".into(),
            duration: 30.0,
            segments: vec![Segment {
                start: 0.0,
                end: 30.0,
                text: String::new(),
                confidence: 0.9,
                words,
            }],
        }
    }

    #[test]
    fn a_tampered_manifest_lists_only_clips_beside_it() {
        for (name, ok) in [
            ("clip-01.mp4", true),
            ("../../etc/passwd", false),
            ("/etc/passwd", false),
            ("sub/clip.mp4", false),
            ("..", false),
            ("", false),
        ] {
            assert_eq!(is_plain_name(name), ok, "{name}");
        }
    }

    #[test]
    fn excerpt_follows_the_parts() {
        let t = transcript(vec![
            word(0.5, "before"),
            word(2.0, "one"),
            word(3.0, "two"),
            word(6.0, "gap"),
            word(9.0, "three"),
        ]);
        let parts = [
            PartEntry {
                start: 1.9,
                end: 4.0,
            },
            PartEntry {
                start: 8.8,
                end: 10.0,
            },
        ];
        assert_eq!(excerpt(&t, &parts).as_deref(), Some("one two three"));
        assert_eq!(
            excerpt(
                &t,
                &[PartEntry {
                    start: 20.0,
                    end: 25.0
                }]
            ),
            None
        );
    }

    #[test]
    fn long_excerpts_are_cut() {
        let words = (0..40).map(|i| word(i as f64 * 0.5, "w")).collect();
        let e = excerpt(
            &transcript(words),
            &[PartEntry {
                start: 0.0,
                end: 30.0,
            }],
        )
        .expect("words");
        assert!(e.ends_with('…'));
        assert_eq!(e.split(' ').count(), EXCERPT_WORDS);
    }
}
