//! A minimal HTTP/1.1 file server on 127.0.0.1 for download tests: GET with optional
//! `Range: bytes=N-`, 404 for unknown paths, and faults on demand.

// Shared by several test binaries, each using a part of it.
#![allow(clippy::unwrap_used)] // test code: a panic is a failed test
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fault {
    None,
    /// Answer 200 with the whole file even when a Range is asked for.
    IgnoreRange,
    /// On the first request, announce the full length but send only this many bytes.
    CutFirstAfter(usize),
}

/// One request as the server saw it, and its status.
#[derive(Debug, Clone)]
pub struct Hit {
    pub path: String,
    pub range: Option<String>,
    pub if_range: Option<String>,
    pub status: u16,
}

/// Files by path, replaceable while the server runs (a file changed upstream).
type Files = Arc<Mutex<HashMap<String, Vec<u8>>>>;

/// The strong ETag the server gives `data`.
pub fn etag(data: &[u8]) -> String {
    format!("\"{}\"", &sha256(data)[..16])
}

pub struct Server {
    pub addr: SocketAddr,
    pub hits: Arc<Mutex<Vec<Hit>>>,
    files: Files,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    pub fn start(files: Vec<(&str, Vec<u8>)>, fault: Fault) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let files: Files = Arc::new(Mutex::new(
            files.into_iter().map(|(p, d)| (p.to_string(), d)).collect(),
        ));
        let hits = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (hits2, stop2, files2) = (hits.clone(), stop.clone(), files.clone());
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let first = hits2.lock().expect("hits").is_empty();
                let files = files2.lock().expect("files").clone();
                if let Some(hit) = handle(stream, &files, fault, first) {
                    hits2.lock().expect("hits").push(hit);
                }
            }
        });
        Server {
            addr,
            hits,
            files,
            stop,
            thread: Some(thread),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Replaces the file at `path` (a new version upstream).
    pub fn set_file(&self, path: &str, data: Vec<u8>) {
        self.files.lock().expect("files").insert(path.into(), data);
    }

    pub fn hits(&self) -> Vec<Hit> {
        self.hits.lock().expect("hits").clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn handle(
    stream: TcpStream,
    files: &HashMap<String, Vec<u8>>,
    fault: Fault,
    first: bool,
) -> Option<Hit> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line).ok()?;
    let path = request_line.split_whitespace().nth(1)?.to_string();
    let (mut range, mut if_range) = (None, None);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            if k.trim().eq_ignore_ascii_case("range") {
                range = Some(v.trim().to_string());
            } else if k.trim().eq_ignore_ascii_case("if-range") {
                if_range = Some(v.trim().to_string());
            }
        }
    }
    let mut out = stream;
    let Some(data) = files.get(&path) else {
        let body = b"not found";
        let _ = write!(
            out,
            "HTTP/1.1 404 Not Found\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let _ = out.write_all(body);
        return Some(Hit {
            path,
            range,
            if_range,
            status: 404,
        });
    };
    let tag = etag(data);
    // RFC 9110: a Range with an If-Range that no longer matches gets the whole file.
    let start = range
        .as_deref()
        .filter(|_| fault != Fault::IgnoreRange)
        .filter(|_| if_range.as_deref().is_none_or(|v| v == tag))
        .and_then(|r| r.strip_prefix("bytes="))
        .and_then(|r| r.strip_suffix('-'))
        .and_then(|n| n.parse::<usize>().ok());
    let status = match start {
        Some(s) if s >= data.len() => {
            let _ = write!(out, "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */{}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", data.len());
            return Some(Hit {
                path,
                range,
                if_range,
                status: 416,
            });
        }
        Some(s) => {
            let _ = write!(
                out,
                "HTTP/1.1 206 Partial Content\r\nETag: {tag}\r\nContent-Range: bytes {}-{}/{}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                s,
                data.len() - 1,
                data.len(),
                data.len() - s
            );
            let _ = out.write_all(&data[s..]);
            206
        }
        None => {
            let _ = write!(
                out,
                "HTTP/1.1 200 OK\r\nETag: {tag}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                data.len()
            );
            match fault {
                Fault::CutFirstAfter(n) if first => {
                    let _ = out.write_all(&data[..n.min(data.len())]);
                }
                _ => {
                    let _ = out.write_all(data);
                }
            }
            200
        }
    };
    let _ = out.flush();
    Some(Hit {
        path,
        range,
        if_range,
        status,
    })
}

/// Deterministic pseudo-random bytes: a stand-in for a model file.
pub fn blob(len: usize) -> Vec<u8> {
    let mut x = 0x9E37_79B9_7F4A_7C15_u64;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

pub fn sha256(data: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
