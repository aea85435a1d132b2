//! Jump cuts: a clip's parts rebuilt from its words so that long pauses and filler words
//! ("um", "uh") are left out. Pure time arithmetic on the transcript; the render joins the
//! parts it returns in its one pass, and captions and the crop path follow them because they
//! are derived from the same parts.

use serde::{Deserialize, Serialize};

use crate::range::TimeRange;
use crate::select::energy::Loudness;
use crate::transcript::Word;

/// What to cut out of each clip.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct JumpCuts {
    /// Pauses between words longer than this many seconds are cut down to [`PAD_S`] of
    /// silence on each side; `None` keeps every pause.
    pub silences: Option<f64>,
    /// Filler words are cut out.
    pub fillers: bool,
    /// The filler words to cut; `None`: the list for the transcript's language
    /// ([`fillers_for`]).
    pub filler_words: Option<Vec<String>>,
}

impl JumpCuts {
    pub fn is_off(&self) -> bool {
        self.silences.is_none() && !self.fillers
    }
}

/// The default for `--cut-silences` without a value, seconds.
pub const DEFAULT_GAP_S: f64 = 0.5;

/// Silence kept on each side of a cut: a cut flush against a word sounds clipped (the
/// breath and the word's release are part of it), and Whisper's word edges are only good
/// to a few tens of milliseconds.
pub const PAD_S: f64 = 0.1;

/// A removal shorter than this is not worth a join (each join is a seek and a fade).
const MIN_CUT_S: f64 = 0.05;

/// How far a filler's cut may move from Whisper's edge to the quiet beside the sound.
/// Whisper ends a filler late, into the next word: on espeak speech "um" sounded at
/// 0.90–1.30 s and was timed 0.96–1.52 s, with the next word from 1.44 s; "uh" 3.94–4.24 s
/// was timed 3.94–4.48 s, the next word from 4.38 s.
const SNAP_S: f64 = 0.2;
/// A frame this close to the quietest of its window (dB) counts as quiet.
const QUIET_MARGIN_DB: f32 = 6.0;
/// A window whose quietest frame is louder than this (dBFS) has no pause: the filler is
/// glued to a word and Whisper's edge stays.
const PAUSE_DB: f32 = -35.0;

/// Filler words per language (ISO 639-1), in the form [`normalise`] gives: lower case,
/// without punctuation, runs of one letter squeezed to one ("Ummm," and "umm" are "um").
/// Words that also carry meaning ("like", "so", "este", "ben") are left out: cutting them
/// changes what was said.
const FILLERS: &[(&str, &[&str])] = &[
    (
        "en",
        &["um", "uh", "uhm", "erm", "er", "hm", "mhm", "m", "ah", "eh"],
    ),
    (
        "de",
        &["äh", "ähm", "öh", "öhm", "eh", "ehm", "hm", "m", "mhm"],
    ),
    ("fr", &["euh", "heu", "hum", "hm", "m", "eh", "bah"]),
    ("es", &["eh", "em", "ehm", "mm", "m", "hm", "uh", "um"]),
];

/// The filler words of `language` (an ISO 639-1 code; other languages get the English
/// list, whose sounds are the most widely shared).
pub fn fillers_for(language: &str) -> Vec<String> {
    let lang = language.trim().to_ascii_lowercase();
    FILLERS
        .iter()
        .find(|(l, _)| *l == lang)
        .or_else(|| FILLERS.first())
        .map(|(_, words)| words.iter().map(|w| w.to_string()).collect())
        .unwrap_or_default()
}

/// A prompt that makes Whisper write fillers down: its training transcripts mostly leave
/// them out, and it imitates the style of the text it is prompted with. `None` for a
/// language without one (Whisper then transcribes as usual).
pub fn verbatim_prompt(language: &str) -> Option<&'static str> {
    Some(match language.trim().to_ascii_lowercase().as_str() {
        "en" => "Umm, let me think like, hmm... Okay, here's what I'm, like, thinking. Uh, so, um, yeah.",
        "de" => "Ähm, also, ich denke, äh... ja, hm, genau. Öhm, das ist, äh, so.",
        "fr" => "Euh, alors, je pense, euh... bon, hum, voilà. Heu, c'est, euh, comme ça.",
        "es" => "Eh, bueno, pues, mmm... vale, em, claro. Ehm, es que, eh, así.",
        _ => return None,
    })
}

