//! How captions look: a [`CaptionStyle`] is picked by name from the built-in presets or
//! loaded from a TOML/JSON style file that overrides a preset field by field.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum CaptionError {
    #[error("unknown caption style '{0}': expected one of {names} or a .toml/.json style file", names = PRESET_NAMES.join(", "))]
    UnknownStyle(String),
    #[error("cannot read caption style file {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// `origin` is the file path, or "inline" for text passed directly.
    #[error("caption style {origin}: {reason}")]
    Parse { origin: String, reason: String },
}

/// How words appear over time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Animation {
    /// The whole caption is shown; the word being spoken takes the highlight colour.
    Karaoke,
    /// One word at a time, scaling in with a small overshoot.
    Pop,
    /// The caption is shown as is while it is spoken.
    Static,
}

/// How the word being spoken stands out from the rest of a karaoke caption. Only the
/// spoken word changes: the caption's words and lines stay as they are until it ends.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ActiveWord {
    /// It takes the highlight colour.
    #[default]
    Colour,
    /// It takes the highlight colour and pops: scales up, then settles back to its size.
    Pop,
    /// It sits on a box of the highlight colour.
    Box,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Align {
    Left,
    Center,
    Right,
}

/// An sRGB colour with opacity, written `#RRGGBB` or `#RRGGBBAA` (AA = 255 is opaque, as in
/// CSS; ASS stores transparency instead, which [`Colour::ass`] converts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Colour {
    pub r: u8,
    pub g: u8,
    pub b: u8,
    pub a: u8,
}

impl Colour {
    pub const fn rgb(r: u8, g: u8, b: u8) -> Self {
        Self { r, g, b, a: 255 }
    }

    pub const fn rgba(r: u8, g: u8, b: u8, a: u8) -> Self {
        Self { r, g, b, a }
    }

    /// `&HAABBGGRR` for a style line.
    pub fn ass(self) -> String {
        format!(
            "&H{:02X}{:02X}{:02X}{:02X}",
            255 - self.a,
            self.b,
            self.g,
            self.r
        )
    }

    /// `&HBBGGRR&` for a `\c` override tag.
    pub fn ass_bgr(self) -> String {
        format!("&H{:02X}{:02X}{:02X}&", self.b, self.g, self.r)
    }

    /// `&HAA&` for a `\1a` override tag.
    pub fn ass_alpha(self) -> String {
        format!("&H{:02X}&", 255 - self.a)
    }
}

impl TryFrom<String> for Colour {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let bad = || format!("invalid colour '{s}': expected #RRGGBB or #RRGGBBAA");
        let hex = s.strip_prefix('#').ok_or_else(bad)?;
        if !(hex.len() == 6 || hex.len() == 8) || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(bad());
        }
        let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).map_err(|_| bad());
        let a = if hex.len() == 8 { byte(6)? } else { 255 };
        Ok(Colour {
            r: byte(0)?,
            g: byte(2)?,
            b: byte(4)?,
            a,
        })
    }
}

impl From<Colour> for String {
    fn from(c: Colour) -> String {
        c.to_string()
    }
}

impl fmt::Display for Colour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{:02X}{:02X}{:02X}", self.r, self.g, self.b)?;
        if self.a != 255 {
            write!(f, "{:02X}", self.a)?;
        }
        Ok(())
    }
}

