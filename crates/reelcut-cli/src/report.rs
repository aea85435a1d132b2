//! Turning engine events into output: JSON lines, or bars on a terminal and plain lines
//! otherwise.

use std::io::{IsTerminal, Write};

use std::collections::HashMap;

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use reelcut_core::{Event, JobId};

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

/// One bar per running stage of each job's clip (several jobs run at once); plain lines
/// for what happens once, and nothing animated when stderr is not a terminal.
pub struct HumanReporter {
    multi: MultiProgress,
    bars: HashMap<(JobId, usize), ProgressBar>,
    titles: HashMap<JobId, String>,
    terminal: bool,
}

impl HumanReporter {
    pub fn new() -> Self {
        Self {
            multi: MultiProgress::new(),
            bars: HashMap::new(),
            titles: HashMap::new(),
            terminal: std::io::stderr().is_terminal(),
        }
    }

    /// A line above the bars (printing straight to stderr would tear them).
    fn say(&self, line: String) {
        if self.terminal && !self.bars.is_empty() {
            let _ = self.multi.println(line);
        } else {
            eprintln!("{line}");
        }
    }

    fn title(&self, job: JobId) -> String {
        self.titles
            .get(&job)
            .cloned()
            .unwrap_or_else(|| format!("job {job}"))
    }

    fn bar(&mut self, job: JobId, clip: usize) -> &ProgressBar {
        let title: String = self.title(job).chars().take(24).collect();
        let multi = &self.multi;
        self.bars.entry((job, clip)).or_insert_with(|| {
            let b = multi.add(ProgressBar::new(1000));
            if let Ok(style) =
                ProgressStyle::with_template("{prefix:36} [{bar:30}] {percent:>3}% {msg}")
            {
                b.set_style(style.progress_chars("=> "));
            }
            let what = if clip == 0 {
                String::new()
            } else {
                format!(" clip {clip:02}")
            };
            b.set_prefix(format!("#{job} {title}{what}"));
            b
        })
    }

    fn finish(&mut self, job: JobId) {
        let keys: Vec<_> = self.bars.keys().filter(|k| k.0 == job).copied().collect();
        for k in keys {
            if let Some(b) = self.bars.remove(&k) {
                b.finish_and_clear();
                self.multi.remove(&b);
            }
        }
    }
}

impl Reporter for HumanReporter {
    fn event(&mut self, event: &Event) {
        match event {
            Event::JobQueued {
                job,
                title,
                resumed,
                ..
            } => {
                self.titles.insert(*job, title.clone());
                if *resumed {
                    self.say(format!(
                        "#{job} {title}: resumed from its last finished stage"
                    ));
                }
            }
            Event::JobStarted { job, clips, .. } => {
                self.say(format!("#{job} {}: {clips} clip(s)", self.title(*job)));
            }
            Event::Retrying {
                job,
                stage,
                attempt,
                delay_seconds,
                message,
            } => {
                self.say(format!(
                    "#{job} {}: {message}; {} attempt {attempt} in {delay_seconds:.0} s",
                    self.title(*job),
                    stage.as_str()
                ));
            }
            Event::Progress {
                job,
                clip,
                stage,
                fraction,
                eta_seconds,
                ..
            } => {
                if !self.terminal {
                    return;
                }
                let bar = self.bar(*job, *clip);
                let eta = eta_seconds
                    .map(|e| format!(" eta {e:.0}s"))
                    .unwrap_or_default();
                bar.set_message(format!("{}{eta}", stage.as_str()));
                bar.set_position((fraction * 1000.0) as u64);
            }
            Event::ClipReady {
                job,
                clip,
                output,
                width,
                height,
                duration,
                render_seconds,
                ..
            } => {
                if let Some(b) = self.bars.remove(&(*job, *clip)) {
                    b.finish_and_clear();
                    self.multi.remove(&b);
                }
                // The clip's path on stdout: scripts can collect it.
                let line = format!(
                    "{}  {width}x{height}  {duration:.2}s  (rendered in {render_seconds:.1}s)",
                    output.display()
                );
                if self.terminal && !self.bars.is_empty() {
                    self.multi.suspend(|| println!("{line}"));
                } else {
                    println!("{line}");
                }
            }
            Event::JobDone { job, manifest, .. } => {
                self.finish(*job);
                if !manifest.as_os_str().is_empty() {
                    self.say(format!("#{job} manifest: {}", manifest.display()));
                }
            }
            Event::JobSkipped {
                job,
                input,
                manifest,
            } => {
                self.say(format!(
                    "#{job} {}: already done with these options ({})",
                    input.display(),
                    manifest.display()
                ));
            }
            Event::JobFailed {
                job,
                input,
                message,
                ..
            } => {
                if let Some(j) = job {
                    self.finish(*j);
                }
                self.say(format!("error: {}: {message}", input.display()));
            }
            Event::JobCancelled { job, input } => {
                self.finish(*job);
                self.say(format!("#{job} {}: cancelled", input.display()));
            }
            _ => {}
        }
    }

    fn line(&mut self, _value: serde_json::Value, human: &str) {
        let jobs: Vec<JobId> = self.bars.keys().map(|k| k.0).collect();
        for j in jobs {
            self.finish(j);
        }
        eprintln!("{human}");
    }
}
