//! Where captions may go and how a clip's words are grouped into them: the safe area of the
//! frame, text width estimates, and breaking words into captions of at most two lines.

use std::ops::Range;

use super::script::{joins_without_space, script_of};
use super::style::{Align, CaptionStyle};
use crate::geometry::OutputSize;
use crate::transcript::Word;

/// A silence longer than this ends a caption: text should not stay up across a pause, nor
/// show words before they are said.
pub const PAUSE_S: f64 = 0.6;
/// How long a caption stays after its last word when nothing follows at once.
pub const HOLD_S: f64 = 0.5;
/// The promise the two above keep: no caption is on screen for longer than this without one
/// of its words being spoken (a gap inside a caption is at most [`PAUSE_S`]; after its last
/// word it holds [`HOLD_S`]), so a pause of about a second shows nothing.
pub const MAX_SILENT_SHOWN_S: f64 = if PAUSE_S > HOLD_S { PAUSE_S } else { HOLD_S };
const _: () = assert!(
    MAX_SILENT_SHOWN_S < 1.0,
    "a one-second pause must show no caption"
);

/// libass sizes a font so that its ascent + descent (OS/2 win metrics) equal the ASS font
/// size; for Montserrat that is 1.56 em, and measured renders give 0.62 em per size unit.
const EM_PER_SIZE: f64 = 0.62;

/// Share of a vertical frame's height at the bottom that phone apps cover.
pub const VERTICAL_SAFE_BOTTOM: f64 = 0.20;

/// Margins, in output pixels, that captions keep from the frame edges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SafeArea {
    pub left: u32,
    pub right: u32,
    pub bottom: u32,
}

/// Vertical video is watched inside phone apps that draw the caption/description over the
/// bottom ~20 % and the like/comment/share buttons down the right ~12 %. Centred text keeps
/// the same margin on the left so it stays centred on the frame. Other aspects only need
/// the usual title-safe margins.
pub fn safe_area(size: OutputSize, align: Align) -> SafeArea {
    let (w, h) = (size.width as f64, size.height as f64);
    if h / w >= 1.6 {
        let right = (w * 0.12).round() as u32;
        let left = if align == Align::Center {
            right
        } else {
            (w * 0.06).round() as u32
        };
        SafeArea {
            left,
            right,
            bottom: (h * VERTICAL_SAFE_BOTTOM).round() as u32,
        }
    } else {
        let side = (w * 0.06).round() as u32;
        SafeArea {
            left: side,
            right: side,
            bottom: (h * 0.08).round() as u32,
        }
    }
}

/// Lengths in styles are for a frame whose short side is 1080 pixels.
pub fn style_scale(size: OutputSize) -> f64 {
    size.width.min(size.height) as f64 / 1080.0
}

/// Estimated advance width of `text` in pixels at ASS font size `font_size`: an average
/// width per character class, measured on Montserrat (its Bold is ~4 % wider), and per
/// script for the Noto faces that draw other scripts.
pub fn text_width(text: &str, font_size: f64, bold: bool) -> f64 {
    let ems: f64 = text
        .chars()
        .map(|c| match c {
            c if script_of(c).is_some() => {
                script_of(c).map_or(0.57, |s| s.char_ems() * s.size_factor())
            }
            ' ' => 0.27,
            c if c.is_ascii_digit() => 0.62,
            c if c.is_uppercase() => 0.72,
            c if c.is_alphabetic() => 0.57,
            _ => 0.32,
        })
        .sum();
    ems * font_size * EM_PER_SIZE * if bold { 1.04 } else { 1.0 }
}

/// One caption: a run of words shown together, broken into lines. Ranges index the words
/// given to [`layout`].
#[derive(Debug, Clone, PartialEq)]
pub struct Caption {
    pub start: f64,
    pub end: f64,
    pub words: Range<usize>,
    pub lines: Vec<Range<usize>>,
}

/// Breaks `texts` (display text per word) into lines and captions.
pub struct LineBreaker<'a> {
    widths: Vec<f64>,
    /// Space before word i when it follows word i - 1 on a line (none between Chinese
    /// words).
    gaps: Vec<f64>,
    max_width: f64,
    style: &'a CaptionStyle,
}

