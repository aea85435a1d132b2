//! The blocking body of each stage. Each one ends by writing its checkpoint atomically into
//! the job's work folder; [`Checkpoint`] loads it back, so a stage that finished before a
//! crash is skipped (and says so) instead of redone.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use reelcut_core::captions::{render_ass_with, CaptionContext};
use reelcut_core::manifest::{overrides_key, CaptionsPlan, PanelEntry, WordEntry};
use reelcut_core::track::path::ShotSummary;
use reelcut_core::track::{PartSamples, Pin};
use reelcut_core::transcript::{to_srt, to_vtt, words_in, words_within};
use reelcut_core::{
    ClipEntry, CropPath, Event, Layout, PanelRange, PartEntry, RenderSpec, Stage, TimeRange,
    Transcript,
};
use reelcut_media::{render_clip, MediaInfo};
use serde::{de::DeserializeOwned, Deserialize, Serialize};

use super::JobCtx;
use crate::fetch::{download_name, download_with, inspect_url, UrlInfo};
use crate::outputs::write_atomic;
use crate::plan::{check_options, clips_dir, PlannedClip};
use crate::throttle::Throttle;
use crate::{transcribe_input, ChosenClip, EngineError, LayoutChoice, Reframe};

/// A stage result kept as JSON in the job's work folder.
pub(crate) struct Checkpoint(pub PathBuf);

impl Checkpoint {
    pub(crate) fn load<T: DeserializeOwned>(&self) -> Option<T> {
        let bytes = std::fs::read(&self.0).ok()?;
        match serde_json::from_slice(&bytes) {
            Ok(v) => Some(v),
            Err(e) => {
                // A checkpoint from an older version or a torn write: redo the stage.
                tracing::warn!(file = %self.0.display(), error = %e, "checkpoint ignored");
                None
            }
        }
    }

    pub(crate) fn save<T: Serialize>(&self, value: &T) -> Result<(), EngineError> {
        let json = serde_json::to_vec_pretty(value)
            .map_err(|e| EngineError::internal("a checkpoint does not serialise", e))?;
        write_atomic(&self.0, &json)
    }
}

/// What the fetch stage produced.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) enum Fetched {
    File {
        path: PathBuf,
        title: String,
    },
    /// The URL was a playlist: its entries become jobs of their own.
    Playlist {
        title: String,
        entries: Vec<String>,
    },
}

/// Progress reporting for one stage of one clip: throttled, with an ETA from the pace so
/// far.
pub(crate) struct Reporter<'a> {
    ctx: &'a JobCtx,
    input: PathBuf,
    stage: Stage,
    clip: usize,
    started: Instant,
    throttle: Throttle,
}

impl<'a> Reporter<'a> {
    pub(crate) fn new(ctx: &'a JobCtx, input: &Path, stage: Stage, clip: usize) -> Self {
        Self {
            ctx,
            input: input.to_path_buf(),
            stage,
            clip,
            started: Instant::now(),
            throttle: Throttle::new(Duration::from_millis(200)),
        }
    }

    pub(crate) fn report(&mut self, fraction: f64, eta: Option<f64>) {
        if !self.throttle.ready() && fraction < 1.0 {
            return;
        }
        let elapsed = self.started.elapsed().as_secs_f64();
        let eta = eta.or_else(|| {
            (fraction > 0.02 && elapsed > 0.5).then(|| elapsed * (1.0 - fraction) / fraction)
        });
        self.ctx.emit(Event::Progress {
            job: self.ctx.id,
            input: self.input.clone(),
            clip: self.clip,
            stage: self.stage,
            fraction: fraction.clamp(0.0, 1.0),
            eta_seconds: eta,
        });
    }
}

pub(crate) fn fetch(ctx: &JobCtx) -> Result<Fetched, EngineError> {
    let url = ctx.input.as_str();
    match inspect_url(url, &ctx.cancel)? {
        UrlInfo::Playlist { title, entries } => Ok(Fetched::Playlist { title, entries }),
        UrlInfo::Video { title, id } => {
            let mut r = Reporter::new(ctx, Path::new(url), Stage::Fetch, 0);
            let path = download_with(
                url,
                &download_name(url, &title, id.as_deref()),
                &ctx.work.join("fetch"),
                &ctx.opts.out_dir.join(".downloads"),
                &ctx.cancel,
                &mut |f| r.report(f, None),
            )?;
            // The partial download is gone once the file is in place.
            let _ = std::fs::remove_dir_all(ctx.work.join("fetch"));
            Ok(Fetched::File { path, title })
        }
    }
}

