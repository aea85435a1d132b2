//! Silero VAD v6 (MIT, from the PyPI `silero-vad` wheel): the probability that each 32 ms
//! of 16 kHz audio is speech, and the spans of speech that follow from it.
//!
//! The model is recurrent: every 512-sample window is fed with the 64 samples before it
//! (the "context") and the LSTM state the previous window left, so the windows of one stream
//! run in order; long audio runs as several streams at once (see [`Vad::probabilities`]).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ort::session::Session;
use ort::value::{Tensor, TensorRef};
use reelcut_core::CancellationToken;

use crate::RuntimeError;

pub const SAMPLE_RATE: u32 = 16_000;
/// Samples per window at 16 kHz, and the context the model wants before each.
const WINDOW: usize = 512;
const CONTEXT: usize = 64;
const STATE: usize = 2 * 128;
/// Streams of one batch (see [`Vad::probabilities`]), and the fewest windows one is given.
const MAX_STREAMS: usize = 16;
const MIN_STREAM_WINDOWS: usize = 250;
/// Seconds per window.
const WINDOW_SECONDS: f64 = WINDOW as f64 / SAMPLE_RATE as f64;

#[derive(Debug, thiserror::Error)]
pub enum VadError {
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
    #[error("voice activity model {path} is missing: run scripts/setup.sh (it installs Silero VAD from PyPI)")]
    ModelMissing { path: PathBuf },
    #[error("voice activity model {path} cannot be loaded: {message}")]
    Model { path: PathBuf, message: String },
    #[error("voice activity detection failed: {0}")]
    Inference(String),
    #[error("cancelled")]
    Cancelled,
}

/// How probabilities become spans; the defaults are Silero's own (`get_speech_timestamps`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VadParams {
    /// Speech starts when a window's probability reaches this...
    pub threshold: f32,
    /// ...and ends after `min_silence` below this (hysteresis).
    pub neg_threshold: f32,
    /// Shorter bursts are not speech (a cough, a click).
    pub min_speech: f64,
    pub min_silence: f64,
    /// Added to both ends of a span, so soft onsets and trailing consonants stay in.
    pub pad: f64,
}

impl Default for VadParams {
    fn default() -> Self {
        Self {
            threshold: 0.5,
            neg_threshold: 0.35,
            min_speech: 0.25,
            min_silence: 0.1,
            pad: 0.03,
        }
    }
}

/// Spans of speech in seconds, in order, not overlapping.
pub type SpeechSpans = Vec<(f64, f64)>;

pub struct Vad {
    session: Mutex<Session>,
    path: PathBuf,
}

impl std::fmt::Debug for Vad {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vad").field("path", &self.path).finish()
    }
}

impl Vad {
    pub fn load(runtime_lib: &Path, model: &Path) -> Result<Self, VadError> {
        if !model.is_file() {
            return Err(VadError::ModelMissing {
                path: model.to_path_buf(),
            });
        }
        let env = crate::environment(runtime_lib)?;
        let err = |e: &dyn std::fmt::Display| VadError::Model {
            path: model.to_path_buf(),
            message: e.to_string(),
        };
        // One thread: the model is tiny and sequential; more threads only add hand-offs.
        let session = Session::builder(env)
            .map_err(|e| err(&e))?
            .with_intra_threads(1)
            .map_err(|e| err(&e))?
            .with_inter_threads(1)
            .map_err(|e| err(&e))?
            .commit_from_file(model)
            .map_err(|e| err(&e))?;
        Ok(Self {
            session: Mutex::new(session),
            path: model.to_path_buf(),
        })
    }

    /// The speech probability of each 32 ms window of `pcm` (16 kHz mono); the last,
    /// partial window is zero-padded.
    ///
    /// Long audio runs as several streams in one batch: stream `b` takes the `b`-th stretch
    /// of windows, with its own recurrent state, and one model call advances every stream by
    /// a window. Each call costs about the same for 1 window or 16 (the per-call overhead is
    /// most of it), so 3 minutes take 350 calls instead of 5,400. A stream starts with an
    /// empty state a few windows into speech at worst; stretches are long (8 s at least) and
    /// the context samples before each come from the audio itself.
    pub fn probabilities(
        &self,
        pcm: &[f32],
        cancel: &CancellationToken,
    ) -> Result<Vec<f32>, VadError> {
        let mut session = self
            .session
            .lock()
            .map_err(|_| VadError::Inference("a previous detection panicked".into()))?;
        let windows = pcm.len().div_ceil(WINDOW);
        let streams = (windows / MIN_STREAM_WINDOWS).clamp(1, MAX_STREAMS);
        let per_stream = windows.div_ceil(streams);
        let row = CONTEXT + WINDOW;
        let mut input = vec![0.0f32; streams * row];
        let mut state = vec![0.0f32; STATE * streams];
        let rate = Tensor::from_array(([1usize], vec![i64::from(SAMPLE_RATE)]))
            .map_err(|e| VadError::Inference(e.to_string()))?;
        let mut out = vec![0.0f32; windows];
        let infer = |e: ort::Error| VadError::Inference(e.to_string());
        for step in 0..per_stream {
            if step % 64 == 0 && cancel.is_cancelled() {
                return Err(VadError::Cancelled);
            }
            for b in 0..streams {
                // Window w with the 64 samples before it, zeros past either end.
                let w = b * per_stream + step;
                let at = (w * WINDOW) as isize - CONTEXT as isize;
                for (i, x) in input[b * row..(b + 1) * row].iter_mut().enumerate() {
                    let k = at + i as isize;
                    *x = if w < windows && k >= 0 {
                        pcm.get(k as usize).copied().unwrap_or(0.0)
                    } else {
                        0.0
                    };
                }
            }
            let x = TensorRef::from_array_view(([streams, row], &input[..])).map_err(infer)?;
            let s =
                TensorRef::from_array_view(([2usize, streams, 128], &state[..])).map_err(infer)?;
            let outputs = session
                .run(ort::inputs!["input" => x, "state" => s, "sr" => &rate])
                .map_err(infer)?;
            let p = outputs[0].try_extract_tensor::<f32>().map_err(infer)?.1;
            let next = outputs[1].try_extract_tensor::<f32>().map_err(infer)?.1;
            if p.len() != streams || next.len() != state.len() {
                return Err(VadError::Inference(format!(
                    "model returned {} probabilities and a state of {} values for {streams} streams",
                    p.len(),
                    next.len()
                )));
            }
            state.copy_from_slice(next);
            for (b, &prob) in p.iter().enumerate() {
                if let Some(o) = out.get_mut(b * per_stream + step) {
                    *o = prob;
                }
            }
        }
        Ok(out)
    }

