//! Where the app's log goes: stderr, as before, and a file in the app's log folder
//! (`~/.local/share/app.reelcut.desktop/logs/` on Linux, or `$REELCUT_LOG_DIR`): one file a
//! day, `reelcut.YYYY-MM-DD.log`, the last [`KEEP_DAYS`] kept, and `reelcut.log` linking to
//! today's. Lines carry the engine's spans, e.g. `job{job=3}:stage{stage="render" clip=1}:`.

use std::path::{Path, PathBuf};

use tracing::Subscriber;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::field::RecordFields;
use tracing_subscriber::fmt::format::{DefaultFields, Writer};
use tracing_subscriber::fmt::FormatFields;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, EnvFilter, Layer};

pub const KEEP_DAYS: usize = 7;

/// The name of the link to the newest file.
pub const LATEST: &str = "reelcut.log";

/// `$REELCUT_LOG`, else `$RUST_LOG`, else `info`.
fn filter() -> EnvFilter {
    ["REELCUT_LOG", "RUST_LOG"]
        .into_iter()
        .find_map(|var| EnvFilter::try_from_env(var).ok())
        .unwrap_or_else(|| EnvFilter::new("info"))
}

fn appender(dir: &Path) -> Result<RollingFileAppender, Box<dyn std::error::Error>> {
    std::fs::create_dir_all(dir)?;
    Ok(RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix("reelcut")
        .filename_suffix("log")
        .max_log_files(KEEP_DAYS)
        .latest_symlink(LATEST)
        .build(dir)?)
}

/// The file's own field formatter. A span keeps its formatted fields once per formatter
/// type; sharing stderr's type would copy stderr's colour codes into the file.
struct PlainFields(DefaultFields);

impl<'w> FormatFields<'w> for PlainFields {
    fn format_fields<R: RecordFields>(&self, writer: Writer<'w>, fields: R) -> std::fmt::Result {
        self.0.format_fields(writer, fields)
    }
}

fn file_layer<S>(file: RollingFileAppender) -> impl Layer<S>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fmt::layer()
        .with_ansi(false)
        .fmt_fields(PlainFields(DefaultFields::new()))
        .with_writer(file)
}

/// Starts logging to stderr and to a file in `dir` (stderr only, with a warning, when the
/// folder cannot be written). Returns the folder, when the file is used.
pub fn init(dir: PathBuf) -> Option<PathBuf> {
    let stderr = fmt::layer().with_writer(std::io::stderr);
    // Writes go straight to the file (no background writer to flush at exit); the app logs
    // lifecycle lines, not per-frame ones.
    let (file, error) = match appender(&dir) {
        Ok(a) => (Some(file_layer(a)), None),
        Err(e) => (None, Some(e)),
    };
    let used = file.is_some().then(|| dir.clone());
    let registry = tracing_subscriber::registry().with(filter());
    if let Err(e) = registry.with(stderr.and_then(file)).try_init() {
        eprintln!("reelcut desktop: logging not started: {e}");
    }
    match error {
        Some(e) => tracing::warn!(dir = %dir.display(), error = %e, "no log file"),
        None => tracing::info!(dir = %dir.display(), "logging to {LATEST}"),
    }
    used
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A line written inside the engine's spans names them with their fields, in plain text
    /// while stderr gets colours.
    #[test]
    fn file_lines_carry_job_and_stage() {
        let dir = std::env::temp_dir().join(format!("reelcut-logs-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let file = appender(&dir).expect("appender");
        let subscriber = tracing_subscriber::registry()
            .with(fmt::layer().with_ansi(true).with_writer(std::io::sink))
            .with(file_layer(file));
        tracing::subscriber::with_default(subscriber, || {
            let job = tracing::info_span!("job", job = 3);
            let _job = job.enter();
            let stage = tracing::info_span!("stage", stage = "render", clip = 1);
            let _stage = stage.enter();
            tracing::info!("encoder chosen");
        });
        let text = std::fs::read_to_string(dir.join(LATEST)).expect("the link reads the file");
        assert!(
            text.contains(r#"job{job=3}:stage{stage="render" clip=1}: "#)
                && text.contains("encoder chosen"),
            "{text}"
        );
        assert!(!text.contains('\x1b'), "no colour codes: {text}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
