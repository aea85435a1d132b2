//! The job engine: a persistent queue of jobs (one input each), every stage on its own
//! bounded pool, checkpoints per stage, cancellation per job, retries for transient
//! failures. Both clients (CLI, desktop) hold an [`Engine`] and listen to its events.
//!
//! Blocking work (yt-dlp, Whisper, decoding, encoding) runs on the runtime's blocking
//! threads; the async side only waits for pool permits, timers and results, so submitting,
//! listing or cancelling answers at once however busy the pools are.

mod analysis_cache;
mod bus;
mod edit;
#[cfg(test)]
mod faults;
mod lifecycle;
mod pipeline;
mod pools;
mod stages;

pub use edit::{PlanClip, PlanRender};
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use reelcut_core::job::now;
use reelcut_core::{Event, JobId, JobRecord, JobStatus, JobStore, JobUpdate, NewJob};
use sha2::{Digest, Sha256};

pub use pools::PoolSizes;

use crate::outputs::{claim_folder, finished, output_stem, run_key};
use crate::{is_url, videos_in, Assets, CancellationToken, EngineError, Resources, RunOptions};
use lifecycle::{Running, RunningGuard};

/// How often transient failures are retried, and how long to wait before each retry.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// The wait before the second attempt; doubled for each one after.
    pub first_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            first_delay: Duration::from_secs(1),
        }
    }
}

#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// The job store and the jobs' work folders live here.
    pub state_dir: PathBuf,
    pub pools: PoolSizes,
    /// Jobs in flight at once; the others wait in the queue.
    pub max_jobs: usize,
    pub retry: RetryPolicy,
}

impl EngineConfig {
    /// `$REELCUT_STATE_DIR`, else the per-user data folder's `state/`.
    pub fn default_for_user() -> Result<Self, EngineError> {
        let state_dir = match std::env::var_os("REELCUT_STATE_DIR") {
            Some(d) => absolute(Path::new(&d)),
            None => reelcut_models::data_dir()
                .map_err(EngineError::Models)?
                .join("state"),
        };
        Ok(Self {
            state_dir,
            pools: PoolSizes::for_machine(),
            max_jobs: 4,
            retry: RetryPolicy::default(),
        })
    }
}

/// Everything a job's stages share.
pub(crate) struct JobCtx {
    pub id: JobId,
    /// The URL or path as given.
    pub input: String,
    pub opts: RunOptions,
    /// Checkpoints and partial downloads.
    pub work: PathBuf,
    pub assets: Assets,
    pub resources: Arc<Resources>,
    pub cancel: CancellationToken,
    /// Its place in its clips folder's queue, taken when it is queued; `None` for a URL
    /// (the folder is known once the download is named; only the folder lock orders it).
    pub turn: Option<crate::writer::Turn>,
    bus: Arc<bus::Bus>,
}

impl JobCtx {
    pub(crate) fn emit(&self, e: Event) {
        self.bus.emit(e);
    }
}

pub(crate) struct Inner {
    store: Arc<dyn JobStore>,
    config: EngineConfig,
    assets: Assets,
    resources: Arc<Resources>,
    bus: Arc<bus::Bus>,
    pools: pools::Pools,
    /// Jobs this process has queued or is running, with their cancel tokens.
    active: Mutex<HashMap<JobId, Running>>,
    /// Signalled when a job leaves `active` (shutdown waits on it).
    idle: Condvar,
    /// Signalled when a job enters `active` or the engine stops (the watchdog sleeps on it
    /// while nothing runs).
    wake: Condvar,
    /// Set by [`Engine::shutdown`]: nothing new starts, running jobs are interrupted.
    stopping: AtomicBool,
    /// `host:pid`: who holds a job in the store.
    owner: String,
    /// Jobs by the clips folder they write, in queue order (see `writer`).
    writers: Arc<crate::writer::Queue>,
    /// Held while a job is put in the store and scheduled, and while interrupted jobs are
    /// looked for: a job just inserted has no owner yet, and a resume running at that moment
    /// (the desktop resumes at start while it adds the files it was opened with) would take
    /// it for an interrupted one and run it a second time.
    queueing: Mutex<()>,
    handle: tokio::runtime::Handle,
    #[cfg(test)]
    faults: faults::Faults,
}

