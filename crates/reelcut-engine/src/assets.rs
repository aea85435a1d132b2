//! Where bundled fonts live. libass and drawtext load fonts from here so a render looks the
//! same on every machine, whatever fonts the system has.

use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq)]
pub struct Assets {
    pub fonts_dir: Option<PathBuf>,
    /// Family for SRT/VTT subtitles.
    pub font_family: String,
    /// Font file for text watermarks.
    pub font_file: Option<PathBuf>,
}

const FAMILY: &str = "Montserrat";
const BOLD_FILE: &str = "Montserrat-Bold.ttf";

impl Assets {
    /// Looks for `assets/fonts` in `REELCUT_ASSETS`, next to the executable (installed
    /// layout `../share/reelcut/assets`), in its ancestors (a cargo build), then in the source
    /// tree this binary was built from.
    pub fn locate() -> Self {
        let mut candidates: Vec<PathBuf> = Vec::new();
        if let Some(dir) = std::env::var_os("REELCUT_ASSETS") {
            candidates.push(PathBuf::from(dir));
        }
        if let Ok(exe) = std::env::current_exe() {
            if let Some(bin) = exe.parent() {
                candidates.push(bin.join("../share/reelcut/assets"));
                candidates.extend(bin.ancestors().map(|a| a.join("assets")));
            }
        }
        candidates.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets"));
        for c in candidates {
            let fonts = c.join("fonts");
            if fonts.join(BOLD_FILE).is_file() {
                return Self::from_fonts_dir(&fonts);
            }
        }
        tracing::warn!("bundled fonts not found (run scripts/setup.sh); subtitles will use system fonts");
        Self { fonts_dir: None, font_family: FAMILY.into(), font_file: None }
    }

    pub fn from_fonts_dir(fonts: &Path) -> Self {
        let fonts = fonts.canonicalize().unwrap_or_else(|_| fonts.to_path_buf());
        Self { font_file: Some(fonts.join(BOLD_FILE)), fonts_dir: Some(fonts), font_family: FAMILY.into() }
    }
}
