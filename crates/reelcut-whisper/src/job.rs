//! One transcription: whisper.cpp on a thread of its own, progress and the result sent back
//! over a channel.
//!
//! whisper.cpp honours its abort callback only between an encoder pass and a decoder step,
//! and not during the spectrogram of the whole input; an encoder pass alone takes seconds
//! on a busy two-core machine. The caller therefore waits on the channel, not on
//! whisper.cpp: on cancel it returns at once and the worker, told to stop, finishes the
//! pass in flight and exits by itself. User code (the progress sink) only ever runs on the
//! caller's thread, never inside a C callback.

use std::ffi::{c_int, c_void};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::Duration;

use reelcut_core::CancellationToken;
use whisper_rs::{FullParams, SamplingStrategy, WhisperContext, WhisperState};

use crate::model::SAMPLE_RATE;
use crate::timing::Islands;
use crate::transcript::{RawSegment, RawTranscript, RawWord};
use crate::words::{self, Token};
use crate::WhisperError;

/// How often the waiting caller looks at the cancellation token.
const POLL: Duration = Duration::from_millis(20);
/// whisper.cpp reports times in centiseconds.
const CS: f64 = 0.01;

pub(crate) struct Job {
    pub ctx: Arc<WhisperContext>,
    pub model: String,
    /// None: detect (multilingual models only; English-only ones arrive here with "en").
    pub language: Option<String>,
    pub threads: c_int,
    pub beam_size: u32,
    pub initial_prompt: Option<String>,
    pub pcm: Arc<[f32]>,
    /// The model's count of live worker threads.
    pub workers: Arc<AtomicUsize>,
}

/// Transcription threads alive in this process, over all models.
static LIVE: AtomicUsize = AtomicUsize::new(0);

/// Counts a worker thread from before it is spawned until it has finished (or unwound), in
/// its model's count and in the process's.
struct WorkerCount(Arc<AtomicUsize>);

impl WorkerCount {
    fn new(count: &Arc<AtomicUsize>) -> Self {
        count.fetch_add(1, Ordering::SeqCst);
        LIVE.fetch_add(1, Ordering::SeqCst);
        Self(Arc::clone(count))
    }
}

