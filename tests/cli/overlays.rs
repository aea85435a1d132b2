//! Subtitles and watermarks burned in the same pass, found by their pixels. The source is
//! a flat dark grey (tests/media/dark.mp4), so anything bright or coloured was drawn by us.

use crate::support::*;

fn render(out: &std::path::Path, extra: &[&str]) -> std::path::PathBuf {
    let mut args = vec![
        media("dark.mp4").to_string_lossy().into_owned(),
        "--resolution".into(),
        "360".into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, events, stderr) = run_json(out, &args);
    assert_eq!(code, 0, "reelcut failed: {stderr}\n{events:?}");
    out.join("dark/clip-01.mp4")
}

fn text_share(clip: &std::path::Path, t: f64, y0: f64, y1: f64) -> f64 {
    region_stats(&rgb_frame_at(clip, t), 0.0, y0, 1.0, y1).1
}

#[test]
fn srt_cue_is_visible_only_while_shown() {
    let out = tempfile::tempdir().unwrap();
    let subs = media("cue.srt");
    let clip = render(
        out.path(),
        &["--clip", "0-6", "--subtitles", subs.to_str().unwrap()],
    );
    let during = text_share(&clip, 2.0, 0.5, 1.0);
    let after = text_share(&clip, 5.0, 0.5, 1.0);
    let before = text_share(&clip, 0.5, 0.5, 1.0);
    assert!(during > 0.005, "cue pixels while shown: {during}");
    assert!(
        after < 0.0005 && before < 0.0005,
        "no cue pixels outside 1-3 s: {before} {after}"
    );
    // The cue is burned in the lower part of the frame, not the top.
    assert!(text_share(&clip, 2.0, 0.0, 0.4) < 0.0005);
}

#[test]
fn subtitles_are_retimed_to_the_clip() {
    let out = tempfile::tempdir().unwrap();
    let subs = media("cue.vtt");
    // Source cue 1-3 s; the clip starts at 2 s, so the cue shows during clip 0-1 s.
    let clip = render(
        out.path(),
        &["--clip", "2-6", "--subtitles", subs.to_str().unwrap()],
    );
    assert!(text_share(&clip, 0.5, 0.5, 1.0) > 0.005);
    assert!(text_share(&clip, 1.5, 0.5, 1.0) < 0.0005);
    let written = std::fs::read_to_string(out.path().join("dark/clip-01.srt")).unwrap();
    assert!(
        written.contains("00:00:00,000 --> 00:00:01,000"),
        "{written}"
    );
}

#[test]
fn ass_file_keeps_its_own_layout() {
    let out = tempfile::tempdir().unwrap();
    let subs = media("cue.ass");
    // PlayRes 1080x1920, bottom-centre with MarginV 500: the text sits around 70 % height.
    let clip = render(
        out.path(),
        &["--clip", "0-6", "--subtitles", subs.to_str().unwrap()],
    );
    assert!(text_share(&clip, 2.0, 0.55, 0.78) > 0.01);
    assert!(text_share(&clip, 2.0, 0.8, 1.0) < 0.0005);
    assert!(text_share(&clip, 4.0, 0.0, 1.0) < 0.0005);
}

#[test]
fn image_watermark_lands_in_its_corner_with_its_opacity() {
    let out = tempfile::tempdir().unwrap();
    let logo = media("logo.png");
    let clip = render(
        out.path(),
        &[
            "--clip",
            "0-2",
            "--watermark",
            logo.to_str().unwrap(),
            "--watermark-position",
            "top-right",
            "--watermark-opacity",
            "0.8",
        ],
    );
    let f = rgb_frame_at(&clip, 1.0);
    // 360 px wide: logo 90x45 at x = 360-90-14 = 256, y = 14.
    let (inside, _) = region_stats(&f, 0.74, 0.03, 0.94, 0.085);
    // Magenta at 80 % over #202020: about (211, 26, 211).
    assert!(
        inside[0] > 180.0 && inside[1] < 60.0 && inside[2] > 180.0,
        "logo pixels {inside:?}"
    );
    assert!(
        inside[0] < 240.0,
        "opacity applied (not fully opaque): {inside:?}"
    );
    for (x0, y0) in [(0.05, 0.03), (0.05, 0.9), (0.74, 0.9)] {
        let (other, _) = region_stats(&f, x0, y0, x0 + 0.2, y0 + 0.05);
        assert!(
            other[0] < 50.0 && other[1] < 50.0,
            "no logo at ({x0},{y0}): {other:?}"
        );
    }
}

#[test]
fn text_watermark_and_subtitles_in_one_pass() {
    let out = tempfile::tempdir().unwrap();
    let subs = media("cue.srt");
    let clip = render(
        out.path(),
        &[
            "--clip",
            "0-4",
            "--subtitles",
            subs.to_str().unwrap(),
            "--watermark-text",
            "@reelcut",
            "--watermark-position",
            "top-left",
        ],
    );
    let f = rgb_frame_at(&clip, 2.0);
    let (_, mark) = region_stats(&f, 0.0, 0.0, 0.6, 0.1);
    let (_, empty) = region_stats(&f, 0.6, 0.0, 1.0, 0.1);
    assert!(mark > 0.01, "text watermark pixels top-left: {mark}");
    assert!(empty < 0.001, "nothing top-right: {empty}");
    assert!(
        text_share(&clip, 2.0, 0.5, 1.0) > 0.005,
        "subtitle present too"
    );
}

