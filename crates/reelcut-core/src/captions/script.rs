//! Writing systems in captions: which bundled font draws a word (Montserrat has Latin and
//! Cyrillic only; a word in another script gets a Noto face, or libass would draw empty
//! boxes or nothing), which lines read right to left, which scripts put no spaces between
//! words, and which characters libass cannot draw at all (emoji).
//!
//! Chosen by Unicode block, not by the transcript's language: a Chinese transcript quotes
//! English names and an English one quotes Arabic.

/// A script that needs its own font or layout rule. Latin, Cyrillic, digits and
/// punctuation are drawn by the style's own font and have no entry here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Script {
    Arabic,
    Hebrew,
    Devanagari,
    Greek,
    /// Han ideographs with no kana around them: Chinese.
    Han,
    /// Hiragana or katakana: Japanese (Han in the same word takes the Japanese forms).
    Kana,
    Hangul,
}

impl Script {
    /// The family of the bundled Noto face that draws this script (files in
    /// `assets/fonts`, fetched by scripts/setup.sh). One CJK collection serves Chinese,
    /// Japanese and Korean; the family picks the region's glyph forms.
    pub fn font(self) -> &'static str {
        match self {
            Script::Arabic => "Noto Sans Arabic",
            Script::Hebrew => "Noto Sans Hebrew",
            Script::Devanagari => "Noto Sans Devanagari",
            Script::Greek => "Noto Sans",
            Script::Han => "Noto Sans CJK SC",
            Script::Kana => "Noto Sans CJK JP",
            Script::Hangul => "Noto Sans CJK KR",
        }
    }

    pub fn is_rtl(self) -> bool {
        matches!(self, Script::Arabic | Script::Hebrew)
    }

    /// Chinese and Japanese write words without spaces between them.
    pub fn unspaced(self) -> bool {
        matches!(self, Script::Han | Script::Kana)
    }

    /// How much to scale this script's face so it looks as large as Montserrat at the
    /// same ASS size. libass fits a face's win ascent + descent to the size: 1.56 em for
    /// Montserrat, 2.11 for Noto Sans Arabic (its letters came out three quarters as
    /// large: scaled to the same em), 1.36 for Noto Sans and Noto Sans Hebrew (capitals a
    /// sixth taller than Montserrat's: scaled to the same cap height). Noto CJK (1.45) and
    /// Devanagari (1.30) look right as they are beside Montserrat capitals.
    pub fn size_factor(self) -> f64 {
        match self {
            Script::Arabic => 1.35,
            Script::Greek | Script::Hebrew => 0.87,
            Script::Han | Script::Kana | Script::Hangul | Script::Devanagari => 1.0,
        }
    }

    /// Average advance of one character in ems of the style's font size as
    /// [`super::text_width`] counts them (0.62 size units per em, measured on Montserrat),
    /// before [`Script::size_factor`]. Measured on libass renders at size 92: Noto CJK's
    /// ascent + descent is 1.45 em, so an ideograph (1 em wide) is 0.69 of the ASS size,
    /// 1.11 here ("我们今天" 249 px, estimated 263); Arabic letters join and are narrow
    /// ("مرحبا بكم في" 328 px); Devanagari counts its vowel signs and viramas as
    /// characters ("नमस्ते दुनिया" 374 px).
    pub(crate) fn char_ems(self) -> f64 {
        match self {
            Script::Han | Script::Kana | Script::Hangul => 1.11,
            Script::Arabic => 0.37,
            Script::Hebrew | Script::Greek => 0.62,
            Script::Devanagari => 0.5,
        }
    }
}

/// The script of one character, None for those the style's font draws (Latin, Cyrillic)
/// and for neutral ones (digits, punctuation, spaces, marks) that go with their neighbours.
pub fn script_of(c: char) -> Option<Script> {
    let u = c as u32;
    Some(match u {
        0x0370..=0x03FF | 0x1F00..=0x1FFF => Script::Greek,
        0x0590..=0x05FF | 0xFB1D..=0xFB4F => Script::Hebrew,
        0x0600..=0x06FF | 0x0750..=0x077F | 0x08A0..=0x08FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => {
            // Arabic-Indic digits and punctuation still belong to Arabic text.
            Script::Arabic
        }
        0x0900..=0x097F | 0xA8E0..=0xA8FF => Script::Devanagari,
        0x3040..=0x30FF | 0x31F0..=0x31FF | 0xFF66..=0xFF9F => Script::Kana,
        0x1100..=0x11FF | 0x3130..=0x318F | 0xAC00..=0xD7AF => Script::Hangul,
        0x2E80..=0x2FDF
        | 0x3000..=0x303F
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xF900..=0xFAFF
        | 0xFF00..=0xFF65
        | 0x20000..=0x3134F => Script::Han,
        _ => return None,
    })
}

