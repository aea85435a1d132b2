//! One writer per clips folder. Two jobs can name the same folder: a job a killed process
//! left behind, resumed with its old options, and the user's new run of the same input with
//! new ones; or two `reelcut run`s in two terminals. Both would write `clip-01.mp4`, and the
//! last to finish would win whatever the user asked for last. A job therefore holds an
//! exclusive `flock` on `<clips folder>/.reelcut-lock` from before its first stage to its
//! end; a second job waits its turn. Within one engine the turns go in the order the jobs
//! were queued ([`Queue`]: a resumed job queued before the user's new request writes first,
//! so the newest request's clips are the ones left); across processes, first come. The
//! kernel drops the lock when the holder exits, killed or not, so a crash never leaves a
//! folder locked.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reelcut_core::JobId;

use crate::{CancellationToken, EngineError};

/// An engine's jobs by the clips folder they will write, in the order they were queued.
#[derive(Default)]
pub(crate) struct Queue {
    /// Per folder, the turns in order: a job and the ticket of this scheduling of it.
    folders: Mutex<HashMap<PathBuf, Vec<(JobId, u64)>>>,
    tickets: AtomicU64,
}

/// A job's place in a folder's queue; it leaves the queue when dropped.
pub(crate) struct Turn {
    queue: Arc<Queue>,
    dir: PathBuf,
    id: JobId,
    /// Tells this turn from a turn of an earlier try of the same job: a retry is queued as
    /// soon as the failed try says it ended, while that try's turn may still be alive for
    /// a moment; dropping it must not take the new turn out of the queue with it.
    ticket: u64,
}

impl Queue {
    fn folders(&self) -> std::sync::MutexGuard<'_, HashMap<PathBuf, Vec<(JobId, u64)>>> {
        self.folders.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Puts `id` last in `dir`'s queue.
    pub(crate) fn enqueue(queue: &Arc<Self>, dir: &Path, id: JobId) -> Turn {
        let ticket = queue.tickets.fetch_add(1, Ordering::Relaxed);
        queue
            .folders()
            .entry(dir.to_path_buf())
            .or_default()
            .push((id, ticket));
        Turn {
            queue: Arc::clone(queue),
            dir: dir.to_path_buf(),
            id,
            ticket,
        }
    }
}

impl Turn {
    /// Waits until every job queued before this one for the folder has ended. Called before
    /// the job takes a job slot: a job waiting its turn holds nothing another needs.
    pub(crate) async fn wait(&self, cancel: &CancellationToken) -> Result<(), EngineError> {
        let mut told = false;
        while !self.is_first() {
            if !told {
                tracing::info!(folder = %self.dir.display(), "an earlier job writes this clips folder first: waiting for it");
                told = true;
            }
            tokio::select! {
                _ = tokio::time::sleep(RETRY) => {}
                _ = cancel.cancelled() => return Err(EngineError::Cancelled),
            }
        }
        Ok(())
    }

    fn is_first(&self) -> bool {
        self.queue
            .folders()
            .get(&self.dir)
            .and_then(|ids| ids.first())
            == Some(&(self.id, self.ticket))
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        let mut folders = self.queue.folders();
        if let Some(ids) = folders.get_mut(&self.dir) {
            ids.retain(|t| *t != (self.id, self.ticket));
            if ids.is_empty() {
                folders.remove(&self.dir);
            }
        }
    }
}

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
                tracing::info!(folder = %dir.display(), "another process writes this clips folder: waiting for it");
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

    #[test]
    fn turns_go_in_queue_order() {
        let queue = Arc::new(Queue::default());
        let dir = Path::new("/out/a");
        let first = Queue::enqueue(&queue, dir, JobId(7));
        let second = Queue::enqueue(&queue, dir, JobId(3));
        let elsewhere = Queue::enqueue(&queue, Path::new("/out/b"), JobId(9));
        assert!(first.is_first() && !second.is_first() && elsewhere.is_first());
        drop(first);
        assert!(second.is_first());
        drop(second);
        assert!(queue.folders().get(dir).is_none(), "emptied");
    }

    #[test]
    fn a_retry_queued_before_the_failed_try_let_go_keeps_its_turn() {
        let queue = Arc::new(Queue::default());
        let dir = Path::new("/out/a");
        let failed_try = Queue::enqueue(&queue, dir, JobId(1));
        let retry = Queue::enqueue(&queue, dir, JobId(1));
        let later = Queue::enqueue(&queue, dir, JobId(2));
        drop(failed_try);
        assert!(retry.is_first() && !later.is_first());
        drop(retry);
        assert!(later.is_first());
    }
}
