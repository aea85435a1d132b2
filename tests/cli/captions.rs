//! Speech to captions through the CLI, with the real Whisper tiny.en model (installed into
//! the model store by scripts/test.sh) on generated espeak-ng speech (tests/media/speech.mp4,
//! its text in speech.txt). espeak is hard for tiny.en, so assertions use key words.

use std::path::Path;

use crate::support::*;

fn require_model() {
    let o = reelcut(&["models", "list", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("models list --json");
    let names: Vec<&str> = v["models"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["name"].as_str())
        .collect();
    assert!(names.contains(&"tiny.en"), "tiny.en is not installed in {}: run scripts/test.sh (or scripts/setup.sh + `reelcut models import models/ctranslate2/tiny.en`)", v["dir"]);
}

/// Dialogue texts of an ASS file, override tags removed.
fn ass_text(path: &Path) -> String {
    let ass = std::fs::read_to_string(path).unwrap();
    let mut words = Vec::new();
    for line in ass.lines().filter(|l| l.starts_with("Dialogue:")) {
        let text = line.splitn(10, ',').nth(9).unwrap_or("");
        let mut plain = String::new();
        let mut in_tag = false;
        for c in text.chars() {
            match c {
                '{' => in_tag = true,
                '}' => in_tag = false,
                _ if !in_tag => plain.push(c),
                _ => {}
            }
        }
        words.push(plain.replace("\\N", " ").to_lowercase());
    }
    words.join(" ")
}

#[test]
fn karaoke_clip_says_what_was_spoken_and_exports_the_transcript() {
    require_model();
    let out = tempfile::tempdir().unwrap();
    let (code, events, stderr) = run_json(
        out.path(),
        &[
            media("speech.mp4").to_str().unwrap(),
            "--clip",
            "2-12",
            "--captions",
            "karaoke",
            "--resolution",
            "360",
        ],
    );
    assert_eq!(code, 0, "{stderr}\n{events:?}");
    assert!(events
        .iter()
        .any(|e| e["event"] == "progress" && e["stage"] == "transcribe"));
    let dir = out.path().join("speech");
    // What espeak said between 2 and 12 s: the end of sentence 1, sentence 2, the start of 3.
    let text = ass_text(&dir.join("clip-01.ass"));
    let keys = [
        "clip",
        "captions",
        "watermark",
        "steady",
        "frame",
        "remember",
    ];
    let found = keys.iter().filter(|k| text.contains(*k)).count();
    assert!(found >= 5, "captions {text:?} miss key words of 2-12 s");
    assert!(
        !text.contains("weather"),
        "words from outside the clip: {text:?}"
    );
    // Exports next to the clips.
    let t: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("transcript.json")).unwrap()).unwrap();
    assert_eq!(t["language"], "en");
    let words: Vec<(f64, f64)> = t["segments"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| {
            s["words"]
                .as_array()
                .unwrap()
                .iter()
                .map(|w| (w["start"].as_f64().unwrap(), w["end"].as_f64().unwrap()))
        })
        .collect();
    assert!(words.len() > 40);
    assert!(
        words
            .windows(2)
            .all(|w| w[0].1 <= w[1].0 + 1e-9 && w[0].0 < w[0].1),
        "word times monotonic"
    );
    assert!(std::fs::read_to_string(dir.join("transcript.srt"))
        .unwrap()
        .contains(" --> "));
    assert!(std::fs::read_to_string(dir.join("transcript.vtt"))
        .unwrap()
        .starts_with("WEBVTT"));
}