/// The look of burned-in captions. Lengths (`size`, `outline`, `shadow`) are pixels of a
/// frame whose short side is 1080 and scale with the output, so one style fits 720p and
/// 1080p alike.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaptionStyle {
    pub name: String,
    pub animation: Animation,
    /// Font family as libass matches it. The bundled files give "Montserrat" (Regular, and
    /// Bold with `bold`) and "Montserrat Black".
    pub font: String,
    pub bold: bool,
    /// ASS font size. libass makes the font's ascent+descent this tall, so Montserrat's
    /// letters are about 0.62 of it wide per em.
    pub size: f64,
    pub primary_colour: Colour,
    /// The spoken word (karaoke) or numbers (pop).
    pub highlight_colour: Colour,
    pub outline_colour: Colour,
    /// Shadow colour, or the box colour when `boxed`.
    pub back_colour: Colour,
    /// Outline width, or the box padding when `boxed`.
    pub outline: f64,
    pub shadow: f64,
    /// Text on an opaque box (ASS BorderStyle 3).
    pub boxed: bool,
    /// Where the bottom of the caption block sits on a 9:16 frame, as a fraction of the
    /// height from the top (0.7 = 70 % down). The safe area wins when they disagree; other
    /// aspects keep the same distance above their own, smaller, safe bottom margin.
    pub position: f64,
    pub align: Align,
    pub uppercase: bool,
    pub max_words_per_line: usize,
    /// 1 or 2.
    pub max_lines: usize,
    /// Karaoke: how the spoken word stands out.
    #[serde(default)]
    pub active_word: ActiveWord,
    /// Keywords (numbers, names, the words the selection scored as the hook) in this
    /// colour; none: keywords look like the other words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emphasis_colour: Option<Colour>,
    /// Keywords this much larger, percent (100: the same size).
    #[serde(default = "full_size")]
    pub emphasis_scale: f64,
    /// An emoji after keywords that have one in a small fixed table (💰 after "money"),
    /// where the renderer can draw emoji; left out where it cannot.
    #[serde(default)]
    pub emoji: bool,
}

fn full_size() -> f64 {
    100.0
}

/// Largest caption size (pixels of a 1080-wide frame): one word still fits the frame.
const MAX_SIZE: f64 = 1000.0;
/// Largest outline, shadow or box padding.
const MAX_EDGE: f64 = 100.0;
/// Most words on one caption line.
const MAX_WORDS: usize = 50;

pub const PRESET_NAMES: [&str; 6] = [
    "karaoke",
    "pop",
    "boxed",
    "lower-third",
    "word-pop",
    "word-box",
];

/// Bounds of `emphasis_scale`: beyond them a keyword crowds out its line.
const EMPHASIS_SCALE: std::ops::RangeInclusive<f64> = 50.0..=200.0;

const WHITE: Colour = Colour::rgb(255, 255, 255);
const BLACK: Colour = Colour::rgb(0, 0, 0);

impl CaptionStyle {
    /// A built-in style, one of [`PRESET_NAMES`].
    pub fn named(name: &str) -> Result<Self, CaptionError> {
        let base = CaptionStyle {
            name: name.to_string(),
            animation: Animation::Static,
            font: "Montserrat".into(),
            bold: true,
            size: 92.0,
            primary_colour: WHITE,
            highlight_colour: Colour::rgb(255, 225, 53),
            outline_colour: BLACK,
            back_colour: Colour::rgba(0, 0, 0, 160),
            outline: 6.0,
            shadow: 3.0,
            boxed: false,
            position: 0.70,
            align: Align::Center,
            uppercase: true,
            max_words_per_line: 3,
            max_lines: 2,
            active_word: ActiveWord::Colour,
            emphasis_colour: None,
            emphasis_scale: 100.0,
            emoji: false,
        };
        Ok(match name {
            "karaoke" => CaptionStyle {
                animation: Animation::Karaoke,
                ..base
            },
            "pop" => CaptionStyle {
                animation: Animation::Pop,
                font: "Montserrat Black".into(),
                size: 150.0,
                highlight_colour: Colour::rgb(92, 255, 120),
                outline: 8.0,
                shadow: 4.0,
                position: 0.66,
                max_words_per_line: 1,
                max_lines: 1,
                ..base
            },
            "boxed" => CaptionStyle {
                size: 70.0,
                back_colour: Colour::rgb(16, 16, 16),
                outline_colour: Colour::rgb(16, 16, 16),
                outline: 14.0,
                shadow: 0.0,
                boxed: true,
                uppercase: false,
                position: 0.74,
                max_words_per_line: 5,
                ..base
            },
            "lower-third" => CaptionStyle {
                bold: false,
                size: 60.0,
                outline_colour: Colour::rgba(0, 0, 0, 200),
                back_colour: Colour::rgba(0, 0, 0, 120),
                outline: 2.0,
                shadow: 2.0,
                position: 0.78,
                align: Align::Left,
                uppercase: false,
                max_words_per_line: 7,
                ..base
            },
            // The whole caption stays; the spoken word lights up and pops, and keywords
            // are larger and green all along.
            "word-pop" => CaptionStyle {
                animation: Animation::Karaoke,
                active_word: ActiveWord::Pop,
                font: "Montserrat Black".into(),
                size: 96.0,
                highlight_colour: Colour::rgb(255, 225, 53),
                emphasis_colour: Some(Colour::rgb(92, 255, 120)),
                emphasis_scale: 112.0,
                outline: 7.0,
                shadow: 4.0,
                position: 0.68,
                ..base
            },
            // The spoken word sits on a violet box; keywords are yellow.
            "word-box" => CaptionStyle {
                animation: Animation::Karaoke,
                active_word: ActiveWord::Box,
                size: 86.0,
                highlight_colour: Colour::rgb(124, 58, 237),
                emphasis_colour: Some(Colour::rgb(255, 225, 53)),
                outline: 5.0,
                shadow: 0.0,
                position: 0.70,
                ..base
            },
            _ => return Err(CaptionError::UnknownStyle(name.to_string())),
        })
    }

