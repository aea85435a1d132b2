//! Damaged inputs: decoding goes on past a corrupt stretch (render, analysis and the 16 kHz
//! audio all reach the end, and say how many packets they skipped), and a file whose
//! streams are garbage from the start fails with an error that names it.
//!
//! Fixtures are made here with the ffmpeg CLI: 6 s of testsrc2 (640x360, 25 fps, H.264) and
//! a 440 Hz sine (48 kHz AAC), as MPEG-TS and as MP4, then damaged in place.

use std::path::{Path, PathBuf};
use std::process::Command;

use reelcut_core::{
    Aspect, CancellationToken, ClipSpec, EncoderChoice, EncoderSettings, Layout, OutputSize,
    RenderSpec, TimeRange,
};
use reelcut_media::{analysis, audio16k, render_clip, MediaError};

const SECONDS: f64 = 6.0;
/// How close to the end decoding must get: a corrupt stretch may lose the frames in it, not
/// the rest of the file.
const END_SLACK: f64 = 0.5;

fn ffmpeg(args: &[&str]) {
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-v", "error", "-y"])
        .args(args)
        .output()
        .expect("run ffmpeg");
    assert!(
        out.status.success(),
        "ffmpeg {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The clean source, `name` (its extension picks the container). MPEG-TS keeps its default
/// start at 1.4 s: every stage counts from the container's start.
fn source(dir: &Path, name: &str, faststart: bool) -> PathBuf {
    let out = dir.join(name);
    let d = SECONDS.to_string();
    let video = format!("testsrc2=size=640x360:rate=25:duration={d}");
    let audio = format!("sine=frequency=440:sample_rate=48000:duration={d}");
    let mut args = vec![
        "-f",
        "lavfi",
        "-i",
        &video,
        "-f",
        "lavfi",
        "-i",
        &audio,
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-g",
        "50",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-b:a",
        "96k",
    ];
    if faststart {
        args.extend(["-movflags", "+faststart"]);
    }
    let path = out.to_str().unwrap();
    args.push(path);
    ffmpeg(&args);
    out
}

/// Deterministic noise (xorshift), so a failure reproduces.
fn garbage(len: usize, mut seed: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 24) as u8
        })
        .collect()
}

/// A copy of `src` with 32 KiB of garbage written over the middle.
fn damaged_middle(src: &Path) -> PathBuf {
    let mut bytes = std::fs::read(src).unwrap();
    let at = bytes.len() / 2;
    let len = 32 * 1024;
    bytes[at..at + len].copy_from_slice(&garbage(len, 0x9e37_79b9_7f4a_7c15));
    let out = src.with_file_name(format!(
        "damaged-{}",
        src.file_name().unwrap().to_string_lossy()
    ));
    std::fs::write(&out, bytes).unwrap();
    out
}

/// A copy of a faststart MP4 with every byte of its media data replaced by garbage: the
/// header (ftyp, moov) is intact, so it opens and demuxes, but no packet decodes.
fn garbage_after_header(src: &Path) -> PathBuf {
    let mut bytes = std::fs::read(src).unwrap();
    let mut at = 0;
    let payload = loop {
        let size = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        if &bytes[at + 4..at + 8] == b"mdat" {
            break at + 8;
        }
        assert!(size >= 8, "unexpected box layout");
        at += size;
    };
    let len = bytes.len() - payload;
    // This seed's garbage also decodes into an AAC frame of 33 channels, which the
    // audio path must skip as damaged rather than fail on.
    bytes[payload..].copy_from_slice(&garbage(len, 5));
    let out = src.with_file_name("garbage.mp4");
    std::fs::write(&out, bytes).unwrap();
    out
}

/// Presentation times of the video stream's packets, sorted.
fn video_packet_times(path: &Path) -> Vec<f64> {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0", "-show_entries"])
        .args(["packet=pts_time", "-of", "csv=p=0"])
        .arg(path)
        .output()
        .expect("run ffprobe");
    assert!(out.status.success());
    let mut t: Vec<f64> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.trim().trim_end_matches(',').parse().ok())
        .collect();
    t.sort_by(f64::total_cmp);
    t
}

