//! ONNX Runtime, loaded at run time from the library the set-up installs (no binary
//! download), shared by every model of the process: YuNet faces (reelcut-vision) and
//! Silero voice activity ([`vad`]).

mod runtime;
pub mod vad;

pub use runtime::{environment, RuntimeError};
pub use vad::{SpeechSpans, Vad, VadError, VadParams};
