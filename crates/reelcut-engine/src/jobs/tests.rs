//! The job state machine, driven through [`Engine::with_store`] on a real SQLite store in a
//! temporary folder: claims, orphans, cancels, retries, checkpoints, failing and panicking
//! stages. Faults are planted in stages where a real input cannot produce them on demand
//! (a panic, a stage that runs until cancelled); the rest runs the real stages on a tiny
//! generated video.

use std::path::{Path, PathBuf};
use std::sync::mpsc::Receiver;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reelcut_core::{ErrorKind, Event, JobId, JobStatus, JobStore, NewJob, Stage};
use reelcut_store::SqliteStore;
use tempfile::TempDir;

use super::faults::Fault;
use super::{Engine, EngineConfig, PoolSizes, RetryPolicy};
use crate::{Assets, LayoutChoice, Reframe, RunOptions};

const WAIT: Duration = Duration::from_secs(60);

struct Fixture {
    dir: TempDir,
    store: Arc<SqliteStore>,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Arc::new(SqliteStore::open(&dir.path().join("state/jobs.db")).expect("store"));
        Self { dir, store }
    }

    fn engine(&self, max_jobs: usize) -> Engine {
        let config = EngineConfig {
            state_dir: self.dir.path().join("state"),
            pools: PoolSizes {
                fetch: 1,
                transcribe: 1,
                analyse: 1,
                render: 1,
            },
            max_jobs,
            retry: RetryPolicy {
                max_attempts: 3,
                first_delay: Duration::from_millis(10),
            },
        };
        let store: Arc<dyn JobStore> = self.store.clone();
        Engine::with_store(
            config,
            Assets::from_fonts_dir(Path::new("/nonexistent")),
            store,
        )
        .expect("engine")
    }

    /// A 1 s 320x180 video with a tone, made with the ffmpeg CLI (set-up installs it).
    fn video(&self, name: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        let ok = std::process::Command::new("ffmpeg")
            .args(["-v", "error", "-y", "-f", "lavfi", "-i"])
            .arg("testsrc2=size=320x180:rate=25:duration=1")
            .args(["-f", "lavfi", "-i", "sine=frequency=440:duration=1"])
            .args([
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-pix_fmt",
                "yuv420p",
            ])
            .args(["-c:a", "aac", "-shortest"])
            .arg(&p)
            .status()
            .expect("ffmpeg (run scripts/setup.sh)")
            .success();
        assert!(ok, "ffmpeg could not make {}", p.display());
        p
    }

    /// Whole input, centred, no captions: the fastest real pipeline.
    fn options(&self) -> RunOptions {
        let mut o = RunOptions {
            out_dir: self.dir.path().join("out"),
            whole: true,
            reframe: Reframe::Center,
            layout: LayoutChoice::Crop,
            resolution: 160,
            ..Default::default()
        };
        o.encoder.preset = "ultrafast".into();
        o
    }
}

/// Events until `done` says so, or a panic after [`WAIT`].
fn until(rx: &Receiver<Event>, mut done: impl FnMut(&Event) -> bool) -> Vec<Event> {
    let deadline = Instant::now() + WAIT;
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(e) => {
                let stop = done(&e);
                seen.push(e);
                if stop {
                    return seen;
                }
            }
            Err(_) => panic!("timed out; events so far: {seen:#?}"),
        }
    }
}

fn ended(job: JobId) -> impl FnMut(&Event) -> bool {
    move |e| {
        matches!(e,
            Event::JobDone { job: j, .. } | Event::JobCancelled { job: j, .. } if *j == job)
            || matches!(e, Event::JobFailed { job: Some(j), .. } if *j == job)
    }
}

fn started(job: JobId, stage: Stage) -> impl FnMut(&Event) -> bool {
    move |e| matches!(e, Event::StageStarted { job: j, stage: s, .. } if *j == job && *s == stage)
}

fn one(ids: Vec<JobId>) -> JobId {
    assert_eq!(ids.len(), 1, "{ids:?}");
    ids[0]
}

