//! Jump cuts through the CLI, measured on the output: its length, the silences left in its
//! audio (10 ms RMS windows), the waveform at each join, caption pixels while each word is
//! spoken on the new timeline, and what Whisper hears in it. Fixtures (scripts/
//! make-test-media.sh): espeak-ng speech with planted pauses of 1.2 s and 2.0 s
//! (jumpcut-pauses.mp4) and with planted "um", "uh", "um" (jumpcut-fillers.mp4), on a dark
//! picture.

use std::path::Path;

use crate::support::*;

/// What the CLI keeps on each side of a cut (reelcut_core::jumpcut::PAD_S).
const PAD: f64 = 0.1;
/// 10 ms windows quieter than this (about -50 dBFS) are silence.
const SILENT_RMS: f32 = 0.003;

/// Stretches of silence in 48 kHz mono `pcm`, as (start, end) seconds, at least `min` long.
fn silences(pcm: &[f32], min: f64) -> Vec<(f64, f64)> {
    let win = 480;
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let n = pcm.len().div_ceil(win);
    for (i, chunk) in pcm.chunks(win).enumerate() {
        let rms = (chunk.iter().map(|s| s * s).sum::<f32>() / chunk.len() as f32).sqrt();
        let quiet = rms < SILENT_RMS;
        match (quiet, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s as f64 / 100.0, i as f64 / 100.0));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s as f64 / 100.0, n as f64 / 100.0));
    }
    out.retain(|(a, b)| b - a >= min);
    out
}

/// The silences of `pcm` that lie between sounds (not at its very start or end).
fn inner_silences(pcm: &[f32], min: f64) -> Vec<(f64, f64)> {
    let end = pcm.len() as f64 / 48000.0;
    silences(pcm, min)
        .into_iter()
        .filter(|(a, b)| *a > 0.0 && *b < end - 0.01)
        .collect()
}

