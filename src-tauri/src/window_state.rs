//! The main window's size, position and maximised state, remembered across restarts in
//! `window.json` beside the settings. Sizes are logical pixels (what the configuration's
//! `width`/`height` mean), so a record made at one display scale opens the same on another.
//! Saved shortly after the window stops changing (a drag resizes it many times a second),
//! never on exit: an app that is killed has saved already.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WindowRecord {
    /// Inner size, logical pixels.
    pub width: f64,
    pub height: f64,
    /// Outer position, logical pixels; `None` until the window was seen to move.
    pub x: Option<f64>,
    pub y: Option<f64>,
    /// Maximised windows keep the size they return to in `width`/`height`.
    #[serde(default)]
    pub maximized: bool,
}

/// Sizes outside this are a broken record, not a window someone made.
const MIN_SIDE: f64 = 100.0;
const MAX_SIDE: f64 = 16_384.0;

impl WindowRecord {
    /// Whether this is a size a window can be given back.
    pub fn is_sane(&self) -> bool {
        let side = |v: f64| v.is_finite() && (MIN_SIDE..=MAX_SIDE).contains(&v);
        let coord = |v: Option<f64>| v.is_none_or(|v| v.is_finite() && v.abs() <= MAX_SIDE * 4.0);
        side(self.width) && side(self.height) && coord(self.x) && coord(self.y)
    }

    /// The position, when it lies on one of `monitors` (logical rectangles `x, y, w, h`): a
    /// window is never put back on a screen that is no longer attached.
    pub fn position_on(&self, monitors: &[(f64, f64, f64, f64)]) -> Option<(f64, f64)> {
        let (x, y) = (self.x?, self.y?);
        monitors
            .iter()
            .any(|&(mx, my, mw, mh)| x >= mx && y >= my && x < mx + mw && y < my + mh)
            .then_some((x, y))
    }
}

pub struct WindowStateFile {
    path: PathBuf,
}

impl WindowStateFile {
    pub fn new(config_dir: &Path) -> Self {
        Self {
            path: config_dir.join("window.json"),
        }
    }

    /// The saved record; `None` when there is none or it is unreadable or absurd.
    pub fn load(&self) -> Option<WindowRecord> {
        let bytes = std::fs::read(&self.path).ok()?;
        match serde_json::from_slice::<WindowRecord>(&bytes) {
            Ok(r) if r.is_sane() => Some(r),
            Ok(r) => {
                tracing::warn!(path = %self.path.display(), record = ?r, "window record ignored");
                None
            }
            Err(e) => {
                tracing::warn!(path = %self.path.display(), error = %e, "window record unreadable");
                None
            }
        }
    }

    pub fn save(&self, record: &WindowRecord) -> std::io::Result<()> {
        let json = serde_json::to_vec_pretty(record).map_err(std::io::Error::other)?;
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        reelcut_core::partial::write_atomic(&self.path, &json)
    }
}

/// How long the window must stay unchanged before its record is written.
const QUIET: Duration = Duration::from_millis(300);

/// A thread that writes the latest record it is sent once they stop coming for [`QUIET`];
/// it ends when the sender is dropped (after writing what was pending).
pub fn saver(file: WindowStateFile) -> std::io::Result<mpsc::Sender<WindowRecord>> {
    let (tx, rx) = mpsc::channel::<WindowRecord>();
    std::thread::Builder::new()
        .name("reelcut-window-state".into())
        .spawn(move || {
            while let Ok(mut latest) = rx.recv() {
                loop {
                    match rx.recv_timeout(QUIET) {
                        Ok(r) => latest = r,
                        Err(mpsc::RecvTimeoutError::Timeout) => break,
                        Err(mpsc::RecvTimeoutError::Disconnected) => break,
                    }
                }
                if let Err(e) = file.save(&latest) {
                    tracing::warn!(path = %file.path.display(), error = %e, "window size not saved");
                }
            }
        })?;
    Ok(tx)
}

