//! Fetching a model over HTTP(S): resumable (an interrupted download leaves `<file>.part`
//! and `<file>.part.json`, the URL and the server's validator, and the next attempt asks only
//! for the rest with `Range` and `If-Range`, so a file changed upstream comes whole), verified
//! (SHA-256 against the expected checksum before the file gets its real name; plain http
//! without one is refused, https without one is taken with a warning) and atomic (the final
//! name appears only for a complete, verified file).
//!
//! A `.part` is only continued when it can be trusted to be the start of the same file: its
//! sidecar names the same URL and a validator, or a checksum will judge the whole. A resumed
//! download whose checksum fails is fetched once more from the start (the part may have been
//! damaged or tampered with) before the mismatch is reported.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use reelcut_core::CancellationToken;
use sha2::{Digest, Sha256};

use crate::catalog::{resolve, Source};
use crate::manifest::{hex, sha256_file};
use crate::ModelError;

/// A finished download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Downloaded {
    pub path: PathBuf,
    pub url: String,
    pub size: u64,
    pub sha256: String,
    pub source: Source,
    /// Whether a checksum was checked (false: an https URL given without one).
    pub verified: bool,
}

/// What `<file>.part.json` records about the download a `.part` belongs to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct PartMeta {
    url: String,
    /// The server's ETag, else its Last-Modified: sent as `If-Range` on resume.
    validator: Option<String>,
}

fn meta_path(part: &Path) -> PathBuf {
    let mut name = part.as_os_str().to_owned();
    name.push(".json");
    PathBuf::from(name)
}

fn read_meta(part: &Path) -> Option<PartMeta> {
    serde_json::from_slice(&fs::read(meta_path(part)).ok()?).ok()
}

/// Removes a `.part` and its sidecar (either may be missing).
fn discard(part: &Path) {
    let _ = fs::remove_file(part);
    let _ = fs::remove_file(meta_path(part));
}

/// Downloads an official model name ("tiny.en") or an http(s) URL into `dest_dir`.
///
/// `expected_sha256` overrides the built-in checksum of an official model; a URL without one
/// is stored unverified (its SHA-256 is still returned). `progress(downloaded, total)` is
/// called after every chunk (`total` when the server says). Cancelling `cancel` stops between
/// chunks and keeps the `.part` file so a later call resumes; a checksum mismatch deletes it.
/// If the file is already there with the expected checksum, nothing is fetched.
pub fn download(
    name_or_url: &str,
    dest_dir: &Path,
    expected_sha256: Option<&str>,
    progress: &mut dyn FnMut(u64, Option<u64>),
    cancel: &CancellationToken,
) -> Result<Downloaded, ModelError> {
    let source = resolve(name_or_url)?;
    download_source(source, dest_dir, expected_sha256, progress, cancel)
}

