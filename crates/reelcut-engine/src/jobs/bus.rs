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

/// Cancel requests are checked this often (a cancel from another process lands within a
/// second).
const POLL: Duration = Duration::from_millis(100);
const HEARTBEAT: Duration = Duration::from_secs(2);

/// A thread, not a task: it must keep beating while every runtime thread is busy.
pub(crate) fn spawn_watchdog(inner: Weak<Inner>) {
    let spawned = std::thread::Builder::new()
        .name("reelcut-watchdog".into())
        .spawn(move || {
            let mut last_beat = Instant::now() - HEARTBEAT;
            while let Some(inner) = inner.upgrade() {
                if last_beat.elapsed() >= HEARTBEAT {
                    if let Err(e) = inner.store.heartbeat(&inner.owner) {
                        tracing::warn!(error = %e, "heartbeat not written");
                    }
                    last_beat = Instant::now();
                }
                match inner.store.requested_cancels(&inner.owner) {
                    Ok(ids) => {
                        let active = inner.active.lock().unwrap_or_else(|p| p.into_inner());
                        for id in ids {
                            if let Some(t) = active.get(&id) {
                                t.cancel();
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
