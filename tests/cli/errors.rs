//! Bad input gets a clear error naming the input and the cause; one bad input never harms
//! the others; nothing half-written is left behind, including after a cancel.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::support::*;

fn failure(events: &[serde_json::Value]) -> &serde_json::Value {
    events_of(events, "job_failed")
        .first()
        .copied()
        .unwrap_or_else(|| panic!("no job_failed in {events:?}"))
}

fn assert_fails(input: &std::path::Path, extra: &[&str], kind: &str, words: &[&str]) {
    let out = tempfile::tempdir().unwrap();
    let mut args = vec![input.to_str().unwrap()];
    args.extend_from_slice(extra);
    let (code, events, _) = run_json(out.path(), &args);
    assert_eq!(code, 1, "{events:?}");
    let f = failure(&events);
    assert_eq!(f["kind"], kind, "{f}");
    let msg = f["message"].as_str().unwrap();
    for w in words {
        assert!(msg.contains(w), "message {msg:?} should contain {w:?}");
    }
    assert!(
        leftovers(out.path()).is_empty(),
        "{:?}",
        leftovers(out.path())
    );
    assert!(!out
        .path()
        .join(input.file_stem().unwrap())
        .join("clip-01.mp4")
        .exists());
}

#[test]
fn missing_file() {
    let p = std::path::Path::new("/nonexistent/holiday.mp4");
    assert_fails(
        p,
        &[],
        "input_missing",
        &["/nonexistent/holiday.mp4", "not found"],
    );
}

#[test]
fn corrupt_file() {
    let p = media("corrupt.mp4");
    let out = tempfile::tempdir().unwrap();
    let (code, events, _) = run_json(out.path(), &[p.to_str().unwrap()]);
    assert_eq!(code, 1);
    let f = failure(&events);
    assert_eq!(f["kind"], "input_invalid", "{f}");
    // Random bytes are either refused outright or found to hold no usable video.
    let msg = f["message"].as_str().unwrap();
    assert!(
        msg.contains("corrupt.mp4")
            && (msg.contains("not a media file") || msg.contains("not a usable video")),
        "{msg}"
    );
    assert!(leftovers(out.path()).is_empty());
}

#[test]
fn truncated_file() {
    let p = media("truncated.mp4");
    let out = tempfile::tempdir().unwrap();
    let (code, events, _) = run_json(out.path(), &[p.to_str().unwrap(), "--clip", "1-2"]);
    assert_eq!(code, 1);
    let msg = failure(&events)["message"].as_str().unwrap().to_string();
    assert!(msg.contains("truncated.mp4"), "{msg}");
    assert!(leftovers(out.path()).is_empty());
}

#[test]
fn file_without_video() {
    let p = media("tone.m4a");
    assert_fails(&p, &[], "no_video", &["tone.m4a", "no video stream"]);
}

#[test]
fn range_outside_the_video() {
    let p = media("frames.mp4");
    assert_fails(
        &p,
        &["--clip", "18-25"],
        "range_outside",
        &["frames.mp4", "outside", "20.000"],
    );
    assert_fails(
        &p,
        &["--clip", "1-2", "--clip", "30-31"],
        "range_outside",
        &["30.000"],
    );
}

#[test]
fn malformed_range_is_a_usage_error() {
    let out = tempfile::tempdir().unwrap();
    let (code, events, _) = run_json(
        out.path(),
        &[media("frames.mp4").to_str().unwrap(), "--clip", "5-3"],
    );
    assert_eq!(code, 2);
    assert_eq!(events[0]["event"], "usage_error");
    assert!(events[0]["message"].as_str().unwrap().contains("5-3"));
}

#[test]
fn missing_or_broken_subtitles_and_watermark() {
    let p = media("frames.mp4");
    assert_fails(
        &p,
        &["--subtitles", "/nope/subs.srt"],
        "asset_invalid",
        &["/nope/subs.srt", "not found"],
    );
    assert_fails(
        &p,
        &["--watermark", "/nope/logo.png"],
        "asset_invalid",
        &["/nope/logo.png", "not found"],
    );
    let bad = tempfile::Builder::new().suffix(".srt").tempfile().unwrap();
    std::fs::write(bad.path(), "1\n00:00:01,000 --> soon\nhi\n").unwrap();
    assert_fails(
        &p,
        &["--subtitles", bad.path().to_str().unwrap()],
        "asset_invalid",
        &["line 2", "bad cue timing"],
    );
}

