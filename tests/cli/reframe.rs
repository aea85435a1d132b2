//! Face-tracked reframing, measured on the output: a real face photo moving over a
//! 1920x1080 background (tests/media/face.mp4: still 0-3 s, a pan 3-6 s, a hard cut at 6 s
//! that moves the face to the other side), found again in the output frames by the same
//! YuNet detector the product uses.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::*;
use reelcut_vision::{BgrImage, FaceDetector, YuNetDetector};

pub(crate) const W: u32 = 540;
pub(crate) const H: u32 = 960;
pub(crate) const FPS: f64 = 30.0;

pub(crate) fn detector() -> YuNetDetector {
    let root = repo();
    let lib = std::env::var_os("ORT_DYLIB_PATH")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join(".tools/onnxruntime/libonnxruntime.so.1.32.0"));
    YuNetDetector::load(
        &lib,
        &root.join("models/yunet/face_detection_yunet_2023mar.onnx"),
        2,
    )
    .expect("YuNet loads (run scripts/setup.sh)")
}

pub(crate) fn bgr_frames(path: &Path) -> Vec<Vec<u8>> {
    let o = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args(["-f", "rawvideo", "-pix_fmt", "bgr24", "-"])
        .output()
        .expect("ffmpeg");
    o.stdout
        .chunks_exact((W * H * 3) as usize)
        .map(<[u8]>::to_vec)
        .collect()
}

pub(crate) fn render(input: &str, extra: &[&str]) -> (tempfile::TempDir, serde_json::Value) {
    let out = tempfile::tempdir().unwrap();
    let mut args = vec![
        media(input).to_string_lossy().into_owned(),
        "--resolution".into(),
        W.to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, events, stderr) = run_json(out.path(), &args);
    assert_eq!(code, 0, "{stderr}\n{events:?}");
    let stem = input.trim_end_matches(".mp4");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join(stem).join("clips.json")).unwrap())
            .unwrap();
    (out, manifest)
}

#[test]
fn the_face_stays_centred_through_still_pan_and_cut() {
    let (out, manifest) = render("face.mp4", &["--reframe", "track"]);
    let clip = &manifest["clips"][0];
    assert_eq!(clip["reframe"], "track");
    assert_eq!(clip["detector"], "yunet");
    let shots = clip["shots"].as_array().unwrap();
    assert_eq!(shots.len(), 2, "{shots:?}");
    assert!(
        (shots[1]["start"].as_f64().unwrap() - 6.0).abs() < 1.0 / FPS,
        "cut found at 6 s"
    );
    assert!(shots.iter().all(|s| s["mode"] == "track"));

    let frames = bgr_frames(&out.path().join("face/clip-01.mp4"));
    assert_eq!(frames.len(), 270);
    let mut det = detector();
    let (mut counted, mut centred, mut first_on_face_after_cut) = (0, 0, None);
    for (i, f) in frames.iter().enumerate() {
        let t = i as f64 / FPS;
        let faces = det
            .detect(BgrImage {
                data: f,
                width: W,
                height: H,
            })
            .unwrap();
        let on_centre = faces.first().is_some_and(|d| {
            let cx = d.x + d.w / 2.0;
            ((cx - W as f32 / 2.0) / W as f32).abs() <= 0.15
        });
        if t >= 6.0 && on_centre && first_on_face_after_cut.is_none() {
            first_on_face_after_cut = Some(t);
        }
        if (6.0..6.5).contains(&t) {
            continue;
        }
        counted += 1;
        if on_centre {
            centred += 1;
        }
    }
    let share = centred as f64 / counted as f64;
    eprintln!(
        "face within ±15 % of centre in {centred}/{counted} frames ({:.1} %)",
        share * 100.0
    );
    assert!(
        share >= 0.97,
        "only {:.1} % of frames centred",
        share * 100.0
    );
    let after = first_on_face_after_cut.expect("face found after the cut");
    assert!(
        after - 6.0 <= 0.5,
        "crop on the face {:.3} s after the cut",
        after - 6.0
    );

    // While the face is still (0-3 s) the crop does not move at all: one crop entry
    // covers the whole still part, and the first change comes only once the pan starts.
    let crop = clip["crop"].as_array().unwrap();
    let changes_in_still: Vec<_> = crop
        .iter()
        .filter(|c| c[0].as_f64().unwrap() > 0.0 && c[0].as_f64().unwrap() < 3.0)
        .collect();
    assert!(
        changes_in_still.is_empty(),
        "crop moved while the face was still: {changes_in_still:?}"
    );
    // And the pixels agree: consecutive output frames in the still part are the same
    // picture (only encoder noise), unlike during the pan.
    let diff = |a: &[u8], b: &[u8]| {
        a.iter()
            .zip(b)
            .map(|(x, y)| (*x as i32 - *y as i32).abs() as f64)
            .sum::<f64>()
            / a.len() as f64
    };
    let still = (10..85)
        .map(|i| diff(&frames[i], &frames[i + 1]))
        .fold(0.0, f64::max);
    let pan = (100..170)
        .map(|i| diff(&frames[i], &frames[i + 1]))
        .sum::<f64>()
        / 70.0;
    assert!(
        still < 1.0 && pan > 3.0 * still,
        "still max diff {still:.2}, pan mean diff {pan:.2}"
    );
}

