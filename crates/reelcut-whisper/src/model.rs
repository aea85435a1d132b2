//! A loaded Whisper model: loading, language checks, and the blocking transcription API.
//!
//! The model (weights) is loaded once and shared; every transcription gets its own
//! whisper.cpp state (KV caches, compute buffers), so one `Arc<Model>` can serve several
//! worker threads at once. How one transcription runs is in `job.rs`.

use std::ffi::c_int;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use reelcut_core::CancellationToken;
use whisper_rs::{
    DtwMode, DtwModelPreset, DtwParameters, WhisperContext, WhisperContextParameters,
};

use crate::convert::Hparams;
use crate::job::{self, Job};
use crate::transcript::RawTranscript;
use crate::WhisperError;

/// Whisper's input rate; `transcribe` takes mono f32 samples at this rate.
pub const SAMPLE_RATE: u32 = 16_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranscribeOptions {
    /// ISO 639-1 code ("en", "de") or a language name; None (or "auto") detects the
    /// language with multilingual models and means English with English-only ones.
    pub language: Option<String>,
    /// Worker threads for this transcription; 0 = all cores but one, at most 4. whisper.cpp
    /// is built with OpenBLAS, whose threads and ggml's spin against each other when one
    /// instance has several: on few cores, one thread per instance and several instances on
    /// parts of the audio is faster (what reelcut-engine does; docs/BENCHMARKS.md).
    pub threads: usize,
    /// Beam width; 1 decodes greedily (faster, slightly less accurate).
    pub beam_size: u32,
    /// Text Whisper reads as if it came before the audio: it continues in that style (a
    /// prompt full of "um"s makes it write the fillers it otherwise leaves out).
    pub initial_prompt: Option<String>,
}

impl Default for TranscribeOptions {
    fn default() -> Self {
        Self {
            language: None,
            threads: 0,
            beam_size: 5,
            initial_prompt: None,
        }
    }
}

/// A Whisper model in whisper.cpp's ggml format. `Send + Sync`: share it with `Arc`.
pub struct Model {
    ctx: Arc<WhisperContext>,
    path: PathBuf,
    name: String,
    multilingual: bool,
    workers: Arc<AtomicUsize>,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("path", &self.path)
            .field("name", &self.name)
            .finish()
    }
}

pub(crate) fn install_logging() {
    // whisper.cpp and ggml print to stderr unless hooked; with whisper-rs's tracing backend
    // their lines obey the program's tracing filters instead.
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        whisper_rs::install_logging_hooks();
        // Which CPU features and kernels (AVX-512, LLAMAFILE) this whisper.cpp was built
        // with: `-vv` shows it, for comparing builds.
        tracing::debug!(
            features = whisper_rs::print_system_info(),
            "whisper.cpp build"
        );
    });
}

