//! A watched folder: every video that appears in it, once it has stopped growing, is handed
//! to the caller (which submits it as a job). Files already there when the watch starts
//! count as appearing then; the job store's keys make a file that was done before a
//! restart a skip, not a second render.
//!
//! Change notices come from the kernel (inotify, through `notify`); they only say "look at
//! this path". Whether a file is finished is decided by looking: its size and modification
//! time unchanged for `settle`. A copy over a slow link, a browser download or an export
//! from an editor all write for a while, and the first notice comes with the first bytes.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime};

use notify::{RecursiveMode, Watcher};
use reelcut_core::CancellationToken;

use crate::EngineError;

#[derive(Debug, Clone)]
pub struct WatchOptions {
    /// Subfolders too (new ones as they appear).
    pub recursive: bool,
    /// How long a file must keep its size and modification time to count as finished.
    pub settle: Duration,
    /// Folders whose files are never taken (the output and state folders, when they lie
    /// inside the watched one: clips must not become jobs).
    pub ignore: Vec<PathBuf>,
}

impl Default for WatchOptions {
    fn default() -> Self {
        Self {
            recursive: false,
            settle: Duration::from_secs(3),
            ignore: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum WatchEvent {
    /// The watch is running: files that appear from now on are seen.
    Watching { folder: PathBuf },
    /// A finished video: submit it.
    Ready(PathBuf),
    /// A finished file that is not a video, with why.
    Ignored { path: PathBuf, reason: String },
}

/// The kernel's notices are coalesced this long; also how often growing files are looked at.
const TICK: Duration = Duration::from_millis(200);
const MAX_DEPTH: usize = 16;

#[derive(Clone, Copy, PartialEq)]
struct Seen {
    size: u64,
    modified: Option<SystemTime>,
}

fn seen(path: &Path) -> Option<Seen> {
    let m = std::fs::metadata(path).ok()?;
    m.is_file().then(|| Seen {
        size: m.len(),
        modified: m.modified().ok(),
    })
}

/// Watches `folder` until `cancel`; `on_event` gets every finished file. Errors only for a
/// folder that cannot be watched at all.
pub fn watch_folder(
    folder: &Path,
    opts: &WatchOptions,
    cancel: &CancellationToken,
    on_event: &mut dyn FnMut(WatchEvent),
) -> Result<(), EngineError> {
    let folder = folder.canonicalize().map_err(EngineError::io(folder))?;
    if !folder.is_dir() {
        return Err(EngineError::io(&folder)(std::io::Error::new(
            std::io::ErrorKind::NotADirectory,
            "not a folder: give the folder to watch",
        )));
    }
    let ignore: Vec<PathBuf> = opts
        .ignore
        .iter()
        .map(|p| p.canonicalize().unwrap_or_else(|_| p.clone()))
        .collect();
    let (tx, rx) = mpsc::channel::<PathBuf>();
    let mut watcher =
        notify::recommended_watcher(move |res: notify::Result<notify::Event>| match res {
            Ok(ev) => {
                for p in ev.paths {
                    let _ = tx.send(p);
                }
            }
            Err(e) => tracing::warn!(error = %e, "file watch notice lost"),
        })
        .map_err(|e| watch_error(&folder, e))?;
    let mode = if opts.recursive {
        RecursiveMode::Recursive
    } else {
        RecursiveMode::NonRecursive
    };
    watcher
        .watch(&folder, mode)
        .map_err(|e| watch_error(&folder, e))?;
    on_event(WatchEvent::Watching {
        folder: folder.clone(),
    });

    let mut state = State {
        folder: folder.clone(),
        recursive: opts.recursive,
        ignore,
        pending: HashMap::new(),
        handed: HashMap::new(),
    };
    // What is there already, after the watch is set up (so nothing falls between the two).
    state.scan(&folder, 0);
    while !cancel.is_cancelled() {
        match rx.recv_timeout(TICK) {
            Ok(p) => {
                state.notice(p);
                for p in rx.try_iter() {
                    state.notice(p);
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
        for ev in state.settled(opts.settle) {
            if cancel.is_cancelled() {
                break;
            }
            on_event(ev);
        }
    }
    Ok(())
}

fn watch_error(folder: &Path, e: notify::Error) -> EngineError {
    EngineError::io(folder)(std::io::Error::other(format!("cannot watch it: {e}")))
}

struct State {
    folder: PathBuf,
    recursive: bool,
    ignore: Vec<PathBuf>,
    /// Files being written (or just seen): when they were last seen to change.
    pending: HashMap<PathBuf, (Seen, Instant)>,
    /// Files handed out, as they were: one that changes again later is a new version.
    handed: HashMap<PathBuf, Seen>,
}

impl State {
    fn wanted(&self, p: &Path) -> bool {
        let Ok(rel) = p.strip_prefix(&self.folder) else {
            return false;
        };
        // Hidden names: partial downloads (.name.part), editors' temp files, our own
        // work folders.
        if rel
            .components()
            .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
        {
            return false;
        }
        if !self.recursive && rel.components().count() != 1 {
            return false;
        }
        !self.ignore.iter().any(|i| p.starts_with(i))
    }

    fn notice(&mut self, p: PathBuf) {
        if !self.wanted(&p) {
            return;
        }
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.is_dir() && self.recursive => {
                // A folder moved in brings its files without a notice for each.
                let depth = p
                    .strip_prefix(&self.folder)
                    .map(|r| r.components().count())
                    .unwrap_or(MAX_DEPTH);
                self.scan(&p, depth);
            }
            Ok(m) if m.is_file() || m.file_type().is_symlink() => self.track(p),
            Ok(_) => {}
            Err(_) => {
                // Gone (renamed away, deleted).
                self.pending.remove(&p);
            }
        }
    }

    fn track(&mut self, p: PathBuf) {
        let Some(now) = seen(&p) else {
            return;
        };
        if self.handed.get(&p) == Some(&now) {
            return; // a notice for a file already handed out, unchanged
        }
        match self.pending.get(&p) {
            Some((s, _)) if *s == now => {}
            _ => {
                self.pending.insert(p, (now, Instant::now()));
            }
        }
    }

    fn scan(&mut self, dir: &Path, depth: usize) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if !self.wanted(&p) {
                continue;
            }
            match e.file_type() {
                Ok(t) if t.is_dir() => {
                    if self.recursive && depth < MAX_DEPTH {
                        self.scan(&p, depth + 1);
                    }
                }
                Ok(_) => self.track(p),
                Err(_) => {}
            }
        }
    }

    /// Files unchanged for `settle`, looked at again now, taken out of `pending`.
    fn settled(&mut self, settle: Duration) -> Vec<WatchEvent> {
        let mut out = Vec::new();
        let mut paths: Vec<PathBuf> = self.pending.keys().cloned().collect();
        paths.sort(); // files that settle together are handed out in name order
        for p in paths {
            let Some(now) = seen(&p) else {
                self.pending.remove(&p);
                continue;
            };
            let Some((before, since)) = self.pending.get(&p).copied() else {
                continue;
            };
            if now != before {
                self.pending.insert(p, (now, Instant::now()));
                continue;
            }
            // An empty file is a file about to be written.
            if since.elapsed() < settle || now.size == 0 {
                continue;
            }
            self.pending.remove(&p);
            self.handed.insert(p.clone(), now);
            match reelcut_media::probe(&p) {
                Ok(i) if i.duration > 0.0 => out.push(WatchEvent::Ready(p)),
                Ok(_) => out.push(WatchEvent::Ignored {
                    path: p,
                    reason: "no duration (a still image?)".into(),
                }),
                Err(e) => out.push(WatchEvent::Ignored {
                    path: p,
                    reason: e.to_string(),
                }),
            }
        }
        out
    }
}
