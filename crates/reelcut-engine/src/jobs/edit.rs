//! `reelcut render DIR/clips.json`: an edited plan rendered again. Every clip's edits are
//! checked first (an error names the clip and the field, and nothing is rendered); then
//! only the clips whose plan changed since their render ([`plan_key`]) are rendered, with
//! the words of the plan (no transcription), the analysis kept beside the clips when the
//! parts and framing did not change (else that clip is analysed again), through the same
//! analyse and render stages a job uses, each in the engine's pool for it. clips.json is
//! rewritten after each clip.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use reelcut_core::manifest::plan_key;
use reelcut_core::{
    ClipSpec, ClipsManifest, Event, JobId, Segment, Stage, TimeRange, Transcript, Word,
};

use super::analysis_cache::AnalysisCache;
use super::stages::{self, Framing};
use super::{Engine, JobCtx};
use crate::outputs::write_atomic;
use crate::plan::plan_clips;
use crate::{CancellationToken, EngineError, RunOptions};

/// What [`Engine::render_plan`] is asked to do.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlanRender {
    /// 1-based clip numbers; empty for all.
    pub only: Vec<usize>,
    /// Render the chosen clips even when their plan did not change.
    pub force: bool,
    /// A fast small render of each chosen clip as the plan now says, to
    /// `.reelcut/preview-NN.mp4` beside it; the clips and clips.json stay as they are.
    pub preview: bool,
    /// The job whose clips these are: the stages' events (progress, clip ready) name it,
    /// so a client shows the re-render on that job's card. None: they name job 0.
    pub job: Option<JobId>,
    /// The plan to render instead of what the manifest file holds (a preview of an edit
    /// not saved yet); the clips still go beside the manifest.
    pub plan: Option<ClipsManifest>,
}

/// What `render_plan` did to one clip.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanClip {
    /// 1-based.
    pub clip: usize,
    pub output: PathBuf,
    /// False: its plan had not changed and its file was there.
    pub rendered: bool,
    pub duration: f64,
    /// Source ranges decoded for face analysis (only what earlier analyses had not seen).
    pub analysed: Vec<TimeRange>,
}

/// The plan's `words` cut for new `parts`: those still inside kept (with their edits),
/// and from the job's transcript the words of whatever the parts now hold that the plan's
/// words do not cover (an extended end, a new part).
fn recut(words: Vec<Word>, parts: &[TimeRange], transcript: &Path) -> Vec<Word> {
    let one = |words: Vec<Word>| Transcript {
        language: String::new(),
        model: String::new(),
        duration: 0.0,
        segments: vec![Segment {
            start: 0.0,
            end: 0.0,
            text: String::new(),
            confidence: 1.0,
            words,
        }],
    };
    let kept = reelcut_core::transcript::words_within(&one(words), parts);
    let heard: Option<Transcript> = std::fs::read(transcript)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok());
    let Some(heard) = heard else {
        tracing::warn!(transcript = %transcript.display(), "no transcript beside the plan: new stretches get no captions");
        return kept;
    };
    let mut all = kept.clone();
    for w in reelcut_core::transcript::words_within(&heard, parts) {
        let covered = kept.iter().any(|k| k.start < w.end && w.start < k.end);
        if !covered {
            all.push(w);
        }
    }
    all.sort_by(|a, b| a.start.total_cmp(&b.start));
    all
}

/// A stage of an edited clip began: a client shows the clip as being rendered again from
/// here, before its first progress report.
fn started(ctx: &JobCtx, stage: Stage, clip: usize) {
    ctx.emit(Event::StageStarted {
        job: ctx.id,
        stage,
        clip,
    });
}

fn bad(manifest: &Path, message: String) -> EngineError {
    EngineError::Manifest {
        path: manifest.to_path_buf(),
        message,
    }
}

