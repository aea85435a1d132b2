//! The fetch stage: a URL becomes a local video through yt-dlp (found on PATH with `which`,
//! or configured), run in its own process group so a cancel can kill it and the ffmpeg it
//! spawns for merging, with progress parsed from its `--newline` output.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use reelcut_core::{CancellationToken, ErrorKind};

use crate::EngineError;

/// Oldest yt-dlp we accept: progress templates and `--print after_move:` need 2023+.
const MIN_VERSION: &str = "2023.03.04";

pub use reelcut_core::is_url;

/// Why a URL could not be fetched, classified once where yt-dlp reports it; retries and
/// clients match the variants.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error(
        "URL inputs need yt-dlp, which is not on PATH: install it (`sudo apt install yt-dlp`, or \
         `pipx install yt-dlp` for a current one), or point REELCUT_YTDLP at it; files and folders \
         work without it"
    )]
    Missing,
    #[error(
        "{bin} reports version {version:?}; URL inputs need yt-dlp >= {MIN_VERSION} (sites change \
         and old versions stop working): `pipx install yt-dlp` or `yt-dlp -U`"
    )]
    TooOld { bin: PathBuf, version: String },
    #[error("cannot run {bin}: {source}")]
    Spawn {
        bin: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{url}: unsupported URL (no yt-dlp extractor handles it)")]
    Unsupported { url: String },
    #[error("{url}: not found (HTTP 404)")]
    NotFound { url: String },
    #[error(
        "{url}: the site asks to sign in or to prove you are not a bot: export your browser's cookies and \
         pass them to yt-dlp (REELCUT_YTDLP_ARGS=\"--cookies cookies.txt\")"
    )]
    SignIn { url: String },
    /// Network or server trouble: worth another try.
    #[error("{url}: yt-dlp failed (exit {}): {stderr_tail}", exit_text(*.exit))]
    Transient {
        url: String,
        exit: Option<i32>,
        stderr_tail: String,
    },
    #[error("{url}: yt-dlp failed (exit {}): {stderr_tail}", exit_text(*.exit))]
    Failed {
        url: String,
        exit: Option<i32>,
        stderr_tail: String,
    },
    #[error("{url}: {message}")]
    Output { url: String, message: String },
    /// A playlist reached through `depth` playlists already: feeds that list feeds are
    /// followed only so far, so pages that list each other cannot queue jobs forever.
    #[error(
        "{url}: a playlist inside {depth} levels of playlists (via {via}); Reelcut expands at \
         most {depth} levels: give this playlist's URL directly"
    )]
    Nested {
        url: String,
        depth: usize,
        via: String,
    },
}

fn exit_text(code: Option<i32>) -> String {
    code.map_or("signal".into(), |c| c.to_string())
}

impl FetchError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            FetchError::Unsupported { .. } | FetchError::Nested { .. } => {
                ErrorKind::FetchUnsupported
            }
            FetchError::NotFound { .. } => ErrorKind::FetchNotFound,
            FetchError::SignIn { .. } => ErrorKind::FetchSignIn,
            FetchError::Transient { .. } => ErrorKind::FetchUnavailable,
            FetchError::Missing | FetchError::TooOld { .. } => ErrorKind::FetchToolMissing,
            FetchError::Spawn { .. } | FetchError::Failed { .. } | FetchError::Output { .. } => {
                ErrorKind::Fetch
            }
        }
    }

    pub fn is_transient(&self) -> bool {
        matches!(self, FetchError::Transient { .. })
    }
}

/// yt-dlp: `REELCUT_YTDLP`, then PATH (a source checkout's scripts put its `.venv/bin`
/// there). Only URL inputs need it.
pub fn find_ytdlp() -> Result<PathBuf, EngineError> {
    if let Some(p) = std::env::var_os("REELCUT_YTDLP").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    which::which("yt-dlp").map_err(|_| FetchError::Missing.into())
}