fn parts_of(manifest: &serde_json::Value) -> Vec<(f64, f64)> {
    manifest["clips"][0]["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (num(&p["start"]), num(&p["end"])))
        .collect()
}

/// Where source time `t` lies on the timeline of a clip made of `parts`, if it was kept.
fn clip_time(parts: &[(f64, f64)], t: f64) -> Option<f64> {
    let mut offset = 0.0;
    for (a, b) in parts {
        if (*a..*b).contains(&t) {
            return Some(offset + t - a);
        }
        offset += b - a;
    }
    None
}

/// Largest sample-to-sample step within `ms` milliseconds of output time `t`.
fn step_near(pcm: &[f32], t: f64, ms: usize) -> f32 {
    let (i, n) = ((t * 48000.0) as usize, 48 * ms);
    let (a, b) = (i.saturating_sub(n), (i + n).min(pcm.len()));
    pcm[a..b]
        .windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(0.0, f32::max)
}

/// Words of a `reelcut transcribe --verbatim` of `path`, lower case without punctuation.
fn heard(path: &Path) -> Vec<String> {
    let o = reelcut(&[
        "transcribe",
        path.to_str().unwrap(),
        "--verbatim",
        "--no-cache",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let t: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    t["segments"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["words"].as_array().unwrap().iter())
        .map(|w| {
            w["text"]
                .as_str()
                .unwrap()
                .chars()
                .filter(|c| c.is_alphanumeric())
                .collect::<String>()
                .to_lowercase()
        })
        .collect()
}

fn is_filler(w: &str) -> bool {
    matches!(w, "um" | "umm" | "uh" | "uhm" | "erm" | "hmm" | "ah")
}

#[test]
fn pauses_are_cut_to_a_pad_each_side_and_captions_stay_on_their_words() {
    let input = media("jumpcut-pauses.mp4");
    let source = pcm(&input);
    // The planted pauses, as the source's audio has them (1.2 s and 2.0 s).
    let planted = inner_silences(&source, 0.9);
    assert_eq!(planted.len(), 2, "{planted:?}");
    let removed: f64 = planted.iter().map(|(a, b)| b - a - 2.0 * PAD).sum();
    let out = tempfile::tempdir().unwrap();
    let (code, events, stderr) = run_json(
        out.path(),
        &[
            input.to_str().unwrap(),
            "--whole",
            "--cut-silences",
            "--captions",
            "karaoke",
            "--reframe",
            "center",
            "--resolution",
            "360",
        ],
    );
    assert_eq!(code, 0, "{stderr}\n{events:?}");
    let dir = out.path().join("jumpcut-pauses");
    let clip = dir.join("clip-01.mp4");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("clips.json")).unwrap()).unwrap();
    let parts = parts_of(&manifest);

    // Shorter by the pauses, less a pad each side of each cut (the 0.3 s lead and tail are
    // under the gap and stay).
    let src_len = source.len() as f64 / 48000.0;
    let output = pcm(&clip);
    let out_len = output.len() as f64 / 48000.0;
    assert!(
        (src_len - removed - out_len).abs() < 0.15,
        "source {src_len:.2} s less {removed:.2} s of pauses, got {out_len:.2} s; parts {parts:?}"
    );
    let video = num(&stream(&ffprobe(&clip), "video")["duration"]);
    assert!(
        (video - out_len).abs() < 0.1,
        "video {video} vs audio {out_len}"
    );

    // clips.json records the parts that remain: three, the cuts where the pauses were.
    assert_eq!(parts.len(), 3, "{parts:?}");
    for ((cut_from, cut_to), (pause_from, pause_to)) in
        parts.windows(2).map(|w| (w[0].1, w[1].0)).zip(&planted)
    {
        assert!(
            (cut_from - (pause_from + PAD)).abs() < 0.1 && (cut_to - (pause_to - PAD)).abs() < 0.1,
            "cut {cut_from:.2}-{cut_to:.2} for the pause {pause_from:.2}-{pause_to:.2}"
        );
    }
    let total: f64 = parts.iter().map(|(a, b)| b - a).sum();
    assert!((num(&manifest["clips"][0]["duration"]) - total).abs() < 0.05);

    // No silence inside the output longer than the gap; where the pauses were, two pads.
    let left = inner_silences(&output, 0.05);
    let longest = left.iter().map(|(a, b)| b - a).fold(0.0, f64::max);
    assert!(longest <= 0.5 + 0.05, "silences left: {left:?}");
    let mut join = 0.0;
    for (a, b) in &parts[..parts.len() - 1] {
        join += b - a;
        let around = left
            .iter()
            .find(|(s, e)| *s <= join + 0.02 && *e >= join - 0.02)
            .unwrap_or_else(|| panic!("no silence at the join at {join:.2}: {left:?}"));
        assert!(
            (around.1 - around.0 - 2.0 * PAD).abs() < 0.1,
            "the pause at the join at {join:.2} is {around:?}"
        );
        // Joins fade: no step in the waveform.
        assert!(step_near(&output, join, 10) < 0.05, "click at {join:.2}");
    }

    // Captions follow the new timeline. The karaoke style colours the word being spoken
    // (yellow); each highlight starts when its word starts on the clip's timeline...
    let t: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("transcript.json")).unwrap()).unwrap();
    let words: Vec<(f64, f64)> = t["segments"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["words"].as_array().unwrap().iter())
        .map(|w| (num(&w["start"]), num(&w["end"])))
        .collect();
    let highlights = highlight_starts(&dir.join("clip-01.ass"));
    assert_eq!(highlights.len(), words.len(), "{highlights:?}");
    for (h, (ws, _)) in highlights.iter().zip(&words) {
        let want = clip_time(&parts, *ws).expect("every word is kept");
        assert!(
            (h - want).abs() < 0.06,
            "a word of {ws:.2} s (source) highlighted at {h:.2} s, spoken at {want:.2} s"
        );
    }
    // ... and is on screen then: the first word after each cut, mid-word.
    for (a, _) in &parts[1..] {
        let (ws, we) = words
            .iter()
            .find(|(s, _)| s >= a)
            .expect("a word after the cut");
        let at = clip_time(&parts, (ws + we) / 2.0).unwrap();
        let frame = rgb_frame_at(&clip, at);
        let yellow = frame
            .2
            .chunks_exact(3)
            .filter(|p| p[0] > 180 && p[1] > 150 && p[2] < 120)
            .count();
        assert!(
            yellow > 100,
            "no highlighted word at {at:.2} s ({yellow} px)"
        );
    }
    // In the source's own timing the last sentence starts after this clip has ended.
    let last = words.last().unwrap();
    assert!(last.0 > out_len, "{last:?} within {out_len}");
}

