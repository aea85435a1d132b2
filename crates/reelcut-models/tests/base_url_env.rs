//! Official names resolve against REELCUT_MODEL_BASE_URL. In its own test binary: it sets a
//! process-wide environment variable, which must not race with other tests.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

#[path = "models/support/mod.rs"]
mod support;

use reelcut_models::{download, CancellationToken, ModelError};
use support::{blob, Fault, Server};

#[test]
fn official_name_uses_the_base_url_and_the_builtin_checksum() {
    // Not the real tiny.en: the built-in SHA-256 must reject it.
    let server = Server::start(vec![("/mirror/ggml-tiny.en.bin", blob(2048))], Fault::None);
    std::env::set_var("REELCUT_MODEL_BASE_URL", server.url("/mirror"));
    let dir = tempfile::tempdir().unwrap();
    let e = download(
        "tiny.en",
        dir.path(),
        None,
        &mut |_, _| {},
        &CancellationToken::new(),
    )
    .unwrap_err();
    std::env::remove_var("REELCUT_MODEL_BASE_URL");
    assert_eq!(server.hits()[0].path, "/mirror/ggml-tiny.en.bin");
    let ModelError::ChecksumMismatch { url, expected, .. } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(url, &server.url("/mirror/ggml-tiny.en.bin"));
    assert_eq!(
        expected,
        "921e4cf8686fdd993dcd081a5da5b6c365bfde1162e72b08d75ac75289920b1f"
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing left behind"
    );
}
