//! A fixed set of loaded detectors shared by every job: a job borrows one, runs it, and
//! gives it back; when all are busy it waits. Models are loaded once, not per clip.

use std::path::PathBuf;
use std::sync::{Condvar, Mutex};

use crate::{CascadeDetector, FaceDetector, VisionError, YuNetDetector};

#[derive(Debug, Clone)]
pub struct DetectorConfig {
    pub onnxruntime: PathBuf,
    pub yunet_model: PathBuf,
    pub cascade: PathBuf,
    /// Detector instances (concurrent analyses).
    pub instances: usize,
    /// ONNX Runtime intra-op threads per instance.
    pub threads: usize,
}

pub struct DetectorPool {
    free: Mutex<Vec<Box<dyn FaceDetector>>>,
    available: Condvar,
    kind: &'static str,
    /// Why YuNet is not used, when it is not.
    pub fallback_reason: Option<String>,
}

impl DetectorPool {
    /// Loads `instances` YuNet detectors, or cascades when YuNet cannot load (logged as a
    /// warning with the reason).
    pub fn new(cfg: &DetectorConfig) -> Result<Self, VisionError> {
        let n = cfg.instances.max(1);
        let mut free: Vec<Box<dyn FaceDetector>> = Vec::with_capacity(n);
        let mut fallback_reason = None;
        for _ in 0..n {
            match YuNetDetector::load(&cfg.onnxruntime, &cfg.yunet_model, cfg.threads) {
                Ok(d) => free.push(Box::new(d)),
                Err(e) => {
                    fallback_reason = Some(e.to_string());
                    break;
                }
            }
        }
        if let Some(reason) = &fallback_reason {
            tracing::warn!(%reason, "YuNet unavailable; falling back to OpenCV's Haar cascade (less accurate)");
            free.clear();
            for _ in 0..n {
                free.push(Box::new(CascadeDetector::load(&cfg.cascade)?));
            }
        }
        let kind = free.first().map_or("none", |d| d.name());
        Ok(Self {
            free: Mutex::new(free),
            available: Condvar::new(),
            kind,
            fallback_reason,
        })
    }

    pub fn kind(&self) -> &'static str {
        self.kind
    }

    /// Runs `f` with a detector, waiting for one if all are busy.
    pub fn with<T>(&self, f: impl FnOnce(&mut dyn FaceDetector) -> T) -> T {
        let mut det = {
            let mut free = self.free.lock().unwrap_or_else(|p| p.into_inner());
            loop {
                if let Some(d) = free.pop() {
                    break d;
                }
                free = self.available.wait(free).unwrap_or_else(|p| p.into_inner());
            }
        };
        let out = f(det.as_mut());
        self.free
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(det);
        self.available.notify_one();
        out
    }
}
