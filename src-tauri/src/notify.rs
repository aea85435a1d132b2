//! "N clips ready": a desktop notification when a job finishes while the window is not
//! focused (someone who watches the window sees the card change; someone in another app
//! would not). Clicking it, or its "Open folder" action, opens the clips' folder.
//!
//! The decision is a pure function of the event and the focus ([`clips_ready`]); sending
//! goes through the desktop's notification service over D-Bus (notify-rust), on a thread of
//! its own because waiting for the click blocks. A desktop without that service (a bare X
//! server, a headless session) only gets a log line.

use std::path::{Path, PathBuf};

use reelcut_core::Event;

/// A notification to show.
#[derive(Debug, Clone, PartialEq)]
pub struct ClipsReady {
    pub count: usize,
    /// Where the clips are: what a click opens.
    pub folder: PathBuf,
}

impl ClipsReady {
    pub fn summary(&self) -> String {
        match self.count {
            1 => "1 clip ready".to_string(),
            n => format!("{n} clips ready"),
        }
    }
}

/// Whether `event` calls for a notification, given whether the window has the focus: a job
/// that finished with clips, while the person looks elsewhere.
pub fn clips_ready(event: &Event, window_focused: bool) -> Option<ClipsReady> {
    if window_focused {
        return None;
    }
    let Event::JobDone {
        manifest, outputs, ..
    } = event
    else {
        return None;
    };
    if outputs.is_empty() {
        return None;
    }
    // The manifest sits beside the clips; without one, the first clip's folder.
    let folder = manifest
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .or_else(|| outputs[0].parent())?
        .to_path_buf();
    Some(ClipsReady {
        count: outputs.len(),
        folder,
    })
}

/// The action a click sends (the spec's name for clicking the notification's body) and the
/// explicit button.
const ACTION_DEFAULT: &str = "default";
const ACTION_OPEN: &str = "open-folder";

/// Shows `ready` and, on a click, calls `open` with its folder. Returns at once; failures
/// (no notification service) are logged.
pub fn send(ready: ClipsReady, open: impl FnOnce(&Path) + Send + 'static) {
    let spawned = std::thread::Builder::new()
        .name("reelcut-notify".into())
        .spawn(move || {
            let shown = notify_rust::Notification::new()
                .appname("Reelcut")
                .summary(&ready.summary())
                .body(&ready.folder.display().to_string())
                .icon("folder-videos")
                .action(ACTION_DEFAULT, "Open folder")
                .action(ACTION_OPEN, "Open folder")
                .show();
            match shown {
                Ok(handle) => {
                    tracing::info!(clips = ready.count, folder = %ready.folder.display(), "notified: clips ready");
                    handle.wait_for_action(|action| {
                        if action == ACTION_DEFAULT || action == ACTION_OPEN {
                            open(&ready.folder);
                        }
                    });
                }
                Err(e) => {
                    tracing::warn!(clips = ready.count, error = %e, "clips ready, but no desktop notification")
                }
            }
        });
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "no notification thread");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reelcut_core::JobId;

    fn done(outputs: &[&str]) -> Event {
        Event::JobDone {
            job: JobId(3),
            input: "/v/talk.mp4".into(),
            manifest: "/out/talk/clips.json".into(),
            outputs: outputs.iter().map(PathBuf::from).collect(),
        }
    }

    #[test]
    fn focused_window_no_notification() {
        assert_eq!(clips_ready(&done(&["/out/talk/clip-01.mp4"]), true), None);
    }

    #[test]
    fn unfocused_and_done_one_notification_with_the_folder() {
        let n = clips_ready(
            &done(&[
                "/out/talk/clip-01.mp4",
                "/out/talk/clip-02.mp4",
                "/out/talk/clip-03.mp4",
            ]),
            false,
        )
        .expect("a notification");
        assert_eq!(n.count, 3);
        assert_eq!(n.folder, PathBuf::from("/out/talk"));
        assert_eq!(n.summary(), "3 clips ready");
        let one = clips_ready(&done(&["/out/talk/clip-01.mp4"]), false).expect("one");
        assert_eq!(one.summary(), "1 clip ready");
    }

    #[test]
    fn only_finished_jobs_with_clips_notify() {
        assert_eq!(clips_ready(&done(&[]), false), None);
        let others = [
            Event::JobSkipped {
                job: JobId(3),
                input: "/v/talk.mp4".into(),
                manifest: "/out/talk/clips.json".into(),
            },
            Event::JobCancelled {
                job: JobId(3),
                input: "/v/talk.mp4".into(),
            },
            Event::JobFailed {
                job: Some(JobId(3)),
                input: "/v/talk.mp4".into(),
                kind: reelcut_core::ErrorKind::Render,
                message: "x".into(),
            },
        ];
        for e in others {
            assert_eq!(clips_ready(&e, false), None, "{e:?}");
        }
    }

    #[test]
    fn without_a_manifest_folder_the_clips_folder() {
        let e = Event::JobDone {
            job: JobId(1),
            input: "a".into(),
            manifest: "".into(),
            outputs: vec!["/out/a/clip-01.mp4".into()],
        };
        assert_eq!(
            clips_ready(&e, false).map(|n| n.folder),
            Some(PathBuf::from("/out/a"))
        );
    }
}
