//! The model store and its downloads against a loopback HTTP server. One test binary (the
//! test that sets a process-wide variable has its own: base_url_env.rs).

#![allow(clippy::unwrap_used)] // test code: a panic is a failed test

mod support;

mod download;
