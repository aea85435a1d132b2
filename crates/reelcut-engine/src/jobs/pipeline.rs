//! One job from queue to done: fetch → probe → transcribe → select → (analyse → render)
//! per clip, each stage waiting for a worker of its pool, skipped when its checkpoint
//! exists, retried with backoff when it failed for a transient reason.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use reelcut_core::{ClipsManifest, Event, JobStatus, JobUpdate, Stage, TimeRange, Transcript};
use reelcut_media::MediaInfo;
use serde::{de::DeserializeOwned, Serialize};
use tokio::task::JoinSet;
use tracing::Instrument;

use super::stages::{self, Checkpoint, Fetched, Framing, Rendered};
use super::{Inner, JobCtx};
use crate::outputs::{run_key, write_atomic};
use crate::plan::{clips_dir, needs_transcript, PlannedClip};
use crate::writer::FolderLock;
use crate::{is_url, EngineError, FetchError};

/// How a job ended well.
pub(crate) enum Outcome {
    Clips {
        manifest: PathBuf,
        outputs: Vec<PathBuf>,
    },
    /// A playlist: its entries are to become jobs of their own.
    Expanded { entries: Vec<String> },
}

/// The job once it holds a job slot: counts the attempt, then runs the stages.
pub(crate) async fn run(inner: &Arc<Inner>, ctx: &Arc<JobCtx>) -> Result<Outcome, EngineError> {
    // Claimed when queued (see `schedule`); the store counts the attempts.
    let rec = inner
        .store
        .get(ctx.id)?
        .ok_or(EngineError::JobNotFound(ctx.id))?;
    inner.store.update(
        ctx.id,
        JobUpdate {
            status: Some(JobStatus::Running),
            attempts: Some(rec.attempts + 1),
            ..Default::default()
        },
    )?;
    std::fs::create_dir_all(&ctx.work).map_err(EngineError::io(&ctx.work))?;
    pipeline(inner, ctx).await
}

fn cancelled() -> EngineError {
    EngineError::Cancelled
}

/// Playlists inside playlists followed: a channel's page of playlists of videos is two.
const MAX_NESTING: usize = 3;

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
                if ctx.opts.via.len() >= MAX_NESTING {
                    return Err(FetchError::Nested {
                        url: ctx.input.clone(),
                        depth: MAX_NESTING,
                        via: ctx.opts.via.join(" > "),
                    }
                    .into());
                }
                tracing::info!(%title, entries = entries.len(), "playlist");
                return Ok(Outcome::Expanded { entries });
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

    // Held to the job's end: no other job writes this clips folder meanwhile.
    let holder = format!("job {} of {}", ctx.id, inner.owner);
    let _writer = FolderLock::acquire(&clips_dir(&ctx.opts, &local), &holder, &ctx.cancel).await?;
    let path = local.clone();
    let info: MediaInfo = stage(inner, ctx, Stage::Probe, 0, move |c| {
        stages::probe(c, &path)
    })
    .await?;

    let transcript: Option<Arc<Transcript>> = if needs_transcript(&ctx.opts, &info) {
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
    let mut plan: Vec<PlannedClip> = stage_cp(
        inner,
        ctx,
        Stage::Select,
        0,
        "plan.json",
        |c: &Vec<PlannedClip>| !c.is_empty(),
        move |c| stages::select(c, &i2, t2.as_deref()),
    )
    .await?;
    crate::plan::earlier_overrides(
        &clips_dir(&ctx.opts, &local).join("clips.json"),
        &info,
        &mut plan,
    )?;
    ctx.emit(Event::JobStarted {
        job: ctx.id,
        input: local.clone(),
        clips: plan.len(),
    });

    // Where someone speaks, in source time: the audio half of who-is-speaking. Voice
    // activity of the audio when faces are tracked (once per input, checkpointed), else the
    // transcript's segments.
    let speech: Arc<Vec<TimeRange>> = Arc::new(if stages::tracks(ctx) && info.has_audio {
        voice(ctx, &local).await?
    } else {
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
            .unwrap_or_default()
    });
    // Clips are analysed in order, and each render starts as soon as its analysis is done:
    // clip 2's analysis overlaps clip 1's render, clip 1 is ready first, and the pools keep
    // the total in bounds. A failed analysis stops the job's later clips.
    let mut set = JoinSet::new();
    for (i, planned) in plan.into_iter().enumerate() {
        let n = i + 1;
        let planned = Arc::new(planned);
        let framing = match analyse(inner, ctx, &info, &planned, &speech, n).await {
            Ok(f) => f,
            Err(e) => {
                // Renders already running finish or stop with the job's token.
                while set.join_next().await.is_some() {}
                return Err(e);
            }
        };
        let (inner, ctx, transcript) = (Arc::clone(inner), Arc::clone(ctx), transcript.clone());
        // A task of its own: without the job's span its lines would not name the job.
        set.spawn(
            async move {
                render(&inner, &ctx, planned, framing, transcript, n)
                    .await
                    .map(|r| (n, r))
            }
            .in_current_span(),
        );
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
                first_error.get_or_insert(EngineError::internal("a clip task failed", e));
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
        source: Some(reelcut_core::SourceInfo {
            width: info.width,
            height: info.height,
            rotation: info.orientation.rotation(),
            mirrored: info.orientation.mirrored(),
            hdr: info.colour.is_hdr(),
            interlaced: info.interlaced,
        }),
        version: reelcut_core::manifest::MANIFEST_VERSION,
        options: serde_json::to_value(&ctx.opts)
            .map_err(|e| EngineError::internal("the options do not serialise", e))?,
    };
    let manifest_path = clips_dir(&ctx.opts, &local).join("clips.json");
    let json = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| EngineError::internal("the manifest does not serialise", e))?;
    write_atomic(&manifest_path, &json)?;
    Ok(Outcome::Clips {
        manifest: manifest_path,
        outputs: rendered.into_iter().map(|(_, r)| r.output).collect(),
    })
}