#[test]
fn a_job_runs_every_stage_and_is_released_when_done() {
    let f = Fixture::new();
    let engine = f.engine(2);
    let rx = engine.subscribe();
    let input = f.video("a.mp4");
    let id = one(engine
        .submit(input.to_str().unwrap(), &f.options())
        .unwrap());
    let events = until(&rx, ended(id));
    assert!(
        matches!(events.last(), Some(Event::JobDone { outputs, .. }) if outputs.len() == 1),
        "{events:#?}"
    );
    let rec = engine.job(id).unwrap();
    assert_eq!(rec.status, JobStatus::Done);
    assert_eq!(rec.owner, None, "a finished job is released");
    assert_eq!(rec.attempts, 1);
    assert!(Path::new(&rec.outputs[0]).is_file());
    assert!(!engine.is_active(id));
}

#[test]
fn a_failing_stage_fails_the_job_with_its_kind_and_does_not_retry() {
    let f = Fixture::new();
    let engine = f.engine(2);
    let rx = engine.subscribe();
    let input = f.dir.path().join("corrupt.mp4");
    std::fs::write(&input, b"not a video at all, just bytes").unwrap();
    let id = one(engine
        .submit(input.to_str().unwrap(), &f.options())
        .unwrap());
    let events = until(&rx, ended(id));
    match events.last() {
        Some(Event::JobFailed { kind, message, .. }) => {
            assert_eq!(*kind, ErrorKind::InputInvalid, "{message}");
            assert!(message.contains("corrupt.mp4"), "{message}");
        }
        other => panic!("not failed: {other:?}"),
    }
    assert!(!events.iter().any(|e| matches!(e, Event::Retrying { .. })));
    let rec = engine.job(id).unwrap();
    assert_eq!(rec.status, JobStatus::Failed);
    assert_eq!(rec.error_kind, Some(ErrorKind::InputInvalid));
    assert_eq!((rec.attempts, rec.owner.clone()), (1, None));
}

#[test]
fn a_panicking_stage_fails_the_job_as_internal_and_frees_it() {
    let f = Fixture::new();
    let engine = f.engine(2);
    let rx = engine.subscribe();
    engine.inner.faults.plant(Stage::Probe, Fault::Panic);
    let input = f.video("p.mp4");
    let id = one(engine
        .submit(input.to_str().unwrap(), &f.options())
        .unwrap());
    let events = until(&rx, ended(id));
    assert!(
        matches!(
            events.last(),
            Some(Event::JobFailed {
                kind: ErrorKind::Internal,
                ..
            })
        ),
        "{events:#?}"
    );
    let rec = engine.job(id).unwrap();
    assert_eq!((rec.status, rec.owner.clone()), (JobStatus::Failed, None));
    // Not left registered (and heartbeating) in this process.
    let deadline = Instant::now() + WAIT;
    while engine.is_active(id) {
        assert!(Instant::now() < deadline, "panicked job still active");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn transient_failures_are_retried_with_backoff() {
    let f = Fixture::new();
    let engine = f.engine(2);
    let rx = engine.subscribe();
    engine.inner.faults.plant(Stage::Probe, Fault::Transient);
    engine.inner.faults.plant(Stage::Probe, Fault::Transient);
    let input = f.video("t.mp4");
    let id = one(engine
        .submit(input.to_str().unwrap(), &f.options())
        .unwrap());
    let events = until(&rx, ended(id));
    let retries: Vec<u32> = events
        .iter()
        .filter_map(|e| match e {
            Event::Retrying {
                attempt,
                stage: Stage::Probe,
                ..
            } => Some(*attempt),
            _ => None,
        })
        .collect();
    assert_eq!(retries, [2, 3]);
    assert!(
        matches!(events.last(), Some(Event::JobDone { .. })),
        "{events:#?}"
    );
}

#[test]
fn a_queued_job_and_a_running_job_are_cancelled() {
    let f = Fixture::new();
    // One job slot: the second job waits in the queue while the first runs.
    let engine = f.engine(1);
    let rx = engine.subscribe();
    engine
        .inner
        .faults
        .plant(Stage::Probe, Fault::UntilCancelled);
    let (a, b) = (f.video("a.mp4"), f.video("b.mp4"));
    let running = one(engine.submit(a.to_str().unwrap(), &f.options()).unwrap());
    until(&rx, started(running, Stage::Probe));
    let queued = one(engine.submit(b.to_str().unwrap(), &f.options()).unwrap());
    assert_eq!(engine.job(queued).unwrap().status, JobStatus::Queued);

    engine.cancel(queued).unwrap();
    let events = until(&rx, ended(queued));
    assert!(matches!(events.last(), Some(Event::JobCancelled { .. })));
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, Event::StageStarted { job, .. } if *job == queued)),
        "a job cancelled in the queue never starts"
    );
    engine.cancel(running).unwrap();
    until(&rx, ended(running));
    for id in [queued, running] {
        let rec = engine.job(id).unwrap();
        assert_eq!(
            (rec.status, rec.owner.as_deref()),
            (JobStatus::Cancelled, None)
        );
        assert!(
            !Path::new(&rec.work_dir).exists(),
            "work folder of {id} left"
        );
    }
}

