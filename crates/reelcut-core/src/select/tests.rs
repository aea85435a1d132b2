//! Selection on synthetic transcripts with a known structure: topics of bland sentences
//! built from their own vocabulary, with planted hook sentences, pauses and loud stretches.
#![allow(clippy::unwrap_used)] // test code: a panic is a failed test

use super::*;
use crate::transcript::{Segment, Word};

const WORD_S: f64 = 0.32;
const WORD_GAP_S: f64 = 0.06;
const SENTENCE_GAP_S: f64 = 0.5;

/// A line of the synthetic talk: its text, its topic, and the silence before it.
struct Line {
    text: String,
    topic: usize,
    pause_before: f64,
}

const TOPICS: [[&str; 6]; 6] = [
    ["office", "lobby", "kitchen", "desk", "library", "elevator"],
    ["bread", "flour", "oven", "dough", "starter", "crust"],
    [
        "train",
        "station",
        "platform",
        "ticket",
        "timetable",
        "carriage",
    ],
    [
        "money", "savings", "paycheck", "account", "budget", "interest",
    ],
    ["garden", "lawn", "shed", "shrub", "path", "fence"],
    ["sleep", "bedroom", "pillow", "blanket", "alarm", "mattress"],
];

/// Bland sentences about a topic's nouns: no questions, claims, numbers or openers, and
/// glue made only of stop words, so that (as in real talk about different things) topics
/// share no content words.
fn filler(topic: usize, k: usize) -> String {
    // The topic's key noun recurs in every sentence, the others rotate.
    let key = TOPICS[topic][0];
    let w = |i: usize| TOPICS[topic][1 + (k + i) % 5];
    match k % 7 {
        0 => format!("The {key} is by the {} and the {}.", w(0), w(1)),
        1 => format!("There is a {} with the {key} in it.", w(2)),
        2 => format!("We have a {key} and a {} for the {}.", w(3), w(4)),
        3 => format!("It is about the {}, the {key} and the {}.", w(0), w(2)),
        4 => format!("They had the {} on the {key} at the {}.", w(4), w(1)),
        5 => format!("This {key} was in the {} with our {}.", w(3), w(0)),
        _ => format!("Some {} were over the {key} by the {}.", w(1), w(4)),
    }
}

/// `per_topic` filler lines for each of `topics`, with `hooks` = (topic, position, text)
/// replacing the filler line at that position. Topics are 1.0 s apart.
fn talk(topics: usize, per_topic: usize, hooks: &[(usize, usize, &str)]) -> Vec<Line> {
    let mut out = Vec::new();
    for t in 0..topics {
        for k in 0..per_topic {
            let text = hooks
                .iter()
                .find(|h| h.0 == t && h.1 == k)
                .map_or_else(|| filler(t, k), |h| h.2.to_string());
            out.push(Line {
                text,
                topic: t,
                pause_before: if k == 0 && t > 0 { 1.0 } else { SENTENCE_GAP_S },
            });
        }
    }
    out
}

/// Words laid out at a steady pace; each line is one Whisper-like segment.
fn transcript(lines: &[Line]) -> (Transcript, Vec<(f64, f64)>) {
    let mut at = 0.5;
    let mut segments = Vec::new();
    let mut spans = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if i > 0 {
            at += l.pause_before;
        }
        let start = at;
        let words: Vec<Word> = l
            .text
            .split_whitespace()
            .map(|w| {
                let word = Word {
                    start: at,
                    end: at + WORD_S,
                    text: w.to_string(),
                    probability: 0.9,
                };
                at += WORD_S + WORD_GAP_S;
                word
            })
            .collect();
        at -= WORD_GAP_S;
        spans.push((start, at));
        segments.push(Segment {
            start,
            end: at,
            text: l.text.clone(),
            confidence: 0.9,
            words,
        });
    }
    let t = Transcript {
        language: "en".into(),
        model: "synthetic".into(),
        duration: at + 1.0,
        segments,
    };
    (t, spans)
}

const HOOK_BREAD: &str = "Here's the secret nobody tells you about bread dough.";
const HOOK_MONEY: &str = "Why do most people never save enough money?";
const HOOK_GARDEN: &str = "The biggest mistake with a garden lawn costs three weekends.";

fn planted() -> Vec<Line> {
    // The garden hook sits mid-topic: it must win on its own, not by starting a topic.
    talk(
        6,
        7,
        &[(1, 0, HOOK_BREAD), (3, 0, HOOK_MONEY), (4, 2, HOOK_GARDEN)],
    )
}

fn params(count: usize, min: f64, max: f64) -> SelectParams {
    SelectParams {
        count,
        min_seconds: min,
        max_seconds: max,
    }
}

