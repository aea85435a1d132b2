//! The loudness envelope of the generated long talk (scripts/make-test-media.sh, long.*):
//! its planted hook sentences were spoken at twice espeak-ng's amplitude, the rest at the
//! normal one, with silence between sentences.

use reelcut_core::CancellationToken;
use reelcut_media::loudness::{loudness, ENVELOPE_HZ};

use crate::fixtures::media;

/// (start, end, hook) of each sentence, from long.json.
fn sentences() -> Vec<(f64, f64, bool)> {
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(media("long.json")).unwrap()).unwrap();
    json["sentences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["start"].as_f64().unwrap(),
                s["end"].as_f64().unwrap(),
                s["hook"].as_bool().unwrap(),
            )
        })
        .collect()
}

fn mean_db(db: &[f32], rate: f64, a: f64, b: f64) -> f64 {
    let f = &db[(a * rate).ceil() as usize..(b * rate).floor() as usize];
    let p: f64 = f
        .iter()
        .map(|d| 10f64.powf(f64::from(*d) / 10.0))
        .sum::<f64>()
        / f.len() as f64;
    10.0 * p.log10()
}

#[test]
fn hooks_are_louder_pauses_are_quiet_and_the_timeline_matches() {
    let none = CancellationToken::new();
    for name in ["long.wav", "long.mp4"] {
        let l = loudness(&media(name), &none).unwrap();
        assert_eq!(l.rate, f64::from(ENVELOPE_HZ));
        let s = sentences();
        let end = s.last().unwrap().1;
        // The file ends 0.5 s after the last sentence; AAC may add a frame or two.
        let seconds = l.db.len() as f64 / l.rate;
        assert!((seconds - (end + 0.5)).abs() < 0.2, "{name}: {seconds} s");
        // The first second is silence.
        assert!(
            l.db[..9].iter().all(|d| *d < -60.0),
            "{name}: {:?}",
            &l.db[..10]
        );
        let (mut hooks, mut plain) = (Vec::new(), Vec::new());
        for &(a, b, hook) in &s {
            let v = mean_db(&l.db, l.rate, a, b);
            if hook {
                hooks.push(v)
            } else {
                plain.push(v)
            }
        }
        let avg = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        // Twice the amplitude is +6 dB.
        let diff = avg(&hooks) - avg(&plain);
        assert!((diff - 6.0).abs() < 2.0, "{name}: hooks {diff:+.1} dB");
    }
}

#[test]
fn cancel_stops_it() {
    let cancel = CancellationToken::new();
    cancel.cancel();
    let e = loudness(&media("long.mp4"), &cancel).unwrap_err();
    assert!(matches!(e, reelcut_media::MediaError::Cancelled), "{e}");
}

#[test]
fn ten_ms_frames_find_the_gap_between_sentences() {
    // long.wav has 0.5 s between sentences: at 100 frames a second the gap is about 50
    // frames of silence, its edges within a couple of frames of long.json's times.
    let l = reelcut_media::loudness_at(&media("long.wav"), None, 100, &CancellationToken::new())
        .unwrap();
    assert_eq!(l.rate, 100.0);
    let s = sentences();
    let (end, next) = (s[0].1, s[1].0);
    let quiet = |t: f64| l.db[(t * 100.0) as usize] < -50.0;
    assert!(quiet(end + 0.05) && quiet(next - 0.05), "{end} {next}");
    assert!(!quiet(end - 0.1) && !quiet(next + 0.1), "{end} {next}");
}
