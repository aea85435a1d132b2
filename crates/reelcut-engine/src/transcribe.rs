//! The transcription stage: the input's speech as timed words, from a cache when this input
//! was already transcribed with the same model and options, else decoded to 16 kHz and run
//! through one shared Whisper model.

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use reelcut_core::transcript::{repair_word_times, Segment, Transcript, Word};
use reelcut_core::CancellationToken;
use reelcut_models::ModelStore;
use reelcut_whisper::{Model, RawTranscript, TranscribeOptions, WhisperError};
use sha2::{Digest, Sha256};

use crate::EngineError;

/// Which model and how to run it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpeechOptions {
    /// A model name from the store (`reelcut models list`) or a path to a ggml file.
    pub model: String,
    /// None: detect (multilingual models) or English (English-only models).
    pub language: Option<String>,
    /// Whisper threads per transcription; 0 = one per core.
    pub threads: usize,
    pub beam_size: u32,
    /// Reuse and store transcripts in the per-user cache.
    pub cache: bool,
}

impl Default for SpeechOptions {
    fn default() -> Self {
        Self {
            model: "tiny.en".into(),
            language: None,
            threads: 0,
            beam_size: 5,
            cache: true,
        }
    }
}

/// Bumped when anything that changes transcripts changes (repair rules, word building), so
/// old cache entries are not reused.
const CACHE_VERSION: u32 = 1;

/// Loaded models, shared by every job of the process: loading is the slow part, and
/// whisper.cpp keeps per-transcription state separately.
static MODELS: OnceLock<Mutex<HashMap<PathBuf, Arc<Model>>>> = OnceLock::new();

fn shared_model(path: &Path) -> Result<Arc<Model>, EngineError> {
    let map = MODELS.get_or_init(|| Mutex::new(HashMap::new()));
    let mut map = map.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(m) = map.get(path) {
        return Ok(Arc::clone(m));
    }
    let m = Arc::new(Model::load(path).map_err(EngineError::Whisper)?);
    map.insert(path.to_path_buf(), Arc::clone(&m));
    Ok(m)
}

/// A model name or file, resolved to a file.
pub fn resolve_model(name_or_path: &str) -> Result<PathBuf, EngineError> {
    let as_path = Path::new(name_or_path);
    if as_path.is_file() {
        return Ok(as_path.to_path_buf());
    }
    let store = ModelStore::open_default().map_err(|e| EngineError::Options(e.to_string()))?;
    match store
        .get(name_or_path)
        .map_err(|e| EngineError::Options(e.to_string()))?
    {
        Some(entry) => {
            let p = store.path_of(&entry);
            if p.is_file() {
                Ok(p)
            } else {
                Err(EngineError::Options(format!(
                    "model '{name_or_path}' is registered but its file {} is missing; import or download it again",
                    p.display()
                )))
            }
        }
        None => Err(EngineError::Options(format!(
            "model '{name_or_path}' is not installed (models live in {}): run scripts/setup.sh, \
             `reelcut models import DIR`, or `reelcut models download {name_or_path}`",
            store.dir().display()
        ))),
    }
}

/// Content fingerprint of an input: size plus SHA-256 of its first and last 4 MiB. Hashing
/// whole videos would take longer than some transcriptions; a re-encode or an edit changes
/// the size or the ends.
fn fingerprint(path: &Path) -> Result<String, EngineError> {
    let io = |source| EngineError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut f = std::fs::File::open(path).map_err(io)?;
    let len = f.metadata().map_err(io)?.len();
    let mut h = Sha256::new();
    h.update(len.to_le_bytes());
    let chunk = 4 << 20;
    let mut buf = vec![0u8; chunk.min(len as usize)];
    f.read_exact(&mut buf).map_err(io)?;
    h.update(&buf);
    if len > chunk as u64 {
        let tail = chunk.min((len - chunk as u64) as usize);
        f.seek(SeekFrom::End(-(tail as i64))).map_err(io)?;
        buf.resize(tail, 0);
        f.read_exact(&mut buf).map_err(io)?;
        h.update(&buf);
    }
    Ok(format!("{:x}", h.finalize()))
}

