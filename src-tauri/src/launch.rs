//! Files and URLs on the command line (a file manager's "Open with Reelcut", the desktop
//! entry's `%F`) become jobs at start, with the saved default options, as if dropped on the
//! window.

use std::ffi::OsString;

use reelcut_engine::Engine;

use crate::options::RunRequest;

/// The inputs among `args`: existing files and folders, and URLs. Anything else (an option
/// a launcher adds, a typo) is logged and left out.
pub fn inputs_in(args: impl IntoIterator<Item = OsString>) -> Vec<String> {
    args.into_iter()
        .filter_map(|a| {
            let s = a.to_string_lossy().into_owned();
            let path = std::path::Path::new(&a);
            if reelcut_core::is_url(&s) || (!s.starts_with('-') && path.exists()) {
                Some(s)
            } else {
                tracing::info!(arg = %s, "command-line argument is not a file, folder or URL: ignored");
                None
            }
        })
        .collect()
}

/// Submits `inputs` on a thread of its own (probing a folder takes a while; the window
/// must come up first). Errors are logged; each input's failure reaches the window as a
/// failed job through the engine's events.
pub fn submit_at_start(engine: Engine, defaults: RunRequest, inputs: Vec<String>) {
    if inputs.is_empty() {
        return;
    }
    std::thread::spawn(move || {
        let run = match defaults.to_run_options() {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(error = %e.message, "saved options unusable: command-line inputs not added");
                return;
            }
        };
        if let Err(e) = std::fs::create_dir_all(&run.out_dir) {
            tracing::warn!(dir = %run.out_dir.display(), error = %e, "output folder cannot be made");
            return;
        }
        for input in inputs {
            match engine.submit(&input, &run) {
                Ok(ids) => tracing::info!(%input, jobs = ids.len(), "added from the command line"),
                Err(e) => tracing::warn!(%input, error = %e, "command-line input not added"),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_existing_paths_and_urls_are_inputs() {
        let d = std::env::temp_dir().join(format!("reelcut-launch-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap_or_else(|e| panic!("{e}"));
        let f = d.join("talk.mp4");
        std::fs::write(&f, b"x").unwrap_or_else(|e| panic!("{e}"));
        let got = inputs_in([
            f.clone().into_os_string(),
            "--automation".into(),
            "https://example.com/v".into(),
            d.join("missing.mp4").into_os_string(),
        ]);
        let _ = std::fs::remove_dir_all(&d);
        assert_eq!(
            got,
            vec![
                f.to_string_lossy().into_owned(),
                "https://example.com/v".into()
            ]
        );
    }
}
