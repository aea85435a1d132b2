//! `reelcut doctor`: what Reelcut found, where, and how to fix what is missing.

use reelcut_core::health::CheckStatus;
use reelcut_engine::doctor::{health_report, DoctorOptions};
use reelcut_engine::{Assets, EngineConfig};
use serde_json::json;

use crate::args::DoctorArgs;

/// Exit codes: 0 ready (warnings allowed), 1 something a job needs is missing.
pub fn doctor(a: DoctorArgs) -> i32 {
    let state_dir = match &a.state_dir {
        Some(d) => d.clone(),
        None => match EngineConfig::default_for_user() {
            Ok(c) => c.state_dir,
            Err(e) => {
                eprintln!("error: {e}");
                return 1;
            }
        },
    };
    let report = health_report(
        &Assets::locate(),
        &DoctorOptions {
            out_dir: std::path::absolute(&a.out).unwrap_or(a.out.clone()),
            state_dir,
        },
    );
    let ready = report.ready();
    if a.json {
        println!("{}", json!({"ready": ready, "checks": report.checks}));
    } else {
        for c in &report.checks {
            let tag = match c.status {
                CheckStatus::Ok => "ok",
                CheckStatus::Warning => "warning",
                CheckStatus::Missing => "MISSING",
            };
            println!("{tag:<8} {:<40} {}", c.label, c.found);
            if let Some(fix) = &c.fix {
                println!("{:<8} {:<40} fix: {fix}", "", "");
            }
        }
        println!(
            "{}",
            if ready {
                "Reelcut is ready."
            } else {
                "Something Reelcut needs is missing (see MISSING above)."
            }
        );
    }
    if ready {
        0
    } else {
        1
    }
}
