//! Downloads against a loopback HTTP server: complete, resumed, verified, refused.

use std::fs;

use crate::support::{blob, etag, sha256, Fault, Server};
use reelcut_models::{download, CancellationToken, Languages, ModelError, ModelStore};

const LEN: usize = 300_000;

/// A download without progress or cancel.
fn quiet(
    url: &str,
    dir: &std::path::Path,
    sha256: Option<&str>,
) -> Result<reelcut_models::Downloaded, ModelError> {
    download(url, dir, sha256, &mut |_, _| {}, &CancellationToken::new())
}

fn files_in(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn full_download_is_verified_and_reports_progress() {
    let data = blob(LEN);
    let server = Server::start(vec![("/m/ggml-test.bin", data.clone())], Fault::None);
    let dir = tempfile::tempdir().unwrap();
    let mut seen = Vec::new();
    let got = download(
        &server.url("/m/ggml-test.bin"),
        dir.path(),
        Some(&sha256(&data)),
        &mut |done, total| seen.push((done, total)),
        &CancellationToken::new(),
    )
    .unwrap();
    assert_eq!(got.path, dir.path().join("ggml-test.bin"));
    assert_eq!(fs::read(&got.path).unwrap(), data);
    assert_eq!(
        (got.size, got.sha256.as_str()),
        (LEN as u64, sha256(&data).as_str())
    );
    assert_eq!(files_in(dir.path()), ["ggml-test.bin"], "no .part left");
    assert_eq!(seen.last(), Some(&(LEN as u64, Some(LEN as u64))));
    assert!(
        seen.windows(2).all(|w| w[0].0 <= w[1].0),
        "progress only grows"
    );
    // Already there and verified: no second request.
    quiet(
        &server.url("/m/ggml-test.bin"),
        dir.path(),
        Some(&sha256(&data)),
    )
    .unwrap();
    assert_eq!(server.hits().len(), 1);
}

#[test]
fn interrupted_download_resumes_with_a_range_request() {
    let data = blob(LEN);
    let server = Server::start(
        vec![("/ggml-test.bin", data.clone())],
        Fault::CutFirstAfter(100_000),
    );
    let dir = tempfile::tempdir().unwrap();
    let url = server.url("/ggml-test.bin");
    let e = quiet(&url, dir.path(), Some(&sha256(&data))).unwrap_err();
    assert!(
        matches!(
            e,
            ModelError::Transfer { .. } | ModelError::Incomplete { .. }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains(&url), "{e}");
    let part = dir.path().join("ggml-test.bin.part");
    let kept = fs::metadata(&part).unwrap().len();
    assert!(kept > 0 && kept <= 100_000, "kept {kept}");

    let mut first = None;
    let got = download(
        &url,
        dir.path(),
        Some(&sha256(&data)),
        &mut |d, t| {
            first.get_or_insert((d, t));
        },
        &CancellationToken::new(),
    )
    .unwrap();
    assert_eq!(fs::read(&got.path).unwrap(), data);
    assert_eq!(
        first,
        Some((kept, Some(LEN as u64))),
        "progress starts at the resumed offset"
    );
    let hits = server.hits();
    assert_eq!(hits.len(), 2);
    assert_eq!(
        hits[1].range.as_deref(),
        Some(format!("bytes={kept}-").as_str())
    );
    assert_eq!(hits[1].status, 206);
    assert_eq!(files_in(dir.path()), ["ggml-test.bin"]);
}

#[test]
fn leftover_part_resumes_and_a_server_ignoring_range_restarts_cleanly() {
    let data = blob(LEN);
    let dir = tempfile::tempdir().unwrap();
    let part = dir.path().join("ggml-test.bin.part");
    // A server that honours Range: only the rest is fetched.
    let server = Server::start(vec![("/ggml-test.bin", data.clone())], Fault::None);
    fs::write(&part, &data[..1234]).unwrap();
    let got = quiet(
        &server.url("/ggml-test.bin"),
        dir.path(),
        Some(&sha256(&data)),
    )
    .unwrap();
    assert_eq!(fs::read(&got.path).unwrap(), data);
    assert_eq!(server.hits()[0].range.as_deref(), Some("bytes=1234-"));
    fs::remove_file(&got.path).unwrap();
    // One that ignores it answers 200 with everything: the part is replaced, not appended to.
    let server = Server::start(vec![("/ggml-test.bin", data.clone())], Fault::IgnoreRange);
    fs::write(&part, b"stale bytes from another version").unwrap();
    let got = quiet(
        &server.url("/ggml-test.bin"),
        dir.path(),
        Some(&sha256(&data)),
    )
    .unwrap();
    assert_eq!(fs::read(&got.path).unwrap(), data);
    assert_eq!(server.hits()[0].status, 200);
}

#[test]
fn part_longer_than_the_file_starts_over() {
    let data = blob(1000);
    let server = Server::start(vec![("/ggml-test.bin", data.clone())], Fault::None);
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("ggml-test.bin.part"), blob(5000)).unwrap();
    let got = quiet(
        &server.url("/ggml-test.bin"),
        dir.path(),
        Some(&sha256(&data)),
    )
    .unwrap();
    assert_eq!(fs::read(&got.path).unwrap(), data);
    let statuses: Vec<u16> = server.hits().iter().map(|h| h.status).collect();
    assert_eq!(statuses, [416, 200]);
}

#[test]
fn checksum_mismatch_is_reported_and_leaves_no_file() {
    let data = blob(LEN);
    let server = Server::start(vec![("/ggml-test.bin", data.clone())], Fault::None);
    let dir = tempfile::tempdir().unwrap();
    let url = server.url("/ggml-test.bin");
    let wrong = "0".repeat(64);
    let e = quiet(&url, dir.path(), Some(&wrong)).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, ModelError::ChecksumMismatch { .. }), "{e:?}");
    assert!(
        msg.contains(&url) && msg.contains(&wrong) && msg.contains(&sha256(&data)),
        "{msg}"
    );
    assert!(
        files_in(dir.path()).is_empty(),
        "{:?}",
        files_in(dir.path())
    );
    let e = quiet(&url, dir.path(), Some("abc")).unwrap_err();
    assert!(e.to_string().contains("'abc'"), "{e}");
}

