//! Measuring tools for black-box tests: the reelcut binary, fixtures, and ffprobe/ffmpeg as
//! independent instruments (the product itself never spawns them).
#![allow(clippy::unwrap_used)] // test code: a panic is a failed test
#![allow(dead_code)]

pub mod http;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[path = "../../support/fixtures.rs"]
mod fixtures;
#[path = "../../support/ink.rs"]
pub mod ink;
pub use fixtures::{media, repo};

/// A job store for this test process alone, so tests never see each other's jobs.
pub fn state_dir() -> PathBuf {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("temp dir"))
        .path()
        .to_path_buf()
}

pub fn reelcut(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_reelcut"))
        .args(args)
        .env("REELCUT_STATE_DIR", state_dir())
        .output()
        .expect("run reelcut")
}

/// Runs `reelcut run --json` with fast test settings and returns (exit code, JSON events).
pub fn run_json(out: &Path, args: &[&str]) -> (i32, Vec<serde_json::Value>, String) {
    let mut all = vec![
        "run",
        "--json",
        "--out",
        out.to_str().expect("utf-8 path"),
        "--preset",
        "ultrafast",
    ];
    all.extend_from_slice(args);
    let o = reelcut(&all);
    let stdout = String::from_utf8_lossy(&o.stdout);
    let events = stdout
        .lines()
        .map(|l| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {l}"))
        })
        .collect();
    (
        o.status.code().unwrap_or(-1),
        events,
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

pub fn events_of<'a>(events: &'a [serde_json::Value], kind: &str) -> Vec<&'a serde_json::Value> {
    events.iter().filter(|e| e["event"] == kind).collect()
}

pub fn ffprobe(path: &Path) -> serde_json::Value {
    let o = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_streams",
            "-show_format",
            "-count_frames",
            "-of",
            "json",
        ])
        .arg(path)
        .output()
        .expect("run ffprobe");
    assert!(o.status.success(), "ffprobe failed on {}", path.display());
    serde_json::from_slice(&o.stdout).expect("ffprobe json")
}

pub fn stream<'a>(probe: &'a serde_json::Value, kind: &str) -> &'a serde_json::Value {
    probe["streams"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["codec_type"] == kind))
        .unwrap_or_else(|| panic!("no {kind} stream"))
}

pub fn num(v: &serde_json::Value) -> f64 {
    v.as_f64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        .unwrap_or_else(|| panic!("not a number: {v}"))
}

/// Presentation times of every video frame, seconds.
pub fn frame_times(path: &Path) -> Vec<f64> {
    frame_types(path).into_iter().map(|(t, _)| t).collect()
}

/// Presentation time and picture type ('I', 'P', 'B') of every video frame, in decoding
/// order.
pub fn frame_types(path: &Path) -> Vec<(f64, char)> {
    let o = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-show_entries",
            "frame=pts_time,pict_type",
            "-of",
            "csv=p=0",
        ])
        .arg(path)
        .output()
        .expect("run ffprobe");
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter_map(|l| {
            let mut f = l.trim().split(',');
            let t = f.next()?.parse().ok()?;
            Some((t, f.next().and_then(|p| p.chars().next()).unwrap_or('?')))
        })
        .collect()
}

/// Every frame as 8-bit grey at `w`x`h`.
pub fn gray_frames(path: &Path, w: u32, h: u32) -> Vec<Vec<u8>> {
    let o = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args([
            "-vf",
            &format!("scale={w}:{h}:flags=area"),
            "-f",
            "rawvideo",
            "-pix_fmt",
            "gray",
            "-",
        ])
        .output()
        .expect("run ffmpeg");
    assert!(o.status.success());
    o.stdout
        .chunks_exact((w * h) as usize)
        .map(<[u8]>::to_vec)
        .collect()
}

/// One RGB frame at time `t` (full size).
pub fn rgb_frame_at(path: &Path, t: f64) -> (u32, u32, Vec<u8>) {
    let p = ffprobe(path);
    let v = stream(&p, "video");
    let (w, h) = (num(&v["width"]) as u32, num(&v["height"]) as u32);
    let o = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args([
            "-ss",
            &format!("{t:.3}"),
            "-frames:v",
            "1",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-",
        ])
        .output()
        .expect("run ffmpeg");
    assert_eq!(
        o.stdout.len(),
        (w * h * 3) as usize,
        "frame at {t} of {}",
        path.display()
    );
    (w, h, o.stdout)
}

/// Mean RGB and the share of pixels brighter than 160 (luma) in a region given in
/// fractions of the frame.
pub fn region_stats(
    frame: &(u32, u32, Vec<u8>),
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
) -> ([f64; 3], f64) {
    let (w, h, px) = frame;
    let (xa, xb) = ((x0 * *w as f64) as usize, (x1 * *w as f64) as usize);
    let (ya, yb) = ((y0 * *h as f64) as usize, (y1 * *h as f64) as usize);
    let (mut sum, mut bright, mut n) = ([0.0; 3], 0usize, 0usize);
    for y in ya..yb {
        for x in xa..xb {
            let i = (y * *w as usize + x) * 3;
            let (r, g, b) = (px[i] as f64, px[i + 1] as f64, px[i + 2] as f64);
            sum[0] += r;
            sum[1] += g;
            sum[2] += b;
            if 0.299 * r + 0.587 * g + 0.114 * b > 160.0 {
                bright += 1;
            }
            n += 1;
        }
    }
    let n = n.max(1) as f64;
    ([sum[0] / n, sum[1] / n, sum[2] / n], bright as f64 / n)
}

/// Reads the 12-bit frame number that tests/media/frames.mp4 draws as horizontal bands
/// (band k = bit k, 1/12 of the height each), from a grey frame of `w`x`h`.
pub fn barcode(frame: &[u8], w: u32, h: u32) -> u32 {
    (0..12).fold(0, |n, k| {
        let y = ((k as f64 + 0.5) / 12.0 * h as f64) as usize;
        let v = frame[y * w as usize + w as usize / 2];
        if v > 128 {
            n | (1 << k)
        } else {
            n
        }
    })
}

/// Mono PCM at 48 kHz.
pub fn pcm(path: &Path) -> Vec<f32> {
    let o = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args(["-vn", "-ac", "1", "-ar", "48000", "-f", "f32le", "-"])
        .output()
        .expect("run ffmpeg");
    o.stdout
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

/// Start times (s) of tone bursts: where 2 ms RMS rises above `threshold` after silence.
pub fn onsets(pcm: &[f32], threshold: f32) -> Vec<f64> {
    let win = 96;
    let mut out = Vec::new();
    let mut on = false;
    for (i, chunk) in pcm.chunks(win).enumerate() {
        let rms = (chunk.iter().map(|s| s * s).sum::<f32>() / chunk.len() as f32).sqrt();
        if !on && rms > threshold {
            out.push((i * win) as f64 / 48000.0);
        }
        on = rms > threshold * 0.5;
    }
    out
}

/// Every file under `dir` whose name marks it as temporary.
pub fn leftovers(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                found.extend(leftovers(&p));
            } else if p.to_string_lossy().contains(".partial")
                || p.extension().is_some_and(|x| x == "tmp")
            {
                found.push(p);
            }
        }
    }
    found
}