impl<'a> LineBreaker<'a> {
    /// `font_size` is the scaled ASS size; `max_width` the width lines must fit in.
    pub fn new(texts: &[String], style: &'a CaptionStyle, font_size: f64, max_width: f64) -> Self {
        let space = text_width(" ", font_size, style.bold);
        Self {
            widths: texts
                .iter()
                .map(|t| text_width(t, font_size, style.bold))
                .collect(),
            gaps: (0..texts.len())
                .map(|i| match i {
                    0 => 0.0,
                    _ if joins_without_space(&texts[i - 1], &texts[i]) => 0.0,
                    _ => space,
                })
                .collect(),
            max_width,
            style,
        }
    }

    /// Word i is drawn `scales[i]` times its size (emphasis) and `extra[i]` pixels wider
    /// (an emoji after it).
    pub fn adjusted(mut self, scales: &[f64], extra: &[f64]) -> Self {
        for (i, w) in self.widths.iter_mut().enumerate() {
            *w = *w * scales.get(i).copied().unwrap_or(1.0) + extra.get(i).copied().unwrap_or(0.0);
        }
        self
    }

    /// Whether word i follows word i - 1 on a line without a space.
    pub fn unspaced_before(&self, i: usize) -> bool {
        i > 0 && self.gaps[i] == 0.0
    }

    pub fn line_width(&self, r: Range<usize>) -> f64 {
        let words: f64 = self.widths[r.clone()].iter().sum();
        let gaps: f64 = self.gaps[r.clone()].iter().skip(1).sum();
        words + gaps
    }

    /// A single word always fits: it cannot be broken (the renderer shrinks it instead).
    fn fits_line(&self, r: Range<usize>) -> bool {
        r.len() == 1
            || (r.len() <= self.style.max_words_per_line && self.line_width(r) <= self.max_width)
    }

    /// The lines of a caption made of `r`, or None when it needs more than `max_lines`. Two
    /// lines are balanced in width, and a lone word on the last line is avoided when another
    /// split fits.
    pub fn lines(&self, r: Range<usize>) -> Option<Vec<Range<usize>>> {
        if self.fits_line(r.clone()) {
            return Some(vec![r]);
        }
        if self.style.max_lines < 2 || r.len() < 2 {
            return None;
        }
        (r.start + 1..r.end)
            .filter(|&k| self.fits_line(r.start..k) && self.fits_line(k..r.end))
            .min_by_key(|&k| {
                let orphan = r.len() >= 3 && r.end - k == 1;
                let imbalance = (self.line_width(r.start..k) - self.line_width(k..r.end)).abs();
                (orphan, imbalance.round() as i64)
            })
            .map(|k| vec![r.start..k, k..r.end])
    }
}

/// Groups `words` (clip time, repaired) into captions: a pause starts a new caption, each
/// caption is as full as its lines allow, and a lone word at the end of a phrase takes
/// company from the caption before it.
pub fn layout(words: &[Word], breaker: &LineBreaker<'_>) -> Vec<Caption> {
    let mut groups: Vec<Range<usize>> = Vec::new();
    let mut phrase_start = 0;
    for i in 0..words.len() {
        let last_of_phrase = i + 1 == words.len() || words[i + 1].start - words[i].end > PAUSE_S;
        if last_of_phrase {
            fill_phrase(phrase_start..i + 1, breaker, &mut groups);
            phrase_start = i + 1;
        }
    }
    let mut out: Vec<Caption> = Vec::with_capacity(groups.len());
    for (n, g) in groups.iter().enumerate() {
        let start = words[g.start].start;
        let mut end = words[g.end - 1].end.max(start) + HOLD_S;
        if let Some(next) = groups.get(n + 1) {
            end = end.min(words[next.start].start).max(words[g.end - 1].end);
        }
        let lines = breaker.lines(g.clone()).unwrap_or_else(|| vec![g.clone()]);
        out.push(Caption {
            start,
            end,
            words: g.clone(),
            lines,
        });
    }
    out
}

