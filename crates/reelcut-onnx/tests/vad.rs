//! Silero VAD with the real model and ONNX Runtime (both installed by scripts/setup.sh) on
//! the generated fixtures: it finds each spoken sentence, and no speech in music or noise.
#![allow(clippy::unwrap_used)] // test code: a panic is a failed test

#[path = "../../../tests/support/fixtures.rs"]
mod fixtures;

use reelcut_core::CancellationToken;
use reelcut_onnx::{Vad, VadParams};

fn vad() -> Vad {
    let repo = fixtures::repo();
    Vad::load(
        &repo.join(".tools/onnxruntime/libonnxruntime.so.1.32.0"),
        &repo.join("models/silero/silero_vad.onnx"),
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

fn pcm(name: &str) -> Vec<f32> {
    reelcut_media::audio16k::decode_16k_mono(&fixtures::media(name), &CancellationToken::new())
        .unwrap()
}

#[test]
fn finds_every_sentence_and_nothing_between() {
    // speech.wav: six sentences, 0.8 s apart, 0.5 s of silence first.
    let audio = pcm("speech.wav");
    let spans = vad()
        .speech(&audio, &VadParams::default(), &CancellationToken::new())
        .unwrap();
    // Commas make short pauses inside sentences; across 0.5 s the sentences are six.
    let mut sentences: Vec<(f64, f64)> = Vec::new();
    for &(a, b) in &spans {
        match sentences.last_mut() {
            Some(last) if a - last.1 < 0.5 => last.1 = b,
            _ => sentences.push((a, b)),
        }
    }
    assert_eq!(sentences.len(), 6, "{spans:?}");
    assert!((0.3..0.6).contains(&spans[0].0), "{spans:?}");
    let voiced: f64 = spans.iter().map(|s| s.1 - s.0).sum();
    let total = audio.len() as f64 / 16000.0;
    // The sentences fill about 85 % of the file; the pauses are not speech.
    assert!(
        voiced > 0.7 * total && voiced < 0.95 * total,
        "{voiced} of {total}"
    );
}

#[test]
fn music_and_noise_are_not_speech() {
    for name in ["music.wav", "beeps.wav"] {
        let p = vad()
            .probabilities(&pcm(name), &CancellationToken::new())
            .unwrap();
        assert_eq!(p.len(), 313, "{name}: one probability per 32 ms");
        let spans = reelcut_onnx::vad::spans(&p, &VadParams::default(), 10.0);
        let top = p.iter().copied().fold(0.0f32, f32::max);
        assert!(
            spans.is_empty(),
            "{name}: {spans:?} (max probability {top})"
        );
    }
}

#[test]
fn a_missing_model_is_named() {
    let repo = fixtures::repo();
    let e = Vad::load(
        &repo.join(".tools/onnxruntime/libonnxruntime.so.1.32.0"),
        &repo.join("models/silero/none.onnx"),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("none.onnx") && e.contains("scripts/setup.sh"),
        "{e}"
    );
}

#[test]
fn cancelling_stops_it() {
    let cancel = CancellationToken::new();
    cancel.cancel();
    let e = vad()
        .probabilities(&pcm("speech.wav"), &cancel)
        .unwrap_err();
    assert!(matches!(e, reelcut_onnx::VadError::Cancelled), "{e}");
}
