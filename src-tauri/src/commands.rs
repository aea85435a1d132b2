//! The commands the window may call (declared for the window in `ipc/list.rs`). Each
//! returns in milliseconds: engine calls that could touch the disk (a folder is listed and
//! probed on submit) run on the blocking pool, never on the thread that answers IPC.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use reelcut_core::{ErrorKind, JobId};
use tauri::{AppHandle, Manager, Runtime, State};
use tauri_plugin_opener::OpenerExt;

use crate::engine::Engine;
use crate::error::{CommandError, CommandErrorKind};
use crate::health::FreeSpace;
use crate::jobs::JobView;
use crate::models::{ImportedModel, ModelView};
use crate::options::RunRequest;
use crate::settings::{Settings, SettingsFile};
use crate::styles::StylePreview;
use crate::watcher::FolderWatch;

pub struct AppState {
    pub engine: Engine,
    /// What the engine was opened with: the set-up check looks at the same files.
    pub assets: reelcut_engine::Assets,
    /// The engine's job store and work files.
    pub state_dir: PathBuf,
    /// No settings had been saved when the app started.
    pub first_start: bool,
    /// The watched folder's watch (see [`apply_watch`]).
    pub watch: FolderWatch,
    pub settings: Mutex<Settings>,
    pub settings_file: SettingsFile,
    /// Folders whose files the window may preview, open and reveal: the clips folders of
    /// the engine's jobs (see [`clip_folders`]) and the engine's state folder. They grow
    /// from job records only, never from a path the page sends: a script in the page could
    /// otherwise name `/` and read any file through the preview server.
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
        let inside = |roots: &crate::media::Roots| {
            let roots = roots.lock().unwrap_or_else(|p| p.into_inner());
            roots.iter().any(|r| p.starts_with(r))
        };
        if !inside(&self.roots) {
            // A job that just finished: its folder is allowed when the window lists the jobs
            // after its event, and a click can come first. The job records say again.
            if let Ok(jobs) = self.engine.jobs() {
                for dir in clip_folders(&jobs) {
                    self.allow(&dir);
                }
            }
        }
        if inside(&self.roots) {
            Ok(p)
        } else {
            Err(CommandError::new(
                CommandErrorKind::Forbidden,
                format!("{path} is not in an output folder"),
            ))
        }
    }
}

/// The folders holding jobs' clips: each manifest's folder and each output's. A job record
/// is the engine's own, written from what it rendered.
pub fn clip_folders(jobs: &[crate::engine::JobSummary]) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    let files = jobs
        .iter()
        .flat_map(|j| j.manifest.iter().chain(j.outputs.iter()));
    for file in files {
        if let Some(dir) = Path::new(file).parent().filter(|d| d.is_absolute()) {
            if !dirs.iter().any(|d| d == dir) {
                dirs.push(dir.to_path_buf());
            }
        }
    }
    dirs
}

/// Whether `open` hands `path` to the desktop's default application: videos and images
/// only. A script, a `.desktop` file or an executable inside an output folder is never run.
pub fn openable(path: &Path) -> bool {
    crate::media::is_media(path) && path.is_file()
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, CommandError> + Send + 'static,
) -> Result<T, CommandError> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| CommandError::engine(ErrorKind::Internal, e.to_string()))?
}

fn open_failed(e: tauri_plugin_opener::Error) -> CommandError {
    CommandError::new(CommandErrorKind::OpenFailed, e.to_string())
}

/// The URLs in pasted text: one per line or separated by spaces, by the engine's own test
/// ([`reelcut_core::is_url`]); the other words are ignored.
pub fn urls_in(text: &str) -> Vec<String> {
    text.split_whitespace()
        .filter(|w| reelcut_core::is_url(w))
        .map(str::to_string)
        .collect()
}