#[test]
fn not_found_names_the_url() {
    let server = Server::start(vec![], Fault::None);
    let dir = tempfile::tempdir().unwrap();
    let url = server.url("/nothing/ggml-missing.bin");
    let e = quiet(&url, dir.path(), Some(&"0".repeat(64))).unwrap_err();
    assert!(matches!(e, ModelError::Http { status: 404, .. }), "{e:?}");
    assert!(
        e.to_string().contains(&url) && e.to_string().contains("404"),
        "{e}"
    );
    assert!(files_in(dir.path()).is_empty());
}

#[test]
fn cancel_stops_and_keeps_the_part_for_later() {
    let data = blob(LEN);
    let server = Server::start(vec![("/ggml-test.bin", data.clone())], Fault::None);
    let dir = tempfile::tempdir().unwrap();
    let cancel = CancellationToken::new();
    let url = server.url("/ggml-test.bin");
    let e = download(
        &url,
        dir.path(),
        Some(&sha256(&data)),
        &mut |done, _| {
            if done > 0 {
                cancel.cancel()
            }
        },
        &cancel,
    )
    .unwrap_err();
    assert!(matches!(e, ModelError::Cancelled { .. }), "{e:?}");
    assert_eq!(
        files_in(dir.path()),
        ["ggml-test.bin.part", "ggml-test.bin.part.json"]
    );
    let got = quiet(&url, dir.path(), Some(&sha256(&data))).unwrap();
    assert_eq!(fs::read(&got.path).unwrap(), data);
}

/// A file that starts like a whisper.cpp model (tiny's hyper-parameters), then noise.
fn model_like(len: usize) -> Vec<u8> {
    let mut v: Vec<u8> = [
        0x6767_6d6c_u32,
        51864,
        1500,
        384,
        6,
        4,
        448,
        384,
        6,
        4,
        80,
        1,
    ]
    .iter()
    .flat_map(|w| w.to_le_bytes())
    .collect();
    v.extend(blob(len - v.len()));
    v
}

#[test]
fn plain_http_without_a_checksum_is_refused_before_any_request() {
    let server = Server::start(vec![("/ggml-x.bin", blob(1000))], Fault::None);
    let dir = tempfile::tempdir().unwrap();
    let url = server.url("/ggml-x.bin");
    let e = quiet(&url, dir.path(), None).unwrap_err();
    assert!(matches!(e, ModelError::Unverifiable { .. }), "{e:?}");
    assert!(
        e.to_string().contains(&url) && e.to_string().contains("--sha256"),
        "{e}"
    );
    assert!(server.hits().is_empty());
    assert!(files_in(dir.path()).is_empty());
}