#[test]
fn burned_captions_show_while_words_are_spoken_and_not_in_silence() {
    require_model();
    let render = |captions: &str| {
        let out = tempfile::tempdir().unwrap();
        let (code, _, stderr) = run_json(
            out.path(),
            &[
                media("speech.mp4").to_str().unwrap(),
                "--clip",
                "0-12",
                "--captions",
                captions,
                "--reframe",
                "center",
                "--resolution",
                "360",
                "--crf",
                "12",
            ],
        );
        assert_eq!(code, 0, "{stderr}");
        out
    };
    let (with, without) = (render("karaoke"), render("none"));
    let clip = |d: &tempfile::TempDir| d.path().join("speech/clip-01.mp4");
    let t: serde_json::Value =
        serde_json::from_slice(&std::fs::read(with.path().join("speech/transcript.json")).unwrap())
            .unwrap();
    let segs: Vec<(f64, f64)> = t["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["start"].as_f64().unwrap(), s["end"].as_f64().unwrap()))
        .collect();
    // Share of caption-band pixels that differ strongly between the two renders.
    let changed = |time: f64| {
        let a = rgb_frame_at(&clip(&with), time);
        let b = rgb_frame_at(&clip(&without), time);
        let (w, h) = (a.0 as usize, a.1 as usize);
        let (mut n, mut diff) = (0usize, 0usize);
        for y in h * 45 / 100..h * 80 / 100 {
            for x in 0..w {
                let i = (y * w + x) * 3;
                let d: i32 = (0..3)
                    .map(|c| (a.2[i + c] as i32 - b.2[i + c] as i32).abs())
                    .sum();
                n += 1;
                if d > 120 {
                    diff += 1;
                }
            }
        }
        diff as f64 / n as f64
    };
    // In the middle of the second sentence: captions on screen.
    let (s, e) = segs[1];
    let speaking = changed((s + e) / 2.0);
    assert!(speaking > 0.01, "caption pixels while speaking: {speaking}");
    // In the middle of the pause after it (captions hold 0.5 s after the last word).
    let gap = (e + segs[2].0) / 2.0;
    assert!(
        segs[2].0 - e > 1.1,
        "the fixture has a pause: {e} .. {}",
        segs[2].0
    );
    let silent = changed(gap.max(e + 0.55));
    assert!(silent < 0.001, "caption pixels in silence: {silent}");
}

#[test]
fn transcribe_prints_each_format() {
    require_model();
    let input = media("speech.wav");
    let vtt = reelcut(&["transcribe", input.to_str().unwrap(), "--format", "vtt"]);
    assert!(vtt.status.success());
    let vtt = String::from_utf8_lossy(&vtt.stdout).to_lowercase();
    assert!(
        vtt.starts_with("webvtt") && vtt.contains("fox") && vtt.contains("weather"),
        "{vtt}"
    );
    let srt = reelcut(&["transcribe", input.to_str().unwrap(), "--format", "srt"]);
    assert!(String::from_utf8_lossy(&srt.stdout).starts_with("1\n00:00:"));
}

#[test]
fn english_only_model_refuses_german_clearly() {
    require_model();
    let o = reelcut(&[
        "transcribe",
        media("speech.wav").to_str().unwrap(),
        "--model",
        "tiny.en",
        "--language",
        "de",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("English-only") && err.contains("tiny.en") && err.contains("\"de\""),
        "{err}"
    );
}

#[test]
fn unknown_caption_style_is_a_clear_error() {
    let out = tempfile::tempdir().unwrap();
    let (code, events, _) = run_json(
        out.path(),
        &[
            media("speech.mp4").to_str().unwrap(),
            "--captions",
            "sparkles",
        ],
    );
    assert_eq!(code, 1);
    let f = events_of(&events, "job_failed")[0];
    assert_eq!(f["kind"], "invalid_options");
    assert!(f["message"].as_str().unwrap().contains("sparkles"), "{f}");
}

#[test]
fn snapped_clips_start_and_end_on_sentence_and_word_edges() {
    require_model();
    let out = tempfile::tempdir().unwrap();
    // 2.3 s and 9.7 s fall inside sentences of speech.mp4.
    let (code, events, stderr) = run_json(
        out.path(),
        &[
            media("speech.mp4").to_str().unwrap(),
            "--clip",
            "2.3-9.7",
            "--clip",
            "2.3-9.7",
            "--snap",
            "sentences",
            "--reframe",
            "center",
            "--resolution",
            "240",
        ],
    );
    assert_eq!(code, 0, "{stderr}\n{events:?}");
    let dir = out.path().join("speech");
    let t: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("transcript.json")).unwrap()).unwrap();
    let words: Vec<(f64, f64, String)> = t["segments"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| {
            s["words"].as_array().unwrap().iter().map(|w| {
                (
                    w["start"].as_f64().unwrap(),
                    w["end"].as_f64().unwrap(),
                    w["text"].as_str().unwrap().to_string(),
                )
            })
        })
        .collect();
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("clips.json")).unwrap()).unwrap();
    let part = &m["clips"][0]["parts"][0];
    let (s, e) = (
        part["start"].as_f64().unwrap(),
        part["end"].as_f64().unwrap(),
    );
    assert!((s, e) != (2.3, 9.7), "boundaries moved");
    // No word is cut: every word is wholly inside or wholly outside.
    for (ws, we, text) in &words {
        assert!(
            *we <= s + 1e-6 || *ws >= e - 1e-6 || (*ws >= s - 1e-6 && *we <= e + 1e-6),
            "{text:?} {ws}-{we} cut by {s}-{e}"
        );
    }
    // The first word inside starts a sentence (the word before it ends one), the last
    // inside ends one.
    let inside: Vec<&(f64, f64, String)> = words
        .iter()
        .filter(|w| w.0 >= s - 1e-6 && w.1 <= e + 1e-6)
        .collect();
    let first_idx = words
        .iter()
        .position(|w| std::ptr::eq(w, inside[0]))
        .unwrap();
    assert!(
        first_idx == 0 || words[first_idx - 1].2.ends_with('.'),
        "starts mid-sentence at {:?}",
        inside[0]
    );
    assert!(
        inside.last().unwrap().2.ends_with(['.', '?', '!']),
        "ends mid-sentence at {:?}",
        inside.last()
    );
    let p = ffprobe(&dir.join("clip-01.mp4"));
    assert!((num(&p["format"]["duration"]) - (e - s)).abs() < 0.05);
}

