//! What is expensive to load and shared by every job of an [`Engine`](crate::Engine): the
//! Whisper models and the face-detector pools. They belong to the engine that loaded them
//! (not to the process), so two engines with different settings do not share one, a failed
//! load is tried again by the next job instead of being remembered, and the engine's
//! shutdown can wait for the work using them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reelcut_onnx::Vad;
use reelcut_vision::{DetectorConfig, DetectorPool};
use reelcut_whisper::Model;

use crate::{Assets, EngineError, TrackOptions};

/// Detector pools differ by what they load and how many instances and threads they run.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct DetectorKey {
    onnxruntime: PathBuf,
    yunet_model: PathBuf,
    cascade: PathBuf,
    instances: usize,
    threads: usize,
}

#[derive(Default)]
pub struct Resources {
    models: Mutex<HashMap<PathBuf, Arc<Model>>>,
    vads: Mutex<HashMap<(PathBuf, PathBuf), Arc<Vad>>>,
    detectors: Mutex<HashMap<DetectorKey, Arc<DetectorPool>>>,
}

impl Resources {
    pub fn new() -> Self {
        Self::default()
    }

    /// The Whisper model at `path`, loaded on first use. whisper.cpp keeps per-transcription
    /// state apart from the weights, so one loaded model serves every job at once.
    pub fn model(&self, path: &Path) -> Result<Arc<Model>, EngineError> {
        let mut map = self.models.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(m) = map.get(path) {
            return Ok(Arc::clone(m));
        }
        let m = Arc::new(Model::load(path)?);
        map.insert(path.to_path_buf(), Arc::clone(&m));
        Ok(m)
    }

    /// The voice activity detector of these assets, loaded on first use; None (with a
    /// warning) when it cannot be loaded: transcription then runs on all of the audio, as
    /// before there was one, rather than failing the job.
    pub(crate) fn vad(&self, assets: &Assets) -> Option<Arc<Vad>> {
        let key = (assets.onnxruntime.clone(), assets.vad_model.clone());
        let mut map = self.vads.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(v) = map.get(&key) {
            return Some(Arc::clone(v));
        }
        match Vad::load(&key.0, &key.1) {
            Ok(v) => {
                let v = Arc::new(v);
                map.insert(key, Arc::clone(&v));
                Some(v)
            }
            Err(e) => {
                tracing::warn!(error = %e, "no voice activity detection: the whole audio is transcribed");
                None
            }
        }
    }

    /// A detector pool for these assets and tracking options, made on first use. A failure
    /// is not kept: the next job tries again (the user may have installed the model since).
    pub(crate) fn detectors(
        &self,
        assets: &Assets,
        opts: &TrackOptions,
    ) -> Result<Arc<DetectorPool>, EngineError> {
        let key = DetectorKey {
            onnxruntime: assets.onnxruntime.clone(),
            yunet_model: assets.yunet_model.clone(),
            cascade: assets.cascade.clone(),
            instances: opts.detectors,
            threads: opts.detector_threads,
        };
        // Held while loading: two jobs starting together load one pool, not two.
        let mut map = self.detectors.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(p) = map.get(&key) {
            return Ok(Arc::clone(p));
        }
        let pool = DetectorPool::new(&DetectorConfig {
            onnxruntime: key.onnxruntime.clone(),
            yunet_model: key.yunet_model.clone(),
            cascade: key.cascade.clone(),
            instances: key.instances,
            threads: key.threads,
        })
        .map(Arc::new)
        .map_err(|source| EngineError::Detector { source })?;
        map.insert(key, Arc::clone(&pool));
        Ok(pool)
    }

    /// Waits up to `timeout` for Whisper threads that were told to stop (a cancelled
    /// transcription returns at once, its thread at the next abort check). Exiting under a
    /// live whisper thread runs C++ static destructors beneath it: a crash at exit.
    pub fn wait_idle(&self, timeout: Duration) -> bool {
        reelcut_whisper::wait_idle(timeout)
    }
}
