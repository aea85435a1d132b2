//! Whisper adapter: speech to timed words.
//!
//! - [`convert`]: turns a CTranslate2 (faster-whisper) model directory, the form Whisper
//!   weights take in package registries, into the ggml file whisper.cpp loads.
//! - [`Model`]: a loaded ggml model; [`Model::transcribe`] turns 16 kHz mono samples into
//!   segments of words with start/end times and probabilities, with progress and
//!   cancellation. Blocking; meant for worker threads.
//!
//! whisper.cpp (through whisper-rs) is the only native dependency; decoding media to
//! 16 kHz samples is reelcut-media's job (`reelcut_media::audio16k`).

pub mod convert;
mod error;
mod job;
mod model;
mod timing;
mod transcript;
mod words;

pub use convert::{ct2_to_ggml, ct2_to_ggml_with, ConvertReport, Quantization};
pub use error::WhisperError;
pub use job::wait_idle;
pub use model::{Model, TranscribeOptions, SAMPLE_RATE};
pub use transcript::{RawSegment, RawTranscript, RawWord};