    /// A preset name, or else the path of a style file.
    pub fn resolve(name_or_path: &str) -> Result<Self, CaptionError> {
        if PRESET_NAMES.contains(&name_or_path) {
            return Self::named(name_or_path);
        }
        let path = Path::new(name_or_path);
        let is_file = matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("toml" | "json")
        );
        if is_file {
            Self::from_file(path)
        } else {
            Err(CaptionError::UnknownStyle(name_or_path.to_string()))
        }
    }

    /// Loads a `.toml` or `.json` style file. Fields it leaves out come from the preset named
    /// by `base` (default "karaoke"); fields this struct does not have are an error, so a typo
    /// is reported rather than silently ignored.
    pub fn from_file(path: &Path) -> Result<Self, CaptionError> {
        let text = std::fs::read_to_string(path).map_err(|source| CaptionError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let format = match path.extension().and_then(|e| e.to_str()) {
            Some("json") => StyleFormat::Json,
            _ => StyleFormat::Toml,
        };
        let mut style = Self::parse_as(&text, format, &path.display().to_string())?;
        if style.name.is_empty() {
            style.name = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("custom")
                .to_string();
        }
        Ok(style)
    }

    /// Parses style text (see [`CaptionStyle::from_file`]).
    pub fn parse(text: &str, format: StyleFormat) -> Result<Self, CaptionError> {
        let mut style = Self::parse_as(text, format, "inline")?;
        if style.name.is_empty() {
            style.name = "custom".into();
        }
        Ok(style)
    }

    fn parse_as(text: &str, format: StyleFormat, origin: &str) -> Result<Self, CaptionError> {
        let parse_err = |reason: String| CaptionError::Parse {
            origin: origin.to_string(),
            reason,
        };
        // Overlay the file's fields on the base preset as JSON objects, then deserialise with
        // deny_unknown_fields: serde names the unknown field and lists the valid ones.
        let value: serde_json::Value = match format {
            StyleFormat::Toml => toml::from_str(text).map_err(|e| parse_err(e.to_string()))?,
            StyleFormat::Json => {
                serde_json::from_str(text).map_err(|e| parse_err(e.to_string()))?
            }
        };
        let serde_json::Value::Object(mut fields) = value else {
            return Err(parse_err("expected a table of style fields".into()));
        };
        let base = match fields.remove("base") {
            None => "karaoke".to_string(),
            Some(serde_json::Value::String(s)) => s,
            Some(other) => {
                return Err(parse_err(format!("base must be a style name, not {other}")))
            }
        };
        let base_style = Self::named(&base).map_err(|e| parse_err(e.to_string()))?;
        let serde_json::Value::Object(mut merged) =
            serde_json::to_value(&base_style).map_err(|e| parse_err(e.to_string()))?
        else {
            return Err(parse_err("internal: style is not an object".into()));
        };
        // A custom style without a name of its own is not the base preset.
        merged.insert("name".into(), serde_json::Value::String(String::new()));
        merged.extend(fields);
        let style: CaptionStyle = serde_json::from_value(serde_json::Value::Object(merged))
            .map_err(|e| parse_err(e.to_string()))?;
        style.validate().map_err(parse_err)?;
        Ok(style)
    }

    fn validate(&self) -> Result<(), String> {
        // Bounds, not just signs: a style file is not the user's own flag (it may come with
        // a downloaded template), and `size = 1e300` or `outline = 1e30` overflowed the
        // layout's margin sums and made libass allocate gigabytes. The limits are far beyond
        // any caption that fits a frame (sizes are pixels of a 1080-wide frame).
        if !(self.size > 0.0 && self.size <= MAX_SIZE) {
            return Err(format!(
                "size must be in (0, {MAX_SIZE}], got {}",
                self.size
            ));
        }
        if self.max_words_per_line > MAX_WORDS {
            return Err(format!(
                "max_words_per_line must be at most {MAX_WORDS}, got {}",
                self.max_words_per_line
            ));
        }
        if !(self.outline <= MAX_EDGE && self.shadow <= MAX_EDGE) {
            return Err(format!(
                "outline and shadow must be at most {MAX_EDGE}, got {} and {}",
                self.outline, self.shadow
            ));
        }
        if !(1..=2).contains(&self.max_lines) {
            return Err(format!("max_lines must be 1 or 2, got {}", self.max_lines));
        }
        if self.max_words_per_line == 0 {
            return Err("max_words_per_line must be at least 1".into());
        }
        if !(self.position > 0.0 && self.position <= 1.0) {
            return Err(format!("position must be in (0, 1], got {}", self.position));
        }
        if !(self.outline >= 0.0 && self.shadow >= 0.0) {
            return Err("outline and shadow must not be negative".into());
        }
        if !EMPHASIS_SCALE.contains(&self.emphasis_scale) {
            return Err(format!(
                "emphasis_scale must be in {}..={} (percent), got {}",
                EMPHASIS_SCALE.start(),
                EMPHASIS_SCALE.end(),
                self.emphasis_scale
            ));
        }
        if self.font.trim().is_empty() {
            return Err("font must not be empty".into());
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StyleFormat {
    Toml,
    Json,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_exist_and_are_valid() {
        for name in PRESET_NAMES {
            let s = CaptionStyle::named(name).unwrap();
            assert_eq!(s.name, name);
            s.validate().unwrap();
        }
        let e = CaptionStyle::named("fancy").unwrap_err().to_string();
        assert!(e.contains("'fancy'") && e.contains("lower-third"), "{e}");
    }

    #[test]
    fn colours_parse_and_convert_to_ass() {
        let c = Colour::try_from("#FF8000".to_string()).unwrap();
        assert_eq!(c.ass(), "&H000080FF");
        assert_eq!(c.ass_bgr(), "&H0080FF&");
        let c = Colour::try_from("#00000080".to_string()).unwrap();
        assert_eq!(c.ass(), "&H7F000000");
        assert_eq!(c.to_string(), "#00000080");
        assert!(Colour::try_from("red".to_string()).is_err());
        assert!(Colour::try_from("#12345".to_string()).is_err());
    }

    #[test]
    fn toml_style_overrides_its_base() {
        let s = CaptionStyle::parse(
            "base = \"boxed\"\nfont = \"DejaVu Sans\"\nprimary_colour = \"#FFFF00\"\nmax_lines = 1\n",
            StyleFormat::Toml,
        )
        .unwrap();
        assert!(s.boxed, "inherited from boxed");
        assert_eq!(s.font, "DejaVu Sans");
        assert_eq!(s.primary_colour, Colour::rgb(255, 255, 0));
        assert_eq!(s.max_lines, 1);
        assert_eq!(s.size, CaptionStyle::named("boxed").unwrap().size);
        // Without base, karaoke.
        let s = CaptionStyle::parse(r#"{"uppercase": false}"#, StyleFormat::Json).unwrap();
        assert_eq!(s.animation, Animation::Karaoke);
        assert!(!s.uppercase);
    }

    #[test]
    fn style_file_errors_name_the_problem() {
        let e = CaptionStyle::parse("colour = \"#FFFFFF\"\n", StyleFormat::Toml)
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown field `colour`"), "{e}");
        let e = CaptionStyle::parse("max_lines = 3\n", StyleFormat::Toml)
            .unwrap_err()
            .to_string();
        assert!(e.contains("max_lines must be 1 or 2"), "{e}");
        let e = CaptionStyle::parse("base = \"nope\"\n", StyleFormat::Toml)
            .unwrap_err()
            .to_string();
        assert!(e.contains("'nope'"), "{e}");
        let e = CaptionStyle::parse("primary_colour = \"white\"\n", StyleFormat::Toml)
            .unwrap_err()
            .to_string();
        assert!(e.contains("invalid colour 'white'"), "{e}");
        let e = CaptionStyle::parse("animation = \"spin\"\n", StyleFormat::Toml)
            .unwrap_err()
            .to_string();
        assert!(e.contains("spin"), "{e}");
    }

    #[test]
    fn absurd_sizes_are_refused_with_the_field_named() {
        for (text, field) in [
            ("size = 1e300\n", "size"),
            ("outline = 1e30\n", "outline"),
            ("shadow = 1e9\n", "shadow"),
            ("max_words_per_line = 100000\n", "max_words_per_line"),
        ] {
            let e = CaptionStyle::parse(text, StyleFormat::Toml)
                .unwrap_err()
                .to_string();
            assert!(
                e.contains(field) && e.contains("at most") || e.contains("(0, 1000]"),
                "{text}: {e}"
            );
        }
        assert!(CaptionStyle::parse("size = 300\noutline = 40\n", StyleFormat::Toml).is_ok());
        let e = CaptionStyle::parse("emphasis_scale = 1000\n", StyleFormat::Toml)
            .unwrap_err()
            .to_string();
        assert!(e.contains("emphasis_scale must be in 50..=200"), "{e}");
    }

    #[test]
    fn word_styles_parse_from_files_and_older_files_still_do() {
        let s = CaptionStyle::parse(
            "active_word = \"box\"\nemphasis_colour = \"#FF0000\"\nemoji = true\n",
            StyleFormat::Toml,
        )
        .unwrap();
        assert_eq!(s.active_word, ActiveWord::Box);
        assert_eq!(s.emphasis_colour, Some(Colour::rgb(255, 0, 0)));
        assert!(s.emoji);
        // Inherits the new fields from its base.
        let s = CaptionStyle::parse("base = \"word-pop\"\nsize = 80\n", StyleFormat::Toml).unwrap();
        assert_eq!((s.active_word, s.emphasis_scale), (ActiveWord::Pop, 112.0));
        // A style serialised before these fields existed still loads, with them off.
        let old = r##"{"name":"old","animation":"karaoke","font":"Montserrat","bold":true,"size":92.0,
            "primary_colour":"#FFFFFF","highlight_colour":"#FFE135","outline_colour":"#000000",
            "back_colour":"#000000A0","outline":6.0,"shadow":3.0,"boxed":false,"position":0.7,
            "align":"center","uppercase":true,"max_words_per_line":3,"max_lines":2}"##;
        let s: CaptionStyle = serde_json::from_str(old).unwrap();
        assert_eq!(
            (s.active_word, s.emphasis_colour, s.emphasis_scale, s.emoji),
            (ActiveWord::Colour, None, 100.0, false)
        );
        let e = CaptionStyle::parse("active_word = \"spin\"\n", StyleFormat::Toml)
            .unwrap_err()
            .to_string();
        assert!(e.contains("spin"), "{e}");
    }

    #[test]
    fn from_file_reads_toml_and_json_and_reports_the_path() {
        let dir = std::env::temp_dir().join(format!("reelcut-style-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let toml_path = dir.join("mine.toml");
        std::fs::write(&toml_path, "base = \"pop\"\nsize = 120\n").unwrap();
        let s = CaptionStyle::resolve(toml_path.to_str().unwrap()).unwrap();
        assert_eq!(
            (s.name.as_str(), s.animation, s.size),
            ("mine", Animation::Pop, 120.0)
        );
        let json_path = dir.join("bad.json");
        std::fs::write(&json_path, r#"{"base": "karaoke", "sise": 3}"#).unwrap();
        let e = CaptionStyle::from_file(&json_path).unwrap_err().to_string();
        assert!(
            e.contains("bad.json") && e.contains("unknown field `sise`"),
            "{e}"
        );
        let e = CaptionStyle::from_file(&dir.join("missing.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("missing.toml"), "{e}");
        assert!(CaptionStyle::resolve("glow").is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
