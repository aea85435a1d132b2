//! Following people rather than one face (issue 15), measured on the output frames with the
//! product's own YuNet: a jump cut on an unchanged background (tests/media/jumpcut-face.mp4)
//! and two people taking turns on one static shot (tests/media/two-speakers.mp4, with the
//! turns as ground truth in two-speakers.json).

use crate::reframe::{bgr_frames, detector, render, FPS, H, W};
use crate::support::*;
use reelcut_vision::{BgrImage, FaceDetector};

/// Whether a face is found within ±15 % of the output width of its centre.
fn face_centred(det: &mut reelcut_vision::YuNetDetector, f: &[u8]) -> bool {
    det.detect(BgrImage {
        data: f,
        width: W,
        height: H,
    })
    .unwrap()
    .iter()
    .any(|d| ((d.x + d.w / 2.0 - W as f32 / 2.0) / W as f32).abs() <= 0.15)
}

#[test]
fn a_jump_cut_on_the_same_background_is_followed_at_once() {
    // Still 0-8 s, a pan 8-16 s, a 490 px jump at 16 s that no histogram sees.
    let (out, manifest) = render("jumpcut-face.mp4", &["--reframe", "track"]);
    let clip = &manifest["clips"][0];
    let shots = clip["shots"].as_array().unwrap();
    assert!(
        shots
            .iter()
            .any(|s| (s["start"].as_f64().unwrap() - 16.0).abs() <= 2.0 / FPS),
        "a shot starts at the jump: {shots:?}"
    );
    let frames = bgr_frames(&out.path().join("jumpcut-face/clip-01.mp4"));
    assert_eq!(frames.len(), 720);
    let mut det = detector();
    let centred: Vec<bool> = frames.iter().map(|f| face_centred(&mut det, f)).collect();
    let share = centred.iter().filter(|c| **c).count() as f64 / centred.len() as f64;
    let back = (480..720)
        .find(|&i| centred[i])
        .map(|i| i as f64 / FPS - 16.0);
    eprintln!(
        "jump cut: face centred in {:.1} % of frames, back on it {:?} s after the jump",
        share * 100.0,
        back
    );
    assert!(share >= 0.97, "face centred in only {:.1} %", share * 100.0);
    let back = back.expect("the face is found after the jump");
    assert!(back <= 0.5, "back on the face {back:.3} s after the jump");
    // Still: not one crop change in 0-8 s.
    let moved: Vec<_> = clip["crop"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| (0.0..8.0).contains(&c[0].as_f64().unwrap()) && c[0].as_f64().unwrap() > 0.0)
        .collect();
    assert!(moved.is_empty(), "crop moved while still: {moved:?}");
}

/// Who is shown centred in an output frame: the person whose badge (a colour block on the
/// chest, placed by the fixture for measurement only) lies within ±15 % of the centre.
fn shown(f: &[u8], people: &[(String, [f64; 3], u32)]) -> Option<String> {
    let scale = H as f64 / 720.0;
    people
        .iter()
        .find(|(_, rgb, badge_y)| {
            let y = (*badge_y as f64 * scale) as u32;
            let (mut n, mut sx) = (0usize, 0usize);
            for yy in y.saturating_sub(8)..(y + 8).min(H) {
                for x in 0..W {
                    let i = ((yy * W + x) * 3) as usize;
                    // bgr24
                    let d = (f[i + 2] as f64 - rgb[0]).abs()
                        + (f[i + 1] as f64 - rgb[1]).abs()
                        + (f[i] as f64 - rgb[2]).abs();
                    if d < 90.0 {
                        n += 1;
                        sx += x as usize;
                    }
                }
            }
            n > 300 && ((sx as f64 / n as f64 - W as f64 / 2.0) / W as f64).abs() <= 0.15
        })
        .map(|p| p.0.clone())
}

#[test]
fn the_crop_cuts_to_whoever_speaks() {
    let truth: serde_json::Value =
        serde_json::from_slice(&std::fs::read(media("two-speakers.json")).unwrap()).unwrap();
    let people: Vec<(String, [f64; 3], u32)> = truth["people"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, p)| {
            let c = p["badge"].as_array().unwrap();
            (
                k.clone(),
                [num(&c[0]), num(&c[1]), num(&c[2])],
                num(&p["badge_y"]) as u32,
            )
        })
        .collect();
    let (out, manifest) = render(
        "two-speakers.mp4",
        &["--reframe", "track", "--whole", "--captions", "none"],
    );
    let frames = bgr_frames(&out.path().join("two-speakers/clip-01.mp4"));
    let mut det = detector();
    let seen: Vec<Option<String>> = frames
        .iter()
        .map(|f| shown(f, &people).filter(|_| face_centred(&mut det, f)))
        .collect();
    let at = |t: f64| ((t * FPS).round() as usize).min(seen.len() - 1);
    // Each turn, after half a second of settling: the speaker is shown.
    let settle = 0.5;
    let mut shares = Vec::new();
    for turn in truth["turns"].as_array().unwrap() {
        let who = turn["speaker"].as_str().unwrap();
        let (a, b) = (at(num(&turn["start"]) + settle), at(num(&turn["end"])));
        let on = seen[a..b]
            .iter()
            .filter(|s| s.as_deref() == Some(who))
            .count();
        shares.push((who.to_string(), on as f64 / (b - a) as f64));
    }
    let between = seen.iter().filter(|s| s.is_none()).count() as f64 / seen.len() as f64;
    eprintln!(
        "speaker share per turn: {shares:?}; frames showing neither: {:.1} %",
        between * 100.0
    );
    for (who, share) in &shares {
        assert!(
            *share >= 0.9,
            "turn of {who}: speaker shown in {:.1} %",
            share * 100.0
        );
    }
    assert!(
        between <= 0.03,
        "{:.1} % of frames show neither person",
        between * 100.0
    );
    // The listener's one-word interjection does not take the frame.
    for ij in truth["interjections"].as_array().unwrap() {
        let who = ij["speaker"].as_str().unwrap();
        let (a, b) = (at(num(&ij["start"])), at(num(&ij["end"]) + 0.5));
        let taken = seen[a..b]
            .iter()
            .filter(|s| s.as_deref() == Some(who))
            .count();
        assert_eq!(taken, 0, "the interjection of {who} took {taken} frames");
    }
    // clips.json: the turns, whom each follows, and the evidence.
    let shot = &manifest["clips"][0]["shots"][0];
    let stretches = shot["stretches"].as_array().unwrap();
    let turns: Vec<_> = stretches.iter().filter(|s| s["why"] == "speaker").collect();
    assert_eq!(
        turns.len(),
        truth["turns"].as_array().unwrap().len(),
        "{stretches:?}"
    );
    for t in &turns {
        assert!(num(&t["mouth"]) > num(&t["others_mouth"]), "{t:?}");
        assert!(num(&t["confidence"]) > 0.5, "{t:?}");
    }
    assert!(!shot["speech"].as_array().unwrap().is_empty());
}
