//! Analyses kept beside the clips (`DIR/.reelcut/analysis-NN.json`), keyed by what shaped
//! them (the clip's parts, its framing overrides, the framing options), so that rendering an
//! edited plan analyses again only the clips whose parts or framing changed: an edit of the
//! words alone goes straight to the render.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::stages::Framing;
use crate::outputs::write_atomic;
use crate::plan::PlannedClip;
use crate::RunOptions;

pub(crate) struct AnalysisCache {
    path: PathBuf,
    options: String,
}

#[derive(Serialize, Deserialize)]
struct Cached {
    key: String,
    framing: Framing,
}

impl AnalysisCache {
    /// The cache of clip `n` in the clips folder `dir`.
    pub(crate) fn of(opts: &RunOptions, dir: &Path, n: usize) -> Self {
        Self {
            path: dir.join(".reelcut").join(format!("analysis-{n:02}.json")),
            options: format!(
                "{:?}|{:?}|{:?}|{:?}|{}",
                opts.reframe,
                opts.layout,
                opts.track,
                opts.aspect,
                env!("CARGO_PKG_VERSION")
            ),
        }
    }

    fn key(&self, planned: &PlannedClip) -> String {
        let text = format!(
            "{}|{:?}|{:?}",
            self.options, planned.spec.clip.parts, planned.overrides
        );
        format!("{:x}", Sha256::digest(text.as_bytes()))
    }

    /// The analysis of `planned` if one made for exactly it is kept.
    pub(crate) fn load(&self, planned: &PlannedClip) -> Option<Framing> {
        let c: Cached = serde_json::from_slice(&std::fs::read(&self.path).ok()?).ok()?;
        (c.key == self.key(planned)).then_some(c.framing)
    }

    /// Keeps `framing` for `planned`; a failure only costs a later analysis.
    pub(crate) fn save(&self, planned: &PlannedClip, framing: &Framing) {
        let c = Cached {
            key: self.key(planned),
            framing: framing.clone(),
        };
        let saved = self
            .path
            .parent()
            .map(std::fs::create_dir_all)
            .transpose()
            .map_err(|e| e.to_string())
            .and_then(|_| serde_json::to_vec(&c).map_err(|e| e.to_string()))
            .and_then(|json| write_atomic(&self.path, &json).map_err(|e| e.to_string()));
        if let Err(error) = saved {
            tracing::warn!(file = %self.path.display(), %error, "analysis not kept for later edits");
        }
    }
}
