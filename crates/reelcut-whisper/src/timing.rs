//! Word times: from whisper.cpp's DTW token times, refined by the audio's silences.
//!
//! whisper.cpp aligns text tokens to audio with DTW over cross-attention. Its `t_dtw` for a
//! token is the time the alignment path moves on to the *next* token, i.e. where the token
//! ends; a word therefore ends at its last spoken token's `t_dtw` and starts where the
//! previous spoken token ended. Punctuation tokens are skipped: the path often lingers on
//! them through a pause, so their times say little. Inside pauses the path is arbitrary, so
//! a word edge that falls in a clear silence is moved to the silence's edge (the idea of
//! stable-ts's silence suppression). Audio without clear silences is left alone.

use crate::transcript::RawWord;

/// Analysis frames of 10 ms at 16 kHz.
const FRAME: usize = 160;
const FRAME_SECONDS: f64 = 0.01;
/// Pauses shorter than this are gaps between syllables, not silences to snap to.
const MIN_SILENCE_FRAMES: usize = 15;
/// Below this contrast between loud and quiet frames, nothing is a clear silence.
const MIN_CONTRAST_DB: f32 = 20.0;
/// Digital silence (-inf dB) would drag the floor down and put the threshold near zero.
const FLOOR_DB: f32 = -90.0;

/// The clear silences of a recording, as (start, end) seconds.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Silences {
    spans: Vec<(f64, f64)>,
}

impl Silences {
    /// Threshold between the 10th (noise floor) and 95th (speech) percentile of frame
    /// levels, a quarter of the way up, so it adapts to the recording's own noise.
    pub fn detect(pcm: &[f32]) -> Self {
        let levels: Vec<f32> = pcm
            .chunks(FRAME)
            .map(|c| {
                let rms = (c.iter().map(|x| x * x).sum::<f32>() / c.len() as f32).sqrt();
                (20.0 * rms.max(1e-10).log10()).max(FLOOR_DB)
            })
            .collect();
        if levels.len() < MIN_SILENCE_FRAMES {
            return Self::default();
        }
        let mut sorted = levels.clone();
        sorted.sort_by(f32::total_cmp);
        let pick = |q: f64| sorted[((sorted.len() - 1) as f64 * q) as usize];
        let (floor, loud) = (pick(0.10), pick(0.95));
        if loud - floor < MIN_CONTRAST_DB {
            return Self::default();
        }
        let threshold = floor + 0.25 * (loud - floor);
        let mut spans = Vec::new();
        let mut run_start = None;
        for (i, &level) in levels
            .iter()
            .chain(std::iter::once(&f32::INFINITY))
            .enumerate()
        {
            match (level < threshold, run_start) {
                (true, None) => run_start = Some(i),
                (false, Some(s)) => {
                    if i - s >= MIN_SILENCE_FRAMES {
                        spans.push((s as f64 * FRAME_SECONDS, i as f64 * FRAME_SECONDS));
                    }
                    run_start = None;
                }
                _ => {}
            }
        }
        // The sentinel frame past the end may have closed a run beyond the audio.
        let end = pcm.len() as f64 / (FRAME as f64 / FRAME_SECONDS);
        if let Some(last) = spans.last_mut() {
            last.1 = last.1.min(end);
        }
        Self { spans }
    }

    fn containing(&self, t: f64) -> Option<(f64, f64)> {
        let i = self.spans.partition_point(|s| s.1 <= t);
        self.spans.get(i).copied().filter(|s| s.0 <= t)
    }

    /// Moves word starts that lie in a silence to its end, and word ends that lie in a
    /// silence to its start, never turning a word inside out.
    pub fn snap(&self, words: &mut [RawWord]) {
        for w in words {
            if let Some((_, end)) = self.containing(w.start) {
                if end < w.end {
                    w.start = end;
                }
            }
            // An end exactly at a silence's start is already right.
            if let Some((start, _)) = self.containing(w.end).filter(|s| s.0 < w.end) {
                if start > w.start {
                    w.end = start;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(seconds: f64, amp: f32) -> Vec<f32> {
        (0..(seconds * 16000.0) as usize)
            .map(|i| amp * (i as f32 * 0.2).sin())
            .collect()
    }

    fn word(start: f64, end: f64) -> RawWord {
        RawWord {
            start,
            end,
            text: "w".into(),
            probability: 1.0,
        }
    }

    #[test]
    fn finds_pauses_between_sounds_and_ignores_short_gaps() {
        let mut pcm = vec![0.0; 8000]; // 0.5 s silence
        pcm.extend(tone(1.0, 0.3));
        pcm.extend(vec![0.0; 800]); // 50 ms gap: too short
        pcm.extend(tone(1.0, 0.3));
        pcm.extend(vec![0.0; 16000]); // 1 s silence
        let s = Silences::detect(&pcm);
        assert_eq!(s.spans.len(), 2, "{:?}", s.spans);
        assert!((s.spans[0].0 - 0.0).abs() < 1e-9 && (s.spans[0].1 - 0.5).abs() < 0.011);
        assert!((s.spans[1].0 - 2.55).abs() < 0.011 && (s.spans[1].1 - 3.55).abs() < 0.011);
    }

    #[test]
    fn noise_floor_is_not_silence_without_contrast() {
        // Steady sound at one level everywhere: no clear silence to snap to.
        assert_eq!(Silences::detect(&tone(3.0, 0.1)), Silences::default());
    }

    #[test]
    fn adapts_to_background_noise() {
        let noise = |n: usize| {
            (0..n)
                .map(|i| 0.003 * ((i * 7919) % 13) as f32 / 13.0 - 0.0015)
                .collect::<Vec<f32>>()
        };
        let mut pcm = noise(8000);
        pcm.extend(tone(1.0, 0.3));
        pcm.extend(noise(8000));
        let s = Silences::detect(&pcm);
        assert_eq!(s.spans.len(), 2, "{:?}", s.spans);
    }

    #[test]
    fn snaps_edges_out_of_silences() {
        let s = Silences {
            spans: vec![(0.0, 0.5), (3.5, 4.7)],
        };
        let mut words = vec![
            word(0.0, 0.8),
            word(3.2, 4.2),
            word(4.2, 5.2),
            word(3.6, 3.9),
        ];
        s.snap(&mut words);
        let t: Vec<(f64, f64)> = words.iter().map(|w| (w.start, w.end)).collect();
        // A word wholly inside a silence is left for the caller's judgement.
        assert_eq!(t, [(0.5, 0.8), (3.2, 3.5), (4.7, 5.2), (3.6, 3.9)]);
    }
}
