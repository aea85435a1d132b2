//! reelcut-media's integration tests, one binary (each test binary links libav* again).
#![allow(clippy::unwrap_used)] // test code: a panic is a failed test

#[path = "../../../../tests/support/fixtures.rs"]
mod fixtures;
#[path = "../../../../tests/support/ink.rs"]
mod ink;

mod captions;
mod decode;
mod footage;
mod loudness;
