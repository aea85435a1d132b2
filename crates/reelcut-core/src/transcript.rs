//! The canonical transcript: what the speech-to-text adapter produces and everything
//! downstream (captions, SRT/VTT export, clip selection) consumes. Times are seconds of the
//! source. Word times from whisper.cpp need repair before use ([`repair_word_times`]); a clip
//! takes its words with [`words_in`].

use serde::{Deserialize, Serialize};

use crate::range::TimeRange;
use crate::subtitles::{Cue, Subtitles};
use crate::timecode::{format_timestamp, TimeFormat};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transcript {
    /// ISO 639-1 code ("en"), as detected or forced.
    pub language: String,
    /// The model that produced it ("ggml-tiny.en"), for reproducibility.
    pub model: String,
    /// Length of the transcribed audio in seconds.
    pub duration: f64,
    pub segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    pub start: f64,
    pub end: f64,
    pub text: String,
    /// Mean token probability of the segment, 0..1.
    pub confidence: f32,
    #[serde(default)]
    pub words: Vec<Word>,
}

/// One spoken word. A word whose times are not finite, or that does not end after it starts
/// (and after 0), is *untimed*: [`repair_word_times`] gives it a time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Word {
    pub start: f64,
    pub end: f64,
    /// The word as spoken, punctuation attached, without surrounding spaces.
    pub text: String,
    pub probability: f32,
}

impl Transcript {
    /// All words of all segments, in order.
    pub fn words(&self) -> impl Iterator<Item = &Word> {
        self.segments.iter().flat_map(|s| s.words.iter())
    }
}

/// Shortest duration a repaired word gets when there is room for it: about one short
/// syllable. Captions highlight words one by one, so a 0 ms word would never be seen.
const MIN_WORD_S: f64 = 0.08;

/// Makes word times usable: every word ends after it starts, words of a segment follow each
/// other without overlap, and all of them lie inside their segment, which lies inside the
/// audio. Words that whisper.cpp left untimed or gave zero duration (typical for numbers and
/// words glued to punctuation) get time shared out from the gap around them, or, when there
/// is no gap, borrowed from their timed neighbours, in proportion to their spoken length.
pub fn repair_word_times(t: &mut Transcript) {
    let audio_end = if t.duration > 0.0 && t.duration.is_finite() {
        t.duration
    } else {
        f64::INFINITY
    };
    let mut prev_end = 0.0_f64;
    for seg in &mut t.segments {
        let mut start = if seg.start.is_finite() {
            seg.start
        } else {
            prev_end
        };
        start = start.clamp(prev_end, audio_end.max(prev_end));
        let mut end = if seg.end.is_finite() {
            seg.end.min(audio_end)
        } else {
            start
        };
        // A segment too short for its words grows by what they need, never past the end of
        // the audio: words squeezed to nothing would never be shown. The next segment is then
        // clamped to start after it.
        let needed = seg.words.len() as f64 * MIN_WORD_S;
        if end - start < needed {
            end = (start + needed).min(audio_end).max(end);
        }
        if end < start {
            end = start;
        }
        seg.start = start;
        seg.end = end;
        repair_segment_words(&mut seg.words, start, end);
        prev_end = end;
    }
}

/// whisper.cpp marks missing times with -1 and often gives a word no duration. A word that
/// merely starts before 0 still has a usable end.
fn is_timed(w: &Word) -> bool {
    w.start.is_finite() && w.end.is_finite() && w.end > w.start.max(0.0)
}

/// How long a word takes to say, in "letters". Digits count triple: "7" is spoken "seven",
/// and whisper.cpp writes numbers as digits.
fn spoken_weight(text: &str) -> f64 {
    let w: usize = text
        .chars()
        .filter(|c| c.is_alphanumeric())
        .map(|c| if c.is_ascii_digit() { 3 } else { 1 })
        .sum();
    w.max(1) as f64
}