/// Opens the input once for the whole job: what it holds decides the rest of the plan.
pub(crate) fn probe(ctx: &JobCtx, input: &Path) -> Result<MediaInfo, EngineError> {
    check_options(&ctx.opts)?;
    Ok(reelcut_media::probe(input)?)
}

pub(crate) fn transcribe(ctx: &JobCtx, input: &Path) -> Result<Transcript, EngineError> {
    let dir = clips_dir(&ctx.opts, input);
    std::fs::create_dir_all(&dir).map_err(EngineError::io(&dir))?;
    let mut r = Reporter::new(ctx, input, Stage::Transcribe, 0);
    let t = transcribe_input(
        &ctx.resources,
        &ctx.assets,
        input,
        ctx.opts.audio_track,
        &crate::plan::speech_options(&ctx.opts),
        &ctx.cancel,
        &mut |f| r.report(f, None),
    )?;
    // Exports next to the clips: creators upload captions separately too.
    let json = serde_json::to_vec_pretty(&t.transcript)
        .map_err(|e| EngineError::internal("the transcript does not serialise", e))?;
    write_atomic(&dir.join("transcript.json"), &json)?;
    write_atomic(
        &dir.join("transcript.srt"),
        to_srt(&t.transcript).as_bytes(),
    )?;
    write_atomic(
        &dir.join("transcript.vtt"),
        to_vtt(&t.transcript).as_bytes(),
    )?;
    Ok(t.transcript)
}

/// The clips of this job, planned once (see [`crate::plan`]).
pub(crate) fn select(
    ctx: &JobCtx,
    info: &MediaInfo,
    transcript: Option<&Transcript>,
) -> Result<Vec<PlannedClip>, EngineError> {
    let plan = crate::plan::plan(info, &ctx.opts, &ctx.assets, transcript, &ctx.cancel)?;
    let dir = clips_dir(&ctx.opts, &info.path);
    std::fs::create_dir_all(&dir).map_err(EngineError::io(&dir))?;
    Ok(plan)
}

/// How one clip is framed, as decided by the analysis.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Framing {
    pub crop: Option<CropPath>,
    pub layout: Layout,
    pub blur_ranges: Vec<TimeRange>,
    #[serde(default)]
    pub panels: Vec<PanelRange>,
    pub shots: Vec<ShotSummary>,
    pub detector: Option<String>,
    pub seconds: Option<f64>,
    /// The overrides it was made with ([`reelcut_core::manifest::overrides_key`]).
    #[serde(default)]
    pub overrides_key: String,
}

impl Framing {
    /// No analysis: the planned centred crop or the blurred fit.
    pub(crate) fn planned(spec: &RenderSpec) -> Self {
        Self {
            crop: spec.crop.clone(),
            layout: spec.layout,
            blur_ranges: Vec::new(),
            panels: Vec::new(),
            shots: Vec::new(),
            detector: None,
            seconds: None,
            overrides_key: String::new(),
        }
    }
}

/// Whether clips get face analysis.
pub(crate) fn tracks(ctx: &JobCtx) -> bool {
    matches!(
        (ctx.opts.reframe, ctx.opts.layout),
        (
            Reframe::Track,
            LayoutChoice::Crop
                | LayoutChoice::CropOrBlur
                | LayoutChoice::Split
                | LayoutChoice::Auto
        )
    )
}

pub(crate) fn analyse(
    ctx: &JobCtx,
    info: &MediaInfo,
    planned: &PlannedClip,
    speech: &[TimeRange],
    clip: usize,
) -> Result<Framing, EngineError> {
    analyse_reusing(ctx, info, planned, speech, clip, &[]).map(|(f, _)| f)
}

