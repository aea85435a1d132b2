//! Candidates and their scores. Every signal is a bounded, signed contribution, so no single
//! one can drown the others, and each comes with the sentence that explains it.
//!
//! Scale: a strong hook (question + opener + claim) is worth about 1.5; a clip that crosses
//! a clear topic shift loses about 1; density, coherence, energy and pauses move a clip by up
//! to about half a point each. Hooks dominate on purpose: a short clip lives or dies by its
//! first seconds.

use rayon::prelude::*;

use super::energy::{Level, Loudness, Power};
use super::sentences::Sentence;
use super::text::{self, dot, laughter, norm, Sparse, TfIdf};
use super::topics::{self, Shift};
use super::{Reason, Signal};
use crate::range::TimeRange;
use crate::snap::PAD;
use crate::transcript::Transcript;

const W_DENSITY: f64 = 1.0;
const W_HOOK: f64 = 1.25;
/// The second sentence also hooks (half as much): a setup line then the question.
const SECOND_HOOK: f64 = 0.5;
const W_COHERENCE: f64 = 0.6;
const W_SHIFT: f64 = 1.0;
/// A shift this deep (Hearst depth, 0..2) costs the full [`W_SHIFT`].
const FULL_DEPTH: f64 = 0.6;
const W_COMPLETE: f64 = 0.25;
const W_ENERGY: f64 = 0.6;
/// Energy: this many dB above the video's level earns the full weight.
const FULL_DB: f64 = 3.0;
const W_PAUSES: f64 = 0.6;
/// A silence between words longer than this is a pause worth counting, seconds.
pub const PAUSE_S: f64 = 0.8;
const MAX_CUES: f64 = 0.5;

pub(super) struct Candidate {
    pub first: usize,
    pub last: usize,
    pub range: TimeRange,
    pub score: f64,
    pub reasons: Vec<Reason>,
    /// Unit TF-IDF vector of all its sentences, for diversity.
    pub vector: Sparse,
}

pub(super) struct Context<'a> {
    sentences: &'a [Sentence],
    vectors: Vec<Sparse>,
    shifts: Vec<Shift>,
    /// The video's words per second, first word to last.
    wps: f64,
    /// The video's level and each sentence's voiced power, when there is audio.
    loudness: Option<(Level, Vec<Power>)>,
    /// End of the audio (a clip may pad into silence up to here).
    end: f64,
}

impl<'a> Context<'a> {
    pub fn new(t: &Transcript, sentences: &'a [Sentence], loudness: Option<&'a Loudness>) -> Self {
        let docs: Vec<Vec<String>> = sentences.iter().map(|s| text::terms(&s.text)).collect();
        let vectors = TfIdf::new(&docs).vectors;
        let shifts = topics::shifts(&vectors);
        let words: usize = sentences.iter().map(|s| s.words.len()).sum();
        let span = match (sentences.first(), sentences.last()) {
            (Some(a), Some(b)) => b.end - a.start,
            _ => 0.0,
        };
        let last_end = sentences.last().map_or(0.0, |s| s.end);
        Context {
            sentences,
            vectors,
            shifts,
            wps: if span > 0.0 { words as f64 / span } else { 0.0 },
            loudness: loudness.and_then(|l| {
                let per_sentence = sentences.iter().map(|s| l.power(s.start, s.end)).collect();
                l.overall().map(|o| (o, per_sentence))
            }),
            end: if t.duration.is_finite() && t.duration > last_end {
                t.duration
            } else {
                last_end
            },
        }
    }

    /// Sentences `first..=last` with a little of the silence around them.
    fn range(&self, first: usize, last: usize) -> TimeRange {
        let s = self.sentences;
        let before = if first > 0 { s[first - 1].end } else { 0.0 };
        let after = s.get(last + 1).map_or(self.end, |n| n.start);
        TimeRange {
            start: (s[first].start - PAD).max(before).max(0.0),
            end: (s[last].end + PAD).min(after).max(s[last].end),
        }
    }

    /// Every run of whole sentences within the bounds, scored. When the whole transcript is
    /// shorter than `min`, that whole is the one candidate.
    pub fn candidates(&self, min: f64, max: f64) -> Vec<Candidate> {
        let n = self.sentences.len();
        let mut spans = Vec::new();
        for first in 0..n {
            for last in first..n {
                let d = self.range(first, last).duration();
                if d > max {
                    break;
                }
                if d >= min {
                    spans.push((first, last));
                }
            }
        }
        if spans.is_empty() && n > 0 && self.range(0, n - 1).duration() < min {
            spans.push((0, n - 1));
        }
        // Thousands of candidates for an hour of talk, each scored from the shared context
        // alone: spread over the cores (docs/BENCHMARKS.md, "rayon"). The collected order is
        // the spans' order, so the result does not depend on the number of threads.
        let mut out: Vec<Candidate> = spans.par_iter().map(|&(a, b)| self.score(a, b)).collect();
        self.add_coherence(&mut out);
        for c in &mut out {
            c.score = c.reasons.iter().map(|r| r.value).sum();
        }
        out
    }

