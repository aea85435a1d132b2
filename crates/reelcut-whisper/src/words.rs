//! From Whisper's byte-level BPE tokens to timed words.
//!
//! A token whose bytes start with a space begins a new word; the others (word pieces,
//! punctuation, the continuation bytes of a multi-byte character) extend the current one.
//! Text is decoded from the joined bytes, so a character split across tokens survives.
//! A word ends where its last spoken token ends (trailing punctuation has no sound).
//! Times are then made monotonic and non-overlapping, inside the segment and the audio:
//! whisper.cpp's token times are estimates and occasionally step backwards.

use crate::transcript::RawWord;

/// One text token (special tokens already removed), times in seconds.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub bytes: Vec<u8>,
    pub probability: f32,
    pub start: f64,
    pub end: f64,
}

pub(crate) fn merge(tokens: &[Token]) -> Vec<RawWord> {
    let mut words = Vec::new();
    let mut current: Vec<&Token> = Vec::new();
    for token in tokens {
        if token.bytes.first() == Some(&b' ') && !current.is_empty() {
            words.extend(word_of(&current));
            current.clear();
        }
        current.push(token);
    }
    words.extend(word_of(&current));
    words
}

/// Whether a token carries sound: letters or digits, or any non-ASCII byte (letters of
/// other scripts), as opposed to punctuation and spaces.
pub(crate) fn is_spoken(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .any(|b| b.is_ascii_alphanumeric() || !b.is_ascii())
}

fn word_of(tokens: &[&Token]) -> Option<RawWord> {
    let first = tokens.first()?;
    let last = tokens
        .iter()
        .rev()
        .find(|t| is_spoken(&t.bytes))
        .or(tokens.last())?;
    let bytes: Vec<u8> = tokens
        .iter()
        .flat_map(|t| t.bytes.iter().copied())
        .collect();
    let text = String::from_utf8_lossy(&bytes).trim().to_string();
    if text.is_empty() {
        return None;
    }
    let probability = tokens.iter().map(|t| t.probability).sum::<f32>() / tokens.len() as f32;
    Some(RawWord {
        start: first.start,
        end: last.end,
        text,
        probability,
    })
}

/// Bracketed annotations Whisper writes for non-speech ("[BLANK_AUDIO]", "(music)").
pub(crate) fn is_annotation(text: &str) -> bool {
    (text.starts_with('[') && text.ends_with(']')) || (text.starts_with('(') && text.ends_with(')'))
}

/// Makes `words` ordered and non-overlapping, starting no earlier than `floor` and lying
/// inside `[lo, hi]`. Returns where the last word ends (the next floor).
pub(crate) fn settle(words: &mut [RawWord], floor: f64, lo: f64, hi: f64) -> f64 {
    let mut prev_end = floor.max(lo);
    for w in words.iter_mut() {
        let start = if w.start.is_finite() {
            w.start
        } else {
            prev_end
        };
        let end = if w.end.is_finite() { w.end } else { start };
        w.start = start.max(prev_end).min(hi);
        w.end = end.max(w.start).min(hi);
        prev_end = w.end;
    }
    prev_end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tok(text: &str, p: f32, start: f64, end: f64) -> Token {
        Token {
            bytes: text.as_bytes().to_vec(),
            probability: p,
            start,
            end,
        }
    }

    #[test]
    fn leading_space_starts_a_word_and_pieces_join() {
        let words = merge(&[
            tok(" The", 0.9, 0.0, 0.2),
            tok(" quick", 0.8, 0.2, 0.5),
            tok(" bro", 0.5, 0.5, 0.6),
            tok("wn", 0.7, 0.6, 0.8),
            tok(" fox", 1.0, 0.8, 1.0),
            tok(".", 0.8, 1.0, 1.05),
        ]);
        let texts: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(texts, ["The", "quick", "brown", "fox."]);
        assert_eq!((words[2].start, words[2].end), (0.5, 0.8));
        assert_eq!(words[3].end, 1.0, "the period does not extend the word");
        assert!((words[2].probability - 0.6).abs() < 1e-6);
        assert!((words[3].probability - 0.9).abs() < 1e-6);
    }

    #[test]
    fn a_first_token_without_space_still_makes_a_word() {
        let words = merge(&[
            tok("Hello", 1.0, 0.0, 0.3),
            tok(",", 1.0, 0.3, 0.3),
            tok(" world", 1.0, 0.4, 0.8),
        ]);
        let texts: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(texts, ["Hello,", "world"]);
    }

    #[test]
    fn multibyte_characters_split_across_tokens_are_rejoined() {
        let e_acute = "é".as_bytes();
        let words = merge(&[
            Token {
                bytes: [b" caf".as_slice(), &e_acute[..1]].concat(),
                probability: 1.0,
                start: 0.0,
                end: 0.2,
            },
            Token {
                bytes: e_acute[1..].to_vec(),
                probability: 1.0,
                start: 0.2,
                end: 0.3,
            },
        ]);
        assert_eq!(words[0].text, "café");
    }

    #[test]
    fn recognises_annotations_and_spoken_tokens() {
        assert!(is_annotation("[BLANK_AUDIO]") && is_annotation("(music)"));
        assert!(!is_annotation("[sic") && !is_annotation("word"));
        assert!(
            is_spoken(b" a") && is_spoken("é".as_bytes()) && !is_spoken(b".") && !is_spoken(b" ,")
        );
    }

    #[test]
    fn blank_tokens_make_no_words() {
        assert!(merge(&[tok(" ", 1.0, 0.0, 0.1)]).is_empty());
        assert!(merge(&[]).is_empty());
    }

    #[test]
    fn settle_orders_clamps_and_removes_overlaps() {
        let w = |s: f64, e: f64| RawWord {
            start: s,
            end: e,
            text: "w".into(),
            probability: 1.0,
        };
        let mut words = vec![w(0.5, 1.2), w(1.0, 0.9), w(f64::NAN, 2.0), w(2.5, 9.0)];
        let last = settle(&mut words, 0.8, 0.0, 3.0);
        let times: Vec<(f64, f64)> = words.iter().map(|w| (w.start, w.end)).collect();
        assert_eq!(times, [(0.8, 1.2), (1.2, 1.2), (1.2, 2.0), (2.5, 3.0)]);
        assert_eq!(last, 3.0);
    }
}
