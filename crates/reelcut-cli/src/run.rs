//! `reelcut run` and `reelcut probe`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use reelcut_core::{
    Aspect, ClipSpec, EncoderChoice, EncoderSettings, ErrorKind, Event, Stage, Watermark,
    WatermarkKind, WatermarkPosition,
};
use reelcut_engine::{
    download, is_url, plan_input, process_input, videos_in, Assets, CancellationToken,
    LayoutChoice, Reframe, RunOptions, TrackOptions,
};
use serde_json::json;

use crate::args::{LayoutArg, PositionArg, ProbeArgs, ReframeArg, RunArgs, SnapArg};
use crate::report::{HumanReporter, JsonReporter, Reporter};

/// Exit codes: 0 all inputs done, 1 some failed, 2 bad arguments, 130 cancelled.
const EXIT_FAILED: i32 = 1;
const EXIT_USAGE: i32 = 2;
const EXIT_CANCELLED: i32 = 130;

fn options_from(a: &RunArgs) -> Result<RunOptions, String> {
    let clips = a
        .clips
        .iter()
        .map(|c| ClipSpec::parse(c).map_err(|e| format!("--clip: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    let aspect: Aspect = a.aspect.parse().map_err(|e| format!("--aspect: {e}"))?;
    let kind = match (&a.watermark, &a.watermark_text) {
        (Some(p), _) => Some(WatermarkKind::Image(p.clone())),
        (None, Some(t)) if !t.trim().is_empty() => Some(WatermarkKind::Text(t.clone())),
        (None, Some(_)) => return Err("--watermark-text: empty text".into()),
        (None, None) => None,
    };
    if !(0.5..=60.0).contains(&a.sample_fps) {
        return Err(format!("--sample-fps {} is outside 0.5..60", a.sample_fps));
    }
    if !(0.0..=1.0).contains(&a.watermark_opacity) {
        return Err(format!(
            "--watermark-opacity {} is outside 0..1",
            a.watermark_opacity
        ));
    }
    if !(0.01..=1.0).contains(&a.watermark_scale) {
        return Err(format!(
            "--watermark-scale {} is outside 0.01..1",
            a.watermark_scale
        ));
    }
    if !(0.0..=0.4).contains(&a.watermark_margin) {
        return Err(format!(
            "--watermark-margin {} is outside 0..0.4",
            a.watermark_margin
        ));
    }
    let watermark = kind.map(|kind| Watermark {
        kind,
        position: match a.watermark_position {
            PositionArg::TopLeft => WatermarkPosition::TopLeft,
            PositionArg::TopRight => WatermarkPosition::TopRight,
            PositionArg::BottomLeft => WatermarkPosition::BottomLeft,
            PositionArg::BottomRight => WatermarkPosition::BottomRight,
            PositionArg::Center => WatermarkPosition::Center,
        },
        margin: a.watermark_margin,
        opacity: a.watermark_opacity,
        scale: a.watermark_scale,
    });
    Ok(RunOptions {
        out_dir: a.out.clone(),
        clips,
        aspect,
        resolution: a.resolution,
        snap: match a.snap {
            SnapArg::None => reelcut_core::snap::Snap::None,
            SnapArg::Words => reelcut_core::snap::Snap::Words,
            SnapArg::Sentences => reelcut_core::snap::Snap::Sentences,
        },
        layout: match a.layout {
            LayoutArg::Crop => LayoutChoice::Crop,
            LayoutArg::Blur => LayoutChoice::Blur,
            LayoutArg::Auto => LayoutChoice::CropOrBlur,
        },
        reframe: match a.reframe {
            ReframeArg::Center => Reframe::Center,
            ReframeArg::Track => Reframe::Track,
        },
        subtitles: a.subtitles.clone(),
        captions: (a.captions != "none").then(|| a.captions.clone()),
        watermark,
        encoder: EncoderSettings {
            encoder: if a.encoder == "auto" {
                EncoderChoice::Auto
            } else {
                EncoderChoice::Named(a.encoder.clone())
            },
            preset: a.preset.clone(),
            crf: a.crf,
            ..EncoderSettings::default()
        },
        track: TrackOptions {
            sample_fps: a.sample_fps,
            ..TrackOptions::default()
        },
        speech: crate::models::speech_options(&a.speech),
        force: a.force,
    })
}

/// First Ctrl-C cancels the running work gracefully (partial files are removed); a second
/// one exits at once.
fn install_ctrlc(cancel: CancellationToken) {
    let presses = Arc::new(AtomicUsize::new(0));
    let result = ctrlc::set_handler(move || {
        if presses.fetch_add(1, Ordering::SeqCst) == 0 {
            eprintln!("\ncancelling... (press Ctrl-C again to quit now)");
            cancel.cancel();
        } else {
            std::process::exit(EXIT_CANCELLED);
        }
    });
    if let Err(e) = result {
        tracing::warn!(error = %e, "Ctrl-C handler not installed");
    }
}

pub fn run(a: RunArgs) -> i32 {
    let mut reporter: Box<dyn Reporter> = if a.json {
        Box::new(JsonReporter)
    } else {
        Box::new(HumanReporter::new())
    };
    let opts = match options_from(&a) {
        Ok(o) => o,
        Err(msg) => {
            reporter.line(
                json!({"event": "usage_error", "message": msg}),
                &format!("error: {msg}"),
            );
            return EXIT_USAGE;
        }
    };
    let cancel = CancellationToken::new();
    install_ctrlc(cancel.clone());
    let assets = Assets::locate();
    let (mut ok, mut failed, mut cancelled) = (0usize, 0usize, false);
    // A folder becomes one input per video in it (found by probing, not by extension).
    let mut inputs = Vec::new();
    for input in &a.inputs {
        if input.is_dir() {
            match videos_in(input, a.recursive) {
                Ok(found) if found.is_empty() => {
                    failed += 1;
                    let message = format!("{}: no videos in this folder", input.display());
                    reporter.event(&Event::JobFailed {
                        job: None,
                        input: input.clone(),
                        kind: ErrorKind::InputMissing,
                        message,
                    });
                }
                Ok(found) => inputs.extend(found),
                Err(e) => {
                    failed += 1;
                    reporter.event(&Event::JobFailed {
                        job: None,
                        input: input.clone(),
                        kind: e.kind(),
                        message: e.to_string(),
                    });
                }
            }
        } else {
            inputs.push(input.clone());
        }
    }
    // Up to --jobs inputs at once; each worker takes the next input until none are left.
    // The heavy stages inside share process-wide resources (one detector pool, one loaded
    // Whisper model).
    let next = AtomicUsize::new(0);
    let (done_ok, done_failed) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let any_cancelled = std::sync::atomic::AtomicBool::new(cancelled);
    let shared = Mutex::new(reporter);
    std::thread::scope(|scope| {
        for _ in 0..a.jobs.max(1).min(inputs.len().max(1)) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(input) = inputs.get(i) else { break };
                if cancel.is_cancelled() {
                    any_cancelled.store(true, Ordering::SeqCst);
                    break;
                }
                let mut emit =
                    |e: Event| shared.lock().unwrap_or_else(|p| p.into_inner()).event(&e);
                match run_one(input, &opts, &assets, &cancel, &mut emit) {
                    Ok(()) => {
                        done_ok.fetch_add(1, Ordering::SeqCst);
                    }
                    Err(e) => {
                        done_failed.fetch_add(1, Ordering::SeqCst);
                        if e.is_cancelled() {
                            any_cancelled.store(true, Ordering::SeqCst);
                        }
                        emit(Event::JobFailed {
                            job: None,
                            input: input.clone(),
                            kind: e.kind(),
                            message: e.to_string(),
                        });
                    }
                }
            });
        }
    });
    let mut reporter = shared.into_inner().unwrap_or_else(|p| p.into_inner());
    ok += done_ok.load(Ordering::SeqCst);
    failed += done_failed.load(Ordering::SeqCst);
    cancelled = any_cancelled.load(Ordering::SeqCst);
    reporter.line(
        json!({"event": "summary", "succeeded": ok, "failed": failed, "cancelled": cancelled}),
        &format!("{ok} input(s) done, {failed} failed"),
    );
    if cancelled {
        EXIT_CANCELLED
    } else if failed > 0 {
        EXIT_FAILED
    } else {
        0
    }
}