/// Start times (s) of the karaoke highlights in an ASS file, in order: the start of each
/// Dialogue event, one event per highlighted word.
fn highlight_starts(path: &Path) -> Vec<f64> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter_map(|l| l.strip_prefix("Dialogue:"))
        .map(|l| {
            let start = l.split(',').nth(1).unwrap().trim();
            let f: Vec<f64> = start.split(':').map(|x| x.parse().unwrap()).collect();
            f[0] * 3600.0 + f[1] * 60.0 + f[2]
        })
        .collect()
}

#[test]
fn fillers_are_cut_and_the_other_words_stay() {
    let input = media("jumpcut-fillers.mp4");
    // Whisper, told to write fillers, hears the planted ones in the source.
    let before = heard(&input);
    assert!(
        before.iter().filter(|w| is_filler(w)).count() >= 2,
        "{before:?}"
    );
    let out = tempfile::tempdir().unwrap();
    let (code, events, stderr) = run_json(
        out.path(),
        &[
            input.to_str().unwrap(),
            "--whole",
            "--cut-fillers",
            "--reframe",
            "center",
            "--resolution",
            "360",
        ],
    );
    assert_eq!(code, 0, "{stderr}\n{events:?}");
    let dir = out.path().join("jumpcut-fillers");
    let clip = dir.join("clip-01.mp4");
    let after = heard(&clip);
    assert!(
        !after.iter().any(|w| is_filler(w)),
        "fillers left in the clip: {after:?}"
    );
    let keys = ["think", "weather", "today", "should", "park", "tomorrow"];
    let kept = keys
        .iter()
        .filter(|k| after.iter().any(|w| w == *k))
        .count();
    assert!(kept >= 5, "words lost with the fillers: {after:?}");

    // Three fillers of 0.3-0.4 s each went, little else.
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("clips.json")).unwrap()).unwrap();
    let parts = parts_of(&manifest);
    assert_eq!(parts.len(), 4, "{parts:?}");
    let src_len = pcm(&input).len() as f64 / 48000.0;
    let output = pcm(&clip);
    let out_len = output.len() as f64 / 48000.0;
    let shorter = src_len - out_len;
    assert!(
        (0.9..=1.8).contains(&shorter),
        "{shorter:.2} s shorter; parts {parts:?}"
    );
    // The pauses around a filler stay as spoken (0.15 s each side): none grows past the
    // gap a listener would notice, and the joins do not click.
    let left = inner_silences(&output, 0.05);
    assert!(
        left.iter().all(|(a, b)| b - a < 0.4),
        "silences left: {left:?}"
    );
    let mut join = 0.0;
    for (a, b) in &parts[..parts.len() - 1] {
        join += b - a;
        assert!(step_near(&output, join, 10) < 0.05, "click at {join:.2}");
    }
}

#[test]
fn joins_fade_out_and_in_so_no_click_is_heard() {
    // frames.mp4 beeps at 1 kHz (amplitude 0.5) for 0.1 s every second. Join the middle of
    // one beep to the middle of the next, a quarter period apart in phase: butted together
    // the waveform would step from 0 to 0.5.
    let out = tempfile::tempdir().unwrap();
    let (code, events, stderr) = run_json(
        out.path(),
        &[
            media("frames.mp4").to_str().unwrap(),
            "--clip",
            "0.5-1.05+2.02025-3",
            "--reframe",
            "center",
            "--resolution",
            "360",
        ],
    );
    assert_eq!(code, 0, "{stderr}\n{events:?}");
    let output = pcm(&out.path().join("frames/clip-01.mp4"));
    let join = 0.55;
    // A sine of 0.5 at 1 kHz steps by up to 0.5 * 2 pi * 1000 / 48000 = 0.065 a sample.
    // (Measured: 0.09 in the beep, 0.32 at a join without fades, 0.008 with them.)
    let beep = step_near(&output, 0.52, 10);
    assert!(beep > 0.04, "no beep to compare with ({beep})");
    let at_join = step_near(&output, join, 1);
    assert!(
        at_join < 0.05,
        "step {at_join:.3} at the join (the beep's own: {beep:.3})"
    );
    // The fade is a few ms: the beep is back at full level 10 ms after the join.
    let i = ((join + 0.01) * 48000.0) as usize;
    let level = output[i..i + 480]
        .iter()
        .fold(0.0f32, |m, s| m.max(s.abs()));
    assert!(level > 0.35, "beep after the join peaks at {level}");
}
