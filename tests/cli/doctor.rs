//! `reelcut doctor`: every check says what it found where, a missing piece is named with
//! its fix and makes the exit code 1, an optional one (yt-dlp) only warns.

use std::path::Path;
use std::process::Command;

use crate::support::*;

/// (exit code, the JSON report, the human report) with `env` changes.
fn doctor(env: &[(&str, &Path)]) -> (i32, serde_json::Value, String) {
    let out = tempfile::tempdir().unwrap();
    let run = |json: bool| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_reelcut"));
        c.args(["doctor", "--out"]).arg(out.path());
        if json {
            c.arg("--json");
        }
        c.env("REELCUT_STATE_DIR", state_dir());
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().unwrap()
    };
    let j = run(true);
    let report = serde_json::from_slice(&j.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&j.stdout)));
    let h = run(false);
    assert_eq!(h.status.code(), j.status.code(), "both forms agree");
    (
        j.status.code().unwrap_or(-1),
        report,
        String::from_utf8_lossy(&h.stdout).into_owned(),
    )
}

fn check<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id}: {report}"))
}

#[test]
fn all_good_says_where_everything_is() {
    let (code, r, human) = doctor(&[]);
    assert_eq!(code, 0, "{human}");
    assert_eq!(r["ready"], true);
    for id in [
        "libav",
        "encoder",
        "onnxruntime",
        "face_model",
        "vad_model",
        "fonts",
        "whisper",
        "yt-dlp",
        "disk:out",
        "disk:state",
        "job_store",
    ] {
        assert_eq!(check(&r, id)["status"], "ok", "{id}: {human}");
    }
    // Found where this checkout keeps them (the share folder the tests point at).
    let repo = repo().canonicalize().unwrap().display().to_string();
    assert!(
        check(&r, "face_model")["found"]
            .as_str()
            .unwrap()
            .contains("models/yunet"),
        "{human}"
    );
    assert!(
        check(&r, "fonts")["found"]
            .as_str()
            .unwrap()
            .starts_with(&repo),
        "{human}"
    );
    assert!(
        check(&r, "encoder")["found"]
            .as_str()
            .unwrap()
            .contains("libx264 (works)"),
        "{human}"
    );
    assert!(
        check(&r, "libav")["found"]
            .as_str()
            .unwrap()
            .contains("libavcodec 59."),
        "{human}"
    );
    assert!(
        check(&r, "whisper:tiny.en")["found"]
            .as_str()
            .unwrap()
            .contains("ggml-tiny.en.bin"),
        "{human}"
    );
    assert!(human.contains("Reelcut is ready."), "{human}");
}

#[test]
fn a_missing_onnx_runtime_is_named_with_its_fix() {
    let (code, r, human) = doctor(&[(
        "ORT_DYLIB_PATH",
        Path::new("/nonexistent/libonnxruntime.so.1.32.0"),
    )]);
    assert_eq!(code, 1, "{human}");
    assert_eq!(r["ready"], false);
    let ort = check(&r, "onnxruntime");
    assert_eq!(ort["status"], "missing");
    assert!(
        ort["found"]
            .as_str()
            .unwrap()
            .contains("/nonexistent/libonnxruntime.so.1.32.0"),
        "{ort}"
    );
    assert!(
        ort["fix"].as_str().unwrap().contains("ORT_DYLIB_PATH"),
        "{ort}"
    );
    // The models that need it are not blamed for it.
    let face = check(&r, "face_model");
    assert_eq!(face["status"], "missing");
    assert!(
        face["found"]
            .as_str()
            .unwrap()
            .contains("ONNX Runtime is missing"),
        "{face}"
    );
    assert_eq!(check(&r, "fonts")["status"], "ok");
    assert!(
        human.contains("MISSING") && human.contains("fix: "),
        "{human}"
    );
}

#[test]
fn no_whisper_model_is_missing_with_how_to_get_one() {
    let empty = tempfile::tempdir().unwrap();
    let (code, r, human) = doctor(&[("REELCUT_DATA_DIR", empty.path())]);
    assert_eq!(code, 1, "{human}");
    let w = check(&r, "whisper");
    assert_eq!(w["status"], "missing", "{human}");
    assert!(
        w["found"].as_str().unwrap().contains("none installed"),
        "{w}"
    );
    let fix = w["fix"].as_str().unwrap();
    assert!(
        fix.contains("models download tiny.en") && fix.contains("models import"),
        "{fix}"
    );
    assert!(!r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["id"].as_str().unwrap().starts_with("whisper:")));
}

#[test]
fn yt_dlp_missing_or_old_only_warns() {
    let empty = tempfile::tempdir().unwrap();
    let (code, r, human) = doctor(&[("PATH", empty.path())]);
    assert_eq!(code, 0, "yt-dlp is for URL inputs only: {human}");
    let y = check(&r, "yt-dlp");
    assert_eq!(y["status"], "warning", "{human}");
    assert!(
        y["fix"]
            .as_str()
            .unwrap()
            .contains("URL inputs need yt-dlp"),
        "{y}"
    );
    assert!(
        human.contains("warning") && !human.contains("MISSING"),
        "{human}"
    );

    let old = empty.path().join("yt-dlp");
    std::fs::write(&old, "#!/bin/sh\necho 2021.12.01\n").unwrap();
    std::fs::set_permissions(&old, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let (code, r, human) = doctor(&[("REELCUT_YTDLP", &old)]);
    assert_eq!(code, 0, "{human}");
    let y = check(&r, "yt-dlp");
    assert_eq!(y["status"], "warning");
    assert!(
        y["fix"].as_str().unwrap().contains("2021.12.01")
            && y["fix"].as_str().unwrap().contains(">= 2023.03.04"),
        "{y}"
    );
}
