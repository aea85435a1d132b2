//! Planning a job's clips, once: the options checked, the clips chosen (given ranges snapped
//! to words, the best moments of the speech, or the whole input), every range checked
//! against the probed input, and each clip's render spec, caption style and retimed
//! subtitles decided. The select stage runs this and checkpoints the result; analysis and
//! render read it and decide nothing of their own but the framing the analysis measures.

use std::path::{Path, PathBuf};

use reelcut_core::captions::CaptionStyle;
use reelcut_core::jumpcut::cut_parts;
use reelcut_core::snap::{snap_clip, Snap};
use reelcut_core::subtitles::{self, Subtitles};
use reelcut_core::track::Override;
use reelcut_core::{ClipSpec, CropPath, Layout, RenderSpec, TimeRange, Transcript};
use reelcut_media::{MediaError, MediaInfo};
use serde::{Deserialize, Serialize};

use crate::outputs::output_stem;
use crate::{choose_clips, Assets, CancellationToken, ChosenClip, EngineError, LayoutChoice};
use crate::{RunOptions, SpeechOptions};

/// One clip as planned.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PlannedClip {
    /// What to render; the analysis replaces the centred crop with the tracked one.
    pub spec: RenderSpec,
    /// Captions from speech in this style (burned from `spec.output` with `.ass`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub captions: Option<CaptionStyle>,
    /// The user's subtitles retimed to this clip, written to `spec.subtitles` before the
    /// render (kept next to the clip: creators upload captions separately too).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtitles_text: Option<String>,
    /// Why the clip was chosen, when it was chosen automatically.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chosen: Option<ChosenClip>,
    /// The user's framing overrides, from the clips.json of an earlier run of this clip.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<Override>,
}

/// Options that cannot work, found before any input is touched, so every input of a run
/// fails the same way with the same message.
pub(crate) fn check_options(opts: &RunOptions) -> Result<(), EngineError> {
    if let Some(style) = &opts.captions {
        CaptionStyle::resolve(style).map_err(|source| EngineError::Captions {
            path: style.into(),
            source,
        })?;
    }
    if let Some(gap) = opts.jump.silences {
        if !(gap.is_finite() && gap > 0.0) {
            return Err(EngineError::InvalidOptions(format!(
                "--cut-silences {gap}: the longest pause to keep must be a positive number of seconds"
            )));
        }
    }
    if opts.jump.filler_words.as_ref().is_some_and(|l| {
        l.iter()
            .all(|w| reelcut_core::jumpcut::normalise(w).is_empty())
    }) {
        return Err(EngineError::InvalidOptions(
            "--fillers: no word in the list".into(),
        ));
    }
    if !(16..=4320).contains(&opts.resolution) {
        return Err(EngineError::InvalidOptions(format!(
            "--resolution {} is outside 16..4320",
            opts.resolution
        )));
    }
    if opts.encoder.crf > 51 {
        return Err(EngineError::InvalidOptions(format!(
            "--crf {} is outside 0..51",
            opts.encoder.crf
        )));
    }
    if !reelcut_core::render_spec::X264_PRESETS.contains(&opts.encoder.preset.as_str()) {
        return Err(EngineError::InvalidOptions(format!(
            "--preset {} is not one of {}",
            opts.encoder.preset,
            reelcut_core::render_spec::X264_PRESETS.join(", ")
        )));
    }
    if let Some(reelcut_core::Watermark {
        kind: reelcut_core::WatermarkKind::Image(image),
        ..
    }) = &opts.watermark
    {
        // ffmpeg's `movie` source opens what it is given: a URL, a FIFO, a device.
        check_asset(image, "watermark image")?;
    }
    Ok(())
}

/// Clips are chosen from the speech (no `--clip`, no `--whole`).
pub(crate) fn chooses(opts: &RunOptions) -> bool {
    opts.clips.is_empty() && !opts.whole
}

/// Whether the plan needs the words: captions from speech, snapping, automatic selection,
/// jump cuts. An input without audio has none to give.
pub(crate) fn needs_transcript(opts: &RunOptions, info: &MediaInfo) -> bool {
    let captions = opts.captions.is_some() && opts.subtitles.is_none();
    let snap = opts.snap != Snap::None && !opts.clips.is_empty();
    info.has_audio && (captions || snap || chooses(opts) || !opts.jump.is_off())
}

