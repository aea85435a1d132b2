//! `reelcut run` and `reelcut probe`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::time::Duration;

use reelcut_core::{
    Aspect, ClipSpec, EncoderChoice, EncoderSettings, Event, Watermark, WatermarkKind,
    WatermarkPosition,
};
use reelcut_engine::{
    plan_input, Assets, Engine, EngineConfig, LayoutChoice, Reframe, RerankConfig, RunOptions,
    SelectOptions, TrackOptions,
};
use serde_json::json;

use crate::args::{
    EngineArgs, LayoutArg, PositionArg, ProbeArgs, ReframeArg, RunArgs, RunOpts, SnapArg,
};
use crate::report::{HumanReporter, JsonReporter, Reporter};

/// Exit codes: 0 all inputs done, 1 some failed, 2 bad arguments, 130 cancelled.
pub const EXIT_FAILED: i32 = 1;
pub const EXIT_USAGE: i32 = 2;
const EXIT_CANCELLED: i32 = 130;

pub fn options_from(a: &RunOpts) -> Result<RunOptions, String> {
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
    if a.auto == Some(0) {
        return Err("--auto: at least 1 clip".into());
    }
    let auto = SelectOptions {
        count: a.auto.unwrap_or(3),
        min_seconds: a.min_seconds,
        max_seconds: a.max_seconds,
        rerank: a.rerank_url.as_ref().map(|url| RerankConfig {
            url: url.clone(),
            model: a.rerank_model.clone(),
            ..RerankConfig::default()
        }),
    };
    if !(auto.min_seconds >= 0.0 && auto.max_seconds > 0.0 && auto.min_seconds <= auto.max_seconds)
    {
        return Err(format!(
            "--min-seconds {} / --max-seconds {}: need 0 <= min <= max",
            auto.min_seconds, auto.max_seconds
        ));
    }
    Ok(RunOptions {
        out_dir: a.out.clone(),
        clips,
        auto,
        whole: a.whole,
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
            LayoutArg::Split => LayoutChoice::Split,
            LayoutArg::Auto => LayoutChoice::Auto,
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
        audio_track: a.audio_track,
        track: TrackOptions {
            sample_fps: a.sample_fps,
            ..TrackOptions::default()
        },
        speech: crate::models::speech_options(&a.speech),
        jump: reelcut_core::jumpcut::JumpCuts {
            silences: a.cut_silences,
            fillers: a.cut_fillers,
            filler_words: a.fillers.clone(),
        },
        force: a.force,
        recursive: a.recursive,
        folder: None,
        via: Vec::new(),
    })
}

/// First Ctrl-C cancels the running jobs gracefully (their children killed, partial files
/// removed, status cancelled); a second one exits at once.
fn install_ctrlc(engine: Engine) {
    let presses = Arc::new(AtomicUsize::new(0));
    let result = ctrlc::set_handler(move || {
        if presses.fetch_add(1, Ordering::SeqCst) == 0 {
            eprintln!("\ncancelling... (press Ctrl-C again to quit now)");
            engine.cancel_all();
        } else {
            reelcut_engine::exit_process(EXIT_CANCELLED);
        }
    });
    if let Err(e) = result {
        tracing::warn!(error = %e, "Ctrl-C handler not installed");
    }
}

/// The engine with the store and pool sizes asked for on the command line.
pub fn open_engine(a: &EngineArgs, max_jobs: usize) -> Result<Engine, String> {
    let mut config = EngineConfig::default_for_user().map_err(|e| e.to_string())?;
    if let Some(d) = &a.state_dir {
        config.state_dir = d.clone();
    }
    let p = &mut config.pools;
    for (arg, slot) in [
        (a.fetch_workers, &mut p.fetch),
        (a.transcribe_workers, &mut p.transcribe),
        (a.analyse_workers, &mut p.analyse),
        (a.render_workers, &mut p.render),
    ] {
        if let Some(n) = arg {
            if n == 0 {
                return Err("worker counts must be at least 1".into());
            }
            *slot = n;
        }
    }
    config.max_jobs = max_jobs.max(1);
    Engine::open(config, Assets::locate()).map_err(|e| e.to_string())
}

/// How a run ended, counted from the events.
#[derive(Default)]
pub struct Tally {
    pub ok: usize,
    pub failed: usize,
    pub cancelled: usize,
}

impl Tally {
    pub fn count(&mut self, e: &Event) {
        match e {
            Event::JobDone { .. } | Event::JobSkipped { .. } => self.ok += 1,
            Event::JobFailed { .. } => self.failed += 1,
            Event::JobCancelled { .. } => self.cancelled += 1,
            _ => {}
        }
    }
}

