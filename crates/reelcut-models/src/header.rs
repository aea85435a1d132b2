//! The header of a whisper.cpp ggml model: a file downloaded from a URL is read before it
//! is registered, so a web page, an error document or a truncated file never becomes a
//! "model" that fails later, in the middle of someone's job.

use std::io::Read;
use std::path::Path;

/// `ggml` as whisper.cpp writes it (a little-endian u32).
const MAGIC: u32 = 0x6767_6d6c;

/// What a ggml header says about its model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GgmlInfo {
    /// A vocabulary of all languages (51865 tokens or more; English-only models have 51864).
    pub multilingual: bool,
    pub audio_layers: u32,
}

/// Ok when `path` starts like a whisper.cpp model: the magic number and hyper-parameters in
/// the ranges every Whisper size uses; else why not, in words.
pub(crate) fn check(path: &Path) -> Result<(), String> {
    ggml_info(path).map(drop)
}

/// The header of a whisper.cpp model file, checked as [`check`] does.
pub fn ggml_info(path: &Path) -> Result<GgmlInfo, String> {
    let mut head = [0u8; 48];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .map_err(|e| format!("its header cannot be read: {e}"))?;
    let word = |i: usize| {
        u32::from_le_bytes([
            head[4 * i],
            head[4 * i + 1],
            head[4 * i + 2],
            head[4 * i + 3],
        ])
    };
    if word(0) != MAGIC {
        let text = head
            .iter()
            .all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace());
        return Err(if text {
            "it is text, not a ggml file (a web page or an error message?)".into()
        } else {
            "no ggml magic number at its start".into()
        });
    }
    // n_vocab, n_audio_ctx, n_audio_state, n_audio_head, n_audio_layer, n_text_ctx,
    // n_text_state, n_text_head, n_text_layer, n_mels, ftype.
    let (vocab, audio_ctx, layers, mels) = (word(1), word(2), word(5), word(10));
    if !(50_000..=60_000).contains(&vocab) || audio_ctx != 1500 || !(1..=64).contains(&layers) {
        return Err(format!(
            "not Whisper's hyper-parameters (vocabulary {vocab}, audio context {audio_ctx}, {layers} layers)"
        ));
    }
    if mels != 80 && mels != 128 {
        return Err(format!("{mels} mel bands (Whisper uses 80 or 128)"));
    }
    Ok(GgmlInfo {
        multilingual: vocab >= 51_865,
        audio_layers: word(4),
    })
}

/// The first bytes of a plausible model (tiny's hyper-parameters), for tests.
#[cfg(test)]
pub(crate) fn tiny_header() -> Vec<u8> {
    [MAGIC, 51864, 1500, 384, 6, 4, 448, 384, 6, 4, 80, 1]
        .iter()
        .flat_map(|w| w.to_le_bytes())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checked(bytes: &[u8]) -> Result<(), String> {
        let dir = tempfile::tempdir().expect("dir");
        let p = dir.path().join("m.bin");
        std::fs::write(&p, bytes).expect("write");
        check(&p)
    }

    #[test]
    fn only_whisper_headers_pass() {
        let mut good = tiny_header();
        good.extend([0u8; 100]);
        assert_eq!(checked(&good), Ok(()));
        let html = b"<!DOCTYPE html><html><head><title>Not found</title></head></html>";
        assert!(checked(html).unwrap_err().contains("text"));
        assert!(checked(b"short").unwrap_err().contains("cannot be read"));
        let mut mels = good.clone();
        mels[40..44].copy_from_slice(&7u32.to_le_bytes());
        assert!(checked(&mels).unwrap_err().contains("7 mel bands"));
        let mut vocab = good;
        vocab[4..8].copy_from_slice(&9u32.to_le_bytes());
        assert!(checked(&vocab).unwrap_err().contains("vocabulary 9"));
    }
}
