//! Reelcut's desktop window: a thin client of reelcut-engine. Commands submit and steer
//! jobs; the engine's typed events reach the page through one Tauri event, throttled. Both
//! are declared once in [`ipc`], where the UI's TypeScript wrappers come from.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod bindings;
mod commands;
mod editor;
mod engine;
mod error;
mod forward;
mod gallery;
mod health;
mod ipc;
mod jobs;
mod launch;
mod logs;
mod media;
mod models;
mod notify;
mod options;
mod settings;
mod styles;
mod watcher;
mod window_state;

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use tauri::{Manager, RunEvent};
use tauri_plugin_opener::OpenerExt;

use commands::AppState;
use engine::{Engine, EngineConfig};
use settings::{Settings, SettingsFile};

/// How often held-back progress reaches the window (10 updates a second per stage).
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// How long quitting waits for running stages (and Whisper threads) to stop.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

fn setup(app: &mut tauri::App) -> Result<(), Box<dyn std::error::Error>> {
    let log_dir = match std::env::var_os("REELCUT_LOG_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => app.path().app_log_dir()?,
    };
    logs::init(log_dir);
    let config_dir = match std::env::var_os("REELCUT_CONFIG_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => app.path().app_config_dir()?,
    };
    let settings_file = SettingsFile::new(&config_dir);
    let videos = (app.path().video_dir())
        .or_else(|_| app.path().home_dir().map(|h| h.join("Videos")))
        .ok();
    let settings = settings_file.load(Settings::initial(videos));
    // The first start shows the set-up check once; saving the defaults now makes the next
    // start a normal one, whatever happens to this one.
    let first_start = !settings_file.exists();
    if first_start {
        tracing::info!("first start: defaults saved");
        if let Err(e) = settings_file.save(&settings) {
            tracing::warn!(error = %e, "defaults not saved");
        }
    }
    if let Some(window) = app.get_webview_window("main") {
        window_state::track(&window, window_state::WindowStateFile::new(&config_dir));
    }

    let config = EngineConfig::default_for_user()?;
    let state_dir = config.state_dir.clone();
    std::fs::create_dir_all(&state_dir)?;
    let assets = reelcut_engine::Assets::locate();
    let engine = Engine::open(config, assets.clone())?;
    let roots = media::Roots::default();
    let media = media::MediaServer::start(roots.clone())?;
    let state = AppState {
        engine: engine.clone(),
        assets,
        state_dir: state_dir.clone(),
        first_start,
        watch: Default::default(),
        settings: Mutex::new(settings.clone()),
        settings_file,
        roots,
        media_base: media.base,
        gallery: Default::default(),
    };
    let handle = app.handle().clone();
    state.allow(&state_dir);
    app.manage(state);
    commands::apply_watch(&handle, &handle.state::<AppState>(), &settings);

    // SIGTERM (a logout, `kill`, a service manager) and Ctrl-C in the launching terminal
    // quit like the window's close button: through the exit request, so the engine stops
    // first and running jobs are left to resume, never marked running by a dead process.
    let quitter = handle.clone();
    if let Err(e) = ctrlc::set_handler(move || {
        tracing::info!("termination signal: quitting");
        quitter.exit(0);
    }) {
        tracing::warn!(error = %e, "no handler for SIGTERM and Ctrl-C");
    }
    let notifier = handle.clone();
    forward::spawn(engine.subscribe(), handle, PROGRESS_EVERY, move |event| {
        notify_when_unfocused(&notifier, event)
    })?;
    launch::submit_at_start(
        engine.clone(),
        settings.defaults.clone(),
        launch::inputs_in(std::env::args_os().skip(1)),
    );
    // Jobs a crash or a kill left unfinished go on where they stopped.
    std::thread::spawn(move || match engine.resume_interrupted() {
        Ok(ids) if !ids.is_empty() => tracing::info!(jobs = ids.len(), "resumed interrupted jobs"),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "interrupted jobs not resumed"),
    });
    Ok(())
}

/// A finished job's "N clips ready", when the window does not have the focus.
fn notify_when_unfocused(app: &tauri::AppHandle, event: &reelcut_core::Event) {
    if !matches!(event, reelcut_core::Event::JobDone { .. }) {
        return; // asking for the focus is a round trip to the main thread
    }
    let focused = (app.get_webview_window("main"))
        .and_then(|w| w.is_focused().ok())
        .unwrap_or(false);
    let Some(ready) = notify::clips_ready(event, focused) else {
        return;
    };
    let opener = app.clone();
    notify::send(ready, move |folder| {
        if let Err(e) = opener
            .opener()
            .open_path(folder.to_string_lossy(), None::<&str>)
        {
            tracing::warn!(folder = %folder.display(), error = %e, "clips folder not opened");
        }
    });
}

/// Stops the folder watch, so no new job is submitted to an engine that is stopping.
fn stop_watch(app: &tauri::AppHandle) {
    if let Some(state) = app.try_state::<AppState>() {
        state.watch.stop();
    }
}

/// Stops the engine on the way out: running jobs are interrupted (the next start resumes
/// them) and their stages and Whisper threads end before the process does; exiting with a
/// Whisper thread still running can crash in C++ static destructors. The first exit request
/// is held while a thread waits for the engine, then lets the app go; `Exit` covers an exit
/// that came without a request.
fn on_run_event(app: &tauri::AppHandle, event: RunEvent, stopping: &mut bool) {
    let engine_of = || app.try_state::<AppState>().map(|s| s.engine.clone());
    match event {
        RunEvent::ExitRequested { api, .. } if !*stopping => {
            *stopping = true;
            let Some(engine) = engine_of() else { return };
            api.prevent_exit();
            let handle = app.clone();
            let spawned = std::thread::Builder::new()
                .name("reelcut-shutdown".into())
                .spawn(move || {
                    stop_watch(&handle);
                    tracing::info!(jobs = engine.active_count(), "stopping the engine");
                    let clean = engine.shutdown(SHUTDOWN_GRACE);
                    tracing::info!(clean, "engine stopped");
                    if !clean {
                        // A Whisper thread still runs: leave without the C++ exit
                        // handlers that would crash beneath it (see exit_process).
                        reelcut_engine::exit_process(0);
                    }
                    handle.exit(0);
                });
            if let Err(e) = spawned {
                tracing::warn!(error = %e, "no shutdown thread: stopping the engine here");
                stop_watch(app);
                if let Some(engine) = engine_of() {
                    engine.shutdown(SHUTDOWN_GRACE);
                }
                app.exit(0);
            }
        }
        RunEvent::Exit if !*stopping => {
            *stopping = true;
            stop_watch(app);
            if let Some(engine) = engine_of() {
                if !engine.shutdown(SHUTDOWN_GRACE) {
                    reelcut_engine::exit_process(0);
                }
            }
        }
        _ => {}
    }
}

fn main() {
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .setup(setup)
        .invoke_handler(ipc::handler())
        .build(tauri::generate_context!());
    let app = match app {
        Ok(app) => app,
        Err(e) => {
            eprintln!("reelcut desktop: {e}");
            std::process::exit(1);
        }
    };
    let mut stopping = false;
    app.run(move |app, event| on_run_event(app, event, &mut stopping));
}
