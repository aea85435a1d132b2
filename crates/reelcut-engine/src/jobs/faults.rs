//! Faults planted in a stage by the engine's unit tests: a stage that fails, fails for a
//! transient reason, panics, or runs until it is cancelled. Compiled into tests only.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

use reelcut_core::Stage;

use super::JobCtx;
use crate::{EngineError, FetchError};

#[derive(Debug)]
pub(crate) enum Fault {
    /// Fails with a media error (a corrupt input).
    Fail,
    /// Fails the way a 503 does.
    Transient,
    Panic,
    /// Runs until the job's token is cancelled.
    UntilCancelled,
}

impl Fault {
    /// Runs the fault in place of the stage's body.
    pub(crate) fn strike(self, ctx: &JobCtx) -> EngineError {
        match self {
            Fault::Fail => EngineError::Media(reelcut_media::MediaError::Invalid {
                path: ctx.input.clone().into(),
                message: "planted failure".into(),
            }),
            Fault::Transient => FetchError::Transient {
                url: ctx.input.clone(),
                exit: Some(1),
                stderr_tail: "HTTP Error 503: Service Unavailable".into(),
            }
            .into(),
            Fault::Panic => panic!("planted panic in a stage"),
            Fault::UntilCancelled => {
                while !ctx.cancel.is_cancelled() {
                    std::thread::sleep(Duration::from_millis(5));
                }
                EngineError::Cancelled
            }
        }
    }
}

/// Faults waiting for their stage, taken in order.
#[derive(Default)]
pub(crate) struct Faults(Mutex<HashMap<Stage, VecDeque<Fault>>>);

impl Faults {
    pub(crate) fn plant(&self, stage: Stage, fault: Fault) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(stage)
            .or_default()
            .push_back(fault);
    }

    pub(crate) fn take(&self, stage: Stage) -> Option<Fault> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_mut(&stage)?
            .pop_front()
    }
}
