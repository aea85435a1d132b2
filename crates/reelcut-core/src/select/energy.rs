//! Loudness over time, as the media adapter measures it (RMS in dBFS at a fixed rate), and
//! what the scorer asks of it: how loud a window's speech is compared with the whole video.
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

/// Frames quieter than this are pauses, not speech: they are left out of the level (the
/// pause signal already counts them), so a window is not "quiet" merely for breathing.
const VOICED_DB: f32 = -50.0;

/// Level of a stretch of audio: the power mean of its voiced frames, so that peaks weigh
/// more than in an average of decibels (a shout among calm words raises it clearly).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Level {
    pub mean_db: f64,
    pub max_db: f32,
}

impl Loudness {
    /// The frames covering `[start, end)` seconds.
    fn frames(&self, start: f64, end: f64) -> &[f32] {
        if self.rate.is_nan() || self.rate <= 0.0 || self.db.is_empty() {
            return &[];
        }
        let a = ((start * self.rate).floor().max(0.0) as usize).min(self.db.len());
        let b = ((end * self.rate).ceil().max(0.0) as usize).clamp(a, self.db.len());
        &self.db[a..b]
    }

    /// Level of `[start, end)`; `None` when no frame there is voiced.
    pub fn level(&self, start: f64, end: f64) -> Option<Level> {
        self.power(start, end).level()
    }

    /// Level of the whole recording.
    pub fn overall(&self) -> Option<Level> {
        power_of(&self.db).level()
    }

    /// The voiced power of `[start, end)`, to be summed with others.
    pub fn power(&self, start: f64, end: f64) -> Power {
        power_of(self.frames(start, end))
    }
}

/// Summed linear power of voiced frames: adds up over adjacent stretches, so the level of
/// a run of sentences costs nothing once each sentence is measured.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Power {
    pub sum: f64,
    pub frames: usize,
    pub max_db: Option<f32>,
}

impl Power {
    pub fn plus(self, o: Power) -> Power {
        Power {
            sum: self.sum + o.sum,
            frames: self.frames + o.frames,
            max_db: match (self.max_db, o.max_db) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            },
        }
    }

    /// `None` without a voiced frame.
    pub fn level(&self) -> Option<Level> {
        Some(Level {
            mean_db: 10.0 * (self.sum / self.frames as f64).log10(),
            max_db: self.max_db.filter(|_| self.frames > 0)?,
        })
    }
}

fn power_of(frames: &[f32]) -> Power {
    frames
        .iter()
        .filter(|d| d.is_finite() && **d > VOICED_DB)
        .fold(Power::default(), |p, &d| {
            p.plus(Power {
                sum: 10f64.powf(f64::from(d) / 10.0),
                frames: 1,
                max_db: Some(d),
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_weighs_peaks_and_ignores_pauses() {
        // 10 s at 10 Hz: speech at -30 dB, a pause, and one loud second at -20 dB.
        let mut db = vec![-30.0f32; 100];
        db[20..30].fill(FLOOR_DB);
        db[60..70].fill(-20.0);
        let l = Loudness { rate: 10.0, db };
        // Pause excluded: 0-3 s is -30 dB speech only.
        let calm = l.level(0.0, 3.0).expect("voiced");
        assert!((calm.mean_db + 30.0).abs() < 1e-9, "{calm:?}");
        // 5-8 s: two thirds at -30, one third at -20 dB: power mean (2 * 0.001 + 0.01) / 3.
        let loud = l.level(5.0, 8.0).expect("voiced");
        assert!((loud.mean_db - 10.0 * (0.012f64 / 3.0).log10()).abs() < 1e-9);
        assert_eq!(loud.max_db, -20.0);
        assert!(loud.mean_db > l.overall().expect("voiced").mean_db);
        assert!(l.level(2.0, 3.0).is_none());
        assert!(l.level(50.0, 60.0).is_none());
    }
}