#[test]
fn clips_are_whole_sentences_within_bounds_and_disjoint() {
    let (t, spans) = transcript(&planted());
    let s = sentences(&t);
    assert_eq!(s.len(), spans.len(), "one sentence per line");
    // (The talk is about 160 s: three clips of 30 s or more is what fits for sure.)
    for (min, max, at_least) in [(20.0, 60.0, 5), (10.0, 25.0, 5), (30.0, 45.0, 3)] {
        let clips = select_clips(&t, None, &params(5, min, max)).unwrap();
        assert!(clips.len() >= at_least, "{min}-{max}: {}", clips.len());
        for c in &clips {
            let d = c.range.duration();
            assert!(d >= min && d <= max, "{min}-{max}: {d}");
            // Starts at its first sentence's start and ends at its last one's end, give or
            // take the padding into silence, never inside a word.
            let (a, b) = (&s[c.first_sentence], &s[c.last_sentence]);
            assert!(c.range.start <= a.start && a.start - c.range.start <= crate::snap::PAD + 1e-9);
            assert!(c.range.end >= b.end && c.range.end - b.end <= crate::snap::PAD + 1e-9);
            if c.first_sentence > 0 {
                assert!(c.range.start >= s[c.first_sentence - 1].end);
            }
            if let Some(n) = s.get(c.last_sentence + 1) {
                assert!(c.range.end <= n.start);
            }
            let expected: Vec<&str> = s[c.first_sentence..=c.last_sentence]
                .iter()
                .map(|x| x.text.as_str())
                .collect();
            assert_eq!(c.excerpt, expected.join(" "));
        }
        for (i, a) in clips.iter().enumerate() {
            for b in &clips[i + 1..] {
                assert!(
                    a.range.end <= b.range.start || b.range.end <= a.range.start,
                    "{:?} overlaps {:?}",
                    a.range,
                    b.range
                );
            }
        }
        // Best first.
        assert!(clips.windows(2).all(|w| w[0].score >= w[1].score - 1e-9
            || w[1].reasons.iter().any(|r| r.signal == Signal::Diversity)));
    }
}

#[test]
fn planted_hooks_beat_filler() {
    let lines = planted();
    let (t, _) = transcript(&lines);
    let clips = select_clips(&t, None, &params(3, 20.0, 60.0)).unwrap();
    let mut firsts: Vec<&str> = clips
        .iter()
        .map(|c| lines[c.first_sentence].text.as_str())
        .collect();
    firsts.sort_unstable();
    let mut hooks = vec![HOOK_BREAD, HOOK_MONEY, HOOK_GARDEN];
    hooks.sort_unstable();
    assert_eq!(firsts, hooks, "{clips:#?}");
    for c in &clips {
        let hook = c.reasons.iter().find(|r| r.signal == Signal::Hook).unwrap();
        assert!(hook.value > 0.5, "{hook:?}");
        assert_eq!(hook.sentences[0], c.first_sentence);
        // Each stays inside its hook's topic.
        let topic = lines[c.first_sentence].topic;
        assert!(lines[c.first_sentence..=c.last_sentence]
            .iter()
            .all(|l| l.topic == topic));
    }
}

#[test]
fn without_hooks_clips_keep_to_one_topic_and_spread_over_the_video() {
    let lines = talk(6, 7, &[]);
    let (t, _) = transcript(&lines);
    let clips = select_clips(&t, None, &params(3, 20.0, 60.0)).unwrap();
    assert_eq!(clips.len(), 3);
    let mut topics = Vec::new();
    for c in &clips {
        let topic = lines[c.first_sentence].topic;
        assert!(
            lines[c.first_sentence..=c.last_sentence]
                .iter()
                .all(|l| l.topic == topic),
            "{c:#?}"
        );
        topics.push(topic);
    }
    topics.sort_unstable();
    topics.dedup();
    assert_eq!(topics.len(), 3, "three different topics: {topics:?}");
}

#[test]
fn a_clip_across_a_topic_shift_is_marked_and_loses() {
    // Two topics; bounds that allow a window across the shift as well as inside each.
    let lines = talk(2, 9, &[]);
    let (t, _) = transcript(&lines);
    let all = select_clips(&t, None, &params(1, 15.0, 60.0)).unwrap();
    let c = &all[0];
    assert!(lines[c.first_sentence..=c.last_sentence]
        .iter()
        .all(|l| l.topic == lines[c.first_sentence].topic));
    // The scorer does see the shift: with bounds that only fit across it, the clip carries
    // the penalty, citing the sentences on either side.
    let whole = select_clips(&t, None, &params(1, 50.0, 80.0)).unwrap();
    let shift = whole[0]
        .reasons
        .iter()
        .find(|r| r.signal == Signal::TopicShift);
    assert!(
        shift.is_some_and(|r| r.value < -0.5 && r.sentences == [8, 9]),
        "{whole:#?}"
    );
}

