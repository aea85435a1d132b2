fn main() {
    // Declaring the app's commands makes each one a permission (`allow-<command>`) that the
    // capability must grant: a command added here and not granted is unreachable from the page.
    let commands = tauri_build::AppManifest::new().commands(&[
        "add_urls",
        "add_paths",
        "cancel",
        "retry",
        "remove",
        "list_jobs",
        "get_settings",
        "set_settings",
        "reveal",
        "open",
        "caption_styles",
        "media_base",
    ]);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(commands))
        .expect("tauri build script");
}
