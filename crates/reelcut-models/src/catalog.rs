//! The official whisper.cpp ggml models and where to fetch them.

use crate::manifest::Languages;
use crate::ModelError;

/// whisper.cpp's own model repository; `REELCUT_MODEL_BASE_URL` replaces it (a mirror, or a
/// local server in tests).
pub const DEFAULT_BASE_URL: &str = "https://huggingface.co/ggerganov/whisper.cpp/resolve/main";

/// Whisper's weights are released by OpenAI under the MIT licence; whisper.cpp's ggml
/// conversions keep it.
pub const OFFICIAL_LICENCE: &str = "MIT";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OfficialModel {
    pub name: &'static str,
    /// SHA-256 of `ggml-<name>.bin` as published (the Hugging Face LFS object id).
    pub sha256: &'static str,
    /// Rough size for a prompt before downloading.
    pub approx_mib: u32,
}

impl OfficialModel {
    pub fn file_name(&self) -> String {
        format!("ggml-{}.bin", self.name)
    }

    pub fn languages(&self) -> Languages {
        if self.name.contains(".en") {
            Languages::En
        } else {
            Languages::Multilingual
        }
    }
}

/// The full-precision official models. Checksums: the SHA-256 values published for the
/// files in ggerganov/whisper.cpp on Hugging Face, as pinned by two independent projects
/// that fetch them (a Nix model set and a Tauri app's model list), which agree.
pub const OFFICIAL: &[OfficialModel] = &[
    OfficialModel {
        name: "tiny",
        sha256: "be07e048e1e599ad46341c8d2a135645097a538221678b7acdd1b1919c6e1b21",
        approx_mib: 75,
    },
    OfficialModel {
        name: "tiny.en",
        sha256: "921e4cf8686fdd993dcd081a5da5b6c365bfde1162e72b08d75ac75289920b1f",
        approx_mib: 75,
    },
    OfficialModel {
        name: "base",
        sha256: "60ed5bc3dd14eea856493d334349b405782ddcaf0028d4b5df4088345fba2efe",
        approx_mib: 142,
    },
    OfficialModel {
        name: "base.en",
        sha256: "a03779c86df3323075f5e796cb2ce5029f00ec8869eee3fdfb897afe36c6d002",
        approx_mib: 142,
    },
    OfficialModel {
        name: "small",
        sha256: "1be3a9b2063867b937e64e2ec7483364a79917e157fa98c5d94b5c1fffea987b",
        approx_mib: 466,
    },
    OfficialModel {
        name: "small.en",
        sha256: "c6138d6d58ecc8322097e0f987c32f1be8bb0a18532a3f88f734d1bbf9c41e5d",
        approx_mib: 466,
    },
    OfficialModel {
        name: "medium",
        sha256: "6c14d5adee5f86394037b4e4e8b59f1673b6cee10e3cf0b11bbdbee79c156208",
        approx_mib: 1463,
    },
    OfficialModel {
        name: "medium.en",
        sha256: "cc37e93478338ec7700281a7ac30a10128929eb8f427dda2e865faa8f6da4356",
        approx_mib: 1463,
    },
    OfficialModel {
        name: "large-v3",
        sha256: "64d182b440b98d5203c4f9bd541544d84c605196c4f7b845dfa11fb23594d1e2",
        approx_mib: 2952,
    },
    OfficialModel {
        name: "large-v3-turbo",
        sha256: "1fc70f774d38eb169993ac391eea357ef47c88757ef72ee5943879b7e8e2bc69",
        approx_mib: 1549,
    },
];

pub fn official(name: &str) -> Option<&'static OfficialModel> {
    let name = name.strip_prefix("ggml-").unwrap_or(name);
    let name = name.strip_suffix(".bin").unwrap_or(name);
    OFFICIAL.iter().find(|m| m.name == name)
}

/// What to fetch: a URL, the file name to store it under, and the checksum to expect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub url: String,
    pub file_name: String,
    pub sha256: Option<String>,
    pub official: Option<&'static OfficialModel>,
}

/// Resolves an official model name against `$REELCUT_MODEL_BASE_URL` (or the default), or
/// takes an http(s) URL as it is.
pub fn resolve(name_or_url: &str) -> Result<Source, ModelError> {
    let base = std::env::var("REELCUT_MODEL_BASE_URL")
        .ok()
        .filter(|b| !b.is_empty());
    resolve_with_base(name_or_url, base.as_deref().unwrap_or(DEFAULT_BASE_URL))
}

pub fn resolve_with_base(name_or_url: &str, base_url: &str) -> Result<Source, ModelError> {
    if name_or_url.starts_with("http://") || name_or_url.starts_with("https://") {
        let path = name_or_url.split(['?', '#']).next().unwrap_or(name_or_url);
        let file_name = path
            .rsplit('/')
            .next()
            .filter(|f| !f.is_empty() && !f.contains(':'));
        let Some(file_name) = file_name else {
            return Err(ModelError::UnknownModel {
                name: name_or_url.to_string(),
                known: "a URL ending in a file name".into(),
            });
        };
        return Ok(Source {
            url: name_or_url.to_string(),
            file_name: file_name.to_string(),
            sha256: None,
            official: None,
        });
    }
    let model = official(name_or_url).ok_or_else(|| ModelError::UnknownModel {
        name: name_or_url.to_string(),
        known: OFFICIAL
            .iter()
            .map(|m| m.name)
            .collect::<Vec<_>>()
            .join(", "),
    })?;
    Ok(Source {
        url: format!("{}/{}", base_url.trim_end_matches('/'), model.file_name()),
        file_name: model.file_name(),
        sha256: Some(model.sha256.to_string()),
        official: Some(model),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn official_names_resolve_to_the_repository_with_checksums() {
        let s = resolve_with_base("tiny.en", DEFAULT_BASE_URL).unwrap();
        assert_eq!(
            s.url,
            "https://huggingface.co/ggerganov/whisper.cpp/resolve/main/ggml-tiny.en.bin"
        );
        assert_eq!(s.file_name, "ggml-tiny.en.bin");
        assert_eq!(
            s.sha256.as_deref(),
            Some("921e4cf8686fdd993dcd081a5da5b6c365bfde1162e72b08d75ac75289920b1f")
        );
        assert_eq!(
            official("ggml-base.bin").map(|m| m.languages()),
            Some(Languages::Multilingual)
        );
        assert_eq!(
            official("small.en").map(|m| m.languages()),
            Some(Languages::En)
        );
        let s = resolve_with_base("base", "http://127.0.0.1:9/m/").unwrap();
        assert_eq!(s.url, "http://127.0.0.1:9/m/ggml-base.bin");
        for m in OFFICIAL {
            assert!(
                m.sha256.len() == 64 && m.sha256.chars().all(|c| c.is_ascii_hexdigit()),
                "{m:?}"
            );
        }
    }

    #[test]
    fn urls_are_taken_as_is_and_unknown_names_list_the_known_ones() {
        let s = resolve_with_base(
            "https://example.org/x/ggml-custom.bin?download=1",
            DEFAULT_BASE_URL,
        )
        .unwrap();
        assert_eq!((s.file_name.as_str(), s.sha256), ("ggml-custom.bin", None));
        let e = resolve_with_base("huge", DEFAULT_BASE_URL)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("'huge'") && e.contains("tiny.en") && e.contains("large-v3-turbo"),
            "{e}"
        );
        assert!(resolve_with_base("https://example.org/", DEFAULT_BASE_URL).is_err());
    }
}
