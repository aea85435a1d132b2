//! choose_clips end to end on the generated long talk (scripts/make-test-media.sh: long.mp4,
//! six topics, hooks planted in topics 2, 4 and 6 and spoken louder). The transcript is
//! built from long.json's known sentence times (words spread over each sentence), so this
//! checks selection and the audio envelope against the truth without running Whisper.
#![allow(clippy::unwrap_used)] // test code: a panic is a failed test

use reelcut_core::select::sentences;
use reelcut_core::{Segment, Transcript, Word};
use reelcut_engine::{choose_clips, CancellationToken, SelectOptions, Signal};

#[path = "../../../tests/support/fixtures.rs"]
mod fixtures;
use fixtures::media;

struct Truth {
    start: f64,
    end: f64,
    topic: u64,
    hook: bool,
}

/// The transcript Whisper would ideally produce, and the structure behind it.
fn long_talk() -> (Transcript, Vec<Truth>) {
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(media("long.json")).unwrap()).unwrap();
    let mut segments = Vec::new();
    let mut truth = Vec::new();
    for s in json["sentences"].as_array().unwrap() {
        let (start, end) = (s["start"].as_f64().unwrap(), s["end"].as_f64().unwrap());
        let text = s["text"].as_str().unwrap();
        let letters: Vec<usize> = text.split_whitespace().map(|w| w.len() + 1).collect();
        let total: usize = letters.iter().sum();
        let mut at = start;
        let words = text
            .split_whitespace()
            .zip(&letters)
            .map(|(w, n)| {
                let d = (end - start) * *n as f64 / total as f64;
                let word = Word {
                    start: at,
                    end: at + d * 0.9,
                    text: w.into(),
                    probability: 0.9,
                };
                at += d;
                word
            })
            .collect();
        segments.push(Segment {
            start,
            end,
            text: text.into(),
            confidence: 0.9,
            words,
        });
        truth.push(Truth {
            start,
            end,
            topic: s["topic"].as_u64().unwrap(),
            hook: s["hook"].as_bool().unwrap(),
        });
    }
    let duration = truth.last().unwrap().end + 0.5;
    let t = Transcript {
        language: "en".into(),
        model: "truth".into(),
        duration,
        segments,
    };
    (t, truth)
}

/// The line of long.json that sentence `i` of the transcript belongs to (a line such as
/// "Stop scrolling! This one habit..." is two sentences).
fn line_of<'a>(t: &Transcript, truth: &'a [Truth], i: usize) -> &'a Truth {
    let s = &sentences(t)[i];
    truth
        .iter()
        .find(|l| l.start <= s.start + 1e-6 && s.end <= l.end + 1e-6)
        .unwrap()
}

#[test]
fn three_clips_one_per_hooked_topic_from_the_hook_on() {
    let (t, truth) = long_talk();
    let opts = SelectOptions::default();
    let none = CancellationToken::new();
    let clips = choose_clips(&media("long.mp4"), &t, &opts, &none).unwrap();
    assert_eq!(clips.len(), 3);
    let mut topics = Vec::new();
    for c in &clips {
        let first = line_of(&t, &truth, c.first_sentence);
        let last = line_of(&t, &truth, c.last_sentence);
        assert!(first.hook, "starts on a hook: {c:#?}");
        assert!(
            truth
                .iter()
                .filter(|l| l.start >= first.start && l.end <= last.end)
                .all(|l| l.topic == first.topic),
            "one topic: {c:#?}"
        );
        let d = c.range.duration();
        assert!((20.0..=60.0).contains(&d), "{d}");
        // The hooks were spoken louder, and the envelope heard it.
        let energy = c
            .reasons
            .iter()
            .find(|r| r.signal == Signal::Energy)
            .unwrap();
        assert!(energy.value > 0.0, "{energy:?}");
        assert!(line_of(&t, &truth, energy.sentences[0]).hook, "{energy:?}");
        topics.push(first.topic);
    }
    topics.sort_unstable();
    assert_eq!(topics, [2, 4, 6]);
    // Same input, same answer.
    let again = choose_clips(&media("long.mp4"), &t, &opts, &none).unwrap();
    assert_eq!(clips, again);
}

#[test]
fn without_audio_it_still_chooses_and_cancel_is_an_error() {
    let (t, truth) = long_talk();
    let none = CancellationToken::new();
    // noface.mp4 has no audio stream: no energy signal, but hooks still lead.
    let clips = choose_clips(&media("noface.mp4"), &t, &SelectOptions::default(), &none).unwrap();
    assert_eq!(clips.len(), 3);
    assert!(clips
        .iter()
        .all(|c| line_of(&t, &truth, c.first_sentence).hook));
    assert!(clips
        .iter()
        .all(|c| c.reasons.iter().all(|r| r.signal != Signal::Energy)));

    let cancelled = CancellationToken::new();
    cancelled.cancel();
    let e = choose_clips(
        &media("long.mp4"),
        &t,
        &SelectOptions::default(),
        &cancelled,
    )
    .unwrap_err();
    assert!(e.is_cancelled(), "{e}");

    let bad = SelectOptions {
        min_seconds: 90.0,
        max_seconds: 30.0,
        ..SelectOptions::default()
    };
    let e = choose_clips(&media("long.mp4"), &t, &bad, &none).unwrap_err();
    assert_eq!(e.kind(), reelcut_core::ErrorKind::InvalidOptions);
}