fn cache_dir() -> Option<PathBuf> {
    reelcut_models::data_dir()
        .ok()
        .map(|d| d.join("cache/transcripts"))
}

fn cache_key(input: &Path, model: &Path, opts: &SpeechOptions) -> Result<String, EngineError> {
    let mut h = Sha256::new();
    h.update(fingerprint(input)?.as_bytes());
    // The model file's identity: its name and size are enough to tell models apart.
    let size = std::fs::metadata(model).map(|m| m.len()).unwrap_or(0);
    h.update(
        format!(
            "{}|{size}|{:?}|{}|v{CACHE_VERSION}",
            model.display(),
            opts.language,
            opts.beam_size
        )
        .as_bytes(),
    );
    Ok(format!("{:x}", h.finalize()))
}

fn from_raw(raw: RawTranscript) -> Transcript {
    let mut t = Transcript {
        language: raw.language,
        model: raw.model,
        duration: raw.duration,
        segments: raw
            .segments
            .into_iter()
            .map(|s| Segment {
                start: s.start,
                end: s.end,
                text: s.text.trim().to_string(),
                confidence: s.confidence,
                words: s
                    .words
                    .into_iter()
                    .map(|w| Word {
                        start: w.start,
                        end: w.end,
                        text: w.text,
                        probability: w.probability,
                    })
                    .collect(),
            })
            .collect(),
    };
    repair_word_times(&mut t);
    t
}

/// Whether the transcript came from the cache.
pub struct Transcribed {
    pub transcript: Transcript,
    pub cached: bool,
}

/// Transcribes `input` (any file ffmpeg reads). Blocking.
pub fn transcribe_input(
    input: &Path,
    opts: &SpeechOptions,
    cancel: &CancellationToken,
    progress: &mut dyn FnMut(f64),
) -> Result<Transcribed, EngineError> {
    let model_path = resolve_model(&opts.model)?;
    let key = cache_key(input, &model_path, opts)?;
    let cached = cache_dir()
        .filter(|_| opts.cache)
        .map(|d| d.join(format!("{key}.json")));
    if let Some(p) = &cached {
        if let Ok(bytes) = std::fs::read(p) {
            match serde_json::from_slice::<Transcript>(&bytes) {
                Ok(transcript) => {
                    tracing::info!(input = %input.display(), cache = %p.display(), "transcript from cache");
                    progress(1.0);
                    return Ok(Transcribed {
                        transcript,
                        cached: true,
                    });
                }
                Err(e) => {
                    tracing::warn!(cache = %p.display(), error = %e, "unreadable cache entry ignored")
                }
            }
        }
    }
    let model = shared_model(&model_path)?;
    // Refuse a language the model cannot do before spending time on decoding.
    model
        .resolve_language(opts.language.as_deref())
        .map_err(EngineError::Whisper)?;
    let pcm = reelcut_media::audio16k::decode_16k_mono(input, cancel)?;
    if pcm.is_empty() {
        return Err(EngineError::Options(format!(
            "{}: no audio to transcribe",
            input.display()
        )));
    }
    progress(0.05);
    let wopts = TranscribeOptions {
        language: opts.language.clone(),
        threads: opts.threads,
        beam_size: opts.beam_size,
    };
    let raw = model
        .transcribe(&pcm, &wopts, cancel, &mut |f| {
            progress(0.05 + 0.95 * f as f64)
        })
        .map_err(|e| match e {
            WhisperError::Cancelled => EngineError::Media(reelcut_media::MediaError::Cancelled),
            other => EngineError::Whisper(other),
        })?;
    let transcript = from_raw(raw);
    if let Some(p) = &cached {
        if let Err(e) = write_cache(p, &transcript) {
            tracing::warn!(cache = %p.display(), error = %e, "transcript not cached");
        }
    }
    Ok(Transcribed {
        transcript,
        cached: false,
    })
}

fn write_cache(path: &Path, t: &Transcript) -> std::io::Result<()> {
    let json = serde_json::to_vec(t).map_err(std::io::Error::other)?;
    reelcut_core::partial::write_atomic(path, &json)
}
