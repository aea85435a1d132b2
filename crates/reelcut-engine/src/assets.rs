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
const ORT_LIB: &str = ".tools/onnxruntime/libonnxruntime.so.1.32.0";
const CASCADE: &str = "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml";

/// Directories that may hold `assets/`, `models/` and `.tools/`, in this order: the installed
/// layout next to the executable (`../share/reelcut`), the executable's ancestors (a cargo
/// build inside the repo), the per-user data folder, then the source tree this binary was
/// built from. Never the working folder: a folder of downloaded or unzipped videos could hold
/// a `.tools/onnxruntime/…so` that would be loaded and run, or fonts and models that would
/// replace ours.
fn roots() -> Vec<PathBuf> {
    let mut roots = Vec::new();
    if let Ok(exe) = std::env::current_exe() {
        if let Some(bin) = exe.parent() {
            roots.push(bin.join("../share/reelcut"));
            roots.extend(bin.ancestors().map(Path::to_path_buf));
        }
    }
    if let Ok(data) = reelcut_models::data_dir() {
        roots.push(data);
    }
    roots.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."));
    // A relative entry (an executable started through a relative path on an odd platform)
    // would be resolved against the working folder: left out.
    roots.retain(|r| r.is_absolute());
    roots
}

fn find(env: &str, relative: &str) -> Option<PathBuf> {
    if let Some(p) = (!env.is_empty()).then(|| std::env::var_os(env)).flatten() {
        return Some(PathBuf::from(p));
    }
    roots()
        .into_iter()
        .map(|r| r.join(relative))
        .find(|p| p.exists())
}

impl Assets {
    /// Locates everything; environment variables override: `REELCUT_ASSETS` (the assets
    /// dir), `REELCUT_MODELS` (the models dir), `ORT_DYLIB_PATH` (the ONNX Runtime library),
    /// `REELCUT_CASCADE`.
    pub fn locate() -> Self {
        let fonts = std::env::var_os("REELCUT_ASSETS")
            .map(|a| PathBuf::from(a).join("fonts"))
            .or_else(|| {
                roots()
                    .into_iter()
                    .map(|r| r.join("assets/fonts"))
                    .find(|p| p.join(BOLD_FILE).is_file())
            });
        let mut assets = match fonts {
            Some(f) => Self::from_fonts_dir(&f),
            None => {
                tracing::warn!("bundled fonts not found (run scripts/setup.sh); subtitles will use system fonts");
                Self::without_fonts()
            }
        };
        if let Some(m) = std::env::var_os("REELCUT_MODELS")
            .map(|m| PathBuf::from(m).join(YUNET))
            .or_else(|| find("", &format!("models/{YUNET}")))
        {
            assets.yunet_model = m;
        }
        if let Some(m) = std::env::var_os("REELCUT_MODELS")
            .map(|m| PathBuf::from(m).join(SILERO))
            .or_else(|| find("", &format!("models/{SILERO}")))
        {
            assets.vad_model = m;
        }
        if let Some(lib) = find("ORT_DYLIB_PATH", ORT_LIB) {
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
