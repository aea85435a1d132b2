//! The set-up check as the window shows it: the engine's health report (the same checks as
//! `reelcut doctor`) for the folders this app uses, the output folder's free space, and
//! which failed jobs point at a missing piece rather than at their input.

use std::path::Path;

use reelcut_core::health::HealthReport;
use reelcut_core::ErrorKind;
use reelcut_engine::doctor::{self, DoctorOptions};
use serde::Serialize;
use ts_rs::TS;

/// Runs every check for the output folder `out_dir` and the engine's `state_dir`. Takes a
/// second or two (it loads the ONNX models and reads each Whisper model): call it off the
/// IPC thread.
pub fn report(assets: &reelcut_engine::Assets, out_dir: &Path, state_dir: &Path) -> HealthReport {
    doctor::health_report(
        assets,
        &DoctorOptions {
            out_dir: out_dir.to_path_buf(),
            state_dir: state_dir.to_path_buf(),
        },
    )
}

/// Free space where clips go, shown under the output folder setting.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct FreeSpace {
    pub path: String,
    /// Free bytes on the filesystem holding `path` (its nearest existing folder: an output
    /// folder is made by the first job); `None` when it cannot be told.
    #[ts(type = "number | null")]
    pub bytes: Option<u64>,
}

pub fn free_space(path: &str) -> FreeSpace {
    FreeSpace {
        path: path.to_string(),
        bytes: doctor::free_space(Path::new(path)),
    }
}

/// Whether a job that failed with `kind` failed for want of a piece of the installation (a
/// model, the face detector, yt-dlp), so its card offers the set-up check.
pub fn needs_setup(kind: Option<ErrorKind>) -> bool {
    matches!(
        kind,
        Some(ErrorKind::AssetInvalid | ErrorKind::Detector | ErrorKind::FetchToolMissing)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_pieces_offer_the_set_up_check() {
        // The kinds the engine gives a missing model, detector or yt-dlp.
        assert!(needs_setup(Some(
            reelcut_engine::EngineError::Model("x".into()).kind()
        )));
        assert!(needs_setup(Some(ErrorKind::Detector)));
        let ytdlp: reelcut_engine::EngineError = reelcut_engine::FetchError::Missing.into();
        assert!(needs_setup(Some(ytdlp.kind())));
        // A download that failed on the network is not a set-up problem.
        assert!(!needs_setup(Some(ErrorKind::Fetch)));
        assert!(!needs_setup(Some(ErrorKind::InputInvalid)));
        assert!(!needs_setup(Some(ErrorKind::Cancelled)));
        assert!(!needs_setup(None));
    }

    #[test]
    fn free_space_of_a_folder_not_made_yet() {
        let dir = std::env::temp_dir().join(format!("reelcut-free-{}", std::process::id()));
        let p = dir.join("not/yet/made");
        let f = free_space(p.to_str().expect("utf-8"));
        assert!(f.bytes.is_some_and(|b| b > 0), "{f:?}");
        let json = serde_json::to_value(&f).expect("serialises");
        assert!(
            json["bytes"].is_u64(),
            "a plain number for the page: {json}"
        );
        assert_eq!(free_space("relative\0nul").bytes, None);
    }

    /// What the window receives: every check with id, label, a snake_case status and found;
    /// a fix for each problem; and the set of checks the panel lists.
    #[test]
    fn report_has_the_shape_the_window_reads() {
        let dir = std::env::temp_dir().join(format!("reelcut-health-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let r = report(
            &reelcut_engine::Assets::locate(),
            &dir.join("out"),
            &dir.join("state"),
        );
        let json = serde_json::to_value(&r).expect("serialises");
        let checks = json["checks"].as_array().expect("checks");
        let ids: Vec<&str> = checks.iter().filter_map(|c| c["id"].as_str()).collect();
        for id in [
            "libav",
            "encoder",
            "onnxruntime",
            "face_model",
            "whisper",
            "yt-dlp",
            "disk:out",
            "disk:state",
            "job_store",
        ] {
            assert!(ids.contains(&id), "{id} missing from {ids:?}");
        }
        for c in checks {
            let status = c["status"].as_str().expect("status");
            assert!(["ok", "warning", "missing"].contains(&status), "{c}");
            assert!(c["label"].as_str().is_some_and(|l| !l.is_empty()), "{c}");
            assert!(c["found"].is_string(), "{c}");
            if status == "missing" {
                assert!(
                    c["fix"].as_str().is_some_and(|f| !f.is_empty()),
                    "a fix: {c}"
                );
            }
        }
        let disk = checks
            .iter()
            .find(|c| c["id"] == "disk:out")
            .expect("disk:out");
        let out = dir.join("out");
        assert!(
            disk["found"]
                .as_str()
                .is_some_and(|f| f.contains(out.to_str().unwrap_or("?"))),
            "the output folder checked is the one given: {disk}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