/// Gives `window` its remembered size and place, then keeps the record up to date.
pub fn track<R: tauri::Runtime>(window: &tauri::WebviewWindow<R>, file: WindowStateFile) {
    use tauri::{LogicalPosition, LogicalSize, WindowEvent};

    let saved = file.load();
    if let Some(r) = saved {
        if let Err(e) = window.set_size(LogicalSize::new(r.width, r.height)) {
            tracing::warn!(error = %e, "window size not restored");
        }
        let monitors: Vec<(f64, f64, f64, f64)> = (window.available_monitors().unwrap_or_default())
            .iter()
            .map(|m| {
                let (p, s, k) = (m.position(), m.size(), m.scale_factor());
                (
                    p.x as f64 / k,
                    p.y as f64 / k,
                    s.width as f64 / k,
                    s.height as f64 / k,
                )
            })
            .collect();
        if let Some((x, y)) = r.position_on(&monitors) {
            if let Err(e) = window.set_position(LogicalPosition::new(x, y)) {
                tracing::warn!(error = %e, "window position not restored");
            }
        }
        if r.maximized {
            let _ = window.maximize();
        }
        tracing::info!(width = r.width, height = r.height, "window size restored");
    }
    let tx = match saver(file) {
        Ok(tx) => tx,
        Err(e) => {
            tracing::warn!(error = %e, "window size will not be remembered");
            return;
        }
    };
    let w = window.clone();
    // The handler is `Fn`: the last record seen lives behind a lock.
    let last = std::sync::Mutex::new(saved);
    window.on_window_event(move |event| {
        if !matches!(event, WindowEvent::Resized(_) | WindowEvent::Moved(_)) {
            return;
        }
        let k = w.scale_factor().unwrap_or(1.0);
        let maximized = w.is_maximized().unwrap_or(false);
        let mut record = last.lock().unwrap_or_else(|p| p.into_inner());
        let mut r = (*record).unwrap_or(WindowRecord {
            width: 0.0,
            height: 0.0,
            x: None,
            y: None,
            maximized,
        });
        r.maximized = maximized;
        // A maximised or minimised window's size is not the one to come back to.
        let minimized = w.is_minimized().unwrap_or(false);
        if !maximized && !minimized {
            if let Ok(size) = w.inner_size() {
                let size = size.to_logical::<f64>(k);
                (r.width, r.height) = (size.width, size.height);
            }
            if let Ok(pos) = w.outer_position() {
                let pos = pos.to_logical::<f64>(k);
                (r.x, r.y) = (Some(pos.x), Some(pos.y));
            }
        }
        if r.is_sane() && *record != Some(r) {
            *record = Some(r);
            let _ = tx.send(r);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(width: f64, height: f64) -> WindowRecord {
        WindowRecord {
            width,
            height,
            x: Some(40.0),
            y: Some(30.0),
            maximized: false,
        }
    }

    fn scratch(name: &str) -> PathBuf {
        std::env::temp_dir().join(format!("reelcut-window-{name}-{}", std::process::id()))
    }

    #[test]
    fn a_saved_size_comes_back() {
        let dir = scratch("round");
        let file = WindowStateFile::new(&dir.join("config"));
        assert_eq!(file.load(), None, "no record: the configuration's size");
        let r = WindowRecord {
            maximized: true,
            ..record(1100.0, 720.0)
        };
        file.save(&r).expect("saved");
        assert_eq!(file.load(), Some(r));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn broken_or_absurd_records_are_ignored() {
        let dir = scratch("broken");
        let file = WindowStateFile::new(&dir);
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(dir.join("window.json"), b"{\"width\":").expect("write");
        assert_eq!(file.load(), None);
        for bad in [
            record(0.0, 700.0),
            record(1000.0, 1e9),
            record(f64::NAN, 700.0),
        ] {
            assert!(!bad.is_sane(), "{bad:?}");
        }
        std::fs::write(
            dir.join("window.json"),
            br#"{"width":20,"height":10,"x":null,"y":null}"#,
        )
        .expect("write");
        assert_eq!(file.load(), None);
        // A record from before maximised was kept.
        std::fs::write(
            dir.join("window.json"),
            br#"{"width":1000,"height":700,"x":null,"y":null}"#,
        )
        .expect("write");
        assert_eq!(
            file.load().map(|r| (r.width, r.maximized)),
            Some((1000.0, false))
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_position_off_every_monitor_is_dropped() {
        let monitors = [(0.0, 0.0, 1280.0, 800.0)];
        assert_eq!(
            record(1000.0, 700.0).position_on(&monitors),
            Some((40.0, 30.0))
        );
        let off = WindowRecord {
            x: Some(2000.0),
            ..record(1000.0, 700.0)
        };
        assert_eq!(off.position_on(&monitors), None);
        let unknown = WindowRecord {
            x: None,
            ..record(1000.0, 700.0)
        };
        assert_eq!(unknown.position_on(&monitors), None);
    }

    /// Of a burst of changes, the last is what stays written.
    #[test]
    fn the_saver_writes_the_last_of_a_burst() {
        let dir = scratch("saver");
        let tx = saver(WindowStateFile::new(&dir)).expect("thread");
        for w in 0..50 {
            tx.send(record(900.0 + w as f64, 700.0)).expect("send");
        }
        let file = WindowStateFile::new(&dir);
        let t0 = std::time::Instant::now();
        while file.load().map(|r| r.width) != Some(949.0) {
            assert!(
                t0.elapsed() < Duration::from_secs(5),
                "never saved: {:?}",
                file.load()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        drop(tx);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
