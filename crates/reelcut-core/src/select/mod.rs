//! Automatic clip selection, offline and explainable: from a transcript (and, when there is
//! one, the audio's loudness over time) find the stretches of a long video that stand on
//! their own as short clips.
//!
//! 1. [`sentences`]: words grouped into sentences; clips start at a sentence start and end
//!    at a sentence end, so they never cut a thought or its payoff.
//! 2. Candidates: every run of whole sentences whose length fits the bounds.
//! 3. Scoring (`score`): a handful of signals, each a signed contribution with a sentence
//!    of explanation ([`Reason`]); a clip's score is their sum. Deterministic: same input,
//!    same clips, same numbers.
//! 4. Picking (`pick`): greedy top-N without overlap, each pick penalised for resembling or
//!    sitting next to the ones already taken (maximal marginal relevance), so the clips
//!    spread over the video's topics.

pub mod energy;
mod pick;
mod score;
pub mod sentences;
mod text;
mod topics;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::range::TimeRange;
use crate::transcript::Transcript;

pub use energy::Loudness;
pub use sentences::{sentences, Sentence};
pub use text::hook_words;

/// What to look for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SelectParams {
    /// How many clips to return (fewer when the video does not have room for them).
    pub count: usize,
    /// Length bounds of a clip, seconds (inclusive).
    pub min_seconds: f64,
    pub max_seconds: f64,
}

impl Default for SelectParams {
    fn default() -> Self {
        SelectParams {
            count: 3,
            min_seconds: 20.0,
            max_seconds: 60.0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Error)]
pub enum SelectError {
    #[error("clip length bounds {min}-{max} s are not valid (need 0 <= min <= max and max > 0)")]
    Bounds { min: f64, max: f64 },
}

/// The signals a score is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    /// Words per second against the video's own pace.
    Density,
    /// What the first sentences promise: a question, a claim, a number, a strong opener
    /// (negative for a start that leans on what came before: "And ...").
    Hook,
    /// How much the clip's sentences talk about the same things (TF-IDF).
    Coherence,
    /// Crossing a topic shift (TextTiling): half of two stories.
    TopicShift,
    /// Starting where a topic starts, ending where it ends.
    Completeness,
    /// Speech louder (or quieter) than the video's average.
    Energy,
    /// Long silences inside the clip.
    Pauses,
    /// Exclamations, laughter, applause.
    Cues,
    /// Penalty for resembling or sitting next to a clip already chosen.
    Diversity,
    /// Position given by the optional language-model re-rank (adds nothing to the score).
    Rerank,
}

/// One signal's part in a clip's score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    pub signal: Signal,
    /// Contribution to the score (positive helps).
    pub value: f64,
    /// The same in words, for people.
    pub text: String,
    /// The sentences (indices into [`sentences`]) it is about; empty: the whole clip.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sentences: Vec<usize>,
}

/// A clip chosen automatically.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChosenClip {
    /// Source seconds: the first sentence's start to the last one's end, with up to
    /// [`crate::snap::PAD`] of the silence around them.
    pub range: TimeRange,
    /// Sum of the reasons' values.
    pub score: f64,
    pub reasons: Vec<Reason>,
    /// The clip's transcript text.
    pub excerpt: String,
    /// First and last sentence (inclusive, indices into [`sentences`]).
    pub first_sentence: usize,
    pub last_sentence: usize,
}

/// Up to `params.count` clips, best first, not overlapping. `loudness` (the audio's RMS
/// envelope) adds the energy signal; without it the others still work. An empty or
/// wordless transcript gives no clips. A transcript shorter than `min_seconds` gives one clip
/// of all of it.
pub fn select_clips(
    transcript: &Transcript,
    loudness: Option<&Loudness>,
    params: &SelectParams,
) -> Result<Vec<ChosenClip>, SelectError> {
    let (min, max) = (params.min_seconds, params.max_seconds);
    if !(min.is_finite() && max.is_finite() && min >= 0.0 && max > 0.0 && min <= max) {
        return Err(SelectError::Bounds { min, max });
    }
    let sentences = sentences(transcript);
    if params.count == 0 || sentences.is_empty() {
        return Ok(Vec::new());
    }
    let ctx = score::Context::new(transcript, &sentences, loudness);
    let candidates = ctx.candidates(min, max);
    let picks = pick::pick(&candidates, params.count);
    Ok(picks
        .into_iter()
        .map(|p| {
            let c = &candidates[p.candidate];
            let mut reasons = c.reasons.clone();
            reasons.extend(p.diversity);
            for r in &mut reasons {
                r.value = round3(r.value);
            }
            ChosenClip {
                range: c.range,
                score: round3(reasons.iter().map(|r| r.value).sum()),
                reasons,
                excerpt: sentences[c.first..=c.last]
                    .iter()
                    .map(|s| s.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
                first_sentence: c.first,
                last_sentence: c.last,
            }
        })
        .collect())
}

/// Scores are shown to people and written to clips.json: three decimals are plenty, and
/// rounding keeps the numbers stable against last-bit float noise.
fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