/// `yt-dlp --version`, checked against [`MIN_VERSION`] (versions are dates, so they compare
/// as strings once split into numbers).
pub fn ytdlp_version(bin: &Path) -> Result<String, EngineError> {
    let out = Command::new(bin)
        .arg("--version")
        .output()
        .map_err(|source| FetchError::Spawn {
            bin: bin.to_path_buf(),
            source,
        })?;
    let v = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let parts = |s: &str| {
        s.split('.')
            .map(|p| p.parse::<u32>().unwrap_or(0))
            .collect::<Vec<_>>()
    };
    if !out.status.success() || parts(&v) < parts(MIN_VERSION) {
        return Err(FetchError::TooOld {
            bin: bin.to_path_buf(),
            version: v,
        }
        .into());
    }
    Ok(v)
}

/// Classifies yt-dlp's failure from its exit and the tail of its stderr (yt-dlp reports
/// causes only as text, so this is the one place that reads it).
fn explain(url: &str, stderr_tail: &str, code: Option<i32>) -> FetchError {
    let lower = stderr_tail.to_lowercase();
    let url = url.to_string();
    if lower.contains("unsupported url") {
        FetchError::Unsupported { url }
    } else if lower.contains("http error 404") || lower.contains("404: not found") {
        FetchError::NotFound { url }
    } else if lower.contains("sign in")
        || lower.contains("confirm you")
        || lower.contains("login")
        || lower.contains("http error 401")
    {
        // 401: the server wants credentials, which for a video page means signing in.
        FetchError::SignIn { url }
    } else if is_transient_text(&lower) {
        FetchError::Transient {
            url,
            exit: code,
            stderr_tail: reelcut_core::printable(stderr_tail.trim()),
        }
    } else {
        FetchError::Failed {
            url,
            exit: code,
            stderr_tail: reelcut_core::printable(stderr_tail.trim()),
        }
    }
}

/// The name a download is kept under, which also names its clips' folder: the title cut to
/// 60 characters, then the site's id for the video — or, where that id is long or not
/// file-safe (yt-dlp's generic extractor uses the URL's file name), 10 hex digits of the
/// URL's hash. Two videos never share a name (titles that agree for 80 characters did), and
/// the same URL always gets the same one.
pub fn download_name(url: &str, title: &str, id: Option<&str>) -> String {
    let title = reelcut_core::safe_stem(title, 60, "video");
    let id = match id {
        Some(id)
            if (1..=20).contains(&id.len())
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') =>
        {
            id.to_string()
        }
        _ => {
            use sha2::{Digest, Sha256};
            format!("{:x}", Sha256::digest(url.as_bytes()))[..10].to_string()
        }
    };
    format!("{title}-{id}")
}

/// Downloads `url` (best video up to 1080p + best audio, merged to mp4) into `dir` as
/// `name.mp4` and returns the file; yt-dlp works in `work`, a folder the caller owns, under a
/// fixed name (a URL's 240-character file name must not become a file name): a job keeps it
/// across a crash, so the next attempt continues yt-dlp's `.part` file instead of starting
/// over, and removes it on cancel. `progress` gets fractions in 0..=1. Blocking.
pub fn download_with(
    url: &str,
    name: &str,
    work: &Path,
    dir: &Path,
    cancel: &CancellationToken,
    progress: &mut dyn FnMut(f64),
) -> Result<PathBuf, EngineError> {
    let bin = ytdlp()?;
    for d in [work, dir] {
        std::fs::create_dir_all(d).map_err(|source| EngineError::Io {
            path: d.to_path_buf(),
            source,
        })?;
    }
    let file = run_ytdlp(&bin, url, work, cancel, progress)?;
    let target = dir.join(format!(
        "{}.mp4",
        reelcut_core::safe_stem(name, 120, "video")
    ));
    std::fs::rename(&file, &target).map_err(|source| EngineError::Io {
        path: target.clone(),
        source,
    })?;
    progress(1.0);
    Ok(target)
}

