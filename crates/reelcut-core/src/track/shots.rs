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

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(b: u8, g: u8, r: u8, n: usize) -> Vec<u8> {
        std::iter::repeat_n([b, g, r], n).flatten().collect()
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
