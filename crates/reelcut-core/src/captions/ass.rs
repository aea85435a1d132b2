//! Writing captions as an ASS script for libass (ffmpeg's `subtitles`/`ass` filters): the
//! header with one style, then Dialogue events per caption, per word for karaoke and pop.

use std::fmt::Write;

use super::emphasis::{emoji_for, keywords, CaptionContext};
use super::layout::{layout, safe_area, style_scale, Caption, LineBreaker, VERTICAL_SAFE_BOTTOM};
use super::script::{dominant_script, strip_emoji, Script, RLM};
use super::style::{ActiveWord, Align, Animation, CaptionStyle, Colour};
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

/// The spoken word's pop in karaoke ([`ActiveWord::Pop`]): up to this size, then back to
/// its own, so the line it sits in is the same before and after.
const WORD_POP_PEAK: f64 = 125.0;
const WORD_POP_UP_MS: u32 = 80;
const WORD_POP_SETTLE_MS: u32 = 200;
/// The box behind the spoken word ([`ActiveWord::Box`]) reaches this far past its glyphs,
/// as a share of the font size.
const WORD_BOX_PAD: f64 = 0.14;
/// An emoji's advance in [`text_width`] ems (a square glyph plus its space).
const EMOJI_EMS: f64 = 1.6;

const TRANSPARENT: &str = "&HFF&";
const OPAQUE: &str = "&H00&";

/// The words as they will be shown (emoji out, case as the style says), which are
/// emphasised, and the room they have: what both the ASS script and the caption list work
/// from.
struct Prepared {
    words: Vec<Word>,
    keys: Vec<bool>,
    emoji: Vec<Option<&'static str>>,
    texts: Vec<String>,
    scales: Vec<f64>,
    extra: Vec<f64>,
    font_size: f64,
    outline: f64,
    shadow: f64,
    margin_l: u32,
    margin_r: u32,
    margin_v: u32,
    max_width: f64,
}

impl Prepared {
    /// Where lines break: the words' widths in the style's font, emphasis and emoji included.
    fn breaker<'s>(&self, style: &'s CaptionStyle) -> LineBreaker<'s> {
        LineBreaker::new(&self.texts, style, self.font_size, self.max_width)
            .adjusted(&self.scales, &self.extra)
    }
}

fn prepare(
    words: &[Word],
    size: OutputSize,
    style: &CaptionStyle,
    context: &CaptionContext,
) -> Prepared {
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

    // Emoji in the words themselves would be drawn as boxes: out before anything else.
    let words: Vec<Word> = words
        .iter()
        .filter_map(|w| {
            let text = strip_emoji(&w.text);
            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
            (!text.is_empty()).then(|| Word { text, ..w.clone() })
        })
        .collect();
    // Names are told by their case: before the style upper-cases them.
    let keys = match style.emphasis_colour {
        Some(_) => keywords(&words, context),
        None => vec![false; words.len()],
    };
    let words: Vec<Word> = words
        .into_iter()
        .map(|w| Word {
            text: if style.uppercase {
                w.text.to_uppercase()
            } else {
                w.text.clone()
            },
            ..w
        })
        .collect();
    let emoji: Vec<Option<&'static str>> = words
        .iter()
        .zip(&keys)
        .map(|(w, &k)| {
            (style.emoji && k && context.emoji_font.is_some())
                .then(|| emoji_for(&w.text))
                .flatten()
        })
        .collect();
    let texts: Vec<String> = words.iter().map(|w| w.text.clone()).collect();
    let scales: Vec<f64> = keys
        .iter()
        .map(|&k| if k { style.emphasis_scale / 100.0 } else { 1.0 })
        .collect();
    let extra: Vec<f64> = emoji
        .iter()
        .map(|e| match e {
            Some(_) => EMOJI_EMS * font_size * 0.62,
            None => 0.0,
        })
        .collect();
    Prepared {
        words,
        keys,
        emoji,
        texts,
        scales,
        extra,
        font_size,
        outline,
        shadow,
        margin_l,
        margin_r,
        margin_v,
        max_width,
    }
}

