//! The tokenizer part of a ggml Whisper file: the raw bytes of each byte-level BPE token.
//!
//! CTranslate2 stores tokens the way Hugging Face's GPT-2 tokenizer spells them: every byte
//! mapped to a printable character (a space is `Ġ`, a newline `Ċ`). whisper.cpp wants the
//! bytes themselves, for the ordinary tokens only (ids below `<|endoftext|>`); it names the
//! special and timestamp tokens itself.

use std::collections::HashMap;
use std::path::Path;

use crate::WhisperError;

pub(crate) const END_OF_TEXT: &str = "<|endoftext|>";

/// GPT-2's `bytes_to_unicode`, inverted: printable character -> byte.
fn byte_decoder() -> HashMap<char, u8> {
    let printable = |b: u32| {
        (0x21..=0x7e).contains(&b) || (0xa1..=0xac).contains(&b) || (0xae..=0xff).contains(&b)
    };
    let mut map = HashMap::with_capacity(256);
    let mut shifted = 0u32;
    for b in 0u32..256 {
        let c = if printable(b) {
            b
        } else {
            shifted += 1;
            255 + shifted
        };
        if let Some(ch) = char::from_u32(c) {
            map.insert(ch, b as u8);
        }
    }
    map
}

/// Reads `vocabulary.json` (a JSON array, newer CTranslate2) or `vocabulary.txt` (one token
/// per line) from a CTranslate2 model directory, in id order.
pub(crate) fn read_tokens(dir: &Path) -> Result<Vec<String>, WhisperError> {
    let json = dir.join("vocabulary.json");
    if json.is_file() {
        let text = std::fs::read_to_string(&json).map_err(|e| WhisperError::read(&json, e))?;
        return serde_json::from_str(&text)
            .map_err(|e| WhisperError::bad(&json, format!("not a JSON array of tokens: {e}")));
    }
    let txt = dir.join("vocabulary.txt");
    let text = std::fs::read_to_string(&txt).map_err(|e| WhisperError::read(&txt, e))?;
    // One token per line; only the final newline is a terminator (an empty token would be
    // an empty line and must keep its id).
    let body = text.strip_suffix('\n').unwrap_or(&text);
    Ok(body.split('\n').map(str::to_owned).collect())
}

/// The ordinary tokens' bytes, in id order, up to (excluding) `<|endoftext|>`.
pub(crate) fn token_bytes(tokens: &[String], source: &Path) -> Result<Vec<Vec<u8>>, WhisperError> {
    let eot = tokens
        .iter()
        .position(|t| t == END_OF_TEXT)
        .ok_or_else(|| {
            WhisperError::bad(source, format!("the vocabulary has no {END_OF_TEXT} token"))
        })?;
    let decoder = byte_decoder();
    tokens[..eot]
        .iter()
        .enumerate()
        .map(|(id, token)| {
            token
                .chars()
                .map(|c| decoder.get(&c).copied())
                .collect::<Option<Vec<u8>>>()
                .ok_or_else(|| {
                    WhisperError::bad(
                        source,
                        format!("token {id} ({token:?}) is not a byte-level BPE token"),
                    )
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_decoder_is_a_bijection_over_all_bytes() {
        let d = byte_decoder();
        assert_eq!(d.len(), 256);
        let mut seen = [false; 256];
        for &b in d.values() {
            seen[b as usize] = true;
        }
        assert!(seen.iter().all(|&s| s));
        assert_eq!(d[&'Ġ'], b' ');
        assert_eq!(d[&'Ċ'], b'\n');
        assert_eq!(d[&'!'], b'!');
        assert_eq!(d[&'Ā'], 0);
    }

    #[test]
    fn decodes_tokens_up_to_end_of_text() {
        let tokens: Vec<String> = [
            "Ġthe",
            "hello",
            "Ã©",
            "ĠĊ",
            END_OF_TEXT,
            "<|startoftranscript|>",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let bytes = token_bytes(&tokens, Path::new("v")).expect("decodes");
        assert_eq!(bytes.len(), 4);
        assert_eq!(bytes[0], b" the");
        assert_eq!(bytes[2], "é".as_bytes());
        assert_eq!(bytes[3], b" \n");
    }

    #[test]
    fn refuses_non_bpe_tokens_and_a_missing_end_of_text() {
        let tokens = vec![
            "ok".to_string(),
            "with space".to_string(),
            END_OF_TEXT.to_string(),
        ];
        assert!(token_bytes(&tokens, Path::new("v")).is_err());
        assert!(token_bytes(&["a".to_string()], Path::new("v")).is_err());
    }

    #[test]
    fn reads_txt_keeping_empty_tokens() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("vocabulary.txt"), "a\n\nb\n").expect("write");
        assert_eq!(read_tokens(dir.path()).expect("reads"), vec!["a", "", "b"]);
    }
}