fn repair_segment_words(words: &mut [Word], seg_start: f64, seg_end: f64) {
    if words.is_empty() {
        return;
    }
    // 1. Clamp timed words into the segment; those left empty become untimed.
    let mut timed: Vec<bool> = Vec::with_capacity(words.len());
    for w in words.iter_mut() {
        let ok = is_timed(w) && w.end > seg_start && w.start < seg_end;
        if ok {
            w.start = w.start.max(seg_start);
            w.end = w.end.min(seg_end);
        }
        timed.push(ok && w.end > w.start);
    }
    // 2. Overlaps between consecutive timed words: the shared stretch is split in its middle,
    // which lies inside both words, so both keep a positive duration. A word entirely before
    // its predecessor is out of order and treated as untimed.
    let mut last: Option<usize> = None;
    for i in 0..words.len() {
        if !timed[i] {
            continue;
        }
        if let Some(p) = last {
            if words[i].end <= words[p].start {
                timed[i] = false;
                continue;
            }
            if words[i].start < words[p].end {
                let lo = words[i].start.max(words[p].start);
                let hi = words[i].end.min(words[p].end);
                let mid = (lo + hi) / 2.0;
                words[p].end = mid;
                words[i].start = mid;
            }
        }
        last = Some(i);
    }
    // 3. Runs of untimed words get time from the gap they sit in, widened into their
    // neighbours when the gap is too short.
    let mut i = 0;
    while i < words.len() {
        if timed[i] {
            i += 1;
            continue;
        }
        let run_start = i;
        while i < words.len() && !timed[i] {
            i += 1;
        }
        fill_run(words, &mut timed, run_start, i, seg_start, seg_end);
    }
}

/// Times the untimed words `a..b`, which sit between timed neighbours (or segment edges).
fn fill_run(
    words: &mut [Word],
    timed: &mut [bool],
    a: usize,
    b: usize,
    seg_start: f64,
    seg_end: f64,
) {
    let prev = a.checked_sub(1);
    let next = (b < words.len()).then_some(b);
    let lo = prev.map_or(seg_start, |p| words[p].end);
    let hi = next.map_or(seg_end, |n| words[n].start);
    let needed = (b - a) as f64 * MIN_WORD_S;
    let (from, to, first, last) = if hi - lo >= needed {
        (a, b, lo, hi)
    } else {
        // No room: the neighbours give up time too. Their outer edges stay where whisper put
        // them; the span between is shared by everyone in proportion to spoken length.
        let from = prev.unwrap_or(a);
        let to = next.map_or(b, |n| n + 1);
        let first = prev.map_or(seg_start, |p| words[p].start);
        let last = next.map_or(seg_end, |n| words[n].end);
        (from, to, first, last)
    };
    let total: f64 = words[from..to].iter().map(|w| spoken_weight(&w.text)).sum();
    let span = (last - first).max(0.0);
    let mut t = first;
    for (k, w) in words[from..to].iter_mut().enumerate() {
        w.start = t;
        t = if from + k + 1 == to {
            last
        } else {
            t + span * spoken_weight(&w.text) / total
        };
        w.end = t.max(w.start);
        timed[from + k] = true;
    }
}

/// The words of a clip made of `parts`, on the clip's timeline: parts are joined back to
/// back, so a word in part k is shifted by the durations of parts 0..k. A word straddling a
/// part boundary is clipped to the part, or dropped when less than half of it is inside.
pub fn words_in(t: &Transcript, parts: &[TimeRange]) -> Vec<Word> {
    let mut out = Vec::new();
    let mut offset = 0.0;
    for p in parts {
        for w in t.words() {
            let (a, b) = (w.start.max(p.start), w.end.min(p.end));
            let duration = w.end - w.start;
            let inside = if duration > 0.0 {
                b - a >= duration * 0.5
            } else {
                w.start >= p.start && w.start < p.end
            };
            if inside {
                out.push(Word {
                    start: a - p.start + offset,
                    end: b.max(a) - p.start + offset,
                    ..w.clone()
                });
            }
        }
        offset += p.duration();
    }
    out
}

/// The words of a clip made of `parts`, in source time: the words [`words_in`] takes, each
/// clipped to its part.
pub fn words_within(t: &Transcript, parts: &[TimeRange]) -> Vec<Word> {
    let mut out = Vec::new();
    for p in parts {
        for w in t.words() {
            let (a, b) = (w.start.max(p.start), w.end.min(p.end));
            let duration = w.end - w.start;
            let inside = if duration > 0.0 {
                b - a >= duration * 0.5
            } else {
                w.start >= p.start && w.start < p.end
            };
            if inside {
                out.push(Word {
                    start: a,
                    end: b.max(a),
                    ..w.clone()
                });
            }
        }
    }
    out
}

/// Longest subtitle line, in characters (the usual broadcast/Netflix limit).
const MAX_LINE_CHARS: usize = 42;
/// Longest time one cue stays up.
const MAX_CUE_S: f64 = 7.0;