/// One caption as shown: its time (the clip's) and its lines.
#[derive(Debug, Clone, PartialEq)]
pub struct CaptionLines {
    pub start: f64,
    pub end: f64,
    pub lines: Vec<String>,
    /// Its words, clip time, as shown.
    pub words: Vec<Word>,
}

/// Words as one line of text: spaced, except where the script writes none (Chinese).
fn join_words(words: &[String]) -> String {
    let mut out = String::new();
    for (i, w) in words.iter().enumerate() {
        if i > 0 && !super::script::joins_without_space(&words[i - 1], w) {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// The captions [`render_ass_with`] shows for `words`, as text: for exports that carry the
/// captions as an editable track.
pub fn caption_lines(
    words: &[Word],
    size: OutputSize,
    style: &CaptionStyle,
    context: &CaptionContext,
) -> Vec<CaptionLines> {
    let p = prepare(words, size, style, context);
    layout(&p.words, &p.breaker(style))
        .into_iter()
        .map(|c| CaptionLines {
            start: c.start,
            end: c.end,
            lines: c
                .lines
                .iter()
                .map(|r| join_words(&p.texts[r.clone()]))
                .collect(),
            words: p.words[c.words.clone()].to_vec(),
        })
        .collect()
}

/// An ASS script that burns `words` (clip time, see [`crate::transcript::words_in`]) into a
/// `size` frame in `style`.
pub fn render_ass(words: &[Word], size: OutputSize, style: &CaptionStyle) -> String {
    render_ass_with(words, size, style, &CaptionContext::default())
}

/// [`render_ass`] with what is known of the clip beyond its words: the hook words to
/// emphasise, and whether emoji can be drawn.
pub fn render_ass_with(
    words: &[Word],
    size: OutputSize,
    style: &CaptionStyle,
    context: &CaptionContext,
) -> String {
    let p = prepare(words, size, style, context);
    let breaker = p.breaker(style);
    let captions = layout(&p.words, &breaker);
    let word_box = style.animation == Animation::Karaoke && style.active_word == ActiveWord::Box;

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
        "Style: Caption,{},{},{},{},{},{},{},0,0,0,100,100,0,0,{},{},{},{},{},{},{},1",
        field(&style.font),
        num(p.font_size),
        style.primary_colour.ass(),
        style.highlight_colour.ass(),
        outline_colour.ass(),
        style.back_colour.ass(),
        if style.bold { -1 } else { 0 },
        border_style,
        num(p.outline),
        num(p.shadow),
        alignment,
        p.margin_l,
        p.margin_r,
        p.margin_v,
    );
    if word_box {
        // The same font, size and margins as Caption, so its glyphs land where Caption's
        // do; its text is transparent and only the spoken word's box is opaque. libass
        // draws one box per run of same-coloured glyphs.
        let box_colour = style.highlight_colour;
        let _ = writeln!(
            out,
            "Style: Box,{},{},{},{},{},{},{},0,0,0,100,100,0,0,3,{},0,{},{},{},{},1",
            field(&style.font),
            num(p.font_size),
            style.primary_colour.ass(),
            style.highlight_colour.ass(),
            box_colour.ass(),
            box_colour.ass(),
            if style.bold { -1 } else { 0 },
            num(p.font_size * WORD_BOX_PAD),
            alignment,
            p.margin_l,
            p.margin_r,
            p.margin_v,
        );
    }
    out.push('\n');
    out.push_str("[Events]\n");
    out.push_str(
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n",
    );

    let ctx = Ctx {
        words: &p.words,
        keys: &p.keys,
        emoji: &p.emoji,
        emoji_font: context.emoji_font.as_deref(),
        style,
        font_size: p.font_size,
        breaker: &breaker,
        max_width: p.max_width,
    };
    for cap in &captions {
        for ev in ctx.events(cap) {
            let (start, end) = (
                format_timestamp(ev.start, TimeFormat::Ass),
                format_timestamp(ev.end, TimeFormat::Ass),
            );
            // An event shorter than a centisecond would start and end on the same time.
            if start != end {
                if let Some(boxes) = &ev.boxes {
                    let _ = writeln!(out, "Dialogue: 0,{start},{end},Box,,0,0,0,,{boxes}");
                }
                let layer = u8::from(ev.boxes.is_some());
                let _ = writeln!(
                    out,
                    "Dialogue: {layer},{start},{end},Caption,,0,0,0,,{}",
                    ev.text
                );
            }
        }
    }
    out
}

/// One caption event, and for the word box, the box event drawn under it.
struct Event {
    start: f64,
    end: f64,
    text: String,
    boxes: Option<String>,
}

struct Ctx<'a> {
    words: &'a [Word],
    /// Per word: a keyword to emphasise.
    keys: &'a [bool],
    /// Per word: the emoji drawn after it.
    emoji: &'a [Option<&'static str>],
    emoji_font: Option<&'a str>,
    style: &'a CaptionStyle,
    /// The style's ASS size for this frame.
    font_size: f64,
    breaker: &'a LineBreaker<'a>,
    max_width: f64,
}

