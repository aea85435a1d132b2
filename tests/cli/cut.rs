//! Cuts, joins, timestamps and sync, measured on a source whose frames carry their own
//! number (tests/media/frames.mp4: 640x360, 30 fps, 20 s, keyframes every 2 s, a beep at
//! every whole second).

use crate::support::*;

const FPS: f64 = 30.0;

fn render(out: &std::path::Path, clip: &str) -> std::path::PathBuf {
    let (code, events, stderr) = run_json(
        out,
        &[
            media("frames.mp4").to_str().unwrap(),
            "--clip",
            clip,
            "--resolution",
            "240",
        ],
    );
    assert_eq!(code, 0, "reelcut failed: {stderr}\n{events:?}");
    out.join("frames/clip-01.mp4")
}

fn numbers(path: &std::path::Path) -> Vec<u32> {
    // 240x426 output of a centred 9:16 crop; bands span the full height.
    gray_frames(path, 24, 96)
        .iter()
        .map(|f| barcode(f, 24, 96))
        .collect()
}

#[test]
fn cut_starts_and_ends_on_the_exact_frames() {
    let out = tempfile::tempdir().unwrap();
    // 3.3 s is between keyframes (2 s, 4 s): the engine must decode from 2 s and drop.
    let clip = render(out.path(), "3.3-7.1");
    let n = numbers(&clip);
    // Frame 99 (3.300 s) is on screen at 3.3; frame 212 (7.067 s) is the last before 7.1.
    assert_eq!(n.first(), Some(&99), "first frame");
    assert_eq!(n.last(), Some(&212), "last frame");
    assert!(
        n.windows(2).all(|w| w[1] == w[0] + 1),
        "frames consecutive: {n:?}"
    );
    let p = ffprobe(&clip);
    let v = stream(&p, "video");
    assert_eq!((num(&v["width"]), num(&v["height"])), (240.0, 426.0));
    assert_eq!(v["sample_aspect_ratio"], "1:1");
    assert!(
        (num(&p["format"]["duration"]) - 3.8).abs() < 1.0 / FPS,
        "duration {}",
        p["format"]["duration"]
    );
    let t = frame_times(&clip);
    assert_eq!(t.first().copied(), Some(0.0), "timestamps rebased to zero");
}

#[test]
fn cut_on_a_frame_boundary_uses_that_frame() {
    let out = tempfile::tempdir().unwrap();
    let clip = render(out.path(), "2-12");
    let n = numbers(&clip);
    assert_eq!((n.len(), n[0], n[n.len() - 1]), (300, 60, 359));
    // clips.json keeps the contract fields, in source seconds.
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join("frames/clips.json")).unwrap())
            .unwrap();
    let c = &m["clips"][0];
    assert_eq!(
        (
            c["parts"][0]["start"].as_f64(),
            c["parts"][0]["end"].as_f64()
        ),
        (Some(2.0), Some(12.0))
    );
    assert_eq!(c["output"], "clip-01.mp4");
    assert_eq!(
        (c["width"].as_u64(), c["height"].as_u64()),
        (Some(240), Some(426))
    );
    assert!((c["duration"].as_f64().unwrap() - 10.0).abs() < 1e-6);
}

#[test]
fn multipart_clip_joins_parts_in_one_file() {
    let out = tempfile::tempdir().unwrap();
    let clip = render(out.path(), "1-3+5.5-7+0:15-0:16.5");
    let n = numbers(&clip);
    let expected: Vec<u32> = (30..90).chain(165..210).chain(450..495).collect();
    assert_eq!(n, expected);
    let p = ffprobe(&clip);
    let d = num(&p["format"]["duration"]);
    assert!(
        (d - 5.0).abs() < 1.0 / FPS,
        "duration {d} = sum of parts 2 + 1.5 + 1.5"
    );
    let a = stream(&p, "audio");
    assert!(
        (num(&a["duration"]) - 5.0).abs() < 0.025,
        "audio duration {}",
        a["duration"]
    );
    // Timestamps keep going across the joins: strictly increasing, one frame apart.
    let t = frame_times(&clip);
    assert!(
        t.windows(2)
            .all(|w| (w[1] - w[0] - 1.0 / FPS).abs() < 0.002),
        "{t:?}"
    );
}

#[test]
fn audio_is_cut_to_the_same_instants_and_stays_in_sync() {
    let out = tempfile::tempdir().unwrap();
    // Source beeps at 3, 4, ... 9 s; 6 to 7 s is skipped by the join.
    let clip = render(out.path(), "2.5-6.5+7.25-9.5");
    let beeps = onsets(&pcm(&clip), 0.05);
    // Expected on the clip timeline: 0.5, 1.5, 2.5, 3.5 (first part), then source 8, 9 at
    // 4 + 0.75 = 4.75 and 5.75.
    let expected = [0.5, 1.5, 2.5, 3.5, 4.75, 5.75];
    assert_eq!(beeps.len(), expected.len(), "beeps at {beeps:?}");
    for (b, e) in beeps.iter().zip(expected) {
        assert!(
            (b - e).abs() < 1.0 / FPS,
            "beep at {b:.4}, expected {e} (within one frame)"
        );
    }
    // The video frame carrying source frame 240 (8.0 s) is shown when the 8 s beep plays.
    let n = numbers(&clip);
    let t = frame_times(&clip);
    let i = n.iter().position(|&f| f == 240).expect("frame 240 in clip");
    assert!(
        (t[i] - beeps[4]).abs() < 1.0 / FPS,
        "video {:.4} vs audio {:.4}",
        t[i],
        beeps[4]
    );
}

#[test]
fn every_aspect_has_its_size() {
    for (aspect, w, h) in [
        ("1:1", 240.0, 240.0),
        ("4:5", 240.0, 300.0),
        ("16:9", 426.0, 240.0),
        ("9:16", 240.0, 426.0),
    ] {
        let out = tempfile::tempdir().unwrap();
        let (code, _, stderr) = run_json(
            out.path(),
            &[
                media("frames.mp4").to_str().unwrap(),
                "--clip",
                "1-2",
                "--aspect",
                aspect,
                "--resolution",
                "240",
            ],
        );
        assert_eq!(code, 0, "{stderr}");
        let p = ffprobe(&out.path().join("frames/clip-01.mp4"));
        let v = stream(&p, "video");
        assert_eq!(
            (num(&v["width"]), num(&v["height"])),
            (w, h),
            "aspect {aspect}"
        );
        assert_eq!(v["sample_aspect_ratio"], "1:1");
        assert_eq!(v["codec_name"], "h264");
        assert_eq!(stream(&p, "audio")["codec_name"], "aac");
    }
}

#[test]
fn output_is_faststart_mp4() {
    let out = tempfile::tempdir().unwrap();
    let clip = render(out.path(), "1-2");
    let bytes = std::fs::read(&clip).unwrap();
    let pos = |tag: &[u8]| bytes.windows(4).position(|w| w == tag).expect("atom");
    assert!(pos(b"moov") < pos(b"mdat"), "moov before mdat (faststart)");
}