#[test]
fn a_retry_keeps_finished_stages_and_skips_them_on_their_checkpoints() {
    let f = Fixture::new();
    let engine = f.engine(2);
    let rx = engine.subscribe();
    engine.inner.faults.plant(Stage::Render, Fault::Fail);
    let input = f.video("r.mp4");
    let id = one(engine
        .submit(input.to_str().unwrap(), &f.options())
        .unwrap());
    let events = until(&rx, ended(id));
    assert!(matches!(events.last(), Some(Event::JobFailed { .. })));
    assert!(Path::new(&engine.job(id).unwrap().work_dir)
        .join("plan.json")
        .is_file());
    // Only failed or cancelled jobs can be retried; a job that does not exist cannot.
    assert_eq!(
        engine.retry(JobId(999)).unwrap_err().kind(),
        ErrorKind::JobNotFound
    );

    engine.retry(id).unwrap();
    let events = until(&rx, ended(id));
    assert!(
        matches!(events.last(), Some(Event::JobDone { .. })),
        "{events:#?}"
    );
    assert!(events.iter().any(|e| matches!(
        e,
        Event::StageSkipped {
            stage: Stage::Select,
            ..
        }
    )));
    assert!(!events.iter().any(|e| matches!(
        e,
        Event::StageStarted {
            stage: Stage::Select,
            ..
        }
    )));
    let rec = engine.job(id).unwrap();
    assert_eq!((rec.status, rec.attempts), (JobStatus::Done, 2));
    assert_eq!(
        engine.retry(id).unwrap_err().kind(),
        ErrorKind::JobBusy,
        "a done job is not retried"
    );
}

#[test]
fn a_job_held_by_a_live_engine_is_not_taken_and_an_orphan_is_resumed() {
    let f = Fixture::new();
    let first = f.engine(2);
    let rx = first.subscribe();
    first
        .inner
        .faults
        .plant(Stage::Probe, Fault::UntilCancelled);
    let input = f.video("o.mp4");
    let opts = f.options();
    let id = one(first.submit(input.to_str().unwrap(), &opts).unwrap());
    until(&rx, started(id, Stage::Probe));

    // Another engine on the same store: the job is held (fresh heartbeat, live process).
    let second = f.engine(2);
    let e = second.submit(input.to_str().unwrap(), &opts).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::JobBusy, "{e}");
    assert!(second.resume_interrupted().unwrap().is_empty());

    // An orphan: held by a process that is gone.
    let dead = std::process::Command::new("true").spawn().unwrap();
    let dead_pid = dead.id();
    let mut dead = dead;
    dead.wait().unwrap();
    let orphan_input = f.video("orphan.mp4");
    let rec = f
        .store
        .insert(NewJob {
            key: "orphan".into(),
            input: orphan_input.to_string_lossy().into_owned(),
            title: "orphan".into(),
            options: serde_json::to_string(&opts).unwrap(),
            work_root: f
                .dir
                .path()
                .join("state/jobs")
                .to_string_lossy()
                .into_owned(),
        })
        .unwrap();
    let host = super::hostname();
    assert!(f
        .store
        .claim(rec.id, &format!("{host}:{dead_pid}/0"), 0.0)
        .unwrap());
    let rx2 = second.subscribe();
    assert_eq!(second.resume_interrupted().unwrap(), vec![rec.id]);
    let events = until(&rx2, ended(rec.id));
    assert!(
        matches!(events.last(), Some(Event::JobDone { .. })),
        "{events:#?}"
    );
    assert!(events.iter().any(|e| matches!(e,
        Event::JobQueued { job, resumed: true, .. } if *job == rec.id)));
    first.cancel(id).unwrap();
    until(&rx, ended(id));
}