/// [`analyse`], taking from `kept` (samples of an earlier analysis of the same source) what
/// it already saw: only the stretches of the clip's parts it does not cover are decoded.
/// Returns the framing and the source ranges decoded; the clip's samples are kept beside
/// it for the next edit.
pub(crate) fn analyse_reusing(
    ctx: &JobCtx,
    info: &MediaInfo,
    planned: &PlannedClip,
    speech: &[TimeRange],
    clip: usize,
    kept: &[PartSamples],
) -> Result<(Framing, Vec<TimeRange>), EngineError> {
    let opts = &ctx.opts;
    let spec = &planned.spec;
    let pins = check_overrides(planned, info, clip)?;
    let started = Instant::now();
    let mut r = Reporter::new(ctx, &info.path, Stage::Analyse, clip);
    let mut parts = Vec::new();
    let mut missing = Vec::new();
    for p in &spec.clip.parts {
        let (have, gaps) = reelcut_core::track::samples::cover(kept, *p);
        parts.push(have);
        missing.extend(gaps);
    }
    if !missing.is_empty() {
        let pool = ctx.resources.detectors(&ctx.assets, &opts.track)?;
        let seen = crate::reframe::sample_parts(
            &pool,
            info,
            &missing,
            &opts.track,
            &ctx.cancel,
            &mut |f| r.report(f, None),
        )?;
        for s in seen {
            if let Some(into) = parts
                .iter_mut()
                .find(|p| s.part.start >= p.part.start - 1e-9 && s.part.end <= p.part.end + 1e-9)
            {
                reelcut_core::track::samples::merge(into, s);
            }
        }
    }
    keep_samples(ctx, &info.path, clip, &parts);
    let outcome = crate::reframe::frame_parts(
        &parts,
        info,
        opts.aspect,
        speech,
        &pins,
        opts.layout.policy(),
    );
    let seconds = started.elapsed().as_secs_f64();
    tracing::info!(input = %info.path.display(), clip, seconds, shots = outcome.shots.len(), "analysed");
    let mut shots = outcome.shots;
    let mut layout = spec.layout;
    let mut blur_ranges = outcome.blur;
    // No face anywhere (the tracker leaves such shots centred, or with `auto` blurred).
    let faceless = outcome.panels.is_empty()
        && shots
            .iter()
            .all(|s| s.mode == "center" || (s.mode == "blur" && s.faces == 0));
    if matches!(
        opts.layout,
        LayoutChoice::CropOrBlur | LayoutChoice::Split | LayoutChoice::Auto
    ) {
        if faceless {
            layout = Layout::BlurFit;
            blur_ranges.clear();
            shots.iter_mut().for_each(|s| s.mode = "blur".into());
        } else {
            // Shots without a face get the blurred-background fit, the others follow their
            // face.
            for s in shots.iter_mut().filter(|s| s.mode == "center") {
                s.mode = "blur".into();
                blur_ranges.push(TimeRange {
                    start: s.start,
                    end: s.end,
                });
            }
        }
    }
    let detector = ctx.resources.detectors(&ctx.assets, &opts.track)?;
    Ok((
        Framing {
            crop: Some(outcome.path),
            layout,
            blur_ranges,
            panels: outcome.panels,
            shots,
            detector: Some(detector.kind().to_string()),
            seconds: Some(seconds),
            overrides_key: overrides_key(&planned.overrides),
        },
        missing,
    ))
}

/// Where a clip's analysis samples are kept: beside its clips, for the next edit of it.
pub(crate) fn samples_file(ctx: &JobCtx, input: &Path, clip: usize) -> PathBuf {
    clips_dir(&ctx.opts, input)
        .join(".reelcut")
        .join(format!("samples-{clip:02}.json"))
}

/// The samples an earlier analysis of clip `clip` kept, if made with these options.
pub(crate) fn kept_samples(ctx: &JobCtx, input: &Path, clip: usize) -> Vec<PartSamples> {
    let kept: Option<(String, Vec<PartSamples>)> = std::fs::read(samples_file(ctx, input, clip))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok());
    match kept {
        Some((key, parts)) if key == samples_key(ctx) => parts,
        _ => Vec::new(),
    }
}

fn samples_key(ctx: &JobCtx) -> String {
    format!("{:?}|{}", ctx.opts.track, env!("CARGO_PKG_VERSION"))
}

