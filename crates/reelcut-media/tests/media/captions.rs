//! Captions in scripts Montserrat lacks (Chinese, Arabic), as libass draws them: the ASS
//! that `reelcut_core::captions` writes, burned by libavfilter's `subtitles` filter with
//! the bundled fonts folder, frames read back as pixels.
//!
//! The same filter runs twice through the ffmpeg CLI with a fontconfig that knows no fonts
//! (so nothing can come from the machine): once as written, once with the script fonts
//! taken out and only Montserrat in the folder, which draws its .notdef box for every
//! character. Boxes are identical shapes; glyphs are not: the measure is the spread of ink
//! between the separate shapes of a line. Then the product's own graph (`render_clip`)
//! draws the written script on a clip.

use std::path::{Path, PathBuf};
use std::process::Command;

use reelcut_core::captions::{render_ass, Animation, CaptionStyle};
use reelcut_core::{
    Aspect, CancellationToken, ClipSpec, EncoderChoice, EncoderSettings, Layout, OutputSize,
    RenderSpec, Word,
};
use reelcut_media::render_clip;

use crate::fixtures::repo;

const W: u32 = 1080;
const H: u32 = 1920;

fn fonts_dir() -> PathBuf {
    let dir = repo().join("assets/fonts/scripts");
    for f in [
        "NotoSansCJK-Bold.ttc",
        "NotoSansArabic-Bold.ttf",
        "Montserrat-Bold.ttf",
    ] {
        assert!(
            dir.join(f).is_file(),
            "{} missing: run scripts/setup.sh",
            dir.join(f).display()
        );
    }
    dir
}

/// Words 0.5 s apart, the first lit from 0 to 0.5 s (karaoke).
fn words(texts: &[&str]) -> Vec<Word> {
    texts
        .iter()
        .enumerate()
        .map(|(i, t)| Word {
            start: i as f64 * 0.5,
            end: i as f64 * 0.5 + 0.45,
            text: (*t).into(),
            probability: 1.0,
        })
        .collect()
}

/// One line, karaoke (the spoken word yellow, the others white) or static (all white).
fn script_ass(texts: &[&str], animation: Animation) -> String {
    let style = CaptionStyle {
        max_words_per_line: 6,
        animation,
        ..CaptionStyle::named("karaoke").unwrap()
    };
    render_ass(
        &words(texts),
        OutputSize {
            width: W,
            height: H,
        },
        &style,
    )
}

struct Frame {
    rgb: Vec<u8>,
}

impl Frame {
    fn px(&self, x: u32, y: u32) -> (i32, i32, i32) {
        let i = ((y * W + x) * 3) as usize;
        (
            self.rgb[i] as i32,
            self.rgb[i + 1] as i32,
            self.rgb[i + 2] as i32,
        )
    }
    /// Text fill: white, or the karaoke yellow (#FFE135).
    fn white(&self, x: u32, y: u32) -> bool {
        let (r, g, b) = self.px(x, y);
        r > 200 && g > 200 && b > 200
    }
    fn yellow(&self, x: u32, y: u32) -> bool {
        let (r, g, b) = self.px(x, y);
        r > 200 && g > 170 && b < 120
    }
    /// Bright enough to be text fill of either colour (the outline is black, the
    /// background dark blue).
    fn ink(&self, x: u32, y: u32) -> bool {
        let (r, g, b) = self.px(x, y);
        r * 299 + g * 587 + b * 114 > 150_000
    }
    fn count(&self, f: impl Fn(u32, u32) -> bool) -> usize {
        (0..H)
            .flat_map(|y| (0..W).map(move |x| (x, y)))
            .filter(|&(x, y)| f(x, y))
            .count()
    }
    /// Mean x of the pixels `f` accepts.
    fn centroid_x(&self, f: impl Fn(u32, u32) -> bool) -> f64 {
        let xs: Vec<u32> = (0..H)
            .flat_map(|y| (0..W).map(move |x| (x, y)))
            .filter(|&(x, y)| f(x, y))
            .map(|(x, _)| x)
            .collect();
        xs.iter().map(|&x| x as f64).sum::<f64>() / xs.len().max(1) as f64
    }
    /// The line's separate shapes, left to right: runs of columns with ink, and the ink in
    /// each.
    fn shapes(&self) -> Vec<(u32, usize)> {
        crate::ink::shapes((0..W).map(|x| (0..H).filter(|&y| self.ink(x, y)).count()))
    }
}

use crate::ink::spread;