#[test]
fn a_tampered_part_is_caught_and_the_file_fetched_whole() {
    let data = blob(LEN);
    let server = Server::start(vec![("/ggml-test.bin", data.clone())], Fault::None);
    let dir = tempfile::tempdir().unwrap();
    let url = server.url("/ggml-test.bin");
    // A part whose first bytes were changed, with a sidecar claiming it is this download.
    let mut bad = data[..100_000].to_vec();
    bad[10] ^= 0xff;
    fs::write(dir.path().join("ggml-test.bin.part"), &bad).unwrap();
    let meta = format!("{{\"url\":\"{url}\",\"validator\":{:?}}}", etag(&data));
    fs::write(dir.path().join("ggml-test.bin.part.json"), meta).unwrap();
    let got = quiet(&url, dir.path(), Some(&sha256(&data))).unwrap();
    assert_eq!(fs::read(&got.path).unwrap(), data);
    let statuses: Vec<u16> = server.hits().iter().map(|h| h.status).collect();
    assert_eq!(
        statuses,
        [206, 200],
        "resumed, failed its checksum, fetched whole"
    );
    assert_eq!(files_in(dir.path()), ["ggml-test.bin"]);
}

#[test]
fn a_resume_sends_if_range_and_a_file_changed_upstream_comes_whole() {
    let (v1, v2) = (blob(LEN), model_like(LEN));
    let server = Server::start(
        vec![("/ggml-test.bin", v1.clone())],
        Fault::CutFirstAfter(100_000),
    );
    let dir = tempfile::tempdir().unwrap();
    let url = server.url("/ggml-test.bin");
    let first = quiet(&url, dir.path(), Some(&sha256(&v2)));
    assert!(first.is_err(), "cut short");
    server.set_file("/ggml-test.bin", v2.clone());
    let got = quiet(&url, dir.path(), Some(&sha256(&v2))).unwrap();
    assert_eq!(fs::read(&got.path).unwrap(), v2);
    let hits = server.hits();
    assert_eq!(hits[1].if_range.as_deref(), Some(etag(&v1).as_str()));
    assert!(hits[1].range.is_some());
    assert_eq!(hits[1].status, 200, "the new version, whole");
    assert_eq!(hits.len(), 2);
}

#[test]
fn a_file_that_is_not_a_model_is_deleted_not_registered() {
    let page = b"<!DOCTYPE html><html><body>Sign in to download</body></html>".to_vec();
    let server = Server::start(vec![("/ggml-page.bin", page.clone())], Fault::None);
    let dir = tempfile::tempdir().unwrap();
    let store = ModelStore::new(dir.path().join("models"));
    let url = server.url("/ggml-page.bin");
    let e = store
        .install(
            &url,
            Some(&sha256(&page)),
            &mut |_, _| {},
            &CancellationToken::new(),
        )
        .unwrap_err();
    assert!(matches!(e, ModelError::NotAModel { .. }), "{e:?}");
    assert!(
        e.to_string().contains(&url) && e.to_string().contains("text"),
        "{e}"
    );
    assert!(store.list().unwrap().is_empty());
    assert!(!dir.path().join("models/ggml-page.bin").exists());
    // A loader that rejects the file (the CLI loads it with whisper.cpp) is heard too.
    let model = model_like(4096);
    let server = Server::start(vec![("/ggml-fake.bin", model.clone())], Fault::None);
    let e = store
        .install_checked(
            &server.url("/ggml-fake.bin"),
            Some(&sha256(&model)),
            &mut |_, _| {},
            &CancellationToken::new(),
            &|_| Err("tensor data missing".into()),
        )
        .unwrap_err();
    assert!(e.to_string().contains("tensor data missing"), "{e}");
    assert!(store.list().unwrap().is_empty());
}

#[test]
fn install_downloads_into_the_store_and_registers() {
    let data = model_like(4096);
    let server = Server::start(vec![("/ggml-custom.en.bin", data.clone())], Fault::None);
    let dir = tempfile::tempdir().unwrap();
    let store = ModelStore::new(dir.path().join("models"));
    let url = server.url("/ggml-custom.en.bin");
    let entry = store
        .install(
            &url,
            Some(&sha256(&data)),
            &mut |_, _| {},
            &CancellationToken::new(),
        )
        .unwrap();
    assert_eq!(entry.name, "custom.en");
    assert_eq!(
        (entry.file.as_str(), entry.size, entry.languages),
        ("ggml-custom.en.bin", 4096, Languages::En)
    );
    assert_eq!(entry.source, url);
    assert_eq!(store.list().unwrap(), vec![entry.clone()]);
    assert_eq!(fs::read(store.path_of(&entry)).unwrap(), data);
}