fn duration(path: &Path) -> f64 {
    reelcut_media::probe(path).unwrap().duration
}

fn spec(input: &Path, output: &Path, end: f64) -> RenderSpec {
    RenderSpec {
        input: input.to_path_buf(),
        output: output.to_path_buf(),
        clip: ClipSpec::single(0.0, end),
        aspect: Aspect::Landscape,
        size: OutputSize {
            width: 320,
            height: 180,
        },
        layout: Layout::Crop,
        blur_ranges: Vec::new(),
        panels: Vec::new(),
        crop: None,
        subtitles: None,
        fonts_dir: None,
        font_family: String::new(),
        font_file: None,
        watermark: None,
        encoder: EncoderSettings {
            encoder: EncoderChoice::Named("libx264".into()),
            preset: "ultrafast".into(),
            crf: 30,
            audio_bitrate: 64_000,
        },
        audio_track: None,
    }
}

/// Renders the whole of `input` and checks the clip reaches the end.
fn render_reaches_the_end(input: &Path) -> reelcut_media::RenderReport {
    let end = duration(input);
    let output = input.with_extension("clip.mp4");
    let report = render_clip(
        &spec(input, &output, end),
        &CancellationToken::new(),
        &mut |_| {},
    )
    .unwrap_or_else(|e| panic!("{}: {e}", input.display()));
    let out = duration(&output);
    assert!(
        (out - end).abs() < END_SLACK,
        "{}: clip of {end:.2} s came out {out:.2} s",
        input.display()
    );
    let last = *video_packet_times(&output).last().unwrap();
    assert!(
        last > end - END_SLACK - 0.04,
        "{}: last video frame at {last:.2} s of {end:.2}",
        input.display()
    );
    // The damage costs the frames it covers, at most a GOP (2 s) of them, not the rest.
    let frames = video_packet_times(&output).len() as f64;
    assert!(
        frames >= (end - 2.0) * 25.0,
        "{}: only {frames} frames",
        input.display()
    );
    report
}

fn analysis_reaches_the_end(input: &Path) -> analysis::PartFrames {
    let end = duration(input);
    let mut samples = 0;
    let (_, parts) = analysis::analyse(
        input,
        &[TimeRange { start: 0.0, end }],
        2.0,
        256,
        &CancellationToken::new(),
        &mut |_| {
            samples += 1;
            Ok(())
        },
    )
    .unwrap_or_else(|e| panic!("{}: {e}", input.display()));
    let part = parts.into_iter().next().unwrap();
    let last = part.frames.last().map_or(0.0, |f| f.0);
    assert!(
        last > end - END_SLACK - 0.04,
        "{}: analysis stopped at {last:.2} s of {end:.2}",
        input.display()
    );
    assert!(samples as f64 >= (end - 2.0) * 2.0, "{samples} samples");
    part
}

fn audio_reaches_the_end(input: &Path) -> audio16k::Decoded16k {
    let end = duration(input);
    let mut n = 0usize;
    let report =
        audio16k::decode_16k_mono_report(input, &CancellationToken::new(), &mut |c| n += c.len())
            .unwrap_or_else(|e| panic!("{}: {e}", input.display()));
    assert_eq!(report.samples as usize, n);
    let seconds = n as f64 / f64::from(audio16k::SAMPLE_RATE);
    assert!(
        seconds > end - END_SLACK,
        "{}: audio stopped at {seconds:.2} s of {end:.2}",
        input.display()
    );
    report
}

#[test]
fn clean_inputs_skip_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["clean.ts", "clean.mp4"] {
        let src = source(dir.path(), name, false);
        assert_eq!(render_reaches_the_end(&src).skipped_packets, 0, "{name}");
        assert_eq!(analysis_reaches_the_end(&src).skipped_packets, 0, "{name}");
        assert_eq!(audio_reaches_the_end(&src).skipped_packets, 0, "{name}");
    }
}

