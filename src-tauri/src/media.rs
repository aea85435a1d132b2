//! Clip previews over loopback HTTP. WebKitGTK's media pipeline cannot play from a custom
//! URI scheme (Tauri's `asset:` protocol loads images but not video on Linux: tauri-apps/tauri
//! #3725), so the window's `<video>` elements read clips from this server instead.
//!
//! The same rule as an asset scope: only files inside the allowed roots (output folders and
//! the engine's work folder), read-only, on 127.0.0.1, behind a per-launch random token so
//! other local programs cannot guess URLs. Range requests are answered (seeking).

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

pub type Roots = Arc<Mutex<Vec<PathBuf>>>;

pub struct MediaServer {
    /// `http://127.0.0.1:PORT/TOKEN/`; a file's URL is this plus its percent-encoded path.
    pub base: String,
}

impl MediaServer {
    pub fn start(roots: Roots) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        let token = random_token();
        let base = format!("http://127.0.0.1:{port}/{token}/");
        std::thread::Builder::new()
            .name("reelcut-media-server".into())
            .spawn(move || {
                for stream in listener.incoming().flatten() {
                    let roots = roots.clone();
                    let token = token.clone();
                    let _ = std::thread::Builder::new()
                        .name("reelcut-media-conn".into())
                        .spawn(move || {
                            if let Err(e) = serve(stream, &token, &roots) {
                                tracing::debug!(error = %e, "media request ended");
                            }
                        });
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

fn serve(stream: TcpStream, token: &str, roots: &Roots) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut out = stream;
    let mut request = String::new();
    reader.read_line(&mut request)?;
    let mut range = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("range") {
                range = Some(value.trim().to_string());
            }
        }
    }
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
