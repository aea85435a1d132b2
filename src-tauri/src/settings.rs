//! The saved defaults for new runs, as JSON in the per-user config folder
//! (`~/.config/app.reelcut.desktop/settings.json` on Linux). A missing or unreadable file
//! gives the defaults; a write replaces the file atomically.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::CommandError;
use crate::options::RunRequest;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct Settings {
    /// The options panel starts from these.
    pub defaults: RunRequest,
}

impl Settings {
    /// Defaults with the output folder under the user's videos (or home) folder.
    pub fn initial(videos_dir: Option<PathBuf>) -> Self {
        let out = videos_dir
            .unwrap_or_else(std::env::temp_dir)
            .join("Reelcut");
        Self {
            defaults: RunRequest {
                out_dir: out.to_string_lossy().into_owned(),
                ..RunRequest::default()
            },
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self::initial(None)
    }
}

pub struct SettingsFile {
    path: PathBuf,
}

impl SettingsFile {
    pub fn new(config_dir: &Path) -> Self {
        Self {
            path: config_dir.join("settings.json"),
        }
    }

    /// The saved settings; `initial` when there are none or they cannot be read (a broken
    /// file is logged and left for the next save to replace).
    pub fn load(&self, initial: Settings) -> Settings {
        match std::fs::read(&self.path) {
            Ok(bytes) => match serde_json::from_slice::<Settings>(&bytes) {
                Ok(mut s) => {
                    if s.defaults.out_dir.is_empty() {
                        s.defaults.out_dir = initial.defaults.out_dir;
                    }
                    s
                }
                Err(e) => {
                    tracing::warn!(path = %self.path.display(), error = %e, "settings unreadable, using defaults");
                    initial
                }
            },
            Err(_) => initial,
        }
    }

    pub fn save(&self, settings: &Settings) -> Result<(), CommandError> {
        let json = serde_json::to_vec_pretty(settings)
            .map_err(|e| CommandError::invalid(e.to_string()))?;
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        reelcut_core::partial::write_atomic(&self.path, &json)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reelcut_core::Aspect;

    #[test]
    fn round_trip_and_fallbacks() {
        let dir = std::env::temp_dir().join(format!("reelcut-settings-{}", std::process::id()));
        let file = SettingsFile::new(&dir.join("nested"));
        let initial = Settings::initial(Some(dir.clone()));
        assert_eq!(file.load(initial.clone()), initial, "no file: defaults");

        let mut s = initial.clone();
        s.defaults.aspect = Aspect::Square;
        s.defaults.captions = "pop".into();
        file.save(&s).expect("saved");
        assert_eq!(file.load(initial.clone()), s);

        std::fs::write(dir.join("nested/settings.json"), b"{not json").expect("write");
        assert_eq!(file.load(initial.clone()), initial, "broken file: defaults");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