    /// The spans of speech in `pcm` (16 kHz mono).
    pub fn speech(
        &self,
        pcm: &[f32],
        params: &VadParams,
        cancel: &CancellationToken,
    ) -> Result<SpeechSpans, VadError> {
        let p = self.probabilities(pcm, cancel)?;
        Ok(spans(&p, params, pcm.len() as f64 / f64::from(SAMPLE_RATE)))
    }
}

/// Silero's `get_speech_timestamps` on window probabilities: speech from the first window
/// at `threshold` until `min_silence` of windows under `neg_threshold`; bursts shorter than
/// `min_speech` dropped; `pad` added each side (neighbours that would overlap meet halfway).
pub fn spans(probabilities: &[f32], params: &VadParams, duration: f64) -> SpeechSpans {
    let t = |i: usize| i as f64 * WINDOW_SECONDS;
    let mut out: SpeechSpans = Vec::new();
    let mut start: Option<f64> = None;
    let mut quiet_since: Option<f64> = None;
    for (i, &p) in probabilities.iter().enumerate() {
        match start {
            None if p >= params.threshold => start = Some(t(i)),
            None => {}
            Some(s) => {
                if p >= params.threshold {
                    quiet_since = None;
                } else if p < params.neg_threshold {
                    let q = *quiet_since.get_or_insert(t(i));
                    if t(i) + WINDOW_SECONDS - q >= params.min_silence {
                        if q - s >= params.min_speech {
                            out.push((s, q));
                        }
                        start = None;
                        quiet_since = None;
                    }
                }
            }
        }
    }
    if let Some(s) = start {
        let end = quiet_since.unwrap_or(duration).min(duration);
        if end - s >= params.min_speech {
            out.push((s, end));
        }
    }
    // Pads, without overlapping a neighbour.
    let n = out.len();
    let mut padded = out.clone();
    for i in 0..n {
        let before = if i == 0 {
            0.0
        } else {
            0.5 * (out[i - 1].1 + out[i].0)
        };
        let after = if i + 1 == n {
            duration
        } else {
            0.5 * (out[i].1 + out[i + 1].0)
        };
        padded[i] = (
            (out[i].0 - params.pad).max(before).max(0.0),
            (out[i].1 + params.pad).min(after).min(duration),
        );
    }
    padded
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probs(pattern: &[(f32, usize)]) -> Vec<f32> {
        pattern
            .iter()
            .flat_map(|&(p, n)| std::iter::repeat_n(p, n))
            .collect()
    }

    #[test]
    fn speech_needs_a_pause_of_min_silence_to_end() {
        // 1 s speech, 64 ms dip (2 windows < min_silence 100 ms), 1 s speech, silence.
        let p = probs(&[(0.0, 10), (0.9, 31), (0.1, 2), (0.9, 31), (0.0, 20)]);
        let s = spans(&p, &VadParams::default(), p.len() as f64 * WINDOW_SECONDS);
        assert_eq!(s.len(), 1, "{s:?}");
        assert!((s[0].0 - (10.0 * WINDOW_SECONDS - 0.03)).abs() < 1e-9);
        assert!((s[0].1 - (74.0 * WINDOW_SECONDS + 0.03)).abs() < 1e-9);
    }

    #[test]
    fn hysteresis_and_short_bursts() {
        // 0.4 stays inside speech once started (above neg_threshold); a 96 ms burst is not
        // speech; the end of the audio closes an open span.
        let p = probs(&[
            (0.9, 10),
            (0.4, 20),
            (0.9, 5),
            (0.0, 10),
            (0.8, 3),
            (0.0, 10),
            (0.7, 12),
        ]);
        let d = p.len() as f64 * WINDOW_SECONDS;
        let s = spans(&p, &VadParams::default(), d);
        assert_eq!(s.len(), 2, "{s:?}");
        assert!(
            (s[0].0 - 0.0).abs() < 1e-9 && (s[0].1 - (35.0 * WINDOW_SECONDS + 0.03)).abs() < 1e-9
        );
        assert!((s[1].1 - d).abs() < 1e-9, "{s:?}");
    }

    #[test]
    fn pads_never_overlap() {
        let params = VadParams {
            pad: 0.5,
            ..VadParams::default()
        };
        let p = probs(&[(0.9, 10), (0.0, 6), (0.9, 10)]);
        let s = spans(&p, &params, p.len() as f64 * WINDOW_SECONDS);
        assert_eq!(s.len(), 2);
        assert!(s[0].1 <= s[1].0, "{s:?}");
    }
}
