//! Loudness over time, as the media adapter measures it (RMS in dBFS at a fixed rate), and
//! what the scorer asks of it: how much of a window is louder than the video's usual peaks.
//! Raised voices, laughter and applause are loud; an excited stretch of talk has more of
//! them than a calm one.

use serde::{Deserialize, Serialize};

/// Quietest level reported; digital silence would otherwise be minus infinity.
pub const FLOOR_DB: f32 = -100.0;

/// `db[k]` is the RMS level (dBFS) of `[k / rate, (k + 1) / rate)` seconds of the source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Loudness {
    /// Frames per second (10: 100 ms frames).
    pub rate: f64,
    pub db: Vec<f32>,
}

/// Frames quieter than this are not speech: they do not set the peak reference.
const VOICED_DB: f32 = -50.0;
/// The peak reference is this quantile of the voiced frames.
const PEAK_QUANTILE: f64 = 0.9;

impl Loudness {
    /// The level that counts as a peak for this video: its 90th percentile of voiced
    /// frames. `None` without any voiced frame.
    pub fn peak_reference(&self) -> Option<f32> {
        let mut voiced: Vec<f32> = self
            .db
            .iter()
            .copied()
            .filter(|d| d.is_finite() && *d > VOICED_DB)
            .collect();
        if voiced.is_empty() {
            return None;
        }
        voiced.sort_by(f32::total_cmp);
        let i = ((voiced.len() - 1) as f64 * PEAK_QUANTILE).round() as usize;
        Some(voiced[i])
    }

    /// The frames covering `[start, end)` seconds.
    fn frames(&self, start: f64, end: f64) -> &[f32] {
        if !(self.rate > 0.0) || self.db.is_empty() {
            return &[];
        }
        let a = ((start * self.rate).floor().max(0.0) as usize).min(self.db.len());
        let b = ((end * self.rate).ceil().max(0.0) as usize).clamp(a, self.db.len());
        &self.db[a..b]
    }

    /// Share (0..1) of the window's frames above `reference`, and its loudest level.
    pub fn peaks_in(&self, start: f64, end: f64, reference: f32) -> Option<(f64, f32)> {
        let f = self.frames(start, end);
        if f.is_empty() {
            return None;
        }
        let above = f.iter().filter(|d| **d > reference).count();
        let max = f.iter().copied().fold(FLOOR_DB, f32::max);
        Some((above as f64 / f.len() as f64, max))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peaks_are_measured_against_the_videos_own_loud_moments() {
        // 10 s at 10 Hz: quiet speech at -30 dB, silence, and one loud second at -10 dB.
        let mut db = vec![-30.0f32; 100];
        db[20..30].fill(FLOOR_DB);
        db[60..70].fill(-10.0);
        let l = Loudness { rate: 10.0, db };
        let r = l.peak_reference().expect("voiced");
        assert_eq!(r, -10.0);
        // Strictly above the reference: the loud second itself is the reference level here,
        // so compare against something just below it.
        let (share, max) = l.peaks_in(5.0, 8.0, -20.0).expect("frames");
        assert!((share - 1.0 / 3.0).abs() < 1e-9, "{share}");
        assert_eq!(max, -10.0);
        let (share, _) = l.peaks_in(0.0, 5.0, -20.0).expect("frames");
        assert_eq!(share, 0.0);
        assert!(l.peaks_in(20.0, 30.0, -20.0).is_none());
    }
}
