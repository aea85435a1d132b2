//! Ending the process from a client (CLI, desktop) after [`crate::Engine::shutdown`].

use std::io::Write;

/// Ends the process with `code` without running C (and C++) exit handlers.
///
/// Why not `std::process::exit`: it calls libc `exit`, which runs the C++ static
/// destructors of whisper.cpp, ggml and OpenBLAS. A cancelled transcription returns to the
/// job at once while its native thread finishes the encoder pass in flight (seconds on a
/// busy machine, more than any grace we wait), and destroying those statics beneath it
/// segfaults (seen in CI: the summary printed, then death by signal instead of exit 130).
/// Nothing Reelcut keeps needs an exit handler: outputs are renamed into place when
/// complete, SQLite commits are durable when they return, and Rust runs no destructors on
/// exit anyway. Rust's own stdout buffer is flushed first; the kernel closes the rest.
pub fn exit_process(code: i32) -> ! {
    let _ = std::io::stdout().lock().flush();
    let _ = std::io::stderr().lock().flush();
    // SAFETY: `_exit` has no preconditions; it ends the process without returning.
    unsafe { libc::_exit(code) }
}
