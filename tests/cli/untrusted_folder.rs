//! Reelcut run inside a folder someone else made (downloaded, unzipped, a camera card) takes
//! nothing from it but the inputs it is given: no library is loaded from it (a planted
//! ONNX Runtime whose constructor leaves a marker), no fonts or face model, and a file named
//! like a model does not replace the installed model.

use std::path::Path;
use std::process::Command;

use crate::support::*;

const PLANTED: &str = r#"
#include <stdio.h>
#include <stdlib.h>
__attribute__((constructor)) static void planted(void) {
    const char *p = getenv("PLANTED_MARKER");
    FILE *f = p ? fopen(p, "w") : NULL;
    if (f) { fputs("the planted library ran\n", f); fclose(f); }
}
"#;

fn write(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn nothing_is_loaded_from_the_working_folder() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let src = d.join("planted.c");
    write(&src, PLANTED.as_bytes());
    // Where a source checkout keeps it, and where a share folder does.
    for lib in [
        d.join(".tools/onnxruntime/libonnxruntime.so.1.32.0"),
        d.join("lib/libonnxruntime.so.1.32.0"),
    ] {
        std::fs::create_dir_all(lib.parent().unwrap()).unwrap();
        let built = Command::new("cc")
            .args(["-shared", "-fPIC", "-o"])
            .arg(&lib)
            .arg(&src)
            .status()
            .expect("a C compiler (build-essential)");
        assert!(built.success());
    }
    // Fonts, a face model and a Whisper model of the names Reelcut looks for: all garbage.
    write(&d.join("assets/fonts/Montserrat-Bold.ttf"), b"not a font");
    write(
        &d.join("models/yunet/face_detection_yunet_2023mar.onnx"),
        b"not a model",
    );
    write(&d.join("tiny.en"), b"not a whisper model");
    let marker = d.join("planted-library-ran");
    let out = d.join("clips");

    let run = |extra: &[&str]| {
        let o = Command::new(env!("CARGO_BIN_EXE_reelcut"))
            .current_dir(d)
            .args(["run", "--json", "--preset", "ultrafast", "--out"])
            .arg(&out)
            .arg(media("demo.mp4"))
            .args(["--clip", "0-2", "--force"])
            .args(extra)
            // The fonts and models come from the share folder (the checkout, through
            // REELCUT_SHARE_DIR from cargo), ONNX Runtime from its variable: never from here.
            .env_remove("REELCUT_ASSETS")
            .env_remove("REELCUT_MODELS")
            .env("PLANTED_MARKER", &marker)
            .env("REELCUT_STATE_DIR", d.join("state"))
            .output()
            .unwrap();
        let text = format!(
            "{}\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        (o.status.code(), text)
    };
    let clip = || -> serde_json::Value {
        let m: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("demo/clips.json")).unwrap()).unwrap();
        m["clips"][0].clone()
    };

    // Face tracking loads ONNX Runtime and the face model.
    let (code, text) = run(&["--reframe", "track"]);
    assert!(
        !marker.exists(),
        "a library from the working folder was loaded: {text}"
    );
    assert_eq!(code, Some(0), "{text}");
    assert_eq!(clip()["detector"], "yunet", "{text}");

    // Captions load the Whisper model named tiny.en: the installed one, not ./tiny.en.
    let (code, text) = run(&[
        "--reframe",
        "center",
        "--captions",
        "karaoke",
        "--model",
        "tiny.en",
    ]);
    assert_eq!(code, Some(0), "{text}");
    let ass = std::fs::read_to_string(out.join("demo/clip-01.ass")).unwrap();
    assert!(
        ass.contains("Dialogue:"),
        "captions from the installed model: {ass}"
    );
    // The fonts burned in are ours, not the working folder's garbage file.
    assert!(
        !text.contains(&d.join("assets/fonts").display().to_string()),
        "{text}"
    );
}