#[test]
fn no_face_means_the_centred_crop() {
    let (_out, manifest) = render("noface.mp4", &["--reframe", "track"]);
    let clip = &manifest["clips"][0];
    assert!(clip["shots"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["mode"] == "center"));
    let crop = clip["crop"].as_array().unwrap();
    assert_eq!(crop.len(), 1, "{crop:?}");
    // 1920x1080 -> 606x1080 window centred: x = (1920 - 606) / 2 = 657, even-floored.
    assert_eq!(crop[0][1].as_f64(), Some(656.0));
    assert_eq!(crop[0][3].as_f64(), Some(606.0));
}

#[test]
fn multipart_clips_track_each_part() {
    // 1-2 s (face on the left) joined with 7-8 s (after the cut, face elsewhere).
    let (out, manifest) = render("face.mp4", &["--reframe", "track", "--clip", "1-2+7-8"]);
    let shots = manifest["clips"][0]["shots"].as_array().unwrap();
    assert_eq!(shots.len(), 2);
    let frames = bgr_frames(&out.path().join("face/clip-01.mp4"));
    assert_eq!(frames.len(), 60);
    let mut det = detector();
    for i in [0usize, 29, 30, 59] {
        let faces = det
            .detect(BgrImage {
                data: &frames[i],
                width: W,
                height: H,
            })
            .unwrap();
        let cx = faces.first().map(|d| d.x + d.w / 2.0).expect("a face");
        assert!(
            ((cx - W as f32 / 2.0) / W as f32).abs() <= 0.15,
            "frame {i}: face at {cx}"
        );
    }
}

#[test]
fn blur_layout_fits_the_whole_frame_over_a_blurred_copy() {
    let (out, manifest) = render("face.mp4", &["--layout", "blur", "--clip", "1-2"]);
    assert_eq!(manifest["clips"][0]["reframe"], "blur");
    let f = &bgr_frames(&out.path().join("face/clip-01.mp4"))[10];
    // Mean absolute horizontal gradient of a band of rows.
    let sharpness = |y0: u32, y1: u32| {
        let mut sum = 0.0;
        let mut n = 0.0;
        for y in y0..y1 {
            for x in 1..W {
                let i = ((y * W + x) * 3) as usize;
                let j = i - 3;
                sum += (0..3)
                    .map(|c| (f[i + c] as f64 - f[j + c] as f64).abs())
                    .sum::<f64>();
                n += 3.0;
            }
        }
        sum / n
    };
    // 1920x1080 fitted into 540 wide is 540x304, centred: rows 328..632.
    let (top, middle, bottom) = (sharpness(20, 300), sharpness(340, 620), sharpness(660, 940));
    assert!(
        middle > 4.0 * top && middle > 4.0 * bottom,
        "top {top:.2} middle {middle:.2} bottom {bottom:.2}"
    );
    // The whole width of the source is visible: the face (left third of the source at
    // 1-2 s) is found in the fitted band, left of centre.
    let faces = detector()
        .detect(BgrImage {
            data: f,
            width: W,
            height: H,
        })
        .unwrap();
    let face = faces.first().expect("face in the fitted frame");
    assert!(
        face.y > 328.0 && face.y + face.h < 632.0 && face.x + face.w / 2.0 < W as f32 / 2.0,
        "{face:?}"
    );
}

#[test]
fn auto_layout_blurs_only_faceless_clips() {
    let (_o, m) = render("noface.mp4", &["--layout", "auto"]);
    assert_eq!(m["clips"][0]["reframe"], "blur");
    let (_o, m) = render("face.mp4", &["--layout", "auto", "--clip", "0-2"]);
    assert_eq!(m["clips"][0]["reframe"], "track");
}

#[test]
fn a_faceless_shot_gets_the_blurred_fit_while_the_face_shot_is_tracked() {
    // tests/media/mixed.mp4: the face for 0-3 s, then a cut to a scene without one.
    let (out, manifest) = render("mixed.mp4", &["--layout", "auto"]);
    let clip = &manifest["clips"][0];
    let modes: Vec<&str> = clip["shots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["mode"].as_str().unwrap())
        .collect();
    assert_eq!(modes, ["track", "blur"]);
    let blur = clip["blur"].as_array().unwrap();
    assert_eq!(blur.len(), 1);
    assert!(
        (blur[0][0].as_f64().unwrap() - 3.0).abs() < 1.0 / FPS,
        "{blur:?}"
    );
    let frames = bgr_frames(&out.path().join("mixed/clip-01.mp4"));
    assert_eq!(
        frames.len(),
        180,
        "every frame encoded, in order, across the layout switch"
    );
    let mut det = detector();
    // Tracked shot: the face centred in a full-height crop.
    let faces = det
        .detect(BgrImage {
            data: &frames[45],
            width: W,
            height: H,
        })
        .unwrap();
    let cx = faces
        .first()
        .map(|d| d.x + d.w / 2.0)
        .expect("face in the tracked shot");
    assert!(((cx - W as f32 / 2.0) / W as f32).abs() <= 0.15);
    // Blurred shot: flat (blurred) top band, detailed middle band with the whole frame.
    let f = &frames[150];
    let row_sharpness = |y0: u32, y1: u32| {
        let mut s = 0.0;
        for y in y0..y1 {
            for x in 1..W {
                let i = ((y * W + x) * 3) as usize;
                s += (f[i] as f64 - f[i - 3] as f64).abs();
            }
        }
        s / ((y1 - y0) * (W - 1)) as f64
    };
    let (top, middle) = (row_sharpness(20, 300), row_sharpness(340, 620));
    assert!(middle > 4.0 * top, "top {top:.2} middle {middle:.2}");
}
