//! Associating per-sample detections into tracks, and choosing the subject of a shot.

use super::Detection;

#[derive(Debug, Clone, PartialEq)]
pub struct Track {
    pub id: usize,
    /// (sample index, detection), in sample order.
    pub hits: Vec<(usize, Detection)>,
}

impl Track {
    fn last(&self) -> &(usize, Detection) {
        // A track is created with one hit and only grows.
        &self.hits[self.hits.len() - 1]
    }

    pub fn median_height(&self) -> f32 {
        let mut h: Vec<f32> = self.hits.iter().map(|(_, d)| d.h).collect();
        h.sort_by(f32::total_cmp);
        h.get(h.len() / 2).copied().unwrap_or(0.0)
    }

    /// How much the mouth moves: standard deviation of the mouth ratio over the track.
    pub fn mouth_activity(&self) -> f32 {
        let r: Vec<f32> = self
            .hits
            .iter()
            .filter_map(|(_, d)| d.mouth_ratio())
            .collect();
        if r.len() < 3 {
            return 0.0;
        }
        let mean = r.iter().sum::<f32>() / r.len() as f32;
        (r.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / r.len() as f32).sqrt()
    }
}

/// Largest ratio of face widths one track takes between two samples (at 8 samples/s a
/// quick lean towards the camera is 1.1-1.2).
pub const MAX_SIZE_STEP: f32 = 1.6;

/// Greedy association: each detection joins the live track whose last box overlaps it most
/// (IoU), or failing that whose centre is nearest within one face width; otherwise it starts
/// a track. Tracks unseen for `max_gap` samples are closed.
pub fn associate(samples: &[Vec<Detection>], max_gap: usize) -> Vec<Track> {
    let mut tracks: Vec<Track> = Vec::new();
    for (i, dets) in samples.iter().enumerate() {
        let mut taken = vec![false; tracks.len()];
        let mut order: Vec<&Detection> = dets.iter().collect();
        order.sort_by(|a, b| b.area().total_cmp(&a.area()));
        for d in order {
            let mut best: Option<(usize, f32)> = None;
            for (ti, t) in tracks.iter().enumerate() {
                let (li, last) = t.last();
                if taken[ti] || i - li > max_gap || *li == i {
                    continue;
                }
                // A face does not change size this much between samples; a cut to a
                // close-up (or a wide shot) of the same person does.
                if last.w.max(d.w) > MAX_SIZE_STEP * last.w.min(d.w).max(1.0) {
                    continue;
                }
                let iou = last.iou(d);
                let (cx, cy) = last.centre();
                let (dx, dy) = d.centre();
                let dist =
                    ((cx - dx).powi(2) + (cy - dy).powi(2)).sqrt() / last.w.max(d.w).max(1.0);
                // Prefer overlap; a small distance counts as a weaker match.
                let score = if iou > 0.2 {
                    1.0 + iou
                } else if dist < 1.0 {
                    1.0 - dist
                } else {
                    continue;
                };
                if best.is_none_or(|(_, s)| score > s) {
                    best = Some((ti, score));
                }
            }
            match best {
                Some((ti, _)) => {
                    taken[ti] = true;
                    tracks[ti].hits.push((i, *d));
                }
                None => {
                    let id = tracks.len();
                    tracks.push(Track {
                        id,
                        hits: vec![(i, *d)],
                    });
                    taken.push(true);
                }
            }
        }
    }
    tracks
}

/// The subject among `tracks` over a shot of `n` samples: the largest and most persistent
/// face; when several faces are there and someone is speaking, the one whose mouth moves
/// most gets a strong bonus.
pub fn choose_subject(
    tracks: &[Track],
    n: usize,
    frame_height: f32,
    speech: bool,
) -> Option<usize> {
    if n == 0 {
        return None;
    }
    let many = tracks.iter().filter(|t| t.hits.len() * 4 >= n).count() > 1;
    let max_activity = tracks
        .iter()
        .map(Track::mouth_activity)
        .fold(0.0f32, f32::max);
    tracks
        .iter()
        .map(|t| {
            let presence = t.hits.len() as f32 / n as f32;
            let size = (t.median_height() / frame_height.max(1.0)).sqrt();
            let mut score = presence * size;
            if many && speech && max_activity > 0.0 {
                score *= 1.0 + 2.0 * t.mouth_activity() / max_activity;
            }
            (t.id, score)
        })
        .filter(|&(_, s)| s > 0.0)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(id, _)| id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn face(x: f32, y: f32, size: f32) -> Detection {
        Detection {
            x,
            y,
            w: size,
            h: size,
            score: 0.9,
            landmarks: None,
        }
    }

    #[test]
    fn two_faces_stay_two_tracks_through_noise_and_dropouts() {
        let mut samples = Vec::new();
        for i in 0..40 {
            let jitter = if i % 2 == 0 { 3.0 } else { -3.0 };
            let mut s = vec![face(100.0 + jitter, 100.0, 80.0)];
            // The second face drops out every third sample.
            if i % 3 != 0 {
                s.push(face(600.0 - jitter, 120.0, 60.0));
            }
            samples.push(s);
        }
        let tracks = associate(&samples, 8);
        assert_eq!(tracks.len(), 2, "{tracks:?}");
        assert_eq!(tracks[0].hits.len(), 40);
        assert!(tracks[1].hits.len() >= 26);
        // Larger and always present wins.
        assert_eq!(choose_subject(&tracks, 40, 1080.0, false), Some(0));
    }

    #[test]
    fn a_jump_far_away_starts_a_new_track() {
        let samples = vec![
            vec![face(100.0, 100.0, 80.0)],
            vec![face(900.0, 100.0, 80.0)],
        ];
        assert_eq!(associate(&samples, 8).len(), 2);
    }

    #[test]
    fn long_gaps_close_tracks() {
        let mut samples = vec![vec![face(100.0, 100.0, 80.0)]];
        samples.extend(std::iter::repeat_n(vec![], 10));
        samples.push(vec![face(100.0, 100.0, 80.0)]);
        assert_eq!(associate(&samples, 8).len(), 2);
        assert_eq!(associate(&samples, 12).len(), 1);
    }

    #[test]
    fn the_speaking_face_wins_when_there_is_speech() {
        let talking = |i: usize, x: f32| {
            let open = if i.is_multiple_of(2) { 10.0 } else { 30.0 };
            Detection {
                x,
                y: 100.0,
                w: 80.0,
                h: 80.0,
                score: 0.9,
                landmarks: Some([
                    [x + 20.0, 130.0],
                    [x + 60.0, 130.0],
                    [x + 40.0, 150.0],
                    [x + 25.0, 150.0 + open],
                    [x + 55.0, 150.0 + open],
                ]),
            }
        };
        let still = |x: f32| Detection {
            landmarks: Some([
                [x + 20.0, 130.0],
                [x + 60.0, 130.0],
                [x + 40.0, 150.0],
                [x + 25.0, 165.0],
                [x + 55.0, 165.0],
            ]),
            ..face(x, 100.0, 90.0)
        };
        let samples: Vec<Vec<Detection>> = (0..20)
            .map(|i| vec![still(100.0), talking(i, 700.0)])
            .collect();
        let tracks = associate(&samples, 8);
        let silent_pick = choose_subject(&tracks, 20, 1080.0, false).unwrap();
        let speech_pick = choose_subject(&tracks, 20, 1080.0, true).unwrap();
        assert_eq!(
            tracks[silent_pick].hits[0].1.x, 100.0,
            "bigger face without speech"
        );
        assert_eq!(
            tracks[speech_pick].hits[0].1.x, 700.0,
            "talking face with speech"
        );
    }
}
