//! Files that appear under their final name only when complete: written under a hidden
//! temporary name next to the target, renamed into place on success, removed if dropped
//! uncommitted (an error, a cancel, a panic). A reader — a user, a script, the next run —
//! never sees half a clip or half a model.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

pub struct PartialFile {
    tmp: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl PartialFile {
    /// Creates the target's directory and picks a temporary name in it.
    pub fn new(target: &Path) -> std::io::Result<Self> {
        static SEQ: AtomicU64 = AtomicU64::new(0);
        let dir = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        // pid + sequence: two writers of the same target (threads or processes) never share
        // a temporary file; the last rename wins with a complete file either way.
        let seq = SEQ.fetch_add(1, Ordering::Relaxed);
        let tmp = dir.join(format!(".{name}.{}-{seq}.partial", std::process::id()));
        Ok(Self {
            tmp,
            target: target.to_path_buf(),
            committed: false,
        })
    }

    pub fn tmp_path(&self) -> &Path {
        &self.tmp
    }

    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Renames the finished file into place.
    pub fn commit(mut self) -> std::io::Result<PathBuf> {
        std::fs::rename(&self.tmp, &self.target)?;
        self.committed = true;
        Ok(self.target.clone())
    }
}

/// Removes temporary files for `target` left by writers that died without cleaning up (a
/// kill -9, a power cut). Files of live processes (this one included) are left alone.
pub fn remove_stale(target: &Path) {
    let (Some(dir), Some(name)) = (target.parent(), target.file_name()) else {
        return;
    };
    let prefix = format!(".{}.", name.to_string_lossy());
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let file = e.file_name().to_string_lossy().into_owned();
        let Some(rest) = file
            .strip_prefix(&prefix)
            .and_then(|r| r.strip_suffix(".partial"))
        else {
            continue;
        };
        let pid = rest.split('-').next().unwrap_or_default();
        // Linux: a live process has /proc/PID. Elsewhere nothing is known, so nothing goes.
        let dead = Path::new("/proc/self").exists() && !Path::new("/proc").join(pid).exists();
        if dead {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Writes `bytes` to `path` through a [`PartialFile`]: readers see the old file or the new
/// one, never a mix.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let p = PartialFile::new(path)?;
    std::fs::write(p.tmp_path(), bytes)?;
    p.commit().map(|_| ())
}

impl Drop for PartialFile {
    fn drop(&mut self) {
        if !self.committed {
            // NotFound: we failed before anything was written. Anything else cannot be
            // reported from a destructor; the hidden name keeps it out of the way.
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_renames_and_drop_removes() {
        let dir = std::env::temp_dir().join(format!("reelcut-partial-{}", std::process::id()));
        let target = dir.join("sub/out.bin");
        let p = PartialFile::new(&target).expect("new");
        std::fs::write(p.tmp_path(), b"x").expect("write");
        assert!(!target.exists());
        p.commit().expect("commit");
        assert_eq!(std::fs::read(&target).expect("read"), b"x");
        let p = PartialFile::new(&target).expect("new");
        std::fs::write(p.tmp_path(), b"half").expect("write");
        let tmp = p.tmp_path().to_path_buf();
        drop(p);
        assert!(!tmp.exists());
        assert_eq!(
            std::fs::read(&target).expect("read"),
            b"x",
            "target untouched by a dropped write"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn stale_files_of_dead_writers_go_and_live_ones_stay() {
        let dir = std::env::temp_dir().join(format!("reelcut-stale-{}", std::process::id()));
        let target = dir.join("clip-01.mp4");
        std::fs::create_dir_all(&dir).expect("dir");
        // PID 0x7fffffff is above any pid_max: no such process.
        let dead = dir.join(".clip-01.mp4.2147483647-0.partial");
        let live = dir.join(format!(".clip-01.mp4.{}-0.partial", std::process::id()));
        let other = dir.join(".clip-02.mp4.2147483647-0.partial");
        for p in [&dead, &live, &other] {
            std::fs::write(p, b"x").expect("write");
        }
        remove_stale(&target);
        assert!(!dead.exists());
        assert!(live.exists() && other.exists());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
