//! One bounded pool per kind of work. A pool is a semaphore: a stage holds a permit while
//! it runs, so downloads, transcriptions and renders of different jobs overlap while each
//! kind stays within what the machine can take.

use std::sync::Arc;

use reelcut_core::Stage;
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;

/// Workers per stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolSizes {
    /// Network-bound: several downloads at once cost little CPU.
    pub fetch: usize,
    /// Each transcription already uses every core (Whisper threads).
    pub transcribe: usize,
    /// Face analysis: decode + detector, about one core each.
    pub analyse: usize,
    /// Renders: x264 is multi-threaded, so about one per two cores.
    pub render: usize,
}

impl PoolSizes {
    /// Sizes for this machine's cores.
    pub fn for_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self {
            fetch: 3,
            transcribe: (cores / 8).clamp(1, 2),
            analyse: (cores / 4).max(1),
            render: (cores / 2).max(1),
        }
    }
}

impl Default for PoolSizes {
    fn default() -> Self {
        Self::for_machine()
    }
}

pub(crate) struct Pools {
    pub fetch: Arc<Semaphore>,
    pub transcribe: Arc<Semaphore>,
    pub analyse: Arc<Semaphore>,
    pub render: Arc<Semaphore>,
    /// Jobs in flight at once (`--jobs`): bounds memory (decoded audio, analysis frames)
    /// however many are queued.
    pub jobs: Arc<Semaphore>,
}

impl Pools {
    pub(crate) fn new(sizes: PoolSizes, jobs: usize) -> Self {
        let s = |n: usize| Arc::new(Semaphore::new(n.max(1)));
        Self {
            fetch: s(sizes.fetch),
            transcribe: s(sizes.transcribe),
            analyse: s(sizes.analyse),
            render: s(sizes.render),
            jobs: s(jobs),
        }
    }

    /// The pool a stage runs in; cheap stages (probe, select) run without one.
    pub(crate) fn of(&self, stage: Stage) -> Option<&Arc<Semaphore>> {
        match stage {
            Stage::Fetch => Some(&self.fetch),
            Stage::Transcribe => Some(&self.transcribe),
            Stage::Analyse => Some(&self.analyse),
            Stage::Render => Some(&self.render),
            Stage::Probe | Stage::Select => None,
        }
    }
}
