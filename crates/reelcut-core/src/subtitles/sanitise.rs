//! A subtitle file from anywhere goes to libass, which does what its text says: override
//! tags restyle the frame, a `{\fs20000}` or `<font size="20000">` cue takes a minute and a
//! gigabyte to rasterise, a `\blur` of hundreds is seconds per frame, a hundred thousand
//! overlapping cues are all laid out at once. What the user's file may say is kept to what
//! a subtitle needs: text with bold/italic/underline and colour (SRT, VTT); for ASS, its
//! styles and override tags with every size, scale, blur and border clamped, drawings and
//! embedded fonts left out. Lines are capped in length and number, and at most
//! [`MAX_SHOWN`] cues are on screen at once.

/// Characters of text in one cue line, and lines per cue: more is not read on a phone.
pub const MAX_LINE_CHARS: usize = 200;
pub const MAX_LINES: usize = 6;
/// Cues on screen at the same time.
pub const MAX_SHOWN: usize = 8;
/// `\fscx`, `\fscy` and a style's ScaleX/ScaleY, in percent.
const MAX_SCALE: f64 = 400.0;
/// `\blur`, `\be`: libass's Gaussian blur costs grow with the square of the radius.
const MAX_BLUR: f64 = 20.0;
/// Borders and shadows (`\bord`, `\shad` and their x/y forms; Outline, Shadow).
const MAX_BORDER: f64 = 50.0;
/// libass's script height when the file gives none.
const DEFAULT_PLAY_RES_Y: f64 = 288.0;
/// An override block longer than this is dropped whole (vector clips, \t chains).
const MAX_BLOCK: usize = 512;

/// An SRT or VTT cue's text as it may reach the renderer: `<b>`, `<i>`, `<u>` and
/// `<font color=...>` kept; any other tag (`<font size=...>`, `<font face=...>`) and every
/// `{...}` block (ffmpeg passes ASS override tags in SRT through) dropped; lines capped.
pub fn plain_text(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(['<', '{']) {
        out.push_str(&rest[..at]);
        let close = if rest.as_bytes()[at] == b'<' {
            '>'
        } else {
            '}'
        };
        let Some(len) = rest[at..].find(close) else {
            // An unclosed tag or block: its text is dropped, not shown half-parsed.
            rest = "";
            break;
        };
        if close == '>' {
            out.push_str(&html_tag(&rest[at + 1..at + len]));
        }
        rest = &rest[at + len + 1..];
    }
    out.push_str(rest);
    cap_lines(&out, "\n")
}

/// The tag (between `<` and `>`) as kept, or empty.
fn html_tag(tag: &str) -> String {
    let t = tag.trim();
    let lower = t.to_ascii_lowercase();
    match lower.as_str() {
        "b" | "/b" | "i" | "/i" | "u" | "/u" | "/font" => format!("<{lower}>"),
        _ if lower.starts_with("font ") => font_colour(&lower)
            .map(|c| format!("<font color=\"{c}\">"))
            .unwrap_or_default(),
        _ => String::new(),
    }
}

/// `color="#rrggbb"` (or a colour name) of a `<font ...>` tag, validated.
fn font_colour(tag: &str) -> Option<String> {
    let at = tag.find("color")?;
    let value = tag[at + 5..].trim_start().strip_prefix('=')?.trim_start();
    let value = value.trim_start_matches(['"', '\'']);
    let end = value
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '#'))
        .unwrap_or(value.len());
    let v = &value[..end];
    let hex = v.len() == 7 && v.starts_with('#') && v[1..].chars().all(|c| c.is_ascii_hexdigit());
    let name = !v.is_empty() && v.len() <= 20 && v.chars().all(|c| c.is_ascii_alphabetic());
    (hex || name).then(|| v.to_string())
}

