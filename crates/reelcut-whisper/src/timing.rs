//! Word times: from whisper.cpp's DTW token times, refined by the audio itself.
//!
//! whisper.cpp aligns text tokens to audio with DTW over cross-attention. Its `t_dtw` for a
//! token is the time the alignment path moves on to the *next* token, i.e. where the token
//! ends; a word therefore ends at its last spoken token's `t_dtw` and starts where the
//! previous spoken token ended. Measured on speech with known word times
//! (docs/BENCHMARKS.md) those times are right to a word or so but not to the syllable: ends
//! run on into the following pause (tiny.en: +144 ms median) and a word after a short pause
//! starts where the previous one ended.
//!
//! The audio knows better where sound is. The recording is split into *islands* of sound
//! (10 ms frames above a threshold set by the recording's own noise floor and speech level,
//! joined across gaps shorter than a stop consonant's closure), and each island is given to
//! the word whose DTW span overlaps it most. A word then starts where its first island
//! starts and ends where its last one stops; an island that several words share (running
//! speech without pauses) is divided at the DTW boundaries inside it. Where the audio has
//! no clear contrast between sound and quiet, the DTW times stay as they are.

use crate::transcript::RawWord;

/// Analysis frames of 10 ms at 16 kHz.
const FRAME: usize = 160;
const FRAME_SECONDS: f64 = 0.01;
/// Quiet stretches shorter than this are inside a word (the closure before a stop
/// consonant lasts 30-100 ms, and a 40 ms gap between words is rare); they do not split an
/// island.
const MIN_GAP_FRAMES: usize = 4;
/// Islands shorter than this are clicks or breaths, not words.
const MIN_ISLAND_FRAMES: usize = 3;
/// Below this contrast between loud and quiet frames, nothing is a clear silence.
const MIN_CONTRAST_DB: f32 = 20.0;
/// Digital silence (-inf dB) would drag the floor down and put the threshold near zero.
const FLOOR_DB: f32 = -90.0;
/// A word keeps at least this much of an island it shares with others.
const MIN_SHARE: f64 = 0.03;
/// Where words run together, the boundary is looked for this far before and after the DTW
/// one, in frames. Lopsided because DTW boundaries lag (the path moves on to a token after
/// its sound has begun): on running espeak speech tiny.en's are 65 ms late at the median.
const DIP_BEFORE: usize = 10;
const DIP_AFTER: usize = 5;
/// A dip this much quieter than the loudest frame around it is a boundary between sounds
/// (a consonant's closure, an unstressed onset); a shallower one is noise in a vowel.
const MIN_DIP_DB: f32 = 6.0;

/// `REELCUT_WORD_EDGES=dtw`: whisper.cpp's times as they are (for comparisons in
/// scripts/bench-transcribe.sh).
pub(crate) fn refine_enabled() -> bool {
    std::env::var("REELCUT_WORD_EDGES").map_or(true, |v| v.trim() != "dtw")
}

/// The runs of sound in a recording, as (start, end) seconds, in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Islands {
    spans: Vec<(f64, f64)>,
    /// 10 ms frame levels in dBFS, for boundaries inside an island.
    levels: Vec<f32>,
}

/// 10 ms frame levels in dBFS.
fn levels(pcm: &[f32]) -> Vec<f32> {
    pcm.chunks(FRAME)
        .map(|c| {
            let rms = (c.iter().map(|x| x * x).sum::<f32>() / c.len() as f32).sqrt();
            (20.0 * rms.max(1e-10).log10()).max(FLOOR_DB)
        })
        .collect()
}