/// Burns `ass` on a dark frame with the ffmpeg CLI's `subtitles` filter, loading fonts
/// from `fonts` only, and returns the frame at 0.2 s.
fn burn(dir: &Path, name: &str, ass: &str, fonts: &Path) -> Frame {
    let ass_path = dir.join(format!("{name}.ass"));
    std::fs::write(&ass_path, ass).unwrap();
    // A fontconfig that lists no font directories: the machine's fonts cannot fill in.
    let conf = dir.join("fonts.conf");
    std::fs::write(
        &conf,
        format!(
            "<?xml version=\"1.0\"?>\n<fontconfig><cachedir>{}</cachedir></fontconfig>\n",
            dir.join("fc-cache").display()
        ),
    )
    .unwrap();
    let filter = format!(
        "subtitles=filename={}:fontsdir={}",
        ass_path.display(),
        fonts.display()
    );
    let out = Command::new("ffmpeg")
        .env("FONTCONFIG_FILE", &conf)
        .args(["-hide_banner", "-v", "error", "-f", "lavfi", "-i"])
        .arg(format!("color=c=0x203040:s={W}x{H}:d=1:r=10"))
        .args(["-vf", &filter, "-ss", "0.2", "-frames:v", "1"])
        .args(["-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
        .output()
        .expect("run ffmpeg");
    assert!(
        out.status.success() && out.stdout.len() == (W * H * 3) as usize,
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // For a person to look at: REELCUT_TEST_FRAMES=DIR keeps each frame as DIR/NAME.png.
    if let Some(keep) = std::env::var_os("REELCUT_TEST_FRAMES") {
        std::fs::create_dir_all(&keep).unwrap();
        let png = Path::new(&keep).join(format!("{name}.png"));
        let status = Command::new("ffmpeg")
            .args([
                "-hide_banner",
                "-v",
                "error",
                "-y",
                "-f",
                "rawvideo",
                "-pix_fmt",
                "rgb24",
            ])
            .args([
                "-s",
                &format!("{W}x{H}"),
                "-i",
                "-",
                "-frames:v",
                "1",
                "-update",
                "1",
            ])
            .arg(&png)
            .stdin(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut c| {
                use std::io::Write;
                c.stdin.take().unwrap().write_all(&out.stdout)?;
                c.wait()
            })
            .unwrap();
        assert!(status.success());
    }
    Frame { rgb: out.stdout }
}

/// The ASS with every `\fn` taken out: what the caption would be without script fonts.
fn without_script_fonts(ass: &str) -> String {
    let mut out = String::new();
    let mut rest = ass;
    while let Some(at) = rest.find("{\\fn") {
        out.push_str(&rest[..at]);
        let end = rest[at..].find('}').unwrap();
        rest = &rest[at + end + 1..];
    }
    out.push_str(rest);
    out
}

fn montserrat_only(dir: &Path) -> PathBuf {
    let only = dir.join("montserrat-only");
    std::fs::create_dir_all(&only).unwrap();
    std::fs::copy(
        fonts_dir().join("Montserrat-Bold.ttf"),
        only.join("Montserrat-Bold.ttf"),
    )
    .unwrap();
    only
}

#[test]
fn chinese_and_arabic_captions_are_glyphs_not_boxes() {
    let dir = tempfile::tempdir().unwrap();
    let fonts = fonts_dir();
    let only = montserrat_only(dir.path());
    for (name, texts, chars) in [
        ("chinese", &["我们", "今天", "学习", "中文"][..], 8),
        ("arabic", &["مرحبا", "بكم", "في", "المدينة"][..], 17),
    ] {
        let ass = script_ass(texts, Animation::Static);
        assert!(ass.contains("{\\fnNoto Sans"), "{ass}");
        let ours = burn(dir.path(), name, &ass, &fonts);
        let boxes = burn(
            dir.path(),
            &format!("{name}-boxes"),
            &without_script_fonts(&ass),
            &only,
        );
        let (s_ours, s_boxes) = (ours.shapes(), boxes.shapes());
        eprintln!(
            "{name}: boxes spread {:.3}, ours {:.3}",
            spread(&s_boxes),
            spread(&s_ours)
        );
        // Montserrat alone: one box per character, alike but for where the antialiasing
        // falls (measured: 0.056 for Chinese).
        assert_eq!(s_boxes.len(), chars, "{name}: boxes {s_boxes:?}");
        assert!(spread(&s_boxes) < 0.1, "{name}: boxes {s_boxes:?}");
        // Ours: shapes of their own (measured: 0.30 for Chinese). Chinese: one per
        // ideograph (a few split in two), Arabic: joined letters, fewer shapes than
        // characters.
        assert!(
            spread(&s_ours) > 0.2,
            "{name}: shapes too alike to be glyphs: {s_ours:?}"
        );
        match name {
            "chinese" => assert!((8..=12).contains(&s_ours.len()), "{s_ours:?}"),
            _ => assert!(s_ours.len() < chars, "{s_ours:?}"),
        }
        // And the two renders differ where the ink is.
        let both = ours.count(|x, y| ours.ink(x, y) && boxes.ink(x, y));
        let either = ours.count(|x, y| ours.ink(x, y) || boxes.ink(x, y));
        assert!(
            (both as f64) < 0.5 * either as f64,
            "{name}: {both} of {either} ink pixels shared with the boxes"
        );
    }
}

#[test]
fn arabic_reads_right_to_left_and_chinese_left_to_right() {
    let dir = tempfile::tempdir().unwrap();
    let fonts = fonts_dir();
    // At 0.2 s the first word (logical order) is lit: yellow, the rest white.
    let arabic = burn(
        dir.path(),
        "rtl",
        &script_ass(&["مرحبا", "بكم", "في", "المدينة"], Animation::Karaoke),
        &fonts,
    );
    let lit = arabic.centroid_x(|x, y| arabic.yellow(x, y));
    let rest = arabic.centroid_x(|x, y| arabic.white(x, y));
    assert!(
        arabic.count(|x, y| arabic.yellow(x, y)) > 500,
        "no lit word drawn"
    );
    assert!(
        lit > rest + 40.0,
        "the first Arabic word is at x {lit:.0}, the others at {rest:.0}: not right to left"
    );
    let chinese = burn(
        dir.path(),
        "ltr",
        &script_ass(&["我们", "今天", "学习", "中文"], Animation::Karaoke),
        &fonts,
    );
    let lit = chinese.centroid_x(|x, y| chinese.yellow(x, y));
    let rest = chinese.centroid_x(|x, y| chinese.white(x, y));
    assert!(
        lit + 40.0 < rest,
        "Chinese: first word at {lit:.0}, others at {rest:.0}"
    );
}

#[test]
fn the_render_graph_draws_script_captions_from_the_bundled_fonts() {
    let dir = tempfile::tempdir().unwrap();
    let fonts = fonts_dir();
    let ass = script_ass(&["مرحبا", "بكم", "你好", "世界"], Animation::Karaoke);
    let reference = burn(dir.path(), "reference", &ass, &fonts);
    let src = dir.path().join("src.mp4");
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-v", "error", "-f", "lavfi", "-i"])
        .arg(format!("color=c=0x203040:s={W}x{H}:d=1:r=10"))
        .args(["-c:v", "libx264", "-pix_fmt", "yuv420p"])
        .arg(&src)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let subs = dir.path().join("clip.ass");
    std::fs::write(&subs, &ass).unwrap();
    let output = dir.path().join("clip.mp4");
    let spec = RenderSpec {
        input: src,
        output: output.clone(),
        clip: ClipSpec::single(0.0, 1.0),
        aspect: Aspect::Vertical,
        size: OutputSize {
            width: W,
            height: H,
        },
        layout: Layout::Crop,
        blur_ranges: Vec::new(),
        panels: Vec::new(),
        crop: None,
        subtitles: Some(subs),
        fonts_dir: Some(fonts),
        font_family: "Montserrat".into(),
        font_file: None,
        watermark: None,
        encoder: EncoderSettings {
            encoder: EncoderChoice::Named("libx264".into()),
            preset: "ultrafast".into(),
            crf: 10,
            audio_bitrate: 64_000,
        },
        audio_track: None,
    };
    render_clip(&spec, &CancellationToken::new(), &mut |_| {}).unwrap();
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-v", "error", "-i"])
        .arg(&output)
        .args([
            "-ss",
            "0.2",
            "-frames:v",
            "1",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-",
        ])
        .output()
        .unwrap();
    assert_eq!(out.stdout.len(), (W * H * 3) as usize);
    let rendered = Frame { rgb: out.stdout };
    // The same glyphs in the same places, give or take the encode.
    let both = rendered.count(|x, y| rendered.ink(x, y) && reference.ink(x, y));
    let either = rendered.count(|x, y| rendered.ink(x, y) || reference.ink(x, y));
    assert!(either > 1500, "hardly any caption ink: {either}");
    assert!(
        both as f64 > 0.7 * either as f64,
        "{both} of {either} ink pixels agree with the reference"
    );
}
