//! Times automatic clip selection on a long synthetic talk, for docs/BENCHMARKS.md ("rayon"):
//! is candidate scoring worth spreading over cores? Sentences about rotating topics, with
//! questions, numbers, exclamations and pauses, and a loudness envelope at 10 frames/s.
//!
//!     cargo run --release -p reelcut-core --example bench_select -- [HOURS] [RUNS]

use std::time::Instant;

use reelcut_core::select::{select_clips, sentences, Loudness, SelectParams};
use reelcut_core::{Segment, Transcript, Word};

/// Eight topics of six nouns each; a talk moves from one topic to the next now and then.
const NOUNS: &str = "harbour ferry anchor sail dock rope violin concert choir piano stage \
    rehearsal bicycle saddle pedal chain helmet gear glacier summit trail tent compass boots \
    pottery glaze kiln clay wheel vase chess opening bishop knight endgame clock satellite orbit \
    rocket launch antenna signal honey hive queen pollen nectar swarm";

/// A small deterministic generator (xorshift), so every run scores the same talk.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn sentence(rng: &mut Rng, nouns: &[&str], topic: usize) -> String {
    let noun = |rng: &mut Rng| nouns[(topic * 6 + rng.below(6)) % nouns.len()];
    let (a, b, c) = (noun(rng), noun(rng), noun(rng));
    match rng.below(10) {
        0 => format!("Why does the {a} always end up next to the {b}?"),
        1 => format!("Here's the thing nobody tells you about the {a}."),
        2 => format!("We spent 300 dollars on the {a} and the {b}!"),
        3 => format!("And then the {a} was by the {b} again."),
        4 => format!("So the {a} is part of the {b} (laughs)."),
        5 => format!("It is about the {a}, the {b} and the {c}."),
        6 => format!("They had the {a} on the {b} at the {c}."),
        7 => format!("This {a} was in the {b} with our {c} for a while."),
        _ => format!("There is a {a} with the {b} in it."),
    }
}

fn talk(hours: f64) -> (Transcript, Loudness) {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let nouns: Vec<&str> = NOUNS.split_whitespace().collect();
    let mut segments = Vec::new();
    let mut at = 0.5;
    let mut topic = 0;
    while at < hours * 3600.0 {
        if rng.below(25) == 0 {
            topic += 1;
        }
        let text = sentence(&mut rng, &nouns, topic);
        let start = at;
        let words: Vec<Word> = text
            .split_whitespace()
            .map(|w| {
                let len = 0.18 + 0.04 * w.len() as f64;
                let word = Word {
                    start: at,
                    end: at + len,
                    text: w.to_string(),
                    probability: 0.9,
                };
                at += len + 0.06;
                word
            })
            .collect();
        segments.push(Segment {
            start,
            end: at,
            text,
            confidence: 0.9,
            words,
        });
        at += if rng.below(12) == 0 { 1.2 } else { 0.4 };
    }
    let duration = at + 1.0;
    let db = (0..(duration * 10.0) as usize)
        .map(|_| -30.0 + (rng.below(200) as f32) / 10.0 - 10.0)
        .collect();
    let t = Transcript {
        language: "en".into(),
        model: "synthetic".into(),
        duration,
        segments,
    };
    (t, Loudness { rate: 10.0, db })
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let hours: f64 = args.get(1).map(|s| s.parse()).transpose()?.unwrap_or(2.0);
    let runs: usize = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(5);
    let (t, loudness) = talk(hours);
    let words = t.words().count();
    let n_sentences = sentences(&t).len();
    let params = SelectParams {
        count: 5,
        min_seconds: 20.0,
        max_seconds: 60.0,
    };
    let mut times = Vec::new();
    let mut first = None;
    for _ in 0..runs {
        let started = Instant::now();
        let clips = select_clips(&t, Some(&loudness), &params)?;
        times.push(started.elapsed().as_secs_f64());
        // Same input, same clips: the run-to-run check that selection is deterministic.
        match &first {
            None => first = Some(clips),
            Some(f) if *f != clips => return Err("selection differs between runs".into()),
            Some(_) => {}
        }
    }
    let clips = first.unwrap_or_default();
    // FNV-1a of the clips as JSON: equal digests, equal selections (across thread counts
    // and builds).
    let digest = serde_json::to_string(&clips)?
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
    println!(
        "{hours} h, {words} words, {n_sentences} sentences: select_clips median of {runs} \
         {:.1} ms (min {:.1}), {} clips, digest {digest:016x}",
        median(times.clone()) * 1e3,
        times.iter().copied().fold(f64::INFINITY, f64::min) * 1e3,
        clips.len(),
    );
    Ok(())
}
