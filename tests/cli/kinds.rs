//! Every cause a user can act on reaches them as its own error kind: in the `--json` events,
//! in `reelcut jobs --json` (the store), and in the refusals of `cancel`/`retry`. One test per
//! cause, each produced for real (a loopback server's 404 and 401, a corrupt file, a missing
//! detector, a job another process holds, a job id nobody has, a cancel).

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::jobs::{command, is, server, Running};
use crate::support::*;

/// `reelcut jobs --json` against `state`: one record per line.
fn jobs(state: &Path) -> Vec<Value> {
    let o = Command::new(env!("CARGO_BIN_EXE_reelcut"))
        .args(["jobs", "--json"])
        .env("REELCUT_STATE_DIR", state)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Runs to the end and returns the one failure's kind, checking the store agrees.
fn failed_kind(args: &[&str], env: &[(&str, &str)]) -> String {
    let (state, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut cmd = command(state.path(), out.path(), args);
    cmd.envs(env.iter().copied());
    let o = cmd.output().unwrap();
    let events: Vec<Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    assert_eq!(o.status.code(), Some(1), "{events:?}");
    let failed = events_of(&events, "job_failed");
    assert_eq!(failed.len(), 1, "{events:?}");
    let kind = failed[0]["kind"].as_str().unwrap().to_string();
    let rec = &jobs(state.path())[0];
    assert_eq!(rec["status"], "failed", "{rec}");
    assert_eq!(rec["error_kind"], kind.as_str(), "{rec}");
    kind
}

#[test]
fn a_404_is_fetch_not_found() {
    let srv = server();
    assert_eq!(
        failed_kind(&[&srv.url("/missing.mp4")], &[]),
        "fetch_not_found"
    );
}

#[test]
fn a_sign_in_wall_is_fetch_sign_in() {
    let srv = server();
    srv.alias("/private.mp4", "frames.mp4");
    srv.fail("/private.mp4", 1000, 401);
    assert_eq!(
        failed_kind(&[&srv.url("/private.mp4")], &[]),
        "fetch_sign_in"
    );
}

#[test]
fn no_yt_dlp_is_fetch_tool_missing_and_files_still_work() {
    let srv = server();
    let empty = tempfile::tempdir().unwrap();
    let path = empty.path().to_str().unwrap();
    let none = [("PATH", path), ("REELCUT_YTDLP", "")];
    assert_eq!(
        failed_kind(&[&srv.url("/face.mp4")], &none),
        "fetch_tool_missing"
    );
    // A file needs no yt-dlp.
    let (state, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let face = media("face.mp4");
    let o = command(
        state.path(),
        out.path(),
        &[
            face.to_str().unwrap(),
            "--clip",
            "0-1",
            "--reframe",
            "center",
            "--captions",
            "none",
        ],
    )
    .envs(none.iter().copied())
    .output()
    .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn a_corrupt_file_is_input_invalid() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("broken.mp4");
    std::fs::write(&bad, vec![0x42u8; 4096]).unwrap();
    assert_eq!(
        failed_kind(&[bad.to_str().unwrap(), "--clip", "0-1"], &[]),
        "input_invalid"
    );
}

#[test]
fn a_missing_face_detector_is_detector() {
    let face = media("face.mp4");
    let kind = failed_kind(
        &[
            face.to_str().unwrap(),
            "--clip",
            "0-1",
            "--reframe",
            "track",
        ],
        &[
            ("REELCUT_MODELS", "/nonexistent/models"),
            ("REELCUT_CASCADE", "/nonexistent/cascade.xml"),
        ],
    );
    assert_eq!(kind, "detector");
}

#[test]
fn a_job_id_nobody_has_is_job_not_found() {
    let state = tempfile::tempdir().unwrap();
    for verb in ["cancel", "retry"] {
        let o = Command::new(env!("CARGO_BIN_EXE_reelcut"))
            .args([verb, "987", "--json"])
            .env("REELCUT_STATE_DIR", state.path())
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{verb}");
        let line: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(line["event"], "error", "{verb}: {line}");
        assert_eq!(line["kind"], "job_not_found", "{verb}: {line}");
    }
}

#[test]
fn a_job_another_process_runs_is_job_busy_and_a_cancel_is_cancelled() {
    let (state, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let sample = media("sample.mp4");
    let args = [
        sample.to_str().unwrap(),
        "--clip",
        "0-8",
        "--reframe",
        "center",
        "--preset",
        "medium",
    ];
    let mut first = Running::start(state.path(), out.path(), &args);
    let started = first.wait_for("render started", |e| is(e, "stage_started", "render"));
    let id = started["job"].as_u64().unwrap().to_string();

    // The same work asked from a second process while the first holds it.
    let o = command(state.path(), out.path(), &args).output().unwrap();
    let events: Vec<Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let failed = events_of(&events, "job_failed");
    assert_eq!(failed.len(), 1, "{events:?}");
    assert_eq!(failed[0]["kind"], "job_busy", "{events:?}");
    // Retrying a job that is running is refused the same way.
    let o = Command::new(env!("CARGO_BIN_EXE_reelcut"))
        .args(["retry", &id, "--json"])
        .env("REELCUT_STATE_DIR", state.path())
        .output()
        .unwrap();
    let line: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(line["kind"], "job_busy", "{line}");

    let o = Command::new(env!("CARGO_BIN_EXE_reelcut"))
        .args(["cancel", &id])
        .env("REELCUT_STATE_DIR", state.path())
        .output()
        .unwrap();
    assert!(o.status.success());
    let (code, events) = first.finish();
    assert_eq!(code, 130);
    assert_eq!(events_of(&events, "job_cancelled").len(), 1);
    let rec = &jobs(state.path())[0];
    assert_eq!(rec["status"], "cancelled", "{rec}");
    assert_eq!(rec["error_kind"], "cancelled", "{rec}");
}
