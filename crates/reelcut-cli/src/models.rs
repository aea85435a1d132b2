//! `reelcut transcribe` and `reelcut models ...`.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};
use reelcut_core::transcript::{to_srt, to_vtt};
use reelcut_engine::{transcribe_input, CancellationToken, Resources, SpeechOptions};
use reelcut_models::{Languages, ModelStore};
use serde_json::json;

use crate::args::{ModelsCommand, QuantArg, SpeechArgs, TranscribeArgs, TranscriptFormat};

pub fn speech_options(a: &SpeechArgs) -> SpeechOptions {
    SpeechOptions {
        model: a.model.clone(),
        language: a.language.clone(),
        threads: a.whisper_threads,
        beam_size: a.beam_size.max(1),
        cache: !a.no_cache,
        chunk_seconds: a.chunk_seconds,
        vad: !a.no_vad,
        verbatim: a.verbatim,
    }
}

fn fail(message: String) -> i32 {
    eprintln!("error: {message}");
    1
}

pub fn transcribe(a: TranscribeArgs) -> i32 {
    let cancel = CancellationToken::new();
    let c = cancel.clone();
    if let Err(e) = ctrlc::set_handler(move || c.cancel()) {
        tracing::warn!(error = %e, "Ctrl-C handler not installed");
    }
    let resources = Resources::new();
    let result = transcribe_input(
        &resources,
        &reelcut_engine::Assets::locate(),
        &a.input,
        None,
        &speech_options(&a.speech),
        &cancel,
        &mut |_| {},
    );
    // A cancelled transcription returns before its thread has stopped.
    if !resources.wait_idle(std::time::Duration::from_secs(5)) {
        tracing::warn!("a transcription thread was still running at exit");
    }
    match result {
        Ok(t) => {
            let out = match a.format {
                TranscriptFormat::Json => {
                    serde_json::to_string_pretty(&t.transcript).unwrap_or_default()
                }
                TranscriptFormat::Srt => to_srt(&t.transcript),
                TranscriptFormat::Vtt => to_vtt(&t.transcript),
            };
            println!("{}", out.trim_end());
            0
        }
        Err(e) if e.is_cancelled() => 130,
        Err(e) => fail(format!("{}: {e}", a.input.display())),
    }
}

pub fn models(c: ModelsCommand) -> i32 {
    let store = match ModelStore::open_default() {
        Ok(s) => s,
        Err(e) => return fail(e.to_string()),
    };
    match c {
        // The user's models and the package's (read-only), a user's model hiding a bundled
        // one of the same name, as the engine resolves them.
        ModelsCommand::List { json } => match reelcut_models::list_all() {
            Ok(models) if json => {
                let listed: Vec<_> = models
                    .iter()
                    .map(|(origin, store, m)| {
                        let mut v = serde_json::to_value(m).unwrap_or_default();
                        v["origin"] = json!(origin);
                        v["path"] = json!(store.path_of(m));
                        v
                    })
                    .collect();
                println!(
                    "{}",
                    serde_json::to_string(&json!({
                        "dir": store.dir(),
                        "bundled_dir": reelcut_models::bundled_models_dir(),
                        "models": listed,
                    }))
                    .unwrap_or_default()
                );
                0
            }
            Ok(models) => {
                println!("models in {}", store.dir().display());
                if let Some(b) = reelcut_models::bundled_models_dir().filter(|b| b.is_dir()) {
                    println!("bundled (read-only) in {}", b.display());
                }
                if models.is_empty() {
                    println!("  (none: `reelcut models import DIR|FILE` or `reelcut models download tiny.en`)");
                }
                for (origin, _, m) in models {
                    let langs = match m.languages {
                        Languages::En => "en",
                        Languages::Multilingual => "multilingual",
                    };
                    let origin = match origin {
                        reelcut_models::Origin::User => "yours",
                        reelcut_models::Origin::Bundled => "bundled",
                    };
                    println!(
                        "  {:<14} {:>8.1} MB  {:<12}  {:<7}  {}  ({})",
                        m.name,
                        m.size as f64 / 1e6,
                        langs,
                        origin,
                        m.source,
                        m.licence
                    );
                }
                0
            }
            Err(e) => fail(e.to_string()),
        },
        ModelsCommand::Import {
            dir,
            name,
            source,
            licence,
            quantize,
        } => {
            let opts = reelcut_engine::ImportOptions {
                name,
                source,
                licence,
                quantize: match quantize {
                    QuantArg::F16 => reelcut_whisper::Quantization::F16,
                    QuantArg::Q8_0 => reelcut_whisper::Quantization::Q8_0,
                },
            };
            match reelcut_engine::import_model(&store, &dir, &opts) {
                Ok(done) => {
                    println!(
                        "installed {} ({:.1} MB, {}) -> {}",
                        done.entry.name,
                        done.entry.size as f64 / 1e6,
                        done.how,
                        done.file.display()
                    );
                    0
                }
                Err(e) => fail(e.to_string()),
            }
        }
        ModelsCommand::Download {
            name_or_url,
            sha256,
        } => {
            let cancel = CancellationToken::new();
            let c = cancel.clone();
            if let Err(e) = ctrlc::set_handler(move || c.cancel()) {
                tracing::warn!(error = %e, "Ctrl-C handler not installed");
            }
            let bar = std::io::stderr().is_terminal().then(|| {
                let b = ProgressBar::new(0);
                if let Ok(s) = ProgressStyle::with_template(
                    "  {bytes}/{total_bytes} [{bar:30}] {bytes_per_sec} eta {eta}",
                ) {
                    b.set_style(s.progress_chars("=> "));
                }
                b
            });
            if sha256.is_none() && reelcut_models::official(&name_or_url).is_none() {
                eprintln!("warning: no --sha256 given: {name_or_url} is not verified");
            }
            let result = store.install_checked(
                &name_or_url,
                sha256.as_deref(),
                &mut |done, total| {
                    if let Some(b) = &bar {
                        if let Some(t) = total {
                            b.set_length(t);
                        }
                        b.set_position(done);
                    }
                },
                &cancel,
                // Loaded once for real before it is registered.
                &|path| {
                    reelcut_whisper::Model::load(path)
                        .map(drop)
                        .map_err(|e| e.to_string())
                },
            );
            if let Some(b) = bar {
                b.finish_and_clear();
            }
            match result {
                Ok(entry) => {
                    println!(
                        "installed {} ({:.1} MB) -> {}",
                        entry.name,
                        entry.size as f64 / 1e6,
                        store.path_of(&entry).display()
                    );
                    0
                }
                Err(e) => fail(e.to_string()),
            }
        }
    }
}