/// Voice activity of the input, on a blocking thread; kept as `voice.json` so a resumed job
/// does not decode the audio again.
async fn voice(ctx: &Arc<JobCtx>, input: &std::path::Path) -> Result<Vec<TimeRange>, EngineError> {
    let cp = Checkpoint(ctx.work.join("voice.json"));
    if let Some(v) = cp.load::<Vec<TimeRange>>() {
        return Ok(v);
    }
    let (c, path) = (Arc::clone(ctx), input.to_path_buf());
    // The job's span goes along, so the thread's lines name the job.
    let span = tracing::Span::current();
    let v = tokio::task::spawn_blocking(move || {
        span.in_scope(|| crate::voice::voice_activity(&c, &path))
    })
    .await
    .map_err(|e| EngineError::internal("voice activity", e))??;
    cp.save(&v)?;
    Ok(v)
}

async fn analyse(
    inner: &Arc<Inner>,
    ctx: &Arc<JobCtx>,
    info: &MediaInfo,
    planned: &Arc<PlannedClip>,
    speech: &Arc<Vec<TimeRange>>,
    n: usize,
) -> Result<Framing, EngineError> {
    if !stages::tracks(ctx) {
        return Ok(Framing::planned(&planned.spec));
    }
    let key = reelcut_core::manifest::overrides_key(&planned.overrides);
    let planned_for_cache = Arc::clone(planned);
    let (info, planned, speech2) = (info.clone(), Arc::clone(planned), Arc::clone(speech));
    let cache =
        super::analysis_cache::AnalysisCache::of(&ctx.opts, &local_clips_dir(ctx, &info), n);
    let framing = stage_cp(
        inner,
        ctx,
        Stage::Analyse,
        n,
        &format!("analysis-{n:02}.json"),
        // Made with the overrides as they are now (they may be edited between attempts).
        move |f: &Framing| f.overrides_key == key,
        move |c| stages::analyse(c, &info, &planned, &speech2, n),
    )
    .await?;
    // Kept beside the clips for `reelcut render`: an edit of the words alone renders again
    // without analysing again.
    cache.save(&planned_for_cache, &framing);
    Ok(framing)
}

/// The clips folder of this job's input.
fn local_clips_dir(ctx: &JobCtx, info: &MediaInfo) -> PathBuf {
    clips_dir(&ctx.opts, &info.path)
}

async fn render(
    inner: &Arc<Inner>,
    ctx: &Arc<JobCtx>,
    planned: Arc<PlannedClip>,
    framing: Framing,
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
        move |c| stages::render(c, &planned, &framing, transcript.as_deref(), n),
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
    // Every log line of the stage, on whichever thread, names the job and the stage.
    let span = tracing::info_span!("stage", stage = stage_name.as_str(), clip);
    loop {
        let started = Instant::now();
        let (c, b, sp) = (Arc::clone(ctx), Arc::clone(&body), span.clone());
        #[cfg(test)]
        let fault = inner.faults.take(stage_name);
        match blocking(move || {
            let _entered = sp.enter();
            #[cfg(test)]
            if let Some(f) = fault {
                return Err(f.strike(&c));
            }
            b(&c)
        })
        .await
        {
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
                tracing::warn!(parent: &span, attempt, error = %e, "transient failure, retrying");
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
        .map_err(|e| EngineError::internal("a stage worker failed", e))?
}
