//! Fetching a model over HTTP(S): resumable (an interrupted download leaves `<file>.part`,
//! and the next attempt asks only for the rest with a Range request), verified (SHA-256
//! against the expected checksum before the file gets its real name) and atomic (the final
//! name appears only for a complete, verified file).

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
            });
        }
    }

    let (size, actual) = match fetch(&url, &part, progress, cancel) {
        // The part file was longer than the resource (it changed upstream): start over.
        Err(Fetch::RangeNotSatisfiable) => {
            fs::remove_file(&part).map_err(ModelError::io(&part))?;
            fetch(&url, &part, progress, cancel).map_err(|e| e.into_error(&url))?
        }
        other => other.map_err(|e| e.into_error(&url))?,
    };
    if let Some(expected) = &expected {
        if actual != *expected {
            let _ = fs::remove_file(&part);
            return Err(ModelError::ChecksumMismatch {
                url,
                expected: expected.clone(),
                actual,
            });
        }
    }
    fs::rename(&part, &dest).map_err(ModelError::io(&dest))?;
    tracing::info!(url = %url, path = %dest.display(), size, verified = expected.is_some(), "model downloaded");
    Ok(Downloaded {
        path: dest,
        url,
        size,
        sha256: actual,
        source,
    })
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

/// Brings `part` up to the whole resource, resuming from its current length. Returns the
/// size and SHA-256 of the complete part file.
fn fetch(
    url: &str,
    part: &Path,
    progress: &mut dyn FnMut(u64, Option<u64>),
    cancel: &CancellationToken,
) -> Result<(u64, String), Fetch> {
    let have = fs::metadata(part).map(|m| m.len()).unwrap_or(0);
    let mut request = agent().get(url);
    if have > 0 {
        request = request.header("Range", format!("bytes={have}-"));
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
    Ok((done, hex(&hasher.finalize())))
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
