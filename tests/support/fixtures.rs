//! The generated fixtures every test suite shares (scripts/make-test-media.sh writes them to
//! tests/media, never committed), for suites in any crate of the workspace: each includes
//! this file with `#[path]`. `CARGO_MANIFEST_DIR` is the including crate's, two levels
//! below the repository.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Once;

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repo root")
}

/// A generated fixture, made (all of them, once per test process) on first use.
pub fn media(name: &str) -> PathBuf {
    static MAKE: Once = Once::new();
    MAKE.call_once(|| {
        let status = Command::new("bash")
            .arg(repo().join("scripts/make-test-media.sh"))
            .status()
            .expect("run scripts/make-test-media.sh");
        assert!(status.success(), "scripts/make-test-media.sh failed");
    });
    repo().join("tests/media").join(name)
}