#[test]
fn loud_stretches_raise_a_clip() {
    // One topic of filler; speech at -24 dB except one 15 s stretch at -18 dB; silent gaps
    // at the floor. Wherever the loud stretch is, the chosen clip covers most of it.
    let lines = talk(1, 40, &[]);
    let (t, spans) = transcript(&lines);
    let rate = 10.0;
    for loud_at in [20.0, 60.0, 100.0] {
        let inside = |a: f64, b: f64| a >= loud_at && b <= loud_at + 15.0;
        let mut db = vec![energy::FLOOR_DB; (t.duration * rate) as usize + 1];
        for &(a, b) in &spans {
            let level = if inside(a, b) { -18.0 } else { -24.0 };
            for f in &mut db[(a * rate) as usize..(b * rate) as usize] {
                *f = level;
            }
        }
        let loud = Loudness { rate, db };
        let clips = select_clips(&t, Some(&loud), &params(1, 20.0, 40.0)).unwrap();
        let c = &clips[0];
        let covered = c.range.end.min(loud_at + 15.0) - c.range.start.max(loud_at);
        assert!(covered >= 10.0, "loud at {loud_at}: {:?}", c.range);
        let e = c
            .reasons
            .iter()
            .find(|r| r.signal == Signal::Energy)
            .unwrap();
        assert!(e.value > 0.0, "{e:?}");
        let (a, b) = spans[e.sentences[0]];
        assert!(inside(a, b), "loudest sentence {a}-{b}");
    }
}

#[test]
fn long_pauses_lower_a_clip() {
    // One topic; ten lines in a row are each preceded by a 1.1 s silence (not long enough
    // to split sentences, long enough to drag). Wherever that stretch is, the chosen clip
    // keeps out of it.
    for from in [5, 15, 25] {
        let mut lines = talk(1, 40, &[]);
        for l in &mut lines[from..from + 10] {
            l.pause_before = 1.1;
        }
        let (t, _) = transcript(&lines);
        let clips = select_clips(&t, None, &params(1, 20.0, 30.0)).unwrap();
        let c = &clips[0];
        let pauses = (c.first_sentence + 1..=c.last_sentence)
            .filter(|i| (from..from + 10).contains(i))
            .count();
        assert!(pauses <= 1, "pauses from line {from}: {c:#?}");
    }
    // And the signal says so when a window has them.
    let mut lines = talk(1, 20, &[]);
    for l in &mut lines[1..] {
        l.pause_before = 1.1;
    }
    let (t, _) = transcript(&lines);
    let inside = select_clips(&t, None, &params(1, 10.0, 60.0)).unwrap();
    let p = inside[0]
        .reasons
        .iter()
        .find(|r| r.signal == Signal::Pauses)
        .unwrap();
    assert!(p.value < -0.3 && !p.sentences.is_empty(), "{p:?}");
}

#[test]
fn exclamations_and_laughter_are_cues() {
    // Wherever the laughing exclamation is, the best clip has it.
    for at in [5, 15, 25] {
        let line = "[LAUGHTER] What a day in the office lobby!";
        let lines = talk(1, 30, &[(0, at, line)]);
        let (t, _) = transcript(&lines);
        let clips = select_clips(&t, None, &params(1, 10.0, 20.0)).unwrap();
        let c = &clips[0];
        assert!(
            (c.first_sentence..=c.last_sentence).contains(&at),
            "cue at {at}: {c:#?}"
        );
        let cue = c.reasons.iter().find(|r| r.signal == Signal::Cues).unwrap();
        assert_eq!(cue.sentences, [at]);
        assert!(cue.value > 0.4, "{cue:?}");
    }
}

#[test]
fn identical_across_runs() {
    let lines = planted();
    let (t, spans) = transcript(&lines);
    let db: Vec<f32> = (0..(t.duration * 10.0) as usize)
        .map(|k| -30.0 + ((k * 7919) % 13) as f32)
        .collect();
    let loud = Loudness { rate: 10.0, db };
    let a = select_clips(&t, Some(&loud), &params(4, 20.0, 60.0)).unwrap();
    let b = select_clips(&t.clone(), Some(&loud.clone()), &params(4, 20.0, 60.0)).unwrap();
    assert_eq!(a, b);
    assert_eq!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&b).unwrap()
    );
    assert!(!spans.is_empty());
}