/// A word as the filler lists spell it: lower case, letters only, each run of one letter
/// squeezed to one.
pub fn normalise(word: &str) -> String {
    let mut out = String::new();
    for c in word.chars().filter(|c| c.is_alphabetic()) {
        for l in c.to_lowercase() {
            if !out.ends_with(l) {
                out.push(l);
            }
        }
    }
    out
}

/// The clip's parts with the pauses and fillers `cuts` asks for left out. `words` are the
/// transcript's, in source time; `language` picks the filler list when `cuts` names none;
/// `loudness` (10 ms frames serve best), when there is one, moves each filler's cuts into
/// the quiet just beside its sound.
///
/// Each part is handled on its own (a join the user asked for stays). A word belongs to a
/// part when at least half of it lies inside, as for captions. A part without any word that
/// is kept (silence, music) is left as it is: the words say nothing about it.
pub fn cut_parts(
    parts: &[TimeRange],
    words: &[Word],
    cuts: &JumpCuts,
    language: &str,
    loudness: Option<&Loudness>,
) -> Vec<TimeRange> {
    if cuts.is_off() {
        return parts.to_vec();
    }
    let fillers: Vec<String> = match &cuts.filler_words {
        Some(list) => list.iter().map(|w| normalise(w)).collect(),
        None => fillers_for(language),
    };
    let is_filler = |w: &Word| cuts.fillers && fillers.contains(&normalise(&w.text));
    // A shorter gap than two pads could not keep both: the pad shrinks with it.
    let gap = cuts.silences.filter(|g| g.is_finite() && *g >= 0.0);
    let pad = gap.map_or(PAD_S, |g| PAD_S.min(g / 2.0));
    let mut out = Vec::new();
    for p in parts {
        let inside: Vec<(TimeRange, bool)> = words
            .iter()
            .filter_map(|w| {
                let (a, b) = (w.start.max(p.start), w.end.min(p.end));
                let whole = w.end - w.start;
                let half_in = if whole > 0.0 {
                    b - a >= whole * 0.5
                } else {
                    w.start >= p.start && w.start < p.end
                };
                half_in.then(|| {
                    (
                        TimeRange {
                            start: a,
                            end: b.max(a),
                        },
                        is_filler(w),
                    )
                })
            })
            .collect();
        if !inside.iter().any(|(_, filler)| !filler) {
            out.push(*p);
            continue;
        }
        let removed = removals(p, &inside, gap, pad, loudness);
        out.extend(complement(p, &removed));
    }
    out
}

/// What to take out of part `p`, in order: for each stretch between two kept words (or a
/// part edge and a kept word), either the pause when it is longer than `gap` (down to `pad`
/// each side, with any fillers in it), or else just the fillers in it.
fn removals(
    p: &TimeRange,
    words: &[(TimeRange, bool)],
    gap: Option<f64>,
    pad: f64,
    loudness: Option<&Loudness>,
) -> Vec<TimeRange> {
    let mut removed = Vec::new();
    // The end of the last kept word; `None` at the part's start.
    let mut prev: Option<f64> = None;
    let mut fillers: Vec<TimeRange> = Vec::new();
    let mut stretch = |from: Option<f64>, to: Option<f64>, fillers: &mut Vec<TimeRange>| {
        let (a, b) = (from.unwrap_or(p.start), to.unwrap_or(p.end));
        let filler_time: f64 = fillers.iter().map(TimeRange::duration).sum();
        let pause = (b - a) - filler_time;
        // At a part edge there is no word on the far side to pad.
        let (lo, hi) = (from.map_or(a, |a| a + pad), to.map_or(b, |b| b - pad));
        if gap.is_some_and(|g| pause > g) && hi - lo >= MIN_CUT_S {
            removed.push(TimeRange { start: lo, end: hi });
        } else {
            // Only the fillers go (moved onto their sound when the level is known); the
            // pause around them stays as spoken.
            removed.extend(
                fillers
                    .iter()
                    .map(|f| match loudness {
                        Some(l) => filler_span(l, f, p),
                        None => *f,
                    })
                    .filter(|f| f.duration() >= MIN_CUT_S),
            );
        }
        fillers.clear();
    };
    for (w, filler) in words {
        if *filler {
            fillers.push(*w);
        } else {
            stretch(prev, Some(w.start), &mut fillers);
            prev = Some(w.end);
        }
    }
    stretch(prev, None, &mut fillers);
    removed
}