    fn score(&self, first: usize, last: usize) -> Candidate {
        let range = self.range(first, last);
        let mut reasons = Vec::new();
        reasons.extend(self.density(first, last, range));
        reasons.extend(self.hook(first, last));
        reasons.extend(self.shifts_inside(first, last));
        reasons.extend(self.completeness(first, last));
        reasons.extend(self.energy(first, last));
        reasons.extend(self.pauses(first, last, range));
        reasons.extend(self.cues(first, last));
        Candidate {
            first,
            last,
            range,
            score: 0.0,
            reasons,
            vector: text::normalized(text::sum(&self.vectors[first..=last])),
        }
    }

    fn density(&self, first: usize, last: usize, range: TimeRange) -> Option<Reason> {
        let words: usize = self.sentences[first..=last]
            .iter()
            .map(|s| s.words.len())
            .sum();
        let d = range.duration();
        if d <= 0.0 || self.wps <= 0.0 {
            return None;
        }
        let wps = words as f64 / d;
        Some(Reason {
            signal: Signal::Density,
            value: W_DENSITY * (wps / self.wps - 1.0).clamp(-0.5, 0.5),
            text: format!("{wps:.1} words/s (video: {:.1})", self.wps),
            sentences: Vec::new(),
        })
    }

    fn hook(&self, first: usize, last: usize) -> Option<Reason> {
        let features = |i: usize| {
            let s = &self.sentences[i];
            text::hook_features(&s.text, s.terminal())
        };
        let one = features(first);
        let mut total = one.iter().map(|f| f.0).sum::<f64>().min(1.0);
        let mut parts: Vec<String> = one.iter().map(|f| f.1.clone()).collect();
        let mut cited = vec![first];
        if last > first {
            // Only what the second line adds; a connective there is normal ("So ...").
            let two: Vec<(f64, String)> = features(first + 1)
                .into_iter()
                .filter(|f| f.0 > 0.0)
                .collect();
            let add = two.iter().map(|f| f.0).sum::<f64>().min(1.0) * SECOND_HOOK;
            if add > 0.0 {
                total += add;
                cited.push(first + 1);
                parts.push(format!(
                    "then {}",
                    two.iter()
                        .map(|f| f.1.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        if parts.is_empty() {
            return None;
        }
        Some(Reason {
            signal: Signal::Hook,
            value: W_HOOK * total.clamp(-0.5, 1.2),
            text: format!("first line {}", parts.join(", ")),
            sentences: cited,
        })
    }

    fn shifts_inside(&self, first: usize, last: usize) -> Option<Reason> {
        let inside: Vec<&Shift> = self
            .shifts
            .iter()
            .filter(|s| s.after >= first && s.after < last)
            .collect();
        if inside.is_empty() {
            return None;
        }
        let cost: f64 = inside.iter().map(|s| (s.depth / FULL_DEPTH).min(1.0)).sum();
        let where_: Vec<String> = inside
            .iter()
            .map(|s| format!("{}|{}", s.after, s.after + 1))
            .collect();
        Some(Reason {
            signal: Signal::TopicShift,
            value: -W_SHIFT * cost.min(2.0),
            text: format!(
                "changes topic {} time(s) (between sentences {})",
                inside.len(),
                where_.join(", ")
            ),
            sentences: inside.iter().flat_map(|s| [s.after, s.after + 1]).collect(),
        })
    }

    fn completeness(&self, first: usize, last: usize) -> Option<Reason> {
        let n = self.sentences.len();
        let starts = first == 0 || self.shifts.iter().any(|s| s.after + 1 == first);
        let ends = last + 1 == n || self.shifts.iter().any(|s| s.after == last);
        let text = match (starts, ends) {
            (true, true) => "covers a topic from its start to its end",
            (true, false) => "begins where a topic begins",
            (false, true) => "ends where its topic ends",
            (false, false) => return None,
        };
        Some(Reason {
            signal: Signal::Completeness,
            value: W_COMPLETE * (f64::from(u8::from(starts)) + f64::from(u8::from(ends))),
            text: text.into(),
            sentences: Vec::new(),
        })
    }

    fn energy(&self, first: usize, last: usize) -> Option<Reason> {
        let (overall, powers) = self.loudness.as_ref()?;
        let p = powers[first..=last]
            .iter()
            .fold(Power::default(), |a, b| a.plus(*b));
        let level = p.level()?;
        let delta = level.mean_db - overall.mean_db;
        // The loudest sentence (the earliest on a tie), so a person can find the peak.
        let loudest = (first..=last)
            .filter_map(|i| powers[i].level().map(|v| (i, v.mean_db)))
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
        Some(Reason {
            signal: Signal::Energy,
            value: W_ENERGY * (delta / FULL_DB).clamp(-0.5, 1.0),
            text: format!(
                "speech {:+.1} dB against the video's level (peak {:.1} dBFS)",
                delta, level.max_db
            ),
            sentences: loudest.map(|(i, _)| vec![i]).unwrap_or_default(),
        })
    }

    fn pauses(&self, first: usize, last: usize, range: TimeRange) -> Option<Reason> {
        let mut total = 0.0;
        let mut count = 0;
        let mut cited = Vec::new();
        let mut prev_end: Option<f64> = None;
        for s in &self.sentences[first..=last] {
            for (k, &(start, end)) in s.words.iter().enumerate() {
                if let Some(p) = prev_end {
                    let gap = start - p;
                    if gap > PAUSE_S {
                        total += gap;
                        count += 1;
                        // A pause before a sentence's first word belongs to the one before.
                        let at = if k == 0 { s.index - 1 } else { s.index };
                        if cited.last() != Some(&at) {
                            cited.push(at);
                        }
                    }
                }
                prev_end = Some(end);
            }
        }
        if count == 0 || range.duration() <= 0.0 {
            return None;
        }
        let share = total / range.duration();
        Some(Reason {
            signal: Signal::Pauses,
            value: -W_PAUSES * (share * 4.0).min(1.0),
            text: format!(
                "{count} pause(s) over {PAUSE_S} s: {total:.1} s, {:.0} % of the clip",
                share * 100.0
            ),
            sentences: cited,
        })
    }

    fn cues(&self, first: usize, last: usize) -> Option<Reason> {
        let mut value = 0.0;
        let (mut bangs, mut laughs) = (0, 0);
        let mut cited = Vec::new();
        for s in &self.sentences[first..=last] {
            let bang = s.terminal() == Some('!') || s.text.contains('!');
            let l = laughter(&s.text);
            if bang || l > 0 {
                cited.push(s.index);
            }
            bangs += usize::from(bang);
            laughs += l;
            value += if bang { 0.15 } else { 0.0 } + 0.3 * l as f64;
        }
        if cited.is_empty() {
            return None;
        }
        Some(Reason {
            signal: Signal::Cues,
            value: value.min(MAX_CUES),
            text: format!("{bangs} exclamation(s), {laughs} laughter/applause marker(s)"),
            sentences: cited,
        })
    }

    /// Coherence needs every candidate first: a window's similarity only means something
    /// against what is typical for this video (the median window).
    fn add_coherence(&self, cands: &mut [Candidate]) {
        let raw: Vec<Option<f64>> = cands
            .par_iter()
            .map(|c| self.cohesion(c.first, c.last))
            .collect();
        let mut known: Vec<f64> = raw.iter().flatten().copied().collect();
        if known.is_empty() {
            return;
        }
        known.sort_by(f64::total_cmp);
        let typical = known[known.len() / 2];
        for (c, r) in cands.iter_mut().zip(raw) {
            let Some(r) = r else { continue };
            c.reasons.push(Reason {
                signal: Signal::Coherence,
                value: W_COHERENCE * ((r - typical) * 2.0).clamp(-0.5, 0.5),
                text: format!(
                    "sentences share their vocabulary: similarity {r:.2} (typical clip {typical:.2})"
                ),
                sentences: Vec::new(),
            });
        }
    }

    /// Mean similarity of each sentence to the rest of the window (leave-one-out), over the
    /// sentences that have content words; `None` for fewer than two such sentences.
    fn cohesion(&self, first: usize, last: usize) -> Option<f64> {
        let vs = &self.vectors[first..=last];
        let total = text::sum(vs);
        let tt = dot(&total, &total);
        let mut sims = Vec::new();
        for v in vs.iter().filter(|v| !v.is_empty()) {
            let vv = dot(v, v);
            let vt = dot(v, &total);
            let rest = (tt - 2.0 * vt + vv).max(0.0).sqrt();
            if rest > 1e-9 {
                sims.push((vt - vv) / (norm(v) * rest));
            } else {
                sims.push(0.0);
            }
        }
        (sims.len() >= 2).then(|| sims.iter().sum::<f64>() / sims.len() as f64)
    }
}
