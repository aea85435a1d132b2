//! User-supplied subtitle files are timed against the whole source; a clip shows only the
//! cues inside its parts, shifted onto the clip's own timeline. This module parses SRT,
//! WebVTT and ASS/SSA, and retimes them per clip (multipart included). A user's file is
//! untrusted text for libass: [`parse`] sanitises it (see `sanitise`) and [`Subtitles::retime`]
//! keeps at most [`MAX_SHOWN`] cues on screen at once.

mod sanitise;

use crate::range::TimeRange;
use crate::timecode::{format_timestamp, TimeFormat};

pub use sanitise::{MAX_LINES, MAX_LINE_CHARS, MAX_SHOWN};

#[derive(Debug, Clone, PartialEq)]
pub struct Cue {
    pub start: f64,
    pub end: f64,
    pub text: String,
}

/// A parsed subtitle file.
#[derive(Debug, Clone, PartialEq)]
pub enum Subtitles {
    /// SRT and VTT: plain cues, written back out as SRT.
    Plain(Vec<Cue>),
    /// ASS/SSA: the header is kept verbatim (styles, PlayRes); each Dialogue line keeps its
    /// fields and gets new times.
    Ass {
        header: String,
        events: Vec<AssEvent>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct AssEvent {
    pub start: f64,
    pub end: f64,
    /// "Dialogue: Layer" part before the Start field.
    pub lead: String,
    /// Fields after End (Style, Name, margins, Effect, Text), comma-joined.
    pub rest: String,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct SubtitleError {
    pub line: usize,
    pub reason: String,
}

/// A user's subtitle file, sanitised for the renderer.
pub fn parse(text: &str, extension: &str) -> Result<Subtitles, SubtitleError> {
    let text = text.trim_start_matches('\u{feff}');
    let plain = |cues: Vec<Cue>| {
        Subtitles::Plain(
            cues.into_iter()
                .map(|c| Cue {
                    text: sanitise::plain_text(&c.text),
                    ..c
                })
                .collect(),
        )
    };
    match extension.to_ascii_lowercase().as_str() {
        "ass" | "ssa" => parse_ass(text).map(|s| match s {
            Subtitles::Ass { header, events } => {
                let (header, max_font) = sanitise::ass_header(&header);
                let events = events
                    .into_iter()
                    .map(|e| AssEvent {
                        rest: sanitise_ass_fields(&e.rest, max_font),
                        ..e
                    })
                    .collect();
                Subtitles::Ass { header, events }
            }
            plain => plain,
        }),
        "vtt" => parse_cues(text, true).map(plain),
        _ => parse_cues(text, false).map(plain),
    }
}

/// The fields after End (Style, Name, MarginL, MarginR, MarginV, Effect, Text): the Text
/// sanitised, the Effect (scroll and banner effects) dropped.
fn sanitise_ass_fields(rest: &str, max_font: f64) -> String {
    let fields: Vec<&str> = rest.splitn(7, ',').collect();
    if fields.len() < 7 {
        return sanitise::ass_text(rest, max_font);
    }
    format!(
        "{},{},{},{},{},,{}",
        fields[0],
        fields[1],
        fields[2],
        fields[3],
        fields[4],
        sanitise::ass_text(fields[6], max_font)
    )
}

/// `a --> b` with both times readable.
fn timing_line(line: &str) -> Option<(f64, f64)> {
    let (a, b) = line.trim().split_once("-->")?;
    let b = b.split_whitespace().next().unwrap_or("");
    Some((parse_cue_time(a)?, parse_cue_time(b)?))
}

/// `hh:mm:ss,mmm` (SRT), `[hh:]mm:ss.mmm` (VTT).
fn parse_cue_time(s: &str) -> Option<f64> {
    let s = s.trim().replace(',', ".");
    let fields: Vec<&str> = s.split(':').collect();
    if !(2..=3).contains(&fields.len()) {
        return None;
    }
    let mut total = 0.0;
    for f in &fields {
        total = total * 60.0 + f.parse::<f64>().ok()?;
    }
    Some(total)
}

fn parse_cues(text: &str, vtt: bool) -> Result<Vec<Cue>, SubtitleError> {
    let mut cues = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    if vtt {
        if !lines
            .first()
            .is_some_and(|l| l.trim_start().starts_with("WEBVTT"))
        {
            return Err(SubtitleError {
                line: 1,
                reason: "a WebVTT file starts with 'WEBVTT'".into(),
            });
        }
        i = 1;
    }
    while i < lines.len() {
        let line = lines[i].trim();
        if let Some((a, b)) = line.split_once("-->") {
            // VTT cue settings follow the end time after a space.
            let b = b.split_whitespace().next().unwrap_or("");
            let (Some(start), Some(end)) = (parse_cue_time(a), parse_cue_time(b)) else {
                return Err(SubtitleError {
                    line: i + 1,
                    reason: format!("bad cue timing '{line}'"),
                });
            };
            let mut body = Vec::new();
            i += 1;
            // A timing line inside a cue (a missing blank line) starts the next cue; left in
            // the text, it would be read as timing again once the clip's SRT is written.
            let mut next_cue = false;
            while i < lines.len() && !lines[i].trim().is_empty() {
                if timing_line(lines[i]).is_some() {
                    next_cue = true;
                    // The line before it was that cue's number, not text.
                    if body.last().is_some_and(|l: &String| {
                        !l.trim().is_empty() && l.trim().bytes().all(|b| b.is_ascii_digit())
                    }) {
                        body.pop();
                    }
                    break;
                }
                body.push(if vtt {
                    strip_vtt_tags(lines[i])
                } else {
                    lines[i].to_string()
                });
                i += 1;
            }
            if end > start {
                cues.push(Cue {
                    start,
                    end,
                    text: body.join("\n"),
                });
            }
            if next_cue {
                continue;
            }
        } else if vtt
            && (line.starts_with("NOTE") || line.starts_with("STYLE") || line.starts_with("REGION"))
        {
            while i < lines.len() && !lines[i].trim().is_empty() {
                i += 1;
            }
        }
        i += 1;
    }
    Ok(cues)
}

/// Keeps <b>, <i>, <u> (SRT understands them) and drops VTT-only tags (<c.x>, <v Name>,
/// inline timestamps).
fn strip_vtt_tags(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('>') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let tag = &rest[open + 1..open + close];
        if matches!(tag, "b" | "/b" | "i" | "/i" | "u" | "/u") {
            out.push_str(&rest[open..=open + close]);
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

fn parse_ass_time(s: &str) -> Option<f64> {
    let mut it = s.trim().split(':');
    let h: f64 = it.next()?.parse().ok()?;
    let m: f64 = it.next()?.parse().ok()?;
    let sec: f64 = it.next()?.parse().ok()?;
    Some(h * 3600.0 + m * 60.0 + sec)
}

fn parse_ass(text: &str) -> Result<Subtitles, SubtitleError> {
    let mut header = String::new();
    let mut events = Vec::new();
    let mut in_events = false;
    for (n, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            in_events = trimmed.eq_ignore_ascii_case("[events]");
        }
        if in_events && trimmed.starts_with("Dialogue:") {
            // Dialogue: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
            let fields: Vec<&str> = line.splitn(4, ',').collect();
            if fields.len() < 4 {
                return Err(SubtitleError {
                    line: n + 1,
                    reason: "Dialogue line has too few fields".into(),
                });
            }
            let (Some(start), Some(end)) = (parse_ass_time(fields[1]), parse_ass_time(fields[2]))
            else {
                return Err(SubtitleError {
                    line: n + 1,
                    reason: "bad Dialogue times".into(),
                });
            };
            events.push(AssEvent {
                start,
                end,
                lead: fields[0].to_string(),
                rest: fields[3].to_string(),
            });
        } else if !(in_events && trimmed.starts_with("Comment:")) {
            header.push_str(line);
            header.push('\n');
        }
    }
    if !header.contains("[Script Info]") && !header.contains("[script info]") {
        return Err(SubtitleError {
            line: 1,
            reason: "an ASS file needs a [Script Info] section".into(),
        });
    }
    Ok(Subtitles::Ass { header, events })
}

/// Maps a source-time interval onto the clip timeline of `parts`, one piece per part it
/// overlaps.
fn map_interval(start: f64, end: f64, parts: &[TimeRange]) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    let mut offset = 0.0;
    for p in parts {
        let (a, b) = (start.max(p.start), end.min(p.end));
        // Ignore slivers under 50 ms: a cue that merely touches a part boundary.
        if b - a > 0.05 {
            out.push((a - p.start + offset, b - p.start + offset));
        }
        offset += p.duration();
    }
    out
}

/// Cue text with each run of a script Montserrat lacks in the bundled Noto face of that
/// script (`<font face>`, which ffmpeg's SRT decoder turns into libass's `\fn`), and lines
/// written right to left opened by a right-to-left mark. Runs stop at tags and line
/// breaks, so the tags nest.
fn script_faces(text: &str) -> String {
    use crate::captions::{dominant_script, script_of, Script};
    let mut out = String::with_capacity(text.len());
    for (n, line) in text.split('\n').enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let plain: String = strip_tags(line);
        if dominant_script(&plain).is_some_and(Script::is_rtl) {
            out.push('\u{200F}');
        }
        let mut open: Option<Script> = None;
        let close = |out: &mut String, open: &mut Option<Script>| {
            if open.take().is_some() {
                out.push_str("</font>");
            }
        };
        let mut in_tag = false;
        for c in line.chars() {
            if c == '<' {
                close(&mut out, &mut open);
                in_tag = true;
            }
            if in_tag {
                out.push(c);
                in_tag = c != '>';
                continue;
            }
            match script_of(c) {
                Some(sc) if open != Some(sc) => {
                    close(&mut out, &mut open);
                    out.push_str(&format!("<font face=\"{}\">", sc.font()));
                    open = Some(sc);
                }
                // Letters the style's font draws end the run; digits, spaces and
                // punctuation stay in it.
                None if c.is_alphabetic() => close(&mut out, &mut open),
                _ => {}
            }
            out.push(c);
        }
        close(&mut out, &mut open);
    }
    out
}

fn strip_tags(line: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in line.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

impl Subtitles {
    pub fn cue_count(&self) -> usize {
        match self {
            Subtitles::Plain(c) => c.len(),
            Subtitles::Ass { events, .. } => events.len(),
        }
    }

    /// The subtitles of a clip made of `parts`, on the clip's timeline.
    pub fn retime(&self, parts: &[TimeRange]) -> Subtitles {
        match self {
            Subtitles::Plain(cues) => Subtitles::Plain(sanitise::cap_overlap(
                cues.iter()
                    .flat_map(|c| {
                        map_interval(c.start, c.end, parts)
                            .into_iter()
                            .map(|(start, end)| Cue {
                                start,
                                end,
                                text: c.text.clone(),
                            })
                    })
                    .collect(),
                |c| (c.start, c.end),
            )),
            Subtitles::Ass { header, events } => Subtitles::Ass {
                header: header.clone(),
                events: sanitise::cap_overlap(
                    events
                        .iter()
                        .flat_map(|e| {
                            map_interval(e.start, e.end, parts)
                                .into_iter()
                                .map(|(start, end)| AssEvent {
                                    start,
                                    end,
                                    lead: e.lead.clone(),
                                    rest: e.rest.clone(),
                                })
                        })
                        .collect(),
                    |e| (e.start, e.end),
                ),
            },
        }
    }

    /// The file extension `render` produces.
    pub fn extension(&self) -> &'static str {
        match self {
            Subtitles::Plain(_) => "srt",
            Subtitles::Ass { .. } => "ass",
        }
    }

    pub fn render(&self) -> String {
        match self {
            Subtitles::Plain(cues) => {
                let mut out = String::new();
                for (i, c) in cues.iter().enumerate() {
                    out.push_str(&format!(
                        "{}\n{} --> {}\n{}\n\n",
                        i + 1,
                        format_timestamp(c.start, TimeFormat::Srt),
                        format_timestamp(c.end, TimeFormat::Srt),
                        script_faces(&c.text)
                    ));
                }
                out
            }
            Subtitles::Ass { header, events } => {
                let mut out = header.clone();
                if !out.ends_with('\n') {
                    out.push('\n');
                }
                for e in events {
                    out.push_str(&format!(
                        "{},{},{},{}\n",
                        e.lead,
                        format_timestamp(e.start, TimeFormat::Ass),
                        format_timestamp(e.end, TimeFormat::Ass),
                        e.rest
                    ));
                }
                out
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_scripts_get_their_faces_in_rendered_srt() {
        let subs = parse(
            "1\n00:00:01,000 --> 00:00:02,000\n<b>你好</b>世界, OK\nمرحبا بكم 15\n",
            "srt",
        )
        .unwrap();
        let srt = subs.render();
        assert!(
            srt.contains(
                "<b><font face=\"Noto Sans CJK SC\">你好</font></b><font face=\"Noto Sans CJK SC\">世界, </font>OK\n"
            ),
            "{srt}"
        );
        assert!(
            srt.contains("\u{200F}<font face=\"Noto Sans Arabic\">مرحبا بكم 15</font>\n"),
            "{srt}"
        );
        // Latin cues are as they were.
        let latin = parse("1\n00:00:01,000 --> 00:00:02,000\n<i>Hello</i> 42\n", "srt").unwrap();
        assert!(latin.render().contains("\n<i>Hello</i> 42\n"));
    }

    const SRT: &str = "1\n00:00:01,000 --> 00:00:03,000\nHello\nworld\n\n2\n00:00:10,500 --> 00:00:12,000\nLater\n";

    #[test]
    fn parses_srt_and_vtt() {
        let Subtitles::Plain(c) = parse(SRT, "srt").unwrap() else {
            panic!("plain")
        };
        assert_eq!(c.len(), 2);
        assert_eq!(
            c[0],
            Cue {
                start: 1.0,
                end: 3.0,
                text: "Hello\nworld".into()
            }
        );
        let vtt = "WEBVTT\n\nNOTE a comment\n\n00:01.000 --> 00:03.000 align:start\n<v Bob>Hi <b>there</b><c.x>!</c>\n";
        let Subtitles::Plain(c) = parse(vtt, "vtt").unwrap() else {
            panic!("plain")
        };
        assert_eq!(
            c,
            vec![Cue {
                start: 1.0,
                end: 3.0,
                text: "Hi <b>there</b>!".into()
            }]
        );
        assert!(parse("00:01.000 --> 00:02.000\nx\n", "vtt").is_err());
        assert!(
            parse("1\n00:00:01,000 --> garbage\nx\n", "srt")
                .unwrap_err()
                .line
                == 2
        );
    }

    #[test]
    fn a_timing_line_inside_a_cue_starts_the_next_cue() {
        let srt =
            "1\n00:00:01,000 --> 00:00:02,000\nHello\n2\n00:00:03,000 --> 00:59:00,000\nLong\n";
        let Subtitles::Plain(c) = parse(srt, "srt").unwrap() else {
            panic!("plain")
        };
        assert_eq!(c.len(), 2, "{c:?}");
        assert_eq!(c[0].text, "Hello");
        assert_eq!((c[1].start, c[1].text.as_str()), (3.0, "Long"));
        // Retimed onto a 10 s clip, the long cue ends with the clip, and no text line reads
        // as timing.
        let out = parse(srt, "srt")
            .unwrap()
            .retime(&[TimeRange {
                start: 0.0,
                end: 10.0,
            }])
            .render();
        assert_eq!(out.matches("-->").count(), 2, "{out}");
        assert!(out.contains("00:00:03,000 --> 00:00:10,000"), "{out}");
    }

    #[test]
    fn user_files_are_sanitised_on_parse() {
        let srt =
            "1\n00:00:01,000 --> 00:00:02,000\n{\\an8\\fs900}<font size=\"20000\">Big</font>\n";
        let Subtitles::Plain(c) = parse(srt, "srt").unwrap() else {
            panic!("plain")
        };
        assert_eq!(c[0].text, "Big</font>");
        let ass = "[Script Info]\nPlayResY: 720\n\n[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\nDialogue: 0,0:00:01.00,0:00:02.00,Default,,0,0,0,Banner;5,{\\fs20000}Hi, you\n";
        let out = parse(ass, "ass").unwrap().render();
        assert!(out.contains(",Default,,0,0,0,,{\\fs720}Hi, you"), "{out}");
    }

    #[test]
    fn retimes_onto_multipart_clip() {
        let subs = parse(SRT, "srt").unwrap();
        // Parts 2-4 and 10-12: the first cue is cut to 2-3 (clip 0-1), the second to
        // 10.5-12 (clip 2.5-4).
        let parts = [
            TimeRange {
                start: 2.0,
                end: 4.0,
            },
            TimeRange {
                start: 10.0,
                end: 12.0,
            },
        ];
        let Subtitles::Plain(c) = subs.retime(&parts) else {
            panic!("plain")
        };
        assert_eq!(c.len(), 2);
        assert!((c[0].start - 0.0).abs() < 1e-9 && (c[0].end - 1.0).abs() < 1e-9);
        assert!((c[1].start - 2.5).abs() < 1e-9 && (c[1].end - 4.0).abs() < 1e-9);
        assert!(
            subs.retime(&[TimeRange {
                start: 4.0,
                end: 9.0
            }])
            .cue_count()
                == 0
        );
        assert!(subs
            .retime(&parts)
            .render()
            .contains("00:00:02,500 --> 00:00:04,000"));
    }

    #[test]
    fn retimes_ass_keeping_header_and_fields() {
        let ass = "[Script Info]\nPlayResX: 1080\n\n[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\nDialogue: 0,0:00:05.00,0:00:07.50,Default,,0,0,0,,Hi, {\\b1}you\n";
        let subs = parse(ass, "ass").unwrap();
        let out = subs
            .retime(&[TimeRange {
                start: 4.0,
                end: 20.0,
            }])
            .render();
        assert!(out.starts_with("[Script Info]\nPlayResX: 1080\n"), "{out}");
        assert!(
            out.contains("Dialogue: 0,0:00:01.00,0:00:03.50,Default,,0,0,0,,Hi, {\\b1}you"),
            "{out}"
        );
        assert!(parse("Dialogue: 0,1,2,x", "ass").is_err());
    }
}