/// Keeps `parts` (best effort: a failure only costs a later decode).
fn keep_samples(ctx: &JobCtx, input: &Path, clip: usize, parts: &[PartSamples]) {
    let file = samples_file(ctx, input, clip);
    let saved = file
        .parent()
        .map(std::fs::create_dir_all)
        .transpose()
        .map_err(|e| e.to_string())
        .and_then(|_| serde_json::to_vec(&(samples_key(ctx), parts)).map_err(|e| e.to_string()))
        .and_then(|json| write_atomic(&file, &json).map_err(|e| e.to_string()));
    if let Err(error) = saved {
        tracing::warn!(file = %file.display(), %error, "analysis samples not kept for later edits");
    }
}

/// The clip's framing overrides (from the clips.json of an earlier run), checked against
/// the clip and the source: an error names the manifest, the clip and the field.
fn check_overrides(
    planned: &PlannedClip,
    info: &MediaInfo,
    clip: usize,
) -> Result<Vec<(TimeRange, Pin)>, EngineError> {
    let duration = planned.spec.clip.duration();
    planned
        .overrides
        .iter()
        .enumerate()
        .map(|(i, o)| {
            o.check(duration, info.width, info.height)
                .map(|pin| {
                    (
                        TimeRange {
                            start: o.start,
                            end: o.end.min(duration),
                        },
                        pin,
                    )
                })
                .map_err(|message| EngineError::Manifest {
                    path: planned.spec.output.with_file_name("clips.json"),
                    message: format!("clip {clip}, overrides[{i}]: {message}"),
                })
        })
        .collect()
}

/// What captions know beyond the words: the hook words of an automatically chosen clip's
/// first sentence (what the selection scored), and no emoji font (libass 0.17 draws none of
/// the available ones).
fn caption_context(chosen: Option<&ChosenClip>, t: &Transcript) -> CaptionContext {
    let hook_words = chosen
        .and_then(|c| {
            reelcut_core::select::sentences(t)
                .into_iter()
                .nth(c.first_sentence)
        })
        .map(|s| reelcut_core::select::hook_words(&s.text))
        .unwrap_or_default();
    CaptionContext {
        hook_words,
        emoji_font: None,
    }
}

/// A rendered clip as its checkpoint keeps it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Rendered {
    pub entry: ClipEntry,
    pub output: PathBuf,
}

