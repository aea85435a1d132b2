//! A loaded Whisper model and blocking transcription with word times.
//!
//! The model (weights) is loaded once and shared; every transcription gets its own
//! whisper.cpp state (KV caches, compute buffers), so one `Arc<Model>` can serve several
//! worker threads at once. Cancellation reaches whisper.cpp through its abort callback,
//! which it consults after each encoder pass and each decoder step.

use std::any::Any;
use std::ffi::{c_int, c_void};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use reelcut_core::CancellationToken;
use whisper_rs::{
    DtwMode, DtwModelPreset, DtwParameters, FullParams, SamplingStrategy, WhisperContext, WhisperContextParameters,
    WhisperState,
};

use crate::convert::Hparams;
use crate::timing::Silences;
use crate::transcript::{RawSegment, RawTranscript};
use crate::words::{self, Token};
use crate::WhisperError;

/// Whisper's input rate; `transcribe` takes mono f32 samples at this rate.
pub const SAMPLE_RATE: u32 = 16_000;

/// whisper.cpp reports times in centiseconds.
const CS: f64 = 0.01;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranscribeOptions {
    /// ISO 639-1 code ("en", "de") or a language name; None (or "auto") detects the
    /// language with multilingual models and means English with English-only ones.
    pub language: Option<String>,
    /// Worker threads for this transcription; 0 = one per core (at most 8).
    pub threads: usize,
    /// Beam width; 1 decodes greedily (faster, slightly less accurate).
    pub beam_size: u32,
}

impl Default for TranscribeOptions {
    fn default() -> Self {
        Self { language: None, threads: 0, beam_size: 5 }
    }
}

/// A Whisper model in whisper.cpp's ggml format. `Send + Sync`: share it with `Arc`.
pub struct Model {
    ctx: WhisperContext,
    path: PathBuf,
    name: String,
    multilingual: bool,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model").field("path", &self.path).field("name", &self.name).finish()
    }
}

pub(crate) fn install_logging() {
    // whisper.cpp and ggml print to stderr unless hooked; with whisper-rs's tracing backend
    // their lines obey the program's tracing filters instead.
    whisper_rs::install_logging_hooks();
}