/// Shuts the runtime down without blocking when the last handle goes (a desktop command
/// may drop it on an async thread, where a blocking shutdown would panic).
struct Runtime(Option<tokio::runtime::Runtime>);

impl Drop for Runtime {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take() {
            rt.shutdown_background();
        }
    }
}

/// The engine. Cheap to clone; every method returns in milliseconds.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
    _runtime: Arc<Runtime>,
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "localhost".into())
}

/// Who holds a job: this machine, this process, and which engine of it (the desktop app and
/// the tests run more than one), so two engines never mistake each other's jobs for theirs.
fn owner_id() -> String {
    static ENGINES: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = ENGINES.fetch_add(1, Ordering::Relaxed);
    format!("{}:{}/{n}", hostname(), std::process::id())
}

/// A heartbeat older than this means the owner is gone (another machine, or a hung one).
const STALE_SECONDS: f64 = 15.0;

impl Inner {
    /// Whether `owner` still works on its jobs: a process on this machine is asked
    /// directly; others are judged by their heartbeat.
    fn stale_before(&self, rec: &JobRecord) -> f64 {
        let Some(owner) = &rec.owner else {
            return f64::INFINITY;
        };
        if owner == &self.owner {
            return f64::INFINITY;
        }
        let host = hostname();
        // `host:pid/engine`; records of older versions have no `/engine`.
        if let Some(pid) = owner
            .strip_prefix(&format!("{host}:"))
            .and_then(|p| p.split('/').next())
            .and_then(|p| p.parse::<i32>().ok())
        {
            // SAFETY: signal 0 only checks that the process exists.
            let alive = unsafe { libc::kill(pid, 0) } == 0
                || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM);
            if !alive {
                return f64::INFINITY;
            }
        }
        now() - STALE_SECONDS
    }

    fn is_held_elsewhere(&self, rec: &JobRecord) -> bool {
        rec.owner.is_some() && self.stale_before(rec) < f64::INFINITY
    }

    fn work_root(&self) -> PathBuf {
        self.config.state_dir.join("jobs")
    }

    /// Removes a job's work folder, and only if it lies inside this engine's work root: a
    /// record from another version, a tampered store or a path that resolves elsewhere must
    /// never make the engine delete a folder of the user's.
    fn remove_work(&self, dir: &Path) {
        let root = self.work_root();
        let inside = match (dir.canonicalize(), root.canonicalize()) {
            (Ok(d), Ok(r)) => d.starts_with(&r) && d != r,
            // Gone already (or never made): nothing to remove.
            _ => return,
        };
        if !inside {
            tracing::warn!(dir = %dir.display(), root = %root.display(), "work folder outside the state folder: left alone");
            return;
        }
        if let Err(e) = std::fs::remove_dir_all(dir) {
            tracing::warn!(dir = %dir.display(), error = %e, "work folder not removed");
        }
    }

    fn running(&self) -> MutexGuard<'_, HashMap<JobId, Running>> {
        self.active.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    fn wake_watchdog(&self) {
        self.wake.notify_all();
    }
}

impl Engine {
    /// Opens the store and starts the workers.
    pub fn open(config: EngineConfig, assets: Assets) -> Result<Self, EngineError> {
        let store = reelcut_store::SqliteStore::open(&config.state_dir.join("jobs.db"))?;
        Self::with_store(config, assets, Arc::new(store))
    }