/// The engine's options for `options`, with the output folder made: what every submission
/// (a command, the watched folder) goes through.
fn prepare(options: &RunRequest) -> Result<reelcut_engine::RunOptions, CommandError> {
    let run = options.to_run_options()?;
    std::fs::create_dir_all(&run.out_dir).map_err(|e| {
        CommandError::engine(
            ErrorKind::Io,
            format!("output folder {}: {e}", run.out_dir.display()),
        )
    })?;
    Ok(run)
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
    let run = prepare(&options)?;
    let engine = state.engine.clone();
    blocking(move || {
        let mut ids = Vec::new();
        for input in &inputs {
            ids.extend(engine.submit(input, &run)?);
        }
        Ok(ids)
    })
    .await
}

#[tauri::command]
pub async fn add_urls(
    state: State<'_, AppState>,
    text: String,
    options: RunRequest,
) -> Result<Vec<JobId>, CommandError> {
    let urls = urls_in(&text);
    if urls.is_empty() {
        return Err(CommandError::invalid(
            "Paste a link that starts with http:// or https://",
        ));
    }
    submit(state, urls, options).await
}

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
    blocking(move || Ok(engine.cancel(id)?)).await
}

#[tauri::command]
pub async fn retry(state: State<'_, AppState>, id: JobId) -> Result<(), CommandError> {
    let engine = state.engine.clone();
    blocking(move || Ok(engine.retry(id)?)).await
}

#[tauri::command]
pub async fn remove(state: State<'_, AppState>, id: JobId) -> Result<(), CommandError> {
    let engine = state.engine.clone();
    blocking(move || Ok(engine.remove(id)?)).await
}

#[tauri::command]
pub async fn list_jobs(state: State<'_, AppState>) -> Result<Vec<JobView>, CommandError> {
    let engine = state.engine.clone();
    let gallery = state.gallery.clone();
    let jobs = blocking(move || Ok(engine.jobs()?)).await?;
    // The window lists jobs after every job event: a finished job's clips become
    // previewable here, before the window can ask for them.
    for dir in clip_folders(&jobs) {
        state.allow(&dir);
    }
    blocking(move || Ok(jobs.iter().map(|j| JobView::new(j, &gallery)).collect())).await
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
pub async fn set_settings<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    settings: Settings,
) -> Result<(), CommandError> {
    state.settings_file.save(&settings)?;
    *state.settings.lock().unwrap_or_else(|p| p.into_inner()) = settings.clone();
    // A changed watch folder (or output folder, which the watch ignores) replaces the watch;
    // stopping the old one waits for its thread.
    blocking(move || {
        let state = app.state::<AppState>();
        apply_watch(&app, &state, &settings);
        Ok(())
    })
    .await
}

/// Runs the watch `settings` ask for (see [`crate::watcher`]): its ready videos are
/// submitted with the options the window has at that moment, and what it says reaches the
/// window as [`crate::ipc::WATCH_EVENT`].
pub fn apply_watch<R: Runtime>(app: &AppHandle<R>, state: &AppState, settings: &Settings) {
    let spec = crate::watcher::spec_for(
        settings.watch_folder.as_deref(),
        &settings.defaults.out_dir,
        &state.state_dir,
    );
    let emit = |app: &AppHandle<R>, notice: &crate::watcher::WatchNotice| {
        if let Err(e) = crate::ipc::WATCH_EVENT.emit_to(app, "main", notice) {
            tracing::warn!(error = %e, "watch notice not delivered");
        }
    };
    let (on_event_app, on_error_app) = (app.clone(), app.clone());
    let started = state.watch.apply(
        spec,
        move |event| {
            let app = &on_event_app;
            let notice = crate::watcher::handle(event, |path| {
                let state = app.state::<AppState>();
                let options = state
                    .settings
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .defaults
                    .clone();
                let run = prepare(&options)?;
                Ok(state.engine.submit(&path.to_string_lossy(), &run)?)
            });
            emit(app, &notice);
        },
        move |folder, e| {
            let notice = crate::watcher::WatchNotice {
                kind: crate::watcher::WatchNoticeKind::Failed,
                path: folder.display().to_string(),
                message: format!("Not watching {}: {e}", folder.display()),
            };
            emit(&on_error_app, &notice);
        },
    );
    if let Err(e) = started {
        tracing::warn!(error = %e, "no thread for the folder watch");
    }
}

