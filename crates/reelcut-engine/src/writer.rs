//! One writer per clips folder. Two jobs can name the same folder: a job a killed process
//! left behind, resumed with its old options, and the user's new run of the same input with
//! new ones; or two `reelcut run`s in two terminals. Both would write `clip-01.mp4`, and the
//! last to finish would win whatever the user asked for last. A job therefore holds an
//! exclusive `flock` on `<clips folder>/.reelcut-lock` from before its first stage to its
//! end; a second job waits its turn, so jobs for one folder finish in the order they started
//! and the newest request's clips are the ones left. The kernel drops the lock when the
//! holder exits, killed or not, so a crash never leaves a folder locked.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::fd::AsRawFd;
use std::path::Path;
use std::time::Duration;

use crate::{CancellationToken, EngineError};

const LOCK: &str = ".reelcut-lock";
/// How often a waiting job tries again (and looks at its cancel token).
const RETRY: Duration = Duration::from_millis(200);

/// Held while a job writes in a clips folder; the lock is released when this is dropped.
pub(crate) struct FolderLock {
    _file: File,
}

impl FolderLock {
    /// The lock, or `None` while another job (of this process or another) holds it.
    pub(crate) fn try_acquire(dir: &Path, holder: &str) -> Result<Option<Self>, EngineError> {
        std::fs::create_dir_all(dir).map_err(EngineError::io(dir))?;
        let path = dir.join(LOCK);
        let mut file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(EngineError::io(&path))?;
        // SAFETY: flock on a descriptor this function owns; no memory is involved.
        let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        if rc != 0 {
            let e = std::io::Error::last_os_error();
            return match e.raw_os_error() {
                Some(libc::EWOULDBLOCK) => Ok(None),
                _ => Err(EngineError::io(&path)(e)),
            };
        }
        // Who holds it, for a person looking at the folder; the lock is what counts.
        let _ = file.set_len(0);
        let _ = writeln!(file, "{holder}");
        Ok(Some(Self { _file: file }))
    }

    /// Waits for the lock on `dir`, giving up when `cancel` fires.
    pub(crate) async fn acquire(
        dir: &Path,
        holder: &str,
        cancel: &CancellationToken,
    ) -> Result<Self, EngineError> {
        let mut told = false;
        loop {
            if let Some(lock) = Self::try_acquire(dir, holder)? {
                return Ok(lock);
            }
            if !told {
                tracing::info!(folder = %dir.display(), "another job is writing this clips folder: waiting for it");
                told = true;
            }
            tokio::select! {
                _ = tokio::time::sleep(RETRY) => {}
                _ = cancel.cancelled() => return Err(EngineError::Cancelled),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_holder_at_a_time_and_released_on_drop() {
        let dir = tempfile::tempdir().expect("dir");
        let first = FolderLock::try_acquire(dir.path(), "job 1").expect("lock");
        assert!(first.is_some());
        assert!(FolderLock::try_acquire(dir.path(), "job 2")
            .expect("lock")
            .is_none());
        drop(first);
        assert!(FolderLock::try_acquire(dir.path(), "job 2")
            .expect("lock")
            .is_some());
    }
}
