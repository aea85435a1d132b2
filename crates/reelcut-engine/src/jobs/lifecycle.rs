//! A job's life in this process, around its pipeline: registered as running under a guard,
//! its pipeline run as a task of its own (a panic there fails the job instead of leaving it
//! "running" and heartbeating forever), a playlist's entries queued as jobs of their own,
//! and the outcome written to the store: done, failed, cancelled, or left for the next
//! start to resume when the engine shuts down under it.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use reelcut_core::{ErrorKind, Event, JobId, JobRecord, JobStatus, JobUpdate};
use tracing::Instrument;

use super::pipeline::{self, Outcome};
use super::{submit_one, Inner, JobCtx};
use crate::{CancellationToken, EngineError, RunOptions};

/// A job this process has queued or is running.
#[derive(Clone)]
pub(crate) struct Running {
    pub token: CancellationToken,
    /// Someone asked to cancel it (here or from another process), as opposed to the engine
    /// stopping under it: the first ends as cancelled, the second is resumed later.
    pub cancel_asked: Arc<AtomicBool>,
}

impl Running {
    pub(crate) fn cancel(&self) {
        self.cancel_asked.store(true, Ordering::SeqCst);
        self.token.cancel();
    }
}

/// Holds a job's entry in the running map; removing it on drop means no path out of a job
/// (an early return, a panic) leaves it registered. Only its own entry: a retry may have
/// registered the job again by then.
pub(crate) struct RunningGuard {
    inner: Arc<Inner>,
    id: JobId,
    mine: Arc<AtomicBool>,
}

impl RunningGuard {
    pub(crate) fn register(inner: &Arc<Inner>, id: JobId) -> (Self, Running) {
        let running = Running {
            token: CancellationToken::new(),
            cancel_asked: Arc::new(AtomicBool::new(false)),
        };
        inner.running().insert(id, running.clone());
        inner.wake_watchdog();
        let guard = Self {
            inner: Arc::clone(inner),
            id,
            mine: Arc::clone(&running.cancel_asked),
        };
        (guard, running)
    }
}

impl Drop for RunningGuard {
    fn drop(&mut self) {
        let mut running = self.inner.running();
        if running
            .get(&self.id)
            .is_some_and(|r| Arc::ptr_eq(&r.cancel_asked, &self.mine))
        {
            running.remove(&self.id);
        }
        drop(running);
        self.inner.idle.notify_all();
    }
}

pub(crate) async fn run_job(
    inner: Arc<Inner>,
    ctx: Arc<JobCtx>,
    cancel_asked: Arc<AtomicBool>,
    guard: RunningGuard,
) {
    let span = tracing::info_span!("job", job = %ctx.id);
    async move {
        // A local job first waits for the jobs queued before it for the same clips folder
        // (see `writer`), holding no slot meanwhile. Then it is queued until a job slot is
        // free; a cancel while waiting ends it at once. The slot is held until the job's end
        // is recorded and announced, so "jobs in flight" never counts one more than
        // `max_jobs`.
        let turn = match &ctx.turn {
            Some(t) => t.wait(&ctx.cancel).await.is_ok(),
            None => true,
        };
        let slot = match turn {
            false => None,
            true => tokio::select! {
                p = Arc::clone(&inner.pools.jobs).acquire_owned() => p.ok(),
                _ = ctx.cancel.cancelled() => None,
            },
        };
        let result = match slot {
            None => Err(EngineError::Cancelled),
            Some(_) => {
                let task = {
                    let (inner, ctx) = (Arc::clone(&inner), Arc::clone(&ctx));
                    tokio::spawn(async move { pipeline::run(&inner, &ctx).await }.in_current_span())
                };
                match task.await {
                    Ok(r) => r,
                    Err(e) => Err(EngineError::internal("the job's pipeline panicked", e)),
                }
            }
        };
        let result = match result {
            Ok(Outcome::Expanded { entries }) => {
                expand(&inner, &ctx, entries);
                Ok(Outcome::Expanded {
                    entries: Vec::new(),
                })
            }
            other => other,
        };
        // The store first, then the running map, then the event: a client that hears the
        // end and acts on it at once (retry, list) finds the job as the event says.
        let event = finish(&inner, &ctx, result, cancel_asked.load(Ordering::SeqCst));
        drop(guard);
        if let Some(e) = event {
            ctx.emit(e);
        }
        drop(slot);
    }
    .instrument(span)
    .await
}