/// How the input is transcribed for this run: fillers are written down when they are to be
/// cut (Whisper leaves them out otherwise, and there would be nothing to cut).
pub(crate) fn speech_options(opts: &RunOptions) -> SpeechOptions {
    SpeechOptions {
        verbatim: opts.speech.verbatim || opts.jump.fillers,
        ..opts.speech.clone()
    }
}

/// The whole plan of one input: which clips (with why), then how each is rendered.
pub(crate) fn plan(
    info: &MediaInfo,
    opts: &RunOptions,
    assets: &Assets,
    transcript: Option<&Transcript>,
    cancel: &CancellationToken,
) -> Result<Vec<PlannedClip>, EngineError> {
    let mut picked = pick(info, opts, transcript, cancel)?;
    if let Some(t) = transcript.filter(|_| !opts.jump.is_off()) {
        // After choosing and snapping, which judge whole sentences; before the specs, so
        // the render, the captions, the crop path and clips.json all take these parts.
        let loudness = match opts.jump.fillers {
            true => fine_loudness(&info.path, opts.audio_track, cancel)?,
            false => None,
        };
        let words: Vec<_> = t.words().cloned().collect();
        for (clip, _) in &mut picked {
            clip.parts = cut_parts(
                &clip.parts,
                &words,
                &opts.jump,
                &t.language,
                loudness.as_ref(),
            );
        }
    }
    plan_clips(info, opts, assets, picked, transcript.is_some(), 1)
}

