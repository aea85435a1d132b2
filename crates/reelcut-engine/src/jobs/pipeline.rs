//! One job from queue to done: fetch → probe → transcribe → select → (analyse → render)
//! per clip, each stage waiting for a worker of its pool, skipped when its checkpoint
//! exists, retried with backoff when it failed for a transient reason.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use reelcut_core::{
    ClipsManifest, Event, JobRecord, JobStatus, JobUpdate, RenderSpec, Stage, TimeRange, Transcript,
};
use reelcut_media::{probe, MediaError, MediaInfo};
use serde::{de::DeserializeOwned, Serialize};
use tokio::task::JoinSet;

use super::stages::{self, Checkpoint, Fetched, Framing, Planned, Rendered};
use super::{failure, submit_one, Inner, JobCtx};
use crate::process::{check_options, run_key, write_atomic};
use crate::{is_url, plan_input, ChosenClip, EngineError, RunOptions};

/// How a job ended well.
enum Outcome {
    Clips {
        manifest: PathBuf,
        outputs: Vec<PathBuf>,
    },
    /// A playlist became jobs of its own.
    Expanded,
}

pub(crate) async fn run_job(inner: Arc<Inner>, ctx: Arc<JobCtx>) {
    let result = run_claimed(&inner, &ctx).await;
    finish(&inner, &ctx, result);
    inner
        .active
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .remove(&ctx.id);
}

async fn run_claimed(inner: &Arc<Inner>, ctx: &Arc<JobCtx>) -> Result<Outcome, EngineError> {
    // Queued until a job slot is free; a cancel while waiting ends it at once.
    let _slot = tokio::select! {
        p = Arc::clone(&inner.pools.jobs).acquire_owned() => p.map_err(|_| cancelled())?,
        _ = ctx.cancel.cancelled() => return Err(cancelled()),
    };
    // Claimed when queued (see `schedule`); the store counts the attempts.
    let rec = inner
        .store
        .get(ctx.id)?
        .ok_or_else(|| EngineError::Options(format!("job {} vanished", ctx.id)))?;
    inner.store.update(
        ctx.id,
        JobUpdate {
            status: Some(JobStatus::Running),
            attempts: Some(rec.attempts + 1),
            ..Default::default()
        },
    )?;
    std::fs::create_dir_all(&ctx.work).map_err(|source| EngineError::Io {
        path: ctx.work.clone(),
        source,
    })?;
    pipeline(inner, ctx).await
}

fn cancelled() -> EngineError {
    EngineError::Media(MediaError::Cancelled)
}

