//! Writing captions as an ASS script for libass (ffmpeg's `subtitles`/`ass` filters): the
//! header with one style, then Dialogue events per caption, per word for karaoke and pop.

use std::fmt::Write;

use super::layout::{layout, safe_area, style_scale, Caption, LineBreaker, VERTICAL_SAFE_BOTTOM};
use super::style::{Align, Animation, CaptionStyle};
use crate::geometry::OutputSize;
use crate::timecode::{format_timestamp, TimeFormat};
use crate::transcript::Word;

/// Escapes transcript text so libass shows it literally. `{`/`}` would open/close an
/// override block: libass reads `\{` and `\}` as literal braces. A backslash would turn a
/// following N, n or h into a line break or hard space: a word joiner (U+2060, zero width,
/// invisible) after it breaks the pair. Line breaks and tabs become spaces: line breaking
/// is ours to decide.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\u{2060}"),
            '{' => out.push_str("\\{"),
            '}' => out.push_str("\\}"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A number for an ASS field: at most two decimals, no trailing zeros.
fn num(v: f64) -> String {
    let s = format!("{:.2}", v);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Pop scales each word in from this size, overshoots, then settles (percent).
const POP_FROM: f64 = 60.0;
const POP_PEAK: f64 = 112.0;
const POP_IN_MS: u32 = 90;
const POP_SETTLE_MS: u32 = 170;

/// An ASS script that burns `words` (clip time, see [`crate::transcript::words_in`]) into a
/// `size` frame in `style`.
pub fn render_ass(words: &[Word], size: OutputSize, style: &CaptionStyle) -> String {
    let scale = style_scale(size);
    let font_size = style.size * scale;
    let outline = style.outline * scale;
    let shadow = style.shadow * scale;
    let safe = safe_area(size, style.align);
    // Outline (or box padding) and shadow draw outside the glyphs; keep them inside too.
    let pad = (outline + shadow).ceil() as u32;
    let margin_l = safe.left + pad;
    let margin_r = safe.right + pad;
    // Styles place captions for a 9:16 frame: what they ask for above its safe bottom zone
    // is kept above the (smaller) safe zone of other aspects, so a vertical style does not
    // float mid-frame on 16:9.
    let above_safe = (1.0 - style.position - VERTICAL_SAFE_BOTTOM).max(0.0);
    let margin_v = safe.bottom + pad + (size.height as f64 * above_safe).round() as u32;
    let max_width = size.width.saturating_sub(margin_l + margin_r) as f64;

    let words: Vec<Word> = words
        .iter()
        .filter_map(|w| {
            let text = w.text.split_whitespace().collect::<Vec<_>>().join(" ");
            let text = if style.uppercase {
                text.to_uppercase()
            } else {
                text
            };
            (!text.is_empty()).then(|| Word { text, ..w.clone() })
        })
        .collect();
    let texts: Vec<String> = words.iter().map(|w| w.text.clone()).collect();
    let breaker = LineBreaker::new(&texts, style, font_size, max_width);
    let captions = layout(&words, &breaker);

    let alignment = match style.align {
        Align::Left => 1,
        Align::Center => 2,
        Align::Right => 3,
    };
    // BorderStyle 3 draws an opaque box in the outline colour, its shadow in the back colour.
    let (border_style, outline_colour) = if style.boxed {
        (3, style.back_colour)
    } else {
        (1, style.outline_colour)
    };
    let field = |s: &str| s.replace([',', '\n', '\r'], " ");

    let mut out = String::new();
    out.push_str("[Script Info]\n");
    let _ = writeln!(out, "; Reelcut captions, style {}", field(&style.name));
    out.push_str("ScriptType: v4.00+\n");
    let _ = writeln!(out, "PlayResX: {}\nPlayResY: {}", size.width, size.height);
    // 2 = no automatic wrapping: lines are broken here, with \N.
    out.push_str("WrapStyle: 2\nScaledBorderAndShadow: yes\n\n");
    out.push_str("[V4+ Styles]\n");
    out.push_str("Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding\n");
    let _ = writeln!(
        out,
        "Style: Caption,{},{},{},{},{},{},{},0,0,0,100,100,0,0,{},{},{},{},{},{},{},1\n",
        field(&style.font),
        num(font_size),
        style.primary_colour.ass(),
        style.highlight_colour.ass(),
        outline_colour.ass(),
        style.back_colour.ass(),
        if style.bold { -1 } else { 0 },
        border_style,
        num(outline),
        num(shadow),
        alignment,
        margin_l,
        margin_r,
        margin_v,
    );
    out.push_str("[Events]\n");
    out.push_str(
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n",
    );

    let ctx = Ctx {
        words: &words,
        style,
        breaker: &breaker,
        max_width,
    };
    for cap in &captions {
        for (start, end, text) in ctx.events(cap) {
            let (start, end) = (
                format_timestamp(start, TimeFormat::Ass),
                format_timestamp(end, TimeFormat::Ass),
            );
            // An event shorter than a centisecond would start and end on the same time.
            if start != end {
                let _ = writeln!(out, "Dialogue: 0,{start},{end},Caption,,0,0,0,,{text}");
            }
        }
    }
    out
}

struct Ctx<'a> {
    words: &'a [Word],
    style: &'a CaptionStyle,
    breaker: &'a LineBreaker<'a>,
    max_width: f64,
}

impl Ctx<'_> {
    /// Shrinks a caption whose widest line does not fit (a single very long word), by a
    /// percentage for \fscx/\fscy; 100 when it fits.
    fn fit_percent(&self, cap: &Caption, growth: f64) -> f64 {
        let widest = cap
            .lines
            .iter()
            .map(|l| self.breaker.line_width(l.clone()))
            .fold(0.0, f64::max)
            * growth;
        if widest > self.max_width && widest > 0.0 {
            (self.max_width / widest * 100.0).floor()
        } else {
            100.0
        }
    }

    /// The caption's text with word `active` (if any) in the highlight colour.
    fn text(&self, cap: &Caption, active: Option<usize>) -> String {
        let hl = self.style.highlight_colour;
        let base = self.style.primary_colour;
        let mut s = String::new();
        for (n, line) in cap.lines.iter().enumerate() {
            if n > 0 {
                s.push_str("\\N");
            }
            for i in line.clone() {
                if i > line.start {
                    s.push(' ');
                }
                let word = escape(&self.words[i].text);
                if Some(i) == active {
                    let _ = write!(
                        s,
                        "{{\\1c{}\\1a{}}}{}{{\\1c{}\\1a{}}}",
                        hl.ass_bgr(),
                        hl.ass_alpha(),
                        word,
                        base.ass_bgr(),
                        base.ass_alpha()
                    );
                } else {
                    s.push_str(&word);
                }
            }
        }
        s
    }

    fn events(&self, cap: &Caption) -> Vec<(f64, f64, String)> {
        match self.style.animation {
            Animation::Static => {
                let fit = self.fit_percent(cap, 1.0);
                vec![(
                    cap.start,
                    cap.end,
                    format!("{}{}", scale_tag(fit), self.text(cap, None)),
                )]
            }
            Animation::Karaoke => {
                // One event per word, each showing the whole caption with that word lit, so
                // exactly one word is highlighted at a time and the lines never move.
                let fit = self.fit_percent(cap, 1.0);
                cap.words
                    .clone()
                    .map(|i| {
                        let start = if i == cap.words.start {
                            cap.start
                        } else {
                            self.words[i].start
                        };
                        let end = if i + 1 == cap.words.end {
                            cap.end
                        } else {
                            self.words[i + 1].start
                        };
                        (
                            start,
                            end.max(start),
                            format!("{}{}", scale_tag(fit), self.text(cap, Some(i))),
                        )
                    })
                    .collect()
            }
            Animation::Pop => {
                let fit = self.fit_percent(cap, POP_PEAK / 100.0);
                let p = |v: f64| num(v * fit / 100.0);
                let pop = format!(
                    "{{\\fscx{a}\\fscy{a}\\t(0,{t1},\\fscx{b}\\fscy{b})\\t({t1},{t2},\\fscx{c}\\fscy{c})}}",
                    a = p(POP_FROM),
                    b = p(POP_PEAK),
                    c = p(100.0),
                    t1 = POP_IN_MS,
                    t2 = POP_SETTLE_MS,
                );
                // Numbers are what viewers look for: they get the highlight colour.
                let has_digit = self.words[cap.words.clone()]
                    .iter()
                    .any(|w| w.text.chars().any(|c| c.is_ascii_digit()));
                let text = self.text(cap, None);
                let text = if has_digit {
                    let hl = self.style.highlight_colour;
                    format!("{{\\1c{}\\1a{}}}{}", hl.ass_bgr(), hl.ass_alpha(), text)
                } else {
                    text
                };
                vec![(cap.start, cap.end, format!("{pop}{text}"))]
            }
        }
    }
}

