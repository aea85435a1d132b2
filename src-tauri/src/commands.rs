//! The commands the window may call. Each returns in milliseconds: engine calls that could
//! touch the disk (a folder is listed and probed on submit) run on the blocking pool, never
//! on the thread that answers IPC.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use reelcut_core::JobId;
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_opener::OpenerExt;

use crate::engine::Engine;
use crate::error::{CommandError, CommandErrorKind};
use crate::jobs::JobView;
use crate::options::RunRequest;
use crate::settings::{Settings, SettingsFile};
use crate::styles::StylePreview;

pub struct AppState {
    pub engine: Engine,
    pub settings: Mutex<Settings>,
    pub settings_file: SettingsFile,
    /// Folders whose files the window may preview, open and reveal: every output folder
    /// used, plus the engine's work folder.
    pub roots: crate::media::Roots,
    /// Where previews are served (see [`crate::media`]).
    pub media_base: String,
    pub gallery: std::sync::Arc<crate::gallery::GalleryCache>,
}

impl AppState {
    /// Lets previews and open/reveal reach the files in `dir`.
    pub fn allow(&self, dir: &Path) {
        let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
        let mut roots = self.roots.lock().unwrap_or_else(|p| p.into_inner());
        if !roots.contains(&dir) {
            roots.push(dir);
        }
    }

    fn check_inside(&self, path: &str) -> Result<PathBuf, CommandError> {
        let p = std::fs::canonicalize(path)
            .map_err(|e| CommandError::new(CommandErrorKind::NotFound, format!("{path}: {e}")))?;
        let roots = self.roots.lock().unwrap_or_else(|p| p.into_inner());
        if roots.iter().any(|r| p.starts_with(r)) {
            Ok(p)
        } else {
            Err(CommandError::new(
                CommandErrorKind::Forbidden,
                format!("{path} is not in an output folder"),
            ))
        }
    }
}

fn engine_error(e: impl std::fmt::Display) -> CommandError {
    CommandError::new(CommandErrorKind::Engine, e.to_string())
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, CommandError> + Send + 'static,
) -> Result<T, CommandError> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(engine_error)?
}

async fn submit(
    state: State<'_, AppState>,
    inputs: Vec<String>,
    options: RunRequest,
) -> Result<Vec<JobId>, CommandError> {
    let inputs: Vec<String> = inputs
        .into_iter()
        .map(|i| i.trim().to_string())
        .filter(|i| !i.is_empty())
        .collect();
    if inputs.is_empty() {
        return Err(CommandError::invalid("nothing to add"));
    }
    let run = options.to_run_options()?;
    std::fs::create_dir_all(&run.out_dir).map_err(|e| {
        CommandError::new(
            CommandErrorKind::Io,
            format!("output folder {}: {e}", run.out_dir.display()),
        )
    })?;
    state.allow(&run.out_dir);
    let engine = state.engine.clone();
    blocking(move || {
        let mut ids = Vec::new();
        for input in &inputs {
            ids.extend(
                engine
                    .submit(input, &run)
                    .map_err(engine_error)?
                    .into_iter(),
            );
        }
        Ok(ids)
    })
    .await
}

/// Adds one job per URL (a playlist may become several).
#[tauri::command]
pub async fn add_urls(
    state: State<'_, AppState>,
    urls: Vec<String>,
    options: RunRequest,
) -> Result<Vec<JobId>, CommandError> {
    if let Some(bad) = urls
        .iter()
        .map(|u| u.trim())
        .find(|u| !u.is_empty() && !reelcut_engine::is_url(u))
    {
        return Err(CommandError::invalid(format!("not a URL: {bad}")));
    }
    submit(state, urls, options).await
}

/// Adds files (one job each) and folders (one job per video found in them).
#[tauri::command]
pub async fn add_paths(
    state: State<'_, AppState>,
    paths: Vec<String>,
    options: RunRequest,
) -> Result<Vec<JobId>, CommandError> {
    submit(state, paths, options).await
}

#[tauri::command]
pub async fn cancel(state: State<'_, AppState>, id: JobId) -> Result<(), CommandError> {
    let engine = state.engine.clone();
    blocking(move || engine.cancel(id).map_err(engine_error)).await
}

#[tauri::command]
pub async fn retry(state: State<'_, AppState>, id: JobId) -> Result<(), CommandError> {
    let engine = state.engine.clone();
    blocking(move || engine.retry(id).map_err(engine_error)).await
}

/// Forgets a job (cancelling it first if it runs); its clips stay on disk.
#[tauri::command]
pub async fn remove(state: State<'_, AppState>, id: JobId) -> Result<(), CommandError> {
    let engine = state.engine.clone();
    blocking(move || engine.remove(id).map_err(engine_error)).await
}

#[tauri::command]
pub async fn list_jobs(state: State<'_, AppState>) -> Result<Vec<JobView>, CommandError> {
    let engine = state.engine.clone();
    let gallery = state.gallery.clone();
    blocking(move || {
        Ok(engine
            .jobs()
            .map_err(engine_error)?
            .iter()
            .map(|j| JobView::new(j, &gallery))
            .collect())
    })
    .await
}

#[tauri::command]
pub async fn get_settings(state: State<'_, AppState>) -> Result<Settings, CommandError> {
    Ok(state
        .settings
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone())
}

#[tauri::command]
pub async fn set_settings(
    state: State<'_, AppState>,
    settings: Settings,
) -> Result<(), CommandError> {
    state.settings_file.save(&settings)?;
    if !settings.defaults.out_dir.is_empty() {
        state.allow(Path::new(&settings.defaults.out_dir));
    }
    *state.settings.lock().unwrap_or_else(|p| p.into_inner()) = settings;
    Ok(())
}

/// Shows a clip in the file manager.
#[tauri::command]
pub async fn reveal<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    path: String,
) -> Result<(), CommandError> {
    let p = state.check_inside(&path)?;
    app.opener().reveal_item_in_dir(p).map_err(engine_error)
}

/// Opens a clip in the user's default player.
#[tauri::command]
pub async fn open<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    path: String,
) -> Result<(), CommandError> {
    let p = state.check_inside(&path)?;
    app.opener()
        .open_path(p.to_string_lossy(), None::<&str>)
        .map_err(engine_error)
}

/// The built-in caption styles, for the options panel's preview.
#[tauri::command]
pub async fn caption_styles() -> Result<Vec<StylePreview>, CommandError> {
    Ok(crate::styles::presets())
}

/// The preview server's base URL: a clip plays from `base + encodeURIComponent(path)`.
#[tauri::command]
pub async fn media_base(state: State<'_, AppState>) -> Result<String, CommandError> {
    Ok(state.media_base.clone())
}
