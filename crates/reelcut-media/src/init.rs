//! One-time libav initialisation and routing of `av_log` into `tracing`.

use std::cell::Cell;
use std::ffi::{c_char, c_int, c_void, CStr};
use std::sync::Once;

use ffmpeg_next::ffi;

static INIT: Once = Once::new();

thread_local! {
    /// Set while probing optional components (e.g. a hardware encoder on a machine without
    /// the hardware): their expected failures are logged at debug, not error.
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` with this thread's libav errors downgraded to debug.
pub(crate) fn quietly<T>(f: impl FnOnce() -> T) -> T {
    QUIET.with(|q| q.set(true));
    let out = f();
    QUIET.with(|q| q.set(false));
    out
}

/// Initialises libav once per process and sends its log lines to `tracing` (target
/// `libav`), so they obey the same filters as the rest of the program instead of going to
/// stderr.
pub fn init() {
    INIT.call_once(|| {
        // ffmpeg_next::init only registers devices on old versions; it cannot fail on 5.x
        // in a way we could recover from, so a failure is logged, not propagated.
        if let Err(e) = ffmpeg_next::init() {
            tracing::error!(error = %e, "libav initialisation failed");
        }
        unsafe {
            ffi::av_log_set_level(ffi::AV_LOG_INFO);
            ffi::av_log_set_callback(Some(log_callback));
        }
    });
}

unsafe extern "C" fn log_callback(
    avcl: *mut c_void,
    level: c_int,
    fmt: *const c_char,
    vl: *mut ffi::__va_list_tag,
) {
    if level > ffi::av_log_get_level() {
        return;
    }
    let mut buf = [0 as c_char; 1024];
    let mut prefix: c_int = 1;
    let n = ffi::av_log_format_line2(
        avcl,
        level,
        fmt,
        vl,
        buf.as_mut_ptr(),
        buf.len() as c_int,
        &mut prefix,
    );
    if n < 0 {
        return;
    }
    let line = CStr::from_ptr(buf.as_ptr()).to_string_lossy();
    let line = line.trim_end();
    if line.is_empty() {
        return;
    }
    if QUIET.with(Cell::get) {
        tracing::debug!(target: "libav", "{line}");
        return;
    }
    match level {
        l if l <= ffi::AV_LOG_ERROR => tracing::error!(target: "libav", "{line}"),
        l if l <= ffi::AV_LOG_WARNING => tracing::warn!(target: "libav", "{line}"),
        l if l <= ffi::AV_LOG_INFO => tracing::info!(target: "libav", "{line}"),
        l if l <= ffi::AV_LOG_VERBOSE => tracing::debug!(target: "libav", "{line}"),
        _ => tracing::trace!(target: "libav", "{line}"),
    }
}
