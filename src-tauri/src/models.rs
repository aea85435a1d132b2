//! Whisper models as the window shows them: the ones installed (the model choice in the
//! options panel) and "Add a model…", which hands a file or folder the person picked to the
//! engine's import (converted or copied, loaded once, registered in the per-user store).

use std::path::Path;

use reelcut_engine::{ImportOptions, Imported};
use serde::Serialize;
use ts_rs::TS;

use crate::error::CommandError;

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ModelView {
    /// What the options choose it by (`tiny.en`, `base`).
    pub name: String,
    /// Only English (`*.en`), or detects and transcribes other languages.
    pub english_only: bool,
    /// Installed by the user (imported, downloaded) rather than with the package.
    pub user: bool,
    #[ts(type = "number")]
    pub size: u64,
}

/// What "Add a model…" reports on success.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ImportedModel {
    pub name: String,
    /// "converted from CTranslate2 float16 to q8_0", "copied".
    pub how: String,
    /// Where the store keeps it now.
    pub file: String,
}

impl From<Imported> for ImportedModel {
    fn from(i: Imported) -> Self {
        Self {
            name: i.entry.name,
            how: i.how,
            file: i.file.display().to_string(),
        }
    }
}

/// Every installed model, the user's first (a name the user's store has hides the package's).
pub fn list() -> Result<Vec<ModelView>, CommandError> {
    let all = reelcut_models::list_all().map_err(reelcut_engine::EngineError::from)?;
    Ok(all
        .into_iter()
        .map(|(origin, _, e)| ModelView {
            english_only: e.languages == reelcut_models::Languages::En,
            user: origin == reelcut_models::Origin::User,
            size: e.size,
            name: e.name,
        })
        .collect())
}

/// Imports a ggml `.bin` file or a CTranslate2 (faster-whisper) folder into the user's
/// store. Slow (a conversion, then a real load): run it on the blocking pool. Its errors are
/// the engine's, naming the file and the cause, and reach the window verbatim.
pub fn import(path: &Path) -> Result<ImportedModel, CommandError> {
    let store =
        reelcut_models::ModelStore::open_default().map_err(reelcut_engine::EngineError::from)?;
    import_into(&store, path)
}

fn import_into(
    store: &reelcut_models::ModelStore,
    path: &Path,
) -> Result<ImportedModel, CommandError> {
    if !path.is_absolute() {
        return Err(CommandError::invalid(format!(
            "{}: choose the model file or folder (an absolute path is needed)",
            path.display()
        )));
    }
    let imported = reelcut_engine::import_model(store, path, &ImportOptions::default())?;
    tracing::info!(model = %imported.entry.name, how = %imported.how, file = %imported.file.display(), "model imported");
    Ok(imported.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::CommandErrorKind;
    use reelcut_core::ErrorKind;

    /// A file that is no model is refused with the engine's message (file and cause) and
    /// kind; nothing is registered. (A real import is the engine's test and the E2E's.)
    #[test]
    fn a_file_that_is_no_model_is_refused_verbatim() {
        let dir = std::env::temp_dir().join(format!("reelcut-import-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let page = dir.join("ggml-fake.bin");
        std::fs::write(&page, "<html>not found</html>").expect("file");
        // A store of its own: the test never touches the user's models.
        let store = reelcut_models::ModelStore::new(dir.join("models"));
        let e = import_into(&store, &page).expect_err("not a model");
        assert_eq!(
            e.kind,
            CommandErrorKind::Engine(ErrorKind::AssetInvalid),
            "{e}"
        );
        assert!(
            e.message.contains(page.to_str().expect("utf-8")),
            "names the file: {e}"
        );
        assert!(
            e.message.contains("not a whisper.cpp model"),
            "says why: {e}"
        );
        assert_eq!(
            store.list().map(|m| m.len()).ok(),
            Some(0),
            "nothing registered"
        );

        let e = import_into(&store, Path::new("ggml-tiny.bin")).expect_err("relative");
        assert_eq!(e.kind, CommandErrorKind::InvalidRequest);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
