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

pub use ass::{escape, render_ass, render_ass_with};
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
