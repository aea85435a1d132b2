//! `reelcut watch FOLDER`: a job for every video that appears in a folder.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use reelcut_core::Event;
use reelcut_engine::watch::{watch_folder, WatchEvent, WatchOptions};
use reelcut_engine::CancellationToken;
use serde_json::json;

use crate::args::WatchArgs;
use crate::run::{finish_engine, open_engine, options_from, reporter_for, usage, Tally};

/// Ctrl-C (or SIGTERM) stops watching and cancels the jobs in flight (the next `watch` or
/// `run` resumes them from their last finished stage); a second press exits at once.
fn install_stop(stop: CancellationToken, engine: reelcut_engine::Engine) {
    let presses = Arc::new(AtomicUsize::new(0));
    let result = ctrlc::set_handler(move || {
        if presses.fetch_add(1, Ordering::SeqCst) == 0 {
            eprintln!("\nstopping... (press Ctrl-C again to quit now)");
            stop.cancel();
            engine.cancel_all();
        } else {
            reelcut_engine::exit_process(130);
        }
    });
    if let Err(e) = result {
        tracing::warn!(error = %e, "Ctrl-C handler not installed");
    }
}

pub fn watch(a: WatchArgs) -> i32 {
    let o = &a.opts;
    let mut reporter = reporter_for(o.json);
    let opts = match options_from(o) {
        Ok(opts) => opts,
        Err(msg) => return usage(&mut reporter, msg),
    };
    if !(0.0..=3600.0).contains(&a.settle) {
        return usage(
            &mut reporter,
            format!("--settle {} is outside 0..3600", a.settle),
        );
    }
    if !a.folder.is_dir() {
        return usage(
            &mut reporter,
            format!(
                "{}: not a folder (watch takes the folder to watch)",
                a.folder.display()
            ),
        );
    }
    let engine = match open_engine(&o.engine, o.jobs) {
        Ok(e) => e,
        Err(msg) => return usage(&mut reporter, msg),
    };
    let events = engine.subscribe();
    let stop = CancellationToken::new();
    install_stop(stop.clone(), engine.clone());
    if let Err(e) = engine.resume_interrupted() {
        tracing::warn!(error = %e, "interrupted jobs not resumed");
    }
    let watch_opts = WatchOptions {
        recursive: o.recursive,
        settle: Duration::from_secs_f64(a.settle),
        // Clips written into the watched folder must not become jobs.
        ignore: vec![opts.out_dir.clone(), engine_state_dir(&o.engine)],
    };
    let (tx, found) = mpsc::channel::<WatchEvent>();
    let folder = a.folder.clone();
    let s = stop.clone();
    let watcher = std::thread::spawn(move || {
        watch_folder(&folder, &watch_opts, &s, &mut |ev| {
            let _ = tx.send(ev);
        })
    });
    let mut tally = Tally::default();
    loop {
        for ev in found.try_iter() {
            match ev {
                WatchEvent::Watching { folder } => reporter.line(
                    json!({"event": "watching", "folder": folder}),
                    &format!("watching {} (Ctrl-C stops)", folder.display()),
                ),
                WatchEvent::Ignored { path, reason } => {
                    tracing::info!(file = %path.display(), %reason, "not a video, ignored");
                    reporter.line(
                        json!({"event": "watch_ignored", "path": path, "reason": reason}),
                        &format!("ignored {}: not a video ({reason})", path.display()),
                    );
                }
                WatchEvent::Ready(path) => {
                    if let Err(e) = engine.submit(&path.to_string_lossy(), &opts) {
                        let failed = Event::JobFailed {
                            job: None,
                            input: path,
                            kind: e.kind(),
                            message: e.to_string(),
                        };
                        tally.count(&failed);
                        reporter.event(&failed);
                    }
                }
            }
        }
        match events.recv_timeout(Duration::from_millis(100)) {
            Ok(e) => {
                tally.count(&e);
                reporter.event(&e);
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
        if watcher.is_finished() && engine.active_count() == 0 {
            for e in events.try_iter() {
                tally.count(&e);
                reporter.event(&e);
            }
            break;
        }
    }
    let code = match watcher.join() {
        Ok(Ok(())) => 0,
        Ok(Err(e)) => {
            reporter.line(
                json!({"event": "watch_failed", "folder": a.folder, "message": e.to_string()}),
                &format!("error: {}: {e}", a.folder.display()),
            );
            crate::run::EXIT_FAILED
        }
        Err(_) => crate::run::EXIT_FAILED,
    };
    finish_engine(&engine);
    reporter.line(
        json!({"event": "watch_stopped", "succeeded": tally.ok, "failed": tally.failed,
               "cancelled": tally.cancelled}),
        &format!(
            "stopped watching: {} job(s) done, {} failed, {} cancelled (resumed next time)",
            tally.ok, tally.failed, tally.cancelled
        ),
    );
    code
}

fn engine_state_dir(a: &crate::args::EngineArgs) -> std::path::PathBuf {
    a.state_dir.clone().unwrap_or_else(|| {
        reelcut_engine::EngineConfig::default_for_user()
            .map(|c| c.state_dir)
            .unwrap_or_default()
    })
}
