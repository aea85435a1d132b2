//! How loud an input is over time: the RMS level of its audio in 100 ms frames (dBFS), for
//! the energy signal of automatic clip selection.
//!
//! Built on [`crate::audio16k`]'s chunked decode, so it shares its timeline (frame `k` is
//! `[k / 10, (k + 1) / 10)` s of presentation time) and memory holds only the envelope —
//! 10 numbers a second, 36,000 for an hour — never the decoded audio.

use std::path::Path;

use reelcut_core::select::energy::{Loudness, FLOOR_DB};
use reelcut_core::CancellationToken;

use crate::audio16k::{decode_16k_mono_track, SAMPLE_RATE};
use crate::MediaError;

/// Envelope frames per second.
pub const ENVELOPE_HZ: u32 = 10;
#[cfg(test)]
const FRAME: usize = (SAMPLE_RATE / ENVELOPE_HZ) as usize;

/// Accumulates squared samples frame by frame.
struct Envelope {
    /// Samples per frame.
    frame: usize,
    db: Vec<f32>,
    sum: f64,
    n: usize,
}

impl Envelope {
    fn push(&mut self, samples: &[f32]) {
        for &s in samples {
            self.sum += f64::from(s) * f64::from(s);
            self.n += 1;
            if self.n == self.frame {
                self.close();
            }
        }
    }

    fn close(&mut self) {
        if self.n == 0 {
            return;
        }
        let ms = self.sum / self.n as f64;
        let db = if ms > 0.0 {
            (10.0 * ms.log10()) as f32
        } else {
            FLOOR_DB
        };
        self.db.push(db.max(FLOOR_DB));
        self.sum = 0.0;
        self.n = 0;
    }
}

/// The RMS envelope of `path`'s best audio stream at [`ENVELOPE_HZ`]. A trailing partial
/// frame is measured over what it has. Blocking; checks `cancel` once per packet.
pub fn loudness(path: &Path, cancel: &CancellationToken) -> Result<Loudness, MediaError> {
    loudness_at(path, None, ENVELOPE_HZ, cancel)
}

/// [`loudness`] of the `track`-th audio stream (`None`: the default one, as the render
/// takes) in frames of `1 / hz` s (at most 16,000 a second); 100 gives the 10 ms frames
/// that find the gap between two words.
pub fn loudness_at(
    path: &Path,
    track: Option<usize>,
    hz: u32,
    cancel: &CancellationToken,
) -> Result<Loudness, MediaError> {
    let frame = (SAMPLE_RATE / hz.clamp(1, SAMPLE_RATE)) as usize;
    let mut env = Envelope {
        frame,
        db: Vec::new(),
        sum: 0.0,
        n: 0,
    };
    decode_16k_mono_track(path, track, cancel, &mut |chunk| env.push(chunk))?;
    env.close();
    Ok(Loudness {
        rate: f64::from(SAMPLE_RATE) / frame as f64,
        db: env.db,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_rms_in_dbfs() {
        let mut env = Envelope {
            frame: FRAME,
            db: Vec::new(),
            sum: 0.0,
            n: 0,
        };
        // A full-scale square wave (RMS 1 = 0 dBFS), then silence, then half a frame at 0.1
        // (RMS 0.1 = -20 dBFS), delivered in odd-sized chunks.
        let square: Vec<f32> = (0..FRAME)
            .map(|i| if i % 2 == 0 { 1.0 } else { -1.0 })
            .collect();
        for c in square.chunks(333) {
            env.push(c);
        }
        env.push(&vec![0.0; FRAME]);
        env.push(&vec![0.1; FRAME / 2]);
        env.close();
        assert_eq!(env.db.len(), 3);
        assert!(env.db[0].abs() < 1e-4, "{:?}", env.db);
        assert_eq!(env.db[1], FLOOR_DB);
        assert!((env.db[2] + 20.0).abs() < 1e-3, "{:?}", env.db);
    }
}
