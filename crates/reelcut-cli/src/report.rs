//! Turning engine events into output: JSON lines, or bars on a terminal and plain lines
//! otherwise.

use std::io::{IsTerminal, Write};

use indicatif::{ProgressBar, ProgressStyle};
use reelcut_core::Event;

pub trait Reporter: Send {
    fn event(&mut self, event: &Event);
    /// Anything not tied to an engine event (a summary, an argument error).
    fn line(&mut self, value: serde_json::Value, human: &str);
}

pub struct JsonReporter;

impl JsonReporter {
    fn print(value: &impl serde::Serialize) {
        let mut out = std::io::stdout().lock();
        // A closed pipe (e.g. `| head`) must not abort rendering.
        if let Ok(s) = serde_json::to_string(value) {
            let _ = writeln!(out, "{s}");
            let _ = out.flush();
        }
    }
}

impl Reporter for JsonReporter {
    fn event(&mut self, event: &Event) {
        Self::print(event);
    }
    fn line(&mut self, value: serde_json::Value, _human: &str) {
        Self::print(&value);
    }
}

pub struct HumanReporter {
    bar: Option<ProgressBar>,
    terminal: bool,
}

impl HumanReporter {
    pub fn new() -> Self {
        Self {
            bar: None,
            terminal: std::io::stderr().is_terminal(),
        }
    }

    fn finish_bar(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

impl Reporter for HumanReporter {
    fn event(&mut self, event: &Event) {
        match event {
            Event::JobStarted { input, clips, .. } => {
                eprintln!("{}: {clips} clip(s)", input.display());
            }
            Event::Progress {
                clip,
                stage,
                fraction,
                eta_seconds,
                ..
            } => {
                if !self.terminal {
                    return;
                }
                let bar = self.bar.get_or_insert_with(|| {
                    let b = ProgressBar::new(1000);
                    if let Ok(style) =
                        ProgressStyle::with_template("  {prefix} [{bar:30}] {percent:>3}% {msg}")
                    {
                        b.set_style(style.progress_chars("=> "));
                    }
                    b
                });
                let stage = match stage {
                    reelcut_core::Stage::Fetch => "download",
                    reelcut_core::Stage::Transcribe => "transcribe",
                    reelcut_core::Stage::Analyse => "analyse",
                    reelcut_core::Stage::Render => "render ",
                    other => other.as_str(),
                };
                bar.set_prefix(format!("clip {clip:02} {stage}"));
                bar.set_position((fraction * 1000.0) as u64);
                bar.set_message(
                    eta_seconds
                        .map(|e| format!("eta {e:.0}s"))
                        .unwrap_or_default(),
                );
            }
            Event::ClipReady {
                output,
                width,
                height,
                duration,
                render_seconds,
                ..
            } => {
                self.finish_bar();
                println!(
                    "{}  {width}x{height}  {duration:.2}s  (rendered in {render_seconds:.1}s)",
                    output.display()
                );
            }
            Event::JobDone { manifest, .. } => {
                eprintln!("  manifest: {}", manifest.display());
            }
            Event::JobSkipped {
                input, manifest, ..
            } => {
                eprintln!(
                    "{}: already done with these options ({})",
                    input.display(),
                    manifest.display()
                );
            }
            Event::JobFailed { input, message, .. } => {
                self.finish_bar();
                eprintln!("error: {}: {message}", input.display());
            }
            _ => {}
        }
    }

    fn line(&mut self, _value: serde_json::Value, human: &str) {
        self.finish_bar();
        eprintln!("{human}");
    }
}
