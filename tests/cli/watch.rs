//! `reelcut watch`: a file written in pieces is taken once, after it stops growing; a file
//! that is no video is ignored with a line saying so; Ctrl-C stops cleanly; a restart does
//! not redo what was done.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use crate::support::*;

struct Watch {
    child: Child,
    events: Receiver<(Instant, serde_json::Value)>,
    seen: Vec<(Instant, serde_json::Value)>,
}

impl Watch {
    fn start(folder: &Path, out: &Path, state: &Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_reelcut"))
            .args(["watch", "--json", "--settle", "1", "--preset", "ultrafast"])
            .args(["--clip", "0-2", "--captions", "none", "--reframe", "center"])
            .arg("--out")
            .arg(out)
            .arg(folder)
            .env("REELCUT_STATE_DIR", state)
            .env("REELCUT_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, events) = mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let v: serde_json::Value = serde_json::from_str(&line)
                    .unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
                if tx.send((Instant::now(), v)).is_err() {
                    break;
                }
            }
        });
        Self {
            child,
            events,
            seen: Vec::new(),
        }
    }

    /// Waits for an event of `kind` (up to `secs`), keeping every event seen.
    fn wait_for(&mut self, kind: &str, secs: u64) -> (Instant, serde_json::Value) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        if let Some(e) = self.seen.iter().find(|(_, e)| e["event"] == kind) {
            return e.clone();
        }
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.events.recv_timeout(left) {
                Ok(e) => {
                    self.seen.push(e.clone());
                    if e.1["event"] == kind {
                        return e;
                    }
                }
                Err(_) => break,
            }
        }
        panic!("no {kind} event within {secs} s; saw {:?}", self.kinds());
    }

    fn kinds(&self) -> Vec<String> {
        self.seen
            .iter()
            .map(|(_, e)| e["event"].as_str().unwrap_or("?").to_string())
            .collect()
    }

    /// Ctrl-C, then the exit code and the rest of the events.
    fn interrupt(mut self) -> (i32, Vec<serde_json::Value>, String) {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success());
        let started = Instant::now();
        let status = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "watch did not stop after Ctrl-C"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut self.child.stderr.take().unwrap(), &mut stderr).unwrap();
        self.seen.extend(self.events.try_iter());
        (
            status.code().unwrap_or(-1),
            self.seen.into_iter().map(|(_, e)| e).collect(),
            stderr,
        )
    }
}

#[test]
fn a_growing_file_is_taken_once_after_it_stops_and_not_again_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (folder, out, state) = (
        dir.path().join("in"),
        dir.path().join("out"),
        dir.path().join("state"),
    );
    std::fs::create_dir_all(&folder).unwrap();
    let mut w = Watch::start(&folder, &out, &state);
    w.wait_for("watching", 20);

    // Not a video: ignored, with a line naming it.
    std::fs::write(folder.join("notes.txt"), "shot list: intro, outro\n").unwrap();
    let (_, ignored) = w.wait_for("watch_ignored", 20);
    assert!(
        ignored["path"].as_str().unwrap().ends_with("notes.txt"),
        "{ignored}"
    );
    assert!(!ignored["reason"].as_str().unwrap().is_empty());

    // A video copied in slowly: six pieces, 0.6 s apart (each gap shorter than --settle 1).
    let bytes = std::fs::read(media("face.mp4")).unwrap();
    let target = folder.join("take one.mp4");
    let mut f = std::fs::File::create(&target).unwrap();
    for piece in bytes.chunks(bytes.len().div_ceil(6)) {
        f.write_all(piece).unwrap();
        f.flush().unwrap();
        std::thread::sleep(Duration::from_millis(600));
    }
    drop(f);
    let written = Instant::now();
    let (queued_at, _) = w.wait_for("job_queued", 30);
    assert!(
        queued_at >= written,
        "taken {:?} before the copy ended",
        written - queued_at
    );
    let (_, done) = w.wait_for("job_done", 120);
    let clip = out.join("take one/clip-01.mp4");
    assert!(clip.is_file(), "{done}");
    let probe = ffprobe(&clip);
    assert!(
        (num(&probe["format"]["duration"]) - 2.0).abs() < 0.1,
        "{probe}"
    );
    // Nothing more arrives for the same file (its notices after the job are not a new file).
    std::thread::sleep(Duration::from_millis(1500));
    let (code, events, stderr) = w.interrupt();
    assert_eq!(code, 0, "Ctrl-C is a clean stop: {stderr}");
    assert_eq!(events_of(&events, "job_queued").len(), 1, "{events:?}");
    assert_eq!(events_of(&events, "job_done").len(), 1, "{events:?}");
    let stopped = events_of(&events, "watch_stopped");
    assert_eq!(stopped.len(), 1, "{events:?}");
    assert_eq!(stopped[0]["succeeded"], 1);
    assert!(
        stderr.contains("not a video, ignored"),
        "the log names the ignored file: {stderr}"
    );
    assert!(leftovers(&out).is_empty(), "{:?}", leftovers(&out));

    // A restart finds the same file there: done before, so skipped, not rendered again.
    let before = std::fs::metadata(&clip).unwrap().modified().unwrap();
    let mut w = Watch::start(&folder, &out, &state);
    let (_, skipped) = w.wait_for("job_skipped", 30);
    assert!(
        skipped["input"].as_str().unwrap().ends_with("take one.mp4"),
        "{skipped}"
    );
    let (code, events, stderr) = w.interrupt();
    assert_eq!(code, 0, "{stderr}");
    assert!(events_of(&events, "job_done").is_empty(), "{events:?}");
    assert!(events_of(&events, "stage_started").is_empty(), "{events:?}");
    assert_eq!(
        std::fs::metadata(&clip).unwrap().modified().unwrap(),
        before
    );
}

#[test]
fn a_file_that_is_not_a_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("x.mp4");
    std::fs::write(&file, b"x").unwrap();
    let o = reelcut(&["watch", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("not a folder"),
        "{o:?}"
    );
}
