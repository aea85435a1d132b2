//! Shot boundaries. A hard cut changes the colour distribution of the whole frame at once; a
//! pan or a moving face mostly shifts it. So compare normalised colour histograms of
//! consecutive samples rather than pixels.

/// Bins per channel.
pub const BINS: usize = 16;

/// Normalised B, G, R histograms (3 x [`BINS`], each channel sums to 1) of a BGR24 image.
pub fn histogram(bgr: &[u8]) -> Vec<f32> {
    let mut h = vec![0.0f32; 3 * BINS];
    let n = bgr.len() / 3;
    if n == 0 {
        return h;
    }
    // Every other pixel is plenty for a global distribution.
    for px in bgr.chunks_exact(3).step_by(2) {
        for c in 0..3 {
            h[c * BINS + (px[c] as usize * BINS / 256)] += 1.0;
        }
    }
    let total = n.div_ceil(2) as f32;
    h.iter_mut().for_each(|v| *v /= total);
    h
}

/// Half the L1 distance per channel, averaged over however many normalised channels the
/// histograms hold (3 for [`histogram`], 1 for a luma histogram): 0 for identical
/// distributions, 1 for disjoint ones.
pub fn distance(a: &[f32], b: &[f32]) -> f32 {
    if a.len() != b.len() || a.is_empty() {
        return 0.0;
    }
    let channels = a.iter().sum::<f32>().round().max(1.0);
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum::<f32>() / 2.0 / channels
}

/// Indices `i` such that a cut lies between sample `i - 1` and sample `i`.
pub fn cuts(histograms: &[Vec<f32>], threshold: f32) -> Vec<usize> {
    (1..histograms.len())
        .filter(|&i| distance(&histograms[i - 1], &histograms[i]) > threshold)
        .collect()
}

/// The time of the frame in `(after, until]` that differs most from the frame before it
/// (`frames`: (time, histogram), in time order), or None if none differs at all. Places a
/// cut found between two samples on its frame: even when the background stays, the frame
/// where a person jumps changes the histogram more than the frames around it.
pub fn sharpest_change(frames: &[(f64, Vec<f32>)], after: f64, until: f64) -> Option<f64> {
    frames
        .windows(2)
        .filter(|w| w[1].0 > after && w[1].0 <= until)
        .map(|w| (w[1].0, distance(&w[0].1, &w[1].1)))
        .filter(|&(_, d)| d > 0.0)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(t, _)| t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(b: u8, g: u8, r: u8, n: usize) -> Vec<u8> {
        std::iter::repeat_n([b, g, r], n).flatten().collect()
    }

    #[test]
    fn the_sharpest_change_between_two_samples_is_found() {
        let f = |t: f64, a: f32| (t, vec![a, 1.0 - a]);
        let frames = vec![
            f(0.0, 0.5),
            f(0.1, 0.51),
            f(0.2, 0.6),
            f(0.3, 0.63),
            f(0.4, 0.64),
        ];
        assert_eq!(sharpest_change(&frames, 0.0, 0.4), Some(0.2));
        assert_eq!(sharpest_change(&frames, 0.2, 0.4), Some(0.3));
        let flat = vec![f(0.0, 0.5), f(0.1, 0.5)];
        assert_eq!(sharpest_change(&flat, 0.0, 1.0), None);
    }

    #[test]
    fn single_channel_histograms_use_the_full_range() {
        let a = [1.0, 0.0, 0.0];
        let b = [0.0, 0.5, 0.5];
        assert_eq!(distance(&a, &b), 1.0);
    }

    #[test]
    fn identical_frames_have_no_distance_and_different_ones_do() {
        let a = histogram(&flat(10, 200, 30, 100));
        let b = histogram(&flat(240, 20, 30, 100));
        assert_eq!(distance(&a, &a), 0.0);
        assert!((distance(&a, &b) - 2.0 / 3.0).abs() < 1e-6);
    }

    #[test]
    fn a_shifted_pattern_is_not_a_cut_but_a_new_scene_is() {
        let pattern: Vec<u8> = (0..3000).map(|i| ((i / 3) % 256) as u8).collect();
        let mut shifted = pattern[30..].to_vec();
        shifted.extend_from_slice(&pattern[..30]);
        let other = flat(0, 0, 255, 1000);
        let h = vec![histogram(&pattern), histogram(&shifted), histogram(&other)];
        assert_eq!(cuts(&h, 0.3), vec![2]);
    }
}
