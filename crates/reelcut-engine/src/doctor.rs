//! The health check: everything a job needs, found where, with a fix for each problem.
//! `reelcut doctor` prints it; the desktop app shows it on first start and when a job fails
//! for a missing piece. Each check loads what it checks for real (the ONNX Runtime library,
//! the face model, each Whisper model's header), so "found" means "works here".

use std::path::{Path, PathBuf};

use reelcut_core::health::{Check, CheckStatus, HealthReport};

use crate::Assets;

/// Under this much free space an output or state folder gets a warning: a long input's
/// download, work files and clips need a few gigabytes.
const LOW_DISK: u64 = 2 << 30;

/// Where the report looks for outputs and jobs.
#[derive(Debug, Clone)]
pub struct DoctorOptions {
    pub out_dir: PathBuf,
    pub state_dir: PathBuf,
}

fn check(id: &str, label: &str, status: CheckStatus, found: String, fix: Option<String>) -> Check {
    Check {
        id: id.into(),
        label: label.into(),
        status,
        found,
        fix,
    }
}

const REINSTALL: &str = "reinstall the reelcut package";

/// Runs every check. Takes a second or two (it loads the models once).
pub fn health_report(assets: &Assets, opts: &DoctorOptions) -> HealthReport {
    let mut checks = vec![libav(), encoder()];
    let ort = onnxruntime(assets);
    let ort_ok = ort.status == CheckStatus::Ok;
    checks.push(ort);
    checks.push(face_model(assets, ort_ok));
    checks.push(vad_model(assets, ort_ok));
    checks.extend(fonts(assets));
    checks.extend(whisper());
    checks.push(ytdlp());
    checks.push(disk("disk:out", "Free space for clips", &opts.out_dir));
    checks.push(disk(
        "disk:state",
        "Free space for work files",
        &opts.state_dir,
    ));
    checks.push(job_store(&opts.state_dir));
    HealthReport { checks }
}

fn libav() -> Check {
    let versions = reelcut_media::health::library_versions()
        .into_iter()
        .map(|(name, v)| format!("{name} {v}"))
        .collect::<Vec<_>>()
        .join(", ");
    check("libav", "FFmpeg libraries", CheckStatus::Ok, versions, None)
}

fn encoder() -> Check {
    let all = reelcut_media::health::h264_encoders();
    let describe = |e: &reelcut_media::health::EncoderState| match &e.opens {
        Ok(()) => format!("{} (works)", e.name),
        Err(why) => format!("{} ({why})", e.name),
    };
    let usable: Vec<_> = all.iter().filter(|e| e.used && e.opens.is_ok()).collect();
    let found = all.iter().map(describe).collect::<Vec<_>>().join("; ");
    if usable.is_empty() {
        check(
            "encoder",
            "H.264 encoder",
            CheckStatus::Missing,
            found,
            Some(
                "install Debian's libavcodec59 (it has libx264): sudo apt install libavcodec59"
                    .into(),
            ),
        )
    } else {
        let names: Vec<_> = usable.iter().map(|e| e.name).collect();
        check(
            "encoder",
            "H.264 encoder",
            CheckStatus::Ok,
            format!("renders with {}; {found}", names.join(" or ")),
            None,
        )
    }
}

fn onnxruntime(assets: &Assets) -> Check {
    match reelcut_onnx::environment(&assets.onnxruntime) {
        Ok(_) => check(
            "onnxruntime",
            "ONNX Runtime (face and voice detection)",
            CheckStatus::Ok,
            assets.onnxruntime.display().to_string(),
            None,
        ),
        Err(e) => check(
            "onnxruntime",
            "ONNX Runtime (face and voice detection)",
            CheckStatus::Missing,
            e.to_string(),
            Some(format!(
                "{REINSTALL}, or set ORT_DYLIB_PATH to a libonnxruntime.so.1.32.0"
            )),
        ),
    }
}