/// A relative `--state-dir` (and relative option files) are stored absolute: a later
/// process in another folder finds the same files, and its `--force` or cancel never
/// deletes a folder of the same relative name where it runs.
#[test]
fn relative_paths_are_stored_absolute() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    std::fs::copy(media("frames.mp4"), a.path().join("in.mp4")).unwrap();
    write(
        &a.path().join("subs.srt"),
        b"1\n00:00:00,200 --> 00:00:00,900\nHello\n\n",
    );
    let reelcut_in = |dir: &Path, state: &str, extra: &[&str]| {
        let o = Command::new(env!("CARGO_BIN_EXE_reelcut"))
            .current_dir(dir)
            .args([
                "run",
                "--json",
                "--preset",
                "ultrafast",
                "--reframe",
                "center",
            ])
            .args(["--state-dir", state, "--clip", "0-1"])
            .args(extra)
            .output()
            .unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
    };
    reelcut_in(
        a.path(),
        "st",
        &["in.mp4", "--out", "out", "--subtitles", "subs.srt"],
    );
    let jobs = Command::new(env!("CARGO_BIN_EXE_reelcut"))
        .current_dir(a.path())
        .args(["jobs", "--json", "--state-dir", "st"])
        .output()
        .unwrap();
    let rec: serde_json::Value = serde_json::from_slice(&jobs.stdout).unwrap();
    let work = rec["work_dir"].as_str().unwrap();
    assert!(Path::new(work).is_absolute(), "{rec}");
    let options: serde_json::Value =
        serde_json::from_str(rec["options"].as_str().unwrap()).unwrap();
    let subs = options["subtitles"].as_str().unwrap();
    assert!(
        Path::new(subs).is_absolute() && subs.ends_with("subs.srt"),
        "{options}"
    );

    // Another folder with an unrelated st/jobs/1: the same job redone from there.
    let precious = b.path().join("st/jobs/1/precious.txt");
    write(&precious, b"not Reelcut's");
    let a_state = a.path().join("st");
    let a_in = a.path().join("in.mp4");
    let a_out = a.path().join("out");
    reelcut_in(
        b.path(),
        a_state.to_str().unwrap(),
        &[
            a_in.to_str().unwrap(),
            "--out",
            a_out.to_str().unwrap(),
            "--subtitles",
            a.path().join("subs.srt").to_str().unwrap(),
            "--force",
        ],
    );
    assert!(
        precious.is_file(),
        "a folder outside the state folder was deleted"
    );
}

/// Inputs whose names clash (camera cards name every file alike; `x.mp4` and `x.mov` share a
/// stem) keep their own clips folders, and each keeps the same one on every run.
#[test]
fn inputs_with_the_same_name_keep_their_own_clips() {
    let (src, out, state) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let s = src.path();
    for p in ["s1/GX010001.MP4", "s2/GX010001.MP4", "x.mp4", "x.mov"] {
        std::fs::create_dir_all(s.join(p).parent().unwrap()).unwrap();
        std::fs::copy(media("frames.mp4"), s.join(p)).unwrap();
    }
    let run = |input: &Path| -> Vec<serde_json::Value> {
        let o = Command::new(env!("CARGO_BIN_EXE_reelcut"))
            .args([
                "run",
                "--json",
                "--preset",
                "ultrafast",
                "--reframe",
                "center",
            ])
            .args(["--clip", "0-1", "--recursive", "--out"])
            .arg(out.path())
            .arg(input)
            .env("REELCUT_STATE_DIR", state.path())
            .output()
            .unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let manifests = |events: &[serde_json::Value], kind: &str| -> Vec<String> {
        let mut m: Vec<String> = events_of(events, kind)
            .iter()
            .map(|e| e["manifest"].as_str().unwrap().to_string())
            .collect();
        m.sort();
        m
    };
    let first = run(s);
    let done = manifests(&first, "job_done");
    assert_eq!(done.len(), 4, "{first:?}");
    let distinct: std::collections::HashSet<_> = done.iter().collect();
    assert_eq!(distinct.len(), 4, "one clips folder per input: {done:?}");
    for m in &done {
        let clip: serde_json::Value = serde_json::from_slice(&std::fs::read(m).unwrap()).unwrap();
        assert!(
            Path::new(m).with_file_name("clip-01.mp4").is_file(),
            "{clip}"
        );
    }
    // The same command again finds every input's clips where it left them.
    let again = run(s);
    assert_eq!(manifests(&again, "job_skipped"), done, "{again:?}");
    // One of the clashing inputs on its own: still its own folder.
    let alone = run(&s.join("s2/GX010001.MP4"));
    let skipped = manifests(&alone, "job_skipped");
    assert_eq!(skipped.len(), 1, "{alone:?}");
    assert!(done.contains(&skipped[0]), "{skipped:?} not in {done:?}");
}
