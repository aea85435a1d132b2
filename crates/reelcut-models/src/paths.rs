//! Where a user's Reelcut data lives.

use std::ffi::OsString;
use std::path::PathBuf;

use crate::ModelError;

/// `$REELCUT_DATA_DIR`, else `$XDG_DATA_HOME/reelcut`, else `~/.local/share/reelcut`.
pub fn data_dir() -> Result<PathBuf, ModelError> {
    data_dir_from(
        std::env::var_os("REELCUT_DATA_DIR"),
        std::env::var_os("XDG_DATA_HOME"),
        std::env::var_os("HOME"),
    )
}

/// `<data>/models`: model files and their `manifest.json`.
pub fn models_dir() -> Result<PathBuf, ModelError> {
    Ok(data_dir()?.join("models"))
}

/// The XDG rule, from explicit values. Empty variables count as unset, and XDG_DATA_HOME
/// must be absolute (the XDG spec says relative values are to be ignored).
pub(crate) fn data_dir_from(
    reelcut: Option<OsString>,
    xdg: Option<OsString>,
    home: Option<OsString>,
) -> Result<PathBuf, ModelError> {
    let set = |v: Option<OsString>| v.filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(dir) = set(reelcut) {
        return Ok(dir);
    }
    if let Some(xdg) = set(xdg).filter(|p| p.is_absolute()) {
        return Ok(xdg.join("reelcut"));
    }
    set(home)
        .map(|h| h.join(".local/share/reelcut"))
        .ok_or(ModelError::NoDataDir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Option<OsString> {
        Some(v.into())
    }

    #[test]
    fn data_dir_follows_the_override_then_xdg_then_home() {
        assert_eq!(
            data_dir_from(s("/d"), s("/x"), s("/h")).unwrap(),
            PathBuf::from("/d")
        );
        assert_eq!(
            data_dir_from(None, s("/x"), s("/h")).unwrap(),
            PathBuf::from("/x/reelcut")
        );
        assert_eq!(
            data_dir_from(s(""), s("rel"), s("/h")).unwrap(),
            PathBuf::from("/h/.local/share/reelcut")
        );
        assert!(matches!(
            data_dir_from(None, None, None),
            Err(ModelError::NoDataDir)
        ));
    }
}
