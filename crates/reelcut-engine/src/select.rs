//! The Select stage: an input's transcript and audio in, the clips worth cutting out. The
//! scoring is core's ([`reelcut_core::select`]); this adds what needs the media adapter (the
//! loudness envelope) and the network (the optional re-rank).

use std::path::Path;

use reelcut_core::select::{select_clips, SelectParams};
use reelcut_core::{CancellationToken, Transcript};
use reelcut_media::MediaError;
use serde::{Deserialize, Serialize};

use crate::rerank::{rerank, RerankConfig};
use crate::EngineError;

pub use reelcut_core::select::{ChosenClip, Loudness, Reason, Signal};

/// What to choose. `Default`: 3 clips of 20–60 s, no re-rank.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SelectOptions {
    pub count: usize,
    pub min_seconds: f64,
    pub max_seconds: f64,
    /// Ask an OpenAI-compatible endpoint to re-order the offline candidates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rerank: Option<RerankConfig>,
}

impl Default for SelectOptions {
    fn default() -> Self {
        let p = SelectParams::default();
        SelectOptions {
            count: p.count,
            min_seconds: p.min_seconds,
            max_seconds: p.max_seconds,
            rerank: None,
        }
    }
}

/// How many offline picks the re-rank chooses among: three per wanted clip, so it has a
/// real choice, but few enough for a small local model's context.
fn rerank_pool(count: usize) -> usize {
    (count * 3).clamp(count, count.max(15))
}

/// Up to `opts.count` clips of `input`, best first, not overlapping, each with its score,
/// reasons and excerpt. `transcript` is `input`'s (times in its seconds). The input's audio
/// is decoded once for its loudness (blocking; about a second per ten minutes of audio);
/// if that fails for any reason but cancellation, selection goes on without the energy
/// signal.
pub fn choose_clips(
    input: &Path,
    transcript: &Transcript,
    opts: &SelectOptions,
    cancel: &CancellationToken,
) -> Result<Vec<ChosenClip>, EngineError> {
    let loudness = match reelcut_media::loudness(input, cancel) {
        Ok(l) => Some(l),
        Err(MediaError::Cancelled) => return Err(MediaError::Cancelled.into()),
        Err(e) => {
            tracing::warn!(input = %input.display(), error = %e,
                "no loudness envelope; choosing clips without the energy signal");
            None
        }
    };
    choose_from(transcript, loudness.as_ref(), opts, cancel)
}

/// [`choose_clips`] with the envelope already measured (or none).
pub fn choose_from(
    transcript: &Transcript,
    loudness: Option<&Loudness>,
    opts: &SelectOptions,
    cancel: &CancellationToken,
) -> Result<Vec<ChosenClip>, EngineError> {
    if cancel.is_cancelled() {
        return Err(EngineError::Cancelled);
    }
    let params = SelectParams {
        count: match opts.rerank {
            Some(_) => rerank_pool(opts.count),
            None => opts.count,
        },
        min_seconds: opts.min_seconds,
        max_seconds: opts.max_seconds,
    };
    let offline = select_clips(transcript, loudness, &params)?;
    Ok(match &opts.rerank {
        Some(cfg) => rerank(cfg, offline, opts.count, cancel),
        None => offline,
    })
}