/// yt-dlp, found and version-checked.
fn ytdlp() -> Result<PathBuf, EngineError> {
    let bin = find_ytdlp()?;
    ytdlp_version(&bin)?;
    Ok(bin)
}

/// What a URL holds, asked of yt-dlp without downloading.
#[derive(Debug, Clone, PartialEq)]
pub enum UrlInfo {
    Video {
        title: String,
        /// The site's id for the video, when it gives one.
        id: Option<String>,
    },
    /// A playlist (or a page with several videos): each entry becomes its own job.
    Playlist { title: String, entries: Vec<String> },
}

/// `yt-dlp -J --flat-playlist`: one quick metadata request.
pub fn inspect_url(url: &str, cancel: &CancellationToken) -> Result<UrlInfo, EngineError> {
    let bin = ytdlp()?;
    let mut cmd = Command::new(&bin);
    cmd.args(["-J", "--flat-playlist", "--no-warnings"]);
    finish_command(&mut cmd, url)?;
    let mut stdout = Vec::new();
    let (status, stderr) = run(cmd, cancel, &mut |line| stdout.extend_from_slice(line))?;
    if !status.success() {
        return Err(explain(url, &tail(&stderr), status.code()).into());
    }
    let v: serde_json::Value = serde_json::from_slice(&stdout).map_err(|e| FetchError::Output {
        url: url.into(),
        message: format!("yt-dlp printed no metadata ({e})"),
    })?;
    // A page's title is the page author's text: no escape sequences reach a terminal.
    let title = reelcut_core::printable(v["title"].as_str().unwrap_or("video"));
    let entries = v["entries"].as_array();
    match (v["_type"].as_str(), entries) {
        (Some("playlist"), Some(listed)) if !listed.is_empty() => {
            let entries: Vec<String> = listed
                .iter()
                .filter_map(|e| {
                    // A flat entry carries its own URL; a page with several embedded videos
                    // gives full entries whose page URL is the playlist's, so take the media.
                    e["url"]
                        .as_str()
                        .filter(|u| is_url(u) && *u != url)
                        .or_else(|| e["webpage_url"].as_str().filter(|u| *u != url))
                        .or_else(|| e["formats"].as_array()?.last()?["url"].as_str())
                        // Only web addresses: an entry of a downloaded page must never
                        // become a job on a local file.
                        .filter(|u| is_url(u))
                        .map(str::to_string)
                })
                .collect();
            if entries.is_empty() {
                return Err(FetchError::Output {
                    url: url.into(),
                    message: format!(
                        "a playlist of {} entries, none with an http(s) address to fetch",
                        listed.len()
                    ),
                }
                .into());
            }
            Ok(UrlInfo::Playlist { title, entries })
        }
        _ => Ok(UrlInfo::Video {
            title,
            id: v["id"].as_str().map(str::to_string),
        }),
    }
}

/// The end of every yt-dlp command line: no configuration file (a user's or a system's
/// `--paths`/`-o` would write outside the work folder), the user's extra arguments split as a
/// shell would (`--cookies "my cookies.txt"`), then the URL after `--` (so a URL that starts
/// with '-' can never be read as an option), output piped.
fn finish_command(cmd: &mut Command, url: &str) -> Result<(), EngineError> {
    cmd.arg("--ignore-config");
    if let Ok(extra) = std::env::var("REELCUT_YTDLP_ARGS") {
        let args = shlex::split(&extra).ok_or_else(|| {
            EngineError::InvalidOptions(format!(
                "REELCUT_YTDLP_ARGS={extra:?}: unbalanced quotes or a trailing backslash"
            ))
        })?;
        cmd.args(args);
    }
    cmd.arg("--")
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    Ok(())
}

