//! The model directory and its `manifest.json`: which model files the user has, where they
//! came from, under which licence, and the checksum each was verified against.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::ModelError;

/// Which languages a Whisper model transcribes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Languages {
    /// English only (`*.en` models).
    En,
    Multilingual,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelEntry {
    pub name: String,
    /// Relative to the models directory when the file is inside it, absolute otherwise.
    pub file: String,
    pub size: u64,
    pub sha256: String,
    /// URL or description of where the file came from.
    pub source: String,
    pub licence: String,
    pub languages: Languages,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct ManifestFile {
    version: u32,
    models: Vec<ModelEntry>,
}

const MANIFEST_VERSION: u32 = 1;

/// A models directory (`<data>/models` for the user; any directory in tests).
#[derive(Debug, Clone)]
pub struct ModelStore {
    dir: PathBuf,
}

impl ModelStore {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The user's store, `<data dir>/models` (see [`crate::data_dir`]).
    pub fn open_default() -> Result<Self, ModelError> {
        Ok(Self::new(crate::paths::models_dir()?))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn manifest_path(&self) -> PathBuf {
        self.dir.join("manifest.json")
    }

    /// The registered models; none when there is no manifest yet.
    pub fn list(&self) -> Result<Vec<ModelEntry>, ModelError> {
        Ok(self.read()?.models)
    }

    pub fn get(&self, name: &str) -> Result<Option<ModelEntry>, ModelError> {
        Ok(self.list()?.into_iter().find(|m| m.name == name))
    }

    /// Absolute path of an entry's file.
    pub fn path_of(&self, entry: &ModelEntry) -> PathBuf {
        self.dir.join(&entry.file)
    }

    /// Records `file` as model `name`, replacing an entry of that name. Size and SHA-256 are
    /// measured from the file; the manifest is replaced atomically, so a crash leaves the old
    /// one or the new one, never half of it.
    pub fn register(
        &self,
        name: &str,
        file: &Path,
        source: &str,
        licence: &str,
        languages: Languages,
    ) -> Result<ModelEntry, ModelError> {
        let size = fs::metadata(file).map_err(ModelError::io(file))?.len();
        let sha256 = sha256_file(file)?;
        let stored = match file.strip_prefix(&self.dir) {
            Ok(rel) => rel.to_string_lossy().into_owned(),
            Err(_) => {
                let abs = std::path::absolute(file).map_err(ModelError::io(file))?;
                abs.to_string_lossy().into_owned()
            }
        };
        let entry = ModelEntry {
            name: name.to_string(),
            file: stored,
            size,
            sha256,
            source: source.to_string(),
            licence: licence.to_string(),
            languages,
        };
        let mut manifest = self.read()?;
        manifest.models.retain(|m| m.name != name);
        manifest.models.push(entry.clone());
        manifest.models.sort_by(|a, b| a.name.cmp(&b.name));
        self.write(&manifest)?;
        tracing::info!(model = %entry.name, file = %entry.file, size, "model registered");
        Ok(entry)
    }

    fn read(&self) -> Result<ManifestFile, ModelError> {
        let path = self.manifest_path();
        let text = match fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(ManifestFile {
                    version: MANIFEST_VERSION,
                    models: Vec::new(),
                })
            }
            Err(e) => return Err(ModelError::Io { path, source: e }),
        };
        let manifest: ManifestFile =
            serde_json::from_str(&text).map_err(|e| ModelError::Manifest {
                path: path.clone(),
                reason: e.to_string(),
            })?;
        if manifest.version > MANIFEST_VERSION {
            return Err(ModelError::Manifest {
                path,
                reason: format!(
                    "version {} is newer than this Reelcut understands ({MANIFEST_VERSION})",
                    manifest.version
                ),
            });
        }
        Ok(manifest)
    }

    fn write(&self, manifest: &ManifestFile) -> Result<(), ModelError> {
        fs::create_dir_all(&self.dir).map_err(ModelError::io(&self.dir))?;
        let path = self.manifest_path();
        let tmp = self
            .dir
            .join(format!(".manifest.json.{}.tmp", std::process::id()));
        let json = serde_json::to_string_pretty(&ManifestFile {
            version: MANIFEST_VERSION,
            models: manifest.models.clone(),
        })
        .map_err(|e| ModelError::Manifest {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        let result = (|| {
            let mut f = fs::File::create(&tmp)?;
            f.write_all(json.as_bytes())?;
            f.write_all(b"\n")?;
            f.sync_all()?;
            fs::rename(&tmp, &path)
        })();
        if let Err(source) = result {
            let _ = fs::remove_file(&tmp);
            return Err(ModelError::Io { path, source });
        }
        Ok(())
    }
}

/// Lower-case hex SHA-256 of a file, read in chunks (model files are gigabytes).
pub fn sha256_file(path: &Path) -> Result<String, ModelError> {
    let mut f = fs::File::open(path).map_err(ModelError::io(path))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf).map_err(ModelError::io(path))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn register_measures_the_file_and_replaces_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let store = ModelStore::new(dir.path().join("models"));
        assert!(
            store.list().unwrap().is_empty(),
            "no manifest yet is an empty list"
        );
        fs::create_dir_all(store.dir()).unwrap();
        let file = store.dir().join("ggml-x.bin");
        fs::write(&file, b"abc").unwrap();
        let e = store
            .register("x", &file, "test", "MIT", Languages::En)
            .unwrap();
        assert_eq!(e.file, "ggml-x.bin");
        assert_eq!(e.size, 3);
        assert_eq!(
            e.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        // Outside the directory: stored absolute. Same name: replaced.
        let outside = dir.path().join("other.bin");
        fs::write(&outside, b"").unwrap();
        store
            .register("x", &outside, "elsewhere", "MIT", Languages::Multilingual)
            .unwrap();
        let all = store.list().unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(store.path_of(&all[0]), outside);
        assert_eq!(all[0].languages, Languages::Multilingual);
        let json = fs::read_to_string(store.manifest_path()).unwrap();
        assert!(json.contains("\"languages\": \"multilingual\""), "{json}");
        assert!(fs::read_dir(store.dir()).unwrap().all(|e| !e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .ends_with(".tmp")));
    }

    #[test]
    fn bad_manifest_and_missing_file_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let store = ModelStore::new(dir.path());
        let e = store
            .register("x", &dir.path().join("nope.bin"), "", "", Languages::En)
            .unwrap_err()
            .to_string();
        assert!(e.contains("nope.bin"), "{e}");
        fs::write(store.manifest_path(), "{not json").unwrap();
        let e = store.list().unwrap_err().to_string();
        assert!(e.contains("manifest.json") && e.contains("invalid"), "{e}");
    }
}