#[test]
fn a_bad_input_fails_alone() {
    let out = tempfile::tempdir().unwrap();
    let (good1, bad, good2) = (media("frames.mp4"), media("corrupt.mp4"), media("dark.mp4"));
    let (code, events, _) = run_json(
        out.path(),
        &[
            good1.to_str().unwrap(),
            bad.to_str().unwrap(),
            good2.to_str().unwrap(),
            "--clip",
            "1-2",
            "--resolution",
            "240",
        ],
    );
    assert_eq!(code, 1);
    let failed = events_of(&events, "job_failed");
    assert_eq!(failed.len(), 1);
    assert!(failed[0]["input"]
        .as_str()
        .unwrap()
        .ends_with("corrupt.mp4"));
    assert_eq!(events_of(&events, "job_done").len(), 2);
    for stem in ["frames", "dark"] {
        let p = ffprobe(&out.path().join(stem).join("clip-01.mp4"));
        assert!((num(&p["format"]["duration"]) - 1.0).abs() < 0.05);
    }
    let summary = events.last().unwrap();
    assert_eq!(
        (summary["succeeded"].as_u64(), summary["failed"].as_u64()),
        (Some(2), Some(1))
    );
}

#[test]
fn ctrl_c_cancels_the_render_and_leaves_nothing() {
    signal_cancels_the_render("-INT");
}

#[test]
fn sigterm_cancels_like_ctrl_c() {
    signal_cancels_the_render("-TERM");
}

fn signal_cancels_the_render(signal: &str) {
    let out = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_reelcut"))
        .args([
            "run",
            "--json",
            "--out",
            out.path().to_str().unwrap(),
            "--preset",
            "medium",
            "--whole",
        ])
        .arg(media("sample.mp4"))
        .env("REELCUT_STATE_DIR", state_dir())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    // Wait until the render loop is running.
    loop {
        let line = lines.next().expect("progress before exit").unwrap();
        if line.contains("\"progress\"") {
            break;
        }
    }
    let sent = Instant::now();
    let status = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let code = child.wait().unwrap().code();
    let took = sent.elapsed();
    assert_eq!(code, Some(130), "{rest:?}");
    // How fast is measured by scripts/bench-jobs.sh; here: that it stops, cleanly.
    eprintln!(
        "cancel latency: render ({signal}) {:.2}s",
        took.as_secs_f64()
    );
    assert!(
        rest.iter().any(|l| l.contains("\"job_cancelled\"")),
        "cancelled, not failed: {rest:?}"
    );
    assert!(
        leftovers(out.path()).is_empty(),
        "{:?}",
        leftovers(out.path())
    );
    assert!(!out.path().join("sample/clip-01.mp4").exists());
}

#[test]
fn fifos_given_as_input_subtitles_or_watermark_fail_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = |name: &str| {
        let p = dir.path().join(name);
        let ok = std::process::Command::new("mkfifo")
            .arg(&p)
            .status()
            .unwrap()
            .success();
        assert!(ok, "mkfifo {}", p.display());
        p
    };
    let (video, subs, logo) = (fifo("pipe.mp4"), fifo("pipe.srt"), fifo("pipe.png"));
    // Should a check regress, opening each pipe for writing after a minute unblocks the
    // reader, so the test fails on its assertions instead of hanging.
    let pipes = [video.clone(), subs.clone(), logo.clone()];
    std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_secs(60));
        for p in pipes {
            let _ = std::fs::OpenOptions::new().write(true).open(p);
        }
    });
    let started = std::time::Instant::now();
    let frames = media("frames.mp4");
    assert_fails(
        &video,
        &[],
        "input_invalid",
        &["pipe.mp4", "not a regular file"],
    );
    let subs_arg = subs.to_str().unwrap();
    assert_fails(
        &frames,
        &["--clip", "0-1", "--subtitles", subs_arg],
        "input_invalid",
        &["pipe.srt", "subtitle file is not a regular file"],
    );
    assert_fails(
        &frames,
        &["--clip", "0-1", "--watermark", logo.to_str().unwrap()],
        "input_invalid",
        &["pipe.png", "watermark image is not a regular file"],
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
}
