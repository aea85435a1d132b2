//! The saved defaults for new runs and the watched folder, as JSON in the per-user config
//! folder (`~/.config/app.reelcut.desktop/settings.json` on Linux). A missing or unreadable
//! file gives the defaults; a write replaces the file atomically. No file at all means the
//! app's first start (the window then shows the set-up check).

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
    /// A folder whose new videos become jobs with `defaults` (see [`crate::watcher`]); off
    /// when `None`.
    pub watch_folder: Option<String>,
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
            watch_folder: None,
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

    /// Whether settings were ever saved here (false: the app's first start).
    pub fn exists(&self) -> bool {
        self.path.exists()
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
                    // A blank folder is no folder (an older UI could save "").
                    s.watch_folder = s.watch_folder.filter(|f| !f.trim().is_empty());
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
        assert!(!file.exists(), "no file: the first start");

        let mut s = initial.clone();
        s.defaults.aspect = Aspect::Square;
        s.defaults.captions = "pop".into();
        s.watch_folder = Some("/home/me/Incoming".into());
        file.save(&s).expect("saved");
        assert!(file.exists());
        assert_eq!(file.load(initial.clone()), s);
        assert_eq!(
            file.load(initial.clone()).watch_folder.as_deref(),
            Some("/home/me/Incoming"),
            "the watch folder survives a restart"
        );

        // Settings saved before the watch folder existed load with it off; a blank one is off.
        std::fs::write(
            dir.join("nested/settings.json"),
            br#"{"defaults":{"aspect":"1:1"}}"#,
        )
        .expect("write");
        let old = file.load(initial.clone());
        assert_eq!(old.watch_folder, None);
        assert_eq!(old.defaults.aspect, Aspect::Square);
        assert_eq!(old.defaults.out_dir, initial.defaults.out_dir);
        std::fs::write(
            dir.join("nested/settings.json"),
            br#"{"watch_folder":"  "}"#,
        )
        .expect("write");
        assert_eq!(file.load(initial.clone()).watch_folder, None);

        std::fs::write(dir.join("nested/settings.json"), b"{not json").expect("write");
        assert_eq!(file.load(initial.clone()), initial, "broken file: defaults");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