/// How a word of a caption's text is drawn.
#[derive(Clone, Copy, PartialEq)]
enum Look {
    Plain,
    /// The spoken word in the highlight colour.
    Lit,
    /// Lit, and popping.
    Pop,
}

/// What a caption text is for: the visible text, or the word box's layer (same glyphs,
/// invisible; only the spoken word's box shows).
#[derive(Clone, Copy, PartialEq)]
enum Pass {
    Text,
    Boxes,
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

    /// The script whose face draws a word: its own, or its line's when it has none
    /// (digits, punctuation in an Arabic line); None: the style's font.
    fn script_of_word(&self, i: usize, line_script: Option<Script>) -> Option<Script> {
        dominant_script(&self.words[i].text).or(line_script)
    }

    /// The caption's text, word `active` (if any) drawn as `look`, at `fit` percent.
    fn text(
        &self,
        cap: &Caption,
        active: Option<usize>,
        look: Look,
        fit: f64,
        pass: Pass,
    ) -> String {
        let style = self.style;
        let base = style.primary_colour;
        let colour = |c: Colour| format!("\\1c{}\\1a{}", c.ass_bgr(), c.ass_alpha());
        let size = |percent: f64| format!("\\fscx{p}\\fscy{p}", p = num(percent));
        let rtl = cap
            .lines
            .iter()
            .any(|l| self.line_script(l.clone()).is_some_and(Script::is_rtl));
        let mut s = String::new();
        match pass {
            Pass::Text if rtl => s.push_str("{\\fe-1}"),
            Pass::Text => {}
            Pass::Boxes => {
                let _ = write!(
                    s,
                    "{{{}\\1a{TRANSPARENT}\\3a{TRANSPARENT}\\4a{TRANSPARENT}}}",
                    if rtl { "\\fe-1" } else { "" }
                );
            }
        }
        if fit < 100.0 {
            let _ = write!(s, "{{{}}}", size(fit));
        }
        // The face in effect: override tags last to the end of the event, across lines.
        let mut face: Option<Script> = None;
        for (n, line) in cap.lines.iter().enumerate() {
            if n > 0 {
                s.push_str("\\N");
            }
            let line_script = self.line_script(line.clone());
            if line_script.is_some_and(Script::is_rtl) {
                // The line's base direction is right to left even if it opens with a
                // Latin word or a number.
                s.push(RLM);
            }
            for i in line.clone() {
                if i > line.start && !self.breaker.unspaced_before(i) {
                    s.push(' ');
                }
                let want = self.script_of_word(i, line_script);
                if want != face {
                    let factor = |f: Option<Script>| f.map_or(1.0, Script::size_factor);
                    let family: &str = match want {
                        Some(script) => script.font(),
                        None => &style.font,
                    };
                    let _ = write!(s, "{{\\fn{family}");
                    // \fs, not \fscx: a pop's scale animation still applies on top.
                    if factor(want) != factor(face) {
                        let _ = write!(s, "\\fs{}", num(self.font_size * factor(want)));
                    }
                    s.push('}');
                    face = want;
                }
                let key = self.keys[i];
                let scaled = key && style.emphasis_scale != 100.0;
                let word_look = if Some(i) == active { look } else { Look::Plain };
                let word_size = fit
                    * if scaled {
                        style.emphasis_scale / 100.0
                    } else {
                        1.0
                    };
                let mut open = String::new();
                let mut close = String::new();
                if pass == Pass::Text {
                    let c = match (word_look, style.emphasis_colour) {
                        (Look::Lit | Look::Pop, _) => Some(style.highlight_colour),
                        (Look::Plain, Some(e)) if key => Some(e),
                        _ => None,
                    };
                    if let Some(c) = c {
                        open.push_str(&colour(c));
                        close.push_str(&colour(base));
                    }
                } else if Some(i) == active {
                    let _ = write!(open, "\\3a{OPAQUE}");
                    let _ = write!(close, "\\3a{TRANSPARENT}");
                }
                if word_look == Look::Pop {
                    let peak = word_size * WORD_POP_PEAK / 100.0;
                    let _ = write!(
                        open,
                        "{}\\t(0,{up},{})\\t({up},{settle},{})",
                        size(word_size),
                        size(peak),
                        size(word_size),
                        up = WORD_POP_UP_MS,
                        settle = WORD_POP_SETTLE_MS,
                    );
                    close.push_str(&size(fit));
                } else if scaled {
                    open.push_str(&size(word_size));
                    close.push_str(&size(fit));
                }
                let word = escape(&self.words[i].text);
                if open.is_empty() {
                    s.push_str(&word);
                } else {
                    let _ = write!(s, "{{{open}}}{word}{{{close}}}");
                }
                if let (Some(e), Some(efont)) = (self.emoji[i], self.emoji_font) {
                    let back: &str = match face {
                        Some(script) => script.font(),
                        None => &style.font,
                    };
                    let _ = write!(s, " {{\\fn{efont}}}{e}{{\\fn{back}}}");
                }
            }
        }
        s
    }

