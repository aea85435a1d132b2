//! The watched folder (a setting): while one is set, the engine's [`watch_folder`] runs on a
//! thread of its own and every finished video in the folder becomes a job with the options
//! the window has then, like a file added by hand. Changing or clearing the setting cancels
//! the running watch (its token) and waits for its thread before a new one starts; the app's
//! exit does the same.
//!
//! What the watch says reaches the log (tracing) and the window as a [`WatchNotice`].

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::thread::JoinHandle;
use std::time::Duration;

use reelcut_core::{CancellationToken, JobId};
use reelcut_engine::watch::{watch_folder, WatchEvent, WatchOptions};
use reelcut_engine::EngineError;
use serde::Serialize;
use ts_rs::TS;

/// What one watch is started with: the folder, and the folders never taken from it (the
/// output and state folders, when they lie inside it: clips must not become jobs).
#[derive(Debug, Clone, PartialEq)]
pub struct WatchSpec {
    pub folder: PathBuf,
    pub ignore: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum WatchNoticeKind {
    /// The watch runs: videos that appear from now on are taken.
    Watching,
    /// A video became a job.
    Added,
    /// A finished file that is not a video (or not readable as one).
    Ignored,
    /// A video could not be submitted, or the folder cannot be watched.
    Failed,
}

/// A short notice for the window about the watched folder.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct WatchNotice {
    pub kind: WatchNoticeKind,
    pub path: String,
    pub message: String,
}