    /// An engine on any [`JobStore`] (a shared queue for several machines, later).
    pub fn with_store(
        config: EngineConfig,
        assets: Assets,
        store: Arc<dyn JobStore>,
    ) -> Result<Self, EngineError> {
        // Work folders are stored with the jobs and deleted on cancel: never relative to
        // whichever folder a later process runs in.
        let config = EngineConfig {
            state_dir: absolute(&config.state_dir),
            ..config
        };
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("reelcut-engine")
            .enable_time()
            .build()
            .map_err(|source| EngineError::Io {
                path: config.state_dir.clone(),
                source,
            })?;
        let inner = Arc::new(Inner {
            store,
            pools: pools::Pools::new(config.pools, config.max_jobs),
            config,
            assets,
            resources: Arc::new(Resources::new()),
            bus: Arc::new(bus::Bus::default()),
            active: Mutex::new(HashMap::new()),
            idle: Condvar::new(),
            wake: Condvar::new(),
            stopping: AtomicBool::new(false),
            owner: owner_id(),
            writers: Default::default(),
            queueing: Mutex::new(()),
            handle: rt.handle().clone(),
            #[cfg(test)]
            faults: Default::default(),
        });
        bus::spawn_watchdog(Arc::downgrade(&inner));
        Ok(Self {
            inner,
            _runtime: Arc::new(Runtime(Some(rt))),
        })
    }

    /// A new listener for every event from now on.
    pub fn subscribe(&self) -> std::sync::mpsc::Receiver<Event> {
        self.inner.bus.subscribe()
    }

    /// Queues `input` (a URL, a video file, or a folder: one job per video in it) and
    /// returns the jobs. Work already done with the same options is not redone (the job is
    /// reported skipped); unfinished work with the same options is resumed.
    pub fn submit(&self, input: &str, opts: &RunOptions) -> Result<Vec<JobId>, EngineError> {
        // Jobs outlive the process that queued them (and its working folder): paths are
        // stored absolute.
        let opts = &absolute_paths(opts);
        if is_url(input) {
            return Ok(vec![submit_one(&self.inner, input, opts)?]);
        }
        let abs = absolute(Path::new(input));
        let input = abs.to_str().unwrap_or(input);
        let path = Path::new(input);
        if path.is_dir() {
            let videos = videos_in(path, opts.recursive)?;
            if videos.is_empty() {
                return Err(EngineError::Media(reelcut_media::MediaError::NotFound {
                    path: path.join("(no videos in this folder)"),
                }));
            }
            let mut ids = Vec::new();
            for v in videos {
                // One unreadable file must not stop its neighbours.
                match submit_one(&self.inner, &v.to_string_lossy(), opts) {
                    Ok(id) => ids.push(id),
                    Err(e) => self.inner.bus.emit(Event::JobFailed {
                        job: None,
                        input: v,
                        kind: e.kind(),
                        message: e.to_string(),
                    }),
                }
            }
            return Ok(ids);
        }
        crate::inputs::check_regular(path, "input")?;
        Ok(vec![submit_one(&self.inner, input, opts)?])
    }

    /// Every unfinished job whose owner is gone (a crash, a kill -9), queued again. Their
    /// finished stages are kept.
    pub fn resume_interrupted(&self) -> Result<Vec<JobId>, EngineError> {
        let _queueing = self
            .inner
            .queueing
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let mut ids = Vec::new();
        for rec in self.inner.store.list()? {
            let unfinished = matches!(rec.status, JobStatus::Queued | JobStatus::Running);
            let here = self.is_active(rec.id);
            if !unfinished || here || self.inner.is_held_elsewhere(&rec) {
                continue;
            }
            if rec.cancel_requested {
                // Asked to stop before it died: it is cancelled, not resumed.
                lifecycle::mark_cancelled(&self.inner, &rec);
                continue;
            }
            let opts = options_of(&rec)?;
            // Lost a race with another process resuming it: theirs now.
            if schedule(&self.inner, &rec, opts, true).is_ok() {
                ids.push(rec.id);
            }
        }
        Ok(ids)
    }