#[tauri::command]
pub async fn first_start(state: State<'_, AppState>) -> Result<bool, CommandError> {
    Ok(state.first_start)
}

#[tauri::command]
pub async fn health_check(
    state: State<'_, AppState>,
) -> Result<reelcut_core::health::HealthReport, CommandError> {
    let out_dir = (state.settings.lock().unwrap_or_else(|p| p.into_inner()))
        .defaults
        .out_dir
        .clone();
    let (assets, state_dir) = (state.assets.clone(), state.state_dir.clone());
    blocking(move || {
        Ok(crate::health::report(
            &assets,
            Path::new(&out_dir),
            &state_dir,
        ))
    })
    .await
}

#[tauri::command]
pub async fn free_space(path: String) -> Result<FreeSpace, CommandError> {
    blocking(move || Ok(crate::health::free_space(&path))).await
}

#[tauri::command]
pub async fn list_models() -> Result<Vec<ModelView>, CommandError> {
    blocking(crate::models::list).await
}

#[tauri::command]
pub async fn import_model(path: String) -> Result<ImportedModel, CommandError> {
    blocking(move || crate::models::import(Path::new(&path))).await
}

#[tauri::command]
pub async fn reveal<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    path: String,
) -> Result<(), CommandError> {
    let p = state.check_inside(&path)?;
    app.opener().reveal_item_in_dir(p).map_err(open_failed)
}

#[tauri::command]
pub async fn open<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    path: String,
) -> Result<(), CommandError> {
    let p = state.check_inside(&path)?;
    if !openable(&p) {
        return Err(CommandError::new(
            CommandErrorKind::Forbidden,
            format!("{path}: only videos and images are opened"),
        ));
    }
    app.opener()
        .open_path(p.to_string_lossy(), None::<&str>)
        .map_err(open_failed)
}

#[tauri::command]
pub async fn caption_styles() -> Result<Vec<StylePreview>, CommandError> {
    Ok(crate::styles::presets())
}

#[tauri::command]
pub async fn clip_plan(
    state: State<'_, AppState>,
    output: String,
) -> Result<crate::editor::ClipPlan, CommandError> {
    let path = state.check_inside(&output)?;
    blocking(move || crate::editor::clip_plan(&path)).await
}

#[tauri::command]
pub async fn render_edit(
    state: State<'_, AppState>,
    output: String,
    edit: crate::editor::ClipEdit,
) -> Result<crate::gallery::ClipView, CommandError> {
    let path = state.check_inside(&output)?;
    let engine = state.engine.clone();
    blocking(move || {
        let (manifest, index) = crate::editor::save_edit(&path, &edit)?;
        let how = reelcut_engine::PlanRender {
            only: vec![index],
            job: crate::editor::job_of(&engine, &manifest),
            ..Default::default()
        };
        engine.render_plan(&manifest, &how, &reelcut_engine::CancellationToken::new())?;
        // The gallery's cache reads the manifest again: its modification time changed.
        crate::editor::clip_view(&manifest, index)
    })
    .await
}

#[tauri::command]
pub async fn preview_edit(
    state: State<'_, AppState>,
    output: String,
    edit: crate::editor::ClipEdit,
) -> Result<String, CommandError> {
    let path = state.check_inside(&output)?;
    let engine = state.engine.clone();
    blocking(move || {
        // The edit is previewed, not saved: clips.json changes when it is rendered.
        let (manifest, plan, index) = crate::editor::previewed_plan(&path, &edit)?;
        let how = reelcut_engine::PlanRender {
            only: vec![index],
            preview: true,
            job: crate::editor::job_of(&engine, &manifest),
            plan: Some(plan),
            ..Default::default()
        };
        let done =
            engine.render_plan(&manifest, &how, &reelcut_engine::CancellationToken::new())?;
        done.into_iter()
            .next()
            .map(|c| c.output.to_string_lossy().into_owned())
            .ok_or_else(|| CommandError::invalid("nothing was previewed"))
    })
    .await
}

