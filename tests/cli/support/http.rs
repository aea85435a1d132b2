//! A loopback HTTP server for yt-dlp's generic extractor: serves tests/media with Range
//! support, and can trickle bodies, fail the first requests, or serve HTML pages.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Default)]
struct State {
    throttle: AtomicBool,
    /// path -> (failures left, status)
    failures: Mutex<HashMap<String, (u32, u16)>>,
    pages: Mutex<HashMap<String, String>>,
    /// path -> files served under another name
    aliases: Mutex<HashMap<String, String>>,
    /// Every request: (path, first byte asked for).
    log: Mutex<Vec<(String, u64)>>,
}

pub struct Server {
    pub base: String,
    state: Arc<State>,
}

impl Server {
    pub fn start(root: PathBuf) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let state = Arc::new(State::default());
        let st = Arc::clone(&state);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (st, root) = (Arc::clone(&st), root.clone());
                std::thread::spawn(move || handle(stream, &st, &root));
            }
        });
        Self { base, state }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Bodies trickle at about 256 KB/s.
    pub fn throttle(&self, on: bool) {
        self.state.throttle.store(on, Ordering::SeqCst);
    }

    /// The next `times` requests for `path` get `status`.
    pub fn fail(&self, path: &str, times: u32, status: u16) {
        lock(&self.state.failures).insert(path.into(), (times, status));
    }

    pub fn page(&self, path: &str, html: &str) {
        lock(&self.state.pages).insert(path.into(), html.into());
    }

    /// Serve the file `file` (under the root) at `path`.
    pub fn alias(&self, path: &str, file: &str) {
        lock(&self.state.aliases).insert(path.into(), file.into());
    }

    /// Requests for `path` so far, with the first byte each asked for.
    pub fn requests(&self, path: &str) -> Vec<u64> {
        lock(&self.state.log)
            .iter()
            .filter(|(p, _)| p == path)
            .map(|(_, from)| *from)
            .collect()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn respond(stream: &mut TcpStream, status: u16, extra: &str, len: usize) {
    let reason = match status {
        200 => "OK",
        206 => "Partial Content",
        404 => "Not Found",
        _ => "Error",
    };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\n{extra}Content-Length: {len}\r\nAccept-Ranges: bytes\r\nConnection: close\r\n\r\n"
    );
    let _ = stream.write_all(head.as_bytes());
}

fn handle(mut stream: TcpStream, st: &State, root: &std::path::Path) {
    let Ok(clone) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(clone);
    let mut request = String::new();
    if reader.read_line(&mut request).is_err() {
        return;
    }
    let mut from = 0u64;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).map(|n| n == 0).unwrap_or(true) || line == "\r\n" {
            break;
        }
        let lower = line.to_lowercase();
        if let Some(r) = lower.strip_prefix("range: bytes=") {
            from = r
                .split('-')
                .next()
                .and_then(|n| n.trim().parse().ok())
                .unwrap_or(0);
        }
    }
    let mut parts = request.split_whitespace();
    let (method, path) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or("/").to_string(),
    );
    lock(&st.log).push((path.clone(), from));
    if let Some((left, status)) = lock(&st.failures).get_mut(&path) {
        if *left > 0 {
            *left -= 1;
            respond(&mut stream, *status, "", 0);
            return;
        }
    }
    if let Some(html) = lock(&st.pages).get(&path).cloned() {
        respond(&mut stream, 200, "Content-Type: text/html\r\n", html.len());
        let _ = stream.write_all(html.as_bytes());
        return;
    }
    let name = lock(&st.aliases)
        .get(&path)
        .cloned()
        .unwrap_or_else(|| path.trim_start_matches('/').to_string());
    let body = std::fs::File::open(root.join(&name))
        .ok()
        .filter(|_| !name.contains(".."))
        .and_then(|mut f| {
            let mut v = Vec::new();
            f.read_to_end(&mut v).ok().map(|_| v)
        });
    let Some(body) = body else {
        respond(&mut stream, 404, "", 0);
        return;
    };
    let from = (from as usize).min(body.len());
    let rest = &body[from..];
    if from > 0 {
        let range = format!(
            "Content-Type: video/mp4\r\nContent-Range: bytes {from}-{}/{}\r\n",
            body.len() - 1,
            body.len()
        );
        respond(&mut stream, 206, &range, rest.len());
    } else {
        respond(&mut stream, 200, "Content-Type: video/mp4\r\n", rest.len());
    }
    if method == "HEAD" {
        return;
    }
    for chunk in rest.chunks(16 * 1024) {
        if stream.write_all(chunk).is_err() {
            return;
        }
        if st.throttle.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(60));
        }
    }
}
