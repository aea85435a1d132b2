//! Moving clip boundaries onto speech boundaries, so no clip starts or ends mid-word (or,
//! with sentences, mid-thought). A boundary goes to the nearest word (sentence) edge and
//! then takes up to [`PAD`] of the surrounding silence, so a word's attack and release are
//! not clipped.

use serde::{Deserialize, Serialize};

use crate::transcript::{Transcript, Word};
use crate::{ClipSpec, TimeRange};

/// Silence kept around a snapped boundary, seconds (never reaching into a neighbour word).
pub const PAD: f64 = 0.1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Snap {
    #[default]
    None,
    Words,
    Sentences,
}

/// Spans (start, end) of the units a boundary may snap to, in time order.
fn units(t: &Transcript, snap: Snap) -> Vec<(f64, f64)> {
    let words: Vec<&Word> = t.words().filter(|w| w.end > w.start).collect();
    match snap {
        Snap::None => Vec::new(),
        Snap::Words => words.iter().map(|w| (w.start, w.end)).collect(),
        Snap::Sentences => {
            let mut out = Vec::new();
            let mut start: Option<f64> = None;
            for (i, w) in words.iter().enumerate() {
                let s = *start.get_or_insert(w.start);
                let ends = w
                    .text
                    .trim_end_matches(['"', '\'', ')', '”'])
                    .ends_with(['.', '?', '!', '…']);
                if ends || i + 1 == words.len() {
                    out.push((s, w.end));
                    start = None;
                }
            }
            out
        }
    }
}

/// `clip` with every part boundary on a unit edge. Parts that would become empty keep
/// their original range.
pub fn snap_clip(clip: &ClipSpec, t: &Transcript, snap: Snap) -> ClipSpec {
    let spans = units(t, snap);
    if spans.is_empty() {
        return clip.clone();
    }
    let starts: Vec<f64> = spans.iter().map(|s| s.0).collect();
    let ends: Vec<f64> = spans.iter().map(|s| s.1).collect();
    let nearest = |edges: &[f64], x: f64| {
        edges
            .iter()
            .copied()
            .min_by(|a, b| (a - x).abs().total_cmp(&(b - x).abs()))
    };
    let parts = clip
        .parts
        .iter()
        .map(|p| {
            let Some(s) = nearest(&starts, p.start) else {
                return *p;
            };
            // The end is the nearest unit end after the new start.
            let after: Vec<f64> = ends.iter().copied().filter(|e| *e > s).collect();
            let Some(e) = nearest(&after, p.end) else {
                return *p;
            };
            // Pad into silence: not past the previous unit's end nor the next unit's start.
            let prev_end = ends
                .iter()
                .copied()
                .filter(|x| *x <= s)
                .fold(0.0f64, f64::max);
            let next_start = starts
                .iter()
                .copied()
                .filter(|x| *x >= e)
                .fold(f64::INFINITY, f64::min);
            let start = (s - PAD).max(prev_end).max(0.0);
            let end = (e + PAD).min(next_start).min(t.duration.max(e));
            if end > start {
                TimeRange { start, end }
            } else {
                *p
            }
        })
        .collect();
    ClipSpec { parts }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::Segment;

    fn transcript() -> Transcript {
        // "Hello there. How are you?" then "Fine." with a pause.
        let w = |s: f64, e: f64, t: &str| Word {
            start: s,
            end: e,
            text: t.into(),
            probability: 0.9,
        };
        let words = vec![
            w(1.0, 1.4, "Hello"),
            w(1.5, 1.9, "there."),
            w(2.3, 2.5, "How"),
            w(2.55, 2.7, "are"),
            w(2.75, 3.1, "you?"),
            w(4.0, 4.5, "Fine."),
        ];
        Transcript {
            language: "en".into(),
            model: "test".into(),
            duration: 6.0,
            segments: vec![Segment {
                start: 1.0,
                end: 4.5,
                text: String::new(),
                confidence: 0.9,
                words,
            }],
        }
    }

    fn one(a: f64, b: f64) -> ClipSpec {
        ClipSpec::single(a, b)
    }

    #[test]
    fn words_never_cut_mid_word() {
        let c = snap_clip(&one(1.2, 2.65), &transcript(), Snap::Words);
        let p = c.parts[0];
        // 1.2 is inside "Hello" (1.0-1.4): nearest edge is its start; padded into silence.
        assert!((p.start - 0.9).abs() < 1e-9, "{p:?}");
        // 2.65 is inside "are" (2.55-2.7): nearest end is 2.7, padded up to the next word at 2.75.
        assert!((p.end - 2.75).abs() < 1e-9, "{p:?}");
    }

    #[test]
    fn sentences_start_and_end_on_sentence_edges() {
        let c = snap_clip(&one(1.5, 2.6), &transcript(), Snap::Sentences);
        let p = c.parts[0];
        // Nearest sentence start to 1.5 is 1.0 ("Hello there."), nearest end after it to 2.6
        // is 3.1 ("How are you?").
        assert!(
            (p.start - 0.9).abs() < 1e-9 && (p.end - 3.2).abs() < 1e-9,
            "{p:?}"
        );
        let c = snap_clip(&one(3.5, 6.0), &transcript(), Snap::Sentences);
        assert!(
            (c.parts[0].start - 3.9).abs() < 1e-9 && (c.parts[0].end - 4.6).abs() < 1e-9,
            "{:?}",
            c.parts[0]
        );
    }

    #[test]
    fn multipart_and_no_snap() {
        let clip = ClipSpec {
            parts: vec![
                TimeRange {
                    start: 1.1,
                    end: 1.8,
                },
                TimeRange {
                    start: 2.6,
                    end: 4.2,
                },
            ],
        };
        let c = snap_clip(&clip, &transcript(), Snap::Words);
        assert_eq!(c.parts.len(), 2);
        assert!((c.parts[1].start - 2.5).abs() < 1e-9, "{:?}", c.parts[1]);
        assert_eq!(snap_clip(&clip, &transcript(), Snap::None), clip);
        let empty = Transcript {
            segments: vec![],
            ..transcript()
        };
        assert_eq!(snap_clip(&clip, &empty, Snap::Words), clip);
    }
}