fn fill_phrase(phrase: Range<usize>, b: &LineBreaker<'_>, groups: &mut Vec<Range<usize>>) {
    let first_group = groups.len();
    let mut start = phrase.start;
    for i in phrase.clone() {
        if i > start && b.lines(start..i + 1).is_none() {
            groups.push(start..i);
            start = i;
        }
    }
    groups.push(start..phrase.end);
    // Orphan: rebalance the last two captions of the phrase so the last has company.
    let n = groups.len();
    if n - first_group >= 2 && groups[n - 1].len() == 1 && groups[n - 2].len() >= 2 {
        let (a, end) = (groups[n - 2].start, groups[n - 1].end);
        let best = (a + 1..end)
            .filter(|&k| b.lines(a..k).is_some() && b.lines(k..end).is_some())
            .max_by_key(|&k| ((k - a).min(end - k), k));
        if let Some(k) = best {
            groups[n - 2] = a..k;
            groups[n - 1] = k..end;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(spec: &[(&str, f64)]) -> Vec<Word> {
        // Each word lasts 0.3 s from its start.
        spec.iter()
            .map(|&(t, s)| Word {
                start: s,
                end: s + 0.3,
                text: t.into(),
                probability: 1.0,
            })
            .collect()
    }

    fn texts(w: &[Word]) -> Vec<String> {
        w.iter().map(|w| w.text.clone()).collect()
    }

    fn style(max_words: usize, max_lines: usize) -> CaptionStyle {
        CaptionStyle {
            max_words_per_line: max_words,
            max_lines,
            ..CaptionStyle::named("karaoke").unwrap()
        }
    }

    #[test]
    fn safe_area_keeps_clear_of_phone_ui_on_vertical() {
        let v = OutputSize {
            width: 1080,
            height: 1920,
        };
        assert_eq!(
            safe_area(v, Align::Center),
            SafeArea {
                left: 130,
                right: 130,
                bottom: 384
            }
        );
        assert_eq!(
            safe_area(v, Align::Left),
            SafeArea {
                left: 65,
                right: 130,
                bottom: 384
            }
        );
        let l = OutputSize {
            width: 1920,
            height: 1080,
        };
        assert_eq!(
            safe_area(l, Align::Center),
            SafeArea {
                left: 115,
                right: 115,
                bottom: 86
            }
        );
    }

    #[test]
    fn width_estimate_matches_a_measured_render() {
        // libass drew "Bold WIDTH 123" in Montserrat Bold at size 70 about 359 px wide.
        let w = text_width("Bold WIDTH 123", 70.0, true);
        assert!((w - 359.0).abs() < 359.0 * 0.1, "{w}");
    }

    #[test]
    fn script_width_estimates_match_measured_renders() {
        // libass with the bundled Noto faces at size 92, bold (ink extent of each line).
        for (text, measured) in [
            ("我们今天", 249.0),
            ("مرحبا بكم في", 328.0),
            ("नमस्ते दुनिया", 374.0),
        ] {
            let w = text_width(text, 92.0, true);
            assert!(
                (w - measured).abs() < measured * 0.1,
                "{text}: {w} vs {measured}"
            );
        }
    }

    #[test]
    fn at_most_two_lines_and_no_orphan() {
        let s = style(3, 2);
        let w = words(&[
            ("one", 0.0),
            ("two", 0.3),
            ("three", 0.6),
            ("four", 0.9),
            ("five", 1.2),
            ("six", 1.5),
            ("seven", 1.8),
        ]);
        let t = texts(&w);
        let b = LineBreaker::new(&t, &s, 92.0, 820.0);
        let caps = layout(&w, &b);
        for c in &caps {
            assert!(c.lines.len() <= 2, "{caps:?}");
            assert!(c.lines.iter().all(|l| l.len() <= 3), "{caps:?}");
        }
        // 7 words at 3 per line: greedy gives 6 + 1; the orphan is rebalanced to 4 + 3.
        let sizes: Vec<usize> = caps.iter().map(|c| c.words.len()).collect();
        assert_eq!(sizes, [4, 3], "{caps:?}");
        // A 4-word caption splits 2 + 2, not 3 + 1.
        assert_eq!(caps[0].lines, vec![0..2, 2..4]);
        // Back to back: each caption ends when the next starts.
        assert_eq!(caps[0].end, caps[1].start);
    }

    #[test]
    fn three_words_on_two_lines_put_the_pair_last() {
        let s = style(2, 2);
        let t: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        let b = LineBreaker::new(&t, &s, 92.0, 820.0);
        assert_eq!(b.lines(0..3), Some(vec![0..1, 1..3]));
    }

    #[test]
    fn width_limits_lines() {
        let s = style(10, 2);
        let t: Vec<String> = ["EXTRAORDINARY", "UNBELIEVABLE", "ACHIEVEMENTS"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        // Each word is ~ 12 * 0.72 * 92 * 0.62 * 1.04 = 512 px: one per line at 820 px.
        let b = LineBreaker::new(&t, &s, 92.0, 820.0);
        assert_eq!(b.lines(0..2), Some(vec![0..1, 1..2]));
        assert_eq!(b.lines(0..3), None);
    }

    #[test]
    fn no_caption_is_up_through_a_pause() {
        // Every gap from 0 to 2 s in 50 ms steps, between words of 0.3 s.
        let s = style(3, 2);
        let mut spec = Vec::new();
        let mut t = 0.0;
        for n in 0..=40 {
            spec.push(("w", t));
            t += 0.3 + n as f64 * 0.05;
        }
        let w = words(&spec);
        let b = LineBreaker::new(&texts(&w), &s, 92.0, 820.0);
        let caps = layout(&w, &b);
        // Sample each caption's time on screen: the nearest of its words is never further
        // than MAX_SILENT_SHOWN_S, so a pause of a second or more is partly captionless.
        for c in &caps {
            let mut t = c.start;
            while t <= c.end {
                let nearest = w[c.words.clone()]
                    .iter()
                    .map(|w| {
                        if t < w.start {
                            w.start - t
                        } else {
                            (t - w.end).max(0.0)
                        }
                    })
                    .fold(f64::INFINITY, f64::min);
                assert!(
                    nearest <= MAX_SILENT_SHOWN_S + 1e-9,
                    "caption {c:?} shows {nearest:.2} s away from its words at {t:.2}"
                );
                t += 0.01;
            }
        }
        // And in every gap over a second, some stretch has no caption at all.
        for pair in w.windows(2).filter(|p| p[1].start - p[0].end > 1.0) {
            let mid = (pair[0].end + pair[1].start) / 2.0 + 0.3;
            assert!(
                !caps.iter().any(|c| c.start <= mid && mid < c.end),
                "a caption is up at {mid:.2} in the pause {:.2}..{:.2}",
                pair[0].end,
                pair[1].start
            );
        }
    }

    #[test]
    fn chinese_words_are_measured_without_spaces() {
        let s = style(10, 2);
        let t: Vec<String> = ["你好", "世界", "OK"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let b = LineBreaker::new(&t, &s, 92.0, 2000.0);
        let glyphs = text_width("你好世界", 92.0, true);
        assert!((b.line_width(0..2) - glyphs).abs() < 1e-9);
        assert!(b.unspaced_before(1) && !b.unspaced_before(2));
        // An ideograph is wider than a Latin letter (Noto CJK: 0.69 of the size).
        let per_char = text_width("你", 100.0, false);
        assert!((per_char - 69.0).abs() < 2.0, "{per_char}");
    }

    #[test]
    fn pause_starts_a_new_caption() {
        let s = style(3, 2);
        // 0.7 s of silence between "two" (ends 0.6) and "three".
        let w = words(&[("one", 0.0), ("two", 0.3), ("three", 1.3), ("four", 1.6)]);
        let t = texts(&w);
        let b = LineBreaker::new(&t, &s, 92.0, 820.0);
        let caps = layout(&w, &b);
        assert_eq!(
            caps.iter().map(|c| c.words.clone()).collect::<Vec<_>>(),
            vec![0..2, 2..4]
        );
        // The first caption holds past its last word but is gone before the next is said.
        assert!((caps[0].end - 1.1).abs() < 1e-9, "{caps:?}");
        // A short gap does not split.
        let w = words(&[("one", 0.0), ("two", 0.3), ("three", 1.1), ("four", 1.4)]);
        assert_eq!(layout(&w, &b).len(), 1);
    }
}
