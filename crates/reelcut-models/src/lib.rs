//! Whisper model files for Reelcut: the per-user model directory (`<data>/models`) with its
//! `manifest.json`, the official whisper.cpp ggml models and their checksums, and verified,
//! resumable downloads.
//!
//! Heavy work stays out: no Whisper here, only files and HTTP. The speech adapter asks this
//! crate for a model path; the CLI and desktop list, register and install models through it.

mod catalog;
mod download;
mod error;
mod header;
mod manifest;
mod paths;

use std::path::Path;

pub use catalog::{
    official, resolve, resolve_with_base, OfficialModel, Source, DEFAULT_BASE_URL, OFFICIAL,
    OFFICIAL_LICENCE,
};
pub use download::{download, Downloaded};
pub use error::ModelError;
pub use header::{ggml_info, GgmlInfo};
pub use manifest::{sha256_file, Languages, ModelEntry, ModelStore};
pub use paths::{bundled_models_dir, data_dir, models_dir, share_dir};
pub use reelcut_core::CancellationToken;

/// The models registered in the user's store.
pub fn list() -> Result<Vec<ModelEntry>, ModelError> {
    ModelStore::open_default()?.list()
}

/// Where a model was found: the user's store (writable) or the package's (read-only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    User,
    Bundled,
}

/// Every store models are looked up in, in order: the user's (what they imported or
/// downloaded wins), then the package's read-only one.
pub fn stores() -> Result<Vec<(Origin, ModelStore)>, ModelError> {
    let mut stores = vec![(Origin::User, ModelStore::open_default()?)];
    if let Some(dir) = bundled_models_dir() {
        stores.push((Origin::Bundled, ModelStore::new(dir)));
    }
    Ok(stores)
}

/// A model by name from the first store that has it, with that store.
pub fn find(name: &str) -> Result<Option<(Origin, ModelStore, ModelEntry)>, ModelError> {
    for (origin, store) in stores()? {
        if let Some(entry) = store.get(name)? {
            return Ok(Some((origin, store, entry)));
        }
    }
    Ok(None)
}

/// Every model of every store; a name the user's store has hides the package's.
pub fn list_all() -> Result<Vec<(Origin, ModelStore, ModelEntry)>, ModelError> {
    let mut all: Vec<(Origin, ModelStore, ModelEntry)> = Vec::new();
    for (origin, store) in stores()? {
        for entry in store.list()? {
            if !all.iter().any(|(_, _, e)| e.name == entry.name) {
                all.push((origin, store.clone(), entry));
            }
        }
    }
    Ok(all)
}

/// Registers a model file in the user's store (see [`ModelStore::register`]).
pub fn register(
    name: &str,
    file: &Path,
    source: &str,
    licence: &str,
    languages: Languages,
) -> Result<ModelEntry, ModelError> {
    ModelStore::open_default()?.register(name, file, source, licence, languages)
}

impl ModelStore {
    /// Downloads an official model or a URL into this store and registers it. Official
    /// models keep their name, licence and languages; a URL's model is named after its file
    /// (`ggml-` and `.bin` dropped), its licence recorded as "unknown", and taken to be
    /// English-only when the name ends in `.en`.
    ///
    /// Nothing is registered that is not a whisper.cpp ggml model by its header; see
    /// [`ModelStore::install_checked`] to load it too.
    pub fn install(
        &self,
        name_or_url: &str,
        expected_sha256: Option<&str>,
        progress: &mut dyn FnMut(u64, Option<u64>),
        cancel: &CancellationToken,
    ) -> Result<ModelEntry, ModelError> {
        self.install_checked(name_or_url, expected_sha256, progress, cancel, &|_| Ok(()))
    }

    /// [`ModelStore::install`], with `load` run on the downloaded file before it is
    /// registered (the speech adapter loads it for real): a file it rejects is deleted and
    /// reported as [`ModelError::NotAModel`].
    pub fn install_checked(
        &self,
        name_or_url: &str,
        expected_sha256: Option<&str>,
        progress: &mut dyn FnMut(u64, Option<u64>),
        cancel: &CancellationToken,
        load: &dyn Fn(&Path) -> Result<(), String>,
    ) -> Result<ModelEntry, ModelError> {
        let got = download(name_or_url, self.dir(), expected_sha256, progress, cancel)?;
        if let Err(reason) = header::check(&got.path).and_then(|()| load(&got.path)) {
            let _ = std::fs::remove_file(&got.path);
            return Err(ModelError::NotAModel {
                url: got.url,
                reason,
            });
        }
        let (name, licence, languages) = match got.source.official {
            Some(m) => (m.name.to_string(), OFFICIAL_LICENCE, m.languages()),
            None => {
                let stem = got
                    .source
                    .file_name
                    .strip_prefix("ggml-")
                    .unwrap_or(&got.source.file_name);
                let name = stem.strip_suffix(".bin").unwrap_or(stem).to_string();
                let languages = if name.ends_with(".en") {
                    Languages::En
                } else {
                    Languages::Multilingual
                };
                (name, "unknown", languages)
            }
        };
        self.register(&name, &got.path, &got.url, licence, languages)
    }
}