#[test]
fn shutdown_interrupts_running_jobs_for_the_next_start_to_resume() {
    let f = Fixture::new();
    let engine = f.engine(2);
    let rx = engine.subscribe();
    engine
        .inner
        .faults
        .plant(Stage::Probe, Fault::UntilCancelled);
    let input = f.video("s.mp4");
    let id = one(engine
        .submit(input.to_str().unwrap(), &f.options())
        .unwrap());
    until(&rx, started(id, Stage::Probe));
    assert!(engine.shutdown(Duration::from_secs(20)));
    assert_eq!(engine.active_count(), 0);
    let rec = engine.job(id).unwrap();
    assert_eq!(
        (rec.status, rec.owner.clone()),
        (JobStatus::Queued, None),
        "{rec:?}"
    );
    let e = engine
        .submit(input.to_str().unwrap(), &f.options())
        .unwrap_err();
    assert_eq!(
        e.kind(),
        ErrorKind::Internal,
        "nothing starts after shutdown: {e}"
    );

    let next = f.engine(2);
    let rx = next.subscribe();
    assert_eq!(next.resume_interrupted().unwrap(), vec![id]);
    let events = until(&rx, ended(id));
    assert!(
        matches!(events.last(), Some(Event::JobDone { .. })),
        "{events:#?}"
    );
}

#[test]
fn an_idle_engine_leaves_the_store_alone() {
    // A store that counts its calls: an engine with nothing to do must not poll it.
    #[derive(Default)]
    struct Counting {
        inner: Option<SqliteStore>,
        calls: std::sync::atomic::AtomicUsize,
    }
    impl Counting {
        fn s(&self) -> &SqliteStore {
            self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            self.inner.as_ref().expect("store")
        }
    }
    use reelcut_core::{JobRecord, JobUpdate, StoreError};
    impl JobStore for Counting {
        fn insert(&self, job: NewJob) -> Result<JobRecord, StoreError> {
            self.s().insert(job)
        }
        fn get(&self, id: JobId) -> Result<Option<JobRecord>, StoreError> {
            self.s().get(id)
        }
        fn find_key(&self, key: &str) -> Result<Option<JobRecord>, StoreError> {
            self.s().find_key(key)
        }
        fn list(&self) -> Result<Vec<JobRecord>, StoreError> {
            self.s().list()
        }
        fn update(&self, id: JobId, change: JobUpdate) -> Result<(), StoreError> {
            self.s().update(id, change)
        }
        fn claim(&self, id: JobId, owner: &str, stale: f64) -> Result<bool, StoreError> {
            self.s().claim(id, owner, stale)
        }
        fn heartbeat(&self, owner: &str) -> Result<(), StoreError> {
            self.s().heartbeat(owner)
        }
        fn requested_cancels(&self, owner: &str) -> Result<Vec<JobId>, StoreError> {
            self.s().requested_cancels(owner)
        }
        fn remove(&self, id: JobId) -> Result<(), StoreError> {
            self.s().remove(id)
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let counting = Arc::new(Counting {
        inner: Some(SqliteStore::open(&dir.path().join("jobs.db")).unwrap()),
        calls: Default::default(),
    });
    let config = EngineConfig {
        state_dir: dir.path().to_path_buf(),
        pools: PoolSizes::for_machine(),
        max_jobs: 1,
        retry: RetryPolicy::default(),
    };
    let store: Arc<dyn JobStore> = counting.clone();
    let _engine = Engine::with_store(
        config,
        Assets::from_fonts_dir(Path::new("/nonexistent")),
        store,
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(700));
    assert_eq!(
        counting.calls.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "the watchdog polled an idle engine's store"
    );
}