async fn pipeline(inner: &Arc<Inner>, ctx: &Arc<JobCtx>) -> Result<Outcome, EngineError> {
    let local: PathBuf = if is_url(&ctx.input) {
        let fetched = stage_cp(
            inner,
            ctx,
            Stage::Fetch,
            0,
            "fetched.json",
            |f: &Fetched| match f {
                Fetched::File { path, .. } => path.is_file(),
                Fetched::Playlist { .. } => true,
            },
            stages::fetch,
        )
        .await?;
        match fetched {
            Fetched::Playlist { title, entries } => {
                tracing::info!(job = %ctx.id, %title, entries = entries.len(), "playlist");
                for url in entries {
                    if let Err(e) = submit_one(inner, &url, &ctx.opts) {
                        ctx.emit(Event::JobFailed {
                            job: None,
                            input: url.into(),
                            kind: e.kind(),
                            message: e.to_string(),
                        });
                    }
                }
                return Ok(Outcome::Expanded);
            }
            Fetched::File { path, title } => {
                inner.store.update(
                    ctx.id,
                    JobUpdate {
                        title: Some(title),
                        ..Default::default()
                    },
                )?;
                path
            }
        }
    } else {
        PathBuf::from(&ctx.input)
    };

    let path = local.clone();
    let info: MediaInfo = stage(inner, ctx, Stage::Probe, 0, move |c| {
        check_options(&c.opts)?;
        Ok(probe(&path)?)
    })
    .await?;

    let transcript: Option<Arc<Transcript>> = if stages::needs_transcript(ctx, &info) {
        let path = local.clone();
        let t = stage_cp(
            inner,
            ctx,
            Stage::Transcribe,
            0,
            "transcript.json",
            |_: &Transcript| true,
            move |c| stages::transcribe(c, &path),
        )
        .await?;
        Some(Arc::new(t))
    } else {
        None
    };

    let (i2, t2) = (info.clone(), transcript.clone());
    let plan: Vec<Planned> = stage_cp(
        inner,
        ctx,
        Stage::Select,
        0,
        "plan.json",
        |c: &Vec<Planned>| !c.is_empty(),
        move |c| stages::select(c, &i2, t2.as_deref()),
    )
    .await?;

    let planned = RunOptions {
        clips: plan.iter().map(|p| p.clip.clone()).collect(),
        ..ctx.opts.clone()
    };
    let (path, assets) = (local.clone(), ctx.assets.clone());
    let (info, specs) = blocking(move || plan_input(&path, &planned, &assets)).await?;
    ctx.emit(Event::JobStarted {
        job: ctx.id,
        input: local.clone(),
        clips: specs.len(),
    });

    // Where someone speaks, in source time: lets the tracker prefer the speaking face.
    let speech: Arc<Vec<TimeRange>> = Arc::new(
        transcript
            .as_ref()
            .map(|t| {
                t.segments
                    .iter()
                    .map(|s| TimeRange {
                        start: s.start,
                        end: s.end,
                    })
                    .collect()
            })
            .unwrap_or_default(),
    );
    // Clips are analysed in order, and each render starts as soon as its analysis is done:
    // clip 2's analysis overlaps clip 1's render, clip 1 is ready first, and the pools keep
    // the total in bounds. A failed analysis stops the job's later clips.
    let mut set = JoinSet::new();
    for (i, (spec, planned)) in specs.into_iter().zip(plan).enumerate() {
        let n = i + 1;
        let spec = Arc::new(spec);
        let framing = match analyse(inner, ctx, &info, &spec, &speech, n).await {
            Ok(f) => f,
            Err(e) => {
                // Renders already running finish or stop with the job's token.
                while set.join_next().await.is_some() {}
                return Err(e);
            }
        };
        let (inner, ctx, transcript) = (Arc::clone(inner), Arc::clone(ctx), transcript.clone());
        set.spawn(async move {
            render(&inner, &ctx, spec, framing, planned.chosen, transcript, n)
                .await
                .map(|r| (n, r))
        });
    }
    let mut rendered = Vec::new();
    let mut first_error = None;
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok(Ok(r)) => rendered.push(r),
            Ok(Err(e)) => {
                if first_error.is_none() {
                    first_error = Some(e);
                }
            }
            Err(e) => {
                first_error.get_or_insert(EngineError::Options(format!("a clip task failed: {e}")));
            }
        }
    }
    if let Some(e) = first_error {
        return Err(e);
    }
    rendered.sort_by_key(|(n, _)| *n);

    let manifest = ClipsManifest {
        input: local.clone(),
        clips: rendered.iter().map(|(_, r)| r.entry.clone()).collect(),
        run_key: run_key(&local, &ctx.opts)?,
    };
    let manifest_path = stages::out_dir(ctx, &local).join("clips.json");
    let json = serde_json::to_vec_pretty(&manifest).map_err(|e| EngineError::Io {
        path: manifest_path.clone(),
        source: std::io::Error::other(e),
    })?;
    write_atomic(&manifest_path, &json)?;
    Ok(Outcome::Clips {
        manifest: manifest_path,
        outputs: rendered.into_iter().map(|(_, r)| r.output).collect(),
    })
}

async fn analyse(
    inner: &Arc<Inner>,
    ctx: &Arc<JobCtx>,
    info: &MediaInfo,
    spec: &Arc<RenderSpec>,
    speech: &Arc<Vec<TimeRange>>,
    n: usize,
) -> Result<Framing, EngineError> {
    if !stages::tracks(ctx) {
        return Ok(Framing::planned(spec));
    }
    let (info, spec, speech) = (info.clone(), Arc::clone(spec), Arc::clone(speech));
    stage_cp(
        inner,
        ctx,
        Stage::Analyse,
        n,
        &format!("analysis-{n:02}.json"),
        |_: &Framing| true,
        move |c| stages::analyse(c, &info, &spec, &speech, n),
    )
    .await
}

async fn render(
    inner: &Arc<Inner>,
    ctx: &Arc<JobCtx>,
    spec: Arc<RenderSpec>,
    framing: Framing,
    chosen: Option<ChosenClip>,
    transcript: Option<Arc<Transcript>>,
    n: usize,
) -> Result<Rendered, EngineError> {
    stage_cp(
        inner,
        ctx,
        Stage::Render,
        n,
        &format!("render-{n:02}.json"),
        |r: &Rendered| r.output.is_file(),
        move |c| {
            stages::render(
                c,
                &spec,
                &framing,
                transcript.as_deref(),
                chosen.as_ref(),
                n,
            )
        },
    )
    .await
}

/// [`stage`] with a checkpoint: loaded (and the stage skipped) when present and `valid`,
/// written after the stage succeeds.
async fn stage_cp<T, F>(
    inner: &Arc<Inner>,
    ctx: &Arc<JobCtx>,
    stage_name: Stage,
    clip: usize,
    file: &str,
    valid: impl Fn(&T) -> bool,
    body: F,
) -> Result<T, EngineError>
where
    T: Serialize + DeserializeOwned + Send + 'static,
    F: Fn(&JobCtx) -> Result<T, EngineError> + Send + Sync + 'static,
{
    let cp = Checkpoint(ctx.work.join(file));
    if let Some(v) = cp.load::<T>().filter(|v| valid(v)) {
        ctx.emit(Event::StageSkipped {
            job: ctx.id,
            stage: stage_name,
            clip,
        });
        return Ok(v);
    }
    let v = stage(inner, ctx, stage_name, clip, body).await?;
    cp.save(&v)?;
    Ok(v)
}