/// Runs `cmd` in its own process group (killed with its children on cancel, and when this
/// process dies), handing each line of its stdout (with its newline) to `on_line` as it
/// comes. Returns the exit status and stderr.
fn run(
    mut cmd: Command,
    cancel: &CancellationToken,
    on_line: &mut dyn FnMut(&[u8]),
) -> Result<(std::process::ExitStatus, String), EngineError> {
    let bin = PathBuf::from(cmd.get_program());
    let failed = |source: std::io::Error| FetchError::Spawn {
        bin: bin.clone(),
        source,
    };
    isolate(&mut cmd);
    let mut child = cmd.spawn().map_err(failed)?;
    let pid = child.id() as i32;
    let stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    // Bytes, not `lines()`: a line that is not UTF-8 must not stop the reading (a child
    // blocked on a full pipe would never end).
    let (tx, rx) = mpsc::channel::<Vec<u8>>();
    let out_reader = std::thread::spawn(move || {
        let Some(out) = stdout else { return };
        let mut out = BufReader::new(out);
        loop {
            let mut line = Vec::new();
            match out.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            }
        }
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(e) = stderr.as_mut() {
            let _ = e.read_to_string(&mut s);
        }
        s
    });
    let mut stdout_open = true;
    let status = loop {
        if cancel.is_cancelled() {
            kill_group(pid);
            let _ = child.wait();
            let _ = out_reader.join();
            let _ = err_reader.join();
            return Err(EngineError::Cancelled);
        }
        if stdout_open {
            match rx.recv_timeout(Duration::from_millis(50)) {
                Ok(line) => on_line(&line),
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => stdout_open = false,
            }
        } else {
            match child.try_wait().map_err(failed)? {
                Some(status) => break status,
                None => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    };
    let _ = out_reader.join();
    Ok((status, err_reader.join().unwrap_or_default()))
}

/// Its own process group, so a cancel kills yt-dlp and the ffmpeg it spawns for merging;
/// and a parent-death signal, so a kill -9 of Reelcut does not leave yt-dlp running.
fn isolate(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    cmd.process_group(0);
    // SAFETY: prctl is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        });
    }
}

fn kill_group(pid: i32) {
    // SAFETY: a plain syscall on the group we created; the child is reaped by the caller.
    unsafe {
        libc::kill(-pid, libc::SIGKILL);
    }
}

fn tail(stderr: &str) -> String {
    let lines: Vec<&str> = stderr.lines().rev().take(5).collect();
    lines.into_iter().rev().collect::<Vec<_>>().join("\n")
}

/// Failures worth another try: the network or the server, not the input.
fn is_transient_text(lower: &str) -> bool {
    [
        "http error 5",
        "timed out",
        "connection reset",
        "connection refused",
        "temporary failure",
        "remote end closed",
        "incomplete read",
        "network is unreachable",
    ]
    .iter()
    .any(|p| lower.contains(p))
}

