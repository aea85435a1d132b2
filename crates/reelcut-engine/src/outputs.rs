//! Where an input's clips go and how finished work is recognised: the output folder's name,
//! the run key that says which input and options made a manifest, atomic writes.

use std::path::Path;

use sha2::{Digest, Sha256};

use reelcut_core::ClipsManifest;
use reelcut_media::MediaError;

use crate::{EngineError, RunOptions};

/// A file-system-safe name for an input's output folder.
pub(crate) fn output_stem(input: &Path) -> String {
    let stem = input.file_stem().unwrap_or_default().to_string_lossy();
    reelcut_core::safe_stem(&stem, 120, "input")
}

/// What identifies a finished run of `input`: the file (size, modification time) and the
/// options that shaped its clips.
pub(crate) fn run_key(input: &Path, opts: &RunOptions) -> Result<String, EngineError> {
    let meta = std::fs::metadata(input).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => EngineError::Media(MediaError::NotFound {
            path: input.to_path_buf(),
        }),
        _ => EngineError::Io {
            path: input.to_path_buf(),
            source,
        },
    })?;
    let mtime = meta
        .modified()
        .ok()
        .and_then(|m| m.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    // Debug output of the options is stable within a version and covers every field; the
    // output folder is left out (it is where we look).
    let shaping = RunOptions {
        out_dir: Default::default(),
        force: false,
        ..opts.clone()
    };
    let text = format!(
        "{}|{mtime}|{shaping:?}|{}",
        meta.len(),
        env!("CARGO_PKG_VERSION")
    );
    Ok(format!("{:x}", Sha256::digest(text.as_bytes())))
}

/// The manifest at `path` if it records `key` and all its clips exist.
pub(crate) fn finished(path: &Path, key: &str) -> Option<ClipsManifest> {
    let m: ClipsManifest = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    let dir = path.parent()?;
    (m.run_key == key
        && !m.clips.is_empty()
        && m.clips.iter().all(|c| dir.join(&c.output).is_file()))
    .then_some(m)
}

pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), EngineError> {
    reelcut_core::partial::write_atomic(path, bytes).map_err(EngineError::io(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_are_safe() {
        assert_eq!(output_stem(Path::new("/a/My Video.mp4")), "My Video");
        assert_eq!(output_stem(Path::new("/a/..mp4")), "input");
        assert_eq!(output_stem(Path::new("x/a:b*c.mkv")), "a_b_c");
    }
}
