//! `reelcut render DIR/clips.json` and `reelcut export DIR/clips.json`: the plan a run
//! wrote, after a person edited it.

use std::path::PathBuf;

use reelcut_engine::{export_plan, CancellationToken, ExportFormat, PlanRender};
use serde_json::json;

use crate::args::{ExportArgs, ExportFormatArg, RenderArgs};
use crate::run::{open_engine, EXIT_FAILED, EXIT_USAGE};

pub fn render(a: RenderArgs) -> i32 {
    let engine = match open_engine(&a.engine, 1) {
        Ok(e) => e,
        Err(msg) => {
            eprintln!("error: {msg}");
            return EXIT_USAGE;
        }
    };
    let cancel = CancellationToken::new();
    let how = PlanRender {
        only: a.only.clone(),
        force: a.force,
        preview: a.preview,
        job: None,
        plan: None,
    };
    match engine.render_plan(&a.manifest, &how, &cancel) {
        Ok(clips) => {
            for c in &clips {
                if a.json {
                    println!(
                        "{}",
                        json!({"clip": c.clip, "output": c.output, "rendered": c.rendered,
                               "duration": c.duration,
                               "analysed": c.analysed.iter().map(|r| [r.start, r.end]).collect::<Vec<_>>()})
                    );
                } else {
                    println!(
                        "{}  {:.2}s  {}",
                        c.output.display(),
                        c.duration,
                        if c.rendered { "rendered" } else { "unchanged" }
                    );
                }
            }
            0
        }
        Err(e) => {
            eprintln!("error: {e}");
            EXIT_FAILED
        }
    }
}

pub fn export(a: ExportArgs) -> i32 {
    let format = match a.format {
        ExportFormatArg::Otio => ExportFormat::Otio,
        ExportFormatArg::Fcpxml => ExportFormat::Fcpxml,
        ExportFormatArg::Edl => ExportFormat::Edl,
    };
    let files = match export_plan(&a.manifest, format, &a.only) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_FAILED;
        }
    };
    let dir = a
        .manifest
        .parent()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."));
    for (i, (name, text)) in files.iter().enumerate() {
        let path = match (&a.out, i) {
            (Some(out), 0) => out.clone(),
            // Further EDLs beside the first, named by their clip.
            (Some(out), _) => out.with_file_name(name),
            (None, _) => dir.join(name),
        };
        if let Err(e) = reelcut_core::partial::write_atomic(&path, text.as_bytes()) {
            eprintln!("error: {}: {e}", path.display());
            return EXIT_FAILED;
        }
        println!("{}", path.display());
    }
    0
}
