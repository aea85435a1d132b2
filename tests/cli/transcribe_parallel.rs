//! Long audio transcribed as parts decoded at the same time (one whisper state and thread
//! each, cut at quiet moments, stitched with time offsets): checked against the known
//! sentence times of tests/media/long.wav (long.json), with the real tiny.en model.

use crate::support::*;

#[test]
fn parts_decoded_in_parallel_stitch_into_one_timeline() {
    let o = reelcut(&["models", "list", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("models list --json");
    assert!(
        v["models"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["name"] == "tiny.en"),
        "tiny.en is not installed: run scripts/test.sh or scripts/install-models.sh"
    );
    // 149 s with two threads: two parts of about 75 s, one whisper thread each.
    let o = reelcut(&[
        "transcribe",
        media("long.wav").to_str().unwrap(),
        "--no-cache",
        "--whisper-threads",
        "2",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let t: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let words: Vec<(f64, f64, String)> = t["segments"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| {
            s["words"].as_array().unwrap().iter().map(|w| {
                (
                    w["start"].as_f64().unwrap(),
                    w["end"].as_f64().unwrap(),
                    w["text"]
                        .as_str()
                        .unwrap()
                        .to_lowercase()
                        .trim_matches(|c: char| !c.is_alphanumeric())
                        .to_string(),
                )
            })
        })
        .collect();
    assert!(
        words.windows(2).all(|w| w[0].1 <= w[1].0 + 1e-9),
        "times monotonic across parts"
    );
    let truth: serde_json::Value =
        serde_json::from_slice(&std::fs::read(media("long.json")).unwrap()).unwrap();
    let sentences = truth["sentences"].as_array().unwrap();
    // Each sentence's longer words must be heard while that sentence is spoken (±1 s): a
    // part stitched at the wrong offset, or lost at a cut, fails whole sentences.
    let mut good = 0;
    let mut bad = Vec::new();
    for s in sentences {
        let (start, end) = (num(&s["start"]), num(&s["end"]));
        let text = s["text"].as_str().unwrap().to_lowercase();
        let keys: Vec<&str> = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.len() >= 5)
            .collect();
        let heard: Vec<&str> = words
            .iter()
            .filter(|w| (w.0 + w.1) / 2.0 > start - 1.0 && (w.0 + w.1) / 2.0 < end + 1.0)
            .map(|w| w.2.as_str())
            .collect();
        let found = keys.iter().filter(|k| heard.contains(k)).count();
        if keys.is_empty() || 2 * found >= keys.len() {
            good += 1;
        } else {
            bad.push(format!("{start:.1}-{end:.1} {text:?} heard {heard:?}"));
        }
    }
    assert!(
        good * 10 >= sentences.len() * 8,
        "{good}/{} sentences heard in place; missed:\n{}",
        sentences.len(),
        bad.join("\n")
    );
    // Both parts are there: speech near the start and near the end.
    assert!(words.first().unwrap().0 < 3.0);
    let last_end = num(&sentences.last().unwrap()["end"]);
    assert!(words.last().unwrap().1 > last_end - 3.0);
}
