/// Reads the command names out of the one list of commands (src/ipc/list.rs); the types
/// there only need to parse.
macro_rules! ipc_commands {
    ($( $(#[doc = $doc:literal])* $name:ident { $($inj:ident),* } ( $($arg:ident : $ty:ty),* ) -> $ok:ty ; )*) => {
        &[$(stringify!($name)),*]
    };
}

fn main() {
    // Declaring the app's commands makes each one a permission (`allow-<command>`) that the
    // capability must grant (a test checks capabilities/default.json grants each one): a
    // command added and not granted is unreachable from the page.
    println!("cargo:rerun-if-changed=src/ipc/list.rs");
    let commands: &[&str] = include!("src/ipc/list.rs");
    let manifest = tauri_build::AppManifest::new().commands(commands);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("tauri build script");
}