impl Model {
    /// Loads a ggml model file (as written by [`crate::convert::ct2_to_ggml`] or
    /// downloaded from whisper.cpp). Blocking; takes a fraction of a second for tiny.
    pub fn load(path: &Path) -> Result<Self, WhisperError> {
        install_logging();
        match std::fs::metadata(path) {
            Err(e) => return Err(WhisperError::read(path, e)),
            Ok(m) if !m.is_file() => {
                return Err(WhisperError::Load {
                    path: path.to_path_buf(),
                })
            }
            Ok(_) => {}
        }
        // The dimensions decide the DTW alignment heads, and whisper.cpp fixes those when the
        // context is created: read the header first (cheap), then load for real.
        let hp = read_hparams(path)?;
        let mut params = WhisperContextParameters::default();
        params.use_gpu(false);
        params.dtw_parameters(DtwParameters {
            mode: dtw_mode(&hp),
            ..DtwParameters::default()
        });
        let ctx =
            WhisperContext::new_with_params(path, params).map_err(|_| WhisperError::Load {
                path: path.to_path_buf(),
            })?;
        let multilingual = ctx.is_multilingual();
        Ok(Self {
            ctx: Arc::new(ctx),
            path: path.to_path_buf(),
            name: hp.model_name(),
            multilingual,
            workers: Arc::new(AtomicUsize::new(0)),
        })
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

    /// Transcription threads of this model still running, including those finishing the
    /// pass in flight after their job was cancelled (a scheduler can wait for CPU to free).
    pub fn workers_running(&self) -> usize {
        self.workers.load(Ordering::SeqCst)
    }

    /// The language code to force, or None to detect. Refuses what this model cannot do
    /// instead of letting whisper.cpp silently switch an English-only model to English.
    pub fn resolve_language(
        &self,
        requested: Option<&str>,
    ) -> Result<Option<String>, WhisperError> {
        let requested = requested
            .map(|l| l.trim().to_ascii_lowercase())
            .filter(|l| !l.is_empty() && l != "auto");
        let Some(lang) = requested else {
            return Ok((!self.multilingual).then(|| "en".to_string()));
        };
        // whisper_rs::get_lang_id panics on an interior NUL; codes and names are letters.
        let plausible =
            lang.len() <= 32 && lang.chars().all(|c| c.is_ascii_alphabetic() || c == ' ');
        let code = plausible
            .then(|| whisper_rs::get_lang_id(&lang))
            .flatten()
            .and_then(whisper_rs::get_lang_str)
            .ok_or_else(|| WhisperError::UnknownLanguage(lang.clone()))?;
        if !self.multilingual && code != "en" {
            return Err(WhisperError::EnglishOnly {
                model: self.name.clone(),
                language: code.to_string(),
            });
        }
        Ok(Some(code.to_string()))
    }

    /// Transcribes 16 kHz mono samples. Blocking: call it from a worker thread.
    ///
    /// `progress` receives fractions in 0..=1, non-decreasing, ending with 1.0 on success
    /// (whisper.cpp reports once per 30 s window); it runs on the calling thread.
    ///
    /// Cancellation returns [`WhisperError::Cancelled`] within about 20 ms. whisper.cpp can
    /// only stop between an encoder pass and a decoder step (an encoder pass of tiny takes
    /// seconds on a busy two-core machine), so the work runs on its own thread, which is
    /// told to stop and finishes the pass in flight on its own; this call does not wait for
    /// it ([`Model::workers_running`] says when it is done).
    /// The samples are copied for that thread; [`Model::transcribe_shared`] avoids the copy.
    pub fn transcribe(
        &self,
        pcm_16k_mono: &[f32],
        opts: &TranscribeOptions,
        cancel: &CancellationToken,
        progress: &mut dyn FnMut(f32),
    ) -> Result<RawTranscript, WhisperError> {
        // Checked before copying anything: a refused language or a cancelled job is instant.
        self.resolve_language(opts.language.as_deref())?;
        if cancel.is_cancelled() {
            return Err(WhisperError::Cancelled);
        }
        self.transcribe_shared(Arc::from(pcm_16k_mono), opts, cancel, progress)
    }

    /// The language spoken in the first 30 s of `pcm_16k_mono` (give it speech: silence
    /// is "detected" as anything), and its probability: one encoder pass, a second or less
    /// for base on one core. English-only models answer "en".
    pub fn detect_language(&self, pcm_16k_mono: &[f32]) -> Result<(String, f32), WhisperError> {
        if !self.multilingual {
            return Ok(("en".into(), 1.0));
        }
        let window = &pcm_16k_mono[..pcm_16k_mono.len().min(30 * SAMPLE_RATE as usize)];
        let whisper = |stage: &'static str| move |source| WhisperError::Whisper { stage, source };
        let mut state = self
            .ctx
            .create_state()
            .map_err(whisper("creating a state"))?;
        state
            .pcm_to_mel(window, 1)
            .map_err(whisper("computing the spectrogram"))?;
        let (id, probs) = state
            .lang_detect(0, 1)
            .map_err(whisper("detecting the language"))?;
        let code = whisper_rs::get_lang_str(id).unwrap_or("en").to_string();
        let p = usize::try_from(id)
            .ok()
            .and_then(|i| probs.get(i).copied())
            .unwrap_or(0.0);
        Ok((code, p))
    }

    /// [`Model::transcribe`] for samples the caller already holds in an `Arc`.
    pub fn transcribe_shared(
        &self,
        pcm_16k_mono: Arc<[f32]>,
        opts: &TranscribeOptions,
        cancel: &CancellationToken,
        progress: &mut dyn FnMut(f32),
    ) -> Result<RawTranscript, WhisperError> {
        let language = self.resolve_language(opts.language.as_deref())?;
        if cancel.is_cancelled() {
            return Err(WhisperError::Cancelled);
        }
        let job = Job {
            ctx: Arc::clone(&self.ctx),
            model: self.name.clone(),
            language,
            threads: threads(opts.threads),
            beam_size: opts.beam_size,
            initial_prompt: opts.initial_prompt.clone(),
            pcm: pcm_16k_mono,
            workers: Arc::clone(&self.workers),
        };
        job::run(job, cancel, progress)
    }
}

/// The hyper-parameters in a ggml file's header (magic, then ten i32).
fn read_hparams(path: &Path) -> Result<Hparams, WhisperError> {
    use std::io::Read;
    let mut header = [0u8; 44];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut header))
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::UnexpectedEof {
                WhisperError::Load {
                    path: path.to_path_buf(),
                }
            } else {
                WhisperError::read(path, e)
            }
        })?;
    let word = |i: usize| {
        u32::from_le_bytes([
            header[4 * i],
            header[4 * i + 1],
            header[4 * i + 2],
            header[4 * i + 3],
        ])
    };
    if word(0) != 0x6767_6d6c {
        return Err(WhisperError::Load {
            path: path.to_path_buf(),
        });
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
        _ => {
            return DtwMode::TopMost {
                n_top: (hp.n_text_layer as c_int / 2).max(1),
            }
        }
    };
    DtwMode::ModelPreset {
        model_preset: preset,
    }
}

/// 0 means: leave a core free, and at most 4. ggml's worker threads spin at barriers
/// between graph nodes, so when renders or other jobs compete for the cores, more threads
/// make Whisper slower, not faster (measured on 2 busy cores: 21 s with 2 threads, 9 s
/// with 1, for 30 s of speech). whisper.cpp's own default is min(4, cores).
fn threads(requested: usize) -> c_int {
    let n = if requested == 0 {
        std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .saturating_sub(1)
            .clamp(1, 4)
    } else {
        requested
    };
    n.clamp(1, 64) as c_int
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_can_be_shared_across_threads() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<Model>();
        send_sync::<std::sync::Arc<Model>>();
    }

    #[test]
    fn thread_count_defaults_leave_a_core_free() {
        assert!((1..=4).contains(&threads(0)));
        assert_eq!(threads(3), 3);
    }
}
