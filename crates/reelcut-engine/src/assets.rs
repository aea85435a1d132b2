//! Where the files Reelcut needs at run time live: bundled fonts (libass and drawtext load
//! fonts from here, so renders look the same on every machine), the face model, the ONNX
//! Runtime library and OpenCV's cascades.

use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq)]
pub struct Assets {
    pub fonts_dir: Option<PathBuf>,
    /// Family for SRT/VTT subtitles.
    pub font_family: String,
    /// Font file for text watermarks.
    pub font_file: Option<PathBuf>,
    /// YuNet ONNX model.
    pub yunet_model: PathBuf,
    /// Silero VAD ONNX model.
    pub vad_model: PathBuf,
    /// ONNX Runtime shared library (loaded at run time).
    pub onnxruntime: PathBuf,
    /// OpenCV Haar cascade for the fallback detector.
    pub cascade: PathBuf,
}

const FAMILY: &str = "Montserrat";
/// Under the fonts folder: the Noto faces with links to the Montserrat files.
const SCRIPTS_DIR: &str = "scripts";
const BOLD_FILE: &str = "Montserrat-Bold.ttf";
const YUNET: &str = "yunet/face_detection_yunet_2023mar.onnx";
const SILERO: &str = "silero/silero_vad.onnx";
/// The ONNX Runtime library under a share or data folder.
const ORT_LIB: &str = "lib/libonnxruntime.so.1.32.0";
const CASCADE: &str = "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml";

/// Folders that may hold `assets/`, `models/` and `lib/`, in this order: the share folder
/// (`$REELCUT_SHARE_DIR`, else the installed layout, `../share/reelcut` beside the
/// executable), then the per-user data folder. Never the working folder, the executable's
/// folder or the tree it was built from: a folder of downloaded or unzipped videos could
/// hold a `lib/libonnxruntime.so…` that would be loaded and run, or fonts and models that
/// would replace ours, and an installed package has no source tree. (A source checkout
/// points `REELCUT_SHARE_DIR` at itself: `.cargo/config.toml` does it for `cargo run` and
/// `cargo test`, the scripts for the binaries they start.)
fn roots() -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> = reelcut_models::share_dir().into_iter().collect();
    if let Ok(data) = reelcut_models::data_dir() {
        roots.push(data);
    }
    // A relative entry (REELCUT_DATA_DIR=rel) would be resolved against the working
    // folder: left out.
    roots.retain(|r| r.is_absolute());
    roots
}

/// `env` (an override naming the file or folder itself), else the first root holding
/// `relative` for which `ok` holds.
fn find(env: &str, relative: &str, ok: impl Fn(&Path) -> bool) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(env).filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(p));
    }
    roots()
        .into_iter()
        .map(|r| r.join(relative))
        .find(|p| ok(p))
}

impl Assets {
    /// Locates everything. Environment variables override the search: `REELCUT_ASSETS`
    /// (the assets folder), `REELCUT_MODELS` (the models folder), `ORT_DYLIB_PATH` (the ONNX
    /// Runtime library), `REELCUT_CASCADE`.
    pub fn locate() -> Self {
        let fonts = find("REELCUT_ASSETS", "assets", |p| {
            p.join("fonts").join(BOLD_FILE).is_file()
        })
        .map(|a| a.join("fonts"));
        let mut assets = match fonts {
            Some(f) => Self::from_fonts_dir(&f),
            None => {
                tracing::warn!("bundled fonts not found (see `reelcut doctor`); subtitles will use system fonts");
                Self::without_fonts()
            }
        };
        let models = |file: &str| {
            find("REELCUT_MODELS", "models", |p| p.join(file).is_file()).map(|m| m.join(file))
        };
        if let Some(m) = models(YUNET) {
            assets.yunet_model = m;
        }
        if let Some(m) = models(SILERO) {
            assets.vad_model = m;
        }
        if let Some(lib) = find("ORT_DYLIB_PATH", ORT_LIB, |p| p.is_file()) {
            assets.onnxruntime = lib;
        }
        assets.cascade = std::env::var_os("REELCUT_CASCADE")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(CASCADE));
        assets
    }

    /// The fonts libass should load to draw `text`: the bundled Latin faces alone, or
    /// with the Noto faces of other scripts (`scripts/` beside them, which holds both) when
    /// the text needs one. libass reads every file of its fonts folder into memory when a
    /// render starts; the 20 MB CJK collection would cost every clip a quarter second.
    pub fn fonts_dir_for(&self, text: &str) -> Option<PathBuf> {
        let dir = self.fonts_dir.as_ref()?;
        let scripts = dir.join(SCRIPTS_DIR);
        let needs_noto = text
            .chars()
            .any(|c| reelcut_core::captions::script_of(c).is_some());
        if needs_noto && scripts.is_dir() {
            Some(scripts)
        } else {
            Some(dir.clone())
        }
    }

    pub fn from_fonts_dir(fonts: &Path) -> Self {
        let fonts = fonts.canonicalize().unwrap_or_else(|_| fonts.to_path_buf());
        if !fonts.join(BOLD_FILE).is_file() {
            return Self::without_fonts();
        }
        Self {
            font_file: Some(fonts.join(BOLD_FILE)),
            fonts_dir: Some(fonts),
            ..Self::without_fonts()
        }
    }

    /// No bundled fonts; the face model and ONNX Runtime where nothing was found (names that
    /// fail with a clear "not found", never a path relative to the working folder).
    fn without_fonts() -> Self {
        Self {
            fonts_dir: None,
            font_family: FAMILY.into(),
            font_file: None,
            yunet_model: reelcut_models::data_dir()
                .map(|d| d.join("models").join(YUNET))
                .unwrap_or_else(|_| PathBuf::from("/nonexistent/reelcut").join(YUNET)),
            vad_model: reelcut_models::data_dir()
                .map(|d| d.join("models").join(SILERO))
                .unwrap_or_else(|_| PathBuf::from("/nonexistent/reelcut").join(SILERO)),
            // A bare name: the dynamic loader searches the system's library path only.
            onnxruntime: PathBuf::from("libonnxruntime.so.1.32.0"),
            cascade: PathBuf::from(CASCADE),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_text_in_other_scripts_loads_the_noto_faces() {
        let d = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(d.path().join(BOLD_FILE), b"font").unwrap_or_else(|e| panic!("{e}"));
        let a = Assets::from_fonts_dir(d.path());
        let base = a.fonts_dir.clone();
        // Without the scripts folder everything gets the one folder there is.
        assert_eq!(a.fonts_dir_for("我们今天"), base);
        std::fs::create_dir(d.path().join(SCRIPTS_DIR)).unwrap_or_else(|e| panic!("{e}"));
        let scripts = base.as_ref().map(|b| b.join(SCRIPTS_DIR));
        assert_eq!(
            a.fonts_dir_for("Dialogue: SEVEN green apples, ПРИВЕТ"),
            base
        );
        assert_eq!(a.fonts_dir_for("say 我们今天 now"), scripts);
        assert_eq!(a.fonts_dir_for("مرحبا"), scripts);
    }
}