/// Filler `f` of part `p` as its sound lies: each edge moved, at most [`SNAP_S`] and never
/// past the filler's middle or out of the part, to the middle of the nearest quiet stretch.
/// The neighbours' Whisper edges are no bound: they are off by as much as the filler's
/// (Whisper gives the gap before a filler to the word before it).
fn filler_span(l: &Loudness, f: &TimeRange, p: &TimeRange) -> TimeRange {
    let mid = (f.start + f.end) / 2.0;
    let start = quiet_point(l, f.start, (f.start - SNAP_S).max(p.start), mid);
    let end = quiet_point(l, f.end, mid, (f.end + SNAP_S).min(p.end));
    TimeRange { start, end }
}

/// The middle of the quiet run in `[lo, hi]` nearest to `at`, or `at` when the window has
/// no pause.
fn quiet_point(l: &Loudness, at: f64, lo: f64, hi: f64) -> f64 {
    if l.rate.is_nan() || l.rate <= 0.0 || hi <= lo {
        return at;
    }
    let a = ((lo * l.rate).ceil().max(0.0) as usize).min(l.db.len());
    let b = ((hi * l.rate).floor().max(0.0) as usize).clamp(a, l.db.len());
    let window = &l.db[a..b];
    let Some(min) = window.iter().copied().reduce(f32::min) else {
        return at;
    };
    if min > PAUSE_DB {
        return at;
    }
    let quiet = |i: usize| window[i] <= min + QUIET_MARGIN_DB;
    let time = |i: usize| (a + i) as f64 / l.rate;
    // (distance to `at`, middle) of the best run so far.
    let mut best: Option<(f64, f64)> = None;
    let mut i = 0;
    while i < window.len() {
        if !quiet(i) {
            i += 1;
            continue;
        }
        let j = (i..window.len())
            .find(|&j| !quiet(j))
            .unwrap_or(window.len());
        let (s, e) = (time(i), time(j));
        let distance = (s - at).max(at - e).max(0.0);
        if best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, (s + e) / 2.0));
        }
        i = j;
    }
    best.map_or(at, |(_, m)| m.clamp(lo, hi))
}

