//! Clip previews over loopback HTTP. WebKitGTK's media pipeline cannot play from a custom
//! URI scheme (Tauri's `asset:` protocol loads images but not video on Linux: tauri-apps/tauri
//! #3725), so the window's `<video>` elements read clips from this server instead.
//!
//! The same rule as an asset scope: only files inside the allowed roots (output folders and
//! the engine's work folder), read-only, on 127.0.0.1, behind a per-launch random token so
//! other local programs cannot guess URLs. Range requests are answered (seeking).
//!
//! Any local program can connect before the token is checked, so a connection costs little
//! and cannot be held for free ([`Limits`]): a few dozen at once (more are answered 503 by
//! the accept loop, no thread), a request head of 8 KiB read within 10 s, and a body send
//! that stalls for 30 s ends (a paused `<video>` asks again with a Range when it plays on).

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub type Roots = Arc<Mutex<Vec<PathBuf>>>;

/// What one connection may cost before (and after) its token is checked.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Connections served at once; a window with a gallery uses a few per playing video.
    pub connections: usize,
    /// Request line plus headers, in bytes; WebKit's are under 1 KiB.
    pub head: u64,
    /// The whole head must arrive within this (a client trickling bytes gains nothing).
    pub head_timeout: Duration,
    /// A body send that makes no progress for this long ends.
    pub send_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            connections: 32,
            head: 8 * 1024,
            head_timeout: Duration::from_secs(10),
            send_timeout: Duration::from_secs(30),
        }
    }
}

/// Counts a connection being served, from accept to close.
struct Slot(Arc<AtomicUsize>);

impl Slot {
    fn take(live: &Arc<AtomicUsize>, max: usize) -> Option<Self> {
        let taken = live.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
            (n < max).then_some(n + 1)
        });
        taken.ok().map(|_| Self(Arc::clone(live)))
    }
}

/// Reads the request head against one deadline for all of it.
struct HeadReader {
    stream: TcpStream,
    until: Instant,
}

impl Read for HeadReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let left = self.until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(std::io::ErrorKind::TimedOut.into());
        }
        self.stream.set_read_timeout(Some(left))?;
        self.stream.read(buf)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

pub struct MediaServer {
    /// `http://127.0.0.1:PORT/TOKEN/`; a file's URL is this plus its percent-encoded path.
    pub base: String,
}

impl MediaServer {
    pub fn start(roots: Roots) -> std::io::Result<Self> {
        Self::start_with(roots, Limits::default())
    }

    pub fn start_with(roots: Roots, limits: Limits) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        let token = random_token();
        let base = format!("http://127.0.0.1:{port}/{token}/");
        std::thread::Builder::new()
            .name("reelcut-media-server".into())
            .spawn(move || {
                let live = Arc::new(AtomicUsize::new(0));
                for mut stream in listener.incoming().flatten() {
                    let Some(slot) = Slot::take(&live, limits.connections) else {
                        // Answered here, without a thread: the kernel's send buffer takes it.
                        let _ = stream.set_write_timeout(Some(Duration::from_millis(100)));
                        let _ = stream.write_all(
                            b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                        );
                        continue;
                    };
                    let roots = roots.clone();
                    let token = token.clone();
                    let spawned = std::thread::Builder::new()
                        .name("reelcut-media-conn".into())
                        .spawn(move || {
                            let _slot = slot;
                            if let Err(e) = serve(stream, &token, &roots, &limits) {
                                tracing::debug!(error = %e, "media request ended");
                            }
                        });
                    if let Err(e) = spawned {
                        tracing::warn!(error = %e, "no thread for a media request");
                    }
                }
            })?;
        Ok(Self { base })
    }
}

