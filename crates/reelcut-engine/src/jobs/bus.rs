//! The event stream every client listens to, and the watchdog that keeps this process's
//! claim on its jobs alive and hears cancel requests made by other processes.

use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Mutex, Weak};
use std::time::{Duration, Instant};

use reelcut_core::Event;

use super::Inner;

/// Fan-out to every subscriber. Unbounded per subscriber: progress is throttled at the
/// source (a few events a second per stage), and a client that stops listening is dropped
/// at the next send.
#[derive(Default)]
pub(crate) struct Bus {
    subscribers: Mutex<Vec<Sender<Event>>>,
}

impl Bus {
    pub(crate) fn subscribe(&self) -> Receiver<Event> {
        let (tx, rx) = channel();
        self.subscribers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(tx);
        rx
    }

    pub(crate) fn emit(&self, e: Event) {
        let mut subs = self.subscribers.lock().unwrap_or_else(|p| p.into_inner());
        subs.retain(|s| s.send(e.clone()).is_ok());
    }
}

/// Cancel requests are checked this often while jobs run (a cancel from another process
/// lands within a second).
const POLL: Duration = Duration::from_millis(100);
const HEARTBEAT: Duration = Duration::from_secs(2);

/// A thread, not a task: it must keep beating while every runtime thread is busy. While
/// this process runs no job it touches the store not at all (there is no claim to keep
/// alive and no cancel to hear) and sleeps until a job is queued.
pub(crate) fn spawn_watchdog(inner: Weak<Inner>) {
    let spawned = std::thread::Builder::new()
        .name("reelcut-watchdog".into())
        .spawn(move || {
            let mut last_beat = Instant::now() - HEARTBEAT;
            while let Some(inner) = inner.upgrade() {
                if inner.is_stopping() {
                    break;
                }
                let running = inner.running();
                if running.is_empty() {
                    // Woken by a new job or a shutdown; the timeout only lets a dropped
                    // engine's thread notice and end.
                    let _ = inner
                        .wake
                        .wait_timeout(running, HEARTBEAT)
                        .unwrap_or_else(|p| p.into_inner());
                    last_beat = Instant::now() - HEARTBEAT;
                    continue;
                }
                drop(running);
                if last_beat.elapsed() >= HEARTBEAT {
                    if let Err(e) = inner.store.heartbeat(&inner.owner) {
                        tracing::warn!(error = %e, "heartbeat not written");
                    }
                    last_beat = Instant::now();
                }
                match inner.store.requested_cancels(&inner.owner) {
                    Ok(ids) => {
                        let running = inner.running();
                        for id in ids {
                            if let Some(r) = running.get(&id) {
                                r.cancel();
                            }
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "cancel requests not read"),
                }
                drop(inner);
                std::thread::sleep(POLL);
            }
        });
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "watchdog not started: cancels from other processes are not heard");
    }
}