/// At most [`MAX_LINES`] lines of at most [`MAX_LINE_CHARS`] characters, split on `sep`.
fn cap_lines(text: &str, sep: &str) -> String {
    text.split(sep)
        .take(MAX_LINES)
        .map(|l| {
            if l.chars().count() > MAX_LINE_CHARS {
                let cut: String = l.chars().take(MAX_LINE_CHARS).collect();
                format!("{cut}…")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(sep)
}

/// Limits an ASS file's header: Fontsize no taller than the script (PlayResY), scales,
/// outlines and shadows clamped; `[Fonts]` and `[Graphics]` (embedded, uuencoded files
/// libass would load) left out. Returns the header and the largest font size allowed.
pub fn ass_header(header: &str) -> (String, f64) {
    let play_res_y = header
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case("PlayResY")
                .then(|| v.trim().parse::<f64>().ok())?
        })
        .filter(|h| h.is_finite() && *h >= 1.0)
        .unwrap_or(DEFAULT_PLAY_RES_Y);
    let max_font = play_res_y;
    let mut out = String::new();
    let mut format: Vec<String> = Vec::new();
    let mut skipping = false;
    for line in header.lines() {
        let t = line.trim();
        if t.starts_with('[') {
            let section = t.to_ascii_lowercase();
            skipping = section == "[fonts]" || section == "[graphics]";
            format.clear();
        }
        if skipping {
            continue;
        }
        if let Some(f) = t.strip_prefix("Format:") {
            format = f
                .split(',')
                .map(|s| s.trim().to_ascii_lowercase())
                .collect();
        } else if let Some(style) = t.strip_prefix("Style:") {
            out.push_str("Style: ");
            out.push_str(&clamp_style(style, &format, max_font));
            out.push('\n');
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    (out, max_font)
}

fn clamp_style(style: &str, format: &[String], max_font: f64) -> String {
    style
        .split(',')
        .enumerate()
        .map(|(i, field)| {
            // (largest value, the value for one that is not a number)
            let (limit, fallback) = match format.get(i).map(String::as_str) {
                Some("fontsize") => (max_font, (max_font / 15.0).max(1.0)),
                Some("scalex" | "scaley") => (MAX_SCALE, 100.0),
                Some("outline" | "shadow") => (MAX_BORDER, 2.0),
                _ => return field.trim().to_string(),
            };
            match field.trim().parse::<f64>() {
                Ok(v) if v.is_finite() => fmt(v.clamp(0.0, limit)),
                _ => fmt(fallback),
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Length of the number at the start of `s`: `[+-]digits[.digits][e[+-]digits]`.
fn number_len(s: &str) -> usize {
    let b = s.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize| {
        let from = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i > from
    };
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let whole = digits(&mut i);
    let mut frac = false;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        frac = digits(&mut i);
    }
    if !whole && !frac {
        return 0;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let mut j = i + 1;
        if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
            j += 1;
        }
        if digits(&mut j) {
            i = j;
        }
    }
    i
}

fn fmt(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// An ASS Dialogue's Text field with its override tags clamped (`\fs` to `max_font`,
/// scales, blur, borders), drawing mode (`\p1`..) and its drawing dropped, long blocks
/// dropped, lines capped.
pub fn ass_text(text: &str, max_font: f64) -> String {
    let mut out = String::new();
    let mut rest = text;
    let mut drawing = false;
    while let Some(at) = rest.find('{') {
        if !drawing {
            out.push_str(&rest[..at]);
        }
        let Some(len) = rest[at..].find('}') else {
            rest = "";
            break;
        };
        let block = &rest[at + 1..at + len];
        if block.len() <= MAX_BLOCK {
            let (clamped, draws) = clamp_block(block, max_font);
            if let Some(d) = draws {
                drawing = d;
            }
            if !clamped.is_empty() {
                out.push('{');
                out.push_str(&clamped);
                out.push('}');
            }
        }
        rest = &rest[at + len + 1..];
    }
    if !drawing {
        out.push_str(rest);
    }
    cap_lines(&out, "\\N")
}

/// One override block with its values clamped; also whether it switches drawing on or off.
fn clamp_block(block: &str, max_font: f64) -> (String, Option<bool>) {
    let mut out = String::new();
    let mut drawing = None;
    let mut rest = block;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        out.push('\\');
        rest = &rest[at + 1..];
        let name_len = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        let name = &rest[..name_len];
        let after = &rest[name_len..];
        let num_len = number_len(after);
        let limit = match name {
            "fs" => Some(max_font),
            "fscx" | "fscy" => Some(MAX_SCALE),
            "blur" | "be" => Some(MAX_BLUR),
            "bord" | "xbord" | "ybord" | "shad" | "xshad" | "yshad" => Some(MAX_BORDER),
            _ => None,
        };
        if name == "p" && num_len > 0 {
            let on = after[..num_len]
                .parse::<f64>()
                .map(|v| v > 0.0)
                .unwrap_or(false);
            drawing = Some(on);
            // Drawing commands are left out, so the mode is never switched on.
            out.push_str("p0");
            rest = &after[num_len..];
            continue;
        }
        out.push_str(name);
        match (limit, after[..num_len].parse::<f64>()) {
            (Some(limit), Ok(v)) => {
                let v = if v.is_finite() {
                    v.clamp(0.0, limit)
                } else {
                    limit
                };
                out.push_str(&fmt(v));
                rest = &after[num_len..];
            }
            _ => rest = after,
        }
    }
    out.push_str(rest);
    (out, drawing)
}

/// Keeps at most [`MAX_SHOWN`] of `items` on screen at any moment: an item that would be
/// one more is dropped (items are in file order; the earlier-starting stay).
pub fn cap_overlap<T>(items: Vec<T>, span: impl Fn(&T) -> (f64, f64)) -> Vec<T> {
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|&a, &b| span(&items[a]).0.total_cmp(&span(&items[b]).0));
    let mut keep = vec![false; items.len()];
    // Ends of the items on screen, as a small sorted list (at most MAX_SHOWN long).
    let mut showing: Vec<f64> = Vec::new();
    for i in order {
        let (start, end) = span(&items[i]);
        showing.retain(|&e| e > start);
        if showing.len() < MAX_SHOWN {
            showing.push(end);
            keep[i] = true;
        }
    }
    items
        .into_iter()
        .zip(keep)
        .filter_map(|(item, k)| k.then_some(item))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_keeps_simple_styling_only() {
        assert_eq!(
            plain_text(
                "<b>Hi</b> <font size=\"20000\" color=\"#ff0000\">you</font>{\\fs900\\pos(1,1)}!"
            ),
            "<b>Hi</b> <font color=\"#ff0000\">you</font>!"
        );
        assert_eq!(plain_text("<font face=\"x\">a</font>"), "a</font>");
        assert_eq!(plain_text("<FONT color=red>a"), "<font color=\"red\">a");
        assert_eq!(
            plain_text("<font color=\"red;x\">a"),
            "<font color=\"red\">a"
        );
        assert_eq!(plain_text("a <script>b"), "a b");
        assert_eq!(plain_text("a {\\an8 unclosed"), "a ");
        let long = "x".repeat(5000);
        let capped = plain_text(&format!("{long}\n2\n3\n4\n5\n6\n7\n8"));
        assert_eq!(capped.lines().count(), MAX_LINES);
        assert_eq!(
            capped.lines().next().unwrap().chars().count(),
            MAX_LINE_CHARS + 1
        );
    }

    #[test]
    fn ass_overrides_are_clamped_and_drawings_dropped() {
        assert_eq!(
            ass_text("{\\fs20000\\b1\\fscx5000}Big{\\blur300\\bord1e9}x", 1080.0),
            "{\\fs1080\\b1\\fscx400}Big{\\blur20\\bord50}x"
        );
        assert_eq!(
            ass_text("{\\t(0,500,\\fs99999)}a{\\fsp5\\fnArial}b", 720.0),
            "{\\t(0,500,\\fs720)}a{\\fsp5\\fnArial}b"
        );
        assert_eq!(
            ass_text("{\\p1}m 0 0 l 100000 0 100000 100000{\\p0}after", 720.0),
            "{\\p0}{\\p0}after"
        );
        let vector = format!("{{\\clip(m 0 0 {})}}text", "l 1 1 ".repeat(200));
        assert_eq!(ass_text(&vector, 720.0), "text");
    }

    #[test]
    fn ass_header_limits_styles_and_leaves_out_embedded_files() {
        let header = "[Script Info]\nPlayResY: 1920\n\n[V4+ Styles]\nFormat: Name, Fontname, Fontsize, ScaleX, ScaleY, Outline, Shadow\nStyle: Default,Arial,20000,100,9000,1e30,nan\n\n[Fonts]\nfontname: x.ttf\nAAAA\n\n[Events]\n";
        let (out, max) = ass_header(header);
        assert_eq!(max, 1920.0);
        assert!(
            out.contains("Style: Default,Arial,1920,100,400,50,2\n"),
            "{out}"
        );
        assert!(!out.contains("x.ttf") && !out.contains("AAAA"), "{out}");
        assert!(out.contains("[Events]"), "{out}");
        assert_eq!(ass_header("[Script Info]\n").1, DEFAULT_PLAY_RES_Y);
    }

    #[test]
    fn at_most_eight_cues_at_once() {
        // 1000 cues over the same second, then one alone later.
        let mut cues: Vec<(f64, f64)> = (0..1000).map(|i| (i as f64 * 1e-4, 1.0)).collect();
        cues.push((5.0, 6.0));
        let kept = cap_overlap(cues, |c| *c);
        assert_eq!(kept.len(), MAX_SHOWN + 1);
        assert_eq!(kept.last(), Some(&(5.0, 6.0)));
        // Back to back they are all kept.
        let seq: Vec<(f64, f64)> = (0..100).map(|i| (i as f64, i as f64 + 1.0)).collect();
        assert_eq!(cap_overlap(seq, |c| *c).len(), 100);
    }
}