/// A model file that needs ONNX Runtime: loaded when the runtime is there, else only found.
fn onnx_model(
    id: &str,
    label: &str,
    path: &Path,
    ort_ok: bool,
    load: impl FnOnce() -> Result<(), String>,
    missing: CheckStatus,
) -> Check {
    let fix = Some(format!(
        "{REINSTALL}, or set REELCUT_MODELS to a folder holding it"
    ));
    if !path.is_file() {
        return check(
            id,
            label,
            missing,
            format!("{} not found", path.display()),
            fix,
        );
    }
    if !ort_ok {
        return check(
            id,
            label,
            missing,
            format!("{} (not loaded: ONNX Runtime is missing)", path.display()),
            Some("see ONNX Runtime above".into()),
        );
    }
    match load() {
        Ok(()) => check(id, label, CheckStatus::Ok, path.display().to_string(), None),
        Err(e) => check(id, label, missing, e, fix),
    }
}

fn face_model(assets: &Assets, ort_ok: bool) -> Check {
    onnx_model(
        "face_model",
        "Face detection model (YuNet)",
        &assets.yunet_model,
        ort_ok,
        || {
            reelcut_vision::YuNetDetector::load(&assets.onnxruntime, &assets.yunet_model, 1)
                .map(drop)
                .map_err(|e| e.to_string())
        },
        CheckStatus::Missing,
    )
}

fn vad_model(assets: &Assets, ort_ok: bool) -> Check {
    // Without it the whole audio is transcribed: slower, more invented words in music.
    onnx_model(
        "vad_model",
        "Voice activity model (Silero VAD)",
        &assets.vad_model,
        ort_ok,
        || {
            reelcut_onnx::vad::Vad::load(&assets.onnxruntime, &assets.vad_model)
                .map(drop)
                .map_err(|e| e.to_string())
        },
        CheckStatus::Warning,
    )
}

fn fonts(assets: &Assets) -> Vec<Check> {
    let Some(dir) = &assets.fonts_dir else {
        return vec![check(
            "fonts",
            "Caption fonts",
            CheckStatus::Missing,
            "the bundled fonts (Montserrat) were not found".into(),
            Some(format!(
                "{REINSTALL}, or set REELCUT_ASSETS to a folder with fonts/"
            )),
        )];
    };
    let mut out = vec![check(
        "fonts",
        "Caption fonts",
        CheckStatus::Ok,
        dir.display().to_string(),
        None,
    )];
    let scripts = dir.join("scripts");
    if !scripts.is_dir() {
        out.push(check(
            "fonts:scripts",
            "Fonts for other scripts (Noto)",
            CheckStatus::Warning,
            format!("{} not found", scripts.display()),
            Some(format!(
                "{REINSTALL}; without them Arabic, Hebrew, Devanagari, Greek and CJK captions \
                 use system fonts"
            )),
        ));
    }
    out
}

fn whisper() -> Vec<Check> {
    let all = match reelcut_models::list_all() {
        Ok(all) => all,
        Err(e) => {
            return vec![check(
                "whisper",
                "Whisper models",
                CheckStatus::Missing,
                e.to_string(),
                Some("fix or remove the manifest named above".into()),
            )]
        }
    };
    let store = reelcut_models::models_dir()
        .map(|d| d.display().to_string())
        .unwrap_or_default();
    let mut out = Vec::new();
    let mut usable = Vec::new();
    for (origin, store, entry) in &all {
        let path = store.path_of(entry);
        let id = format!("whisper:{}", entry.name);
        let label = format!("Whisper model {}", entry.name);
        let place = match origin {
            reelcut_models::Origin::User => "yours",
            reelcut_models::Origin::Bundled => "bundled",
        };
        match reelcut_models::ggml_info(&path) {
            Ok(_) => {
                usable.push(entry.name.clone());
                out.push(check(
                    &id,
                    &label,
                    CheckStatus::Ok,
                    format!(
                        "{} ({:.0} MB, {place})",
                        path.display(),
                        entry.size as f64 / 1e6
                    ),
                    None,
                ));
            }
            Err(why) => out.push(check(
                &id,
                &label,
                CheckStatus::Warning,
                format!("{}: {why}", path.display()),
                Some(format!(
                    "import or download {} again (`reelcut models import` / `models download`)",
                    entry.name
                )),
            )),
        }
    }
    let has = |n: &str| usable.iter().any(|u| u == n);
    let summary = if usable.is_empty() {
        check(
            "whisper",
            "Whisper models",
            CheckStatus::Missing,
            format!("none installed (your models folder: {store})"),
            Some(format!(
                "{REINSTALL}, `reelcut models import DIR|FILE`, or `reelcut models download tiny.en`"
            )),
        )
    } else if !has("base") || !has("tiny.en") {
        let lacking = if has("base") { "tiny.en" } else { "base" };
        check(
            "whisper",
            "Whisper models",
            CheckStatus::Warning,
            format!(
                "{}; `--model auto` wants tiny.en (English) and base (detection, other languages)",
                usable.join(", ")
            ),
            Some(format!(
                "`reelcut models download {lacking}` (or import it)"
            )),
        )
    } else {
        check(
            "whisper",
            "Whisper models",
            CheckStatus::Ok,
            usable.join(", "),
            None,
        )
    };
    out.insert(0, summary);
    out
}

