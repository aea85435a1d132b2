//! Editing a plan and taking it to an editor (issue 18): clips.json edited by hand, then
//! `reelcut render` (only the changed clip is rendered again, frame-exact, with the new
//! word on screen) and `reelcut export` (OpenTimelineIO read back with the PyPI
//! opentimelineio package, FCPXML with its FCP X adapter and by structure, the EDL's events).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::*;

/// demo.mp4 as two clips at 540x960: 0-9.5 s and 10-15 s, karaoke captions.
fn made() -> (tempfile::TempDir, PathBuf) {
    let out = tempfile::tempdir().unwrap();
    let input = media("demo.mp4");
    let (code, _, stderr) = run_json(
        out.path(),
        &[
            input.to_str().unwrap(),
            "--clip",
            "0-9.5",
            "--clip",
            "10-15",
            "--resolution",
            "540",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let manifest = out.path().join("demo/clips.json");
    (out, manifest)
}

fn read(p: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

fn write(p: &Path, v: &serde_json::Value) {
    std::fs::write(p, serde_json::to_vec_pretty(v).unwrap()).unwrap();
}

fn mtime(p: &Path) -> std::time::SystemTime {
    std::fs::metadata(p).unwrap().modified().unwrap()
}

fn render(manifest: &Path, extra: &[&str]) -> (i32, Vec<serde_json::Value>, String) {
    let mut args = vec!["render", manifest.to_str().unwrap(), "--json"];
    args.extend_from_slice(extra);
    let o = reelcut(&args);
    let stdout = String::from_utf8_lossy(&o.stdout);
    (
        o.status.code().unwrap_or(-1),
        stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn rendered(lines: &[serde_json::Value]) -> Vec<u64> {
    lines
        .iter()
        .filter(|l| l["rendered"] == true)
        .map(|l| l["clip"].as_u64().unwrap())
        .collect()
}

#[test]
fn an_edited_word_and_end_render_again_only_that_clip() {
    let (out, manifest) = made();
    let dir = out.path().join("demo");
    let (one, two) = (dir.join("clip-01.mp4"), dir.join("clip-02.mp4"));
    let mut m = read(&manifest);
    assert_eq!(m["version"], 2);
    let c2 = &mut m["clips"][1];
    // The word the edit changes, and where it is on screen before.
    let words = c2["captions"]["words"].as_array().unwrap().clone();
    assert!(words.len() >= 3, "{words:?}");
    let w = &words[1];
    let at = (num(&w["start"]) + num(&w["end"])) / 2.0 - 10.0;
    let before = rgb_frame_at(&two, at);
    c2["captions"]["words"][1]["text"] = "ZEBRA".into();
    c2["parts"][0]["end"] = 14.0.into();
    write(&manifest, &m);
    let (t1, t2) = (mtime(&one), mtime(&two));
    let (code, lines, stderr) = render(&manifest, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(rendered(&lines), [2], "{lines:?}");
    assert_eq!(mtime(&one), t1, "clip 1 untouched");
    assert_ne!(mtime(&two), t2);
    // The new end, to the frame: 4 s at 30 fps.
    assert_eq!(frame_times(&two).len(), 120);
    let ass = std::fs::read_to_string(dir.join("clip-02.ass")).unwrap();
    assert!(ass.to_uppercase().contains("ZEBRA"), "{ass}");
    // On screen: the caption band changed where the word is drawn, the picture above not.
    let after = rgb_frame_at(&two, at);
    let band = |f: &(u32, u32, Vec<u8>), y0: f64, y1: f64| {
        let (w, h, px) = f;
        let mut sum = 0.0;
        let mut n = 0.0;
        let (a, b) = ((y0 * *h as f64) as u32, (y1 * *h as f64) as u32);
        for y in a..b {
            for x in 0..*w {
                let i = ((y * w + x) * 3) as usize;
                sum += px[i] as f64 + px[i + 1] as f64 + px[i + 2] as f64;
                n += 3.0;
            }
        }
        sum / n
    };
    let diff = |y0: f64, y1: f64| -> f64 {
        let (w, h, a) = &before;
        let (_, _, b) = &after;
        let (r0, r1) = ((y0 * *h as f64) as usize, (y1 * *h as f64) as usize);
        let row = *w as usize * 3;
        a[r0 * row..r1 * row]
            .iter()
            .zip(&b[r0 * row..r1 * row])
            .map(|(p, q)| (*p as f64 - *q as f64).abs())
            .sum::<f64>()
            / ((r1 - r0) * row) as f64
    };
    let (captions, picture) = (diff(0.6, 0.9), diff(0.05, 0.4));
    eprintln!(
        "edited word: caption band differs by {captions:.2}, the picture above by {picture:.2} (mean {:.1} -> {:.1})",
        band(&before, 0.6, 0.9),
        band(&after, 0.6, 0.9)
    );
    assert!(
        captions > 2.0 * picture + 0.5,
        "captions {captions} vs picture {picture}"
    );
    let m2 = read(&manifest);
    assert!((num(&m2["clips"][1]["duration"]) - 4.0).abs() < 1e-6);
    assert!(m2["clips"][1]["excerpt"]
        .as_str()
        .unwrap()
        .contains("ZEBRA"));
    // Nothing changed: nothing rendered. Asked for: that clip alone.
    let (code, lines, _) = render(&manifest, &[]);
    assert_eq!((code, rendered(&lines)), (0, vec![]));
    let (code, lines, _) = render(&manifest, &["--only", "1", "--force"]);
    assert_eq!((code, rendered(&lines)), (0, vec![1]));
    assert_ne!(mtime(&one), t1);
}

#[test]
fn invalid_edits_are_refused_naming_the_clip_and_the_field() {
    let (out, manifest) = made();
    let two = out.path().join("demo/clip-02.mp4");
    let original = read(&manifest);
    let t2 = mtime(&two);
    let cases: Vec<(Box<dyn Fn(&mut serde_json::Value)>, &str)> = vec![
        (
            Box::new(|c| c["parts"][0]["end"] = 99.0.into()),
            "clip 2, parts[0]",
        ),
        (
            Box::new(|c| {
                c["parts"] = serde_json::json!([{"start": 10, "end": 13}, {"start": 12, "end": 15}])
            }),
            "clip 2, parts[0] and parts[1] overlap",
        ),
        (
            Box::new(|c| c["captions"]["words"][0]["start"] = 20.0.into()),
            "clip 2, captions.words[0]",
        ),
        (
            Box::new(|c| c["overrides"] = serde_json::json!([{"start": 0, "end": 1, "track": 42}])),
            "clip 2, overrides[0]: track 42",
        ),
    ];
    for (edit, expected) in cases {
        let mut m = original.clone();
        edit(&mut m["clips"][1]);
        write(&manifest, &m);
        let (code, _, stderr) = render(&manifest, &[]);
        assert_ne!(code, 0, "{expected}");
        assert!(
            stderr.contains(expected),
            "wanted {expected:?} in: {stderr}"
        );
        assert!(stderr.contains("clips.json"), "{stderr}");
        assert_eq!(mtime(&two), t2, "nothing rendered for {expected}");
    }
}

/// The plan's parts in frames at 30 fps.
fn part_frames(clip: &serde_json::Value) -> Vec<(i64, i64)> {
    clip["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let (a, b) = (
                (num(&p["start"]) * 30.0).round() as i64,
                (num(&p["end"]) * 30.0).round() as i64,
            );
            (a, b - a)
        })
        .collect()
}

fn otio_read(file: &Path) -> serde_json::Value {
    let o = Command::new(repo().join(".venv/bin/python"))
        .arg(repo().join("tests/cli/support/otio_read.py"))
        .arg(file)
        .output()
        .expect("python");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

fn export(manifest: &Path, format: &str, out: &Path) {
    let o = reelcut(&[
        "export",
        manifest.to_str().unwrap(),
        "--format",
        format,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn exports_read_back_with_their_parts_and_captions() {
    let (out, manifest) = made();
    // A clip of two parts, so the timeline has more than one edit.
    let mut m = read(&manifest);
    m["clips"][1]["parts"] =
        serde_json::json!([{"start": 10.0, "end": 12.5}, {"start": 20.0, "end": 25.0}]);
    let words: Vec<serde_json::Value> = m["clips"][1]["captions"]["words"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| num(&w["start"]) >= 10.0 && num(&w["end"]) <= 12.5)
        .cloned()
        .collect();
    m["clips"][1]["captions"]["words"] = words.into();
    write(&manifest, &m);
    let input = std::fs::canonicalize(media("demo.mp4")).unwrap();

    // OpenTimelineIO, read back by the opentimelineio package.
    let otio = out.path().join("demo.otio");
    export(&manifest, "otio", &otio);
    let tls = otio_read(&otio);
    assert_eq!(tls.as_array().unwrap().len(), 2);
    for (k, tl) in tls.as_array().unwrap().iter().enumerate() {
        let clip = &m["clips"][k];
        let tracks = tl["tracks"].as_array().unwrap();
        let by = |name: &str| tracks.iter().find(|t| t["name"] == name).unwrap();
        let edits: Vec<(i64, i64)> = by("V1")["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["start"].as_i64().unwrap(),
                    i["duration"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(edits, part_frames(clip), "timeline {k}");
        assert_eq!(by("A1")["kind"], "Audio");
        assert_eq!(by("A1")["items"].as_array().unwrap().len(), edits.len());
        let target = by("V1")["items"][0]["target"].as_str().unwrap().to_string();
        assert!(
            target.starts_with("file://") && target.ends_with("demo.mp4"),
            "{target}"
        );
        assert!(
            target.contains(&*input.parent().unwrap().to_string_lossy()),
            "{target}"
        );
        // One caption item per caption as burned; their words are the plan's.
        let caps: Vec<&serde_json::Value> = by("Captions")["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["kind"] == "clip")
            .collect();
        let ass = std::fs::read_to_string(out.path().join(format!("demo/clip-{:02}.ass", k + 1)))
            .unwrap();
        assert!(!caps.is_empty(), "timeline {k}: no captions");
        let spoken: String = clip["captions"]["words"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["text"].as_str().unwrap().to_lowercase())
            .collect::<Vec<_>>()
            .join(" ");
        let shown: String = caps
            .iter()
            .map(|c| {
                c["name"]
                    .as_str()
                    .unwrap()
                    .to_lowercase()
                    .replace('\n', " ")
            })
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(shown, spoken, "timeline {k}");
        if k == 0 {
            // Clip 1 was rendered with these captions: as many as its ASS shows lines of.
            assert!(ass.contains("Dialogue"), "{ass}");
        }
    }

    // FCPXML: read back by OTIO's FCP X adapter, and its structure checked.
    let fcpxml = out.path().join("demo.fcpxml");
    export(&manifest, "fcpxml", &fcpxml);
    let x = std::fs::read_to_string(&fcpxml).unwrap();
    assert!(x.contains("<fcpxml version=\"1.9\">"));
    assert_eq!(x.matches("<asset id=").count(), 1);
    assert_eq!(x.matches("<project ").count(), 2);
    assert_eq!(x.matches("<asset-clip ").count(), 3);
    assert!(x.contains("<param name=\"position\">") || x.contains("<adjust-transform "));
    // The rational times of each sequence's asset-clips add up to its duration.
    for project in x.split("<project ").skip(1) {
        let attr = |s: &str, name: &str| -> f64 {
            let i = s.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
            let v = &s[i..i + s[i..].find('"').unwrap()];
            let v = v.trim_end_matches('s');
            match v.split_once('/') {
                Some((a, b)) => a.parse::<f64>().unwrap() / b.parse::<f64>().unwrap(),
                None => v.parse().unwrap(),
            }
        };
        let total = attr(project.split("<spine>").next().unwrap(), "duration");
        let sum: f64 = project
            .split("<asset-clip ")
            .skip(1)
            .map(|c| attr(c, "duration"))
            .sum();
        assert!((total - sum).abs() < 1e-9, "{total} vs {sum}");
    }
    let tls = otio_read(&fcpxml);
    let tl = tls
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "clip-02")
        .unwrap_or(&tls[1]);
    let video: Vec<(i64, i64)> = tl["tracks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["kind"] == "Video")
        .unwrap()["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"] == "clip")
        .map(|i| {
            (
                i["start"].as_i64().unwrap(),
                i["duration"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        video,
        part_frames(&m["clips"][1]),
        "fcpxml through OTIO: {tl}"
    );

    // EDL: one per clip, an event per part with its source in and out.
    let edl = out.path().join("clip-02.edl");
    let o = reelcut(&[
        "export",
        manifest.to_str().unwrap(),
        "--format",
        "edl",
        "--only",
        "2",
        "--out",
        edl.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&edl).unwrap();
    let tc = |s: &str| -> i64 {
        let v: Vec<i64> = s.split(':').map(|x| x.parse().unwrap()).collect();
        ((v[0] * 60 + v[1]) * 60 + v[2]) * 30 + v[3]
    };
    let events: Vec<(i64, i64)> = text
        .lines()
        .filter(|l| l.chars().take(3).all(|c| c.is_ascii_digit()) && l.len() > 3)
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            assert_eq!(f[2], "AA/V", "{l}");
            (tc(f[4]), tc(f[5]) - tc(f[4]))
        })
        .collect();
    assert_eq!(events, part_frames(&m["clips"][1]), "{text}");
}

#[test]
fn an_extended_end_analyses_only_the_new_stretch() {
    let (out, manifest) = made();
    let mut m = read(&manifest);
    let words_before = m["clips"][1]["captions"]["words"].as_array().unwrap().len();
    m["clips"][1]["parts"][0]["end"] = 17.0.into();
    write(&manifest, &m);
    let (code, lines, stderr) = render(&manifest, &[]);
    assert_eq!(code, 0, "{stderr}");
    let two = lines.iter().find(|l| l["clip"] == 2).unwrap();
    assert_eq!(two["rendered"], true);
    // Faces: only 15-17 s was decoded; 10-15 s came from what the run had seen.
    let analysed = two["analysed"].as_array().unwrap();
    assert_eq!(analysed.len(), 1, "{two}");
    assert!(
        (num(&analysed[0][0]) - 15.0).abs() < 1e-6 && (num(&analysed[0][1]) - 17.0).abs() < 1e-6,
        "{two}"
    );
    assert_eq!(frame_times(&out.path().join("demo/clip-02.mp4")).len(), 210);
    // The words of the new stretch come from the transcript.
    let m2 = read(&manifest);
    let words = m2["clips"][1]["captions"]["words"].as_array().unwrap();
    assert!(
        words.len() > words_before,
        "{} -> {}",
        words_before,
        words.len()
    );
    assert!(words.iter().any(|w| num(&w["start"]) >= 15.0), "{words:?}");
    // The crop path covers the whole new clip.
    let crop = m2["clips"][1]["crop"].as_array().unwrap();
    assert!(!crop.is_empty());
}