#[test]
fn long_audio_is_transcribed_in_bounded_pieces() {
    require_model();
    // Pieces of about 10 s instead of 600 s: the same code path a two-hour file takes.
    let o = reelcut(&[
        "transcribe",
        media("speech.wav").to_str().unwrap(),
        "--no-cache",
        "--chunk-seconds",
        "10",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let t: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let words: Vec<(f64, f64, String)> = t["segments"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| {
            s["words"].as_array().unwrap().iter().map(|w| {
                (
                    w["start"].as_f64().unwrap(),
                    w["end"].as_f64().unwrap(),
                    w["text"].as_str().unwrap().to_lowercase(),
                )
            })
        })
        .collect();
    assert!(
        words.windows(2).all(|w| w[0].1 <= w[1].0 + 1e-9),
        "times monotonic across pieces"
    );
    assert!(
        words.last().unwrap().1 > 25.0,
        "the last piece is there (speech runs to ~29 s)"
    );
    let text: String = words
        .iter()
        .map(|w| w.2.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let keys = [
        "quick",
        "clip",
        "captions",
        "remember",
        "milk",
        "weather",
        "sunny",
        "team",
        "interview",
        "music",
        "science",
        "videos",
        "sentence",
    ];
    let found = keys.iter().filter(|k| text.contains(*k)).count();
    assert!(found >= 10, "{found}/13 key words in {text:?}");
}

/// (start, end, text) of the Dialogue events of `style` in an ASS file, clip seconds.
fn ass_events(path: &Path, style: &str) -> Vec<(f64, f64, String)> {
    let secs = |t: &str| {
        let p: Vec<f64> = t.split(':').map(|x| x.parse().unwrap()).collect();
        p[0] * 3600.0 + p[1] * 60.0 + p[2]
    };
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("Dialogue:"))
        .map(|l| l.splitn(10, ',').collect::<Vec<_>>())
        .filter(|f| f[3] == style)
        .map(|f| (secs(f[1]), secs(f[2]), f[9].to_string()))
        .collect()
}

fn caption_clip(out: &Path, style: &str) -> std::path::PathBuf {
    // 10-15 s: "Please remember to buy milk, bread, and seven ..." (two captions).
    let (code, _, stderr) = run_json(
        out,
        &[
            media("speech.mp4").to_str().unwrap(),
            "--clip",
            "10-15",
            "--captions",
            style,
            "--reframe",
            "center",
            "--resolution",
            "540",
            "--crf",
            "12",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    out.join("speech/clip-01.mp4")
}

#[test]
fn word_box_follows_the_spoken_word() {
    require_model();
    let out = tempfile::tempdir().unwrap();
    let clip = caption_clip(out.path(), "word-box");
    let boxes = ass_events(&out.path().join("speech/clip-01.ass"), "Box");
    assert!(boxes.len() >= 4, "{boxes:?}");
    // The box's colour (#7C3AED) is neither the fixture's yellow and blue nor text.
    // Counted where captions go: the middle of the frame, clear of the fixture's
    // checkered edge.
    let violet = |f: &(u32, u32, Vec<u8>)| {
        let (w, h, px) = f;
        let (w, h) = (*w as usize, *h as usize);
        let xs: Vec<usize> = px
            .chunks_exact(3)
            .enumerate()
            .filter(|(i, _)| {
                let (x, y) = (i % w, i / w);
                x > w / 8 && x < w * 7 / 8 && y > h * 2 / 5 && y < h * 4 / 5
            })
            .filter(|(_, p)| (90..170).contains(&p[0]) && (25..100).contains(&p[1]) && p[2] > 190)
            .map(|(i, _)| i % w)
            .collect();
        (
            xs.len(),
            xs.iter().sum::<usize>() as f64 / xs.len().max(1) as f64,
        )
    };
    // The first two words of the first caption, on one line: the box moves right.
    let mid = |e: &(f64, f64, String)| (e.0 + e.1) / 2.0;
    let (n0, x0) = violet(&rgb_frame_at(&clip, mid(&boxes[0])));
    let (n1, x1) = violet(&rgb_frame_at(&clip, mid(&boxes[1])));
    eprintln!("box pixels {n0} at x {x0:.0}, then {n1} at x {x1:.0}");
    assert!(n0 > 400 && n1 > 400, "box pixels {n0}, {n1}");
    assert!(x1 > x0 + 20.0, "the box stays at x {x0:.0} -> {x1:.0}");
    // Before the first word is said: no box.
    assert!(boxes[0].0 > 0.2, "{boxes:?}");
    let (before, _) = violet(&rgb_frame_at(&clip, boxes[0].0 - 0.2));
    assert!(before < 20, "box pixels before the captions: {before}");
}

#[test]
fn word_pop_scales_the_spoken_word_up_then_back() {
    require_model();
    let out = tempfile::tempdir().unwrap();
    let clip = caption_clip(out.path(), "word-pop");
    let events = ass_events(&out.path().join("speech/clip-01.ass"), "Caption");
    // A word spoken long enough to see the pop settle (up by 80 ms, back by 200 ms).
    let e = events
        .iter()
        .find(|e| e.1 - e.0 >= 0.36 && e.2.contains("\\t("))
        .expect("a popping word of 0.36 s");
    // The widest caption line, measured by its outline (black, which the fixture lacks):
    // the popping word is on the first, widest line and widens it.
    let width = |t: f64| {
        let (w, h, px) = rgb_frame_at(&clip, t);
        let (w, h) = (w as usize, h as usize);
        (h * 40 / 100..h * 85 / 100)
            .filter_map(|y| {
                let dark: Vec<usize> = (0..w)
                    .filter(|x| px[(y * w + x) * 3..][..3].iter().all(|&c| c < 50))
                    .collect();
                Some(dark.last()? - dark.first()?)
            })
            .max()
            .unwrap_or(0)
    };
    let peak = width(e.0 + 0.08);
    let settled = width(e.0 + 0.32);
    eprintln!(
        "{:?}: widest line {peak} px at the pop, {settled} px settled",
        e.2
    );
    assert!(
        peak > settled + 15,
        "{:?}: widest line {peak} px at the pop, {settled} px settled",
        e.2
    );
}