/// Runs `body` on a blocking thread once a worker of the stage's pool is free, retrying
/// transient failures with exponential backoff.
async fn stage<T, F>(
    inner: &Arc<Inner>,
    ctx: &Arc<JobCtx>,
    stage_name: Stage,
    clip: usize,
    body: F,
) -> Result<T, EngineError>
where
    T: Send + 'static,
    F: Fn(&JobCtx) -> Result<T, EngineError> + Send + Sync + 'static,
{
    let _permit = match inner.pools.of(stage_name) {
        Some(pool) => {
            if pool.available_permits() == 0 {
                ctx.emit(Event::Throttled {
                    job: ctx.id,
                    stage: stage_name,
                    clip,
                });
            }
            tokio::select! {
                p = Arc::clone(pool).acquire_owned() => Some(p.map_err(|_| cancelled())?),
                _ = ctx.cancel.cancelled() => return Err(cancelled()),
            }
        }
        None => None,
    };
    if ctx.cancel.is_cancelled() {
        return Err(cancelled());
    }
    inner.store.update(
        ctx.id,
        JobUpdate {
            stage: Some(stage_name),
            ..Default::default()
        },
    )?;
    ctx.emit(Event::StageStarted {
        job: ctx.id,
        stage: stage_name,
        clip,
    });
    let body = Arc::new(body);
    let policy = inner.config.retry;
    let mut attempt = 1;
    loop {
        let started = Instant::now();
        let (c, b) = (Arc::clone(ctx), Arc::clone(&body));
        match blocking(move || b(&c)).await {
            Ok(v) => {
                ctx.emit(Event::StageDone {
                    job: ctx.id,
                    stage: stage_name,
                    clip,
                    seconds: started.elapsed().as_secs_f64(),
                });
                return Ok(v);
            }
            Err(e)
                if e.is_transient()
                    && attempt < policy.max_attempts
                    && !ctx.cancel.is_cancelled() =>
            {
                let delay = policy.first_delay * 2u32.pow(attempt - 1);
                tracing::warn!(job = %ctx.id, stage = stage_name.as_str(), attempt, error = %e, "transient failure, retrying");
                ctx.emit(Event::Retrying {
                    job: ctx.id,
                    stage: stage_name,
                    attempt: attempt + 1,
                    delay_seconds: delay.as_secs_f64(),
                    message: e.to_string(),
                });
                tokio::select! {
                    _ = tokio::time::sleep(delay) => {}
                    _ = ctx.cancel.cancelled() => return Err(cancelled()),
                }
                attempt += 1;
            }
            Err(e) => return Err(e),
        }
    }
}

/// Blocking work off the async threads.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, EngineError> + Send + 'static,
) -> Result<T, EngineError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| EngineError::Options(format!("a worker failed: {e}")))?
}

fn finish(inner: &Arc<Inner>, ctx: &Arc<JobCtx>, result: Result<Outcome, EngineError>) {
    let input = PathBuf::from(&ctx.input);
    let update = match result {
        Ok(Outcome::Clips { manifest, outputs }) => {
            ctx.emit(Event::JobDone {
                job: ctx.id,
                input,
                manifest: manifest.clone(),
                outputs: outputs.clone(),
            });
            JobUpdate {
                status: Some(JobStatus::Done),
                outputs: Some(
                    outputs
                        .iter()
                        .map(|o| o.to_string_lossy().into_owned())
                        .collect(),
                ),
                manifest: Some(manifest.to_string_lossy().into_owned()),
                ..Default::default()
            }
        }
        Ok(Outcome::Expanded) => {
            ctx.emit(Event::JobDone {
                job: ctx.id,
                input: input.clone(),
                manifest: PathBuf::new(),
                outputs: Vec::new(),
            });
            JobUpdate {
                status: Some(JobStatus::Done),
                ..Default::default()
            }
        }
        Err(e) if e.is_cancelled() || ctx.cancel.is_cancelled() => {
            // Partial downloads and checkpoints go; finished clips of earlier runs stay.
            let _ = std::fs::remove_dir_all(&ctx.work);
            ctx.emit(Event::JobCancelled { job: ctx.id, input });
            JobUpdate {
                status: Some(JobStatus::Cancelled),
                ..Default::default()
            }
        }
        Err(e) => {
            tracing::warn!(job = %ctx.id, error = %e, "job failed");
            ctx.emit(Event::JobFailed {
                job: Some(ctx.id),
                input,
                kind: e.kind(),
                message: e.to_string(),
            });
            JobUpdate {
                status: Some(JobStatus::Failed),
                error: Some(failure(&e)),
                ..Default::default()
            }
        }
    };
    let release = JobUpdate {
        owner: Some(None),
        ..update
    };
    if let Err(e) = inner.store.update(ctx.id, release) {
        tracing::warn!(job = %ctx.id, error = %e, "job store not updated");
    }
}

/// A job nobody runs, marked cancelled.
pub(crate) fn mark_cancelled(inner: &Inner, rec: &JobRecord) {
    let _ = std::fs::remove_dir_all(&rec.work_dir);
    if let Err(e) = inner.store.update(
        rec.id,
        JobUpdate {
            status: Some(JobStatus::Cancelled),
            owner: Some(None),
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