/// Takes the framing overrides a user wrote into the clips.json of an earlier run of this
/// input (read at every start of the job, not checkpointed: an edit made after a failed
/// run is what the resumed run must see), for each clip whose parts are unchanged (a clip planned differently is a different
/// clip). No manifest, another input's, or one that does not parse: none. An override that
/// does not parse is an error naming the clip and the entry: dropping it silently would
/// render what the user just asked not to.
pub(crate) fn earlier_overrides(
    manifest: &Path,
    info: &MediaInfo,
    planned: &mut [PlannedClip],
) -> Result<(), EngineError> {
    let Ok(bytes) = std::fs::read(manifest) else {
        return Ok(());
    };
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        tracing::warn!(manifest = %manifest.display(), "clips.json does not parse: no overrides taken from it");
        return Ok(());
    };
    if json.get("input").and_then(|v| v.as_str()) != Some(&*info.path.to_string_lossy()) {
        return Ok(());
    }
    let clips = json
        .get("clips")
        .and_then(|c| c.as_array())
        .cloned()
        .unwrap_or_default();
    for (i, (clip, p)) in clips.iter().zip(planned.iter_mut()).enumerate() {
        let parts: Vec<(f64, f64)> = clip
            .get("parts")
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .map(|p| {
                        let f = |k: &str| p.get(k).and_then(|v| v.as_f64()).unwrap_or(f64::NAN);
                        (f("start"), f("end"))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let same = parts.len() == p.spec.clip.parts.len()
            && parts
                .iter()
                .zip(&p.spec.clip.parts)
                .all(|(a, b)| (a.0 - b.start).abs() < 1e-3 && (a.1 - b.end).abs() < 1e-3);
        let Some(list) = clip.get("overrides").and_then(|v| v.as_array()) else {
            continue;
        };
        if !same {
            tracing::warn!(
                clip = i + 1,
                "clips.json: the clip's parts changed; its overrides are not applied"
            );
            continue;
        }
        p.overrides = list
            .iter()
            .enumerate()
            .map(|(k, o)| {
                serde_json::from_value::<Override>(o.clone()).map_err(|e| EngineError::Manifest {
                    path: manifest.to_path_buf(),
                    message: format!("clip {}, overrides[{k}]: {e}", i + 1),
                })
            })
            .collect::<Result<_, _>>()?;
    }
    Ok(())
}

/// The input's level in 10 ms frames, where filler cuts find the quiet beside the sound
/// (Whisper's filler edges are a fifth of a second off). Any failure but cancellation
/// leaves the cuts at Whisper's edges.
fn fine_loudness(
    input: &Path,
    track: Option<usize>,
    cancel: &CancellationToken,
) -> Result<Option<reelcut_core::select::energy::Loudness>, EngineError> {
    match reelcut_media::loudness_at(input, track, 100, cancel) {
        Ok(l) => Ok(Some(l)),
        Err(MediaError::Cancelled) => Err(MediaError::Cancelled.into()),
        Err(e) => {
            tracing::warn!(input = %input.display(), error = %e,
                "no loudness envelope; fillers are cut at Whisper's word edges");
            Ok(None)
        }
    }
}

/// The clips of this input: the given ranges (snapped to words or sentences when asked),
/// the best moments of the speech (automatic selection), or the whole input.
fn pick(
    info: &MediaInfo,
    opts: &RunOptions,
    transcript: Option<&Transcript>,
    cancel: &CancellationToken,
) -> Result<Vec<(ClipSpec, Option<ChosenClip>)>, EngineError> {
    if !opts.clips.is_empty() {
        return Ok(opts
            .clips
            .iter()
            .map(|c| match transcript {
                Some(t) if opts.snap != Snap::None => (snap_clip(c, t, opts.snap), None),
                _ => (c.clone(), None),
            })
            .collect());
    }
    let whole = || vec![(ClipSpec::single(0.0, info.duration), None)];
    let Some(t) = transcript.filter(|_| chooses(opts)) else {
        if chooses(opts) {
            tracing::warn!(input = %info.path.display(), "no audio to choose clips from: the whole input is one clip");
        }
        return Ok(whole());
    };
    let chosen = choose_clips(&info.path, t, &opts.auto, cancel)?;
    if chosen.is_empty() {
        tracing::warn!(input = %info.path.display(), "no speech to choose clips from: the whole input is one clip");
        return Ok(whole());
    }
    Ok(chosen
        .into_iter()
        .map(|c| {
            let range = TimeRange {
                start: c.range.start.max(0.0),
                end: c.range.end.min(info.duration),
            };
            (ClipSpec { parts: vec![range] }, Some(c))
        })
        .collect())
}

/// Render specs for `picked` clips of the probed input. Every range is checked first: a
/// user who asked for five clips should not get two and an error.
/// `first`: the number of the first clip (clip-NN names), 1 for a whole plan.
pub(crate) fn plan_clips(
    info: &MediaInfo,
    opts: &RunOptions,
    assets: &Assets,
    picked: Vec<(ClipSpec, Option<ChosenClip>)>,
    has_words: bool,
    first: usize,
) -> Result<Vec<PlannedClip>, EngineError> {
    check_options(opts)?;
    for (c, _) in &picked {
        for p in &c.parts {
            if p.start >= info.duration || p.end > info.duration + 0.05 {
                return Err(MediaError::RangeOutside {
                    path: info.path.clone(),
                    start: p.start,
                    end: p.end,
                    duration: info.duration,
                }
                .into());
            }
        }
    }
    let subs = opts.subtitles.as_deref().map(load_subtitles).transpose()?;
    let captions = match (&opts.captions, &subs, has_words) {
        (Some(s), None, true) => {
            Some(
                CaptionStyle::resolve(s).map_err(|source| EngineError::Captions {
                    path: s.into(),
                    source,
                })?,
            )
        }
        _ => None,
    };
    let dir = clips_dir(opts, &info.path);
    let size = opts.aspect.output_size(opts.resolution);
    Ok(picked
        .into_iter()
        .enumerate()
        .map(|(i, (clip, chosen))| {
            let n = i + first;
            let retimed = subs
                .as_ref()
                .map(|s| s.retime(&clip.parts))
                .filter(|r| r.cue_count() > 0);
            let subtitles = retimed
                .as_ref()
                .map(|r| dir.join(format!("clip-{n:02}.{}", r.extension())))
                .or_else(|| {
                    captions
                        .is_some()
                        .then(|| dir.join(format!("clip-{n:02}.ass")))
                });
            PlannedClip {
                spec: RenderSpec {
                    input: info.path.clone(),
                    output: dir.join(format!("clip-{n:02}.mp4")),
                    clip,
                    aspect: opts.aspect,
                    size,
                    layout: if opts.layout == LayoutChoice::Blur {
                        Layout::BlurFit
                    } else {
                        Layout::Crop
                    },
                    blur_ranges: Vec::new(),
                    panels: Vec::new(),
                    crop: Some(CropPath::centered(
                        info.width,
                        info.height,
                        info.sar,
                        opts.aspect,
                    )),
                    subtitles,
                    fonts_dir: assets.fonts_dir.clone(),
                    font_family: assets.font_family.clone(),
                    font_file: assets.font_file.clone(),
                    watermark: opts.watermark.clone(),
                    encoder: opts.encoder.clone(),
                    audio_track: opts.audio_track,
                },
                captions: captions.clone(),
                subtitles_text: retimed.map(|r| r.render()),
                chosen,
                overrides: Vec::new(),
            }
        })
        .collect())
}

/// The folder the clips of `input` go to.
pub(crate) fn clips_dir(opts: &RunOptions, input: &Path) -> PathBuf {
    match &opts.folder {
        Some(name) => opts.out_dir.join(name),
        None => opts.out_dir.join(output_stem(input)),
    }
}

/// The render specs of the clips `opts` names (or the whole input), as a job would plan
/// them without a transcript; writes nothing. For `reelcut filtergraph`.
pub fn plan_input(
    input: &Path,
    opts: &RunOptions,
    assets: &Assets,
) -> Result<(MediaInfo, Vec<RenderSpec>), EngineError> {
    check_options(opts)?;
    let info = reelcut_media::probe(input)?;
    let opts = RunOptions {
        whole: true,
        snap: Snap::None,
        speech: SpeechOptions::default(),
        ..opts.clone()
    };
    let picked = pick(&info, &opts, None, &CancellationToken::new())?;
    let specs = plan_clips(&info, &opts, assets, picked, false, 1)?
        .into_iter()
        .map(|c| c.spec)
        .collect();
    Ok((info, specs))
}

/// A file the user named for a clip (not the input): a regular file, else an error naming
/// it; missing reads as a missing asset. Returns its size.
fn check_asset(path: &Path, what: &'static str) -> Result<u64, EngineError> {
    crate::inputs::check_regular(path, what).map_err(|e| match e {
        EngineError::Media(MediaError::NotFound { path }) => {
            EngineError::Media(MediaError::AssetMissing { path, what })
        }
        other => other,
    })
}

/// Larger than any subtitle file of a feature film (those are well under 1 MiB).
const MAX_SUBTITLES_BYTES: u64 = 16 << 20;

fn load_subtitles(path: &Path) -> Result<Subtitles, EngineError> {
    let size = check_asset(path, "subtitle file")?;
    if size > MAX_SUBTITLES_BYTES {
        return Err(MediaError::BadInput {
            path: path.to_path_buf(),
            message: format!(
                "a subtitle file of {} MiB (at most {} MiB are read)",
                size >> 20,
                MAX_SUBTITLES_BYTES >> 20
            ),
        }
        .into());
    }
    let text = std::fs::read(path).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => EngineError::Media(MediaError::AssetMissing {
            path: path.to_path_buf(),
            what: "subtitle file",
        }),
        _ => EngineError::Io {
            path: path.to_path_buf(),
            source,
        },
    })?;
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if !matches!(ext.as_str(), "srt" | "vtt" | "ass" | "ssa") {
        return Err(MediaError::SubtitleFormat {
            path: path.to_path_buf(),
        }
        .into());
    }
    subtitles::parse(&String::from_utf8_lossy(&text), &ext).map_err(|source| {
        EngineError::Subtitles {
            path: path.to_path_buf(),
            source,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(duration: f64) -> MediaInfo {
        MediaInfo {
            path: "/in/talk.mp4".into(),
            duration,
            width: 1920,
            height: 1080,
            sar: 1.0,
            fps: 30.0,
            video_codec: "h264".into(),
            has_audio: true,
            audio_tracks: 1,
            ..MediaInfo::default()
        }
    }

    fn assets() -> Assets {
        Assets::from_fonts_dir(Path::new("/nonexistent"))
    }

    #[test]
    fn unavailable_options_are_rejected_clearly() {
        let opts = RunOptions {
            captions: Some("no-such-style".into()),
            ..Default::default()
        };
        assert!(check_options(&opts)
            .unwrap_err()
            .to_string()
            .contains("no-such-style"));
        let opts = RunOptions {
            captions: Some("karaoke".into()),
            ..Default::default()
        };
        assert!(check_options(&opts).is_ok());
        let mut opts = RunOptions::default();
        opts.encoder.preset = "warp".into();
        let e = check_options(&opts).unwrap_err();
        assert!(e.to_string().contains("warp"));
        assert_eq!(e.kind(), reelcut_core::ErrorKind::InvalidOptions);
    }

    #[test]
    fn every_range_is_checked_before_any_clip_is_planned() {
        let opts = RunOptions {
            clips: vec![ClipSpec::single(1.0, 2.0), ClipSpec::single(50.0, 60.0)],
            ..Default::default()
        };
        let e = plan(
            &info(30.0),
            &opts,
            &assets(),
            None,
            &CancellationToken::new(),
        )
        .unwrap_err();
        assert_eq!(e.kind(), reelcut_core::ErrorKind::RangeOutside, "{e}");
    }

    #[test]
    fn jump_cuts_shape_the_planned_parts() {
        use reelcut_core::jumpcut::JumpCuts;
        use reelcut_core::{Segment, Word};
        let w = |start, end, text: &str| Word {
            start,
            end,
            text: text.into(),
            probability: 0.9,
        };
        let t = Transcript {
            language: "en".into(),
            model: "m".into(),
            duration: 30.0,
            segments: vec![Segment {
                start: 1.0,
                end: 8.0,
                text: "one um two three".into(),
                confidence: 0.9,
                words: vec![
                    w(1.0, 1.5, "one"),
                    w(1.7, 2.0, "um"),
                    w(2.2, 2.6, "two"),
                    w(5.0, 5.5, "three"),
                ],
            }],
        };
        let mut opts = RunOptions {
            clips: vec![ClipSpec::single(0.9, 5.6)],
            jump: JumpCuts {
                silences: Some(0.5),
                ..Default::default()
            },
            ..Default::default()
        };
        // Jump cuts need the words even without captions or snapping.
        assert!(needs_transcript(&opts, &info(30.0)));
        assert!(!speech_options(&opts).verbatim);
        let cancel = CancellationToken::new();
        let p = plan(&info(30.0), &opts, &assets(), Some(&t), &cancel).unwrap();
        let parts = &p[0].spec.clip.parts;
        assert_eq!(parts.len(), 2, "{parts:?}");
        assert!((parts[0].end - 2.7).abs() < 1e-9 && (parts[1].start - 4.9).abs() < 1e-9);
        // Fillers: transcribed verbatim, and cut (the input cannot be read for its
        // loudness here: Whisper's edges are used).
        opts.jump.fillers = true;
        assert!(speech_options(&opts).verbatim);
        let p = plan(&info(30.0), &opts, &assets(), Some(&t), &cancel).unwrap();
        let parts = &p[0].spec.clip.parts;
        assert_eq!(parts.len(), 3, "{parts:?}");
        assert!((parts[0].end - 1.7).abs() < 1e-9 && (parts[1].start - 2.0).abs() < 1e-9);
        // A gap that is no length is refused before anything runs.
        opts.jump.silences = Some(0.0);
        let e = check_options(&opts).unwrap_err();
        assert_eq!(e.kind(), reelcut_core::ErrorKind::InvalidOptions, "{e}");
    }

    #[test]
    fn one_plan_holds_each_clips_spec_and_captions() {
        let opts = RunOptions {
            clips: vec![ClipSpec::single(1.0, 2.0), ClipSpec::single(5.0, 9.0)],
            captions: Some("karaoke".into()),
            out_dir: "/out".into(),
            ..Default::default()
        };
        let t = Transcript {
            language: "en".into(),
            model: "m".into(),
            duration: 30.0,
            segments: Vec::new(),
        };
        let p = plan(
            &info(30.0),
            &opts,
            &assets(),
            Some(&t),
            &CancellationToken::new(),
        )
        .unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[1].spec.output, Path::new("/out/talk/clip-02.mp4"));
        assert_eq!(
            p[1].spec.subtitles.as_deref(),
            Some(Path::new("/out/talk/clip-02.ass"))
        );
        assert!(p[0].captions.is_some());
        assert_eq!(p[0].spec.size, opts.aspect.output_size(1080));
        // Without words there is nothing to caption.
        let p = plan(
            &info(30.0),
            &opts,
            &assets(),
            None,
            &CancellationToken::new(),
        )
        .unwrap();
        assert!(p[0].captions.is_none() && p[0].spec.subtitles.is_none());
    }
}
