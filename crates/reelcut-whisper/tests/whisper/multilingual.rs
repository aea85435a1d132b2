//! The multilingual path (converter and language detection) with Whisper base, which
//! scripts/setup.sh installs on request (REELCUT_SETUP_BASE=1, ~150 MB; scripts/test.sh asks
//! for it).

use std::path::Path;

use reelcut_core::CancellationToken;
use reelcut_whisper::{convert, Model, TranscribeOptions};

#[test]
fn base_converts_and_detects_english_and_german() {
    let ct2 = crate::support::repo().join("models/ctranslate2/base");
    assert!(
        ct2.join("model.bin").is_file(),
        "{} is missing: REELCUT_SETUP_BASE=1 scripts/setup.sh installs it (scripts/test.sh does)",
        ct2.display()
    );
    let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join("whisper-models");
    let ggml =
        convert::ensure_ggml(&ct2, &cache).unwrap_or_else(|e| panic!("converting base: {e}"));
    let model = Model::load(&ggml).expect("load base");
    assert_eq!(model.name(), "base");
    assert!(model.is_multilingual());

    let opts = TranscribeOptions {
        threads: 1,
        ..TranscribeOptions::default()
    };
    let none = CancellationToken::new();
    let en = model
        .transcribe(
            &crate::support::decode("speech.wav"),
            &opts,
            &none,
            &mut |_| {},
        )
        .expect("English");
    assert_eq!(en.language, "en", "{}", en.text());
    let de = model
        .transcribe(
            &crate::support::decode("speech-de.wav"),
            &opts,
            &none,
            &mut |_| {},
        )
        .expect("German");
    assert_eq!(de.language, "de", "{}", de.text());
    let heard = crate::support::normalize(&de.text());
    for k in ["guten", "morgen", "park"] {
        assert!(heard.iter().any(|w| w == k), "{k} missing from {heard:?}");
    }
    // A forced language is used as given.
    let forced = TranscribeOptions {
        language: Some("de".into()),
        ..opts
    };
    assert_eq!(
        model
            .transcribe(
                &crate::support::decode("speech-de.wav"),
                &forced,
                &none,
                &mut |_| {}
            )
            .expect("forced")
            .language,
        "de"
    );
}
