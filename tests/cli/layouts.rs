//! Layouts and framing overrides (issue 15), measured on the output frames: which person's
//! badge (a colour block the fixtures put on each chest, for measurement only) shows where,
//! and faces found by the product's own YuNet in each panel.
//!
//! - tests/media/two-speakers.mp4: two people, one static shot, long turns;
//! - tests/media/three-speakers.mp4: three people, one static shot;
//! - tests/media/podcast-cuts.mp4: two people over four shots (wide with long turns, a hard
//!   cut to a close-up, wide with a rapid exchange, an empty room).

use std::path::Path;

use crate::reframe::{bgr_frames, detector, render, FPS, H, W};
use crate::support::*;
use reelcut_vision::{BgrImage, FaceDetector};

struct Truth {
    json: serde_json::Value,
    /// (name, badge colour) in the source's left-to-right order.
    people: Vec<(String, [f64; 3])>,
}

fn truth(name: &str) -> Truth {
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(media(name)).unwrap()).unwrap();
    let mut people: Vec<(String, [f64; 3], f64)> = json["people"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, p)| {
            let c = p["badge"].as_array().unwrap();
            (
                k.clone(),
                [num(&c[0]), num(&c[1]), num(&c[2])],
                num(&p["face_cx"]),
            )
        })
        .collect();
    people.sort_by(|a, b| a.2.total_cmp(&b.2));
    Truth {
        json,
        people: people.into_iter().map(|(k, c, _)| (k, c)).collect(),
    }
}

/// Where each badge colour shows within rows `y0..y1` of a bgr24 frame: (name, pixel count,
/// mean x as a share of the width).
fn badges(f: &[u8], people: &[(String, [f64; 3])], y0: u32, y1: u32) -> Vec<(String, usize, f64)> {
    people
        .iter()
        .map(|(name, rgb)| {
            let (mut n, mut sx) = (0usize, 0usize);
            for y in (y0..y1).step_by(2) {
                for x in (0..W).step_by(2) {
                    let i = ((y * W + x) * 3) as usize;
                    let d = (f[i + 2] as f64 - rgb[0]).abs()
                        + (f[i + 1] as f64 - rgb[1]).abs()
                        + (f[i] as f64 - rgb[2]).abs();
                    if d < 90.0 {
                        n += 1;
                        sx += x as usize;
                    }
                }
            }
            let mx = if n > 0 {
                sx as f64 / n as f64 / W as f64
            } else {
                0.0
            };
            (name.clone(), n, mx)
        })
        .collect()
}

/// The one person whose badge shows (at least `min` sampled pixels) in rows `y0..y1`, and
/// no one else's; `centred`: its badge within ±15 % of the middle.
fn only(
    f: &[u8],
    people: &[(String, [f64; 3])],
    y0: u32,
    y1: u32,
    centred: bool,
) -> Option<String> {
    let seen: Vec<_> = badges(f, people, y0, y1)
        .into_iter()
        .filter(|(_, n, x)| *n >= 60 && (!centred || (x - 0.5).abs() <= 0.15))
        .collect();
    (seen.len() == 1).then(|| seen[0].0.clone())
}

/// Faces YuNet finds in rows `y0..y1` of a frame.
fn faces_in(det: &mut reelcut_vision::YuNetDetector, f: &[u8], y0: u32, y1: u32) -> usize {
    let band = &f[(y0 * W * 3) as usize..(y1 * W * 3) as usize];
    det.detect(BgrImage {
        data: band,
        width: W,
        height: y1 - y0,
    })
    .unwrap()
    .len()
}

/// Per turn (after `settle` s), the share of frames whose crop shows that turn's speaker
/// centred and no one else; and over `frames` in `within`, the share showing no one.
fn turn_shares(
    seen: &[Option<String>],
    turns: &[serde_json::Value],
    settle: f64,
) -> Vec<(String, f64, f64)> {
    let at = |t: f64| ((t * FPS).round() as usize).min(seen.len());
    turns
        .iter()
        .map(|turn| {
            let who = turn["speaker"].as_str().unwrap().to_string();
            let (a, b) = (at(num(&turn["start"]) + settle), at(num(&turn["end"])));
            let on = seen[a..b]
                .iter()
                .filter(|s| s.as_deref() == Some(&who))
                .count();
            let share = on as f64 / (b - a).max(1) as f64;
            (who, num(&turn["start"]), share)
        })
        .collect()
}