/// The script that decides a run of text's font: the most frequent one among its
/// characters, kana winning over Han (Japanese mixes both), None when the style's font
/// draws all of it.
pub fn dominant_script(text: &str) -> Option<Script> {
    let mut counts: Vec<(Script, usize)> = Vec::new();
    for s in text.chars().filter_map(script_of) {
        match counts.iter_mut().find(|(k, _)| *k == s) {
            Some((_, n)) => *n += 1,
            None => counts.push((s, 1)),
        }
    }
    if counts.iter().any(|(s, _)| *s == Script::Kana) {
        return Some(Script::Kana);
    }
    // Ties go to the first seen: deterministic for a given text.
    let mut best: Option<(Script, usize)> = None;
    for (s, n) in counts {
        if best.is_none_or(|(_, b)| n > b) {
            best = Some((s, n));
        }
    }
    best.map(|(s, _)| s)
}

/// Characters libass cannot draw with any bundled font: emoji pictographs, their
/// modifiers and joiners, regional-indicator flags. Measured with libass 0.17.1 (Debian
/// 12): Noto Color Emoji has only colour bitmaps (CBDT), which libass does not draw, and
/// Symbola, whose outlines cover U+1F300..1F6D4, was reported "failed to find any
/// fallback with glyph 0x1F4B0" (libass takes the font's BMP cmap), then drawn as boxes.
pub fn is_emoji(c: char) -> bool {
    let u = c as u32;
    matches!(u,
        0x1F000..=0x1FAFF   // pictographs, emoticons, transport, symbols, flags
        | 0x231A..=0x231B   // watch, hourglass
        | 0x23E9..=0x23FA   // media buttons, alarm clock, timers
        | 0x2600..=0x27BF   // miscellaneous symbols, dingbats
        | 0x2B00..=0x2BFF   // arrows and stars used as emoji
        | 0xFE0E..=0xFE0F   // text/emoji presentation selectors
        | 0x200D            // zero-width joiner of emoji sequences
        | 0x20E3            // combining keycap
        | 0xE0020..=0xE007F // tag characters (subdivision flags)
    )
}

/// `text` without the characters of [`is_emoji`]: a transcript or a user's words with
/// emoji must not reach libass, which would draw boxes in their place.
pub fn strip_emoji(text: &str) -> String {
    text.chars().filter(|c| !is_emoji(*c)).collect()
}

/// Whether two neighbouring words are written without a space between them: both sides
/// in a script that does not space words (Chinese, Japanese), or CJK punctuation.
pub fn joins_without_space(before: &str, after: &str) -> bool {
    let unspaced = |c: Option<char>| c.and_then(script_of).is_some_and(Script::unspaced);
    unspaced(before.chars().last()) && unspaced(after.chars().next())
}

/// Right-to-left mark: makes libass (with `\fe-1`, automatic base direction) lay out a
/// line right to left even when it opens with a Latin word or a number.
pub const RLM: char = '\u{200F}';

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_by_block() {
        assert_eq!(dominant_script("HELLO"), None);
        assert_eq!(dominant_script("Привет"), None, "Montserrat draws Cyrillic");
        assert_eq!(dominant_script("你好"), Some(Script::Han));
        assert_eq!(dominant_script("こんにちは世界"), Some(Script::Kana));
        assert_eq!(dominant_script("안녕하세요"), Some(Script::Hangul));
        assert_eq!(dominant_script("مرحبا"), Some(Script::Arabic));
        assert_eq!(dominant_script("שלום"), Some(Script::Hebrew));
        assert_eq!(dominant_script("नमस्ते"), Some(Script::Devanagari));
        assert_eq!(dominant_script("Αθήνα"), Some(Script::Greek));
        // Neutral characters go with the rest.
        assert_eq!(dominant_script("2024年"), Some(Script::Han));
        assert_eq!(dominant_script("«١٢٣»"), Some(Script::Arabic));
        assert_eq!(dominant_script("100,000!"), None);
        // A Latin name in an Arabic word run does not flip it.
        assert_eq!(dominant_script("iPhone مرحبا"), Some(Script::Arabic));
    }

    #[test]
    fn direction_and_spacing() {
        assert!(Script::Arabic.is_rtl() && Script::Hebrew.is_rtl());
        assert!(!Script::Han.is_rtl());
        assert!(Script::Han.unspaced() && Script::Kana.unspaced());
        assert!(
            !Script::Hangul.unspaced(),
            "Korean puts spaces between words"
        );
    }

    #[test]
    fn chinese_words_join_without_spaces() {
        assert!(joins_without_space("你好", "世界"));
        assert!(joins_without_space("世界", "。"));
        assert!(!joins_without_space("你好", "OK"));
        assert!(!joins_without_space("안녕", "하세요"));
        assert!(!joins_without_space("hello", "world"));
    }

    #[test]
    fn emoji_are_stripped_and_nothing_else() {
        assert_eq!(strip_emoji("MONEY💰🔥"), "MONEY");
        assert_eq!(strip_emoji("👍🏽ok❤️"), "ok");
        assert_eq!(strip_emoji("👨‍👩‍👧"), "");
        assert_eq!(strip_emoji("🇫🇷France"), "France");
        let kept = "Größe 你好 مرحبا 100% — «ok» №5";
        assert_eq!(strip_emoji(kept), kept);
    }
}