impl Model {
    /// Loads a ggml model file (as written by [`crate::convert::ct2_to_ggml`] or
    /// downloaded from whisper.cpp). Blocking; takes a fraction of a second for tiny.
    pub fn load(path: &Path) -> Result<Self, WhisperError> {
        install_logging();
        match std::fs::metadata(path) {
            Err(e) => return Err(WhisperError::read(path, e)),
            Ok(m) if !m.is_file() => return Err(WhisperError::Load { path: path.to_path_buf() }),
            Ok(_) => {}
        }
        // The dimensions decide the DTW alignment heads, and whisper.cpp fixes those when the
        // context is created: read the header first (cheap), then load for real.
        let hp = read_hparams(path)?;
        let mut params = WhisperContextParameters::default();
        params.use_gpu(false);
        params.dtw_parameters(DtwParameters { mode: dtw_mode(&hp), ..DtwParameters::default() });
        let ctx = WhisperContext::new_with_params(path, params)
            .map_err(|_| WhisperError::Load { path: path.to_path_buf() })?;
        let multilingual = ctx.is_multilingual();
        Ok(Self { ctx, path: path.to_path_buf(), name: hp.model_name(), multilingual })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// "tiny.en", "base", ... (from the model's dimensions).
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn is_multilingual(&self) -> bool {
        self.multilingual
    }

    /// The language code to force, or None to detect. Refuses what this model cannot do
    /// instead of letting whisper.cpp silently switch an English-only model to English.
    pub fn resolve_language(&self, requested: Option<&str>) -> Result<Option<String>, WhisperError> {
        let requested = requested.map(|l| l.trim().to_ascii_lowercase()).filter(|l| !l.is_empty() && l != "auto");
        let Some(lang) = requested else {
            return Ok((!self.multilingual).then(|| "en".to_string()));
        };
        // whisper_rs::get_lang_id panics on an interior NUL; codes and names are letters.
        let plausible = lang.len() <= 32 && lang.chars().all(|c| c.is_ascii_alphabetic() || c == ' ');
        let code = plausible
            .then(|| whisper_rs::get_lang_id(&lang))
            .flatten()
            .and_then(whisper_rs::get_lang_str)
            .ok_or_else(|| WhisperError::UnknownLanguage(lang.clone()))?;
        if !self.multilingual && code != "en" {
            return Err(WhisperError::EnglishOnly { model: self.name.clone(), language: code.to_string() });
        }
        Ok(Some(code.to_string()))
    }

    /// Transcribes 16 kHz mono samples. Blocking: run it on a worker thread.
    ///
    /// `progress` receives fractions in 0..=1, non-decreasing, ending with 1.0 on success
    /// (whisper.cpp reports once per 30 s window). When `cancel` fires, whisper.cpp stops
    /// after the encoder pass or decoder step in flight and this returns
    /// [`WhisperError::Cancelled`].
    pub fn transcribe(
        &self,
        pcm_16k_mono: &[f32],
        opts: &TranscribeOptions,
        cancel: &CancellationToken,
        progress: &mut dyn FnMut(f32),
    ) -> Result<RawTranscript, WhisperError> {
        let language = self.resolve_language(opts.language.as_deref())?;
        if cancel.is_cancelled() {
            return Err(WhisperError::Cancelled);
        }
        let duration = pcm_16k_mono.len() as f64 / f64::from(SAMPLE_RATE);
        let n_samples = c_int::try_from(pcm_16k_mono.len()).map_err(|_| WhisperError::AudioTooLong { seconds: duration })?;
        let mut transcript = RawTranscript {
            language: language.clone().unwrap_or_else(|| "en".into()),
            duration,
            model: self.name.clone(),
            segments: Vec::new(),
        };
        if n_samples == 0 {
            // whisper.cpp cannot take an empty buffer; silence of length zero says nothing.
            progress(1.0);
            return Ok(transcript);
        }

        let mut state = self.ctx.create_state().map_err(|source| WhisperError::Whisper { stage: "creating a state", source })?;
        let strategy = if opts.beam_size > 1 {
            SamplingStrategy::BeamSearch { beam_size: opts.beam_size.min(16) as c_int, patience: -1.0 }
        } else {
            SamplingStrategy::Greedy { best_of: 1 }
        };
        let mut params = FullParams::new(strategy);
        params.set_n_threads(threads(opts.threads));
        params.set_language(language.as_deref());
        params.set_translate(false);
        params.set_token_timestamps(true);
        params.set_print_progress(false);
        params.set_print_realtime(false);
        params.set_print_special(false);
        params.set_print_timestamps(false);

        let abort = AbortData { cancel, callback_panicked: AtomicBool::new(false) };
        let mut prog = ProgressData { sink: progress, last: 0.0, panic: None, abort: &abort };
        // SAFETY: both user-data pointers outlive `state.full`, the only call that uses
        // them (params is consumed by it). whisper.cpp calls both callbacks on this thread,
        // between graph computations; the abort data is only read through shared references.
        unsafe {
            params.set_abort_callback(Some(abort_trampoline));
            params.set_abort_callback_user_data(&abort as *const AbortData as *mut c_void);
            params.set_progress_callback(Some(progress_trampoline));
            params.set_progress_callback_user_data(&mut prog as *mut ProgressData as *mut c_void);
        }
        let result = state.full(params, &pcm_16k_mono[..n_samples as usize]);
        if let Some(payload) = prog.panic.take() {
            std::panic::resume_unwind(payload);
        }
        if cancel.is_cancelled() {
            return Err(WhisperError::Cancelled);
        }
        result.map_err(|source| WhisperError::Whisper { stage: "transcribing", source })?;

        if language.is_none() {
            let id = state.full_lang_id_from_state();
            if let Some(code) = whisper_rs::get_lang_str(id) {
                transcript.language = code.to_string();
            }
        }
        transcript.segments = self.segments(&state, pcm_16k_mono, duration);
        report(&mut prog, 1.0);
        Ok(transcript)
    }

    fn segments(&self, state: &WhisperState, pcm: &[f32], duration: f64) -> Vec<RawSegment> {
        let eot = self.ctx.token_eot();
        let silences = Silences::detect(pcm);
        let mut out: Vec<RawSegment> = Vec::new();
        let mut floor = 0.0;
        // Where the previous spoken token ended: the next token starts there (DTW times).
        let mut spoken_end = 0.0f64;
        for seg in state.as_iter() {
            let seg_start = (seg.start_timestamp() as f64 * CS).clamp(floor, duration);
            spoken_end = spoken_end.max(seg_start);
            let mut tokens = Vec::new();
            for j in 0..seg.n_tokens() {
                let Some(tok) = seg.get_token(j) else { continue };
                // Ids from <|endoftext|> up are control and timestamp tokens
                // ([_BEG_], [_TT_n], language tags...), never text.
                if tok.token_id() >= eot {
                    continue;
                }
                let Ok(bytes) = tok.to_bytes() else { continue };
                let data = tok.token_data();
                let spoken = words::is_spoken(bytes);
                let (start, end) = if data.t_dtw >= 0 {
                    if spoken {
                        let end = (data.t_dtw as f64 * CS).max(spoken_end);
                        (std::mem::replace(&mut spoken_end, end), end)
                    } else {
                        (spoken_end, spoken_end)
                    }
                } else {
                    // No DTW time (alignment unavailable): whisper.cpp's timestamp-token estimate.
                    (data.t0 as f64 * CS, data.t1 as f64 * CS)
                };
                tokens.push(Token { bytes: bytes.to_vec(), probability: data.p, start, end });
            }
            let confidence = if tokens.is_empty() {
                0.0
            } else {
                tokens.iter().map(|t| t.probability).sum::<f32>() / tokens.len() as f32
            };
            let mut words: Vec<_> = words::merge(&tokens).into_iter().filter(|w| !words::is_annotation(&w.text)).collect();
            if words.is_empty() {
                continue;
            }
            words::settle(&mut words, floor, 0.0, duration);
            silences.snap(&mut words);
            let last_end = words::settle(&mut words, floor, 0.0, duration);
            let first_start = words.first().map_or(seg_start, |w| w.start);
            floor = last_end;
            out.push(RawSegment {
                start: first_start,
                end: last_end.max(first_start),
                text: words.iter().map(|w| w.text.as_str()).collect::<Vec<_>>().join(" "),
                confidence,
                no_speech_probability: seg.no_speech_probability(),
                words,
            });
        }
        out
    }
}

/// The hyper-parameters in a ggml file's header (magic, then ten i32).
fn read_hparams(path: &Path) -> Result<Hparams, WhisperError> {
    use std::io::Read;
    let mut header = [0u8; 44];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut header))
        .map_err(|e| if e.kind() == std::io::ErrorKind::UnexpectedEof { WhisperError::Load { path: path.to_path_buf() } } else { WhisperError::read(path, e) })?;
    let word = |i: usize| u32::from_le_bytes([header[4 * i], header[4 * i + 1], header[4 * i + 2], header[4 * i + 3]]);
    if word(0) != 0x6767_6d6c {
        return Err(WhisperError::Load { path: path.to_path_buf() });
    }
    Ok(Hparams {
        n_vocab: word(1),
        n_audio_ctx: word(2),
        n_audio_state: word(3),
        n_audio_head: word(4),
        n_audio_layer: word(5),
        n_text_ctx: word(6),
        n_text_state: word(7),
        n_text_head: word(8),
        n_text_layer: word(9),
        n_mels: word(10),
    })
}