#[test]
fn mp4_with_a_corrupt_middle_decodes_to_the_end_and_counts_what_it_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let bad = damaged_middle(&source(dir.path(), "in.mp4", false));
    let render = render_reaches_the_end(&bad);
    assert!(render.skipped_packets > 0, "render skipped nothing");
    let analysis = analysis_reaches_the_end(&bad);
    assert!(analysis.skipped_packets > 0, "analysis skipped nothing");
    let audio = audio_reaches_the_end(&bad);
    assert!(audio.skipped_packets > 0, "audio decode skipped nothing");
}

#[test]
fn mpeg_ts_with_a_corrupt_middle_decodes_to_the_end() {
    // The TS demuxer resynchronises on its own (most of the damage never reaches a
    // decoder), so only continuity is asserted here, not a skip count.
    let dir = tempfile::tempdir().unwrap();
    let bad = damaged_middle(&source(dir.path(), "in.ts", false));
    render_reaches_the_end(&bad);
    analysis_reaches_the_end(&bad);
    audio_reaches_the_end(&bad);
}

/// A copy of `src` with garbage over the middle 28 % of its media data (about 2.4-3.6 s of
/// this 6 s source; the GOP that starts at 2 s loses its keyframe).
fn damaged_stretch(src: &Path) -> PathBuf {
    let mut bytes = std::fs::read(src).unwrap();
    let mdat = bytes.windows(4).position(|w| w == b"mdat").unwrap() + 4;
    let n = bytes.len() - mdat;
    let (a, z) = (mdat + n * 36 / 100, mdat + n * 64 / 100);
    bytes[a..z].copy_from_slice(&garbage(z - a, 0x2545_f491_4f6c_dd1d));
    let out = src.with_file_name("stretch.mp4");
    std::fs::write(&out, bytes).unwrap();
    out
}

#[test]
fn a_clip_inside_a_corrupt_stretch_fails_naming_it_and_one_across_it_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let bad = damaged_stretch(&source(dir.path(), "in.mp4", true));
    let render = |start: f64, end: f64| {
        let output = dir.path().join(format!("out-{start}.mp4"));
        let mut s = spec(&bad, &output, end);
        s.clip = reelcut_core::ClipSpec::single(start, end);
        render_clip(&s, &CancellationToken::new(), &mut |_| {}).map(|r| (r, output))
    };
    let e = render(2.8, 3.2).unwrap_err();
    assert!(
        matches!(e, MediaError::Undecodable { start, end, skipped, .. } if start == 2.8 && end == 3.2 && skipped > 0),
        "{e:?}"
    );
    assert!(e.to_string().contains("2.800-3.200"), "{e}");
    // Across the damage: the frames on both sides are there, audio and video end together.
    let (report, output) = render(1.0, 5.0).unwrap();
    assert!(report.skipped_packets > 0);
    let times = video_packet_times(&output);
    let last = *times.last().unwrap();
    assert!(last > 3.9 - 0.04, "last frame at {last:.2} s of a 4 s clip");
    assert!(
        times.len() >= 25 + 25,
        "{} frames: the GOPs either side",
        times.len()
    );
    assert!(
        (duration(&output) - 4.0).abs() < 0.1,
        "clip {:.2} s",
        duration(&output)
    );
}

#[test]
fn garbage_streams_fail_with_an_error_that_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let bad = garbage_after_header(&source(dir.path(), "in.mp4", true));
    let end = duration(&bad);
    let check = |what: &str, e: MediaError| {
        assert!(matches!(e, MediaError::Undecodable { .. }), "{what}: {e:?}");
        let msg = e.to_string();
        assert!(msg.contains(&bad.display().to_string()), "{what}: {msg}");
    };

    let output = dir.path().join("out.mp4");
    let e = render_clip(
        &spec(&bad, &output, end),
        &CancellationToken::new(),
        &mut |_| {},
    )
    .unwrap_err();
    check("render", e);
    assert!(!output.exists(), "a failed render leaves no output");

    let e = analysis::analyse(
        &bad,
        &[TimeRange {
            start: 1.0,
            end: 3.0,
        }],
        2.0,
        256,
        &CancellationToken::new(),
        &mut |_| Ok(()),
    )
    .unwrap_err();
    check("analysis", e);

    let e = audio16k::decode_16k_mono(&bad, &CancellationToken::new()).unwrap_err();
    check("audio", e);
}