/// A playlist's entries, each its own job with the playlist's options, once each: an entry
/// that is this playlist or one of the playlists that led here is left out (feeds that list
/// each other), and so is a repeat. An entry another playlist already queued is that job.
fn expand(inner: &Arc<Inner>, ctx: &JobCtx, entries: Vec<String>) {
    let mut seen: HashSet<String> = ctx.opts.via.iter().cloned().collect();
    seen.insert(ctx.input.clone());
    let mut via = ctx.opts.via.clone();
    via.push(ctx.input.clone());
    let opts = RunOptions {
        via,
        ..ctx.opts.clone()
    };
    for url in entries {
        if !seen.insert(url.clone()) {
            tracing::info!(%url, "playlist entry left out: listed already on the way here");
            continue;
        }
        if let Err(e) = submit_one(inner, &url, &opts) {
            ctx.emit(Event::JobFailed {
                job: None,
                input: url.into(),
                kind: e.kind(),
                message: e.to_string(),
            });
        }
    }
}

/// Records how the job ended and returns the event that says so.
fn finish(
    inner: &Arc<Inner>,
    ctx: &Arc<JobCtx>,
    result: Result<Outcome, EngineError>,
    cancel_asked: bool,
) -> Option<Event> {
    let input = PathBuf::from(&ctx.input);
    let stopped = ctx.cancel.is_cancelled() || matches!(result, Err(EngineError::Cancelled));
    let (update, event) = match result {
        Ok(Outcome::Clips { manifest, outputs }) => {
            let update = JobUpdate {
                status: Some(JobStatus::Done),
                outputs: Some(
                    outputs
                        .iter()
                        .map(|o| o.to_string_lossy().into_owned())
                        .collect(),
                ),
                manifest: Some(manifest.to_string_lossy().into_owned()),
                ..Default::default()
            };
            let done = Event::JobDone {
                job: ctx.id,
                input,
                manifest,
                outputs,
            };
            (update, Some(done))
        }
        Ok(Outcome::Expanded { .. }) => (
            JobUpdate {
                status: Some(JobStatus::Done),
                ..Default::default()
            },
            Some(Event::JobDone {
                job: ctx.id,
                input,
                manifest: PathBuf::new(),
                outputs: Vec::new(),
            }),
        ),
        Err(_) if stopped && !cancel_asked && inner.is_stopping() => {
            // The engine shuts down under the job: its finished stages stay, and the next
            // start resumes it (released, so it is an orphan at once, not in 15 s).
            tracing::info!("interrupted by shutdown; resumed at the next start");
            let update = JobUpdate {
                status: Some(JobStatus::Queued),
                ..Default::default()
            };
            (update, None)
        }
        Err(_) if stopped => {
            // Partial downloads and checkpoints go; finished clips of earlier runs stay.
            inner.remove_work(&ctx.work);
            let update = JobUpdate {
                status: Some(JobStatus::Cancelled),
                error: Some(Some(cancelled_by_request())),
                ..Default::default()
            };
            (update, Some(Event::JobCancelled { job: ctx.id, input }))
        }
        Err(e) => {
            tracing::warn!(error = %e, kind = ?e.kind(), "job failed");
            let update = JobUpdate {
                status: Some(JobStatus::Failed),
                error: Some(Some((e.kind(), e.to_string()))),
                ..Default::default()
            };
            let failed = Event::JobFailed {
                job: Some(ctx.id),
                input,
                kind: e.kind(),
                message: e.to_string(),
            };
            (update, Some(failed))
        }
    };
    let release = JobUpdate {
        owner: Some(None),
        ..update
    };
    if let Err(e) = inner.store.update(ctx.id, release) {
        tracing::warn!(error = %e, "job store not updated");
    }
    event
}

/// What a cancelled job's record says (clients list it with the other kinds).
fn cancelled_by_request() -> (ErrorKind, String) {
    (ErrorKind::Cancelled, "cancelled on request".into())
}

/// A job nobody runs, marked cancelled.
pub(crate) fn mark_cancelled(inner: &Inner, rec: &JobRecord) {
    inner.remove_work(std::path::Path::new(&rec.work_dir));
    if let Err(e) = inner.store.update(
        rec.id,
        JobUpdate {
            status: Some(JobStatus::Cancelled),
            owner: Some(None),
            error: Some(Some(cancelled_by_request())),
            ..Default::default()
        },
    ) {
        tracing::warn!(job = %rec.id, error = %e, "job store not updated");
    }
    inner.bus.emit(Event::JobCancelled {
        job: rec.id,
        input: PathBuf::from(&rec.input),
    });
}
