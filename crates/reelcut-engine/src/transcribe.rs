//! The transcription stage: the input's speech as timed words, from a cache when this input
//! was already transcribed with the same model and options, else decoded to 16 kHz and run
//! through one shared Whisper model.

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use reelcut_core::transcript::{repair_word_times, Segment, Transcript, Word};
use reelcut_core::CancellationToken;
use reelcut_models::ModelStore;
use reelcut_whisper::{Model, RawTranscript, TranscribeOptions, WhisperError};
use sha2::{Digest, Sha256};

use crate::speech_model::Choice;
use crate::voiced::Voiced;
use crate::{Assets, EngineError, Resources};

/// Which model and how to run it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct SpeechOptions {
    /// A model name from the store (`reelcut models list`), a path to a ggml file, or
    /// "auto": tiny.en for English, base for other languages (see `speech_model.rs`).
    pub model: String,
    /// None: detect (multilingual models) or English (English-only models).
    pub language: Option<String>,
    /// Whisper threads per transcription; 0 = one per core.
    pub threads: usize,
    pub beam_size: u32,
    /// Reuse and store transcripts in the per-user cache.
    pub cache: bool,
    /// Audio is transcribed in pieces of about this length (cut in the quietest moment
    /// near the boundary), so memory stays bounded whatever the input's length.
    pub chunk_seconds: u32,
    /// Only what voice activity detection calls speech is transcribed (see `voiced.rs`).
    pub vad: bool,
    /// Write filler words ("um", "uh") down as spoken instead of leaving them out (Whisper's
    /// habit), with a prompt in the transcript's language (see
    /// [`reelcut_core::jumpcut::verbatim_prompt`]); needs a known language. Cutting fillers
    /// turns it on.
    pub verbatim: bool,
}

impl Default for SpeechOptions {
    fn default() -> Self {
        Self {
            model: crate::speech_model::AUTO.into(),
            language: None,
            threads: 0,
            beam_size: 5,
            cache: true,
            chunk_seconds: 600,
            vad: true,
            verbatim: false,
        }
    }
}

/// Bumped when anything that changes transcripts changes (repair rules, word building), so
/// old cache entries are not reused. 2: word edges from the audio, voice activity gating.
const CACHE_VERSION: u32 = 2;

