//! Downloads through the real yt-dlp (its generic extractor) from a local HTTP server that
//! serves the generated fixtures: no network target but loopback.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::*;

/// Serves tests/media on 127.0.0.1; with `throttle`, bodies trickle at ~256 KB/s.
fn serve(throttle: bool) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let root = media("frames.mp4").parent().unwrap().to_path_buf();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let root = root.clone();
            std::thread::spawn(move || {
                let mut stream = stream;
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request = String::new();
                if reader.read_line(&mut request).is_err() {
                    return;
                }
                // Drain the headers.
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).map(|n| n == 0).unwrap_or(true) || line == "\r\n"
                    {
                        break;
                    }
                }
                let mut parts = request.split_whitespace();
                let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
                let file = root.join(path.trim_start_matches('/'));
                let Some(mut f) = std::fs::File::open(&file)
                    .ok()
                    .filter(|_| !path.contains(".."))
                else {
                    let _ = stream.write_all(
                        b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    );
                    return;
                };
                let mut body = Vec::new();
                f.read_to_end(&mut body).unwrap();
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes());
                if method == "HEAD" {
                    return;
                }
                for chunk in body.chunks(if throttle { 16 * 1024 } else { 1 << 20 }) {
                    if stream.write_all(chunk).is_err() {
                        return;
                    }
                    if throttle {
                        std::thread::sleep(Duration::from_millis(60));
                    }
                }
            });
        }
    });
    format!("http://{addr}")
}

fn with_ytdlp(cmd: &mut Command) -> &mut Command {
    let venv = repo().join(".venv/bin");
    let path = format!(
        "{}:{}",
        venv.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    cmd.env("PATH", path).env("REELCUT_STATE_DIR", state_dir())
}

fn run(out: &std::path::Path, args: &[&str]) -> (i32, Vec<serde_json::Value>) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_reelcut"));
    cmd.args([
        "run",
        "--json",
        "--reframe",
        "center",
        "--resolution",
        "240",
        "--preset",
        "ultrafast",
        "--out",
    ])
    .arg(out)
    .args(args);
    let o = with_ytdlp(&mut cmd).output().unwrap();
    let events = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (o.status.code().unwrap_or(-1), events)
}

#[test]
fn a_url_is_downloaded_with_ytdlp_and_clipped() {
    let base = serve(false);
    let out = tempfile::tempdir().unwrap();
    let (code, events) = run(
        out.path(),
        &[&format!("{base}/frames.mp4"), "--clip", "1-3"],
    );
    assert_eq!(code, 0, "{events:?}");
    let fetch: Vec<_> = events
        .iter()
        .filter(|e| e["event"] == "progress" && e["stage"] == "fetch")
        .collect();
    assert!(
        !fetch.is_empty() && fetch.last().unwrap()["fraction"] == 1.0,
        "{fetch:?}"
    );
    let done = events_of(&events, "job_done")[0];
    let clip = std::path::PathBuf::from(done["outputs"][0].as_str().unwrap());
    let p = ffprobe(&clip);
    assert!((num(&p["format"]["duration"]) - 2.0).abs() < 0.05);
    // The downloaded source is the same video (same frame count for 1-3 s as a local run).
    let n = gray_frames(&clip, 24, 96)
        .iter()
        .map(|f| barcode(f, 24, 96))
        .collect::<Vec<_>>();
    assert_eq!((n[0], n[n.len() - 1], n.len()), (30, 89, 60));
}

#[test]
fn fetch_errors_are_specific() {
    let base = serve(false);
    let out = tempfile::tempdir().unwrap();
    let (code, events) = run(out.path(), &[&format!("{base}/nope.mp4")]);
    assert_eq!(code, 1);
    let f = events_of(&events, "job_failed")[0];
    assert_eq!(f["kind"], "fetch_not_found");
    let msg = f["message"].as_str().unwrap();
    assert!(msg.contains("/nope.mp4") && msg.contains("404"), "{msg}");

    let mut cmd = Command::new(env!("CARGO_BIN_EXE_reelcut"));
    cmd.args(["run", "--json", "--out"])
        .arg(out.path())
        .arg(format!("{base}/frames.mp4"));
    let o = cmd
        .env("REELCUT_YTDLP", "/nonexistent/yt-dlp")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout.contains("cannot run /nonexistent/yt-dlp"),
        "{stdout}"
    );
}

#[test]
fn ctrl_c_during_a_download_kills_ytdlp_and_leaves_nothing() {
    let base = serve(true);
    let out = tempfile::tempdir().unwrap();
    let url = format!("{base}/sample.mp4");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_reelcut"));
    cmd.args(["run", "--json", "--out"])
        .arg(out.path())
        .arg(&url)
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = with_ytdlp(&mut cmd).spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    // Wait until yt-dlp reports progress.
    loop {
        let line = lines.next().expect("fetch progress").unwrap();
        if line.contains("\"fetch\"") {
            break;
        }
    }
    let sent = Instant::now();
    assert!(Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap()
        .success());
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert_eq!(child.wait().unwrap().code(), Some(130), "{rest:?}");
    eprintln!(
        "cancel latency: fetch (Ctrl-C) {:.2}s",
        sent.elapsed().as_secs_f64()
    );
    assert!(
        rest.iter().any(|l| l.contains("\"job_cancelled\"")),
        "{rest:?}"
    );
    assert!(
        !rest.iter().any(|l| l.contains("job_started")),
        "cancelled during the download, not after"
    );
    // Nothing of the half download remains (no .part, no work folder, no file).
    let downloads = out.path().join(".downloads");
    let left: Vec<_> = std::fs::read_dir(&downloads)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "{left:?}");
    // No yt-dlp left for this URL.
    std::thread::sleep(Duration::from_millis(200));
    let ps = Command::new("pgrep").args(["-f", &url]).output().unwrap();
    assert!(
        ps.stdout.is_empty(),
        "left running: {}",
        String::from_utf8_lossy(&ps.stdout)
    );
    assert!(leftovers(out.path()).is_empty());
}
