//! Black-box tests of the `reelcut` CLI: the binary run as a user runs it, its JSON events
//! parsed, its outputs measured with ffprobe/ffmpeg. One test binary (each one links
//! ffmpeg, whisper.cpp, ONNX Runtime and OpenCV), one module per area.

#![allow(clippy::unwrap_used)] // test code: a panic is a failed test

mod support;

mod auto;
mod batch;
mod captions;
mod cut;
mod doctor;
mod edit;
mod errors;
mod fetch;
mod footage;
mod jobs;
mod jumpcut;
mod kinds;
mod languages;
mod layouts;
mod overlays;
mod reframe;
mod speakers;
mod timing;
mod transcribe_parallel;
mod untrusted_folder;
mod watch;