fn random_token() -> String {
    let mut bytes = [0u8; 16];
    let read = File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes));
    if read.is_err() {
        // No /dev/urandom (not Linux): hash the clock and addresses; still unguessable enough
        // for a token that only keeps other local programs from stumbling on clips.
        use std::hash::{BuildHasher, Hasher};
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default(),
        );
        bytes[..8].copy_from_slice(&h.finish().to_le_bytes());
        bytes[8..].copy_from_slice(
            &std::collections::hash_map::RandomState::new()
                .build_hasher()
                .finish()
                .to_le_bytes(),
        );
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `%2F`-style decoding of a URL path segment; None for broken escapes or non-UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// `bytes=START-[END]` against a file of `len` bytes: the inclusive range to send.
fn parse_range(header: &str, len: u64) -> Option<(u64, u64)> {
    let spec = header.trim().strip_prefix("bytes=")?;
    let (a, b) = spec.split_once('-')?;
    if len == 0 {
        return None;
    }
    if a.is_empty() {
        // A suffix: the last N bytes.
        let n: u64 = b.trim().parse().ok()?;
        return (n > 0).then(|| (len.saturating_sub(n), len - 1));
    }
    let start: u64 = a.trim().parse().ok()?;
    let end = match b.trim() {
        "" => len - 1,
        e => e.parse::<u64>().ok()?.min(len - 1),
    };
    (start <= end).then_some((start, end))
}

/// The file a request path names, if it is inside one of the roots.
fn resolve(path: &str, token: &str, roots: &Roots) -> Option<PathBuf> {
    let rest = path
        .strip_prefix('/')?
        .strip_prefix(token)?
        .strip_prefix('/')?;
    let rest = rest.split(['?', '#']).next()?;
    let file = std::fs::canonicalize(percent_decode(rest)?).ok()?;
    let roots = roots.lock().unwrap_or_else(|p| p.into_inner());
    (file.is_file() && roots.iter().any(|r| file.starts_with(r))).then_some(file)
}

/// A video or an image by its extension: what the window previews and opens.
pub fn is_media(path: &Path) -> bool {
    content_type(path) != "application/octet-stream"
}

fn content_type(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("mp4" | "m4v") => "video/mp4",
        Some("mov") => "video/quicktime",
        Some("webm") => "video/webm",
        Some("mkv") => "video/x-matroska",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        _ => "application/octet-stream",
    }
}

/// The request line and the Range header's value; `None` when the head does not end
/// within the head limit. A client that sends nothing times out (an error).
fn read_head(
    stream: TcpStream,
    limits: &Limits,
) -> std::io::Result<Option<(String, Option<String>)>> {
    let head = HeadReader {
        stream,
        until: Instant::now() + limits.head_timeout,
    };
    let mut reader = BufReader::new(head.take(limits.head));
    let mut request = String::new();
    let mut range = None;
    let mut line = String::new();
    let mut first = true;
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 || !line.ends_with('\n') {
            // The cap (or the peer) cut the head short.
            return Ok(None);
        }
        if first {
            request = std::mem::take(&mut line);
            first = false;
            continue;
        }
        if line == "\r\n" || line == "\n" {
            return Ok(Some((request, range)));
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("range") {
                range = Some(value.trim().to_string());
            }
        }
    }
}