    /// Stops a job: a running one within a second (its child processes killed, its
    /// temporary files removed), a queued one at once. Works across processes: the owner
    /// polls the store for cancel requests.
    pub fn cancel(&self, id: JobId) -> Result<(), EngineError> {
        let inner = &self.inner;
        let rec = get(inner, id)?;
        if rec.status.is_terminal() {
            return Ok(());
        }
        inner.store.update(
            id,
            JobUpdate {
                cancel_requested: Some(true),
                ..Default::default()
            },
        )?;
        let running = inner.running().get(&id).cloned();
        match running {
            Some(r) => r.cancel(),
            None if !inner.is_held_elsewhere(&rec) => lifecycle::mark_cancelled(inner, &rec),
            // The owning process sees the request within a second.
            None => {}
        }
        Ok(())
    }

    /// Queues a failed or cancelled job again; its finished stages are kept.
    pub fn retry(&self, id: JobId) -> Result<(), EngineError> {
        let rec = get(&self.inner, id)?;
        if !matches!(rec.status, JobStatus::Failed | JobStatus::Cancelled) {
            return Err(EngineError::Busy {
                job: id,
                input: rec.input.clone(),
                reason: format!(
                    "the job is {}: only failed or cancelled jobs can be retried",
                    rec.status.as_str()
                ),
            });
        }
        let opts = options_of(&rec)?;
        schedule(&self.inner, &rec, opts, true)
    }

    /// Forgets a job (cancelling it first); its clips stay.
    pub fn remove(&self, id: JobId) -> Result<(), EngineError> {
        let rec = get(&self.inner, id)?;
        if !rec.status.is_terminal() {
            self.cancel(id)?;
        }
        self.inner.store.remove(id)?;
        self.inner.remove_work(Path::new(&rec.work_dir));
        Ok(())
    }

    pub fn jobs(&self) -> Result<Vec<JobRecord>, EngineError> {
        Ok(self.inner.store.list()?)
    }

    pub fn job(&self, id: JobId) -> Result<JobRecord, EngineError> {
        get(&self.inner, id)
    }

    /// Whether this process has the job queued or running.
    pub fn is_active(&self, id: JobId) -> bool {
        self.inner.running().contains_key(&id)
    }

    /// Jobs this process has queued or running.
    pub fn active_count(&self) -> usize {
        self.inner.running().len()
    }

    /// The models and detectors this engine has loaded, shared by its jobs.
    pub fn resources(&self) -> &Arc<Resources> {
        &self.inner.resources
    }

    /// Stops the engine before the process exits: nothing new starts, the jobs this process
    /// runs are interrupted (not cancelled: their finished stages stay and the next start
    /// resumes them; cancel first to end them for good), and the call waits up to `grace`
    /// for their stages and their Whisper threads to stop. True when everything stopped in
    /// time. Exiting while a whisper thread still runs can crash the process in C++ static
    /// destructors, so both clients call this on the way out.
    pub fn shutdown(&self, grace: Duration) -> bool {
        let inner = &self.inner;
        let deadline = Instant::now() + grace;
        inner.stopping.store(true, Ordering::SeqCst);
        inner.wake_watchdog();
        let mut running = inner.running();
        for r in running.values() {
            r.token.cancel();
        }
        while !running.is_empty() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                tracing::warn!(jobs = running.len(), "jobs still stopping at shutdown");
                return false;
            }
            running = inner
                .idle
                .wait_timeout(running, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        drop(running);
        let stopped = inner
            .resources
            .wait_idle(deadline.saturating_duration_since(Instant::now()));
        if !stopped {
            tracing::warn!("a transcription thread was still running at shutdown");
        }
        stopped
    }

    /// Cancels everything this process runs (Ctrl-C).
    pub fn cancel_all(&self) {
        let ids: Vec<JobId> = self.inner.running().keys().copied().collect();
        for id in ids {
            if let Err(e) = self.cancel(id) {
                tracing::warn!(job = %id, error = %e, "cancel failed");
            }
        }
    }
}