/// A model name or file, resolved to a file.
///
/// A name the store knows wins over a file of that name in the working folder (a `tiny.en`
/// lying among someone's videos must not replace the installed model); anything else that
/// names a file is that file.
pub fn resolve_model(name_or_path: &str) -> Result<PathBuf, EngineError> {
    let as_path = Path::new(name_or_path);
    let known = reelcut_models::find(name_or_path)?;
    if known.is_none() && as_path.is_file() {
        return Ok(as_path.to_path_buf());
    }
    match known {
        Some((_, store, entry)) => {
            let p = store.path_of(&entry);
            if p.is_file() {
                Ok(p)
            } else {
                Err(EngineError::Model(format!(
                    "model '{name_or_path}' is registered but its file {} is missing; import or download it again",
                    p.display()
                )))
            }
        }
        None => Err(EngineError::Model(format!(
            "model '{name_or_path}' is not installed (models live in {}): run `reelcut doctor`, \
             `reelcut models import DIR|FILE`, or `reelcut models download {name_or_path}`",
            ModelStore::open_default()?.dir().display()
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

fn cache_key(
    input: &Path,
    audio_track: Option<usize>,
    models: &[PathBuf],
    opts: &SpeechOptions,
) -> Result<String, EngineError> {
    let mut h = Sha256::new();
    h.update(fingerprint(input)?.as_bytes());
    if let Some(n) = audio_track {
        // Absent for the default track, so existing cache entries stay valid.
        h.update(format!("|track{n}").as_bytes());
    }
    if opts.verbatim {
        h.update(b"|verbatim");
    }
    // The model files' identity: names and sizes are enough to tell models apart.
    let mut identity = String::new();
    for model in models {
        let size = std::fs::metadata(model).map(|m| m.len()).unwrap_or(0);
        identity.push_str(&format!("{}|{size}|", model.display()));
    }
    h.update(
        format!(
            "{}{identity}{:?}|{}|vad{}|v{CACHE_VERSION}",
            if opts.model == crate::speech_model::AUTO {
                "auto|"
            } else {
                ""
            },
            opts.language,
            opts.beam_size,
            opts.vad
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

/// Transcribes `input` (any file ffmpeg reads): its `audio_track`-th audio stream, or the
/// default one (as the render takes). Blocking.
pub fn transcribe_input(
    resources: &Resources,
    assets: &Assets,
    input: &Path,
    audio_track: Option<usize>,
    opts: &SpeechOptions,
    cancel: &CancellationToken,
    progress: &mut dyn FnMut(f64),
) -> Result<Transcribed, EngineError> {
    let files = crate::speech_model::files(&opts.model)?;
    let key = cache_key(input, audio_track, &files, opts)?;
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
    let choice = Choice::load(resources, &opts.model)?;
    // Refuse a language the model cannot do before spending time on decoding.
    choice.check_language(opts.language.as_deref())?;
    let mut speech = Speech {
        choice,
        vad: if opts.vad {
            resources.vad(assets)
        } else {
            None
        },
        chosen: None,
    };
    let raw = transcribe_chunked(input, audio_track, &mut speech, opts, cancel, progress)?;
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

/// Where to cut `buf` near sample `at`: the middle of a quiet 100 ms window within `reach`
/// samples either side (a pause between words, with luck between sentences). Of the windows
/// about as quiet as the quietest (within 6 dB, or under -60 dBFS), the one nearest `at`
/// wins: parts decoded in parallel stay about equal, and the slowest part sets the time.
fn quiet_point(buf: &[f32], at: usize, reach: usize) -> usize {
    let win = 1600;
    let lo = at.saturating_sub(reach);
    let hi = (at + reach).min(buf.len().saturating_sub(win));
    let energy: Vec<(usize, f32)> = (lo..hi.max(lo + 1))
        .step_by(win / 2)
        .map(|i| {
            let e = buf[i..(i + win).min(buf.len())]
                .iter()
                .map(|x| x * x)
                .sum::<f32>();
            (i, e)
        })
        .collect();
    let quietest = energy.iter().map(|e| e.1).fold(f32::INFINITY, f32::min);
    let quiet_enough = (quietest * 4.0).max(1e-6 * win as f32);
    energy
        .iter()
        .filter(|e| e.1 <= quiet_enough)
        .min_by_key(|e| (e.0 + win / 2).abs_diff(at))
        .map_or(at, |e| (e.0 + win / 2).min(buf.len()))
}

/// Parts shorter than this are not worth another whisper state: a part costs at least one
/// encoder pass over a 30 s window, and starts without the previous text as context.
const MIN_PARALLEL_SECONDS: usize = 15;

/// How many threads a transcription may use in all: `threads`, or one per core for 0.
fn total_threads(threads: usize) -> usize {
    if threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        threads
    }
}

/// `REELCUT_WHISPER_SPLIT=0`: one part with all threads in it (for comparisons).
fn split_disabled() -> bool {
    std::env::var("REELCUT_WHISPER_SPLIT").is_ok_and(|v| v.trim() == "0")
}

/// Into how many parts, decoded at the same time, a piece of `samples` is split: one per
/// thread, each at least [`MIN_PARALLEL_SECONDS`] long.
///
/// Every part runs on its own whisper state with one thread ([`instance_threads`]): one
/// whisper.cpp instance with several threads meets at ggml's spinning barriers after every
/// graph node, and OpenBLAS's threads spin between its calls too; when anything else wants
/// a core (renders, other jobs, a compiler) a descheduled thread holds all the others, and
/// 172 s of speech took 100-155 s with two threads on two busy cores instead of 15-18 s.
/// Independent single-threaded parts have no barrier (docs/BENCHMARKS.md).
fn parallel_parts(samples: usize, threads: usize) -> usize {
    if split_disabled() {
        return 1;
    }
    let longest = samples / (MIN_PARALLEL_SECONDS * RATE);
    total_threads(threads).min(longest).max(1)
}

/// Threads of each whisper instance: one (see [`parallel_parts`]), also for audio too short
/// to split (10 s of speech: 2.0 s with one thread, 2.3-2.7 s with two on two cores).
fn instance_threads(threads: usize) -> usize {
    if split_disabled() {
        total_threads(threads)
    } else {
        1
    }
}

const RATE: usize = 16_000;

/// Cut points splitting `buf` into `parts` parts of about equal length, each cut in a quiet
/// moment: `[0, c1, .., len]`.
fn split_points(buf: &[f32], parts: usize) -> Vec<usize> {
    let len = buf.len();
    let reach = (10 * RATE).min(len / (4 * parts.max(1)));
    let mut cuts = vec![0];
    for i in 1..parts {
        let cut = quiet_point(buf, len * i / parts, reach);
        if cut > *cuts.last().unwrap_or(&0) && cut < len {
            cuts.push(cut);
        }
    }
    cuts.push(len);
    cuts
}

fn whisper_error(e: WhisperError) -> EngineError {
    match e {
        WhisperError::Cancelled => EngineError::Media(reelcut_media::MediaError::Cancelled),
        other => EngineError::Whisper(other),
    }
}

/// Every time of `raw` through `map` (to the recording's times), rounded to milliseconds.
fn shifted(raw: RawTranscript, map: impl Fn(f64) -> f64) -> Vec<reelcut_whisper::RawSegment> {
    let shift = |t: f64| (map(t) * 1000.0).round() / 1000.0;
    raw.segments
        .into_iter()
        .map(|mut s| {
            s.start = shift(s.start);
            s.end = shift(s.end);
            for w in &mut s.words {
                w.start = shift(w.start);
                w.end = shift(w.end);
            }
            s
        })
        .collect()
}

/// Transcribes one piece, split into `parts` parts decoded at the same time, each on its own
/// thread and whisper state of the shared model. Returns each part's start (in samples,
/// within `piece`) and transcript. `progress` gets the fraction of the piece done.
fn transcribe_parts(
    model: &Model,
    piece: &[f32],
    wopts: &TranscribeOptions,
    parts: usize,
    cancel: &CancellationToken,
    progress: &mut dyn FnMut(f64),
) -> Result<Vec<(usize, RawTranscript)>, EngineError> {
    let cuts = split_points(piece, parts);
    let parts = cuts.len() - 1;
    let per_part = TranscribeOptions {
        threads: instance_threads(wopts.threads),
        ..wopts.clone()
    };
    if parts <= 1 {
        let raw = model
            .transcribe(piece, &per_part, cancel, &mut |f| progress(f64::from(f)))
            .map_err(whisper_error)?;
        return Ok(vec![(0, raw)]);
    }
    // One part failing stops the others; the caller's token stops them all.
    let stop = cancel.child_token();
    let done: Vec<AtomicU32> = (0..parts).map(|_| AtomicU32::new(0)).collect();
    let mut last = -1.0;
    let results = std::thread::scope(|s| {
        let handles: Vec<_> = (0..parts)
            .map(|i| {
                let part = &piece[cuts[i]..cuts[i + 1]];
                let (done, stop, o) = (&done[i], &stop, &per_part);
                std::thread::Builder::new()
                    .name(format!("transcribe-part-{i}"))
                    .spawn_scoped(s, move || {
                        let r = model.transcribe(part, o, stop, &mut |f| {
                            done.store(f.to_bits(), Ordering::Relaxed)
                        });
                        if r.is_err() {
                            stop.cancel();
                        }
                        r
                    })
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| {
                stop.cancel();
                EngineError::internal("cannot start a transcription thread", e)
            })?;
        loop {
            let finished = handles.iter().all(|h| h.is_finished());
            let fraction = (0..parts)
                .map(|i| {
                    f64::from(f32::from_bits(done[i].load(Ordering::Relaxed)))
                        * (cuts[i + 1] - cuts[i]) as f64
                })
                .sum::<f64>()
                / piece.len() as f64;
            if fraction > last {
                last = fraction;
                progress(fraction.clamp(0.0, 1.0));
            }
            if finished {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Ok::<_, EngineError>(
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect::<Vec<_>>(),
        )
    })?;
    // The error that stopped the others, not the cancellations it caused.
    let (mut ok, mut failure, mut cancelled) = (Vec::new(), None, false);
    for r in results {
        match r {
            Ok(t) => ok.push(t),
            Err(WhisperError::Cancelled) => cancelled = true,
            Err(e) => failure = failure.or(Some(e)),
        }
    }
    if let Some(e) = failure {
        return Err(EngineError::Whisper(e));
    }
    if cancelled {
        return Err(whisper_error(WhisperError::Cancelled));
    }
    let results = ok;
    let mut results: Vec<(usize, RawTranscript)> = cuts.iter().copied().zip(results).collect();
    // The first part's language is kept for the rest (multilingual models detect it per
    // part; a part heard as another language is decoded again in the first one's).
    let first = results[0].1.language.clone();
    for (i, r) in results.iter_mut().enumerate().skip(1) {
        if r.1.language != first {
            let o = TranscribeOptions {
                language: Some(first.clone()),
                ..per_part.clone()
            };
            r.1 = model
                .transcribe(&piece[cuts[i]..cuts[i + 1]], &o, cancel, &mut |_| {})
                .map_err(whisper_error)?;
        }
    }
    Ok(results)
}

/// Decodes `input` at 16 kHz and transcribes it piece by piece: only one piece of samples
/// (about `chunk_seconds`) is held at a time, so a two-hour file needs tens of megabytes,
/// not gigabytes. Each piece is split into parts decoded in parallel ([`transcribe_parts`]).
/// The first part's language is kept for the rest.
fn transcribe_chunked(
    input: &Path,
    audio_track: Option<usize>,
    speech: &mut Speech,
    opts: &SpeechOptions,
    cancel: &CancellationToken,
    progress: &mut dyn FnMut(f64),
) -> Result<RawTranscript, EngineError> {
    let total = reelcut_media::probe(input)
        .map(|i| i.duration)
        .unwrap_or(0.0);
    let chunk = opts.chunk_seconds.max(5) as usize * RATE;
    // Look for the cut up to 10 s (at most a quarter piece) either side of the nominal end.
    let reach = (10 * RATE).min(chunk / 4);
    let mut wopts = TranscribeOptions {
        language: opts.language.clone(),
        threads: opts.threads,
        beam_size: opts.beam_size,
        initial_prompt: None,
    };
    let mut out: Option<RawTranscript> = None;
    let mut buf: Vec<f32> = Vec::new();
    let mut offset = 0usize;
    let mut failure: Option<EngineError> = None;
    let mut run = |piece: &[f32],
                   offset: usize,
                   wopts: &mut TranscribeOptions,
                   out: &mut Option<RawTranscript>|
     -> Result<(), EngineError> {
        let start = offset as f64 / RATE as f64;
        let len = piece.len() as f64 / RATE as f64;
        let voiced = speech.voiced(piece, cancel)?;
        let condensed;
        let audio = match &voiced {
            Some(v) => {
                condensed = v.condense(piece, RATE);
                &condensed[..]
            }
            None => piece,
        };
        if voiced.as_ref().is_some_and(Voiced::is_empty) || audio.len() < RATE / 10 {
            // No speech in this piece: no words, and nothing for Whisper to invent them in.
            tracing::debug!(start, len, "no speech in this piece");
        } else {
            let model = speech.model_for(audio, wopts)?;
            if opts.verbatim && wopts.initial_prompt.is_none() {
                // The prompt must be in the language spoken (an English one would also push
                // detection towards English): the one named, detected, or the model's own.
                let language = wopts
                    .language
                    .clone()
                    .or_else(|| (!model.is_multilingual()).then(|| "en".to_string()));
                wopts.initial_prompt = language
                    .as_deref()
                    .and_then(reelcut_core::jumpcut::verbatim_prompt)
                    .map(str::to_string);
                if wopts.initial_prompt.is_none() {
                    tracing::warn!(language = ?language, "no filler prompt for this language: fillers are transcribed as Whisper likes");
                }
            }
            let parts = parallel_parts(audio.len(), wopts.threads);
            let results = transcribe_parts(&model, audio, wopts, parts, cancel, &mut |f| {
                if total > 0.0 {
                    progress(((start + f * len) / total).clamp(0.0, 0.999));
                }
            })?;
            for (at, raw) in results {
                if wopts.language.is_none() {
                    wopts.language = Some(raw.language.clone());
                }
                let t = out.get_or_insert_with(|| RawTranscript {
                    language: raw.language.clone(),
                    duration: 0.0,
                    model: raw.model.clone(),
                    segments: Vec::new(),
                });
                let at = at as f64 / RATE as f64;
                t.segments.extend(shifted(raw, |x| {
                    start + voiced.as_ref().map_or(at + x, |v| v.to_original(at + x))
                }));
            }
        }
        if let Some(t) = out {
            t.duration = start + len;
        }
        Ok(())
    };
    reelcut_media::audio16k::decode_16k_mono_track(input, audio_track, cancel, &mut |samples| {
        if failure.is_some() {
            return;
        }
        buf.extend_from_slice(samples);
        if buf.len() >= chunk + reach {
            let cut = quiet_point(&buf, chunk, reach);
            let piece: Vec<f32> = buf.drain(..cut).collect();
            if let Err(e) = run(&piece, offset, &mut wopts, &mut out) {
                failure = Some(e);
            }
            offset += cut;
        }
    })?;
    if let Some(e) = failure {
        return Err(e);
    }
    // The rest (at most a piece and a half); a sliver under 0.1 s holds no speech.
    if buf.len() >= RATE / 10 || out.is_none() {
        if buf.is_empty() {
            return Err(EngineError::NoAudio {
                path: input.to_path_buf(),
            });
        }
        run(&buf, offset, &mut wopts, &mut out)?;
    }
    progress(1.0);
    let heard = (offset + buf.len()) as f64 / RATE as f64;
    Ok(out.unwrap_or_else(|| {
        // Audio without speech: a transcript without words, in the language asked for
        // (undetectable without speech).
        RawTranscript {
            language: wopts.language.clone().unwrap_or_else(|| "en".into()),
            duration: heard,
            model: speech.name(),
            segments: Vec::new(),
        }
    }))
}

/// The models, the one chosen for this input once its first speech is heard, and the voice
/// activity detector when there is one.
struct Speech {
    choice: Choice,
    vad: Option<std::sync::Arc<reelcut_onnx::Vad>>,
    chosen: Option<std::sync::Arc<Model>>,
}

impl Speech {
    /// The model for this input, chosen from its first voiced audio (and the language it
    /// is then told, set in `wopts` for every later part).
    fn model_for(
        &mut self,
        voiced: &[f32],
        wopts: &mut TranscribeOptions,
    ) -> Result<std::sync::Arc<Model>, EngineError> {
        if let Some(m) = &self.chosen {
            return Ok(std::sync::Arc::clone(m));
        }
        let (model, language) = self.choice.pick(voiced, wopts.language.as_deref())?;
        if wopts.language.is_none() {
            wopts.language = language.filter(|_| model.is_multilingual());
        }
        self.chosen = Some(std::sync::Arc::clone(&model));
        Ok(model)
    }

    /// The chosen model's name, or what was asked for when nothing was heard.
    fn name(&self) -> String {
        match (&self.chosen, &self.choice) {
            (Some(m), _) | (None, Choice::Fixed(m)) => m.name().to_string(),
            (None, Choice::Auto { .. }) => crate::speech_model::AUTO.to_string(),
        }
    }

    /// The voiced regions of `piece`, or None to transcribe all of it (no detector).
    fn voiced(
        &self,
        piece: &[f32],
        cancel: &CancellationToken,
    ) -> Result<Option<Voiced>, EngineError> {
        let Some(vad) = &self.vad else {
            return Ok(None);
        };
        let spans = vad
            .speech(piece, &reelcut_onnx::VadParams::default(), cancel)
            .map_err(|e| match e {
                reelcut_onnx::VadError::Cancelled => {
                    EngineError::Media(reelcut_media::MediaError::Cancelled)
                }
                other => EngineError::Model(other.to_string()),
            })?;
        let v = Voiced::new(&spans, piece.len() as f64 / RATE as f64);
        tracing::debug!(
            speech = spans.len(),
            kept = v.kept_seconds(),
            of = piece.len() as f64 / RATE as f64,
            "voice activity"
        );
        Ok(Some(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_audio_is_never_split() {
        // A 10 s clip, and anything under two minimum parts, stays one part.
        assert_eq!(parallel_parts(10 * RATE, 2), 1);
        assert_eq!(parallel_parts(29 * RATE, 8), 1);
        assert_eq!(parallel_parts(600 * RATE, 1), 1);
    }

    #[test]
    fn long_audio_is_split_into_one_part_per_thread() {
        assert_eq!(parallel_parts(172 * RATE, 2), 2);
        assert_eq!(parallel_parts(45 * RATE, 4), 3);
        assert_eq!(parallel_parts(600 * RATE, 4), 4);
    }

    #[test]
    fn of_several_pauses_the_one_nearest_the_middle_is_cut() {
        // Pauses at 42 s (silent) and 49 s (a little noise, 20 dB under the speech): the
        // one at 49 s is quiet enough and keeps the parts even.
        let mut buf: Vec<f32> = (0..100 * RATE)
            .map(|i| if i % 7 < 3 { 0.5 } else { -0.5 })
            .collect();
        for x in &mut buf[42 * RATE..42 * RATE + RATE / 5] {
            *x = 0.0;
        }
        for (i, x) in buf[49 * RATE..49 * RATE + RATE / 5].iter_mut().enumerate() {
            *x = if i % 2 == 0 { 0.0005 } else { -0.0005 };
        }
        let at = split_points(&buf, 2)[1] as f64 / RATE as f64;
        assert!((49.0..49.2).contains(&at), "cut at {at} s");
    }

    #[test]
    fn parts_are_cut_in_the_quietest_moment_near_the_middle() {
        // Loud noise with one 200 ms pause at 47 s, inside the reach of the 50 s middle.
        let mut buf: Vec<f32> = (0..100 * RATE)
            .map(|i| if i % 7 < 3 { 0.5 } else { -0.5 })
            .collect();
        for x in &mut buf[47 * RATE..47 * RATE + RATE / 5] {
            *x = 0.0;
        }
        let cuts = split_points(&buf, 2);
        assert_eq!(cuts.len(), 3);
        assert_eq!((cuts[0], cuts[2]), (0, buf.len()));
        let at = cuts[1] as f64 / RATE as f64;
        assert!((47.0..47.2).contains(&at), "cut at {at} s");
    }
}
