//! Footage as phones, cameras and capture cards write it (issue 13): rotated and mirrored
//! phone video, HDR (PQ and HLG), BT.601 and full-range SDR, interlaced TS and PS captures,
//! timestamps that do not start at 0, an edit list, VFR, late audio, two audio tracks, and a
//! header that lies about the duration. Fixtures come from scripts/make-test-media.sh; every
//! check measures the output with ffmpeg/ffprobe.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::*;

/// Renders `input` (a fixture name) with `args` and returns the clip.
fn render(out: &Path, input: &str, args: &[&str]) -> PathBuf {
    let path = media(input);
    let mut all = vec![path.to_str().unwrap(), "--reframe", "center"];
    all.extend_from_slice(args);
    let (code, events, stderr) = run_json(out, &all);
    assert_eq!(code, 0, "{input}: {stderr}\n{events:?}");
    let stem = Path::new(input).file_stem().unwrap().to_str().unwrap();
    out.join(stem).join("clip-01.mp4")
}

/// The first frame of `path` as RGB at `w`x`h` (the ffmpeg CLI autorotates its input, so
/// for a source this is the upright picture a player shows).
fn rgb_small(path: &Path, w: u32, h: u32) -> Vec<u8> {
    let o = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args(["-frames:v", "1", "-vf", &format!("scale={w}:{h}")])
        .args(["-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
        .output()
        .unwrap();
    assert_eq!(o.stdout.len(), (w * h * 3) as usize, "{}", path.display());
    o.stdout
}

/// Which marker (r = red, b = blue, - = grey) sits in each corner: TL, TR, BL, BR.
fn corners(path: &Path, w: u32, h: u32) -> String {
    let px = rgb_small(path, w, h);
    let at = |x: u32, y: u32| {
        let i = ((y * w + x) * 3) as usize;
        let (r, g, b) = (px[i] as i32, px[i + 1] as i32, px[i + 2] as i32);
        if r > 180 && g < 80 && b < 80 {
            'r'
        } else if b > 180 && r < 80 && g < 80 {
            'b'
        } else {
            '-'
        }
    };
    [at(1, 1), at(w - 2, 1), at(1, h - 2), at(w - 2, h - 2)]
        .iter()
        .collect()
}

fn probe_json(input: &str) -> serde_json::Value {
    let o = reelcut(&["probe", media(input).to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn rotated_and_mirrored_phone_video_comes_out_as_players_show_it() {
    // (fixture, aspect that keeps the whole displayed frame, displayed w x h, rotation,
    // mirrored, expected corners). The source has red top-left and blue bottom-left.
    let cases = [
        ("rot90.mp4", "9:16", (360, 640), 270, false),
        ("rot270.mp4", "9:16", (360, 640), 90, false),
        ("rot180.mp4", "16:9", (640, 360), 180, false),
        ("mirror.mp4", "16:9", (640, 360), 0, true),
    ];
    for (input, aspect, (w, h), rotation, mirrored) in cases {
        let p = probe_json(input);
        assert_eq!(
            (p["width"].as_u64(), p["height"].as_u64()),
            (Some(w), Some(h)),
            "{input}: probe reports the displayed size"
        );
        assert_eq!(p["rotation"].as_u64(), Some(rotation), "{input}");
        assert_eq!(p["mirrored"].as_bool(), Some(mirrored), "{input}");

        let out = tempfile::tempdir().unwrap();
        let clip = render(
            out.path(),
            input,
            &["--clip", "0.5-1", "--aspect", aspect, "--resolution", "360"],
        );
        let v = stream(&ffprobe(&clip), "video").clone();
        assert_eq!(
            (num(&v["width"]) as u64, num(&v["height"]) as u64),
            (w, h),
            "{input}"
        );
        let (sw, sh) = (w as u32 / 10, h as u32 / 10);
        let got = corners(&clip, sw, sh);
        let expected = if mirrored {
            // FFmpeg 5.1's CLI ignores mirroring; a mirrored picture has red top-right and
            // blue bottom-right.
            "-r-b".to_string()
        } else {
            corners(&media(input), sw, sh)
        };
        assert_eq!(got, expected, "{input}: corners TL TR BL BR");
        assert_ne!(got, "r-b-", "{input}: left as stored");
        // The manifest says what the source was, as it plays (the desktop app shows it).
        let manifest: serde_json::Value =
            serde_json::from_slice(&std::fs::read(clip.with_file_name("clips.json")).unwrap())
                .unwrap();
        let source = &manifest["source"];
        assert_eq!(
            (source["width"].as_u64(), source["height"].as_u64()),
            (Some(w), Some(h)),
            "{input}: {source}"
        );
        assert_eq!(source["rotation"].as_u64(), Some(rotation), "{input}");
        assert_eq!(source["mirrored"].as_bool(), Some(mirrored), "{input}");
    }
}

/// Mean full-range luma of the four vertical bars of the colour fixtures (640x360).
fn bars(path: &Path, vf: Option<&str>) -> Vec<f64> {
    let mut cmd = Command::new("ffmpeg");
    cmd.args(["-v", "error", "-i"]).arg(path);
    if let Some(vf) = vf {
        cmd.args(["-vf", vf]);
    }
    let o = cmd
        .args(["-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray", "-"])
        .output()
        .unwrap();
    let (w, h) = (640usize, 360usize);
    assert_eq!(o.stdout.len(), w * h, "{}", path.display());
    (0..4)
        .map(|k| {
            let (mut sum, mut n) = (0.0, 0.0);
            for y in 120..240 {
                for x in k * 160 + 40..k * 160 + 120 {
                    sum += f64::from(o.stdout[y * w + x]);
                    n += 1.0;
                }
            }
            sum / n
        })
        .collect()
}

fn assert_bt709_tv(clip: &Path) {
    let v = stream(&ffprobe(clip), "video").clone();
    assert_eq!(
        (
            v["color_primaries"].as_str(),
            v["color_transfer"].as_str(),
            v["color_space"].as_str(),
            v["color_range"].as_str(),
            v["pix_fmt"].as_str()
        ),
        (
            Some("bt709"),
            Some("bt709"),
            Some("bt709"),
            Some("tv"),
            Some("yuv420p")
        ),
        "{}",
        clip.display()
    );
}

const COLOUR_ARGS: &[&str] = &[
    "--clip",
    "0.5-1",
    "--aspect",
    "16:9",
    "--resolution",
    "360",
    "--crf",
    "8",
];

#[test]
fn hdr_is_tone_mapped_as_ffmpegs_zscale_tonemap_does() {
    let reference = "zscale=t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,\
                     tonemap=tonemap=mobius,zscale=t=bt709:m=bt709:r=tv,format=yuv420p";
    for input in ["pq.mp4", "hlg.mp4"] {
        let out = tempfile::tempdir().unwrap();
        let clip = render(out.path(), input, COLOUR_ARGS);
        assert_bt709_tv(&clip);
        let got = bars(&clip, None);
        let want = bars(&media(input), Some(reference));
        let raw = bars(&media(input), None);
        eprintln!("{input}: ours {got:?}, ffmpeg mobius {want:?}, untouched {raw:?}");
        for (g, w) in got.iter().zip(&want) {
            assert!(
                (g - w).abs() <= 3.0,
                "{input}: bars {got:?} vs ffmpeg {want:?}"
            );
        }
        // The brightest bar (100 nits) must not come out as the PQ/HLG code value.
        assert!(
            (got[3] - raw[3]).abs() > 30.0,
            "{input}: not tone-mapped: {got:?} vs {raw:?}"
        );
    }
}

#[test]
fn bt601_and_full_range_sdr_are_converted_and_every_output_is_tagged() {
    // Bars of RGB 63, 127, 191 grey and pure red: BT.709 full-range luma 63, 127, 191, 54.
    let want = [63.0, 127.0, 191.0, 54.2];
    for input in ["bt601.mp4", "fullrange.mp4", "frames.mp4"] {
        let out = tempfile::tempdir().unwrap();
        let clip = render(out.path(), input, COLOUR_ARGS);
        assert_bt709_tv(&clip);
        if input == "frames.mp4" {
            continue; // untagged: passed through, but tagged
        }
        let got = bars(&clip, None);
        eprintln!("{input}: {got:?}");
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() <= 3.0, "{input}: bars {got:?}, want {want:?}");
        }
    }
}

/// idet's multi-frame counts (tff, bff, progressive) over the first 60 frames.
fn idet(path: &Path) -> (u64, u64, u64) {
    let o = Command::new("ffmpeg")
        .args(["-hide_banner", "-i"])
        .arg(path)
        .args(["-frames:v", "60", "-vf", "idet", "-an", "-f", "null", "-"])
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&o.stderr);
    let line = log
        .lines()
        .find(|l| l.contains("Multi frame detection"))
        .unwrap_or_else(|| panic!("no idet summary: {log}"));
    let field = |name: &str| -> u64 {
        let at = line.find(name).unwrap() + name.len();
        line[at..]
            .split_whitespace()
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    (field("TFF:"), field("BFF:"), field("Progressive:"))
}

/// Presentation times of the video frames of `path` relative to the container's start.
fn source_frame_times(path: &Path) -> Vec<f64> {
    let p = ffprobe(path);
    let start = p["format"]["start_time"]
        .as_str()
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or(0.0);
    let o = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0", "-show_entries"])
        .args(["packet=pts_time", "-of", "csv=p=0"])
        .arg(path)
        .output()
        .unwrap();
    let mut t: Vec<f64> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter_map(|l| l.trim().trim_end_matches(',').parse::<f64>().ok())
        .map(|t| t - start)
        .collect();
    t.sort_by(f64::total_cmp);
    t
}

/// Frames a cut `start`-`end` must hold: the one on screen at `start` and every later one
/// starting before `end`.
fn expected_count(times: &[f64], start: f64, end: f64) -> usize {
    times
        .iter()
        .enumerate()
        .filter(|(i, &t)| {
            let next = times.get(i + 1).copied().unwrap_or(f64::INFINITY);
            next > start + 1e-3 && t < end - 1e-3
        })
        .count()
}

#[test]
fn interlaced_captures_are_deinterlaced_and_cut_to_the_right_count() {
    // (fixture, output short side: 1080 keeps 1080i unscaled; 480 keeps 480i's rows).
    for (input, res) in [("i1080.ts", "1080"), ("i480.mpg", "480")] {
        let p = probe_json(input);
        assert_eq!(p["interlaced"].as_bool(), Some(true), "{input}");
        let src = idet(&media(input));
        assert!(
            src.0 > src.2 * 3,
            "{input}: the fixture must comb (idet {src:?})"
        );
        let out = tempfile::tempdir().unwrap();
        let clip = render(
            out.path(),
            input,
            &["--clip", "1-3", "--aspect", "16:9", "--resolution", res],
        );
        let (tff, bff, prog) = idet(&clip);
        eprintln!("{input}: idet source {src:?}, output ({tff}, {bff}, {prog})");
        assert!(
            prog > (tff + bff) * 4,
            "{input}: output still combs: idet tff {tff} bff {bff} progressive {prog}"
        );
        let frames = frame_times(&clip).len();
        let want = expected_count(&source_frame_times(&media(input)), 1.0, 3.0);
        assert_eq!(frames, want, "{input}: frames of a 2 s cut");
        assert!((59..=61).contains(&frames), "{input}: {frames} frames");
    }
}

/// Frame numbers of a clip of a frames.mp4-derived fixture (9:16 at 240).
fn numbers(path: &Path) -> Vec<u32> {
    // -vsync passthrough: one picture per stored frame, also for VFR.
    let o = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args(["-vsync", "passthrough", "-vf", "scale=24:96:flags=area"])
        .args(["-f", "rawvideo", "-pix_fmt", "gray", "-"])
        .output()
        .unwrap();
    o.stdout
        .chunks_exact(24 * 96)
        .map(|f| barcode(f, 24, 96))
        .collect()
}

#[test]
fn cuts_of_inputs_whose_timestamps_do_not_start_at_zero_start_on_the_frame_shown() {
    // MPEG-TS (timestamps from 1.4 s), MPEG-PS (from 0.5 s): the clock starts at the
    // container's start; the video starts a little after it (offset from ffprobe).
    for input in ["frames.ts", "frames.mpg"] {
        let times = source_frame_times(&media(input));
        let off = times[0];
        let (start, end) = (3.3, 5.1);
        let out = tempfile::tempdir().unwrap();
        let clip = render(
            out.path(),
            input,
            &["--clip", "3.3-5.1", "--resolution", "240"],
        );
        let n = numbers(&clip);
        let first = ((start - off) * 30.0 + 1e-6).floor() as u32;
        let last = ((end - off) * 30.0 - 1e-6).ceil() as u32 - 1;
        eprintln!(
            "{input}: video offset {off:.4}, frames {:?}..{:?}",
            n.first(),
            n.last()
        );
        assert_eq!(n.first(), Some(&first), "{input}: first frame");
        assert_eq!(n.last(), Some(&last), "{input}: last frame");
        assert!(n.windows(2).all(|w| w[1] == w[0] + 1), "{input}: {n:?}");
        assert_eq!(n.len(), expected_count(&times, start, end), "{input}");
    }
    // An MP4 whose edit list starts the presentation at source frame 39 (1.3 s).
    let out = tempfile::tempdir().unwrap();
    let clip = render(
        out.path(),
        "editlist.mp4",
        &["--clip", "1-2", "--resolution", "240"],
    );
    let n = numbers(&clip);
    assert_eq!(n, (69..99).collect::<Vec<_>>(), "edit list honoured");
}

#[test]
fn variable_frame_rate_keeps_every_source_frame_and_its_timing() {
    // 30 fps to 10 s, then every third frame.
    let out = tempfile::tempdir().unwrap();
    let clip = render(
        out.path(),
        "vfr.mp4",
        &["--clip", "8-12", "--resolution", "240"],
    );
    let n = numbers(&clip);
    let want: Vec<u32> = (240..300).chain((300..360).step_by(3)).collect();
    assert_eq!(n, want);
    let t = frame_times(&clip);
    assert!(
        (t[61] - t[60] - 0.1).abs() < 0.002,
        "10 fps part: {:?}",
        &t[58..63]
    );
    // A start between two sparse frames: the one on screen is frame 330 (11.0-11.1 s), not
    // a frame a nominal duration would put there.
    let out = tempfile::tempdir().unwrap();
    let clip = render(
        out.path(),
        "vfr.mp4",
        &["--clip", "11.05-12", "--resolution", "240"],
    );
    assert_eq!(numbers(&clip), (330..360).step_by(3).collect::<Vec<_>>());
}

#[test]
fn audio_that_starts_late_stays_in_sync() {
    // The audio starts 0.5 s after the video and beeps at every whole second.
    for (range, want) in [("0-3.9", vec![1.0, 2.0, 3.0]), ("1.5-3.9", vec![0.5, 1.5])] {
        let out = tempfile::tempdir().unwrap();
        let clip = render(
            out.path(),
            "lateaudio.mp4",
            &["--clip", range, "--resolution", "240"],
        );
        let beeps = onsets(&pcm(&clip), 0.05);
        assert_eq!(beeps.len(), want.len(), "{range}: beeps at {beeps:?}");
        for (b, w) in beeps.iter().zip(&want) {
            assert!(
                (b - w).abs() < 1.0 / 30.0,
                "{range}: beep at {b:.4}, want {w} (A/V)"
            );
        }
        let p = ffprobe(&clip);
        let (a, v) = (
            num(&stream(&p, "audio")["duration"]),
            num(&stream(&p, "video")["duration"]),
        );
        assert!((a - v).abs() < 0.03, "{range}: audio {a} vs video {v}");
    }
}

#[test]
fn the_default_audio_track_unless_another_is_asked_for() {
    // Track 0 (default) beeps at whole seconds; track 1 is a continuous tone.
    let loud_between_beeps = |clip: &Path| {
        let pcm = pcm(clip);
        // 0.3-0.7 s: silence on track 0, tone on track 1.
        let w = &pcm[14_400..33_600];
        (w.iter().map(|s| s * s).sum::<f32>() / w.len() as f32).sqrt() > 0.05
    };
    let out = tempfile::tempdir().unwrap();
    let clip = render(
        out.path(),
        "twotracks.mp4",
        &["--clip", "1-3", "--resolution", "240"],
    );
    assert!(!loud_between_beeps(&clip), "default track");
    let out = tempfile::tempdir().unwrap();
    let clip = render(
        out.path(),
        "twotracks.mp4",
        &["--clip", "1-3", "--resolution", "240", "--audio-track", "1"],
    );
    assert!(loud_between_beeps(&clip), "--audio-track 1");
    let out = tempfile::tempdir().unwrap();
    let (code, events, _) = run_json(
        out.path(),
        &[
            media("twotracks.mp4").to_str().unwrap(),
            "--clip",
            "1-3",
            "--audio-track",
            "5",
        ],
    );
    assert_ne!(code, 0);
    let failed = events
        .iter()
        .find(|e| e["kind"] == "invalid_options")
        .unwrap_or_else(|| panic!("{events:?}"));
    assert!(
        failed["message"]
            .as_str()
            .unwrap()
            .contains("no audio track 5"),
        "{failed}"
    );
}

#[test]
fn a_header_that_lies_about_the_duration() {
    // liar.mp4 holds 3.13 s of frames; its mvhd/mdhd claim 10 hours.
    assert!(probe_json("liar.mp4")["duration"].as_f64().unwrap() > 35_000.0);
    let out = tempfile::tempdir().unwrap();
    let input = media("liar.mp4");
    let (code, events, stderr) = run_json(
        out.path(),
        &[
            input.to_str().unwrap(),
            "--whole",
            "--reframe",
            "center",
            "--resolution",
            "240",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    // Before: the audio padding of the claimed 10 hours reached 6.3 GiB.
    let rss = events_of(&events, "summary")[0]["peak_rss_mib"]
        .as_f64()
        .unwrap();
    eprintln!("peak RSS {rss:.0} MiB");
    assert!(rss < 1024.0, "peak RSS {rss} MiB");
    let p = ffprobe(&out.path().join("liar/clip-01.mp4"));
    let (a, v) = (
        num(&stream(&p, "audio")["duration"]),
        num(&stream(&p, "video")["duration"]),
    );
    assert!((v - 3.133).abs() < 0.05, "video {v} s");
    assert!((a - v).abs() < 0.05, "audio {a} s vs video {v} s");

    // A part past the real end is an error that names it, not 1 s of video with 101 s of
    // audio.
    let out = tempfile::tempdir().unwrap();
    let (code, events, _) = run_json(
        out.path(),
        &[
            input.to_str().unwrap(),
            "--clip",
            "1-2+500-600",
            "--reframe",
            "center",
        ],
    );
    assert_ne!(code, 0, "{events:?}");
    let msg = events
        .iter()
        .filter_map(|e| e["message"].as_str())
        .find(|m| m.contains("500.000-600.000"))
        .unwrap_or_else(|| panic!("no error naming the part: {events:?}"));
    assert!(msg.contains("no video frames"), "{msg}");
    assert!(!out.path().join("liar/clip-01.mp4").exists());
}

#[test]
fn a_sideways_stored_phone_clip_is_tracked_like_the_upright_one() {
    // face-rot.mp4 stores face.mp4's pixels turned 90 degrees with a display matrix that
    // turns them back. Face analysis, the crop path and the output must not tell them apart.
    let run = |input: &str| {
        let out = tempfile::tempdir().unwrap();
        let path = media(input);
        let (code, events, stderr) = run_json(
            out.path(),
            &[
                path.to_str().unwrap(),
                "--reframe",
                "track",
                "--clip",
                "2-5",
                "--resolution",
                "270",
            ],
        );
        assert_eq!(code, 0, "{input}: {stderr}\n{events:?}");
        let stem = input.trim_end_matches(".mp4");
        let manifest: serde_json::Value = serde_json::from_slice(
            &std::fs::read(out.path().join(stem).join("clips.json")).unwrap(),
        )
        .unwrap();
        let frames = gray_frames(&out.path().join(stem).join("clip-01.mp4"), 54, 96);
        (out, manifest["clips"][0].clone(), frames)
    };
    let (_a, upright, fa) = run("face.mp4");
    let (_b, rotated, fb) = run("face-rot.mp4");
    assert_eq!(rotated["shots"][0]["mode"], "track", "{rotated}");
    // Where the crop sits at the start (face still at x=300..840 of 1920) and after the pan.
    let x_at = |clip: &serde_json::Value, t: f64| {
        clip["crop"]
            .as_array()
            .unwrap()
            .iter()
            .take_while(|c| c[0].as_f64().unwrap() <= t + 1e-9)
            .last()
            .map(|c| c[1].as_f64().unwrap())
            .unwrap()
    };
    for t in [0.0, 1.5, 2.9] {
        let (u, r) = (x_at(&upright, t), x_at(&rotated, t));
        eprintln!("crop x at {t} s: upright {u}, rotated {r}");
        assert!(
            (u - r).abs() <= 24.0,
            "crop x at {t} s: upright {u}, rotated {r}"
        );
    }
    assert_eq!(fa.len(), fb.len());
    let diffs: Vec<f64> = fa
        .iter()
        .zip(&fb)
        .map(|(a, b)| {
            a.iter()
                .zip(b)
                .map(|(x, y)| (*x as i32 - *y as i32).abs() as f64)
                .sum::<f64>()
                / a.len() as f64
        })
        .collect();
    let max = diffs.iter().copied().fold(0.0, f64::max);
    let mean = diffs.iter().sum::<f64>() / diffs.len() as f64;
    eprintln!("mean pixel difference upright vs rotated: {mean:.2} on average, {max:.2} at most");
    // A crop a few pixels apart during the pan moves edges by a pixel or two; a sideways or
    // centred crop differs by tens.
    assert!(
        mean < 3.0 && max < 12.0,
        "outputs differ: mean {mean:.2}, max {max:.2}"
    );
}

#[test]
fn mpeg_ts_audio_and_video_stay_in_sync_on_the_players_clock() {
    // frames.ts: frames.mp4 (a beep at every whole second, frame 30k shown at k s) remuxed
    // to MPEG-TS, whose timestamps start at 1.4 s. Cut 2.5-6.5: beeps at source 3, 4, 5, 6.
    let out = tempfile::tempdir().unwrap();
    let clip = render(
        out.path(),
        "frames.ts",
        &["--clip", "2.5-6.5", "--resolution", "240"],
    );
    let beeps = onsets(&pcm(&clip), 0.05);
    let n = numbers(&clip);
    let t = frame_times(&clip);
    assert_eq!(beeps.len(), 4, "beeps at {beeps:?}");
    for (k, b) in (3..7).zip(&beeps) {
        let i = n.iter().position(|&f| f == 30 * k).expect("frame in clip");
        eprintln!(
            "beep {k}: audio {b:.4} s, frame {} at {:.4} s",
            30 * k,
            t[i]
        );
        assert!(
            (t[i] - b).abs() < 1.0 / 30.0,
            "A/V offset at source {k} s: video {:.4} vs audio {b:.4}",
            t[i]
        );
    }
}
