//! The analysis pass (face tracking) sees the picture the render outputs: upright and
//! tone-mapped, at the analysis size, from the same conditioning pieces.

use reelcut_core::{CancellationToken, TimeRange};
use reelcut_media::analysis::{analyse, SampledFrame};

use crate::fixtures::media;

/// The first sampled frame of `input` (0-1 s).
fn first_sample(input: &str) -> SampledFrame {
    let mut frames = Vec::new();
    analyse(
        &media(input),
        &[TimeRange {
            start: 0.0,
            end: 1.0,
        }],
        2.0,
        320,
        &CancellationToken::new(),
        &mut |f| {
            frames.push(f);
            Ok(())
        },
    )
    .unwrap();
    frames.into_iter().next().expect("a sampled frame")
}

fn bgr(f: &SampledFrame, x: u32, y: u32) -> (u8, u8, u8) {
    let i = ((y * f.width + x) * 3) as usize;
    (f.bgr[i], f.bgr[i + 1], f.bgr[i + 2])
}

#[test]
fn analysis_frames_are_upright() {
    // rot90.mp4 is shown turned 90 degrees counterclockwise: red (stored top-left) at the
    // bottom-left, blue (stored bottom-left) at the bottom-right.
    let f = first_sample("rot90.mp4");
    assert!(f.height > f.width, "portrait: {}x{}", f.width, f.height);
    let (b, g, r) = bgr(&f, 2, f.height - 3);
    assert!(
        r > 180 && g < 80 && b < 80,
        "bottom-left red: {:?}",
        (b, g, r)
    );
    let (b, g, r) = bgr(&f, f.width - 3, f.height - 3);
    assert!(
        b > 180 && r < 80 && g < 80,
        "bottom-right blue: {:?}",
        (b, g, r)
    );
    let (b, g, r) = bgr(&f, 2, 2);
    assert!(
        r < 180 && b < 180 && (r as i32 - b as i32).abs() < 30,
        "top-left grey: {:?}",
        (b, g, r)
    );
}

#[test]
fn analysis_frames_are_tone_mapped() {
    // pq.mp4's brightest bar (100 nits) is SDR white after tone mapping (mobius: ~215 of
    // 255 luma in the render); the raw PQ code value would be about 130.
    let f = first_sample("pq.mp4");
    let (b, g, r) = bgr(&f, f.width * 7 / 8, f.height / 2);
    let luma = 0.2126 * f64::from(r) + 0.7152 * f64::from(g) + 0.0722 * f64::from(b);
    assert!(luma > 190.0, "bar 4 luma {luma:.1}");
}

#[test]
fn the_16k_audio_takes_the_track_asked_for() {
    // twotracks.mp4: track 0 (default) beeps 0.1 s every second, track 1 is a steady tone.
    let rms_between_beeps = |track: Option<usize>| {
        let mut pcm = Vec::new();
        reelcut_media::audio16k::decode_16k_mono_track(
            &media("twotracks.mp4"),
            track,
            &CancellationToken::new(),
            &mut |s| pcm.extend_from_slice(s),
        )
        .unwrap();
        let w = &pcm[16_000 * 13 / 10..16_000 * 17 / 10]; // 1.3-1.7 s
        (w.iter().map(|s| s * s).sum::<f32>() / w.len() as f32).sqrt()
    };
    let (default, second) = (rms_between_beeps(None), rms_between_beeps(Some(1)));
    assert!(default < 0.01, "default track between beeps: rms {default}");
    assert!(
        second > 0.05,
        "track 1 (a sine at 1/8 amplitude): rms {second}"
    );
    let e = reelcut_media::audio16k::decode_16k_mono_track(
        &media("twotracks.mp4"),
        Some(2),
        &CancellationToken::new(),
        &mut |_| {},
    )
    .unwrap_err();
    assert!(
        matches!(
            e,
            reelcut_media::MediaError::NoAudioTrack {
                track: 2,
                count: 2,
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn the_16k_audio_of_a_ts_is_on_the_renders_clock() {
    // frames.ts (MPEG-TS, timestamps from 1.4 s): the beep of source second k must sit where
    // the render puts frame 30k, k s after the video's first frame (which starts 21 ms after
    // the container's start, the AAC priming the TS keeps): within one frame, not 1.4 s off.
    let input = media("frames.ts");
    let pcm = reelcut_media::audio16k::decode_16k_mono(&input, &CancellationToken::new()).unwrap();
    let mut beeps = Vec::new();
    let mut on = false;
    for (i, w) in pcm.chunks(32).enumerate() {
        let rms = (w.iter().map(|s| s * s).sum::<f32>() / w.len() as f32).sqrt();
        if !on && rms > 0.05 {
            beeps.push(i as f64 * 32.0 / 16_000.0);
        }
        on = rms > 0.025;
    }
    let info = reelcut_media::probe(&input).unwrap();
    assert!(
        info.start_time > 1.0,
        "the fixture starts late: {}",
        info.start_time
    );
    let video_offset = 0.0213; // first video frame after the container's start (ffprobe)
    assert!(beeps.len() >= 19, "beeps at {beeps:?}");
    for (k, b) in beeps.iter().enumerate().take(19) {
        let want = k as f64 + video_offset;
        assert!(
            (b - want).abs() < 1.0 / 30.0,
            "beep {k} at {b:.4} s, want {want:.4}"
        );
    }
}
