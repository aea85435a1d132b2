//! reelcut-whisper against real weights and real audio: the CTranslate2 importer, the
//! 16 kHz decoder, transcription with word times, the multilingual model. One test binary.

#![allow(clippy::unwrap_used)] // test code: a panic is a failed test

mod support;

mod audio16k;
mod convert;
mod multilingual;
mod transcribe;
