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
    let lib = d.join(".tools/onnxruntime/libonnxruntime.so.1.32.0");
    std::fs::create_dir_all(lib.parent().unwrap()).unwrap();
    let built = Command::new("cc")
        .args(["-shared", "-fPIC", "-o"])
        .arg(&lib)
        .arg(&src)
        .status()
        .expect("a C compiler (build-essential)");
    assert!(built.success());
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
            .env_remove("ORT_DYLIB_PATH")
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
