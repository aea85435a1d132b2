//! reelcut-media's integration tests, one binary (each test binary links libav* again).
#![allow(clippy::unwrap_used)] // test code: a panic is a failed test

#[path = "../../../../tests/support/fixtures.rs"]
mod fixtures;

mod captions;
mod decode;
mod footage;
mod loudness;