pub(crate) fn render(
    ctx: &JobCtx,
    planned: &PlannedClip,
    framing: &Framing,
    transcript: Option<&Transcript>,
    clip: usize,
) -> Result<Rendered, EngineError> {
    let opts = &ctx.opts;
    let chosen = planned.chosen.as_ref();
    let mut spec = planned.spec.clone();
    spec.crop = framing.crop.clone();
    spec.layout = framing.layout;
    spec.blur_ranges = framing.blur_ranges.clone();
    spec.panels = framing.panels.clone();
    // The subtitle file the plan placed next to the clip: the user's cues retimed, or
    // captions laid out from the words.
    if let Some(path) = &spec.subtitles {
        let text = match (&planned.subtitles_text, &planned.captions, transcript) {
            (Some(text), _, _) => text.clone(),
            (None, Some(style), Some(t)) => render_ass_with(
                &words_in(t, &spec.clip.parts),
                spec.size,
                style,
                &caption_context(planned.chosen.as_ref(), t),
            ),
            _ => {
                return Err(EngineError::internal(
                    format!(
                        "clip {clip}: the plan names {} but nothing to write there",
                        path.display()
                    ),
                    "plan without subtitles or captions",
                ))
            }
        };
        write_atomic(path, text.as_bytes())?;
        spec.fonts_dir = ctx.assets.fonts_dir_for(&text);
    }
    // What a killed earlier attempt left behind.
    reelcut_core::partial::remove_stale(&spec.output);
    let started = Instant::now();
    let mut r = Reporter::new(ctx, &spec.input, Stage::Render, clip);
    let report = render_clip(&spec, &ctx.cancel, &mut |p| {
        r.report(p.fraction(), p.eta_seconds())
    })?;
    let render_seconds = started.elapsed().as_secs_f64();
    tracing::info!(input = %spec.input.display(), clip, encoder = %report.encoder, render_seconds, "clip ready");
    ctx.emit(Event::ClipReady {
        job: ctx.id,
        input: spec.input.clone(),
        clip,
        output: spec.output.clone(),
        width: report.width,
        height: report.height,
        duration: report.duration,
        encoder: report.encoder.clone(),
        render_seconds,
        analyse_seconds: framing.seconds,
    });
    let entry = ClipEntry {
        parts: spec
            .clip
            .parts
            .iter()
            .map(|TimeRange { start, end }| PartEntry {
                start: *start,
                end: *end,
            })
            .collect(),
        output: spec
            .output
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default(),
        width: report.width,
        height: report.height,
        duration: report.duration,
        aspect: opts.aspect.as_str().into(),
        reframe: match (spec.layout, &framing.detector) {
            (Layout::BlurFit, _) => "blur",
            (_, Some(_)) => "track",
            (_, None) => "center",
        }
        .into(),
        encoder: report.encoder,
        frames: report.frames,
        skipped_packets: report.skipped_packets,
        detector: framing.detector.clone(),
        shots: framing.shots.clone(),
        crop: match spec.layout {
            Layout::BlurFit => Vec::new(),
            Layout::Crop => spec.crop.as_ref().map(|c| c.changes()).unwrap_or_default(),
        },
        blur: spec.blur_ranges.iter().map(|r| [r.start, r.end]).collect(),
        panels: spec
            .panels
            .iter()
            .map(|p| PanelEntry {
                start: p.start,
                end: p.end,
                crops: p.crops.iter().map(|c| c.changes()).collect(),
            })
            .collect(),
        overrides_key: overrides_key(&planned.overrides),
        overrides: planned.overrides.clone(),
        // The words burned, in source time: what an edit of the plan changes.
        captions: match (&planned.captions, &opts.captions, transcript) {
            (Some(_), Some(style), Some(t)) => Some(CaptionsPlan {
                style: style.clone(),
                words: words_within(t, &spec.clip.parts)
                    .into_iter()
                    .map(|w| WordEntry {
                        start: w.start,
                        end: w.end,
                        text: w.text,
                    })
                    .collect(),
                cut: spec
                    .clip
                    .parts
                    .iter()
                    .map(|r| PartEntry {
                        start: r.start,
                        end: r.end,
                    })
                    .collect(),
            }),
            _ => None,
        },
        watermark: spec.watermark.clone(),
        plan_key: String::new(),
        // Filled in by automatic selection (reelcut_engine::choose_clips).
        score: chosen.map(|c| c.score),
        reasons: chosen.map(|c| c.reasons.clone()).unwrap_or_default(),
        excerpt: chosen.map(|c| c.excerpt.clone()),
    };
    let mut entry = entry;
    entry.plan_key = reelcut_core::manifest::plan_key(&entry);
    Ok(Rendered {
        entry,
        output: spec.output,
    })
}

#[cfg(test)]
mod caption_context_tests {
    use super::*;
    use reelcut_core::Segment;

    fn transcript(text: &str) -> Transcript {
        let words: Vec<reelcut_core::Word> = text
            .split_whitespace()
            .enumerate()
            .map(|(i, w)| reelcut_core::Word {
                start: i as f64 * 0.4,
                end: i as f64 * 0.4 + 0.3,
                text: w.into(),
                probability: 1.0,
            })
            .collect();
        Transcript {
            language: "en".into(),
            model: "test".into(),
            duration: words.last().map_or(0.0, |w| w.end),
            segments: vec![Segment {
                start: 0.0,
                end: words.last().map_or(0.0, |w| w.end),
                text: text.into(),
                confidence: 1.0,
                words,
            }],
        }
    }

    #[test]
    fn chosen_clips_emphasise_the_hook_words_of_their_first_sentence() {
        let t = transcript("We went out. The biggest mistake costs 3 years. Then we ate.");
        let chosen = ChosenClip {
            range: TimeRange {
                start: 1.2,
                end: 3.0,
            },
            score: 1.0,
            reasons: Vec::new(),
            excerpt: String::new(),
            first_sentence: 1,
            last_sentence: 1,
        };
        let ctx = caption_context(Some(&chosen), &t);
        assert_eq!(ctx.hook_words, ["biggest", "mistake", "3"]);
        assert_eq!(ctx.emoji_font, None);
        // A clip the user cut by hand has no hook.
        assert!(caption_context(None, &t).hook_words.is_empty());
    }
}
