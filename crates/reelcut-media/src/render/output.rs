//! Outputs are written under a hidden temporary name next to the final file and renamed
//! into place only after the trailer is written, so a failed or cancelled render never
//! leaves a half-written clip where a user or a script would pick it up.

use std::path::{Path, PathBuf};

use crate::MediaError;

pub(crate) struct PartialFile {
    tmp: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl PartialFile {
    pub(crate) fn new(target: &Path) -> Result<Self, MediaError> {
        let dir = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|source| MediaError::Io { path: dir.to_path_buf(), source })?;
        let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let tmp = dir.join(format!(".{name}.{}.partial", std::process::id()));
        Ok(Self { tmp, target: target.to_path_buf(), committed: false })
    }

    pub(crate) fn tmp_path(&self) -> &Path {
        &self.tmp
    }

    pub(crate) fn commit(mut self) -> Result<PathBuf, MediaError> {
        std::fs::rename(&self.tmp, &self.target)
            .map_err(|source| MediaError::Io { path: self.target.clone(), source })?;
        self.committed = true;
        Ok(self.target.clone())
    }
}

impl Drop for PartialFile {
    fn drop(&mut self) {
        if !self.committed {
            // The file may not exist yet if we failed before opening it.
            if let Err(e) = std::fs::remove_file(&self.tmp) {
                if e.kind() != std::io::ErrorKind::NotFound {
                    tracing::warn!(path = %self.tmp.display(), error = %e, "could not remove partial output");
                }
            }
        }
    }
}