/// Segment-level cues for SRT/VTT. Segments longer than two lines or [`MAX_CUE_S`] are
/// split at word boundaries (using word times when there are any, otherwise time shared
/// by text length), and each cue is wrapped into at most two lines.
pub fn cues(t: &Transcript) -> Vec<Cue> {
    let mut out = Vec::new();
    for seg in &t.segments {
        let text = seg.text.split_whitespace().collect::<Vec<_>>().join(" ");
        if text.is_empty() || seg.end <= seg.start {
            continue;
        }
        let timed: Vec<(f64, f64, String)> = if seg.words.is_empty() {
            // No word times: spread the segment over its words by length.
            let tokens: Vec<&str> = text.split(' ').collect();
            let total: f64 = tokens.iter().map(|w| spoken_weight(w)).sum();
            let mut t0 = seg.start;
            tokens
                .iter()
                .map(|w| {
                    let t1 = t0 + (seg.end - seg.start) * spoken_weight(w) / total;
                    let item = (t0, t1, w.to_string());
                    t0 = t1;
                    item
                })
                .collect()
        } else {
            seg.words
                .iter()
                .map(|w| (w.start, w.end, w.text.trim().to_string()))
                .collect()
        };
        let mut chunk: Vec<&(f64, f64, String)> = Vec::new();
        let flush = |chunk: &mut Vec<&(f64, f64, String)>, out: &mut Vec<Cue>, last: bool| {
            if let (Some(first), Some(end)) = (chunk.first(), chunk.last()) {
                let words: Vec<&str> = chunk
                    .iter()
                    .map(|w| w.2.as_str())
                    .filter(|w| !w.is_empty())
                    .collect();
                let end = if last { seg.end.max(end.1) } else { end.1 };
                out.push(Cue {
                    start: first.0.max(seg.start),
                    end,
                    text: wrap_two_lines(&words),
                });
            }
            chunk.clear();
        };
        for w in &timed {
            let len_with =
                chunk.iter().map(|c| c.2.chars().count() + 1).sum::<usize>() + w.2.chars().count();
            let too_long = len_with > 2 * MAX_LINE_CHARS;
            let too_slow = chunk.first().is_some_and(|f| w.1 - f.0 > MAX_CUE_S);
            if !chunk.is_empty() && (too_long || too_slow) {
                flush(&mut chunk, &mut out, false);
            }
            chunk.push(w);
        }
        flush(&mut chunk, &mut out, true);
    }
    out
}

/// Splits words into one line, or two lines of balanced length when they exceed
/// [`MAX_LINE_CHARS`].
fn wrap_two_lines(words: &[&str]) -> String {
    let one = words.join(" ");
    if one.chars().count() <= MAX_LINE_CHARS || words.len() < 2 {
        return one;
    }
    let best = (1..words.len())
        .min_by_key(|&k| {
            let a = words[..k].join(" ").chars().count() as i64;
            let b = words[k..].join(" ").chars().count() as i64;
            (a - b).abs()
        })
        .unwrap_or(1);
    format!("{}\n{}", words[..best].join(" "), words[best..].join(" "))
}

/// SubRip text of the transcript.
pub fn to_srt(t: &Transcript) -> String {
    Subtitles::Plain(cues(t)).render()
}