fn ytdlp() -> Check {
    const LABEL: &str = "yt-dlp (URL inputs only)";
    let bin = match crate::find_ytdlp() {
        Ok(b) => b,
        Err(e) => {
            return check(
                "yt-dlp",
                LABEL,
                CheckStatus::Warning,
                "not found".into(),
                Some(e.to_string()),
            )
        }
    };
    match crate::fetch::ytdlp_version(&bin) {
        Ok(v) => check(
            "yt-dlp",
            LABEL,
            CheckStatus::Ok,
            format!("{} {v}", bin.display()),
            None,
        ),
        Err(e) => check(
            "yt-dlp",
            LABEL,
            CheckStatus::Warning,
            bin.display().to_string(),
            Some(e.to_string()),
        ),
    }
}

/// Free bytes on the filesystem that holds `path` (its nearest existing ancestor: an output
/// folder need not exist yet).
pub fn free_space(path: &Path) -> Option<u64> {
    let existing = path.ancestors().find(|p| p.exists())?;
    let c = std::ffi::CString::new(existing.as_os_str().as_encoded_bytes()).ok()?;
    let mut s = std::mem::MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: a NUL-terminated path and a buffer of the right type; read only on success.
    let rc = unsafe { libc::statvfs(c.as_ptr(), s.as_mut_ptr()) };
    if rc != 0 {
        return None;
    }
    // SAFETY: statvfs returned 0, so it filled the struct.
    let s = unsafe { s.assume_init() };
    Some(s.f_bavail.saturating_mul(s.f_frsize))
}

fn disk(id: &str, label: &str, path: &Path) -> Check {
    match free_space(path) {
        Some(free) if free >= LOW_DISK => check(
            id,
            label,
            CheckStatus::Ok,
            format!("{:.1} GB free at {}", free as f64 / 1e9, path.display()),
            None,
        ),
        Some(free) => check(
            id,
            label,
            CheckStatus::Warning,
            format!(
                "only {:.2} GB free at {}",
                free as f64 / 1e9,
                path.display()
            ),
            Some("free some space, or choose another folder".into()),
        ),
        None => check(
            id,
            label,
            CheckStatus::Warning,
            format!("cannot tell the free space at {}", path.display()),
            None,
        ),
    }
}

fn job_store(state_dir: &Path) -> Check {
    let db = state_dir.join("jobs.db");
    const LABEL: &str = "Job store";
    if !db.exists() {
        let creatable = state_dir
            .ancestors()
            .find(|p| p.exists())
            .and_then(|p| std::fs::metadata(p).ok())
            .is_some_and(|m| m.is_dir() && !m.permissions().readonly());
        return if creatable {
            check(
                "job_store",
                LABEL,
                CheckStatus::Ok,
                format!("{} (made by the first job)", db.display()),
                None,
            )
        } else {
            check(
                "job_store",
                LABEL,
                CheckStatus::Missing,
                format!("{} cannot be created", db.display()),
                Some("set REELCUT_STATE_DIR (or --state-dir) to a writable folder".into()),
            )
        };
    }
    match reelcut_store::SqliteStore::open(&db).and_then(|s| {
        use reelcut_core::JobStore;
        s.list()
    }) {
        Ok(jobs) => check(
            "job_store",
            LABEL,
            CheckStatus::Ok,
            format!("{} ({} jobs)", db.display(), jobs.len()),
            None,
        ),
        Err(e) => check(
            "job_store",
            LABEL,
            CheckStatus::Missing,
            format!("{}: {e}", db.display()),
            Some(
                "move the file away (jobs are forgotten, clips stay) or set REELCUT_STATE_DIR"
                    .into(),
            ),
        ),
    }
}
