//! A folder of videos becomes one input per video (found by probing, not by extension);
//! re-running the same command skips what is done.

use crate::support::*;

fn folder() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::copy(media("frames.mp4"), d.path().join("a.mp4")).unwrap();
    // A video with an extension nobody would guess, and a text file pretending to be one.
    std::fs::copy(media("dark.mp4"), d.path().join("b.recording")).unwrap();
    std::fs::write(d.path().join("notes.mp4"), "not a video").unwrap();
    std::fs::create_dir(d.path().join("sub")).unwrap();
    std::fs::copy(media("noface.mp4"), d.path().join("sub/c.mp4")).unwrap();
    d
}

const FAST: [&str; 6] = [
    "--clip",
    "0-1",
    "--reframe",
    "center",
    "--resolution",
    "240",
];

#[test]
fn a_folder_becomes_one_input_per_video() {
    let (src, out) = (folder(), tempfile::tempdir().unwrap());
    let mut args = vec![src.path().to_str().unwrap()];
    args.extend(FAST);
    let (code, events, stderr) = run_json(out.path(), &args);
    assert_eq!(code, 0, "{stderr}\n{events:?}");
    let mut done: Vec<String> = events_of(&events, "job_done")
        .iter()
        .map(|e| {
            std::path::Path::new(e["input"].as_str().unwrap())
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    // Both run at once: either may finish first.
    done.sort();
    assert_eq!(
        done,
        ["a.mp4", "b.recording"],
        "probing finds videos, not extensions; no recursion by default"
    );
    assert!(
        out.path().join("a/clip-01.mp4").is_file() && out.path().join("b/clip-01.mp4").is_file()
    );

    let out2 = tempfile::tempdir().unwrap();
    let mut args = vec![src.path().to_str().unwrap(), "--recursive"];
    args.extend(FAST);
    let (code, events, _) = run_json(out2.path(), &args);
    assert_eq!(code, 0);
    assert_eq!(
        events_of(&events, "job_done").len(),
        3,
        "--recursive takes sub/c.mp4 too"
    );
}

#[test]
fn a_rerun_skips_finished_inputs_and_redoes_changed_options() {
    let (src, out) = (folder(), tempfile::tempdir().unwrap());
    let mut args = vec![src.path().to_str().unwrap()];
    args.extend(FAST);
    let (code, _, _) = run_json(out.path(), &args);
    assert_eq!(code, 0);
    let clip = out.path().join("a/clip-01.mp4");
    let before = std::fs::metadata(&clip).unwrap().modified().unwrap();
    let (code, events, _) = run_json(out.path(), &args);
    assert_eq!(code, 0);
    assert_eq!(events_of(&events, "job_skipped").len(), 2, "{events:?}");
    assert!(
        events_of(&events, "clip_ready").is_empty(),
        "nothing rendered again"
    );
    assert_eq!(
        std::fs::metadata(&clip).unwrap().modified().unwrap(),
        before,
        "clip untouched"
    );
    // Other options: the work is redone.
    let mut changed = args.clone();
    changed.extend(["--aspect", "1:1"]);
    let (code, events, _) = run_json(out.path(), &changed);
    assert_eq!(code, 0);
    assert_eq!(events_of(&events, "job_done").len(), 2);
    // --force: redone although nothing changed.
    let mut forced = changed.clone();
    forced.push("--force");
    let (_, events, _) = run_json(out.path(), &forced);
    assert_eq!(events_of(&events, "job_done").len(), 2);
    // A deleted clip: redone too.
    std::fs::remove_file(&clip).unwrap();
    let (_, events, _) = run_json(out.path(), &changed);
    assert_eq!(events_of(&events, "job_done").len(), 1);
    assert_eq!(events_of(&events, "job_skipped").len(), 1);
}

#[test]
fn an_empty_folder_is_a_clear_error() {
    let (src, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    std::fs::write(src.path().join("readme.txt"), "x").unwrap();
    let (code, events, _) = run_json(out.path(), &[src.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(events_of(&events, "job_failed")[0]["message"]
        .as_str()
        .unwrap()
        .contains("no videos"));
}

/// The most inputs in flight at once (between `job_started` and `job_done`).
fn max_in_flight(events: &[serde_json::Value]) -> usize {
    let (mut now, mut max) = (0usize, 0usize);
    for e in events {
        if e["event"] == "job_started" {
            now += 1;
            max = max.max(now);
        } else if e["event"] == "job_done" || e["event"] == "job_failed" {
            now = now.saturating_sub(1);
        }
    }
    max
}

#[test]
fn jobs_caps_how_many_inputs_run_at_once() {
    let src = tempfile::tempdir().unwrap();
    for name in ["a", "b", "c", "d"] {
        std::fs::copy(media("frames.mp4"), src.path().join(format!("{name}.mp4"))).unwrap();
    }
    for (jobs, expected) in [("1", 1), ("2", 2)] {
        let out = tempfile::tempdir().unwrap();
        let (code, events, stderr) = run_json(
            out.path(),
            &[
                src.path().to_str().unwrap(),
                "--jobs",
                jobs,
                "--clip",
                "0-4",
                "--reframe",
                "center",
                "--resolution",
                "240",
            ],
        );
        assert_eq!(code, 0, "{stderr}");
        assert_eq!(events_of(&events, "job_done").len(), 4);
        assert_eq!(max_in_flight(&events), expected, "--jobs {jobs}");
        let summary = events.last().unwrap();
        assert_eq!(summary["succeeded"].as_u64(), Some(4));
    }
}
