//! Which caption words stand out: numbers, names, and the words the clip selection scored
//! as its hook ([`crate::select::hook_words`]); and, as a style option, the emoji a few
//! keywords may carry.

use std::collections::BTreeSet;

use crate::transcript::Word;

/// What the caption renderer knows about a clip beyond its words.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CaptionContext {
    /// Words to emphasise because the selection scored them (lower case, any order).
    pub hook_words: Vec<String>,
    /// A font family libass draws emoji with, when the renderer has one. None with the
    /// bundled fonts and libass 0.17 (see [`super::script::is_emoji`]): emoji are left out.
    pub emoji_font: Option<String>,
}

/// The word's letters and digits, lower case: how keywords are compared.
fn key(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric() || *c == '\'')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Spelled-out numbers (English), matched whole.
const NUMBER_WORDS: &[&str] = &[
    "billion", "eight", "eighty", "eleven", "fifty", "five", "forty", "four", "hundred", "million",
    "nine", "ninety", "percent", "seven", "seventy", "six", "sixty", "ten", "thirty", "thousand",
    "three", "twelve", "twenty", "two", "zero",
];

/// Which of `words` (clip order, original case) to emphasise.
pub fn keywords(words: &[Word], ctx: &CaptionContext) -> Vec<bool> {
    let hooks: BTreeSet<String> = ctx.hook_words.iter().map(|w| key(w)).collect();
    words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let k = key(&w.text);
            if k.is_empty() {
                return false;
            }
            let number =
                w.text.chars().any(|c| c.is_numeric()) || NUMBER_WORDS.contains(&k.as_str());
            number || hooks.contains(&k) || is_name(words, i)
        })
        .collect()
}

/// A capitalised word that does not start a sentence, other than "I": a name, in the
/// scripts that have case. All-capital transcripts (some models shout) name nothing.
fn is_name(words: &[Word], i: usize) -> bool {
    let text = words[i]
        .text
        .trim_start_matches(|c: char| !c.is_alphanumeric());
    let mut chars = text.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    if !first.is_uppercase() {
        return false;
    }
    let letters: Vec<char> = text.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.len() < 2 || letters.iter().all(|c| c.is_uppercase()) {
        return false;
    }
    if matches!(key(text).as_str(), "i" | "i'm" | "i'll" | "i've" | "i'd") {
        return false;
    }
    let sentence_start = i == 0
        || words[i - 1]
            .text
            .trim_end_matches(['"', '\'', '”', '’', ')'])
            .ends_with(['.', '!', '?', ':', '…']);
    !sentence_start
}

/// A small fixed table: the same word always gets the same emoji, and only words whose
/// meaning the emoji says plainly.
const EMOJI: &[(&str, &str)] = &[
    ("money", "💰"),
    ("cash", "💵"),
    ("rich", "💰"),
    ("fire", "🔥"),
    ("hot", "🔥"),
    ("love", "❤️"),
    ("heart", "❤️"),
    ("idea", "💡"),
    ("time", "⏰"),
    ("win", "🏆"),
    ("winner", "🏆"),
    ("secret", "🤫"),
    ("secrets", "🤫"),
    ("growth", "📈"),
    ("grow", "📈"),
    ("rocket", "🚀"),
    ("fast", "🚀"),
    ("food", "🍔"),
    ("music", "🎵"),
    ("phone", "📱"),
    ("laugh", "😂"),
    ("funny", "😂"),
    ("mistake", "❌"),
    ("wrong", "❌"),
    ("right", "✅"),
    ("yes", "✅"),
    ("world", "🌍"),
    ("think", "🤔"),
    ("crazy", "🤯"),
    ("insane", "🤯"),
];

/// The emoji for a word, if the table has one.
pub fn emoji_for(text: &str) -> Option<&'static str> {
    let k = key(text);
    EMOJI.iter().find(|(w, _)| *w == k).map(|(_, e)| *e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<Word> {
        text.split_whitespace()
            .enumerate()
            .map(|(i, t)| Word {
                start: i as f64 * 0.3,
                end: i as f64 * 0.3 + 0.25,
                text: t.into(),
                probability: 1.0,
            })
            .collect()
    }

    fn marked(text: &str, hooks: &[&str]) -> Vec<String> {
        let w = words(text);
        let ctx = CaptionContext {
            hook_words: hooks.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        };
        w.iter()
            .zip(keywords(&w, &ctx))
            .filter(|(_, k)| *k)
            .map(|(w, _)| w.text.clone())
            .collect()
    }

    #[test]
    fn numbers_names_and_hook_words() {
        assert_eq!(
            marked(
                "So I met Elon in Paris. He said the secret is 100,000 hours, not three.",
                &["secret"]
            ),
            ["Elon", "Paris.", "secret", "100,000", "three."]
        );
        // Sentence starts, "I" and shouting are not names.
        assert!(marked("Yes. I think THIS IS BIG", &[]).is_empty());
        // Case-insensitive hook words, punctuation ignored.
        assert_eq!(marked("the Truth! hurts", &["truth"]), ["Truth!"]);
        // Scripts without case: only numbers and hook words.
        assert_eq!(marked("你好 2024年 世界", &["世界"]), ["2024年", "世界"]);
    }

    #[test]
    fn emoji_table_is_deterministic_and_sparse() {
        assert_eq!(emoji_for("MONEY,"), Some("💰"));
        assert_eq!(emoji_for("money"), emoji_for("Money!"));
        assert_eq!(emoji_for("the"), None);
        // Every entry is a distinct word.
        let mut keys: Vec<&str> = EMOJI.iter().map(|(w, _)| *w).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), EMOJI.len());
        assert!(EMOJI
            .iter()
            .all(|(_, e)| e.chars().any(super::super::script::is_emoji)));
    }
}
