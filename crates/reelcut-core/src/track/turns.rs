//! Speaker turns from per-sample evidence: who (if anyone) the audio-visual evidence says is
//! speaking at each sample, made into time ranges that framing can cut between.
//!
//! The analysis sees the whole clip before the render, so the decision is made offline: a
//! run of evidence for a new speaker becomes a turn only once it lasts `min_turn`, and the
//! cut is then placed where the run began, not `min_turn` late. Shorter runs (an
//! interjection, a laugh, the flicker of two people talking over each other) stay with the
//! speaker around them; silence keeps whoever spoke last (no cut to nobody); and no shot
//! is shorter than `min_shot`.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TurnParams {
    /// Seconds of evidence a new speaker needs before the framing cuts to them.
    pub min_turn: f64,
    /// Seconds the framing stays on a speaker once it cut to them.
    pub min_shot: f64,
}

impl Default for TurnParams {
    fn default() -> Self {
        // Tuned on tests/media/two-speakers.mp4: its listener's one-word interjection is
        // 0.43 s of sound, which the 8 fps evidence stretches to about 0.7 s; real turns
        // there are 3.5 s and longer. 1 s sits between, and matches what editors use.
        Self {
            min_turn: 1.0,
            min_shot: 1.5,
        }
    }
}

/// One speaker's turn, in the time of the labels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Turn {
    pub start: f64,
    pub end: f64,
    /// The face track speaking.
    pub track: usize,
    /// Share of the turn's labelled samples that name this speaker (0-1).
    pub confidence: f32,
}

/// Builds turns from `labels`: (sample time, speaker or None for silence / no clear
/// evidence), in time order, covering `[start, end)`. Empty when no sample names anyone.
pub fn build_turns(
    labels: &[(f64, Option<usize>)],
    start: f64,
    end: f64,
    p: &TurnParams,
) -> Vec<Turn> {
    // Runs of one label; a run lasts until the next one begins.
    let mut runs: Vec<(Option<usize>, f64, f64)> = Vec::new();
    for (i, &(t, who)) in labels.iter().enumerate() {
        let t0 = if i == 0 { start } else { t };
        match runs.last_mut() {
            Some(r) if r.0 == who => {}
            _ => runs.push((who, t0, t0)),
        }
    }
    for i in 0..runs.len() {
        runs[i].2 = runs.get(i + 1).map_or(end, |r| r.1);
    }
    // Silence belongs to whoever spoke before it (or, at the start, after it).
    let mut spoken: Vec<(usize, f64, f64)> = Vec::new();
    let mut pending_start: Option<f64> = None;
    for (who, a, b) in runs {
        match (who, spoken.last_mut()) {
            (None, Some(last)) => last.2 = b,
            (None, None) => {
                pending_start.get_or_insert(a);
            }
            (Some(w), _) => {
                let a = pending_start.take().unwrap_or(a);
                spoken.push((w, a, b));
            }
        }
    }
    merge_equal(&mut spoken);
    absorb_short(&mut spoken, p.min_turn);
    absorb_short(&mut spoken, p.min_shot);
    spoken
        .into_iter()
        .map(|(track, a, b)| {
            let inside: Vec<usize> = labels
                .iter()
                .filter(|(t, _)| *t >= a && *t < b)
                .filter_map(|(_, w)| *w)
                .collect();
            let agree = inside.iter().filter(|w| **w == track).count();
            Turn {
                start: a,
                end: b,
                track,
                confidence: if inside.is_empty() {
                    0.0
                } else {
                    agree as f32 / inside.len() as f32
                },
            }
        })
        .collect()
}

fn merge_equal(runs: &mut Vec<(usize, f64, f64)>) {
    let mut out: Vec<(usize, f64, f64)> = Vec::with_capacity(runs.len());
    for r in runs.drain(..) {
        match out.last_mut() {
            Some(last) if last.0 == r.0 => last.2 = r.2,
            _ => out.push(r),
        }
    }
    *runs = out;
}