fn scale_tag(percent: f64) -> String {
    if percent >= 100.0 {
        String::new()
    } else {
        format!("{{\\fscx{p}\\fscy{p}}}", p = num(percent))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_keeps_text_literal() {
        assert_eq!(escape("a{\\b1}c"), "a\\{\\\u{2060}b1\\}c");
        assert_eq!(escape("line\\Nbreak"), "line\\\u{2060}Nbreak");
        assert_eq!(escape("two\nlines\tand\r"), "two lines and ");
        assert_eq!(escape("plain, text!"), "plain, text!");
        // Nothing that libass would parse survives: no unescaped brace, no \N \n \h.
        let e = escape("{\\N}\\n\\h");
        for bad in ["\\N", "\\n", "\\h"] {
            assert!(!e.contains(bad), "{e:?}");
        }
        assert!(
            !e.replace("\\{", "").replace("\\}", "").contains(['{', '}']),
            "{e:?}"
        );
    }

    #[test]
    fn numbers_format_for_ass() {
        assert_eq!(num(92.0), "92");
        assert_eq!(num(61.333), "61.33");
    }

    #[test]
    fn hostile_words_cannot_inject_tags() {
        let words = vec![
            Word {
                start: 0.0,
                end: 0.5,
                text: "{\\fs200}big".into(),
                probability: 1.0,
            },
            Word {
                start: 0.5,
                end: 1.0,
                text: "\\Nnext".into(),
                probability: 1.0,
            },
        ];
        let size = OutputSize {
            width: 1080,
            height: 1920,
        };
        let ass = render_ass(&words, size, &CaptionStyle::named("boxed").unwrap());
        let dialogue = ass.lines().find(|l| l.starts_with("Dialogue:")).unwrap();
        assert!(
            dialogue.ends_with(",,\\{\\\u{2060}fs200\\}big \\\u{2060}Nnext"),
            "{dialogue:?}"
        );
    }

    #[test]
    fn long_single_word_is_shrunk_to_fit() {
        let words = vec![Word {
            start: 0.0,
            end: 1.0,
            text: "Supercalifragilisticexpialidocious".into(),
            probability: 1.0,
        }];
        let size = OutputSize {
            width: 1080,
            height: 1920,
        };
        let ass = render_ass(&words, size, &CaptionStyle::named("karaoke").unwrap());
        assert!(ass.contains("{\\fscx"), "{ass}");
    }

    #[test]
    fn margins_follow_safe_area_and_scale_with_output() {
        let words = vec![Word {
            start: 0.0,
            end: 1.0,
            text: "hi".into(),
            probability: 1.0,
        }];
        let style = CaptionStyle {
            position: 0.95,
            ..CaptionStyle::named("karaoke").unwrap()
        };
        let ass = render_ass(
            &words,
            OutputSize {
                width: 720,
                height: 1280,
            },
            &style,
        );
        let line = ass.lines().find(|l| l.starts_with("Style: ")).unwrap();
        let f: Vec<&str> = line.split(',').collect();
        // Font 92 * 720/1080; bottom margin: the 20 % safe zone (256) + outline/shadow (6).
        assert_eq!(f[2], "61.33");
        assert_eq!(&f[19..22], ["92", "92", "262"], "{line}");
    }
}