impl Islands {
    /// Threshold between the 10th (noise floor) and 95th (speech) percentile of frame
    /// levels, a quarter of the way up, so it adapts to the recording's own noise.
    pub fn detect(pcm: &[f32]) -> Self {
        let levels = levels(pcm);
        if levels.len() < 2 * MIN_ISLAND_FRAMES {
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
        // Runs of loud frames, then joined across short gaps.
        let mut runs: Vec<(usize, usize)> = Vec::new();
        let mut run_start = None;
        for (i, &level) in levels
            .iter()
            .chain(std::iter::once(&f32::NEG_INFINITY))
            .enumerate()
        {
            match (level >= threshold, run_start) {
                (true, None) => run_start = Some(i),
                (false, Some(s)) => {
                    match runs.last_mut() {
                        Some(last) if s - last.1 < MIN_GAP_FRAMES => last.1 = i,
                        _ => runs.push((s, i)),
                    }
                    run_start = None;
                }
                _ => {}
            }
        }
        let end = pcm.len() as f64 / (FRAME as f64 / FRAME_SECONDS);
        let spans = runs
            .into_iter()
            .filter(|r| r.1 - r.0 >= MIN_ISLAND_FRAMES)
            .map(|(a, b)| {
                (
                    a as f64 * FRAME_SECONDS,
                    (b as f64 * FRAME_SECONDS).min(end),
                )
            })
            .collect();
        Self { spans, levels }
    }

    /// The quietest frame near `at` (seconds) strictly between `lo` and `hi`, if it is a
    /// real dip; else `at`.
    fn dip_near(&self, at: f64, lo: f64, hi: f64) -> f64 {
        let frame = |t: f64| (t / FRAME_SECONDS).round().max(0.0) as usize;
        let centre = frame(at);
        let first = centre.saturating_sub(DIP_BEFORE).max(frame(lo) + 1);
        let last = (centre + DIP_AFTER)
            .min(frame(hi).saturating_sub(1))
            .min(self.levels.len().saturating_sub(1));
        if first > last {
            return at;
        }
        let window = &self.levels[first..=last];
        let loudest = window.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let (k, quietest) = window
            .iter()
            .copied()
            .enumerate()
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap_or((0, loudest));
        if loudest - quietest >= MIN_DIP_DB {
            (first + k) as f64 * FRAME_SECONDS + FRAME_SECONDS / 2.0
        } else {
            at
        }
    }

    /// Moves each word's edges to the edges of the sound it was heard in (see the module
    /// comment). Words stay in order and never overlap; a word that overlaps no sound at
    /// all keeps its times.
    pub fn refine(&self, words: &mut [RawWord]) {
        if self.spans.is_empty() || words.is_empty() {
            return;
        }
        let overlap = |(a, b): (f64, f64), w: &RawWord| (b.min(w.end) - a.max(w.start)).max(0.0);
        // Each island to the word overlapping it most, never to a word before the previous
        // island's (times only move forward).
        let mut owner: Vec<Option<usize>> = Vec::with_capacity(self.spans.len());
        let mut first_word = 0;
        for &span in &self.spans {
            let best = (first_word..words.len())
                .take_while(|&j| words[j].start < span.1)
                .map(|j| (j, overlap(span, &words[j])))
                .filter(|&(_, o)| o > 0.0)
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(j, _)| j);
            if let Some(j) = best {
                first_word = j;
            }
            owner.push(best);
        }
        // Words that own no island share the island they overlap most with its owner.
        let mut members: Vec<Vec<usize>> =
            owner.iter().map(|o| o.iter().copied().collect()).collect();
        for (j, w) in words.iter().enumerate() {
            if owner.contains(&Some(j)) {
                continue;
            }
            let best = self
                .spans
                .iter()
                .enumerate()
                .map(|(k, &s)| (k, overlap(s, w)))
                .filter(|&(k, o)| o > 0.0 && owner[k].is_some())
                .max_by(|a, b| a.1.total_cmp(&b.1));
            if let Some((k, _)) = best {
                members[k].push(j);
            }
        }
        // Each word's pieces of sound: whole islands, or its share of a shared one.
        let mut span: Vec<Option<(f64, f64)>> = vec![None; words.len()];
        let mut grow = |j: usize, piece: (f64, f64)| {
            let s = span[j].get_or_insert(piece);
            *s = (s.0.min(piece.0), s.1.max(piece.1));
        };
        for (k, &(a, b)) in self.spans.iter().enumerate() {
            let m = &mut members[k];
            m.sort_unstable();
            m.dedup();
            let mut from = a;
            for (i, &j) in m.iter().enumerate() {
                let to = match m.get(i + 1) {
                    // The DTW boundary between this word and the next sharer, moved to
                    // the sound's dip near it, kept inside the island with room for both.
                    Some(&next) => {
                        let boundary = 0.5 * (words[j].end + words[next].start);
                        let boundary = self.dip_near(boundary, from, b);
                        boundary
                            .clamp(from + MIN_SHARE, (b - MIN_SHARE).max(from + MIN_SHARE))
                            .min(b)
                    }
                    None => b,
                };
                grow(j, (from, to));
                from = to;
            }
        }
        let mut prev_end = 0.0f64;
        for (w, s) in words.iter_mut().zip(span) {
            if let Some((a, b)) = s {
                (w.start, w.end) = (a, b);
            }
            // Never inside out, never before the previous word.
            w.start = w.start.max(prev_end);
            w.end = w.end.max(w.start);
            prev_end = w.end;
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

    fn close(a: (f64, f64), b: (f64, f64)) -> bool {
        (a.0 - b.0).abs() < 0.011 && (a.1 - b.1).abs() < 0.011
    }

    #[test]
    fn finds_sound_and_joins_gaps_shorter_than_a_closure() {
        let mut pcm = vec![0.0; 8000]; // 0.5 s silence
        pcm.extend(tone(1.0, 0.3));
        pcm.extend(vec![0.0; 480]); // 30 ms: inside a word
        pcm.extend(tone(1.0, 0.3));
        pcm.extend(vec![0.0; 1600]); // 100 ms: between words
        pcm.extend(tone(0.5, 0.3));
        pcm.extend(vec![0.0; 16000]);
        let s = Islands::detect(&pcm);
        assert_eq!(s.spans.len(), 2, "{:?}", s.spans);
        assert!(close(s.spans[0], (0.5, 2.53)), "{:?}", s.spans);
        assert!(close(s.spans[1], (2.63, 3.13)), "{:?}", s.spans);
    }

    #[test]
    fn without_contrast_nothing_is_an_island() {
        // Steady sound at one level everywhere: no clear silence to go by.
        assert_eq!(Islands::detect(&tone(3.0, 0.1)), Islands::default());
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
        let s = Islands::detect(&pcm);
        assert_eq!(s.spans.len(), 1, "{:?}", s.spans);
        assert!(close(s.spans[0], (0.5, 1.5)), "{:?}", s.spans);
    }

    #[test]
    fn words_take_the_edges_of_their_sound() {
        let s = Islands {
            spans: vec![(1.0, 1.5), (1.6, 2.0), (3.0, 3.4)],
            levels: Vec::new(),
        };
        // DTW style: each word ends late and the next starts where it ended.
        let mut words = vec![word(0.9, 1.62), word(1.62, 2.3), word(2.3, 3.5)];
        s.refine(&mut words);
        let t: Vec<(f64, f64)> = words.iter().map(|w| (w.start, w.end)).collect();
        assert_eq!(t, [(1.0, 1.5), (1.6, 2.0), (3.0, 3.4)]);
    }

    #[test]
    fn running_speech_is_shared_at_the_dtw_boundaries() {
        // One island for three words said without a pause.
        let s = Islands {
            spans: vec![(1.0, 2.5)],
            levels: vec![-20.0; 300],
        };
        let mut words = vec![word(0.8, 1.4), word(1.4, 1.9), word(1.9, 2.8)];
        s.refine(&mut words);
        let t: Vec<(f64, f64)> = words.iter().map(|w| (w.start, w.end)).collect();
        assert_eq!(t, [(1.0, 1.4), (1.4, 1.9), (1.9, 2.5)]);
    }

    #[test]
    fn where_words_run_together_the_boundary_moves_to_the_dip_before_it() {
        // Sound from 1.0 to 2.5 s with a dip at 1.32 s; DTW puts the boundary late, at 1.4 s.
        let mut levels = vec![-20.0; 300];
        levels[132] = -32.0;
        levels[150] = -26.0; // after the window's reach, and not deep enough anyway
        let s = Islands {
            spans: vec![(1.0, 2.5)],
            levels,
        };
        let mut words = vec![word(0.8, 1.4), word(1.4, 2.8)];
        s.refine(&mut words);
        assert!((words[0].end - 1.325).abs() < 1e-9, "{words:?}");
        assert_eq!(words[0].end, words[1].start);
        assert_eq!((words[0].start, words[1].end), (1.0, 2.5));
    }

    #[test]
    fn a_word_in_silence_keeps_its_times_and_order_holds() {
        let s = Islands {
            spans: vec![(1.0, 1.5)],
            levels: Vec::new(),
        };
        let mut words = vec![word(1.1, 1.6), word(4.0, 4.3)];
        s.refine(&mut words);
        let t: Vec<(f64, f64)> = words.iter().map(|w| (w.start, w.end)).collect();
        assert_eq!(t, [(1.0, 1.5), (4.0, 4.3)]);
    }
}