pub(crate) fn download_source(
    source: Source,
    dest_dir: &Path,
    expected_sha256: Option<&str>,
    progress: &mut dyn FnMut(u64, Option<u64>),
    cancel: &CancellationToken,
) -> Result<Downloaded, ModelError> {
    let expected = match expected_sha256
        .map(str::to_string)
        .or_else(|| source.sha256.clone())
    {
        Some(e) if e.len() == 64 && e.chars().all(|c| c.is_ascii_hexdigit()) => {
            Some(e.to_ascii_lowercase())
        }
        Some(e) => return Err(ModelError::InvalidChecksum(e)),
        None => None,
    };
    let url = source.url.clone();
    if expected.is_none() {
        if url.to_ascii_lowercase().starts_with("http://") {
            return Err(ModelError::Unverifiable { url });
        }
        tracing::warn!(%url, "no checksum given: the model is taken as the server sends it");
    }
    let dest = dest_dir.join(&source.file_name);
    let part = dest_dir.join(format!("{}.part", source.file_name));
    fs::create_dir_all(dest_dir).map_err(ModelError::io(dest_dir))?;

    if let (Some(expected), true) = (&expected, dest.is_file()) {
        if sha256_file(&dest)? == *expected {
            let size = fs::metadata(&dest).map_err(ModelError::io(&dest))?.len();
            progress(size, Some(size));
            tracing::info!(url = %url, path = %dest.display(), "model already present and verified");
            return Ok(Downloaded {
                path: dest,
                url,
                size,
                sha256: expected.clone(),
                source,
                verified: true,
            });
        }
    }

    let trusted = expected.is_some();
    let fetched = fetch_whole(&url, &part, trusted, progress, cancel)?;
    let (size, actual) = match (&expected, fetched) {
        // A continued part that does not add up: it may not have been what it seemed, so
        // the whole file once more, from the start.
        (Some(expected), (_, actual, true)) if actual != *expected => {
            tracing::warn!(%url, "resumed download failed its checksum: fetching it whole");
            discard(&part);
            let (size, actual, _) = fetch_whole(&url, &part, trusted, progress, cancel)?;
            (size, actual)
        }
        (_, (size, actual, _)) => (size, actual),
    };
    if let Some(expected) = &expected {
        if actual != *expected {
            discard(&part);
            return Err(ModelError::ChecksumMismatch {
                url,
                expected: expected.clone(),
                actual,
            });
        }
    }
    fs::rename(&part, &dest).map_err(ModelError::io(&dest))?;
    let _ = fs::remove_file(meta_path(&part));
    tracing::info!(url = %url, path = %dest.display(), size, verified = trusted, "model downloaded");
    Ok(Downloaded {
        path: dest,
        url,
        size,
        sha256: actual,
        source,
        verified: trusted,
    })
}

/// [`fetch`], starting over once when the part is longer than the resource.
fn fetch_whole(
    url: &str,
    part: &Path,
    trusted: bool,
    progress: &mut dyn FnMut(u64, Option<u64>),
    cancel: &CancellationToken,
) -> Result<(u64, String, bool), ModelError> {
    match fetch(url, part, trusted, progress, cancel) {
        // The part file was longer than the resource (it changed upstream): start over.
        Err(Fetch::RangeNotSatisfiable) => {
            discard(part);
            fetch(url, part, trusted, progress, cancel).map_err(|e| e.into_error(url))
        }
        other => other.map_err(|e| e.into_error(url)),
    }
}

enum Fetch {
    RangeNotSatisfiable,
    Error(ModelError),
}

impl Fetch {
    fn into_error(self, url: &str) -> ModelError {
        match self {
            Fetch::RangeNotSatisfiable => ModelError::Http {
                url: url.to_string(),
                status: 416,
            },
            Fetch::Error(e) => e,
        }
    }
}

impl From<ModelError> for Fetch {
    fn from(e: ModelError) -> Self {
        Fetch::Error(e)
    }
}