impl Drop for WorkerCount {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
        LIVE.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Waits until no transcription thread of this process runs, at most `timeout`; true when
/// none does. Call it before the process exits: a cancelled transcription returns at once
/// while its thread stops at whisper.cpp's next abort check, and exiting under a live thread
/// runs the C++ static destructors (OpenBLAS's, ggml's) beneath it — a segfault in about one
/// exit in eight after a cancel during transcription.
pub fn wait_idle(timeout: Duration) -> bool {
    let until = std::time::Instant::now() + timeout;
    while LIVE.load(Ordering::SeqCst) > 0 {
        if std::time::Instant::now() >= until {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    true
}

enum Msg {
    Progress(f32),
    Done(Result<RawTranscript, WhisperError>),
}

/// Why the worker should stop: the job's token, or its caller having left (returned on
/// cancel, or unwound from a panicking progress sink).
struct Stop {
    cancel: CancellationToken,
    abandoned: AtomicBool,
}

impl Stop {
    fn now(&self) -> bool {
        self.cancel.is_cancelled() || self.abandoned.load(Ordering::Relaxed)
    }
}

/// Marks the job abandoned when the caller leaves `run` without the result.
struct AbandonOnDrop(Arc<Stop>);

impl Drop for AbandonOnDrop {
    fn drop(&mut self) {
        self.0.abandoned.store(true, Ordering::Relaxed);
    }
}

pub(crate) fn run(
    job: Job,
    cancel: &CancellationToken,
    progress: &mut dyn FnMut(f32),
) -> Result<RawTranscript, WhisperError> {
    let duration = job.pcm.len() as f64 / f64::from(SAMPLE_RATE);
    if c_int::try_from(job.pcm.len()).is_err() {
        return Err(WhisperError::AudioTooLong { seconds: duration });
    }
    if job.pcm.is_empty() {
        // whisper.cpp cannot take an empty buffer, and zero seconds hold no words.
        progress(1.0);
        let language = job.language.unwrap_or_else(|| "en".into());
        return Ok(RawTranscript {
            language,
            duration,
            model: job.model,
            segments: Vec::new(),
        });
    }

    let stop = Arc::new(Stop {
        cancel: cancel.clone(),
        abandoned: AtomicBool::new(false),
    });
    let _abandon = AbandonOnDrop(Arc::clone(&stop));
    let (tx, rx) = mpsc::channel();
    let worker_stop = Arc::clone(&stop);
    let count = WorkerCount::new(&job.workers);
    let handle = std::thread::Builder::new()
        .name("whisper".into())
        .spawn(move || {
            let _count = count;
            let result = work(&job, &worker_stop, &tx);
            // The caller may have gone (cancelled); then nobody needs the result.
            let _ = tx.send(Msg::Done(result));
        })
        .map_err(|e| WhisperError::Worker(format!("cannot start the transcription thread: {e}")))?;

    let mut last = 0.0f32;
    loop {
        match rx.recv_timeout(POLL) {
            Ok(Msg::Progress(p)) => {
                if p > last {
                    last = p;
                    progress(p);
                }
            }
            Ok(Msg::Done(result)) => {
                // The worker has nothing left to do but exit.
                if let Err(payload) = handle.join() {
                    std::panic::resume_unwind(payload);
                }
                let transcript = result?;
                if last < 1.0 {
                    progress(1.0);
                }
                return Ok(transcript);
            }
            Err(RecvTimeoutError::Timeout) => {
                if cancel.is_cancelled() {
                    return Err(WhisperError::Cancelled);
                }
            }
            Err(RecvTimeoutError::Disconnected) => {
                // Only a panic ends the worker without sending a result: re-raise it here.
                return match handle.join() {
                    Err(payload) => std::panic::resume_unwind(payload),
                    Ok(()) => Err(WhisperError::Worker(
                        "the transcription thread ended without a result".into(),
                    )),
                };
            }
        }
    }
}

fn work(job: &Job, stop: &Stop, tx: &Sender<Msg>) -> Result<RawTranscript, WhisperError> {
    let mut state = job
        .ctx
        .create_state()
        .map_err(|source| WhisperError::Whisper {
            stage: "creating a state",
            source,
        })?;
    let strategy = if job.beam_size > 1 {
        SamplingStrategy::BeamSearch {
            beam_size: job.beam_size.min(16) as c_int,
            patience: -1.0,
        }
    } else {
        SamplingStrategy::Greedy { best_of: 1 }
    };
    let mut params = FullParams::new(strategy);
    params.set_n_threads(job.threads);
    params.set_language(job.language.as_deref());
    params.set_translate(false);
    if let Some(prompt) = job.initial_prompt.as_deref().filter(|p| !p.is_empty()) {
        params.set_initial_prompt(prompt);
    }
    // Needed for the fallback times when DTW alignment is missing.
    params.set_token_timestamps(true);
    params.set_print_progress(false);
    params.set_print_realtime(false);
    params.set_print_special(false);
    params.set_print_timestamps(false);
    // SAFETY: both user-data pointers point at values that outlive `state.full`, the only
    // call that uses them (it consumes `params`). whisper.cpp calls both callbacks on this
    // thread; the trampolines only read through shared references (Sender is used by
    // this thread alone, AtomicBool and the token are Sync).
    unsafe {
        params.set_abort_callback(Some(abort_trampoline));
        params.set_abort_callback_user_data(stop as *const Stop as *mut c_void);
        params.set_progress_callback(Some(progress_trampoline));
        params.set_progress_callback_user_data(tx as *const Sender<Msg> as *mut c_void);
    }
    let result = state.full(params, &job.pcm);
    if stop.now() {
        return Err(WhisperError::Cancelled);
    }
    result.map_err(|source| WhisperError::Whisper {
        stage: "transcribing",
        source,
    })?;

    let language = match &job.language {
        Some(l) => l.clone(),
        None => whisper_rs::get_lang_str(state.full_lang_id_from_state())
            .unwrap_or("en")
            .to_string(),
    };
    let duration = job.pcm.len() as f64 / f64::from(SAMPLE_RATE);
    let segments = segments(&job.ctx, &state, &job.pcm, duration);
    Ok(RawTranscript {
        language,
        duration,
        model: job.model.clone(),
        segments,
    })
}

unsafe extern "C" fn abort_trampoline(user_data: *mut c_void) -> bool {
    // SAFETY: set to a live `Stop` for the duration of `full` (see `work`).
    let stop = unsafe { &*(user_data as *const Stop) };
    stop.now()
}

unsafe extern "C" fn progress_trampoline(
    _ctx: *mut whisper_rs::WhisperSysContext,
    _state: *mut whisper_rs::WhisperSysState,
    percent: c_int,
    user_data: *mut c_void,
) {
    // SAFETY: set to the worker's live `Sender` for the duration of `full` (see `work`).
    let tx = unsafe { &*(user_data as *const Sender<Msg>) };
    // A gone receiver means a cancelled job; the abort callback handles that.
    let _ = tx.send(Msg::Progress((percent as f32 / 100.0).clamp(0.0, 1.0)));
}

/// Milliseconds are plenty for captions and keep the JSON free of float noise.
fn ms(t: f64) -> f64 {
    (t * 1000.0).round() / 1000.0
}

fn segments(
    ctx: &WhisperContext,
    state: &WhisperState,
    pcm: &[f32],
    duration: f64,
) -> Vec<RawSegment> {
    let eot = ctx.token_eot();
    let mut out: Vec<RawSegment> = Vec::new();
    let mut floor = 0.0;
    // Where the previous spoken token ended: with DTW times, the next token starts there.
    let mut spoken_end = 0.0f64;
    for seg in state.as_iter() {
        let seg_start = (seg.start_timestamp() as f64 * CS).clamp(floor, duration);
        spoken_end = spoken_end.max(seg_start);
        let mut tokens = Vec::new();
        for j in 0..seg.n_tokens() {
            let Some(tok) = seg.get_token(j) else {
                continue;
            };
            // Ids from <|endoftext|> up are control and timestamp tokens ([_BEG_],
            // [_TT_n], language tags...), never text.
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
            tokens.push(Token {
                bytes: bytes.to_vec(),
                probability: data.p,
                start,
                end,
            });
        }
        let confidence = if tokens.is_empty() {
            0.0
        } else {
            tokens.iter().map(|t| t.probability).sum::<f32>() / tokens.len() as f32
        };
        let mut words: Vec<_> = words::merge(&tokens)
            .into_iter()
            .filter(|w| !words::is_annotation(&w.text))
            .collect();
        if words.is_empty() {
            continue;
        }
        floor = words::settle(&mut words, floor, 0.0, duration);
        out.push(RawSegment {
            start: seg_start,
            end: floor,
            text: words
                .iter()
                .map(|w| w.text.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            confidence,
            no_speech_probability: seg.no_speech_probability(),
            words,
        });
    }
    // Edges from the audio, over all words at once: a segment boundary is no boundary of
    // the sound.
    let counts: Vec<usize> = out.iter().map(|s| s.words.len()).collect();
    let mut all: Vec<RawWord> = out.iter_mut().flat_map(|s| s.words.drain(..)).collect();
    if crate::timing::refine_enabled() {
        Islands::detect(pcm).refine(&mut all);
    }
    for w in &mut all {
        (w.start, w.end) = (ms(w.start), ms(w.end));
    }
    words::settle(&mut all, 0.0, 0.0, duration);
    let mut rest = all.into_iter();
    for (seg, n) in out.iter_mut().zip(counts) {
        seg.words = rest.by_ref().take(n).collect();
        if let (Some(first), Some(last)) = (seg.words.first(), seg.words.last()) {
            (seg.start, seg.end) = (first.start, last.end);
        }
    }
    out
}
