//! Who the camera follows within a shot, stretch by stretch: with two or more people on
//! screen, the speaker of each turn ([`super::speaker`], [`super::turns`]); otherwise the
//! shot's subject, handed over to the face that is there when the subject is gone for good.
//! Between stretches the framing cuts; within one the dead-zone camera follows.

use serde::{Deserialize, Serialize};

use super::path::Sample;
use super::speaker::{evidence, SpeakerParams};
use super::tracks::Track;
use super::turns::{build_turns, TurnParams};
use crate::TimeRange;

/// One stretch: from `start` (sample time) until the next one, the camera follows `track`.
#[derive(Debug, Clone, PartialEq)]
pub struct Stretch {
    pub start: f64,
    pub track: usize,
    pub why: Why,
    /// Turns only: the share of the turn's evidence naming this speaker, and the mean mouth
    /// activity of the speaker and of the most active other face over the turn.
    pub confidence: Option<f32>,
    pub mouth: Option<f32>,
    pub others_mouth: Option<f32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Why {
    /// The speaker of a turn.
    Speaker,
    /// The shot's subject (largest, most persistent face).
    Subject,
    /// The face still there after the previous one left.
    Handover,
}

/// What clips.json says about one stretch (clip time).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StretchSummary {
    pub start: f64,
    pub end: f64,
    pub why: Why,
    /// The followed face's track id (see `ShotSummary::tracks`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track: Option<usize>,
    /// The followed face's median box within the stretch, source pixels (x, y, w, h).
    pub subject_box: Option<[f32; 4]>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f32>,
    /// Mean mouth activity (in units of the face's own quiet motion) of the followed face,
    /// and of the most active other face, over the stretch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mouth: Option<f32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub others_mouth: Option<f32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct StretchParams {
    pub speaker: SpeakerParams,
    pub turns: TurnParams,
}

/// How the turns of talk run before the framing's hysteresis: a turn this short still
/// counts when telling a rapid exchange from long turns (a one-word answer is a turn of the
/// conversation even if the camera should not cut for it).
const SPOKEN_TURN: TurnParams = TurnParams {
    min_turn: 0.4,
    min_shot: 0.4,
};

/// The framing of a shot: its stretches, and the lengths of the spoken turns (seconds; two
/// or more people only) that tell a rapid exchange.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ShotPlan {
    pub stretches: Vec<Stretch>,
    pub spoken_turns: Vec<f64>,
}

/// The stretches of a shot of `samples` (ending at `end`, sample time), in order, the first
/// starting at the first sample. Empty without a subject. `speech`: voice activity, empty
/// when unknown.
pub fn plan(
    tracks: &[Track],
    samples: &[&Sample],
    subject: Option<usize>,
    speech: &[TimeRange],
    end: f64,
    p: &StretchParams,
) -> ShotPlan {
    let Some(subject) = subject else {
        return ShotPlan::default();
    };
    let Some(start) = samples.first().map(|s| s.t) else {
        return ShotPlan::default();
    };
    let n = samples.len();
    // Only faces present for a good part of the shot can hold a turn.
    let people: Vec<Track> = tracks
        .iter()
        .filter(|t| t.hits.len() * 4 >= n)
        .cloned()
        .collect();
    if people.len() >= 2 {
        let speech = (!speech.is_empty()).then_some(speech);
        let ev = evidence(&people, samples, speech, &p.speaker);
        let turns = build_turns(&ev.labels, start, end, &p.turns);
        let spoken_turns = build_turns(&ev.labels, start, end, &SPOKEN_TURN)
            .iter()
            .map(|t| t.end - t.start)
            .collect();
        if !turns.is_empty() {
            let stretches = turns
                .iter()
                .map(|t| {
                    let others = people
                        .iter()
                        .filter(|o| o.id != t.track)
                        .map(|o| ev.mean_activity(o.id, t.start, t.end))
                        .fold(0.0f32, f32::max);
                    Stretch {
                        start: t.start,
                        track: t.track,
                        why: Why::Speaker,
                        confidence: Some(t.confidence),
                        mouth: Some(ev.mean_activity(t.track, t.start, t.end)),
                        others_mouth: Some(others),
                    }
                })
                .collect();
            return ShotPlan {
                stretches,
                spoken_turns,
            };
        }
    }
    ShotPlan {
        stretches: handovers(tracks, samples, subject, start),
        spoken_turns: Vec::new(),
    }
}

/// The subject from the start; when its track ends for good while another face is seen
/// after it, that face from its next detection on (and so on).
fn handovers(tracks: &[Track], samples: &[&Sample], subject: usize, start: f64) -> Vec<Stretch> {
    let plain = |t: f64, track: usize, why: Why| Stretch {
        start: t,
        track,
        why,
        confidence: None,
        mouth: None,
        others_mouth: None,
    };
    let mut out = vec![plain(start, subject, Why::Subject)];
    let mut cur = subject;
    while let Some(track) = tracks.iter().find(|t| t.id == cur) {
        let last = track.hits[track.hits.len() - 1].0;
        // The face seen most after the current one's last detection takes over, if it is
        // seen at least a few times (a stray false detection does not).
        let next = tracks
            .iter()
            .filter(|t| t.id != cur)
            .map(|t| (t, t.hits.iter().filter(|(i, _)| *i > last).count()))
            .filter(|&(_, after)| after >= 3)
            .max_by_key(|&(_, after)| after);
        let Some((next, _)) = next else { break };
        let Some(&(first, _)) = next.hits.iter().find(|(i, _)| *i > last) else {
            break;
        };
        let Some(s) = samples.get(first) else { break };
        out.push(plain(s.t, next.id, Why::Handover));
        cur = next.id;
    }
    out
}
