//! Active-speaker evidence within one shot: each face track's mouth activity over time (from
//! [`super::mouth`]), gated by voice activity, and the per-sample verdict of who speaks,
//! which [`super::turns`] makes into turns.

use super::mouth::{mouth_change, FacePatch};
use super::path::Sample;
use super::tracks::Track;
use crate::TimeRange;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpeakerParams {
    /// Seconds either side over which a face's mouth activity is averaged.
    pub smooth: f64,
    /// Smoothed activity (in units of the face's own quiet motion) a speaker must reach.
    pub min_activity: f32,
    /// ...and by how many times it must beat the next face's.
    pub margin: f32,
    /// Seconds of padding around voice-activity spans (mouths move just before the sound).
    pub speech_pad: f64,
}

impl Default for SpeakerParams {
    fn default() -> Self {
        Self {
            smooth: 0.3,
            min_activity: 0.6,
            margin: 1.5,
            speech_pad: 0.2,
        }
    }
}

/// What the evidence says, per sample of the shot.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SpeakerEvidence {
    /// (sample time, the speaking track or None).
    pub labels: Vec<(f64, Option<usize>)>,
    /// Per track id: (sample time, smoothed mouth activity), for the samples it was seen in.
    pub activity: Vec<(usize, Vec<(f64, f32)>)>,
}

impl SpeakerEvidence {
    /// Mean activity of `track` over `[a, b)`.
    pub fn mean_activity(&self, track: usize, a: f64, b: f64) -> f32 {
        let Some((_, series)) = self.activity.iter().find(|(id, _)| *id == track) else {
            return 0.0;
        };
        let v: Vec<f32> = series
            .iter()
            .filter(|(t, _)| *t >= a && *t < b)
            .map(|(_, x)| *x)
            .collect();
        if v.is_empty() {
            0.0
        } else {
            v.iter().sum::<f32>() / v.len() as f32
        }
    }
}

/// The patch of a track's hit: the sample's patch of the same detection.
fn patch_of<'a>(samples: &[&'a Sample], i: usize, d: &super::Detection) -> Option<&'a FacePatch> {
    let s = samples.get(i)?;
    let k = s.faces.iter().position(|f| f == d)?;
    s.patches.get(k)?.as_ref()
}

/// A face's quiet motion from its raw changes: the lower quartile (a listener's changes are
/// mostly quiet), or, where voice activity shows enough silence (nobody speaking), the
/// median over that silence if lower, so that someone talking through most of the shot is
/// not measured against their own talking.
fn quiet_level(raw: &[(usize, f32)], samples: &[&Sample], speech: Option<&[TimeRange]>) -> f32 {
    let quantile = |mut v: Vec<f32>, q: f32| {
        v.sort_by(f32::total_cmp);
        v[((v.len() - 1) as f32 * q) as usize]
    };
    let all = quantile(raw.iter().map(|r| r.1).collect(), 0.25);
    let Some(speech) = speech else { return all };
    let silent: Vec<f32> = raw
        .iter()
        .filter(|(i, _)| {
            samples
                .get(*i)
                .is_some_and(|s| !speech.iter().any(|r| s.t >= r.start && s.t < r.end))
        })
        .map(|r| r.1)
        .collect();
    // 6 changes: under a second at the analysis rate (8/s), enough for a median.
    if silent.len() >= 6 {
        all.min(quantile(silent, 0.5))
    } else {
        all
    }
}

