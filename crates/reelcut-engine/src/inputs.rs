//! What a folder input holds: the videos in it, found by probing.

use std::path::{Path, PathBuf};

use reelcut_media::probe;

use crate::EngineError;

/// The videos in `dir` (and its subfolders with `recursive`), sorted: every file that
/// libavformat opens and finds a video stream in, whatever its extension.
pub fn videos_in(dir: &Path, recursive: bool) -> Result<Vec<PathBuf>, EngineError> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        let entries = std::fs::read_dir(&d).map_err(|source| EngineError::Io {
            path: d.clone(),
            source,
        })?;
        for e in entries.flatten() {
            let p = e.path();
            let name = e.file_name();
            // Hidden entries include our own work folders (.downloads, .partial files).
            if name.to_string_lossy().starts_with('.') {
                continue;
            }
            if p.is_dir() {
                if recursive {
                    pending.push(p);
                }
            } else if probe(&p).is_ok_and(|i| i.duration > 0.0) {
                found.push(p);
            } else {
                tracing::debug!(file = %p.display(), "not a video, skipped");
            }
        }
    }
    found.sort();
    Ok(found)
}