fn run_ytdlp(
    bin: &Path,
    url: &str,
    dir: &Path,
    cancel: &CancellationToken,
    progress: &mut dyn FnMut(f64),
) -> Result<PathBuf, EngineError> {
    let mut cmd = Command::new(bin);
    cmd.args([
        "--newline",
        // `--print` makes yt-dlp quiet, and it shows no progress without a terminal: force it.
        "--progress",
        "--no-playlist",
        "--restrict-filenames",
        "--no-mtime",
        "-f",
        "bv*[height<=1080]+ba/b[height<=1080]/bv*+ba/b",
        "--merge-output-format",
        "mp4",
        "--progress-template",
        "download:reelcut-progress %(progress.downloaded_bytes)s %(progress.total_bytes)s %(progress.total_bytes_estimate)s",
        "--print",
        "after_move:reelcut-file %(filepath)s",
        "-o",
    ])
    .arg(dir.join("download.%(ext)s"));
    finish_command(&mut cmd, url)?;
    let mut file = None;
    let (status, stderr_text) = run(cmd, cancel, &mut |line| {
        let line = String::from_utf8_lossy(line);
        let line = line.trim_end();
        if let Some(rest) = line.strip_prefix("reelcut-progress ") {
            let n: Vec<f64> = rest
                .split_whitespace()
                .map(|v| v.parse().unwrap_or(f64::NAN))
                .collect();
            let total = n
                .get(1)
                .copied()
                .filter(|t| t.is_finite() && *t > 0.0)
                .or(n.get(2).copied().filter(|t| t.is_finite() && *t > 0.0));
            if let (Some(done), Some(total)) = (n.first().copied().filter(|d| d.is_finite()), total)
            {
                progress((done / total).clamp(0.0, 1.0));
            }
        } else if let Some(path) = line.strip_prefix("reelcut-file ") {
            file = Some(PathBuf::from(path.trim()));
        }
    })?;
    if !status.success() {
        return Err(explain(url, &tail(&stderr_text), status.code()).into());
    }
    file.filter(|f| f.is_file()).ok_or_else(|| {
        FetchError::Output {
            url: url.into(),
            message: "yt-dlp finished but reported no file".into(),
        }
        .into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downloads_get_distinct_stable_names_that_fit() {
        let long = "a".repeat(240);
        let n = |url: &str, id: Option<&str>| download_name(url, &long, id);
        // Titles alike for 80 characters, different videos: different names.
        assert_ne!(
            n("https://x/1", Some("abc123")),
            n("https://x/2", Some("abc124"))
        );
        assert_ne!(n("https://x/1", Some(&long)), n("https://x/2", Some(&long)));
        // The same URL: the same name, every time.
        assert_eq!(n("https://x/1", Some(&long)), n("https://x/1", Some(&long)));
        assert!(n("https://x/1", Some(&long)).len() < 80);
        assert_eq!(
            download_name("u", "My Talk", Some("dQw4w9WgXcQ")),
            "My Talk-dQw4w9WgXcQ"
        );
        assert_eq!(
            download_name("https://x/y.mp4", "../../etc", Some("../x")).len(),
            "_.._etc".len() + 1 + 10
        );
    }

    #[test]
    fn extra_arguments_are_split_like_a_shell_and_configs_ignored() {
        std::env::set_var("REELCUT_YTDLP_ARGS", r#"--cookies "my cookies.txt" -v"#);
        let mut cmd = Command::new("yt-dlp");
        finish_command(&mut cmd, "https://x/-v").unwrap();
        let args: Vec<_> = cmd
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            args,
            [
                "--ignore-config",
                "--cookies",
                "my cookies.txt",
                "-v",
                "--",
                "https://x/-v"
            ]
        );
        std::env::set_var("REELCUT_YTDLP_ARGS", r#"--cookies "unclosed"#);
        let e = finish_command(&mut Command::new("yt-dlp"), "https://x").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidOptions);
        std::env::remove_var("REELCUT_YTDLP_ARGS");
    }

    #[test]
    fn errors_are_classified_where_yt_dlp_reports_them() {
        let k = |s: &str| explain("u", s, Some(1)).kind();
        assert_eq!(k("ERROR: Unsupported URL: x"), ErrorKind::FetchUnsupported);
        assert_eq!(
            k("ERROR: HTTP Error 404: Not Found"),
            ErrorKind::FetchNotFound
        );
        assert_eq!(
            k("ERROR: Sign in to confirm you're not a bot"),
            ErrorKind::FetchSignIn
        );
        assert_eq!(
            k("ERROR: HTTP Error 401: Unauthorized"),
            ErrorKind::FetchSignIn
        );
        assert_eq!(
            k("ERROR: HTTP Error 503: Service Unavailable"),
            ErrorKind::FetchUnavailable
        );
        assert_eq!(k("ERROR: something else"), ErrorKind::Fetch);
        assert!(explain("u", "HTTP Error 502", Some(1)).is_transient());
        assert!(!explain("u", "HTTP Error 404", Some(1)).is_transient());
        let m = explain("u", "ERROR: Sign in to confirm you're not a bot", Some(1)).to_string();
        assert!(m.contains("cookies"), "{m}");
        let failed = explain("u", "ERROR: boom", Some(2)).to_string();
        assert!(
            failed.contains("exit 2") && failed.contains("boom"),
            "{failed}"
        );
    }
}
