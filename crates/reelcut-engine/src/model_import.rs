//! Adding a Whisper model from a file the user has: a CTranslate2 (faster-whisper) folder is
//! converted to ggml, a ggml file is copied; either is loaded once for real before it is
//! registered in the user's store, so a file whisper.cpp refuses never becomes a model that
//! fails in the middle of a job. The CLI's `models import` and the desktop's "Add a model"
//! both come here.

use std::path::{Path, PathBuf};

use reelcut_models::{Languages, ModelEntry, ModelStore};
use reelcut_whisper::Quantization;

use crate::EngineError;

#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Name to install it under (default: the model's own, e.g. tiny.en, or the file's).
    pub name: Option<String>,
    /// Where the weights came from, recorded in the manifest.
    pub source: Option<String>,
    pub licence: String,
    /// For CTranslate2 folders: f16 as the source holds them, or q8_0 (half the size).
    pub quantize: Quantization,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            name: None,
            source: None,
            licence: "MIT".into(),
            quantize: Quantization::Q8_0,
        }
    }
}

/// What an import did, for the clients to report.
#[derive(Debug, Clone)]
pub struct Imported {
    pub entry: ModelEntry,
    pub file: PathBuf,
    /// "converted from CTranslate2 float16 to q8_0", "copied".
    pub how: String,
}

fn invalid(path: &Path, why: impl std::fmt::Display) -> EngineError {
    EngineError::Model(format!("{}: {why}", path.display()))
}

/// A model name safe as part of a file name in the store.
fn checked_name(name: &str, path: &Path) -> Result<String, EngineError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        && !name.starts_with('.');
    if ok {
        Ok(name.to_string())
    } else {
        Err(invalid(
            path,
            format!("'{name}' cannot be a model name (letters, digits, . - _; up to 64)"),
        ))
    }
}

/// Imports `path` (a CTranslate2 folder or a ggml file) into `store`.
pub fn import_model(
    store: &ModelStore,
    path: &Path,
    opts: &ImportOptions,
) -> Result<Imported, EngineError> {
    std::fs::create_dir_all(store.dir()).map_err(|source| EngineError::Io {
        path: store.dir().to_path_buf(),
        source,
    })?;
    let tmp = store
        .dir()
        .join(format!(".import-{}.bin", std::process::id()));
    let result = convert_or_copy(path, &tmp, opts).and_then(|(model, multilingual, how)| {
        // Loaded for real: whisper.cpp's own checks, not only ours.
        reelcut_whisper::Model::load(&tmp)
            .map_err(|e| invalid(path, format!("the model does not load: {e}")))?;
        let name = checked_name(opts.name.as_deref().unwrap_or(&model), path)?;
        let file = store.dir().join(format!("ggml-{name}.bin"));
        std::fs::rename(&tmp, &file).map_err(|source| EngineError::Io {
            path: file.clone(),
            source,
        })?;
        let languages = if multilingual {
            Languages::Multilingual
        } else {
            Languages::En
        };
        let source = opts
            .source
            .clone()
            .unwrap_or_else(|| format!("{} ({how})", path.display()));
        let entry = store.register(&name, &file, &source, &opts.licence, languages)?;
        Ok(Imported { entry, file, how })
    });
    // Whatever failed, the half-made file goes (a rename that happened leaves nothing here).
    let _ = std::fs::remove_file(&tmp);
    result
}

/// Writes the ggml form of `path` to `tmp`: (the model's name, multilingual, how).
fn convert_or_copy(
    path: &Path,
    tmp: &Path,
    opts: &ImportOptions,
) -> Result<(String, bool, String), EngineError> {
    let meta = std::fs::metadata(path).map_err(|source| EngineError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    if meta.is_dir() {
        if !path.join("model.bin").is_file() {
            return Err(invalid(
                path,
                "not a CTranslate2 model folder (it has no model.bin); give a faster-whisper \
                 model folder or a whisper.cpp ggml file",
            ));
        }
        let report = reelcut_whisper::ct2_to_ggml_with(path, tmp, opts.quantize)
            .map_err(|e| invalid(path, e))?;
        let to = match opts.quantize {
            Quantization::F16 => "f16",
            Quantization::Q8_0 => "q8_0",
        };
        return Ok((
            report.model.clone(),
            report.multilingual,
            format!("converted from CTranslate2 {} to {to}", report.source_dtype),
        ));
    }
    let info = reelcut_models::ggml_info(path).map_err(|why| {
        invalid(
            path,
            format!("not a whisper.cpp model: {why} (a faster-whisper model is a folder: give the folder)"),
        )
    })?;
    std::fs::copy(path, tmp).map_err(|source| EngineError::Io {
        path: tmp.to_path_buf(),
        source,
    })?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = stem.strip_prefix("ggml-").unwrap_or(&stem).to_string();
    Ok((name, info.multilingual, "copied".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_could_leave_the_store_are_refused() {
        let p = Path::new("/m");
        for bad in ["", "../x", ".hidden", "a/b", "a b", &"x".repeat(65)] {
            assert!(checked_name(bad, p).is_err(), "{bad:?}");
        }
        for good in ["tiny.en", "base-q8_0", "my_model.v2"] {
            assert_eq!(checked_name(good, p).ok().as_deref(), Some(good));
        }
    }

    #[test]
    fn a_file_that_is_no_model_is_refused_and_nothing_is_left() {
        let d = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let store = ModelStore::new(d.path().join("models"));
        let page = d.path().join("model.bin");
        std::fs::write(&page, "<!DOCTYPE html><html><head><title>404 Not Found</title></head><body>gone</body></html>").unwrap_or_else(|e| panic!("{e}"));
        let err = import_model(&store, &page, &ImportOptions::default())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("model.bin") && err.contains("text"), "{err}");
        let empty = d.path().join("folder");
        std::fs::create_dir(&empty).unwrap_or_else(|e| panic!("{e}"));
        let err = import_model(&store, &empty, &ImportOptions::default())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("no model.bin"), "{err}");
        let left: Vec<_> = std::fs::read_dir(store.dir())
            .map(|r| r.flatten().map(|e| e.file_name()).collect())
            .unwrap_or_default();
        assert!(left.is_empty(), "{left:?}");
    }
}