pub fn probe(a: ProbeArgs) -> i32 {
    match reelcut_media::probe(&a.input) {
        Ok(i) => {
            let v = json!({
                "path": i.path, "duration": i.duration, "width": i.width, "height": i.height,
                "sar": i.sar, "fps": i.fps, "video_codec": i.video_codec, "has_audio": i.has_audio,
            });
            println!("{v}");
            0
        }
        Err(e) => {
            let v = json!({"event": "input_failed", "input": a.input, "kind": e.kind(), "message": e.to_string()});
            println!("{v}");
            EXIT_FAILED
        }
    }
}

pub fn filtergraph(a: RunArgs) -> i32 {
    let opts = match options_from(&a) {
        Ok(o) => o,
        Err(msg) => {
            eprintln!("error: {msg}");
            return EXIT_USAGE;
        }
    };
    let assets = Assets::locate();
    let mut code = 0;
    for input in &a.inputs {
        match plan_input(input, &opts, &assets) {
            Ok((_, specs)) => {
                for (i, spec) in specs.iter().enumerate() {
                    let first = spec.clip.parts[0];
                    let crop = spec.crop.as_ref().map(|c| c.at(first.start));
                    let crop = crop
                        .map(|r| format!("{}:{}:{}:{}", r.width, r.height, r.x, r.y))
                        .unwrap_or_default();
                    let graph = reelcut_media::render::graph::plan(spec).to_filter_complex(&crop);
                    let v = json!({
                        "input": input, "clip": i + 1, "parts": spec.clip.parts, "crop": crop,
                        "filter_complex": graph, "subtitles": spec.subtitles,
                    });
                    println!("{v}");
                }
            }
            Err(e) => {
                eprintln!("error: {}: {e}", input.display());
                code = EXIT_FAILED;
            }
        }
    }
    code
}

/// One input: fetched first if it is a URL (yt-dlp; the downloaded file is the input from
/// then on), then processed.
fn run_one(
    input: &std::path::Path,
    opts: &RunOptions,
    assets: &Assets,
    cancel: &CancellationToken,
    emit: &mut dyn FnMut(Event),
) -> Result<(), reelcut_engine::EngineError> {
    let local = match input.to_str().filter(|s| is_url(s)) {
        Some(url) => download(url, &opts.out_dir.join(".downloads"), cancel, &mut |f| {
            emit(Event::Progress {
                job: reelcut_core::JobId(0),
                input: input.to_path_buf(),
                clip: 0,
                stage: Stage::Fetch,
                fraction: f,
                eta_seconds: None,
            })
        })?,
        None => input.to_path_buf(),
    };
    process_input(&local, opts, assets, cancel, emit).map(|_| ())
}