/// `p` without the (ordered, disjoint) `removed` ranges; pieces too short to show a frame
/// are dropped.
fn complement(p: &TimeRange, removed: &[TimeRange]) -> Vec<TimeRange> {
    let mut out = Vec::new();
    let mut at = p.start;
    for r in removed {
        if r.start > at + MIN_CUT_S {
            out.push(TimeRange {
                start: at,
                end: r.start,
            });
        }
        at = at.max(r.end);
    }
    if p.end > at + MIN_CUT_S {
        out.push(TimeRange {
            start: at,
            end: p.end,
        });
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

    fn r(start: f64, end: f64) -> TimeRange {
        TimeRange { start, end }
    }

    fn close(got: &[TimeRange], want: &[(f64, f64)]) {
        assert_eq!(got.len(), want.len(), "{got:?} vs {want:?}");
        for (g, (a, b)) in got.iter().zip(want) {
            assert!(
                (g.start - a).abs() < 1e-9 && (g.end - b).abs() < 1e-9,
                "{got:?} vs {want:?}"
            );
        }
    }

    fn silences(gap: f64) -> JumpCuts {
        JumpCuts {
            silences: Some(gap),
            ..Default::default()
        }
    }

    #[test]
    fn long_pauses_shrink_to_a_pad_each_side_short_ones_stay() {
        let words = [
            w(1.0, 1.5, "one"),
            w(1.8, 2.2, "two"),   // 0.3 s pause: kept
            w(4.2, 4.6, "three"), // 2.0 s pause: cut
            w(5.8, 6.0, "four"),  // 1.2 s pause: cut
        ];
        let got = cut_parts(&[r(0.9, 6.3)], &words, &silences(0.5), "en", None);
        close(&got, &[(0.9, 2.3), (4.1, 4.7), (5.7, 6.3)]);
        let kept: f64 = got.iter().map(TimeRange::duration).sum();
        // 5.4 s less the two pauses, each but 0.2 s.
        assert!((kept - (5.4 - 1.8 - 1.0)).abs() < 1e-9);
    }

    #[test]
    fn dead_air_at_the_clip_edges_is_trimmed_to_a_pad() {
        let words = [w(2.0, 2.5, "hello"), w(2.6, 3.0, "there")];
        let got = cut_parts(&[r(0.0, 6.0)], &words, &silences(0.5), "en", None);
        close(&got, &[(1.9, 3.1)]);
    }

    #[test]
    fn a_gap_below_two_pads_keeps_half_the_gap_each_side() {
        let words = [w(1.0, 1.5, "a"), w(1.9, 2.3, "b")];
        let got = cut_parts(&[r(1.0, 2.3)], &words, &silences(0.1), "en", None);
        close(&got, &[(1.0, 1.55), (1.85, 2.3)]);
    }

    #[test]
    fn fillers_go_and_the_pause_around_them_stays() {
        let words = [
            w(1.0, 1.4, "So,"),
            w(1.6, 2.0, "Umm,"),
            w(2.2, 2.6, "I"),
            w(2.6, 3.0, "think."),
            w(3.1, 3.4, "uh"),
        ];
        let cuts = JumpCuts {
            fillers: true,
            ..Default::default()
        };
        let got = cut_parts(&[r(0.8, 3.6)], &words, &cuts, "en", None);
        close(&got, &[(0.8, 1.6), (2.0, 3.1), (3.4, 3.6)]);
    }

    #[test]
    fn a_pause_made_long_by_a_filler_is_cut_whole_with_both_on() {
        // 0.3 + 0.4 (filler) + 0.3: the pause without the filler is 0.6 s > 0.5 s.
        let words = [w(1.0, 1.4, "so"), w(1.7, 2.1, "um"), w(2.4, 2.8, "yes")];
        let cuts = JumpCuts {
            silences: Some(0.5),
            fillers: true,
            filler_words: None,
        };
        let got = cut_parts(&[r(0.9, 2.9)], &words, &cuts, "en", None);
        close(&got, &[(0.9, 1.5), (2.3, 2.9)]);
        // Under the gap, only the filler goes.
        let words = [w(1.0, 1.4, "so"), w(1.5, 1.9, "um"), w(2.0, 2.4, "yes")];
        let got = cut_parts(&[r(0.9, 2.5)], &words, &cuts, "en", None);
        close(&got, &[(0.9, 1.5), (1.9, 2.5)]);
    }

    #[test]
    fn each_part_is_cut_on_its_own_and_a_wordless_part_stays() {
        let words = [w(1.0, 1.2, "a"), w(2.5, 2.8, "b"), w(10.5, 10.9, "c")];
        let parts = [r(0.9, 2.9), r(10.4, 11.0), r(20.0, 25.0)];
        let got = cut_parts(&parts, &words, &silences(0.5), "en", None);
        close(&got, &[(0.9, 1.3), (2.4, 2.9), (10.4, 11.0), (20.0, 25.0)]);
    }

    #[test]
    fn the_language_picks_the_list_and_a_given_list_wins() {
        let words = [w(1.0, 1.3, "Äh,"), w(1.4, 1.8, "gut"), w(1.9, 2.2, "so")];
        let mut cuts = JumpCuts {
            fillers: true,
            ..Default::default()
        };
        close(
            &cut_parts(&[r(1.0, 2.2)], &words, &cuts, "de", None),
            &[(1.3, 2.2)],
        );
        // English does not know "äh".
        close(
            &cut_parts(&[r(1.0, 2.2)], &words, &cuts, "en", None),
            &[(1.0, 2.2)],
        );
        cuts.filler_words = Some(vec!["SO".into()]);
        close(
            &cut_parts(&[r(1.0, 2.2)], &words, &cuts, "de", None),
            &[(1.0, 1.9)],
        );
    }

    #[test]
    fn filler_cuts_move_into_the_quiet_beside_the_sound() {
        // 10 ms frames: speech (-20 dBFS) 0.30-0.76 ("So"), filler 0.90-1.30, speech from
        // 1.44 ("I"); silence (-90) between.
        let db = (0..250)
            .map(|k| {
                let t = k as f64 / 100.0;
                let sound = (0.30..0.76).contains(&t)
                    || (0.90..1.30).contains(&t)
                    || (1.44..2.40).contains(&t);
                if sound {
                    -20.0
                } else {
                    -90.0
                }
            })
            .collect();
        let l = Loudness { rate: 100.0, db };
        // Timed as Whisper does: the filler's end well into the next word.
        let words = [
            w(0.30, 0.96, "So,"),
            w(0.96, 1.52, "um,"),
            w(1.52, 2.40, "I"),
        ];
        let cuts = JumpCuts {
            fillers: true,
            ..Default::default()
        };
        let got = cut_parts(&[r(0.2, 2.4)], &words, &cuts, "en", Some(&l));
        assert_eq!(got.len(), 2, "{got:?}");
        // The cuts lie in the quiet before the filler and in the quiet before "I".
        assert!((0.76..=0.90).contains(&got[0].end), "{got:?}");
        assert!((1.30..=1.44).contains(&got[1].start), "{got:?}");
        // Without the envelope the cut is Whisper's.
        let got = cut_parts(&[r(0.2, 2.4)], &words, &cuts, "en", None);
        close(&got, &[(0.2, 0.96), (1.52, 2.4)]);
        // A filler glued to its words (no quiet near) keeps Whisper's edges.
        let loud = Loudness {
            rate: 100.0,
            db: vec![-20.0; 250],
        };
        let got = cut_parts(&[r(0.2, 2.4)], &words, &cuts, "en", Some(&loud));
        close(&got, &[(0.2, 0.96), (1.52, 2.4)]);
    }

    #[test]
    fn spellings_are_normalised() {
        assert_eq!(normalise("Ummm,"), "um");
        assert_eq!(normalise("Hmm..."), "hm");
        assert_eq!(normalise(" Ähm"), "ähm");
        assert_eq!(normalise("mhm"), "mhm");
        let en = fillers_for("EN");
        assert!(["Um", "uhh", "Erm", "hmmm"]
            .iter()
            .all(|f| en.contains(&normalise(f))));
        assert!(!en.contains(&normalise("umbrella")));
        assert_eq!(fillers_for("xx"), en);
        assert!(fillers_for("fr").contains(&"euh".to_string()));
        assert!(verbatim_prompt("de").is_some() && verbatim_prompt("xx").is_none());
    }

    #[test]
    fn off_or_wordless_changes_nothing() {
        let parts = [r(0.0, 5.0)];
        let words = [w(1.0, 1.2, "a"), w(4.0, 4.2, "b")];
        assert_eq!(
            cut_parts(&parts, &words, &JumpCuts::default(), "en", None),
            parts
        );
        assert_eq!(cut_parts(&parts, &[], &silences(0.5), "en", None), parts);
        // Only fillers: nothing to keep them apart from, so the part stays.
        let um = [w(1.0, 1.4, "um")];
        let cuts = JumpCuts {
            fillers: true,
            ..Default::default()
        };
        assert_eq!(cut_parts(&parts, &um, &cuts, "en", None), parts);
    }
}