    fn line_script(&self, line: std::ops::Range<usize>) -> Option<Script> {
        let text: String = self.words[line]
            .iter()
            .map(|w| w.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        dominant_script(&text)
    }

    fn events(&self, cap: &Caption) -> Vec<Event> {
        let plain = |start: f64, end: f64, text: String| Event {
            start,
            end,
            text,
            boxes: None,
        };
        match self.style.animation {
            Animation::Static => {
                let fit = self.fit_percent(cap, 1.0);
                vec![plain(
                    cap.start,
                    cap.end,
                    self.text(cap, None, Look::Plain, fit, Pass::Text),
                )]
            }
            Animation::Karaoke => {
                // One event per word, each showing the whole caption with that word lit, so
                // exactly one word is highlighted at a time and the lines never move.
                let fit = self.fit_percent(cap, 1.0);
                let look = match self.style.active_word {
                    ActiveWord::Pop => Look::Pop,
                    ActiveWord::Colour | ActiveWord::Box => Look::Lit,
                };
                let boxed = self.style.active_word == ActiveWord::Box;
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
                        // The word box keeps the text white: the box is the highlight.
                        let text_look = if boxed { Look::Plain } else { look };
                        Event {
                            start,
                            end: end.max(start),
                            text: self.text(cap, Some(i), text_look, fit, Pass::Text),
                            boxes: boxed.then(|| self.text(cap, Some(i), look, fit, Pass::Boxes)),
                        }
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
                // The whole word pops at once: its own scale tags would undo the pop's.
                let text = self.text(cap, None, Look::Plain, 100.0, Pass::Text);
                let text = if has_digit {
                    let hl = self.style.highlight_colour;
                    format!("{{\\1c{}\\1a{}}}{}", hl.ass_bgr(), hl.ass_alpha(), text)
                } else {
                    text
                };
                vec![plain(cap.start, cap.end, format!("{pop}{text}"))]
            }
        }
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