/// OpenAI's alignment heads for the official models; for anything else (including
/// "large", where v1 and v2 share dimensions but not heads) OpenAI's own fallback, the
/// upper half of the decoder layers.
fn dtw_mode(hp: &Hparams) -> DtwMode<'static> {
    let preset = match hp.model_name().as_str() {
        "tiny.en" => DtwModelPreset::TinyEn,
        "tiny" => DtwModelPreset::Tiny,
        "base.en" => DtwModelPreset::BaseEn,
        "base" => DtwModelPreset::Base,
        "small.en" => DtwModelPreset::SmallEn,
        "small" => DtwModelPreset::Small,
        "medium.en" => DtwModelPreset::MediumEn,
        "medium" => DtwModelPreset::Medium,
        "large-v3" => DtwModelPreset::LargeV3,
        "large-v3-turbo" => DtwModelPreset::LargeV3Turbo,
        _ => return DtwMode::TopMost { n_top: (hp.n_text_layer as c_int / 2).max(1) },
    };
    DtwMode::ModelPreset { model_preset: preset }
}

fn threads(requested: usize) -> c_int {
    let n = if requested == 0 {
        std::thread::available_parallelism().map_or(4, |n| n.get()).min(8)
    } else {
        requested
    };
    n.clamp(1, 64) as c_int
}

struct AbortData<'a> {
    cancel: &'a CancellationToken,
    /// Set when the progress sink panicked: stop whisper, then re-raise the panic.
    callback_panicked: AtomicBool,
}

struct ProgressData<'a, 'b> {
    sink: &'a mut dyn FnMut(f32),
    last: f32,
    panic: Option<Box<dyn Any + Send>>,
    abort: &'b AbortData<'b>,
}

fn report(data: &mut ProgressData<'_, '_>, fraction: f32) {
    if data.panic.is_some() {
        return;
    }
    let fraction = fraction.clamp(data.last, 1.0);
    data.last = fraction;
    let sink = &mut data.sink;
    // A panic must not unwind into C++; it is carried out and re-raised after `full`.
    if let Err(payload) = catch_unwind(AssertUnwindSafe(|| sink(fraction))) {
        data.panic = Some(payload);
        data.abort.callback_panicked.store(true, Ordering::Relaxed);
    }
}

unsafe extern "C" fn abort_trampoline(user_data: *mut c_void) -> bool {
    // SAFETY: set to a live `AbortData` for the duration of `full` (see `transcribe`).
    let data = unsafe { &*(user_data as *const AbortData) };
    data.cancel.is_cancelled() || data.callback_panicked.load(Ordering::Relaxed)
}

unsafe extern "C" fn progress_trampoline(
    _ctx: *mut whisper_rs::WhisperSysContext,
    _state: *mut whisper_rs::WhisperSysState,
    percent: c_int,
    user_data: *mut c_void,
) {
    // SAFETY: set to a live, otherwise unborrowed `ProgressData` for the duration of `full`.
    let data = unsafe { &mut *(user_data as *mut ProgressData) };
    report(data, percent as f32 / 100.0);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_count_defaults_to_the_cores() {
        assert!(threads(0) >= 1 && threads(0) <= 8);
        assert_eq!(threads(3), 3);
    }
}