fn notice(kind: WatchNoticeKind, path: &Path, message: String) -> WatchNotice {
    WatchNotice {
        kind,
        path: path.display().to_string(),
        message,
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// What the app does with one of the watch's events: a ready video is handed to `submit`
/// (the engine, with the current options); everything is logged and becomes a notice.
pub fn handle(
    event: WatchEvent,
    submit: impl FnOnce(&Path) -> Result<Vec<JobId>, crate::error::CommandError>,
) -> WatchNotice {
    match event {
        WatchEvent::Watching { folder } => {
            tracing::info!(folder = %folder.display(), "watching a folder for new videos");
            let message = format!("Watching {} for new videos", folder.display());
            notice(WatchNoticeKind::Watching, &folder, message)
        }
        WatchEvent::Ready(path) => match submit(&path) {
            Ok(ids) => {
                tracing::info!(file = %path.display(), jobs = ids.len(), "watched folder: video added");
                let message = format!("Added {} from the watched folder", file_name(&path));
                notice(WatchNoticeKind::Added, &path, message)
            }
            Err(e) => {
                tracing::warn!(file = %path.display(), error = %e, "watched folder: video not added");
                let message = format!("{} not added: {e}", file_name(&path));
                notice(WatchNoticeKind::Failed, &path, message)
            }
        },
        WatchEvent::Ignored { path, reason } => {
            tracing::info!(file = %path.display(), reason = %reason, "watched folder: file ignored");
            let message = format!("Ignored {}: {reason}", file_name(&path));
            notice(WatchNoticeKind::Ignored, &path, message)
        }
    }
}

struct Running {
    spec: WatchSpec,
    cancel: CancellationToken,
    thread: JoinHandle<()>,
}

/// How long a new files needs to keep its size before it is taken.
const SETTLE: Duration = Duration::from_secs(2);

/// The one watch the app runs, if any.
#[derive(Default)]
pub struct FolderWatch {
    running: Mutex<Option<Running>>,
    settle: Option<Duration>,
}

impl FolderWatch {
    #[cfg(test)]
    fn with_settle(settle: Duration) -> Self {
        Self {
            running: Mutex::default(),
            settle: Some(settle),
        }
    }

    /// Runs the watch `spec` asks for (none for `None`), replacing the one that runs when it
    /// differs; the same spec again leaves the running watch alone. `on_event` gets every
    /// event (on the watch's thread), `on_error` a folder that cannot be watched.
    pub fn apply(
        &self,
        spec: Option<WatchSpec>,
        on_event: impl FnMut(WatchEvent) + Send + 'static,
        on_error: impl FnOnce(&Path, EngineError) + Send + 'static,
    ) -> std::io::Result<()> {
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        if running.as_ref().map(|r| &r.spec) == spec.as_ref() {
            return Ok(());
        }
        if let Some(old) = running.take() {
            stop(old);
        }
        let Some(spec) = spec else {
            return Ok(());
        };
        let cancel = CancellationToken::new();
        let opts = WatchOptions {
            recursive: false,
            settle: self.settle.unwrap_or(SETTLE),
            ignore: spec.ignore.clone(),
        };
        let (folder, token) = (spec.folder.clone(), cancel.clone());
        let thread = std::thread::Builder::new()
            .name("reelcut-watch".into())
            .spawn(move || {
                let mut on_event = on_event;
                if let Err(e) = watch_folder(&folder, &opts, &token, &mut on_event) {
                    tracing::warn!(folder = %folder.display(), error = %e, "folder not watched");
                    on_error(&folder, e);
                }
            })?;
        *running = Some(Running {
            spec,
            cancel,
            thread,
        });
        Ok(())
    }

    /// Stops the watch, if one runs, and waits for its thread.
    pub fn stop(&self) {
        let old = self
            .running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(old) = old {
            stop(old);
        }
    }

    #[cfg(test)]
    fn folder(&self) -> Option<PathBuf> {
        let running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        running.as_ref().map(|r| r.spec.folder.clone())
    }
}

/// The watch looks at its token every 200 ms (and between events), so this returns quickly.
fn stop(old: Running) {
    old.cancel.cancel();
    if old.thread.join().is_err() {
        tracing::warn!(folder = %old.spec.folder.display(), "the folder watch panicked");
    }
    tracing::info!(folder = %old.spec.folder.display(), "stopped watching");
}

/// What `settings` ask to be watched, with the output folder (`out_dir`) and the engine's
/// state folder never taken from it.
pub fn spec_for(watch_folder: Option<&str>, out_dir: &str, state_dir: &Path) -> Option<WatchSpec> {
    let folder = watch_folder.map(str::trim).filter(|f| !f.is_empty())?;
    Some(WatchSpec {
        folder: PathBuf::from(folder),
        ignore: vec![PathBuf::from(out_dir), state_dir.to_path_buf()],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    use crate::error::CommandError;

    #[test]
    fn ready_videos_are_submitted_the_rest_only_noticed() {
        let mut submitted = Vec::new();
        let n = handle(WatchEvent::Ready("/in/talk.mp4".into()), |p| {
            submitted.push(p.to_path_buf());
            Ok(vec![JobId(7)])
        });
        assert_eq!(n.kind, WatchNoticeKind::Added);
        assert_eq!(n.path, "/in/talk.mp4");
        assert!(n.message.contains("talk.mp4"), "{}", n.message);
        assert_eq!(submitted, [PathBuf::from("/in/talk.mp4")]);

        let n = handle(
            WatchEvent::Ignored {
                path: "/in/notes.txt".into(),
                reason: "not a media file".into(),
            },
            |_| panic!("an ignored file is not submitted"),
        );
        assert_eq!(n.kind, WatchNoticeKind::Ignored);
        assert!(n.message.contains("notes.txt") && n.message.contains("not a media file"));

        let n = handle(WatchEvent::Ready("/in/b.mp4".into()), |_| {
            Err(CommandError::invalid("choose an output folder"))
        });
        assert_eq!(n.kind, WatchNoticeKind::Failed);
        assert!(
            n.message.contains("choose an output folder"),
            "{}",
            n.message
        );
    }

    #[test]
    fn the_output_and_state_folders_are_never_taken() {
        let spec = spec_for(Some("/in"), "/in/clips", Path::new("/state")).expect("a spec");
        assert_eq!(spec.folder, PathBuf::from("/in"));
        assert_eq!(
            spec.ignore,
            [PathBuf::from("/in/clips"), PathBuf::from("/state")]
        );
        assert_eq!(spec_for(None, "/o", Path::new("/s")), None);
        assert_eq!(spec_for(Some(" "), "/o", Path::new("/s")), None);
    }

    fn events_of(watch: &FolderWatch, folder: &Path) -> mpsc::Receiver<WatchEvent> {
        let (tx, rx) = mpsc::channel();
        let spec = WatchSpec {
            folder: folder.to_path_buf(),
            ignore: vec![],
        };
        watch
            .apply(Some(spec), move |e| drop(tx.send(e)), |_, e| panic!("{e}"))
            .expect("thread");
        rx
    }

    /// A real watch on a real folder: it says it watches, reports a finished file that is
    /// no video, and a new folder replaces it (the old thread ends, its channel closes).
    #[test]
    fn a_watch_runs_until_replaced_or_stopped() {
        let dir = std::env::temp_dir().join(format!("reelcut-watch-{}", std::process::id()));
        let (a, b) = (dir.join("a"), dir.join("b"));
        std::fs::create_dir_all(&a).expect("a");
        std::fs::create_dir_all(&b).expect("b");
        let watch = FolderWatch::with_settle(Duration::from_millis(100));
        let timeout = Duration::from_secs(10);

        let rx = events_of(&watch, &a);
        assert!(matches!(
            rx.recv_timeout(timeout),
            Ok(WatchEvent::Watching { .. })
        ));
        std::fs::write(a.join("notes.txt"), b"not a video").expect("file");
        match rx.recv_timeout(timeout) {
            Ok(WatchEvent::Ignored { path, .. }) => assert!(path.ends_with("notes.txt")),
            other => panic!("expected the text file ignored, got {other:?}"),
        }

        let rx_b = events_of(&watch, &b);
        assert_eq!(watch.folder(), Some(b.clone()));
        // The first watch's thread has ended: its sender is gone.
        assert!(matches!(
            rx.recv_timeout(timeout),
            Err(mpsc::RecvTimeoutError::Disconnected)
        ));
        assert!(matches!(
            rx_b.recv_timeout(timeout),
            Ok(WatchEvent::Watching { .. })
        ));

        watch.stop();
        assert_eq!(watch.folder(), None);
        assert!(matches!(
            rx_b.recv_timeout(timeout),
            Err(mpsc::RecvTimeoutError::Disconnected)
        ));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_folder_that_cannot_be_watched_is_reported() {
        let (tx, rx) = mpsc::channel();
        let watch = FolderWatch::default();
        let spec = WatchSpec {
            folder: "/no/such/folder/reelcut".into(),
            ignore: vec![],
        };
        watch
            .apply(
                Some(spec),
                |_| {},
                move |p, e| drop(tx.send((p.to_path_buf(), e.to_string()))),
            )
            .expect("thread");
        let (folder, error) = rx.recv_timeout(Duration::from_secs(5)).expect("reported");
        assert_eq!(folder, PathBuf::from("/no/such/folder/reelcut"));
        assert!(error.contains("/no/such/folder/reelcut"), "{error}");
        watch.stop();
    }
}
