//! The TypeScript side of the IPC boundary lives in `ui/src/bindings/`, generated: the
//! types by ts-rs from the Rust types here, and the typed command and event wrappers
//! (`commands.ts`, `events.ts`) from the declarations in [`crate::ipc`]. `cargo test` fails
//! when any of them is stale; `UPDATE_BINDINGS=1 cargo test bindings` rewrites them.

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use ts_rs::TS;

    fn check<T: TS + 'static>(dir: &Path, stale: &mut Vec<String>) {
        let text = T::export_to_string().expect("ts-rs renders");
        check_file(&dir.join(format!("{}.ts", T::name())), &text, stale);
    }

    fn check_file(file: &Path, text: &str, stale: &mut Vec<String>) {
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(file, text).expect("write binding");
        } else if std::fs::read_to_string(file).ok().as_deref() != Some(text) {
            stale.push(file.display().to_string());
        }
    }

    fn bindings_dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings")
    }

    #[test]
    fn bindings_are_current() {
        let dir = bindings_dir();
        std::fs::create_dir_all(&dir).expect("bindings dir");
        let mut stale = Vec::new();
        check::<crate::error::CommandError>(&dir, &mut stale);
        check::<crate::error::CommandErrorKind>(&dir, &mut stale);
        check::<crate::options::RunRequest>(&dir, &mut stale);
        check::<crate::options::WatermarkChoice>(&dir, &mut stale);
        check::<crate::options::ClipChoice>(&dir, &mut stale);
        check::<crate::settings::Settings>(&dir, &mut stale);
        check::<crate::jobs::JobView>(&dir, &mut stale);
        check::<crate::gallery::ClipView>(&dir, &mut stale);
        check::<crate::gallery::ReasonView>(&dir, &mut stale);
        check::<crate::styles::StylePreview>(&dir, &mut stale);
        check::<crate::health::FreeSpace>(&dir, &mut stale);
        check::<crate::models::ModelView>(&dir, &mut stale);
        check::<crate::models::ImportedModel>(&dir, &mut stale);
        check::<crate::watcher::WatchNotice>(&dir, &mut stale);
        check::<crate::watcher::WatchNoticeKind>(&dir, &mut stale);
        check::<crate::editor::ClipPlan>(&dir, &mut stale);
        check::<crate::editor::ClipEdit>(&dir, &mut stale);
        check::<crate::editor::PlanPart>(&dir, &mut stale);
        check::<crate::editor::PlanWord>(&dir, &mut stale);
        check::<crate::editor::PlanPin>(&dir, &mut stale);
        check::<crate::editor::ClipFrame>(&dir, &mut stale);
        check::<crate::editor::FrameFace>(&dir, &mut stale);
        // The engine's own types, from reelcut-core's `ts` feature.
        check::<reelcut_core::Event>(&dir, &mut stale);
        check::<reelcut_core::Stage>(&dir, &mut stale);
        check::<reelcut_core::ErrorKind>(&dir, &mut stale);
        check::<reelcut_core::JobId>(&dir, &mut stale);
        check::<reelcut_core::JobStatus>(&dir, &mut stale);
        check::<reelcut_core::Aspect>(&dir, &mut stale);
        check::<reelcut_core::SourceInfo>(&dir, &mut stale);
        check::<reelcut_core::health::HealthReport>(&dir, &mut stale);
        check::<reelcut_core::health::Check>(&dir, &mut stale);
        check::<reelcut_core::health::CheckStatus>(&dir, &mut stale);
        assert!(
            stale.is_empty(),
            "stale TypeScript bindings (run UPDATE_BINDINGS=1 cargo test bindings): {stale:?}"
        );
    }

    /// `commands.ts` and `events.ts`, the only way the UI reaches the shell.
    #[test]
    fn ipc_bindings_are_current() {
        use crate::ipc::{command_specs, event_specs, typescript};
        let dir = bindings_dir();
        let (commands, events) = (command_specs(), event_specs());
        let mut stale = Vec::new();
        check_file(
            &dir.join("commands.ts"),
            &typescript::commands_ts(&commands),
            &mut stale,
        );
        check_file(
            &dir.join("events.ts"),
            &typescript::events_ts(&events),
            &mut stale,
        );
        assert!(
            stale.is_empty(),
            "stale IPC wrappers (run UPDATE_BINDINGS=1 cargo test bindings): {stale:?}"
        );
        // What they import must be bindings that `bindings_are_current` keeps.
        for module in typescript::imported_modules(&commands, &events) {
            let file = dir.join(format!("{module}.ts"));
            assert!(
                file.exists(),
                "{} imports {module}, which is not exported",
                file.display()
            );
        }
    }

    /// The capability grants every command in the list, and nothing that is not one.
    #[test]
    fn capability_grants_exactly_the_commands() {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("capabilities/default.json");
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).expect("capability")).expect("json");
        let mut granted: Vec<String> = json["permissions"]
            .as_array()
            .expect("permissions")
            .iter()
            .filter_map(|p| p.as_str()?.strip_prefix("allow-"))
            .map(|p| p.replace('-', "_"))
            .collect();
        granted.sort();
        let mut commands: Vec<String> = crate::ipc::COMMAND_NAMES
            .iter()
            .map(|c| c.to_string())
            .collect();
        commands.sort();
        assert_eq!(granted, commands, "{}", path.display());
    }
}
