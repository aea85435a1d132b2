//! Which Whisper model hears an input. `auto` (the default) listens first: the
//! multilingual model names the language from the first voiced half minute, then English
//! goes to tiny.en and every other language to base. Measured (docs/BENCHMARKS.md): on
//! English, tiny.en is as accurate as base here and 2-3 times faster (base runs over a
//! tenth of real time on two cores); on anything else tiny.en writes English nonsense
//! ("Thank you for watching!" for French), so only base will do.

use std::path::PathBuf;
use std::sync::Arc;

use reelcut_whisper::Model;

use crate::transcribe::resolve_model;
use crate::{EngineError, Resources};

pub const AUTO: &str = "auto";
/// English speech, under `auto`.
const ENGLISH: &str = "tiny.en";
/// Detection, and every language but English, under `auto`.
const MULTILINGUAL: &str = "base";

pub(crate) enum Choice {
    Fixed(Arc<Model>),
    Auto {
        multilingual: Option<Arc<Model>>,
        english: Option<Arc<Model>>,
    },
}

/// The model files behind `name` (for the transcript cache's key): one, or `auto`'s two.
pub(crate) fn files(name: &str) -> Result<Vec<PathBuf>, EngineError> {
    if name != AUTO {
        return Ok(vec![resolve_model(name)?]);
    }
    let found: Vec<PathBuf> = [MULTILINGUAL, ENGLISH]
        .iter()
        .filter_map(|n| resolve_model(n).ok())
        .collect();
    if found.is_empty() {
        return Err(EngineError::Model(format!(
            "no Whisper model is installed ('auto' uses {ENGLISH} for English and {MULTILINGUAL} for \
             other languages): run scripts/setup.sh, or `reelcut models download {ENGLISH}`"
        )));
    }
    Ok(found)
}

impl Choice {
    pub fn load(resources: &Resources, name: &str) -> Result<Self, EngineError> {
        if name != AUTO {
            return Ok(Self::Fixed(resources.model(&resolve_model(name)?)?));
        }
        let load = |n: &str| match resolve_model(n) {
            Ok(p) => resources.model(&p).map(Some),
            Err(_) => Ok(None),
        };
        let (multilingual, english) = (load(MULTILINGUAL)?, load(ENGLISH)?);
        if multilingual.is_none() {
            tracing::warn!(
                "no multilingual Whisper model ({MULTILINGUAL}) installed: speech is taken to be English"
            );
        }
        if multilingual.is_none() && english.is_none() {
            return Err(EngineError::Model(format!(
                "no Whisper model is installed ('auto' uses {ENGLISH} and {MULTILINGUAL})"
            )));
        }
        Ok(Self::Auto {
            multilingual,
            english,
        })
    }

    /// Refuses, before any decoding, a language no model at hand can do.
    pub fn check_language(&self, language: Option<&str>) -> Result<(), EngineError> {
        let model = match self {
            Self::Fixed(m) => m,
            Self::Auto {
                multilingual,
                english,
            } => match multilingual.as_ref().or(english.as_ref()) {
                Some(m) => m,
                None => return Ok(()),
            },
        };
        model
            .resolve_language(language)
            .map(|_| ())
            .map_err(EngineError::Whisper)
    }

    /// The model for this input and the language it will be told, given its first voiced
    /// audio: `language` if the user named one, else what the multilingual model hears.
    pub fn pick(
        &self,
        voiced: &[f32],
        language: Option<&str>,
    ) -> Result<(Arc<Model>, Option<String>), EngineError> {
        let (multilingual, english) = match self {
            Self::Fixed(m) => return Ok((Arc::clone(m), language.map(str::to_string))),
            Self::Auto {
                multilingual,
                english,
            } => (multilingual, english),
        };
        let requested = language
            .map(|l| l.trim().to_ascii_lowercase())
            .filter(|l| !l.is_empty() && l != AUTO);
        let language = match (requested, multilingual) {
            (Some(l), Some(m)) => m
                .resolve_language(Some(&l))
                .map_err(EngineError::Whisper)?
                .unwrap_or(l),
            (Some(l), None) => l,
            (None, Some(m)) => {
                let (code, p) = m.detect_language(voiced).map_err(EngineError::Whisper)?;
                tracing::info!(language = %code, probability = p, "language detected");
                code
            }
            (None, None) => "en".into(),
        };
        let model = match (language.as_str(), english, multilingual) {
            ("en", Some(e), _) => e,
            (_, _, Some(m)) | (_, Some(m), None) => m,
            (_, None, None) => {
                return Err(EngineError::Model("no Whisper model is loaded".into()));
            }
        };
        Ok((Arc::clone(model), Some(language)))
    }
}