fn serve(stream: TcpStream, token: &str, roots: &Roots, limits: &Limits) -> std::io::Result<()> {
    stream.set_write_timeout(Some(limits.send_timeout))?;
    let mut out = stream.try_clone()?;
    let Some((request, range)) = read_head(stream, limits)? else {
        out.write_all(
            b"HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        )?;
        // Closing with the rest of the head unread would reset the connection, and the
        // client could lose the answer: read a bounded amount more, briefly, then close.
        out.shutdown(std::net::Shutdown::Write)?;
        out.set_read_timeout(Some(Duration::from_millis(200)))?;
        let _ = std::io::copy(&mut (&out).take(64 * 1024), &mut std::io::sink());
        return Ok(());
    };
    let mut parts = request.split_whitespace();
    let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    if method != "GET" && method != "HEAD" {
        return out.write_all(
            b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        );
    }
    let Some(file_path) = resolve(path, token, roots) else {
        return out.write_all(
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        );
    };
    let mut file = File::open(&file_path)?;
    let len = file.metadata()?.len();
    let (status, start, end) = match range.as_deref().map(|r| parse_range(r, len)) {
        Some(Some((s, e))) => ("206 Partial Content", s, e),
        Some(None) => {
            let head = format!(
                "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */{len}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            return out.write_all(head.as_bytes());
        }
        None => ("200 OK", 0, len.saturating_sub(1)),
    };
    let count = if len == 0 { 0 } else { end - start + 1 };
    let mut head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {}\r\nContent-Length: {count}\r\nAccept-Ranges: bytes\r\nCache-Control: no-store\r\nConnection: close\r\n",
        content_type(&file_path)
    );
    if status.starts_with("206") {
        head.push_str(&format!("Content-Range: bytes {start}-{end}/{len}\r\n"));
    }
    head.push_str("\r\n");
    out.write_all(head.as_bytes())?;
    if method == "HEAD" || count == 0 {
        return Ok(());
    }
    file.seek(SeekFrom::Start(start))?;
    std::io::copy(&mut file.take(count), &mut out)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(parse_range("bytes=0-", 100), Some((0, 99)));
        assert_eq!(parse_range("bytes=10-19", 100), Some((10, 19)));
        assert_eq!(parse_range("bytes=90-500", 100), Some((90, 99)));
        assert_eq!(parse_range("bytes=-10", 100), Some((90, 99)));
        assert_eq!(parse_range("bytes=100-", 100), None);
        assert_eq!(parse_range("bytes=5-2", 100), None);
        assert_eq!(parse_range("items=0-1", 100), None);
    }

    #[test]
    fn decoding() {
        assert_eq!(
            percent_decode("%2Ftmp%2Fa%20b.mp4").as_deref(),
            Some("/tmp/a b.mp4")
        );
        assert_eq!(percent_decode("%2"), None);
        assert_eq!(percent_decode("%ZZ"), None);
    }

    fn get(base: &str, path: &str, range: Option<&str>) -> (String, Vec<u8>) {
        let addr = base
            .trim_start_matches("http://")
            .split('/')
            .next()
            .expect("host");
        let mut s = TcpStream::connect(addr).expect("connect");
        let extra = range.map(|r| format!("Range: {r}\r\n")).unwrap_or_default();
        write!(s, "GET {path} HTTP/1.1\r\nHost: x\r\n{extra}\r\n").expect("send");
        let mut all = Vec::new();
        s.read_to_end(&mut all).expect("read");
        let split = all.windows(4).position(|w| w == b"\r\n\r\n").expect("head");
        (
            String::from_utf8_lossy(&all[..split]).into_owned(),
            all[split + 4..].to_vec(),
        )
    }

    /// A server with one 10-byte clip; returns it, the clip's request path and the temp dir.
    fn clip_server(limits: Limits, tag: &str) -> (MediaServer, String, PathBuf) {
        let dir = std::env::temp_dir().join(format!("reelcut-media-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let clip = dir.join("clip.mp4");
        std::fs::write(&clip, b"0123456789").expect("clip");
        let roots: Roots = Arc::new(Mutex::new(
            vec![std::fs::canonicalize(&dir).expect("canon")],
        ));
        let server = MediaServer::start_with(roots, limits).expect("server");
        let token = server.base.split('/').nth(3).expect("token").to_string();
        let path = format!("/{token}/{}", clip.to_string_lossy().replace('/', "%2F"));
        (server, path, dir)
    }

    fn connect(base: &str) -> TcpStream {
        let addr = base
            .trim_start_matches("http://")
            .split('/')
            .next()
            .expect("host");
        let s = TcpStream::connect(addr).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(5)))
            .expect("timeout");
        s
    }

    /// Everything the server sends until it closes, as text.
    fn reply(s: &mut TcpStream) -> String {
        let mut all = Vec::new();
        let _ = s.read_to_end(&mut all);
        String::from_utf8_lossy(&all).into_owned()
    }

    #[test]
    fn a_request_head_over_8_kib_is_refused_and_the_server_goes_on() {
        let (server, clip, dir) = clip_server(Limits::default(), "head");
        let mut s = connect(&server.base);
        let long = format!("GET /{} HTTP/1.1\r\n", "a".repeat(16 * 1024));
        let _ = s.write_all(long.as_bytes());
        assert!(reply(&mut s).starts_with("HTTP/1.1 431"));
        // A head of many short headers is capped the same way.
        let mut s = connect(&server.base);
        let many = format!("GET {clip} HTTP/1.1\r\n{}", "X-A: b\r\n".repeat(2000));
        let _ = s.write_all(many.as_bytes());
        assert!(reply(&mut s).starts_with("HTTP/1.1 431"));
        let (head, body) = get(&server.base, &clip, None);
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        assert_eq!(body, b"0123456789");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn idle_connections_are_capped_then_dropped_after_the_head_timeout() {
        let limits = Limits {
            connections: 4,
            head_timeout: Duration::from_millis(400),
            ..Limits::default()
        };
        let (server, clip, dir) = clip_server(limits, "idle");
        let idle: Vec<TcpStream> = (0..4).map(|_| connect(&server.base)).collect();
        std::thread::sleep(Duration::from_millis(100));
        // Every slot is held by a client that sends nothing: the next one is refused at
        // once, by the accept loop.
        let t0 = Instant::now();
        let mut extra = connect(&server.base);
        assert!(reply(&mut extra).starts_with("HTTP/1.1 503"));
        assert!(
            t0.elapsed() < Duration::from_millis(300),
            "{:?}",
            t0.elapsed()
        );
        // The idle ones are closed by the server once the head timeout passes.
        for mut s in idle {
            assert_eq!(reply(&mut s), "", "closed without an answer");
            assert!(t0.elapsed() < Duration::from_secs(2), "{:?}", t0.elapsed());
        }
        std::thread::sleep(Duration::from_millis(50));
        let (head, _) = get(&server.base, &clip, None);
        assert!(head.starts_with("HTTP/1.1 200"), "slots freed: {head}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_head_trickled_a_byte_at_a_time_times_out_as_a_whole() {
        let limits = Limits {
            head_timeout: Duration::from_millis(500),
            ..Limits::default()
        };
        let (server, _clip, dir) = clip_server(limits, "trickle");
        let mut s = connect(&server.base);
        let t0 = Instant::now();
        let mut closed = None;
        for b in b"GET /x HTTP/1.1\r\nX-Slow: ".iter().cycle().take(60) {
            if s.write_all(&[*b]).is_err() {
                closed = Some(t0.elapsed());
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
            let mut peek = [0u8; 1];
            s.set_nonblocking(true).expect("nonblocking");
            let gone = matches!(s.peek(&mut peek), Ok(0));
            s.set_nonblocking(false).expect("blocking");
            if gone {
                closed = Some(t0.elapsed());
                break;
            }
        }
        let closed = closed.expect("the server kept a trickling client for 3 s");
        assert!(closed < Duration::from_millis(1200), "{closed:?}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn serves_only_inside_the_roots_with_the_token() {
        let dir = std::env::temp_dir().join(format!("reelcut-media-{}", std::process::id()));
        let inside = dir.join("out");
        std::fs::create_dir_all(&inside).expect("dirs");
        std::fs::write(inside.join("clip.mp4"), b"0123456789").expect("clip");
        std::fs::write(dir.join("secret.txt"), b"no").expect("secret");
        let roots: Roots = Arc::new(Mutex::new(vec![
            std::fs::canonicalize(&inside).expect("canon")
        ]));
        let server = MediaServer::start(roots).expect("server");
        let token_path = server.base.split('/').nth(3).expect("token");
        let enc = |p: &Path| p.to_string_lossy().replace('/', "%2F");

        let clip = format!("/{token_path}/{}", enc(&inside.join("clip.mp4")));
        let (head, body) = get(&server.base, &clip, None);
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        assert!(head.contains("video/mp4"));
        assert_eq!(body, b"0123456789");

        let (head, body) = get(&server.base, &clip, Some("bytes=2-4"));
        assert!(head.starts_with("HTTP/1.1 206"), "{head}");
        assert!(head.contains("Content-Range: bytes 2-4/10"));
        assert_eq!(body, b"234");

        let outside = format!("/{token_path}/{}", enc(&dir.join("secret.txt")));
        assert!(get(&server.base, &outside, None)
            .0
            .starts_with("HTTP/1.1 404"));
        let traversal = format!("/{token_path}/{}", enc(&inside.join("../secret.txt")));
        assert!(get(&server.base, &traversal, None)
            .0
            .starts_with("HTTP/1.1 404"));
        let no_token = format!("/wrong/{}", enc(&inside.join("clip.mp4")));
        assert!(get(&server.base, &no_token, None)
            .0
            .starts_with("HTTP/1.1 404"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