/// Repeatedly gives the shortest run under `min` to its neighbour: the speaker before it
/// (the framing stays where it is), or after it for the first run; until every run lasts
/// `min` or one is left.
fn absorb_short(runs: &mut Vec<(usize, f64, f64)>, min: f64) {
    while runs.len() > 1 {
        let Some((i, _)) = runs
            .iter()
            .enumerate()
            .map(|(i, r)| (i, r.2 - r.1))
            .filter(|&(_, d)| d < min)
            .min_by(|a, b| a.1.total_cmp(&b.1))
        else {
            break;
        };
        let to = if i == 0 { 1 } else { i - 1 };
        runs[i].0 = runs[to].0;
        merge_equal(runs);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Labels at 8 samples per second from (from, to, who) pieces.
    fn series(pieces: &[(f64, f64, Option<usize>)]) -> Vec<(f64, Option<usize>)> {
        let end = pieces.last().unwrap().1;
        (0..(end * 8.0) as usize)
            .map(|i| {
                let t = i as f64 / 8.0;
                let who = pieces
                    .iter()
                    .find(|p| t >= p.0 && t < p.1)
                    .and_then(|p| p.2);
                (t, who)
            })
            .collect()
    }

    fn turns(pieces: &[(f64, f64, Option<usize>)]) -> Vec<(usize, f64, f64)> {
        let labels = series(pieces);
        let end = pieces.last().unwrap().1;
        build_turns(&labels, 0.0, end, &TurnParams::default())
            .into_iter()
            .map(|t| (t.track, t.start, t.end))
            .collect()
    }

    #[test]
    fn alternating_speakers_cut_where_each_turn_begins() {
        let t = turns(&[
            (0.0, 4.0, Some(0)),
            (4.0, 8.0, Some(1)),
            (8.0, 12.0, Some(0)),
        ]);
        assert_eq!(t, vec![(0, 0.0, 4.0), (1, 4.0, 8.0), (0, 8.0, 12.0)]);
    }

    #[test]
    fn an_interjection_shorter_than_min_turn_does_not_cut() {
        let t = turns(&[
            (0.0, 3.0, Some(0)),
            (3.0, 3.5, Some(1)),
            (3.5, 6.0, Some(0)),
        ]);
        assert_eq!(t, vec![(0, 0.0, 6.0)]);
        // Held for just over a second it is a turn, cut at its first sample (with no
        // longer minimum shot in the way).
        let labels = series(&[
            (0.0, 3.0, Some(0)),
            (3.0, 4.25, Some(1)),
            (4.25, 8.0, Some(0)),
        ]);
        let p = TurnParams {
            min_turn: 1.0,
            min_shot: 1.0,
        };
        let t: Vec<_> = build_turns(&labels, 0.0, 8.0, &p)
            .into_iter()
            .map(|t| (t.track, t.start, t.end))
            .collect();
        assert_eq!(t, vec![(0, 0.0, 3.0), (1, 3.0, 4.25), (0, 4.25, 8.0)]);
    }

    #[test]
    fn silence_keeps_the_last_speaker_and_leading_silence_the_first() {
        let t = turns(&[
            (0.0, 1.0, None),
            (1.0, 4.0, Some(1)),
            (4.0, 6.0, None),
            (6.0, 9.0, Some(0)),
            (9.0, 10.0, None),
        ]);
        assert_eq!(t, vec![(1, 0.0, 6.0), (0, 6.0, 10.0)]);
    }

    #[test]
    fn overlapping_talk_flickering_between_two_stays_with_the_holder() {
        // 0 speaks; 2-4 s both talk and the evidence flips every sample; then 0 again.
        let mut labels = series(&[(0.0, 8.0, Some(0))]);
        for (i, l) in labels.iter_mut().enumerate() {
            if (2.0..4.0).contains(&l.0) && i % 2 == 0 {
                l.1 = Some(1);
            }
        }
        let t = build_turns(&labels, 0.0, 8.0, &TurnParams::default());
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].track, 0);
        assert!(
            t[0].confidence > 0.8 && t[0].confidence < 0.9,
            "{}",
            t[0].confidence
        );
    }

    #[test]
    fn no_evidence_gives_no_turns_and_one_speaker_one_turn() {
        assert!(turns(&[(0.0, 5.0, None)]).is_empty());
        assert_eq!(
            turns(&[(0.0, 2.0, None), (2.0, 5.0, Some(3))]),
            vec![(3, 0.0, 5.0)]
        );
    }

    #[test]
    fn a_turn_shorter_than_the_minimum_shot_goes_to_its_neighbour() {
        // 1.25 s of speaker 1 and the silence after it make the 1.5 s minimum shot...
        let t = turns(&[
            (0.0, 3.0, Some(0)),
            (3.0, 4.25, Some(1)),
            (4.25, 4.5, None),
            (4.5, 8.0, Some(0)),
        ]);
        assert_eq!(t, vec![(0, 0.0, 3.0), (1, 3.0, 4.5), (0, 4.5, 8.0)]);
        // ...which a longer minimum refuses.
        let p = TurnParams {
            min_turn: 1.0,
            min_shot: 2.0,
        };
        let labels = series(&[
            (0.0, 3.0, Some(0)),
            (3.0, 4.5, Some(1)),
            (4.5, 8.0, Some(0)),
        ]);
        let t = build_turns(&labels, 0.0, 8.0, &p);
        assert_eq!(t.len(), 1, "{t:?}");
    }
}
