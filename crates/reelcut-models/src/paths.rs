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

/// The read-only data an installed Reelcut ships (fonts, face and voice models, the ONNX
/// Runtime library, Whisper models): `$REELCUT_SHARE_DIR`, else `../share/reelcut` beside
/// the executable (the package's `usr/bin` -> `usr/share/reelcut`). None when neither is
/// there. Never the working folder nor the tree the binary was built from: a package has no
/// source tree, and a folder of someone else's videos must not supply code or models.
pub fn share_dir() -> Option<PathBuf> {
    share_dir_from(
        std::env::var_os("REELCUT_SHARE_DIR"),
        std::env::current_exe().ok(),
    )
}

/// `<share>/models/whisper`: the Whisper models a package ships, with their manifest.
pub fn bundled_models_dir() -> Option<PathBuf> {
    share_dir().map(|s| s.join("models/whisper"))
}

pub(crate) fn share_dir_from(reelcut: Option<OsString>, exe: Option<PathBuf>) -> Option<PathBuf> {
    if let Some(dir) = reelcut.filter(|v| !v.is_empty()).map(PathBuf::from) {
        // Relative would mean "wherever the process happens to be started": refused.
        return dir.is_absolute().then_some(dir);
    }
    let exe = exe?;
    let share = exe.parent()?.parent()?.join("share/reelcut");
    (share.is_absolute() && share.is_dir()).then_some(share)
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
    fn share_dir_is_the_override_or_the_installed_layout_only() {
        let root = tempfile::tempdir().unwrap();
        let bin = root.path().join("usr/bin");
        std::fs::create_dir_all(&bin).unwrap();
        let exe = Some(bin.join("reelcut"));
        assert_eq!(
            share_dir_from(None, exe.clone()),
            None,
            "no share folder installed"
        );
        std::fs::create_dir_all(root.path().join("usr/share/reelcut")).unwrap();
        assert_eq!(
            share_dir_from(None, exe.clone()),
            Some(root.path().join("usr/share/reelcut"))
        );
        assert_eq!(
            share_dir_from(s("/opt/rc"), exe.clone()),
            Some(PathBuf::from("/opt/rc"))
        );
        assert_eq!(
            share_dir_from(s("rel/share"), exe),
            None,
            "relative is refused"
        );
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