/// Prints events until this process has no job queued or running.
pub fn drain(
    engine: &Engine,
    events: &Receiver<Event>,
    reporter: &mut dyn Reporter,
    tally: &mut Tally,
) {
    loop {
        match events.recv_timeout(Duration::from_millis(100)) {
            Ok(e) => {
                tally.count(&e);
                reporter.event(&e);
            }
            Err(RecvTimeoutError::Timeout) if engine.active_count() == 0 => {
                // Events sent just before the last job left.
                for e in events.try_iter() {
                    tally.count(&e);
                    reporter.event(&e);
                }
                return;
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

/// Peak resident memory of this process, MiB (Linux).
pub fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

pub fn summary(reporter: &mut dyn Reporter, t: &Tally) -> i32 {
    reporter.line(
        json!({"event": "summary", "succeeded": t.ok, "failed": t.failed,
               "cancelled": t.cancelled > 0, "peak_rss_mib": peak_rss_mib()}),
        &format!(
            "{} job(s) done, {} failed{}",
            t.ok,
            t.failed,
            if t.cancelled > 0 {
                format!(", {} cancelled", t.cancelled)
            } else {
                String::new()
            }
        ),
    );
    if t.cancelled > 0 {
        EXIT_CANCELLED
    } else if t.failed > 0 {
        EXIT_FAILED
    } else {
        0
    }
}

pub fn reporter_for(json: bool) -> Box<dyn Reporter> {
    if json {
        Box::new(JsonReporter)
    } else {
        Box::new(HumanReporter::new())
    }
}

/// Reports a bad argument; the exit code for it.
pub fn usage(reporter: &mut Box<dyn Reporter>, msg: String) -> i32 {
    reporter.line(
        json!({"event": "usage_error", "message": msg}),
        &format!("error: {msg}"),
    );
    EXIT_USAGE
}

pub fn run(args: RunArgs) -> i32 {
    let a = &args.opts;
    let mut reporter = reporter_for(a.json);
    let opts = match options_from(a) {
        Ok(o) => o,
        Err(msg) => return usage(&mut reporter, msg),
    };
    let engine = match open_engine(&a.engine, a.jobs) {
        Ok(e) => e,
        Err(msg) => return usage(&mut reporter, msg),
    };
    let events = engine.subscribe();
    install_ctrlc(engine.clone());
    let mut tally = Tally::default();
    // Jobs a crash or kill -9 left unfinished go on first, from their last finished stage.
    match engine.resume_interrupted() {
        Ok(ids) if !ids.is_empty() => {
            tracing::info!(jobs = ids.len(), "resuming interrupted jobs");
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "interrupted jobs not resumed"),
    }
    for input in &args.inputs {
        let text = input.to_string_lossy();
        if let Err(e) = engine.submit(&text, &opts) {
            tally.failed += 1;
            reporter.event(&Event::JobFailed {
                job: None,
                input: input.clone(),
                kind: e.kind(),
                message: e.to_string(),
            });
        }
    }
    drain(&engine, &events, reporter.as_mut(), &mut tally);
    finish_engine(&engine);
    summary(reporter.as_mut(), &tally)
}

/// Waits for the engine's work to stop before the process exits (a transcription cancelled
/// a moment ago may still be stopping on its own thread).
pub fn finish_engine(engine: &Engine) {
    if !engine.shutdown(Duration::from_secs(5)) {
        tracing::warn!("the engine was still stopping at exit");
    }
}

pub fn probe(a: ProbeArgs) -> i32 {
    match reelcut_media::probe(&a.input) {
        Ok(i) => {
            let v = json!({
                "path": i.path, "duration": i.duration, "width": i.width, "height": i.height,
                "sar": i.sar, "fps": i.fps, "video_codec": i.video_codec, "has_audio": i.has_audio,
                // Displayed size above; how the stored picture is turned to get it.
                "rotation": i.orientation.rotation(), "mirrored": i.orientation.mirrored(),
                "audio_tracks": i.audio_tracks, "interlaced": i.interlaced,
                "start_time": i.start_time, "hdr": i.colour.is_hdr(),
                "color_transfer": i.colour.transfer.name(), "color_space": i.colour.matrix.name(),
                "color_primaries": i.colour.primaries.name(), "full_range": i.colour.full_range,
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
    let opts = match options_from(&a.opts) {
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
            Ok((info, specs)) => {
                let pre = reelcut_media::condition::Conditioning::of(&info).render_nodes();
                for (i, spec) in specs.iter().enumerate() {
                    let first = spec.clip.parts[0];
                    let crop = spec.crop.as_ref().map(|c| c.at(first.start));
                    let crop = crop
                        .map(|r| format!("{}:{}:{}:{}", r.width, r.height, r.x, r.y))
                        .unwrap_or_default();
                    let graph =
                        reelcut_media::render::graph::plan(spec).to_filter_complex(&pre, &crop);
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
