use std::path::PathBuf;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum VisionError {
    #[error("{path}: face model not found (run scripts/setup.sh)")]
    ModelMissing { path: PathBuf },
    #[error("ONNX Runtime library {path} could not be loaded: {message}")]
    Runtime { path: PathBuf, message: String },
    #[error("{path}: cannot load the face model: {message}")]
    Model { path: PathBuf, message: String },
    #[error("face detection failed: {0}")]
    Inference(String),
    #[error("OpenCV: {0}")]
    OpenCv(#[from] opencv::Error),
    #[error("image buffer is {got} bytes, expected {expected} for {width}x{height} BGR")]
    BadImage {
        got: usize,
        expected: usize,
        width: u32,
        height: u32,
    },
}