#[test]
fn split_shows_each_person_in_their_half() {
    let t = truth("two-speakers.json");
    let (out, manifest) = render(
        "two-speakers.mp4",
        &["--whole", "--captions", "none", "--layout", "split"],
    );
    let clip = &manifest["clips"][0];
    assert_eq!(clip["shots"][0]["mode"], "split", "{:?}", clip["shots"]);
    assert_eq!(
        clip["panels"].as_array().unwrap().len(),
        1,
        "{:?}",
        clip["panels"]
    );
    let frames = bgr_frames(&out.path().join("two-speakers/clip-01.mp4"));
    let mut det = detector();
    let (mut right, mut faces) = (0, 0);
    let sampled: Vec<&Vec<u8>> = frames.iter().step_by(5).collect();
    for f in &sampled {
        // The person on the left of the source on top, the other below; each alone.
        let top = only(f, &t.people, 0, H / 2, false);
        let bottom = only(f, &t.people, H / 2, H, false);
        if top.as_deref() == Some(&t.people[0].0) && bottom.as_deref() == Some(&t.people[1].0) {
            right += 1;
        }
        if faces_in(&mut det, f, 0, H / 2) == 1 && faces_in(&mut det, f, H / 2, H) == 1 {
            faces += 1;
        }
    }
    let n = sampled.len() as f64;
    eprintln!(
        "split: right person in each half in {:.1} % of frames, one face per half in {:.1} %",
        right as f64 / n * 100.0,
        faces as f64 / n * 100.0
    );
    assert!(right as f64 / n >= 0.97, "right halves in {right} of {n}");
    assert!(
        faces as f64 / n >= 0.95,
        "one face per half in {faces} of {n}"
    );
}

#[test]
fn three_people_get_the_speaker_crop_or_a_grid() {
    let t = truth("three-speakers.json");
    let turns = t.json["turns"].as_array().unwrap().clone();
    // The speaker's crop: each turn shows its speaker, cuts not pans.
    let (out, manifest) = render("three-speakers.mp4", &["--whole", "--captions", "none"]);
    let frames = bgr_frames(&out.path().join("three-speakers/clip-01.mp4"));
    let seen: Vec<Option<String>> = frames
        .iter()
        .map(|f| only(f, &t.people, 0, H, true))
        .collect();
    let shares = turn_shares(&seen, &turns, 0.5);
    let nobody = seen.iter().filter(|s| s.is_none()).count() as f64 / seen.len() as f64;
    eprintln!(
        "three people, speaker share per turn: {shares:?}; showing no one: {:.1} %",
        nobody * 100.0
    );
    for (who, at, share) in &shares {
        assert!(
            *share >= 0.9,
            "turn of {who} at {at} s: shown {:.1} %",
            share * 100.0
        );
    }
    assert!(
        nobody <= 0.03,
        "{:.1} % of frames show no one",
        nobody * 100.0
    );
    assert_eq!(manifest["clips"][0]["shots"][0]["faces"], 3);
    // As a grid of three rows, in the source's order.
    let (out, manifest) = render(
        "three-speakers.mp4",
        &["--whole", "--captions", "none", "--layout", "split"],
    );
    assert_eq!(manifest["clips"][0]["shots"][0]["mode"], "grid");
    let frames = bgr_frames(&out.path().join("three-speakers/clip-01.mp4"));
    let row = H / 3;
    let ok = frames
        .iter()
        .step_by(5)
        .filter(|f| {
            (0..3).all(|r| {
                only(f, &t.people, r * row, (r + 1) * row, false).as_deref()
                    == Some(&t.people[r as usize].0)
            })
        })
        .count() as f64
        / frames.iter().step_by(5).count() as f64;
    eprintln!(
        "grid: each row shows its person in {:.1} % of frames",
        ok * 100.0
    );
    assert!(ok >= 0.97, "rows right in {:.1} %", ok * 100.0);
}

