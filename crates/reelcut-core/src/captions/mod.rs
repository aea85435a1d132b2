//! Animated captions: a clip's words (from [`crate::transcript::words_in`]) become an ASS
//! script in a named or file-defined [`CaptionStyle`], sized for the output frame and kept
//! inside the area phone apps leave free. The render engine burns the script in with libass.
//!
//! - `style`: the look (presets "karaoke", "pop", "boxed", "lower-third", "word-pop",
//!   "word-box"; style files)
//! - `layout`: safe area, width estimates, grouping words into captions and lines
//! - `emphasis`: keywords (numbers, names, hook words) and their emoji
//! - `script`: the bundled font per writing system, right-to-left lines, emoji libass
//!   cannot draw
//! - `ass`: escaping and writing the ASS script

mod ass;
mod emphasis;
mod layout;
mod script;
mod style;

pub use ass::{caption_lines, escape, render_ass, render_ass_with, CaptionLines};
pub use emphasis::{emoji_for, keywords, CaptionContext};
pub use layout::{safe_area, text_width, SafeArea, HOLD_S, MAX_SILENT_SHOWN_S, PAUSE_S};
pub use script::{dominant_script, is_emoji, script_of, strip_emoji, Script};
pub use style::{
    ActiveWord, Align, Animation, CaptionError, CaptionStyle, Colour, StyleFormat, PRESET_NAMES,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::OutputSize;
    use crate::transcript::Word;

    /// A clip's words as whisper would time them: a pause after "days.", a number, and
    /// characters that mean something to ASS.
    fn sample_words() -> Vec<Word> {
        let spoken = [
            ("This", 0.00, 0.22),
            ("is", 0.22, 0.34),
            ("how", 0.34, 0.55),
            ("you", 0.55, 0.70),
            ("grow", 0.70, 1.02),
            ("from", 1.02, 1.20),
            ("zero", 1.20, 1.52),
            ("to", 1.52, 1.62),
            ("100,000", 1.62, 2.40),
            ("followers", 2.40, 2.95),
            ("in", 2.95, 3.05),
            ("30", 3.05, 3.40),
            ("days.", 3.40, 3.90),
            // 0.9 s pause.
            ("No", 4.80, 5.00),
            ("{tricks}", 5.00, 5.50),
            ("needed.", 5.50, 6.10),
        ];
        spoken
            .iter()
            .map(|&(text, start, end)| Word {
                start,
                end,
                text: text.into(),
                probability: 0.9,
            })
            .collect()
    }

    const VERTICAL: OutputSize = OutputSize {
        width: 1080,
        height: 1920,
    };

    #[test]
    fn snapshot_karaoke() {
        let style = CaptionStyle::named("karaoke").unwrap();
        insta::assert_snapshot!("karaoke", render_ass(&sample_words(), VERTICAL, &style));
    }

    #[test]
    fn snapshot_pop() {
        let style = CaptionStyle::named("pop").unwrap();
        insta::assert_snapshot!("pop", render_ass(&sample_words(), VERTICAL, &style));
    }

    #[test]
    fn snapshot_boxed() {
        let style = CaptionStyle::named("boxed").unwrap();
        insta::assert_snapshot!("boxed", render_ass(&sample_words(), VERTICAL, &style));
    }

    #[test]
    fn snapshot_lower_third() {
        let style = CaptionStyle::named("lower-third").unwrap();
        insta::assert_snapshot!("lower_third", render_ass(&sample_words(), VERTICAL, &style));
    }

    #[test]
    fn snapshot_karaoke_landscape() {
        let style = CaptionStyle::named("karaoke").unwrap();
        let size = OutputSize {
            width: 1920,
            height: 1080,
        };
        insta::assert_snapshot!("karaoke_16x9", render_ass(&sample_words(), size, &style));
    }

    /// The selection scored "grow" and "followers" as the hook (a name, "Maya", is found by
    /// its case).
    fn hook_context() -> CaptionContext {
        CaptionContext {
            hook_words: vec!["grow".into(), "followers".into()],
            emoji_font: None,
        }
    }

    fn named_words() -> Vec<Word> {
        let mut w = sample_words();
        w[3].text = "Maya".into();
        w
    }

    #[test]
    fn snapshot_word_pop() {
        let style = CaptionStyle::named("word-pop").unwrap();
        insta::assert_snapshot!(
            "word_pop",
            render_ass_with(&named_words(), VERTICAL, &style, &hook_context())
        );
    }

    #[test]
    fn snapshot_word_box() {
        let style = CaptionStyle::named("word-box").unwrap();
        insta::assert_snapshot!(
            "word_box",
            render_ass_with(&named_words(), VERTICAL, &style, &hook_context())
        );
    }

    fn timed(texts: &[&str]) -> Vec<Word> {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| Word {
                start: i as f64 * 0.4,
                end: i as f64 * 0.4 + 0.35,
                text: (*t).into(),
                probability: 0.9,
            })
            .collect()
    }

    #[test]
    fn snapshot_scripts() {
        // Chinese (no spaces between words), Arabic (right to left, a Latin word and a
        // number inside), Hindi, Russian (Montserrat has Cyrillic: no font change).
        let style = CaptionStyle::named("karaoke").unwrap();
        let mut all = String::new();
        for words in [
            timed(&["我们", "今天", "学习", "中文。"]),
            timed(&["مرحبا", "بكم", "في", "iPhone", "15"]),
            timed(&["नमस्ते", "दुनिया"]),
            timed(&["Привет", "мир"]),
        ] {
            all.push_str(&render_ass(&words, VERTICAL, &style));
        }
        insta::assert_snapshot!("scripts", all);
    }

    fn dialogues(ass: &str) -> Vec<&str> {
        ass.lines().filter(|l| l.starts_with("Dialogue:")).collect()
    }

    /// A Dialogue's text with override blocks removed.
    fn plain(dialogue: &str) -> String {
        let text = dialogue.splitn(10, ',').nth(9).unwrap();
        let mut out = String::new();
        let mut depth = 0;
        for c in text.chars() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                c if depth == 0 => out.push(c),
                _ => {}
            }
        }
        out
    }

    #[test]
    fn each_script_gets_its_font_and_arabic_lines_read_right_to_left() {
        let style = CaptionStyle::named("karaoke").unwrap();
        let ass = render_ass(&timed(&["我们", "今天", "学习"]), VERTICAL, &style);
        let d = dialogues(&ass);
        assert!(
            d.iter().all(|l| l.contains("{\\fnNoto Sans CJK SC}")),
            "{ass}"
        );
        assert_eq!(
            plain(d[0]),
            "我们今天学习",
            "no spaces between Chinese words"
        );

        let ass = render_ass(&timed(&["مرحبا", "بكم", "iPhone", "15"]), VERTICAL, &style);
        for l in dialogues(&ass) {
            // Automatic base direction, a right-to-left mark opening the line, the Arabic
            // face at 1.35 times the size (it draws small), then the style's font and size
            // for the Latin line.
            assert!(
                l.contains(",,{\\fe-1}\u{200F}{\\fnNoto Sans Arabic\\fs124.2}"),
                "{l}"
            );
            assert!(plain(l).ends_with("\\NIPHONE 15"), "{l}");
            assert!(l.contains("\\N{\\fnMontserrat\\fs92}"), "{l}");
        }
        // Latin and Cyrillic: the style's font alone, no direction tags.
        for words in [timed(&["Привет", "мир"]), sample_words()] {
            let ass = render_ass(&words, VERTICAL, &style);
            assert!(!ass.contains("\\fn") && !ass.contains("\\fe"), "{ass}");
        }
    }

    #[test]
    fn emoji_never_reach_libass_when_it_cannot_draw_them() {
        let mut words = timed(&["make", "money💰", "🔥", "fast"]);
        words[0].text = "Make".into();
        let style = CaptionStyle {
            emoji: true,
            ..CaptionStyle::named("word-pop").unwrap()
        };
        // The bundled fonts draw no emoji: none are added, and the words' own are removed
        // (a word that was only an emoji is gone).
        let ass = render_ass_with(&words, VERTICAL, &style, &hook_context());
        assert!(!ass.chars().any(is_emoji), "{ass}");
        assert_eq!(plain(dialogues(&ass)[0]), "MAKE MONEY FAST");
        assert_eq!(dialogues(&ass).len(), 3);
        // With a renderer that can draw them, keywords that have one get it.
        let ctx = CaptionContext {
            hook_words: vec!["money".into()],
            emoji_font: Some("Emoji Font".into()),
        };
        let ass = render_ass_with(&words, VERTICAL, &style, &ctx);
        assert!(
            dialogues(&ass)[0].contains(" {\\fnEmoji Font}💰{\\fnMontserrat Black}"),
            "{ass}"
        );
        assert_eq!(
            ass.matches('💰').count(),
            3,
            "once per event of the caption"
        );
        // Off (the default): none, even with the font.
        let plain_style = CaptionStyle {
            emoji: false,
            ..style
        };
        assert!(!render_ass_with(&words, VERTICAL, &plain_style, &ctx)
            .chars()
            .any(is_emoji));
    }

    #[test]
    fn keywords_are_emphasised_and_the_spoken_word_pops_then_settles() {
        let style = CaptionStyle::named("word-pop").unwrap();
        let ass = render_ass_with(&named_words(), VERTICAL, &style, &hook_context());
        let d = dialogues(&ass);
        // Event 0 lights "THIS" (yellow) and pops it: up to 125 %, back to 100 %.
        assert!(
            d[0].contains("{\\1c&H35E1FF&\\1a&H00&\\fscx100\\fscy100\\t(0,80,\\fscx125\\fscy125)\\t(80,200,\\fscx100\\fscy100)}THIS{\\1c&HFFFFFF&\\1a&H00&\\fscx100\\fscy100}"),
            "{}",
            d[0]
        );
        // Keywords in green at 112 %: the name, the hook words, the numbers.
        let green = "{\\1c&H78FF5C&\\1a&H00&\\fscx112\\fscy112}";
        for key in ["MAYA", "GROW", "100,000", "FOLLOWERS", "30"] {
            assert!(
                d.iter().any(|l| l.contains(&format!("{green}{key}{{"))),
                "{key} not emphasised in {ass}"
            );
        }
        for not_key in ["HOW", "FROM", "DAYS."] {
            assert!(!ass.contains(&format!("{green}{not_key}")), "{not_key}");
        }
    }

    #[test]
    fn word_box_draws_one_box_under_the_spoken_word_only() {
        let style = CaptionStyle::named("word-box").unwrap();
        let ass = render_ass_with(&named_words(), VERTICAL, &style, &hook_context());
        assert!(ass.contains("\nStyle: Box,Montserrat,86,"), "{ass}");
        let d = dialogues(&ass);
        let boxes: Vec<&&str> = d.iter().filter(|l| l.contains(",Box,")).collect();
        let texts: Vec<&&str> = d.iter().filter(|l| l.contains(",Caption,")).collect();
        assert_eq!(boxes.len(), named_words().len());
        assert_eq!(texts.len(), boxes.len());
        for (b, t) in boxes.iter().zip(&texts) {
            // Under the text, at the same time, the same glyphs, one opaque box.
            assert!(b.starts_with("Dialogue: 0,") && t.starts_with("Dialogue: 1,"));
            assert_eq!(b[12..34], t[12..34]);
            assert_eq!(plain(b), plain(t));
            assert_eq!(b.matches("\\3a&H00&").count(), 1, "{b}");
            assert!(b.contains("\\1a&HFF&\\3a&HFF&\\4a&HFF&"), "{b}");
        }
    }

    #[test]
    fn a_shown_caption_never_changes_but_for_its_highlight() {
        // Consecutive events of one caption have the same words on the same lines: the
        // plain texts of the events form runs, one per caption, that never come back.
        for name in PRESET_NAMES {
            let style = CaptionStyle::named(name).unwrap();
            let ass = render_ass_with(&named_words(), VERTICAL, &style, &hook_context());
            let texts: Vec<String> = dialogues(&ass)
                .iter()
                .filter(|l| l.contains(",Caption,"))
                .map(|l| plain(l))
                .collect();
            let mut runs: Vec<&String> = Vec::new();
            for t in &texts {
                if runs.last() != Some(&t) {
                    assert!(!runs.contains(&t), "{name}: {t:?} shown again later");
                    runs.push(t);
                }
            }
            let spoken: usize = runs.iter().map(|r| r.split([' ', '\\']).count()).sum();
            assert!(spoken >= named_words().len(), "{name}: {runs:?}");
        }
    }

    #[test]
    fn karaoke_lights_exactly_one_word_per_event_and_covers_the_speech() {
        let style = CaptionStyle::named("karaoke").unwrap();
        let ass = render_ass(&sample_words(), VERTICAL, &style);
        let events: Vec<&str> = ass.lines().filter(|l| l.starts_with("Dialogue:")).collect();
        assert_eq!(events.len(), sample_words().len());
        for e in &events {
            assert_eq!(e.matches("\\1c&H35E1FF&").count(), 1, "{e}");
        }
        // No event spans the pause: the caption before it ends HOLD_S after "days.".
        assert!(
            events[12].starts_with("Dialogue: 0,0:00:03.40,0:00:04.40,"),
            "{}",
            events[12]
        );
        assert!(
            events[13].starts_with("Dialogue: 0,0:00:04.80,"),
            "{}",
            events[13]
        );
    }
}
