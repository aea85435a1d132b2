//! Shot changes found from the faces themselves. A jump cut between two takes of the same
//! set keeps the background (and so the colour histogram) but moves the person: to the
//! histogram nothing happened, to framing everything did. Such a cut shows as a face track
//! that ends while another starts far away within a sample or two; a face walking out of
//! frame while someone else walks in would look the same, and for framing it is a cut too.
//! So is a face replaced in place by one far bigger or smaller: a cut to a close-up of the
//! same person on a set whose colours the close-up keeps.

use super::tracks::{Track, MAX_SIZE_STEP};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FaceCutParams {
    /// Most samples between the old face's last hit and the new face's first.
    pub max_samples: usize,
    /// Least distance between them, in face widths (closer is the same face moving).
    pub min_distance: f32,
    /// Fewest hits either track needs (a lone false detection is no cut).
    pub min_hits: usize,
}

impl Default for FaceCutParams {
    fn default() -> Self {
        Self {
            max_samples: 2,
            min_distance: 1.5,
            min_hits: 3,
        }
    }
}

/// Sample indices `i` such that a face cut lies between sample `i - 1` and sample `i`
/// (sorted, unique), over a shot of `n` samples.
pub fn face_cuts(tracks: &[Track], n: usize, p: &FaceCutParams) -> Vec<usize> {
    let mut cuts = Vec::new();
    for old in tracks.iter().filter(|t| t.hits.len() >= p.min_hits) {
        let (last_i, last) = old.hits[old.hits.len() - 1];
        if last_i + 1 >= n {
            continue;
        }
        let successor = tracks.iter().find(|new| {
            let (first_i, first) = new.hits[0];
            new.id != old.id
                && new.hits.len() >= p.min_hits
                && first_i > last_i
                && first_i - last_i <= p.max_samples
                && {
                    let (ax, ay) = last.centre();
                    let (bx, by) = first.centre();
                    let d = ((ax - bx).powi(2) + (ay - by).powi(2)).sqrt();
                    let (big, small) = (last.w.max(first.w), last.w.min(first.w).max(1.0));
                    // Far away, or in the same place at a very different size (a cut to a
                    // close-up of the same person).
                    d > p.min_distance * big.max(1.0) || big > MAX_SIZE_STEP * small
                }
        });
        if let Some(new) = successor {
            cuts.push(new.hits[0].0);
        }
    }
    cuts.sort_unstable();
    cuts.dedup();
    cuts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::track::tracks::associate;
    use crate::track::Detection;

    fn face(x: f32) -> Vec<Detection> {
        vec![Detection {
            x,
            y: 300.0,
            w: 90.0,
            h: 100.0,
            score: 0.9,
            landmarks: None,
        }]
    }

    #[test]
    fn a_face_that_jumps_far_is_a_cut_one_that_moves_is_not() {
        // 40 samples: still, a pan of 10 px per sample, then a jump of 490 px at sample 30.
        let samples: Vec<Vec<Detection>> = (0..40)
            .map(|i| {
                let x = if i < 10 {
                    200.0
                } else if i < 30 {
                    200.0 + 10.0 * (i - 10) as f32
                } else {
                    400.0 + 490.0
                };
                face(x)
            })
            .collect();
        let tracks = associate(&samples, 12);
        assert_eq!(face_cuts(&tracks, 40, &FaceCutParams::default()), vec![30]);
        // The same with a missed detection right at the jump.
        let mut gap = samples.clone();
        gap[30].clear();
        let tracks = associate(&gap, 12);
        assert_eq!(face_cuts(&tracks, 40, &FaceCutParams::default()), vec![31]);
    }

    #[test]
    fn two_faces_side_by_side_and_a_face_leaving_for_good_are_no_cuts() {
        let samples: Vec<Vec<Detection>> = (0..40)
            .map(|i| {
                let mut s = face(200.0);
                if i < 20 {
                    s.extend(face(900.0));
                }
                s
            })
            .collect();
        let tracks = associate(&samples, 12);
        assert!(face_cuts(&tracks, 40, &FaceCutParams::default()).is_empty());
        // A face gone for a second before another shows up is not a cut between them.
        let later: Vec<Vec<Detection>> = (0..40)
            .map(|i| match i {
                0..15 => face(200.0),
                15..25 => vec![],
                _ => face(900.0),
            })
            .collect();
        let tracks = associate(&later, 12);
        assert!(face_cuts(&tracks, 40, &FaceCutParams::default()).is_empty());
    }
}