/// podcast-cuts.json's shots and turns.
fn shot_kinds(t: &Truth) -> Vec<(f64, f64, String)> {
    t.json["shots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                num(&s["start"]),
                num(&s["end"]),
                s["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_cut_to_a_close_up_is_followed_and_the_speaker_kept() {
    let t = truth("podcast-cuts.json");
    let (out, manifest) = render("podcast-cuts.mp4", &["--whole", "--captions", "none"]);
    let shots = manifest["clips"][0]["shots"].as_array().unwrap().clone();
    // Every cut of the fixture is found, each within a frame.
    let truth_shots = shot_kinds(&t);
    assert_eq!(shots.len(), truth_shots.len(), "{shots:?}");
    for (s, (start, ..)) in shots.iter().zip(&truth_shots) {
        assert!(
            (num(&s["start"]) - start).abs() <= 1.5 / FPS,
            "{s:?} vs {start}"
        );
    }
    let frames = bgr_frames(&out.path().join("podcast-cuts/clip-01.mp4"));
    let seen: Vec<Option<String>> = frames
        .iter()
        .map(|f| only(f, &t.people, 0, H, true))
        .collect();
    // The long turns (the camera does not cut for a one-word answer): the speaker shown.
    let long: Vec<serde_json::Value> = t.json["turns"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| num(&x["end"]) - num(&x["start"]) >= 2.5)
        .filter(|x| {
            // Not the voice over the empty room.
            let s = num(&x["start"]);
            truth_shots
                .iter()
                .any(|(a, b, k)| k != "empty" && s >= *a && s < *b)
        })
        .cloned()
        .collect();
    assert_eq!(long.len(), 3);
    let shares = turn_shares(&seen, &long, 0.5);
    // Frames on people (not the empty room) showing no one: caught between.
    let people_frames: Vec<&Option<String>> = seen
        .iter()
        .enumerate()
        .filter(|(i, _)| {
            let tt = *i as f64 / FPS;
            truth_shots
                .iter()
                .any(|(a, b, k)| k != "empty" && tt >= *a && tt < *b)
        })
        .map(|(_, s)| s)
        .collect();
    let nobody =
        people_frames.iter().filter(|s| s.is_none()).count() as f64 / people_frames.len() as f64;
    eprintln!(
        "podcast cuts: long-turn speaker shares {shares:?}; showing no one {:.1} %",
        nobody * 100.0
    );
    for (who, at, share) in &shares {
        assert!(
            *share >= 0.9,
            "turn of {who} at {at} s: shown {:.1} %",
            share * 100.0
        );
    }
    assert!(
        nobody <= 0.03,
        "{:.1} % caught between people",
        nobody * 100.0
    );
}

#[test]
fn cuts_on_frames_the_analysis_skips_are_still_placed_on_their_frame() {
    // The same four shots coded with a fixed I-P-B pattern: every cut falls on a B-frame,
    // which the analysis does not decode.
    let t = truth("podcast-cuts.json");
    let input = "podcast-cuts-b.mp4";
    let types = frame_types(&media(input));
    let (_, manifest) = render(input, &["--whole", "--captions", "none"]);
    let shots = manifest["clips"][0]["shots"].as_array().unwrap().clone();
    let truth_shots = shot_kinds(&t);
    assert_eq!(shots.len(), truth_shots.len(), "{shots:?}");
    for (s, (start, ..)) in shots.iter().zip(&truth_shots).skip(1) {
        // The cut's frame: the first one shown at or after the cut.
        let (at, kind) = types
            .iter()
            .filter(|(f, _)| *f >= start - 1e-6)
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .copied()
            .unwrap();
        assert_eq!(
            kind, 'B',
            "the fixture's cut at {start} s is on a {kind}-frame"
        );
        assert!(
            (num(&s["start"]) - at).abs() < 0.5 / FPS,
            "cut at frame {at} s placed at {}",
            s["start"]
        );
    }
}

#[test]
fn auto_chooses_the_layout_per_shot() {
    let t = truth("podcast-cuts.json");
    let (out, manifest) = render(
        "podcast-cuts.mp4",
        &["--whole", "--captions", "none", "--layout", "auto"],
    );
    let clip = &manifest["clips"][0];
    let modes: Vec<&str> = clip["shots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["mode"].as_str().unwrap())
        .collect();
    // Long turns: the speaker; a close-up: its face; a rapid exchange: both; nobody: the
    // whole frame.
    assert_eq!(
        modes,
        ["track", "track", "split", "blur"],
        "{:?}",
        clip["shots"]
    );
    let frames = bgr_frames(&out.path().join("podcast-cuts/clip-01.mp4"));
    let shots = shot_kinds(&t);
    let (a, b) = (shots[2].0 + 0.1, shots[2].1 - 0.1);
    let split: Vec<&Vec<u8>> = frames
        .iter()
        .enumerate()
        .filter(|(i, _)| (a..b).contains(&(*i as f64 / FPS)))
        .map(|(_, f)| f)
        .collect();
    let right = split
        .iter()
        .filter(|f| {
            only(f, &t.people, 0, H / 2, false).as_deref() == Some(&t.people[0].0)
                && only(f, &t.people, H / 2, H, false).as_deref() == Some(&t.people[1].0)
        })
        .count();
    assert!(
        right as f64 >= 0.97 * split.len() as f64,
        "{right} of {}",
        split.len()
    );
    // The empty room: the whole frame over its blur (no badge anywhere, the room's dark
    // block in the middle band).
    let blur = clip["blur"].as_array().unwrap();
    assert_eq!(blur.len(), 1);
    assert!(
        (num(&blur[0][0]) - shots[3].0).abs() <= 1.5 / FPS,
        "{blur:?}"
    );
}

/// The clip's file and its mtime.
fn mtime(p: &Path) -> std::time::SystemTime {
    std::fs::metadata(p).unwrap().modified().unwrap()
}

#[test]
fn overrides_in_clips_json_are_honoured_on_the_next_run() {
    let t = truth("two-speakers.json");
    let out = tempfile::tempdir().unwrap();
    let input = media("two-speakers.mp4");
    let args = [
        input.to_str().unwrap(),
        "--resolution",
        "540",
        "--whole",
        "--captions",
        "none",
    ];
    let (code, _, stderr) = run_json(out.path(), &args);
    assert_eq!(code, 0, "{stderr}");
    let dir = out.path().join("two-speakers");
    let manifest_path = dir.join("clips.json");
    let clip_path = dir.join("clip-01.mp4");
    let mut m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&manifest_path).unwrap()).unwrap();
    // The track of the person on the right (B), from the shot's face list.
    let tracks = m["clips"][0]["shots"][0]["tracks"]
        .as_array()
        .unwrap()
        .clone();
    let right = tracks
        .iter()
        .max_by(|a, b| num(&a["box"][0]).total_cmp(&num(&b["box"][0])))
        .unwrap()["id"]
        .clone();
    // Pin B through A's first turn, and a fixed window on the left edge for 10-13 s.
    m["clips"][0]["overrides"] = serde_json::json!([
        {"start": 0.0, "end": 3.5, "track": right},
        {"start": 10.0, "end": 13.0, "crop": [0, 0, 404, 720]}
    ]);
    std::fs::write(&manifest_path, serde_json::to_vec_pretty(&m).unwrap()).unwrap();
    let before = mtime(&clip_path);
    let (code, _, stderr) = run_json(out.path(), &args);
    assert_eq!(code, 0, "{stderr}");
    assert_ne!(
        mtime(&clip_path),
        before,
        "the edited clip is rendered again"
    );
    let m2: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&manifest_path).unwrap()).unwrap();
    assert_eq!(
        m2["clips"][0]["overrides"], m["clips"][0]["overrides"],
        "kept"
    );
    let frames = bgr_frames(&clip_path);
    let seen: Vec<Option<String>> = frames
        .iter()
        .map(|f| only(f, &t.people, 0, H, true))
        .collect();
    let b = &t.people[1].0;
    let pinned = seen[5..100]
        .iter()
        .filter(|s| s.as_deref() == Some(b))
        .count();
    assert!(pinned >= 90, "B shown in {pinned} of 95 frames of A's turn");
    // The fixed window: the output is the source's left 404x720, scaled.
    let (w, h, src) = {
        let o = std::process::Command::new("ffmpeg")
            .args(["-v", "error", "-ss", "11.5", "-i"])
            .arg(&input)
            .args([
                "-frames:v",
                "1",
                "-vf",
                "crop=404:720:0:0,scale=540:960",
                "-f",
                "rawvideo",
                "-pix_fmt",
                "bgr24",
                "-",
            ])
            .output()
            .unwrap();
        (W, H, o.stdout)
    };
    let got = &frames[(11.5 * FPS) as usize];
    assert_eq!(src.len(), (w * h * 3) as usize);
    let diff = got
        .iter()
        .zip(&src)
        .map(|(a, b)| (*a as f64 - *b as f64).abs())
        .sum::<f64>()
        / src.len() as f64;
    assert!(
        diff < 12.0,
        "fixed window differs from the source's by {diff:.1} on average"
    );
    // Unchanged: the next run finds the work done.
    let after = mtime(&clip_path);
    let (code, _, stderr) = run_json(out.path(), &args);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        mtime(&clip_path),
        after,
        "nothing changed, nothing rendered"
    );
    // A wrong edit is refused, naming the clip, the entry and the field.
    m["clips"][0]["overrides"] = serde_json::json!([{"start": 3.0, "end": 2.0, "track": right}]);
    std::fs::write(&manifest_path, serde_json::to_vec_pretty(&m).unwrap()).unwrap();
    let (code, events, stderr) = run_json(out.path(), &args);
    assert_ne!(code, 0);
    let text = format!("{stderr}{events:?}");
    assert!(
        text.contains("clip 1, overrides[0]") && text.contains("end"),
        "{text}"
    );
    assert_eq!(mtime(&clip_path), after, "the clip is left as it was");
    m["clips"][0]["overrides"] = serde_json::json!([{"start": 1.0, "end": 2.0, "face_at": [3, 4]}]);
    std::fs::write(&manifest_path, serde_json::to_vec_pretty(&m).unwrap()).unwrap();
    let (code, events, stderr) = run_json(out.path(), &args);
    assert_ne!(code, 0);
    let text = format!("{stderr}{events:?}");
    assert!(text.contains("face_at"), "an unknown key is named: {text}");
}