#[tauri::command]
pub async fn export_clip(
    state: State<'_, AppState>,
    output: String,
    format: String,
) -> Result<String, CommandError> {
    let path = state.check_inside(&output)?;
    blocking(move || crate::editor::export_clip(&path, &format)).await
}

#[tauri::command]
pub async fn clip_frame(
    state: State<'_, AppState>,
    output: String,
    at: f64,
) -> Result<crate::editor::ClipFrame, CommandError> {
    let path = state.check_inside(&output)?;
    blocking(move || crate::editor::clip_frame(&path, at)).await
}

#[tauri::command]
pub async fn media_base(state: State<'_, AppState>) -> Result<String, CommandError> {
    Ok(state.media_base.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn previews_reach_clip_folders_from_job_records_only() {
        let job = |manifest: Option<&str>, outputs: &[&str]| crate::engine::JobSummary {
            id: JobId(1),
            key: "k".into(),
            input: "/v/a.mp4".into(),
            title: "a".into(),
            options: "{}".into(),
            status: reelcut_core::JobStatus::Done,
            stage: None,
            attempts: 1,
            error: None,
            error_kind: None,
            work_dir: "/s/jobs/1".into(),
            outputs: outputs.iter().map(|o| o.to_string()).collect(),
            manifest: manifest.map(str::to_string),
            cancel_requested: false,
            owner: None,
            created: 0.0,
            updated: 0.0,
            heartbeat: 0.0,
        };
        let jobs = [
            job(
                Some("/out/a/clips.json"),
                &["/out/a/clip-01.mp4", "/out/a/clip-02.mp4"],
            ),
            job(None, &["/out/b/clip-01.mp4"]),
            job(None, &["relative/clip-01.mp4"]),
            job(None, &[]),
        ];
        assert_eq!(
            clip_folders(&jobs),
            [PathBuf::from("/out/a"), PathBuf::from("/out/b")]
        );
    }

    #[test]
    fn open_hands_over_videos_and_images_only() {
        let dir = std::env::temp_dir().join(format!("reelcut-open-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        for (name, ok) in [
            ("clip-01.mp4", true),
            ("frame.PNG", true),
            ("run.sh", false),
            ("app.desktop", false),
            ("clips.json", false),
            ("noext", false),
        ] {
            let p = dir.join(name);
            std::fs::write(&p, b"x").expect("file");
            assert_eq!(openable(&p), ok, "{name}");
        }
        assert!(!openable(&dir.join("missing.mp4")));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn urls_by_the_engines_rule() {
        assert_eq!(
            urls_in("see https://example.com/v/1 and\nHTTP://example.com/2  ftp://x /v/a.mp4"),
            ["https://example.com/v/1", "HTTP://example.com/2"]
        );
        assert!(urls_in("not a link").is_empty());
    }

    /// What cancel, retry and remove answer for a job that is not there: the engine's kind.
    #[test]
    fn unknown_jobs_are_job_not_found() {
        let dir = std::env::temp_dir().join(format!("reelcut-commands-{}", std::process::id()));
        let config = crate::engine::EngineConfig {
            state_dir: dir.clone(),
            ..crate::engine::EngineConfig::default_for_user().expect("config")
        };
        std::fs::create_dir_all(&dir).expect("state dir");
        let engine = Engine::open(config, reelcut_engine::Assets::locate()).expect("engine");
        let id = JobId(424_242);
        let calls: [(
            &str,
            fn(&Engine, JobId) -> Result<(), reelcut_engine::EngineError>,
        ); 3] = [
            ("cancel", Engine::cancel),
            ("retry", Engine::retry),
            ("remove", Engine::remove),
        ];
        for (name, call) in calls {
            let e = CommandError::from(call(&engine, id).expect_err(name));
            assert_eq!(
                e.kind,
                CommandErrorKind::Engine(ErrorKind::JobNotFound),
                "{name}: {e}"
            );
        }
        engine.shutdown(std::time::Duration::from_secs(1));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
