//! What a folder input holds: the videos in it, found by probing.

use std::path::{Path, PathBuf};

use reelcut_media::{probe, MediaError};

use crate::EngineError;

/// Subfolders deeper than this are not walked (a folder tree of videos is never this deep;
/// a pathological one must not keep a run busy).
const MAX_DEPTH: usize = 16;

/// The videos in `dir` (and its subfolders with `recursive`), sorted: every regular file
/// (or link to one) that libavformat opens and finds a video stream in, whatever its
/// extension. Links to folders are not followed and each real folder is walked once, so a
/// link loop or a link to `/etc` cannot keep the walk going; FIFOs, devices and sockets are
/// never opened (a FIFO would block the probe forever).
pub fn videos_in(dir: &Path, recursive: bool) -> Result<Vec<PathBuf>, EngineError> {
    use std::os::unix::fs::MetadataExt;
    let mut found = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut pending = vec![(dir.to_path_buf(), 0usize)];
    while let Some((d, depth)) = pending.pop() {
        let meta = std::fs::metadata(&d).map_err(EngineError::io(&d))?;
        if !seen.insert((meta.dev(), meta.ino())) {
            continue;
        }
        let entries = std::fs::read_dir(&d).map_err(EngineError::io(&d))?;
        for e in entries.flatten() {
            let p = e.path();
            // Hidden entries include our own work folders (.downloads, .partial files).
            if e.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let Ok(own) = std::fs::symlink_metadata(&p) else {
                continue;
            };
            if own.is_dir() {
                if recursive && depth < MAX_DEPTH {
                    pending.push((p, depth + 1));
                } else if recursive {
                    tracing::warn!(folder = %p.display(), "folder too deep, not walked");
                }
                continue;
            }
            // A link counts as what it points at, if that is a regular file.
            let is_file = if own.file_type().is_symlink() {
                std::fs::metadata(&p).is_ok_and(|m| m.is_file())
            } else {
                own.is_file()
            };
            if !is_file {
                tracing::debug!(entry = %p.display(), "not a regular file, skipped");
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

/// `path` is something to read as a file: it exists and is a regular file (links
/// followed). A FIFO would block the reader forever, a device would be read without end.
pub(crate) fn check_regular(path: &Path, what: &'static str) -> Result<u64, EngineError> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => Ok(m.len()),
        Ok(_) => Err(EngineError::Media(MediaError::BadInput {
            path: path.to_path_buf(),
            message: format!("the {what} is not a regular file (a FIFO, device or socket?)"),
        })),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(EngineError::Media(MediaError::NotFound {
                path: path.to_path_buf(),
            }))
        }
        Err(e) => Err(EngineError::io(path)(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loops_fifos_and_links_out_do_not_stall_the_walk() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("a/b")).unwrap();
        // Two links that lead into each other, and one back up the tree.
        std::os::unix::fs::symlink(d.join("a"), d.join("a/b/up")).unwrap();
        std::os::unix::fs::symlink(d.join("x"), d.join("y")).unwrap();
        std::os::unix::fs::symlink(d.join("y"), d.join("x")).unwrap();
        std::os::unix::fs::symlink("/etc", d.join("a/etc")).unwrap();
        std::os::unix::fs::symlink("/dev/zero", d.join("a/zero.mp4")).unwrap();
        let fifo = d.join("a/b/pipe.mp4");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a plain syscall on a path we own.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
        std::fs::write(d.join("a/b/notes.txt"), b"not a video").unwrap();
        let video = d.join("a/b/v.mp4");
        let made = std::process::Command::new("ffmpeg")
            .args([
                "-v",
                "error",
                "-f",
                "lavfi",
                "-i",
                "testsrc2=size=64x64:duration=0.5",
            ])
            .args(["-c:v", "libx264", "-preset", "ultrafast"])
            .arg(&video)
            .status()
            .expect("ffmpeg (run scripts/setup.sh)");
        assert!(made.success());
        std::os::unix::fs::symlink(&video, d.join("a/link.mp4")).unwrap();
        assert_eq!(
            videos_in(d, true).unwrap(),
            vec![d.join("a/b/v.mp4"), d.join("a/link.mp4")]
        );
    }
}
