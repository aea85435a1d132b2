//! Engine events on their way to the window. Progress arrives far more often than a person
//! can read it; the coalescer keeps only the latest progress per (job, stage, clip) and lets
//! it out on a timer, while every other event goes at once — after the progress that came
//! before it, so the UI never sees a stage finish and then move backwards. They reach the
//! window as [`crate::ipc::ENGINE_EVENT`].

use reelcut_core::{Event, JobId, Stage};

type Key = (JobId, Stage, usize);

#[derive(Default)]
pub struct Coalescer {
    pending: Vec<(Key, Event)>,
}

impl Coalescer {
    /// What to send now, in order.
    pub fn push(&mut self, event: Event) -> Vec<Event> {
        if let Event::Progress {
            job, stage, clip, ..
        } = &event
        {
            let key = (*job, *stage, *clip);
            match self.pending.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = event,
                None => self.pending.push((key, event)),
            }
            return Vec::new();
        }
        let mut out = self.flush();
        out.push(event);
        out
    }

    /// The progress held back since the last flush.
    pub fn flush(&mut self) -> Vec<Event> {
        self.pending.drain(..).map(|(_, e)| e).collect()
    }
}

/// Forwards the engine's events to the window until the engine goes away, on a thread of its
/// own (the engine's stream is a blocking channel). `observe` sees every event first, as
/// it arrives (the shell's own reactions, e.g. the "clips ready" notification).
pub fn spawn<R: tauri::Runtime>(
    events: std::sync::mpsc::Receiver<Event>,
    app: tauri::AppHandle<R>,
    every: std::time::Duration,
    mut observe: impl FnMut(&Event) + Send + 'static,
) -> std::io::Result<()> {
    use std::sync::mpsc::RecvTimeoutError;
    use std::time::Instant;

    std::thread::Builder::new()
        .name("reelcut-events".into())
        .spawn(move || {
            let mut coalescer = Coalescer::default();
            let mut next_flush = Instant::now() + every;
            loop {
                let wait = next_flush.saturating_duration_since(Instant::now());
                let out = match events.recv_timeout(wait) {
                    Ok(event) => {
                        observe(&event);
                        coalescer.push(event)
                    }
                    Err(RecvTimeoutError::Timeout) => {
                        next_flush = Instant::now() + every;
                        coalescer.flush()
                    }
                    Err(RecvTimeoutError::Disconnected) => break,
                };
                for event in out {
                    if let Err(e) = crate::ipc::ENGINE_EVENT.emit_to(&app, "main", &event) {
                        tracing::warn!(error = %e, "event not delivered");
                    }
                }
            }
        })
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn progress(job: i64, stage: Stage, fraction: f64) -> Event {
        Event::Progress {
            job: JobId(job),
            input: "in.mp4".into(),
            clip: 0,
            stage,
            fraction,
            eta_seconds: None,
        }
    }

    fn fraction(e: &Event) -> f64 {
        match e {
            Event::Progress { fraction, .. } => *fraction,
            _ => -1.0,
        }
    }

    #[test]
    fn keeps_latest_progress_per_stage() {
        let mut c = Coalescer::default();
        for i in 0..100 {
            assert!(c
                .push(progress(1, Stage::Render, i as f64 / 100.0))
                .is_empty());
        }
        c.push(progress(2, Stage::Fetch, 0.5));
        let out = c.flush();
        assert_eq!(out.len(), 2);
        assert_eq!(fraction(&out[0]), 0.99);
        assert_eq!(fraction(&out[1]), 0.5);
        assert!(c.flush().is_empty());
    }

    #[test]
    fn other_events_pass_after_pending_progress() {
        let mut c = Coalescer::default();
        c.push(progress(1, Stage::Transcribe, 0.9));
        let done = Event::StageDone {
            job: JobId(1),
            stage: Stage::Transcribe,
            clip: 0,
            seconds: 2.0,
        };
        let out = c.push(done.clone());
        assert_eq!(out.len(), 2);
        assert_eq!(fraction(&out[0]), 0.9);
        assert_eq!(out[1], done);
        assert!(c.flush().is_empty());
    }
}
