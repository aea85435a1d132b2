// The commands the window may call, in one list. Not a module: `include!`d by build.rs
// (each command becomes a permission), by ipc/mod.rs (the invoke handler, a compile-time
// check that each entry matches its function in commands.rs, and the TypeScript wrappers in
// ui/src/bindings/commands.ts) and checked against capabilities/default.json by a test.
//
// An entry: `name { injected } (argument: Type, ...) -> Ok type;`. `injected` names what
// Tauri passes the function before the window's arguments (`app`, `state`); every command
// fails with a `CommandError`.
ipc_commands! {
    /// Adds one job per URL in pasted text (words that are not URLs are ignored; none at all
    /// is an `invalid_request`). A playlist may become several jobs.
    add_urls { state } (text: String, options: RunRequest) -> Vec<JobId>;
    /// Adds files (one job each) and folders (one job per video found in them).
    add_paths { state } (paths: Vec<String>, options: RunRequest) -> Vec<JobId>;
    /// Stops a job (`job_not_found` for an unknown id).
    cancel { state } (id: JobId) -> ();
    /// Queues a failed or cancelled job again (`job_busy` for one that runs).
    retry { state } (id: JobId) -> ();
    /// Forgets a job (cancelling it first if it runs); its clips stay on disk.
    remove { state } (id: JobId) -> ();
    /// Every job the engine knows, as the window shows them.
    list_jobs { state } () -> Vec<JobView>;
    get_settings { state } () -> Settings;
    /// Saves the defaults for new runs and the watched folder (starting, replacing or
    /// stopping its watch).
    set_settings { app, state } (settings: Settings) -> ();
    /// Whether this is the app's first start (no settings had been saved).
    first_start { state } () -> bool;
    /// The set-up check (`reelcut doctor`'s checks) for the current output folder. Takes a
    /// second or two.
    health_check { state } () -> HealthReport;
    /// Free space for the folder (its nearest existing parent), for the output folder setting.
    free_space {} (path: String) -> FreeSpace;
    /// The installed Whisper models, for the model choice.
    list_models {} () -> Vec<ModelView>;
    /// Imports a whisper.cpp ggml file or a faster-whisper (CTranslate2) folder into the
    /// user's models; slow (a conversion and a load). Errors name the file and the cause.
    import_model {} (path: String) -> ImportedModel;
    /// Shows a clip in the file manager.
    reveal { app, state } (path: String) -> ();
    /// Opens a clip in the user's default player.
    open { app, state } (path: String) -> ();
    /// The built-in caption styles, for the options panel's preview.
    caption_styles {} () -> Vec<StylePreview>;
    /// The preview server's base URL: a clip plays from `base + encodeURIComponent(path)`.
    media_base { state } () -> String;
    /// A clip's plan for the editor: its parts, its words and the transcript around it.
    clip_plan { state } (output: String) -> ClipPlan;
    /// Saves an edit of a clip into its clips.json and renders that clip again (only it)
    /// through the engine; resolves with the clip as the gallery now shows it. An edit the
    /// engine refuses names the field (`invalid_options`), and nothing is rendered.
    render_edit { state } (output: String, edit: ClipEdit) -> ClipView;
    /// Makes a fast low-resolution preview of an edit; the clip and its clips.json are left
    /// as they were (the edit is saved when it is rendered); resolves with the preview's
    /// path, beside the clip.
    preview_edit { state } (output: String, edit: ClipEdit) -> String;
    /// Exports a clip for an editor (`format`: "otio", "fcpxml" or "edl") beside it, as
    /// clip-NN.otio etc., referencing the source media; resolves with the file's path.
    export_clip { state } (output: String, format: String) -> String;
    /// The source frame `at` seconds into a clip (a PNG beside it) and the faces of its
    /// shot, source pixels: where the editor pins the framing to a person or a fixed crop.
    clip_frame { state } (output: String, at: f64) -> ClipFrame;
}