#[test]
fn hostile_subtitles_are_drawn_as_plain_subtitles() {
    let dir = tempfile::tempdir().unwrap();
    // Override tags and a huge font in an SRT cue: without sanitising it is drawn at the
    // top (\an8), filling the frame.
    let srt = dir.path().join("hostile.srt");
    std::fs::write(
        &srt,
        "1\n00:00:00,500 --> 00:00:01,500\n{\\an8\\fs400}<font size=\"20000\">TOP</font>\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let clip = render(
        out.path(),
        &["--clip", "0-2", "--subtitles", srt.to_str().unwrap()],
    );
    assert!(text_share(&clip, 1.0, 0.5, 1.0) > 0.002, "drawn low");
    assert!(
        text_share(&clip, 1.0, 0.0, 0.4) < 0.0005,
        "nothing at the top"
    );
    assert!(
        text_share(&clip, 1.0, 0.0, 1.0) < 0.1,
        "not a frame-sized glyph"
    );

    // 20 000 cues at once, each asking for a 20000-unit font and a 300-pixel blur.
    let ass = dir.path().join("hostile.ass");
    let mut text = String::from(
        "[Script Info]\nPlayResX: 1080\nPlayResY: 1920\n\n[V4+ Styles]\n\
         Format: Name, Fontname, Fontsize, PrimaryColour, Alignment, MarginV\n\
         Style: Default,Montserrat,20000,&H00FFFFFF,2,200\n\n[Events]\n\
         Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n",
    );
    for i in 0..20_000 {
        text.push_str(&format!(
            "Dialogue: 0,0:00:00.{:02},0:00:01.90,Default,,0,0,0,,{{\\fs20000\\blur300}}W{i}\n",
            i % 50
        ));
    }
    std::fs::write(&ass, text).unwrap();
    let out = tempfile::tempdir().unwrap();
    render(
        out.path(),
        &["--clip", "0-2", "--subtitles", ass.to_str().unwrap()],
    );
    let written = std::fs::read_to_string(out.path().join("dark/clip-01.ass")).unwrap();
    let shown = written
        .lines()
        .filter(|l| l.starts_with("Dialogue:"))
        .count();
    assert!(shown <= 8, "{shown} cues at once");
    assert!(written.contains("{\\fs1920\\blur20}"), "clamped overrides");
    assert!(
        written.contains("Style: Default,Montserrat,1920,"),
        "clamped style"
    );
}

/// Separate bright shapes of a frame, left to right: (columns, ink pixels) per run of
/// columns holding pixels brighter than luma 150.
fn shapes(frame: &(u32, u32, Vec<u8>)) -> Vec<(u32, usize)> {
    let (w, h, px) = frame;
    crate::support::ink::shapes((0..*w).map(|x| {
        (0..*h)
            .filter(|y| {
                let i = ((y * w + x) * 3) as usize;
                let (r, g, b) = (px[i] as u32, px[i + 1] as u32, px[i + 2] as u32);
                r * 299 + g * 587 + b * 114 > 150_000
            })
            .count()
    }))
}

use crate::support::ink::spread;

#[test]
fn chinese_and_arabic_subtitles_are_drawn_from_the_bundled_fonts() {
    let out = tempfile::tempdir().unwrap();
    let srt = out.path().join("subs.srt");
    std::fs::write(
        &srt,
        "1\n00:00:00,000 --> 00:00:01,000\n一十大中国人\n\n2\n00:00:01,000 --> 00:00:02,000\nمرحبا بكم\n",
    )
    .unwrap();
    // A fontconfig with no fonts at all: only assets/fonts can draw these.
    let conf = out.path().join("fonts.conf");
    std::fs::write(
        &conf,
        format!(
            "<?xml version=\"1.0\"?>\n<fontconfig><cachedir>{}</cachedir></fontconfig>\n",
            out.path().join("fc").display()
        ),
    )
    .unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_reelcut"))
        .env("REELCUT_STATE_DIR", state_dir())
        .env("FONTCONFIG_FILE", &conf)
        .args(["run", "--json", "--preset", "ultrafast", "--out"])
        .arg(out.path())
        .arg(media("dark.mp4"))
        .args(["--clip", "0-2", "--resolution", "720", "--subtitles"])
        .arg(&srt)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let clip = out.path().join("dark/clip-01.mp4");
    let chinese = shapes(&rgb_frame_at(&clip, 0.5));
    let arabic = shapes(&rgb_frame_at(&clip, 1.5));
    eprintln!(
        "chinese {} shapes, spread {:.3}; arabic {} shapes, spread {:.3}",
        chinese.len(),
        spread(&chinese),
        arabic.len(),
        spread(&arabic)
    );
    // Six ideographs of 1 to 8 strokes (a few split in two), each its own shape:
    // Montserrat's boxes would be six alike shapes, its missing glyphs nothing at all.
    assert!((6..=9).contains(&chinese.len()), "{chinese:?}");
    assert!(spread(&chinese) > 0.2, "{chinese:?}");
    // Eight Arabic letters join into fewer, unlike shapes.
    assert!((2..8).contains(&arabic.len()), "{arabic:?}");
    assert!(spread(&arabic) > 0.2, "{arabic:?}");
}