fn held_elsewhere(rec: &JobRecord) -> EngineError {
    EngineError::Busy {
        job: rec.id,
        input: rec.input.clone(),
        reason: "already being processed by another Reelcut process".into(),
    }
}

/// The options a job was queued with (the engine wrote them).
fn options_of(rec: &JobRecord) -> Result<RunOptions, EngineError> {
    serde_json::from_str(&rec.options).map_err(|e| {
        EngineError::internal(
            format!("job {}: its stored options do not read back", rec.id),
            e,
        )
    })
}

/// `opts` with every file it names made absolute: the output folder, subtitles, an image
/// watermark, a caption style file (a preset name stays a name).
fn absolute_paths(opts: &RunOptions) -> RunOptions {
    let mut o = opts.clone();
    o.out_dir = absolute(&o.out_dir);
    o.subtitles = o.subtitles.as_deref().map(absolute);
    if let Some(w) = o.watermark.as_mut() {
        if let reelcut_core::WatermarkKind::Image(p) = &mut w.kind {
            *p = absolute(p);
        }
    }
    if let Some(style) = o.captions.as_mut() {
        if Path::new(style.as_str()).is_file() {
            *style = absolute(Path::new(style.as_str()))
                .to_string_lossy()
                .into_owned();
        }
    }
    o
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

fn get(inner: &Inner, id: JobId) -> Result<JobRecord, EngineError> {
    inner.store.get(id)?.ok_or(EngineError::JobNotFound(id))
}

/// What makes two submissions the same work: the input (its content's identity for a
/// file) and the options that shape the clips.
fn job_key(input: &str, opts: &RunOptions) -> Result<String, EngineError> {
    let identity = if is_url(input) {
        // How the URL was reached (`via`) does not change its clips: a video listed by two
        // feeds is one job.
        let shaping = RunOptions {
            force: false,
            via: Vec::new(),
            ..opts.clone()
        };
        format!("url|{input}|{shaping:?}")
    } else {
        let path = Path::new(input);
        let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        format!(
            "file|{}|{}|{}",
            canonical.display(),
            run_key(path, opts)?,
            opts.out_dir.display()
        )
    };
    Ok(format!("{:x}", Sha256::digest(identity.as_bytes())))
}

fn submit_one(inner: &Arc<Inner>, input: &str, opts: &RunOptions) -> Result<JobId, EngineError> {
    let _queueing = inner.queueing.lock().unwrap_or_else(|p| p.into_inner());
    // A local input's clips folder is chosen (and claimed) now, once: its name is part of the
    // job's options, so every stage, every retry and every later run agree on it.
    let claimed;
    let opts = if is_url(input) || opts.folder.is_some() {
        opts
    } else {
        claimed = RunOptions {
            folder: Some(claim_folder(&opts.out_dir, Path::new(input))?),
            ..opts.clone()
        };
        &claimed
    };
    let key = job_key(input, opts)?;
    let title = if is_url(input) {
        input.to_string()
    } else {
        output_stem(Path::new(input))
    };
    if let Some(rec) = inner.store.find_key(&key)? {
        let active_here = inner.running().contains_key(&rec.id);
        if active_here {
            return Ok(rec.id);
        }
        match rec.status {
            JobStatus::Done
                if !opts.force
                    && outputs_exist(&rec)
                    && !rec
                        .manifest
                        .as_deref()
                        .is_some_and(|m| crate::outputs::manifest_edited(Path::new(m))) =>
            {
                inner.bus.emit(Event::JobSkipped {
                    job: rec.id,
                    input: PathBuf::from(input),
                    manifest: rec.manifest.clone().unwrap_or_default().into(),
                });
                return Ok(rec.id);
            }
            JobStatus::Queued | JobStatus::Running if inner.is_held_elsewhere(&rec) => {
                return Err(held_elsewhere(&rec));
            }
            JobStatus::Done => {
                // Asked again on purpose (--force), its clips are gone, or its framing
                // overrides were edited: everything anew.
                inner.remove_work(Path::new(&rec.work_dir));
            }
            _ => {}
        }
        // Unfinished, failed or cancelled: go on from the last finished stage.
        schedule(inner, &rec, opts.clone(), true)?;
        return Ok(rec.id);
    }
    let options = serde_json::to_string(opts)
        .map_err(|e| EngineError::internal("the job's options do not serialise", e))?;
    let rec = inner.store.insert(NewJob {
        key,
        input: input.to_string(),
        title,
        options,
        work_root: inner.work_root().to_string_lossy().into_owned(),
    })?;
    // Clips made by an earlier run with the same options (and no job record for them,
    // e.g. another state folder): nothing to redo.
    if !is_url(input) && !opts.force {
        let path = Path::new(input);
        let manifest = crate::plan::clips_dir(opts, path).join("clips.json");
        if let Some(m) = run_key(path, opts)
            .ok()
            .and_then(|k| finished(&manifest, &k))
        {
            let outputs = m
                .clips
                .iter()
                .map(|c| {
                    manifest
                        .with_file_name(&c.output)
                        .to_string_lossy()
                        .into_owned()
                })
                .collect();
            inner.store.update(
                rec.id,
                JobUpdate {
                    status: Some(JobStatus::Done),
                    outputs: Some(outputs),
                    manifest: Some(manifest.to_string_lossy().into_owned()),
                    ..Default::default()
                },
            )?;
            inner.bus.emit(Event::JobSkipped {
                job: rec.id,
                input: path.to_path_buf(),
                manifest,
            });
            return Ok(rec.id);
        }
    }
    schedule(inner, &rec, opts.clone(), false)?;
    Ok(rec.id)
}

fn outputs_exist(rec: &JobRecord) -> bool {
    rec.manifest
        .as_deref()
        .is_some_and(|m| Path::new(m).is_file())
        && rec.outputs.iter().all(|o| Path::new(o).is_file())
}

/// Queues `rec` in this process. The job is claimed now, not when a worker takes it, so
/// another process looking for interrupted jobs never mistakes a queued one for an orphan.
fn schedule(
    inner: &Arc<Inner>,
    rec: &JobRecord,
    opts: RunOptions,
    resumed: bool,
) -> Result<(), EngineError> {
    if inner.is_stopping() {
        return Err(EngineError::internal(
            format!("{}: not queued", rec.input),
            "the engine is shutting down",
        ));
    }
    if !inner
        .store
        .claim(rec.id, &inner.owner, inner.stale_before(rec))?
    {
        return Err(held_elsewhere(rec));
    }
    let (guard, running) = RunningGuard::register(inner, rec.id);
    let reset = JobUpdate {
        status: Some(JobStatus::Queued),
        error: Some(None),
        cancel_requested: Some(false),
        ..Default::default()
    };
    if let Err(e) = inner.store.update(rec.id, reset) {
        tracing::warn!(job = %rec.id, error = %e, "job store not updated");
    }
    inner.bus.emit(Event::JobQueued {
        job: rec.id,
        input: rec.input.clone(),
        title: rec.title.clone(),
        resumed,
    });
    // Queued in the order jobs are scheduled: a resumed job writes before a newer request.
    let turn = (!is_url(&rec.input)).then(|| {
        crate::writer::Queue::enqueue(
            &inner.writers,
            &crate::plan::clips_dir(&opts, Path::new(&rec.input)),
            rec.id,
        )
    });
    let ctx = Arc::new(JobCtx {
        id: rec.id,
        input: rec.input.clone(),
        turn,
        opts,
        work: PathBuf::from(&rec.work_dir),
        assets: inner.assets.clone(),
        resources: Arc::clone(&inner.resources),
        cancel: running.token.clone(),
        bus: Arc::clone(&inner.bus),
    });
    inner.handle.spawn(lifecycle::run_job(
        Arc::clone(inner),
        ctx,
        running.cancel_asked,
        guard,
    ));
    Ok(())
}
