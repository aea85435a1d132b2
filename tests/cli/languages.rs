//! Other languages out of the box: with the default model choice (`auto`) the language is
//! detected and speech that is not English goes to the multilingual model, English to
//! tiny.en. Short sentences in nine languages from another synthesiser than espeak-ng
//! (tests/media/voices, from PyPI pytest-audioeval).

use crate::support::{media, reelcut};

#[test]
fn the_language_is_detected_and_picks_the_model() {
    let dir = media("voices");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "wav"))
        .filter(|p| {
            // The longest sentence of each language (detection needs a few words), and the
            // English ones.
            let n = p.file_stem().unwrap().to_str().unwrap();
            n.ends_with("-pangrama") || n.starts_with("en-")
        })
        .collect();
    files.sort();
    assert!(
        files.len() >= 11,
        "{} voices in {}",
        files.len(),
        dir.display()
    );
    let (mut right, mut wrong) = (0, Vec::new());
    for f in &files {
        let name = f.file_stem().unwrap().to_str().unwrap();
        let lang = name.split('-').next().unwrap();
        let o = reelcut(&["transcribe", "--no-cache", f.to_str().unwrap()]);
        assert!(
            o.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let t: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let (heard, model) = (
            t["language"].as_str().unwrap(),
            t["model"].as_str().unwrap(),
        );
        let text: Vec<&str> = t["segments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["text"].as_str().unwrap())
            .collect();
        eprintln!("{name}: {heard} with {model}: {}", text.join(" "));
        assert!(!text.is_empty(), "{name}: no words");
        // The model follows the language heard.
        let expected = if heard == "en" { "tiny.en" } else { "base" };
        assert_eq!(model, expected, "{name}: heard {heard}");
        if heard == lang {
            right += 1;
        } else {
            wrong.push(format!("{name} heard as {heard}"));
        }
    }
    // Three-second sentences are short for detection: base takes this Polish for
    // Portuguese (and, on the shorter sentences of the set, Italian "ciao mondo" for French).
    assert!(
        right + 2 >= files.len(),
        "{right} of {} right; wrong: {wrong:?}",
        files.len()
    );
}
