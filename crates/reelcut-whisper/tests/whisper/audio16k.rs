//! reelcut_media::audio16k against the speech fixtures: lengths, alignment on the
//! timeline, downmix level, errors and cancellation. (Here rather than in reelcut-media
//! because the fixtures are the Whisper ones.)

use reelcut_core::CancellationToken;
use reelcut_media::audio16k::{decode_16k_mono, decode_16k_mono_chunks};
use reelcut_media::MediaError;

/// Sample count of a 16-bit mono WAV's data chunk.
fn wav_samples(path: &std::path::Path) -> usize {
    let bytes = std::fs::read(path).expect("read wav");
    let at = bytes
        .windows(4)
        .position(|w| w == b"data")
        .expect("data chunk");
    u32::from_le_bytes(bytes[at + 4..at + 8].try_into().expect("size")) as usize / 2
}

fn correlation(a: &[f32], b: &[f32]) -> f64 {
    let n = a.len().min(b.len());
    let (mut ab, mut aa, mut bb) = (0f64, 0f64, 0f64);
    for i in 0..n {
        let (x, y) = (f64::from(a[i]), f64::from(b[i]));
        ab += x * y;
        aa += x * x;
        bb += y * y;
    }
    ab / (aa.sqrt() * bb.sqrt()).max(1e-12)
}

#[test]
fn decodes_wav_exactly_and_mp4_to_the_same_length() {
    let none = CancellationToken::new();
    let wav = decode_16k_mono(&crate::support::media("speech.wav"), &none).expect("wav");
    assert_eq!(
        wav.len(),
        wav_samples(&crate::support::media("speech.wav")),
        "16 kHz mono s16 in: every sample out"
    );
    let mp4 = decode_16k_mono(&crate::support::media("speech.mp4"), &none).expect("mp4");
    let ratio = mp4.len() as f64 / wav.len() as f64;
    assert!(
        (ratio - 1.0).abs() < 0.01,
        "mp4 gives {} samples, wav {}",
        mp4.len(),
        wav.len()
    );
    assert!(mp4.iter().all(|x| x.is_finite() && x.abs() <= 1.0));
}

#[test]
fn resampled_aac_lines_up_with_the_source_samples() {
    // speech.mp4's audio is speech.wav, upsampled to 48 kHz stereo AAC. Back at 16 kHz
    // mono it must line up sample for sample (no priming delay, no drift).
    let none = CancellationToken::new();
    let wav = decode_16k_mono(&crate::support::media("speech.wav"), &none).expect("wav");
    let mp4 = decode_16k_mono(&crate::support::media("speech.mp4"), &none).expect("mp4");
    let best = (-160i32..=160)
        .map(|lag| {
            let (a, b) = if lag >= 0 {
                (&wav[..], &mp4[lag as usize..])
            } else {
                (&wav[(-lag) as usize..], &mp4[..])
            };
            (lag, correlation(a, b))
        })
        .max_by(|x, y| x.1.total_cmp(&y.1))
        .expect("lags");
    assert!(
        best.0.abs() <= 2,
        "mp4 audio is offset by {} samples ({:.1} ms)",
        best.0,
        best.0 as f64 / 16.0
    );
    assert!(best.1 > 0.95, "correlation {:.3}", best.1);
}

#[test]
fn stereo_is_averaged_to_mono() {
    // frames.mp4: the same 1 kHz beep, amplitude 0.5, in both channels for the first
    // 100 ms of every second. An average keeps 0.5 (RMS 0.354); libswresample's default
    // float downmix (0.707 L + 0.707 R) would make it 0.707 and let loud stereo clip.
    let pcm = decode_16k_mono(
        &crate::support::media("frames.mp4"),
        &CancellationToken::new(),
    )
    .expect("frames.mp4");
    let beep = &pcm[16000 + 160..16000 + 1440]; // 1.01-1.09 s, inside the second beep
    let rms = (beep.iter().map(|x| x * x).sum::<f32>() / beep.len() as f32).sqrt();
    assert!((rms - 0.354).abs() < 0.03, "beep RMS {rms:.3}");
    let quiet = &pcm[16000 + 3200..16000 + 14400]; // 1.2-1.9 s: silence between beeps
    assert!(
        quiet.iter().all(|x| x.abs() < 0.01),
        "silence between beeps"
    );
}

#[test]
fn chunks_stream_the_same_samples() {
    let none = CancellationToken::new();
    let whole = decode_16k_mono(&crate::support::media("speech.mp4"), &none).expect("whole");
    let mut streamed = Vec::new();
    let mut largest = 0;
    let n = decode_16k_mono_chunks(&crate::support::media("speech.mp4"), &none, &mut |c| {
        largest = largest.max(c.len());
        streamed.extend_from_slice(c);
    })
    .expect("chunks");
    assert_eq!(n as usize, whole.len());
    assert_eq!(streamed, whole);
    assert!(largest <= 4096, "chunks are frame-sized, got {largest}");
}

#[test]
fn errors_name_the_file_and_cancel_stops() {
    let none = CancellationToken::new();
    let missing = crate::support::repo().join("tests/media/no-such.mp4");
    let err = decode_16k_mono(&missing, &none).expect_err("missing");
    assert!(
        matches!(err, MediaError::NotFound { .. }) && err.to_string().contains("no-such.mp4"),
        "{err}"
    );

    let silent_picture = crate::support::media("logo.png");
    let err = decode_16k_mono(&silent_picture, &none).expect_err("no audio");
    assert!(
        err.to_string().contains("logo.png") && err.to_string().contains("no audio stream"),
        "{err}"
    );

    let junk = crate::support::media("corrupt.mp4");
    let err = decode_16k_mono(&junk, &none).expect_err("junk");
    assert!(err.to_string().contains("corrupt.mp4"), "{err}");

    let cancelled = CancellationToken::new();
    cancelled.cancel();
    assert!(matches!(
        decode_16k_mono(&crate::support::media("speech.mp4"), &cancelled),
        Err(MediaError::Cancelled)
    ));
}

#[test]
fn audio_that_starts_late_keeps_its_place_on_the_timeline() {
    // Video from 0 s, a tone whose stream starts at 1.0 s: sample 16000 must be where the
    // tone begins, as a player would play it against the picture.
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("late.mp4");
    let status = std::process::Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "color=c=black:s=320x240:r=25:d=4",
        ])
        .args([
            "-itsoffset",
            "1.0",
            "-f",
            "lavfi",
            "-i",
            "sine=f=1000:sample_rate=44100:d=2",
        ])
        .args([
            "-map",
            "0:v",
            "-map",
            "1:a",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-c:a",
            "aac",
        ])
        .arg(&file)
        .status()
        .expect("run ffmpeg (fixture generator)");
    assert!(status.success());
    let pcm = decode_16k_mono(&file, &CancellationToken::new()).expect("late.mp4");
    let onset = pcm.iter().position(|x| x.abs() > 0.05).expect("a tone") as f64 / 16000.0;
    assert!(
        (onset - 1.0).abs() < 0.03,
        "tone starts at {onset:.3} s, not 1.0 s"
    );
    let end = pcm.iter().rposition(|x| x.abs() > 0.05).expect("a tone") as f64 / 16000.0;
    assert!(
        (end - 3.0).abs() < 0.05,
        "tone ends at {end:.3} s, not 3.0 s"
    );
}
