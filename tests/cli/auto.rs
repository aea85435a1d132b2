//! Automatic clip selection end to end: `reelcut run long.mp4` (no `--clip`) on 2.5 minutes
//! of generated speech in six topics, three of which open with a louder "hook"
//! (tests/media/long.json gives every sentence's time, topic and hook flag).

use crate::support::*;
use serde_json::Value;

struct Sentence {
    start: f64,
    end: f64,
    topic: u64,
    hook: bool,
}

fn truth() -> Vec<Sentence> {
    let v: Value = serde_json::from_slice(&std::fs::read(media("long.json")).unwrap()).unwrap();
    v["sentences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| Sentence {
            start: num(&s["start"]),
            end: num(&s["end"]),
            topic: s["topic"].as_u64().unwrap(),
            hook: s["hook"].as_bool().unwrap(),
        })
        .collect()
}

const FAST: [&str; 6] = [
    "--reframe",
    "center",
    "--resolution",
    "240",
    "--captions",
    "none",
];

#[test]
fn without_clip_ranges_three_sensible_clips_are_chosen_and_explained() {
    let out = tempfile::tempdir().unwrap();
    let input = media("long.mp4");
    let mut args = vec![input.to_str().unwrap()];
    args.extend(FAST);
    let (code, events, stderr) = run_json(out.path(), &args);
    assert_eq!(code, 0, "{stderr}\n{events:?}");
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(out.path().join("long/clips.json")).unwrap())
            .unwrap();
    let clips = manifest["clips"].as_array().unwrap();
    assert_eq!(clips.len(), 3, "{manifest}");
    let truth = truth();
    let mut ranges = Vec::new();
    let mut topics = Vec::new();
    for c in clips {
        let (start, end) = (num(&c["parts"][0]["start"]), num(&c["parts"][0]["end"]));
        let len = end - start;
        assert!((20.0..=60.5).contains(&len), "length {len}: {c}");
        // Starts at a sentence start, ends at a sentence end (the transcript's times are
        // Whisper's, so within half a second of the generator's).
        let first = truth
            .iter()
            .min_by(|a, b| (a.start - start).abs().total_cmp(&(b.start - start).abs()))
            .unwrap();
        let last = truth
            .iter()
            .min_by(|a, b| (a.end - end).abs().total_cmp(&(b.end - end).abs()))
            .unwrap();
        assert!(
            (first.start - start).abs() < 0.6,
            "start {start} vs {}",
            first.start
        );
        assert!((last.end - end).abs() < 0.6, "end {end} vs {}", last.end);
        // It picked a planted hook, not filler, and stayed inside that topic.
        assert!(first.hook, "clip at {start} does not start on a hook");
        assert_eq!(
            first.topic, last.topic,
            "clip {start}-{end} crosses a topic change"
        );
        topics.push(first.topic);
        ranges.push((start, end));
        // Explained: a score, the signals behind it, the words.
        assert!(num(&c["score"]) > 0.0);
        let reasons = c["reasons"].as_array().unwrap();
        assert!(reasons.iter().any(|r| r["signal"] == "hook"), "{c}");
        assert!(c["excerpt"].as_str().unwrap().split_whitespace().count() > 30);
        // The rendered clip is that range.
        let clip = out.path().join("long").join(c["output"].as_str().unwrap());
        let d = num(&ffprobe(&clip)["format"]["duration"]);
        assert!((d - len).abs() < 0.1, "{d} vs {len}");
    }
    topics.sort();
    assert_eq!(topics, vec![2, 4, 6], "the three hook topics");
    ranges.sort_by(|a, b| a.0.total_cmp(&b.0));
    assert!(ranges.windows(2).all(|w| w[0].1 <= w[1].0), "{ranges:?}");

    // The same again with --auto 2 (and --force): the two best of the same three, same
    // ranges (scores may move slightly: the diversity term depends on what else is picked).
    let mut two = args.clone();
    two.extend(["--auto", "2", "--force"]);
    let (code, _, stderr) = run_json(out.path(), &two);
    assert_eq!(code, 0, "{stderr}");
    let again: Value =
        serde_json::from_slice(&std::fs::read(out.path().join("long/clips.json")).unwrap())
            .unwrap();
    let again = again["clips"].as_array().unwrap();
    assert_eq!(again.len(), 2);
    for (a, b) in again.iter().zip(clips) {
        assert_eq!(a["parts"], b["parts"]);
    }
}

#[test]
fn an_input_without_audio_becomes_one_whole_clip() {
    let out = tempfile::tempdir().unwrap();
    let input = media("mixed.mp4");
    let mut args = vec![input.to_str().unwrap()];
    args.extend(FAST);
    let (code, events, stderr) = run_json(out.path(), &args);
    assert_eq!(code, 0, "{stderr}");
    assert!(stages_started(&events).iter().all(|s| s != "transcribe"));
    let done = events_of(&events, "job_done")[0];
    let clip = std::path::PathBuf::from(done["outputs"][0].as_str().unwrap());
    assert!((num(&ffprobe(&clip)["format"]["duration"]) - 6.0).abs() < 0.1);
}

#[test]
fn bad_selection_options_are_usage_errors() {
    let out = tempfile::tempdir().unwrap();
    let input = media("long.mp4");
    for bad in [
        vec!["--auto", "0"],
        vec!["--min-seconds", "50", "--max-seconds", "10"],
        vec!["--auto", "2", "--clip", "1-2"],
    ] {
        let mut args = vec![input.to_str().unwrap()];
        args.extend(bad.iter().copied());
        let (code, _, stderr) = run_json(out.path(), &args);
        assert_eq!(code, 2, "{bad:?}: {stderr}");
    }
}

fn stages_started(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .filter(|e| e["event"] == "stage_started")
        .map(|e| e["stage"].as_str().unwrap().to_string())
        .collect()
}