impl Engine {
    /// Renders the clips of the plan at `manifest` whose plan changed (all the chosen ones
    /// with `force`), as `how` says.
    pub fn render_plan(
        &self,
        manifest: &Path,
        how: &PlanRender,
        cancel: &CancellationToken,
    ) -> Result<Vec<PlanClip>, EngineError> {
        let (only, preview) = (how.only.as_slice(), how.preview);
        if how.plan.is_some() && !preview {
            // What is rendered is written to clips.json: it must be the file's own plan.
            return Err(EngineError::internal(
                "rendering a plan",
                "a plan other than the manifest's is only previewed",
            ));
        }
        let force = how.force || preview;
        let mut m: ClipsManifest = match &how.plan {
            Some(plan) => plan.clone(),
            None => {
                let bytes = std::fs::read(manifest).map_err(EngineError::io(manifest))?;
                serde_json::from_slice(&bytes)
                    .map_err(|e| bad(manifest, format!("does not parse: {e}")))?
            }
        };
        if m.options.is_null() {
            return Err(bad(
                manifest,
                "holds no options (written by an older Reelcut): run `reelcut run` on its input again"
                    .into(),
            ));
        }
        let mut opts: RunOptions = serde_json::from_value(m.options.clone())
            .map_err(|e| bad(manifest, format!("options: {e}")))?;
        let dir = manifest
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        // The clips go where the plan is, whatever folder the run wrote them to.
        let dir = std::fs::canonicalize(&dir).map_err(EngineError::io(&dir))?;
        opts.out_dir = dir.parent().unwrap_or(&dir).to_path_buf();
        opts.folder = dir.file_name().map(|f| f.to_string_lossy().into_owned());
        for &n in only {
            if n == 0 || n > m.clips.len() {
                return Err(bad(
                    manifest,
                    format!("clip {n} is not in the plan (it has {})", m.clips.len()),
                ));
            }
        }
        let info = reelcut_media::probe(&m.input)?;
        for (i, c) in m.clips.iter().enumerate() {
            if !crate::outputs::is_clip_name(&c.output) {
                return Err(bad(
                    manifest,
                    format!(
                        "clip {}, output: {:?} is not a clip-NN.mp4 name",
                        i + 1,
                        c.output
                    ),
                ));
            }
            reelcut_core::edit::check_clip(c, info.duration, info.width, info.height)
                .map_err(|e| bad(manifest, format!("clip {}, {e}", i + 1)))?;
        }
        let inner = &self.inner;
        let holder = format!("reelcut render of {} ({})", manifest.display(), inner.owner);
        let _writer = inner
            .handle
            .block_on(crate::writer::FolderLock::acquire(&dir, &holder, cancel))?;
        let ctx = JobCtx {
            id: how.job.unwrap_or(JobId(0)),
            input: m.input.to_string_lossy().into_owned(),
            opts: opts.clone(),
            work: dir.join(".reelcut"),
            assets: inner.assets.clone(),
            resources: Arc::clone(&inner.resources),
            cancel: cancel.clone(),
            turn: None,
            bus: Arc::clone(&inner.bus),
        };
        let permit = |pool: &Arc<tokio::sync::Semaphore>| {
            inner
                .handle
                .block_on(Arc::clone(pool).acquire_owned())
                .map_err(|e| EngineError::internal("a worker pool", e))
        };
        let mut speech: Option<Vec<TimeRange>> = None;
        let mut done = Vec::new();
        for n in 1..=m.clips.len() {
            if !only.is_empty() && !only.contains(&n) {
                continue;
            }
            let entry = m.clips[n - 1].clone();
            let output = dir.join(&entry.output);
            if !force && entry.plan_key == plan_key(&entry) && output.is_file() {
                done.push(PlanClip {
                    clip: n,
                    output,
                    rendered: false,
                    duration: entry.duration,
                    analysed: Vec::new(),
                });
                continue;
            }
            let clip = ClipSpec {
                parts: entry
                    .parts
                    .iter()
                    .map(|p| TimeRange {
                        start: p.start,
                        end: p.end,
                    })
                    .collect(),
            };
            let mut clip_opts = RunOptions {
                captions: entry.captions.as_ref().map(|c| c.style.clone()),
                ..opts.clone()
            };
            if preview {
                // A third of the size, the fastest preset: seconds, to judge an edit by.
                clip_opts.resolution = (opts.resolution / 3).max(240);
                clip_opts.encoder.preset = "ultrafast".into();
                clip_opts.encoder.crf = 28;
            }
            let has_words = entry.captions.is_some();
            let mut planned = plan_clips(
                &info,
                &clip_opts,
                &inner.assets,
                vec![(clip, None)],
                has_words,
                n,
            )?
            .into_iter()
            .next()
            .ok_or_else(|| EngineError::internal("planning a clip", "no clip planned"))?;
            planned.spec.output = if preview {
                let previews = dir.join(".reelcut");
                std::fs::create_dir_all(&previews).map_err(EngineError::io(&previews))?;
                if let Some(subs) = planned.spec.subtitles.as_mut() {
                    *subs = previews.join(format!(
                        "preview-{n:02}.{}",
                        subs.extension().and_then(|e| e.to_str()).unwrap_or("ass")
                    ));
                }
                previews.join(format!("preview-{n:02}.mp4"))
            } else {
                output.clone()
            };
            planned.spec.watermark = entry.watermark.clone();
            planned.overrides = entry.overrides.clone();
            let mut analysed: Vec<TimeRange> = Vec::new();
            let framing: Framing = if stages::tracks(&ctx) {
                let cache = AnalysisCache::of(&opts, &dir, n);
                match cache.load(&planned) {
                    Some(f) => f,
                    None => {
                        let speech = match &speech {
                            Some(s) => s.clone(),
                            None => {
                                let s = if info.has_audio {
                                    crate::voice::voice_activity(&ctx, &info.path)?
                                } else {
                                    Vec::new()
                                };
                                speech = Some(s.clone());
                                s
                            }
                        };
                        let f = {
                            let _permit = permit(&inner.pools.analyse)?;
                            started(&ctx, Stage::Analyse, n);
                            // Only what the kept samples do not cover is decoded.
                            let kept = stages::kept_samples(&ctx, &info.path, n);
                            let (f, decoded) =
                                stages::analyse_reusing(&ctx, &info, &planned, &speech, n, &kept)?;
                            analysed = decoded;
                            f
                        };
                        cache.save(&planned, &f);
                        f
                    }
                }
            } else {
                Framing::planned(&planned.spec)
            };
            // The words of the plan are the transcript of this render; parts edited since
            // the words were cut take the transcript's words for what they newly hold.
            let transcript = entry.captions.as_ref().map(|c| {
                let mut words: Vec<Word> = c
                    .words
                    .iter()
                    .map(|w| Word {
                        start: w.start,
                        end: w.end,
                        text: w.text.clone(),
                        probability: 1.0,
                    })
                    .collect();
                if !c.cut.is_empty() && c.cut != entry.parts {
                    words = recut(
                        words,
                        &planned.spec.clip.parts,
                        &dir.join("transcript.json"),
                    );
                }
                Transcript {
                    language: String::new(),
                    model: "clips.json".into(),
                    duration: info.duration,
                    segments: vec![Segment {
                        start: words.first().map_or(0.0, |w| w.start),
                        end: words.last().map_or(0.0, |w| w.end),
                        text: words
                            .iter()
                            .map(|w| w.text.as_str())
                            .collect::<Vec<_>>()
                            .join(" "),
                        confidence: 1.0,
                        words,
                    }],
                }
            });
            let rendered = {
                // In the engine's render pool, like a job's renders: an edit rendered while
                // jobs run does not add a render over the machine's share.
                let _permit = permit(&inner.pools.render)?;
                started(&ctx, Stage::Render, n);
                stages::render(&ctx, &planned, &framing, transcript.as_ref(), n)?
            };
            if preview {
                done.push(PlanClip {
                    clip: n,
                    output: rendered.output,
                    rendered: true,
                    duration: rendered.entry.duration,
                    analysed,
                });
                continue;
            }
            let mut new = rendered.entry;
            // The style is the plan's (edited or not), not the run's.
            if let (Some(nc), Some(oc)) = (new.captions.as_mut(), &entry.captions) {
                nc.style = oc.style.clone();
            }
            // What the selection said stays; the excerpt is the words as they are now.
            new.score = entry.score;
            new.reasons = entry.reasons.clone();
            new.excerpt = match &new.captions {
                Some(c) => Some(
                    c.words
                        .iter()
                        .map(|w| w.text.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                ),
                None => entry.excerpt.clone(),
            };
            new.plan_key = plan_key(&new);
            done.push(PlanClip {
                clip: n,
                output: rendered.output,
                rendered: true,
                duration: new.duration,
                analysed,
            });
            m.clips[n - 1] = new;
            let json = serde_json::to_vec_pretty(&m)
                .map_err(|e| EngineError::internal("the manifest does not serialise", e))?;
            write_atomic(manifest, &json)?;
        }
        Ok(done)
    }
}
