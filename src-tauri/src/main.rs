//! Reelcut's desktop window. For now a shell that shows the UI and answers one command;
//! the desktop issue turns it into a client of reelcut-engine's job queue.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

#[derive(serde::Serialize)]
struct AppInfo {
    version: &'static str,
    aspects: Vec<&'static str>,
}

#[tauri::command]
fn app_info() -> AppInfo {
    use reelcut_core::Aspect;
    AppInfo {
        version: env!("CARGO_PKG_VERSION"),
        aspects: [Aspect::Vertical, Aspect::Square, Aspect::Portrait, Aspect::Landscape].iter().map(|a| a.as_str()).collect(),
    }
}

fn main() {
    let result = tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![app_info])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("reelcut desktop: {e}");
        std::process::exit(1);
    }
}