#[test]
fn identical_on_one_or_two_threads() {
    // Candidates are scored in parallel: the clips, scores and reasons must not depend on
    // how many threads did it.
    let (t, _) = transcript(&talk(6, 12, &[(2, 3, HOOK_MONEY), (4, 0, HOOK_BREAD)]));
    let db: Vec<f32> = (0..(t.duration * 10.0) as usize)
        .map(|k| -30.0 + ((k * 7919) % 13) as f32)
        .collect();
    let loud = Loudness { rate: 10.0, db };
    let on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| select_clips(&t, Some(&loud), &params(5, 15.0, 45.0)).unwrap())
    };
    let one = on(1);
    assert_eq!(one.len(), 5);
    for threads in [2, 3] {
        let many = on(threads);
        assert_eq!(
            serde_json::to_string(&many).unwrap(),
            serde_json::to_string(&one).unwrap(),
            "{threads} threads"
        );
    }
}

#[test]
fn reasons_add_up_and_cite_sentences_of_the_clip_or_its_edges() {
    let (t, _) = transcript(&planted());
    let clips = select_clips(&t, None, &params(4, 20.0, 60.0)).unwrap();
    for c in &clips {
        let sum: f64 = c.reasons.iter().map(|r| r.value).sum();
        assert!((sum - c.score).abs() < 1e-6, "{c:#?}");
        for r in &c.reasons {
            assert!(!r.text.is_empty());
            for &i in &r.sentences {
                assert!(i + 1 >= c.first_sentence && i <= c.last_sentence, "{r:?}");
            }
        }
    }
}

#[test]
fn edge_cases() {
    let (t, _) = transcript(&talk(1, 3, &[]));
    // Shorter than the minimum: the whole of it.
    let clips = select_clips(&t, None, &params(3, 20.0, 60.0)).unwrap();
    assert_eq!(clips.len(), 1);
    assert_eq!((clips[0].first_sentence, clips[0].last_sentence), (0, 2));
    assert!(select_clips(&t, None, &params(0, 20.0, 60.0))
        .unwrap()
        .is_empty());
    let empty = Transcript {
        segments: Vec::new(),
        ..t.clone()
    };
    assert!(select_clips(&empty, None, &params(3, 20.0, 60.0))
        .unwrap()
        .is_empty());
    for (min, max) in [(30.0, 20.0), (-1.0, 5.0), (0.0, 0.0), (f64::NAN, 60.0)] {
        assert!(matches!(
            select_clips(&t, None, &params(1, min, max)),
            Err(SelectError::Bounds { .. })
        ));
    }
}

#[test]
fn texttiling_finds_the_topic_shifts_of_the_synthetic_talk() {
    let (t, _) = transcript(&talk(6, 7, &[]));
    let ctx_sentences = sentences(&t);
    let docs: Vec<Vec<String>> = ctx_sentences.iter().map(|s| text::terms(&s.text)).collect();
    let shifts = topics::shifts(&text::TfIdf::new(&docs).vectors);
    let found: Vec<usize> = shifts.iter().map(|s| s.after).collect();
    assert_eq!(found, [6, 13, 20, 27, 34], "{shifts:?}");
    // One long topic: no shifts at all.
    let (t, _) = transcript(&talk(1, 30, &[]));
    let docs: Vec<Vec<String>> = sentences(&t).iter().map(|s| text::terms(&s.text)).collect();
    assert_eq!(topics::shifts(&text::TfIdf::new(&docs).vectors), []);
}

#[test]
fn a_second_clip_prefers_another_topic_to_more_of_the_same() {
    // Bread (14 lines) has two equally strong hooks; garden, after some office filler, has
    // one that is a little weaker. Two clips: one bread, one garden, not two bread ones side
    // by side.
    let mut all: Vec<Line> = (0..14)
        .map(|k| Line {
            text: if k == 0 || k == 7 {
                HOOK_BREAD.to_string()
            } else {
                filler(1, k)
            },
            topic: 1,
            pause_before: if k == 0 { 0.0 } else { SENTENCE_GAP_S },
        })
        .collect();
    let garden_hook = "The biggest garden lawn mistake.";
    all.extend(
        talk(5, 7, &[(4, 0, garden_hook)])
            .into_iter()
            .filter(|l| l.topic == 0 || l.topic == 4),
    );
    let (t, _) = transcript(&all);
    let clips = select_clips(&t, None, &params(2, 20.0, 30.0)).unwrap();
    let topics: Vec<usize> = clips.iter().map(|c| all[c.first_sentence].topic).collect();
    assert_eq!(topics, [1, 4], "{clips:#?}");
    assert!(all[clips[1].first_sentence].text == garden_hook);
    assert!(clips[1]
        .reasons
        .iter()
        .any(|r| r.signal == Signal::Diversity));
}