fn agent() -> ureq::Agent {
    // No overall deadline: a model is gigabytes on a slow line. Connecting and the response
    // head are bounded; the body is bounded by the user's cancel.
    ureq::Agent::config_builder()
        .timeout_connect(Some(Duration::from_secs(30)))
        .timeout_recv_response(Some(Duration::from_secs(60)))
        .user_agent(concat!("reelcut/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// Brings `part` up to the whole resource, resuming from its current length when the part
/// can be trusted (see the module notes; `checksum`: a checksum will judge the result).
/// Returns the size and SHA-256 of the complete part file, and whether it was resumed.
fn fetch(
    url: &str,
    part: &Path,
    checksum: bool,
    progress: &mut dyn FnMut(u64, Option<u64>),
    cancel: &CancellationToken,
) -> Result<(u64, String, bool), Fetch> {
    let mut have = fs::metadata(part).map(|m| m.len()).unwrap_or(0);
    let meta = read_meta(part).filter(|m| m.url == url);
    let validator = meta.as_ref().and_then(|m| m.validator.clone());
    if have > 0 && validator.is_none() && !checksum {
        tracing::info!(
            url,
            "a partial download nothing can vouch for: starting over"
        );
        discard(part);
        have = 0;
    }
    let mut request = agent().get(url);
    if have > 0 {
        request = request.header("Range", format!("bytes={have}-"));
        if let Some(v) = &validator {
            // The rest only if the file is still the one the part began; else all of it.
            request = request.header("If-Range", v.as_str());
        }
    }
    let mut response = match request.call() {
        Ok(r) => r,
        Err(ureq::Error::StatusCode(416)) if have > 0 => return Err(Fetch::RangeNotSatisfiable),
        Err(ureq::Error::StatusCode(status)) => {
            return Err(ModelError::Http {
                url: url.to_string(),
                status,
            }
            .into())
        }
        Err(e) => {
            return Err(ModelError::Request {
                url: url.to_string(),
                source: Box::new(e),
            }
            .into())
        }
    };
    let length = response.body().content_length();
    let content_range = response
        .headers()
        .get("content-range")
        .and_then(|v| v.to_str().ok())
        .and_then(parse_content_range);
    // A 206 that continues exactly where the part ends is appended to it; anything else (a
    // 200 from a server that ignores Range, or a range we did not ask for) replaces it.
    let resume =
        response.status().as_u16() == 206 && content_range.is_some_and(|(start, _)| start == have);
    let mut hasher = Sha256::new();
    let (mut file, mut done, total) = if resume {
        hash_existing(part, &mut hasher)?;
        let file = OpenOptions::new()
            .append(true)
            .open(part)
            .map_err(ModelError::io(part))?;
        let total = content_range
            .and_then(|(_, t)| t)
            .or(length.map(|l| l + have));
        tracing::info!(url, from = have, "resuming download");
        (file, have, total)
    } else {
        let validator = ["etag", "last-modified"].iter().find_map(|h| {
            let v = response.headers().get(*h)?.to_str().ok()?;
            // A weak ETag cannot be used with If-Range (RFC 9110 13.1.5).
            (!v.starts_with("W/")).then(|| v.to_string())
        });
        let meta = PartMeta {
            url: url.to_string(),
            validator,
        };
        let json = serde_json::to_vec(&meta).map_err(|e| ModelError::Io {
            path: meta_path(part),
            source: std::io::Error::other(e),
        })?;
        fs::write(meta_path(part), json).map_err(ModelError::io(meta_path(part)))?;
        (File::create(part).map_err(ModelError::io(part))?, 0, length)
    };
    progress(done, total);

    let mut reader = response.body_mut().as_reader();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        if cancel.is_cancelled() {
            return Err(ModelError::Cancelled {
                url: url.to_string(),
            }
            .into());
        }
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(source) => {
                // Keep what arrived: the next attempt resumes from it.
                let _ = file.sync_all();
                return Err(ModelError::Transfer {
                    url: url.to_string(),
                    source,
                }
                .into());
            }
        };
        file.write_all(&buf[..n]).map_err(ModelError::io(part))?;
        hasher.update(&buf[..n]);
        done += n as u64;
        progress(done, total);
    }
    file.sync_all().map_err(ModelError::io(part))?;
    if let Some(total) = total {
        if done != total {
            return Err(ModelError::Incomplete {
                url: url.to_string(),
                got: done,
                expected: total,
            }
            .into());
        }
    }
    Ok((done, hex(&hasher.finalize()), resume))
}

fn hash_existing(path: &Path, hasher: &mut Sha256) -> Result<(), ModelError> {
    let mut f = File::open(path).map_err(ModelError::io(path))?;
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf).map_err(ModelError::io(path))?;
        if n == 0 {
            return Ok(());
        }
        hasher.update(&buf[..n]);
    }
}

/// `bytes START-END/TOTAL` (TOTAL may be `*`) -> (START, TOTAL).
fn parse_content_range(v: &str) -> Option<(u64, Option<u64>)> {
    let rest = v.trim().strip_prefix("bytes")?.trim_start();
    let (range, total) = rest.split_once('/')?;
    let start = range.split_once('-')?.0.trim().parse().ok()?;
    Some((start, total.trim().parse().ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_range_parses() {
        assert_eq!(
            parse_content_range("bytes 100-199/200"),
            Some((100, Some(200)))
        );
        assert_eq!(parse_content_range("bytes 5-9/*"), Some((5, None)));
        assert_eq!(parse_content_range("items 1-2/3"), None);
    }
}
