//! Only the voiced parts of a recording go to Whisper: what voice activity detection calls
//! speech, with some air around it, laid end to end. Whisper then cannot invent words in a
//! long silence or over music (it hallucinates there: "Thank you.", lyrics), and does not
//! spend encoder passes on nothing. Times in the transcript are mapped back to the
//! recording's.

/// Kept around each span of speech: a soft onset or a trailing consonant the detector
/// missed, and some quiet for Whisper to hear the utterance begin and end.
const PAD: f64 = 0.3;
/// Quiet shorter than this between two spans stays in (a pause inside a sentence is part
/// of how it is said, and Whisper's context needs it); longer quiet is cut down to the two
/// pads.
const MIN_CUT: f64 = 1.0;

/// A stretch of the recording kept, and where it lands in the condensed audio.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Kept {
    start: f64,
    end: f64,
    at: f64,
}

/// The voiced regions of one piece of audio.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Voiced {
    kept: Vec<Kept>,
    duration: f64,
}

impl Voiced {
    /// From the detector's spans of speech (seconds, in order) in audio of `duration`.
    pub fn new(speech: &[(f64, f64)], duration: f64) -> Self {
        let mut regions: Vec<(f64, f64)> = Vec::new();
        for &(a, b) in speech {
            let (a, b) = ((a - PAD).max(0.0), (b + PAD).min(duration));
            match regions.last_mut() {
                Some(last) if a - last.1 < MIN_CUT - 2.0 * PAD || a <= last.1 => {
                    last.1 = last.1.max(b)
                }
                _ => regions.push((a, b)),
            }
        }
        let mut at = 0.0;
        let kept = regions
            .into_iter()
            .filter(|r| r.1 > r.0)
            .map(|(start, end)| {
                let k = Kept { start, end, at };
                at += end - start;
                k
            })
            .collect();
        Self { kept, duration }
    }

    /// No speech at all: nothing to transcribe.
    pub fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }

    /// Seconds of audio kept.
    pub fn kept_seconds(&self) -> f64 {
        self.kept.iter().map(|k| k.end - k.start).sum()
    }

    /// The kept samples of `pcm` (at `rate`), end to end.
    pub fn condense(&self, pcm: &[f32], rate: usize) -> Vec<f32> {
        let index = |t: f64| ((t * rate as f64).round() as usize).min(pcm.len());
        let mut out = Vec::with_capacity((self.kept_seconds() * rate as f64) as usize + 1);
        for k in &self.kept {
            out.extend_from_slice(&pcm[index(k.start)..index(k.end)]);
        }
        out
    }

    /// A time of the condensed audio, as a time of the recording.
    pub fn to_original(&self, t: f64) -> f64 {
        let i = self.kept.partition_point(|k| k.at <= t).saturating_sub(1);
        match self.kept.get(i) {
            Some(k) => (k.start + (t - k.at)).clamp(k.start, k.end),
            None => t.min(self.duration),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_quiet_is_cut_to_the_pads_and_short_pauses_stay() {
        // Speech 1-3 s, 3.5-5 s (a 0.5 s pause: stays), 9-10 s (4 s of quiet: cut).
        let v = Voiced::new(&[(1.0, 3.0), (3.5, 5.0), (9.0, 10.0)], 12.0);
        assert_eq!(v.kept.len(), 2, "{v:?}");
        assert!((v.kept[0].start - 0.7).abs() < 1e-9 && (v.kept[0].end - 5.3).abs() < 1e-9);
        assert!((v.kept[1].start - 8.7).abs() < 1e-9 && (v.kept[1].end - 10.3).abs() < 1e-9);
        assert!((v.kept_seconds() - 6.2).abs() < 1e-9);
        // Times map back: 1.0 s into the condensed audio is 1.7 s; 5.0 s (0.4 s into the
        // second region) is 9.1 s.
        assert!((v.to_original(1.0) - 1.7).abs() < 1e-9);
        assert!((v.to_original(5.0) - 9.1).abs() < 1e-9);
        assert!((v.to_original(6.2) - 10.3).abs() < 1e-9);
    }

    #[test]
    fn condensed_samples_are_the_kept_ones() {
        let pcm: Vec<f32> = (0..1000).map(|i| i as f32).collect();
        // rate 100: speech 2-3 s and 7-8 s, pads 0.3 s.
        let v = Voiced::new(&[(2.0, 3.0), (7.0, 8.0)], 10.0);
        let c = v.condense(&pcm, 100);
        assert_eq!(c.len(), 320);
        assert_eq!((c[0], c[159], c[160]), (170.0, 329.0, 670.0));
    }

    #[test]
    fn no_speech_keeps_nothing() {
        let v = Voiced::new(&[], 10.0);
        assert!(v.is_empty());
        assert_eq!(v.condense(&[0.0; 100], 10), Vec::<f32>::new());
    }
}
