//! Sentences: the units a chosen clip starts and ends on. Whisper punctuates most speech,
//! so a sentence ends at `.`, `?`, `!` or `…`; where it does not (music, fast talk, other
//! models) a long pause ends one too, and a run that still goes on too long is broken at
//! its first real gap, so a clip can always be built within the length bounds.

use crate::transcript::{Transcript, Word};

/// A silence between words at least this long ends a sentence even without punctuation.
pub const SPLIT_PAUSE_S: f64 = 1.2;
/// A sentence longer than this is broken at its next gap of [`FORCE_GAP_S`] or more...
const LONG_SENTENCE_S: f64 = 20.0;
const FORCE_GAP_S: f64 = 0.3;
/// ...and at any word once it reaches this length (unpunctuated, gapless speech).
const MAX_SENTENCE_S: f64 = 30.0;
/// A punctuated sentence of fewer words than this ("Stop scrolling!", "Right?") leads into
/// the next one without a pause: it is joined to it, so no clip starts just after its
/// opener or ends on a dangling one.
const MIN_WORDS: usize = 3;

#[derive(Debug, Clone, PartialEq)]
pub struct Sentence {
    /// Position in the transcript's sentence list (what [`super::Reason::sentences`] names).
    pub index: usize,
    pub start: f64,
    pub end: f64,
    /// The words joined by single spaces, punctuation kept.
    pub text: String,
    /// (start, end) of each word, in order.
    pub words: Vec<(f64, f64)>,
}

impl Sentence {
    pub fn duration(&self) -> f64 {
        self.end - self.start
    }

    /// The sentence's last character of punctuation, closing quotes and brackets skipped.
    pub fn terminal(&self) -> Option<char> {
        self.text
            .trim_end_matches(['"', '\'', ')', '”', '’', ']'])
            .chars()
            .last()
            .filter(|c| matches!(c, '.' | '?' | '!' | '…'))
    }
}

fn ends_sentence(w: &Word) -> bool {
    w.text
        .trim_end_matches(['"', '\'', ')', '”', '’', ']'])
        .ends_with(['.', '?', '!', '…'])
}

/// The transcript's sentences in time order. Words without a usable time (see
/// [`crate::transcript::repair_word_times`]) and empty words are skipped.
pub fn sentences(t: &Transcript) -> Vec<Sentence> {
    let words: Vec<&Word> = t
        .words()
        .filter(|w| w.start.is_finite() && w.end.is_finite() && w.end > w.start)
        .filter(|w| !w.text.trim().is_empty())
        .collect();
    let mut out: Vec<Sentence> = Vec::new();
    let mut current: Vec<&Word> = Vec::new();
    for (i, w) in words.iter().enumerate() {
        current.push(w);
        let start = current[0].start;
        let gap_after = words.get(i + 1).map(|n| n.start - w.end);
        let long = w.end - start;
        let lead_in = current.len() < MIN_WORDS && gap_after.is_some_and(|g| g < SPLIT_PAUSE_S);
        let split = (ends_sentence(w) && !lead_in)
            || gap_after.is_none_or(|g| g >= SPLIT_PAUSE_S)
            || (long >= LONG_SENTENCE_S && gap_after.is_some_and(|g| g >= FORCE_GAP_S))
            || long >= MAX_SENTENCE_S;
        if split {
            let text = current
                .iter()
                .map(|w| w.text.trim())
                .collect::<Vec<_>>()
                .join(" ");
            out.push(Sentence {
                index: out.len(),
                start,
                end: w.end,
                text,
                words: current.iter().map(|w| (w.start, w.end)).collect(),
            });
            current.clear();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::Segment;

    fn transcript(words: &[(f64, f64, &str)]) -> Transcript {
        Transcript {
            language: "en".into(),
            model: "test".into(),
            duration: words.last().map_or(0.0, |w| w.1 + 1.0),
            segments: vec![Segment {
                start: 0.0,
                end: words.last().map_or(0.0, |w| w.1),
                text: String::new(),
                confidence: 0.9,
                words: words
                    .iter()
                    .map(|&(start, end, text)| Word {
                        start,
                        end,
                        text: text.into(),
                        probability: 0.9,
                    })
                    .collect(),
            }],
        }
    }

    #[test]
    fn splits_on_punctuation_and_long_pauses() {
        let t = transcript(&[
            (0.0, 0.3, "Is"),
            (0.4, 0.7, "it?"),
            (0.8, 1.0, "Yes"),
            (1.1, 1.5, "indeed"),
            // 2 s of silence without punctuation: a new sentence.
            (3.5, 3.9, "then"),
            (4.0, 4.4, "\"this!\""),
            (4.5, 4.9, "end"),
            (5.0, 5.4, "of"),
            (5.5, 5.9, "it."),
        ]);
        let s = sentences(&t);
        let texts: Vec<&str> = s.iter().map(|s| s.text.as_str()).collect();
        // "Is it?" and "then this!" are lead-ins, joined to what follows at once.
        assert_eq!(texts, ["Is it? Yes indeed", "then \"this!\" end of it."]);
        assert_eq!(s[0].start, 0.0);
        assert_eq!(s[0].end, 1.5);
        assert_eq!(s[1].terminal(), Some('.'));
        assert_eq!(s[0].terminal(), None);
        assert_eq!(s.iter().map(|s| s.index).collect::<Vec<_>>(), [0, 1]);
    }

    #[test]
    fn unpunctuated_gapless_speech_is_broken_into_bounded_pieces() {
        // 100 s of words 0.4 s long, 0.1 s apart, never punctuated.
        let words: Vec<(f64, f64, String)> = (0..200)
            .map(|i| (i as f64 * 0.5, i as f64 * 0.5 + 0.4, format!("w{i}")))
            .collect();
        let refs: Vec<(f64, f64, &str)> =
            words.iter().map(|(a, b, t)| (*a, *b, t.as_str())).collect();
        let s = sentences(&transcript(&refs));
        assert!(s.len() >= 4, "{}", s.len());
        for x in &s {
            assert!(x.duration() <= MAX_SENTENCE_S + 0.5, "{}", x.duration());
        }
        // Nothing lost or reordered.
        assert_eq!(s.iter().map(|x| x.words.len()).sum::<usize>(), 200);
    }
}
