//! Reelcut's desktop window: a thin client of reelcut-engine. Commands submit and steer
//! jobs; the engine's typed events reach the page through one Tauri event, throttled.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod bindings;
mod commands;
mod engine;
mod error;
mod forward;
mod gallery;
mod jobs;
mod media;
mod options;
mod settings;
mod styles;

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use tauri::Manager;

use commands::AppState;
use engine::{Engine, EngineConfig};
use settings::{Settings, SettingsFile};

/// How often held-back progress reaches the window (10 updates a second per stage).
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

fn setup(app: &mut tauri::App) -> Result<(), Box<dyn std::error::Error>> {
    let config_dir = match std::env::var_os("REELCUT_CONFIG_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => app.path().app_config_dir()?,
    };
    let settings_file = SettingsFile::new(&config_dir);
    let videos = (app.path().video_dir())
        .or_else(|_| app.path().home_dir().map(|h| h.join("Videos")))
        .ok();
    let settings = settings_file.load(Settings::initial(videos));

    let config = EngineConfig::default_for_user()?;
    let state_dir = config.state_dir.clone();
    std::fs::create_dir_all(&state_dir)?;
    let engine = Engine::open(config, reelcut_engine::Assets::locate())?;
    let roots = media::Roots::default();
    let media = media::MediaServer::start(roots.clone())?;
    let state = AppState {
        engine: engine.clone(),
        settings: Mutex::new(settings.clone()),
        settings_file,
        roots,
        media_base: media.base,
        gallery: Default::default(),
    };
    let handle = app.handle().clone();
    state.allow(&state_dir);
    if !settings.defaults.out_dir.is_empty() {
        state.allow(std::path::Path::new(&settings.defaults.out_dir));
    }
    app.manage(state);

    forward::spawn(engine.subscribe(), handle, PROGRESS_EVERY)?;
    // Jobs a crash or a kill left unfinished go on where they stopped.
    std::thread::spawn(move || match engine.resume_interrupted() {
        Ok(ids) if !ids.is_empty() => tracing::info!(jobs = ids.len(), "resumed interrupted jobs"),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "interrupted jobs not resumed"),
    });
    Ok(())
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .setup(setup)
        .invoke_handler(tauri::generate_handler![
            commands::add_urls,
            commands::add_paths,
            commands::cancel,
            commands::retry,
            commands::remove,
            commands::list_jobs,
            commands::get_settings,
            commands::set_settings,
            commands::reveal,
            commands::open,
            commands::caption_styles,
            commands::media_base,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("reelcut desktop: {e}");
        std::process::exit(1);
    }
}
