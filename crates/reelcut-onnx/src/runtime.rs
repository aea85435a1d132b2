//! The process's one ONNX Runtime environment.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ort::environment::Environment;

/// The library could not be loaded; the same error goes to every caller.
#[derive(Debug, Clone, thiserror::Error)]
#[error("ONNX Runtime library {path} could not be loaded: {message}")]
pub struct RuntimeError {
    pub path: PathBuf,
    pub message: String,
}

/// ONNX Runtime is loaded once per process (ort keeps one global API table); the result is
/// remembered, so a missing library is reported the same way to every caller, and a second
/// caller naming another file gets the first one's.
static RUNTIME: OnceLock<Result<Environment, RuntimeError>> = OnceLock::new();

pub fn environment(lib: &Path) -> Result<&'static Environment, RuntimeError> {
    RUNTIME
        .get_or_init(|| {
            let fail = |message: String| RuntimeError {
                path: lib.to_path_buf(),
                message,
            };
            if !lib.is_file() {
                return Err(fail("file not found".into()));
            }
            let builder = ort::init_from(lib).map_err(|e| fail(e.to_string()))?;
            builder
                .with_name("reelcut")
                .build()
                .map_err(|e| fail(e.to_string()))
        })
        .as_ref()
        .map_err(Clone::clone)
}