/// WebVTT text of the transcript.
pub fn to_vtt(t: &Transcript) -> String {
    let mut out = String::from("WEBVTT\n\n");
    for c in cues(t) {
        // "-->" inside a cue would end the cue; VTT has no escape for it, so break the arrow.
        let text = c
            .text
            .replace("-->", "->")
            .replace('&', "&amp;")
            .replace('<', "&lt;");
        out.push_str(&format!(
            "{} --> {}\n{}\n\n",
            format_timestamp(c.start, TimeFormat::Vtt),
            format_timestamp(c.end, TimeFormat::Vtt),
            text
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(start: f64, end: f64, text: &str) -> Word {
        Word {
            start,
            end,
            text: text.into(),
            probability: 0.9,
        }
    }

    fn transcript(duration: f64, segments: Vec<(f64, f64, Vec<Word>)>) -> Transcript {
        Transcript {
            language: "en".into(),
            model: "test".into(),
            duration,
            segments: segments
                .into_iter()
                .map(|(start, end, words)| Segment {
                    start,
                    end,
                    text: words
                        .iter()
                        .map(|w| w.text.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                    confidence: 0.9,
                    words,
                })
                .collect(),
        }
    }

    /// The invariants every repaired transcript must hold.
    fn assert_sane(t: &Transcript) {
        let mut prev_seg_end = 0.0;
        for s in &t.segments {
            assert!(
                s.start >= prev_seg_end - 1e-9 && s.end >= s.start,
                "segment {s:?}"
            );
            assert!(s.end <= t.duration + 1e-9, "segment past audio {s:?}");
            let mut prev = s.start;
            for w in &s.words {
                assert!(
                    w.start >= prev - 1e-9,
                    "overlap or disorder at {w:?} in {s:?}"
                );
                // Only a segment squeezed against the end of the audio has no room left.
                assert!(
                    w.end > w.start || s.end >= t.duration - 1e-9,
                    "empty word {w:?} in {s:?}"
                );
                assert!(w.end <= s.end + 1e-9, "word past segment {w:?} in {s:?}");
                prev = w.end;
            }
            prev_seg_end = s.end;
        }
    }

    #[test]
    fn zero_duration_number_takes_the_gap_by_spoken_length() {
        // "costs 1500 dollars": whisper gives "1500" no duration at 1.0, with a gap 1.0-2.0.
        let mut t = transcript(
            10.0,
            vec![(
                0.0,
                3.0,
                vec![
                    w(0.2, 1.0, "costs"),
                    w(1.0, 1.0, "1500"),
                    w(2.0, 2.6, "dollars"),
                ],
            )],
        );
        repair_word_times(&mut t);
        assert_sane(&t);
        let words = &t.segments[0].words;
        assert_eq!((words[1].start, words[1].end), (1.0, 2.0));
        assert_eq!(
            (words[0].start, words[0].end),
            (0.2, 1.0),
            "timed neighbours untouched"
        );
    }

    #[test]
    fn untimed_run_is_split_by_character_length() {
        let mut t = transcript(
            10.0,
            vec![(
                0.0,
                4.0,
                vec![
                    w(0.0, 1.0, "a"),
                    w(-1.0, -1.0, "to"),
                    w(f64::NAN, f64::NAN, "tree"),
                    w(2.5, 3.0, "x"),
                ],
            )],
        );
        repair_word_times(&mut t);
        assert_sane(&t);
        let words = &t.segments[0].words;
        // Gap 1.0-2.5 shared 2:4.
        assert!(
            (words[1].start - 1.0).abs() < 1e-9 && (words[1].end - 1.5).abs() < 1e-9,
            "{words:?}"
        );
        assert!(
            (words[2].start - 1.5).abs() < 1e-9 && (words[2].end - 2.5).abs() < 1e-9,
            "{words:?}"
        );
    }

    #[test]
    fn no_gap_borrows_from_neighbours() {
        // "at 5 pm": "5" is glued between two words that touch.
        let mut t = transcript(
            10.0,
            vec![(
                0.0,
                2.0,
                vec![w(0.5, 1.0, "at"), w(1.0, 1.0, "5"), w(1.0, 1.6, "pm")],
            )],
        );
        repair_word_times(&mut t);
        assert_sane(&t);
        let words = &t.segments[0].words;
        assert_eq!(words[0].start, 0.5, "outer edges stay");
        assert_eq!(words[2].end, 1.6, "outer edges stay");
        // Weights at=2, 5=3, pm=2 over 0.5-1.6.
        assert!(
            (words[1].end - words[1].start - 1.1 * 3.0 / 7.0).abs() < 1e-9,
            "{words:?}"
        );
    }

    #[test]
    fn overlaps_are_split_in_the_middle() {
        let mut t = transcript(
            10.0,
            vec![(
                0.0,
                3.0,
                vec![
                    w(0.0, 1.2, "one"),
                    w(1.0, 2.0, "two"),
                    w(1.1, 1.15, "in"),
                    w(2.5, 2.4, "x"),
                ],
            )],
        );
        repair_word_times(&mut t);
        assert_sane(&t);
        let words = &t.segments[0].words;
        assert!(
            (words[0].end - 1.1).abs() < 1e-9 && (words[1].start - 1.1).abs() < 1e-9,
            "{words:?}"
        );
    }

    #[test]
    fn clamps_into_segment_and_audio() {
        let mut t = transcript(
            5.0,
            vec![
                (0.0, 2.0, vec![w(-0.5, 0.5, "a"), w(1.5, 2.5, "b")]),
                (1.8, 9.0, vec![w(4.0, 8.0, "c")]),
            ],
        );
        repair_word_times(&mut t);
        assert_sane(&t);
        assert_eq!(t.segments[1].start, 2.0, "segments do not overlap");
        assert_eq!(t.segments[1].end, 5.0, "segment clamped to the audio");
        assert_eq!(t.segments[1].words[0].end, 5.0);
        assert_eq!(
            (t.segments[0].words[0].start, t.segments[0].words[0].end),
            (0.0, 0.5)
        );
    }

    #[test]
    fn messy_input_always_ends_sane() {
        // A deterministic pseudo-random stress: garbage times, zero-length segments.
        let mut seed = 12345_u64;
        let mut rnd = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((seed >> 33) as f64) / (1u64 << 31) as f64
        };
        for _ in 0..300 {
            let mut segments = Vec::new();
            let mut t0 = 0.0;
            for _ in 0..4 {
                let len = rnd() * 3.0;
                let words = (0..(rnd() * 6.0) as usize)
                    .map(|k| {
                        let s = if rnd() < 0.2 {
                            -1.0
                        } else {
                            t0 + rnd() * len * 1.3 - 0.2
                        };
                        let e = if rnd() < 0.3 {
                            s
                        } else {
                            s + rnd() * 0.8 - 0.1
                        };
                        w(s, e, ["a", "word", "42", "x,"][k % 4])
                    })
                    .collect();
                segments.push((t0 - 0.1, t0 + len, words));
                t0 += len * rnd() * 1.5;
            }
            let mut t = transcript(t0 + 2.0, segments);
            repair_word_times(&mut t);
            assert_sane(&t);
        }
    }

    #[test]
    fn words_in_rebases_multipart_and_clips_boundaries() {
        let t = transcript(
            30.0,
            vec![(
                0.0,
                30.0,
                vec![
                    w(1.0, 2.0, "out"),
                    w(2.8, 3.6, "half"),
                    w(4.0, 4.5, "in"),
                    w(11.0, 11.5, "later"),
                    w(11.9, 12.3, "edge"),
                ],
            )],
        );
        let parts = [
            TimeRange {
                start: 3.0,
                end: 5.0,
            },
            TimeRange {
                start: 10.0,
                end: 12.0,
            },
        ];
        let got = words_in(&t, &parts);
        let texts: Vec<&str> = got.iter().map(|w| w.text.as_str()).collect();
        // "half" is 75% inside part 1 (clipped), "edge" only 25% inside part 2 (dropped).
        assert_eq!(texts, ["half", "in", "later"]);
        assert!((got[0].start - 0.0).abs() < 1e-9 && (got[0].end - 0.6).abs() < 1e-9);
        assert!((got[1].start - 1.0).abs() < 1e-9);
        // Part 2 starts at clip time 2.0: 11.0 -> 3.0.
        assert!((got[2].start - 3.0).abs() < 1e-9 && (got[2].end - 3.5).abs() < 1e-9);
    }

    #[test]
    fn srt_and_vtt_split_long_segments() {
        let words: Vec<Word> = (0..20)
            .map(|i| w(i as f64 * 0.5, i as f64 * 0.5 + 0.4, "word"))
            .collect();
        let mut t = transcript(
            20.0,
            vec![
                (0.0, 10.0, words),
                (12.0, 13.0, vec![w(12.0, 12.5, "a<b"), w(12.5, 13.0, "-->")]),
            ],
        );
        t.segments[1].text = "a<b -->".into();
        let cues = cues(&t);
        assert!(cues.len() >= 3, "{cues:?}");
        for c in &cues {
            assert!(
                c.text.lines().count() <= 2
                    && c.text.lines().all(|l| l.chars().count() <= MAX_LINE_CHARS),
                "{c:?}"
            );
            assert!(c.end - c.start <= MAX_CUE_S + 0.5, "{c:?}");
        }
        let srt = to_srt(&t);
        assert!(srt.starts_with("1\n00:00:00,000 --> "), "{srt}");
        let vtt = to_vtt(&t);
        assert!(vtt.starts_with("WEBVTT\n\n00:00:00.000 --> "), "{vtt}");
        assert!(
            vtt.contains("00:00:12.000 --> 00:00:13.000\na&lt;b ->\n"),
            "{vtt}"
        );
    }

    #[test]
    fn json_round_trip() {
        let t = transcript(3.0, vec![(0.0, 1.0, vec![w(0.0, 0.5, "hi")])]);
        let json = serde_json::to_string(&t).unwrap();
        assert!(json.contains("\"probability\":0.9"), "{json}");
        assert_eq!(serde_json::from_str::<Transcript>(&json).unwrap(), t);
        // Words are optional in input (segment-only transcripts).
        let s: Segment =
            serde_json::from_str(r#"{"start":0,"end":1,"text":"x","confidence":0.5}"#).unwrap();
        assert!(s.words.is_empty());
    }
}
