//! The TypeScript types of everything that crosses the IPC boundary live in
//! `ui/src/bindings/`, generated from the Rust types here by ts-rs. `cargo test` fails when
//! they are stale; `UPDATE_BINDINGS=1 cargo test bindings` rewrites them.

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use ts_rs::TS;

    fn check<T: TS + 'static>(dir: &Path, stale: &mut Vec<String>) {
        let file = dir.join(format!("{}.ts", T::name()));
        let text = T::export_to_string().expect("ts-rs renders");
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&file, &text).expect("write binding");
        } else if std::fs::read_to_string(&file).ok().as_deref() != Some(text.as_str()) {
            stale.push(file.display().to_string());
        }
    }

    #[test]
    fn bindings_are_current() {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings");
        std::fs::create_dir_all(&dir).expect("bindings dir");
        let mut stale = Vec::new();
        check::<crate::error::CommandError>(&dir, &mut stale);
        check::<crate::error::CommandErrorKind>(&dir, &mut stale);
        check::<crate::options::RunRequest>(&dir, &mut stale);
        check::<crate::options::AspectChoice>(&dir, &mut stale);
        check::<crate::options::WatermarkChoice>(&dir, &mut stale);
        check::<crate::options::ClipChoice>(&dir, &mut stale);
        check::<crate::settings::Settings>(&dir, &mut stale);
        check::<crate::jobs::JobView>(&dir, &mut stale);
        check::<crate::gallery::ClipView>(&dir, &mut stale);
        check::<crate::gallery::ReasonView>(&dir, &mut stale);
        check::<crate::styles::StylePreview>(&dir, &mut stale);
        // The engine's own types, from reelcut-core's `ts` feature.
        check::<reelcut_core::Event>(&dir, &mut stale);
        check::<reelcut_core::Stage>(&dir, &mut stale);
        check::<reelcut_core::ErrorKind>(&dir, &mut stale);
        check::<reelcut_core::JobId>(&dir, &mut stale);
        check::<reelcut_core::JobStatus>(&dir, &mut stale);
        assert!(
            stale.is_empty(),
            "stale TypeScript bindings (run UPDATE_BINDINGS=1 cargo test bindings): {stale:?}"
        );
    }
}
