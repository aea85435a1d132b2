//! What an input is and what its files may be called: the one URL test and the one
//! file-name sanitiser every client and stage uses.

/// A URL to download (http or https, any case, surrounding blanks ignored); anything else
/// is a local path.
pub fn is_url(input: &str) -> bool {
    let s = input.trim_start().as_bytes();
    let starts = |p: &[u8]| s.len() >= p.len() && s[..p.len()].eq_ignore_ascii_case(p);
    starts(b"http://") || starts(b"https://")
}

/// `text` (a title or a message from a downloaded page or a tool) without control characters:
/// escape sequences in it would otherwise reach the user's terminal. Line breaks and tabs
/// become spaces.
pub fn printable(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\n' | '\r' | '\t' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

/// `text` made safe as a file or folder name: letters, digits, `-`, `_`, `.` and spaces
/// kept, everything else (separators, control characters, shell and Windows metacharacters)
/// replaced by `_`; no leading or trailing dots or spaces (no `..`, no hidden files); at most
/// `max_chars` characters. `fallback` when nothing usable is left.
pub fn safe_stem(text: &str, max_chars: usize, fallback: &str) -> String {
    let safe: String = text
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ' ') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let short: String = safe
        .trim_matches(|c| c == '.' || c == ' ')
        .chars()
        .take(max_chars)
        .collect();
    let short = short.trim_end_matches(['.', ' ']);
    if short.is_empty() || short.chars().all(|c| c == '_') {
        fallback.into()
    } else {
        short.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_http_or_https_in_any_case() {
        for u in ["http://a", "https://a/b?c", "HTTPS://A", "  https://x"] {
            assert!(is_url(u), "{u}");
        }
        for p in [
            "/tmp/a.mp4",
            "a.mp4",
            "ftp://x",
            "file:///x",
            "httpx://",
            "http:/x",
            "",
        ] {
            assert!(!is_url(p), "{p}");
        }
    }

    #[test]
    fn titles_lose_their_control_characters() {
        assert_eq!(
            printable("\u{1b}[31mRed\u{1b}[0m title\u{7}"),
            "[31mRed[0m title"
        );
        assert_eq!(printable("two\nlines\tand\u{9b}csi"), "two lines andcsi");
        assert_eq!(printable("Grüße — 東京"), "Grüße — 東京");
    }

    #[test]
    fn names_are_safe() {
        assert_eq!(safe_stem("My Video", 120, "input"), "My Video");
        assert_eq!(safe_stem(".", 120, "input"), "input");
        assert_eq!(safe_stem("a:b*c", 120, "input"), "a_b_c");
        assert_eq!(safe_stem("../../etc/passwd", 80, "video"), "_.._etc_passwd");
        assert_eq!(safe_stem("a/b\\c:d", 80, "video"), "a_b_c_d");
        assert_eq!(safe_stem("  ...  ", 80, "video"), "video");
        assert_eq!(safe_stem("///", 80, "video"), "video");
        assert_eq!(safe_stem(&"x".repeat(300), 80, "video").chars().count(), 80);
        assert_eq!(safe_stem("Grüße aus Köln", 80, "video"), "Grüße aus Köln");
        assert_eq!(safe_stem("a\u{1b}[31mred", 80, "video"), "a__31mred");
        // Cut to length first, then no trailing dot or space is left behind.
        assert_eq!(safe_stem("abc. def", 4, "video"), "abc");
    }
}