/// Evidence for `tracks` over the shot's `samples`. `speech` is voice activity in sample
/// time; `None` when unknown (no audio analysed), and then mouths alone decide.
pub fn evidence(
    tracks: &[Track],
    samples: &[&Sample],
    speech: Option<&[TimeRange]>,
    p: &SpeakerParams,
) -> SpeakerEvidence {
    let mut activity = Vec::new();
    for track in tracks {
        // Raw change between consecutive hits at most two samples apart (a longer gap is
        // too long for a mouth: it may have opened and closed in between).
        let mut raw: Vec<(usize, f32)> = Vec::new();
        for w in track.hits.windows(2) {
            let ((i0, d0), (i1, d1)) = (&w[0], &w[1]);
            if i1 - i0 > 2 {
                continue;
            }
            if let (Some(a), Some(b)) = (patch_of(samples, *i0, d0), patch_of(samples, *i1, d1)) {
                raw.push((*i1, mouth_change(a, b)));
            }
        }
        if raw.len() < 4 {
            continue;
        }
        // The face's own quiet motion (landmark jitter, the head, the encoder). Activity is
        // measured in units of it, so a face whose patches are noisier (smaller, blurrier,
        // nodding) needs proportionally more mouth motion.
        let quiet = quiet_level(&raw, samples, speech);
        let unit = quiet + 0.05;
        let norm: Vec<(f64, f32)> = raw
            .iter()
            .filter_map(|&(i, c)| samples.get(i).map(|s| (s.t, (c - quiet).max(0.0) / unit)))
            .collect();
        // Centred moving average over ±smooth s; `norm` is in time order, so a window
        // slides (long clips stay linear).
        let (mut lo, mut hi, mut sum) = (0usize, 0usize, 0.0f32);
        let mut smoothed: Vec<(f64, f32)> = Vec::with_capacity(norm.len());
        for &(t, _) in &norm {
            while hi < norm.len() && norm[hi].0 <= t + p.smooth + 1e-9 {
                sum += norm[hi].1;
                hi += 1;
            }
            while norm[lo].0 < t - p.smooth - 1e-9 {
                sum -= norm[lo].1;
                lo += 1;
            }
            smoothed.push((t, sum / (hi - lo) as f32));
        }
        activity.push((track.id, smoothed));
    }
    let speaking = |t: f64| {
        speech.is_none_or(|s| {
            s.iter()
                .any(|r| t >= r.start - p.speech_pad && t < r.end + p.speech_pad)
        })
    };
    let labels = samples
        .iter()
        .map(|s| {
            if !speaking(s.t) {
                return (s.t, None);
            }
            let mut at: Vec<(usize, f32)> = activity
                .iter()
                .filter_map(|(id, series)| {
                    let k = series.partition_point(|(u, _)| *u < s.t - 1e-9);
                    series
                        .get(k)
                        .filter(|(u, _)| (u - s.t).abs() < 1e-9)
                        .map(|(_, a)| (*id, *a))
                })
                .collect();
            at.sort_by(|a, b| b.1.total_cmp(&a.1));
            let best = at.first().copied();
            let second = at.get(1).map_or(0.0, |x| x.1);
            let who = best
                .filter(|&(_, a)| a >= p.min_activity && a >= p.margin * second)
                .map(|(id, _)| id);
            (s.t, who)
        })
        .collect();
    SpeakerEvidence { labels, activity }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::track::tracks::associate;
    use crate::track::Detection;

    fn det(x: f32, size: f32) -> Detection {
        Detection {
            x,
            y: 100.0,
            w: size,
            h: size,
            score: 0.9,
            landmarks: None,
        }
    }

    /// A patch whose mouth grid is `m` everywhere (nose fixed at 0, plus `nose` wobble).
    fn patch(m: f32, nose: f32) -> Option<FacePatch> {
        Some(FacePatch {
            mouth: vec![m; 8],
            nose: vec![nose; 8],
        })
    }

    /// Two faces, 8 samples/s for 12 s: the left (small) one talks 0-6 s, the right (big,
    /// and nodding the whole time: its nose and mouth patches change together) 6-12 s.
    fn scene() -> Vec<Sample> {
        (0..96)
            .map(|i| {
                let t = i as f64 / 8.0;
                let wobble = |on: bool| if on && i % 2 == 0 { 1.0 } else { 0.0 };
                let nod = if i % 2 == 0 { 0.5 } else { 0.0 };
                Sample {
                    t,
                    faces: vec![det(100.0, 80.0), det(700.0, 160.0)],
                    patches: vec![
                        patch(wobble(t < 6.0) + 0.05 * (i % 3) as f32, 0.0),
                        patch(wobble(t >= 6.0) + nod + 0.05 * (i % 3) as f32, nod),
                    ],
                }
            })
            .collect()
    }

    #[test]
    fn the_moving_mouth_speaks_not_the_bigger_or_nodding_face() {
        let samples = scene();
        let refs: Vec<&Sample> = samples.iter().collect();
        let dets: Vec<Vec<Detection>> = samples.iter().map(|s| s.faces.clone()).collect();
        let tracks = associate(&dets, 8);
        let ev = evidence(&tracks, &refs, None, &SpeakerParams::default());
        let who = |a: f64, b: f64| -> Vec<Option<usize>> {
            ev.labels
                .iter()
                .filter(|(t, _)| *t >= a && *t < b)
                .map(|l| l.1)
                .collect()
        };
        let left = tracks.iter().find(|t| t.hits[0].1.x == 100.0).unwrap().id;
        let right = tracks.iter().find(|t| t.hits[0].1.x == 700.0).unwrap().id;
        assert!(
            who(1.0, 5.5).iter().all(|w| *w == Some(left)),
            "{:?}",
            who(1.0, 5.5)
        );
        assert!(
            who(6.5, 11.5).iter().all(|w| *w == Some(right)),
            "{:?}",
            who(6.5, 11.5)
        );
        assert!(ev.mean_activity(left, 0.0, 6.0) > 3.0 * ev.mean_activity(left, 6.0, 12.0));
    }

    #[test]
    fn someone_talking_through_most_of_the_shot_still_wins_against_a_still_listener() {
        // The left face talks 1-12 s (pauses at 0-1 s only); the right one listens, still.
        let samples: Vec<Sample> = (0..96)
            .map(|i| {
                let t = i as f64 / 8.0;
                let talk = if t >= 1.0 && i % 2 == 0 { 1.0 } else { 0.0 };
                Sample {
                    t,
                    faces: vec![det(100.0, 80.0), det(700.0, 160.0)],
                    patches: vec![
                        patch(talk + 0.05 * (i % 3) as f32, 0.0),
                        patch(0.05 * (i % 3) as f32, 0.0),
                    ],
                }
            })
            .collect();
        let refs: Vec<&Sample> = samples.iter().collect();
        let dets: Vec<Vec<Detection>> = samples.iter().map(|s| s.faces.clone()).collect();
        let tracks = associate(&dets, 8);
        let speech = [TimeRange {
            start: 1.0,
            end: 12.0,
        }];
        let ev = evidence(&tracks, &refs, Some(&speech), &SpeakerParams::default());
        let left = tracks.iter().find(|t| t.hits[0].1.x == 100.0).unwrap().id;
        let named = ev.labels.iter().filter(|l| l.1 == Some(left)).count();
        assert!(
            named >= 70,
            "left named in {named} of 96 samples: {:?}",
            ev.labels
        );
    }

    #[test]
    fn outside_voice_activity_nobody_speaks() {
        let samples = scene();
        let refs: Vec<&Sample> = samples.iter().collect();
        let dets: Vec<Vec<Detection>> = samples.iter().map(|s| s.faces.clone()).collect();
        let tracks = associate(&dets, 8);
        let speech = [TimeRange {
            start: 2.0,
            end: 4.0,
        }];
        let ev = evidence(&tracks, &refs, Some(&speech), &SpeakerParams::default());
        for (t, w) in &ev.labels {
            if *t < 1.7 || *t > 4.3 {
                assert_eq!(*w, None, "t={t}");
            }
        }
        assert!(ev.labels.iter().any(|l| l.1.is_some()));
    }
}
