//! Which CTranslate2 variable becomes which whisper.cpp tensor.
//!
//! whisper.cpp loads tensors by the names of OpenAI's PyTorch checkpoint (the names
//! `models/convert-pt-to-ggml.py` writes). CTranslate2 renamed them and fused some:
//! self-attention `linear_0` is q, k and v stacked by rows (with a zero k bias, since
//! Whisper's key projection has none); cross-attention has `linear_0` = q and `linear_1` =
//! k and v stacked. The plan below splits them back, in the checkpoint's order.

use std::path::Path;

use super::ct2::Ct2Model;
use crate::WhisperError;

/// whisper.cpp's hyper-parameters, in the order its loader reads them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Hparams {
    pub n_vocab: u32,
    pub n_audio_ctx: u32,
    pub n_audio_state: u32,
    pub n_audio_head: u32,
    pub n_audio_layer: u32,
    pub n_text_ctx: u32,
    pub n_text_state: u32,
    pub n_text_head: u32,
    pub n_text_layer: u32,
    pub n_mels: u32,
}

impl Hparams {
    /// Multilingual vocabularies have one more ordinary token and the language tokens;
    /// whisper.cpp tells the two apart by this size alone.
    pub fn multilingual(&self) -> bool {
        self.n_vocab >= 51865
    }

    /// The usual name of a model with these dimensions ("tiny.en", "base", "large-v3"...).
    pub fn model_name(&self) -> String {
        let size = match self.n_audio_layer {
            4 => "tiny",
            6 => "base",
            12 => "small",
            24 => "medium",
            32 if self.n_text_layer == 4 => "large-v3-turbo",
            32 if self.n_mels == 128 => "large-v3",
            32 => "large",
            _ => "custom",
        };
        if self.multilingual() {
            size.to_string()
        } else {
            format!("{size}.en")
        }
    }

    pub(crate) fn read(model: &mut Ct2Model, path: &Path) -> Result<Self, WhisperError> {
        let dims = |model: &Ct2Model, name: &str| -> Result<Vec<usize>, WhisperError> {
            Ok(model.var(name)?.shape)
        };
        let to_u32 =
            |v: usize| u32::try_from(v).map_err(|_| WhisperError::bad(path, "dimension too large"));
        let layers = |model: &Ct2Model, prefix: &str| {
            model
                .names()
                .filter_map(|n| {
                    n.strip_prefix(prefix)?
                        .split('/')
                        .next()?
                        .parse::<u32>()
                        .ok()
                })
                .max()
                .map_or(0, |m| m + 1)
        };

        let conv1 = dims(model, "encoder/conv1/weight")?;
        let enc_pe = dims(model, "encoder/position_encodings/encodings")?;
        let dec_pe = dims(model, "decoder/position_encodings/encodings")?;
        let emb = dims(model, "decoder/embeddings/weight")?;
        let [n_audio_state, n_mels, 3] = conv1[..] else {
            return Err(WhisperError::bad(
                path,
                format!("encoder/conv1/weight has shape {conv1:?}, not [state, mels, 3]"),
            ));
        };
        let [n_audio_ctx, pe_state] = enc_pe[..] else {
            return Err(WhisperError::bad(
                path,
                "encoder positional encodings are not a matrix",
            ));
        };
        let [n_text_ctx, n_text_state] = dec_pe[..] else {
            return Err(WhisperError::bad(
                path,
                "decoder positional encodings are not a matrix",
            ));
        };
        let [n_vocab, emb_state] = emb[..] else {
            return Err(WhisperError::bad(
                path,
                "decoder embeddings are not a matrix",
            ));
        };
        let n_audio_head = model.int_scalar("encoder/num_heads")?;
        let n_text_head = model.int_scalar("decoder/num_heads")?;
        let hp = Hparams {
            n_vocab: to_u32(n_vocab)?,
            n_audio_ctx: to_u32(n_audio_ctx)?,
            n_audio_state: to_u32(n_audio_state)?,
            n_audio_head: u32::try_from(n_audio_head)
                .map_err(|_| WhisperError::bad(path, "negative head count"))?,
            n_audio_layer: layers(model, "encoder/layer_"),
            n_text_ctx: to_u32(n_text_ctx)?,
            n_text_state: to_u32(n_text_state)?,
            n_text_head: u32::try_from(n_text_head)
                .map_err(|_| WhisperError::bad(path, "negative head count"))?,
            n_text_layer: layers(model, "decoder/layer_"),
            n_mels: to_u32(n_mels)?,
        };
        // whisper.cpp asserts these; failing here names the file instead of aborting.
        // (`%` rather than is_multiple_of: the workspace supports Rust 1.85.)
        #[allow(clippy::manual_is_multiple_of)]
        let consistent = pe_state == n_audio_state
            && emb_state == n_text_state
            && hp.n_text_state == hp.n_audio_state
            && hp.n_audio_head > 0
            && hp.n_text_head > 0
            && hp.n_audio_state % hp.n_audio_head == 0
            && hp.n_text_state % hp.n_text_head == 0
            && hp.n_audio_layer > 0
            && hp.n_text_layer > 0;
        if !consistent {
            return Err(WhisperError::bad(
                path,
                format!("inconsistent dimensions {hp:?}"),
            ));
        }
        if hp.n_mels != 80 && hp.n_mels != 128 {
            return Err(WhisperError::Unsupported {
                path: path.to_path_buf(),
                message: format!("{} mel bands (Whisper models use 80 or 128)", hp.n_mels),
            });
        }
        Ok(hp)
    }
}

/// How a tensor is stored in the ggml file. As in convert-pt-to-ggml.py: biases, norms
/// and positional embeddings in f32, matrices (and convolution kernels) in f16.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Store {
    F32,
    F16,
    /// A convolution bias, f32, reshaped from [n] to [n, 1] as whisper.cpp expects.
    ConvBias,
}

/// Which rows of the source variable: all, or block `index` of `of` equal row blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rows {
    pub index: usize,
    pub of: usize,
}

pub(crate) const ALL: Rows = Rows { index: 0, of: 1 };

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    pub name: String,
    pub source: String,
    pub rows: Rows,
    pub store: Store,
}

/// A block of a fused bias that must be zero for the split to be exact (the key bias).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ZeroCheck {
    pub source: String,
    pub rows: Rows,
}

pub(crate) struct Plan {
    pub entries: Vec<Entry>,
    pub zero_checks: Vec<ZeroCheck>,
}

/// CTranslate2 scalars that describe the architecture; consumed or known to be irrelevant.
pub(crate) const KNOWN_SCALARS: &[&str] = &[
    "encoder/num_heads",
    "decoder/num_heads",
    "decoder/activation",
    "decoder/alibi",
    "decoder/alignment_heads",
    "decoder/alignment_layer",
    "decoder/pre_norm",
    "decoder/scale_embeddings",
    "decoder/start_from_zero_embedding",
];

struct Builder {
    entries: Vec<Entry>,
    zero_checks: Vec<ZeroCheck>,
}

impl Builder {
    fn add(&mut self, name: String, source: String, rows: Rows, store: Store) {
        self.entries.push(Entry {
            name,
            source,
            rows,
            store,
        });
    }

    /// `{ggml}.weight`/`.bias` from a CTranslate2 linear layer.
    fn linear(&mut self, ggml: &str, ct2: &str, rows: Rows, with_bias: bool) {
        self.add(
            format!("{ggml}.weight"),
            format!("{ct2}/weight"),
            rows,
            Store::F16,
        );
        if with_bias {
            self.add(
                format!("{ggml}.bias"),
                format!("{ct2}/bias"),
                rows,
                Store::F32,
            );
        } else {
            self.zero_checks.push(ZeroCheck {
                source: format!("{ct2}/bias"),
                rows,
            });
        }
    }

    fn norm(&mut self, ggml: &str, ct2: &str) {
        self.add(
            format!("{ggml}.weight"),
            format!("{ct2}/gamma"),
            ALL,
            Store::F32,
        );
        self.add(
            format!("{ggml}.bias"),
            format!("{ct2}/beta"),
            ALL,
            Store::F32,
        );
    }

    /// Self-attention: q, k, v fused in `linear_0`, output in `linear_1`.
    fn self_attention(&mut self, ggml: &str, ct2: &str) {
        let fused = format!("{ct2}/self_attention/linear_0");
        self.linear(
            &format!("{ggml}.attn.query"),
            &fused,
            Rows { index: 0, of: 3 },
            true,
        );
        self.linear(
            &format!("{ggml}.attn.key"),
            &fused,
            Rows { index: 1, of: 3 },
            false,
        );
        self.linear(
            &format!("{ggml}.attn.value"),
            &fused,
            Rows { index: 2, of: 3 },
            true,
        );
        self.linear(
            &format!("{ggml}.attn.out"),
            &format!("{ct2}/self_attention/linear_1"),
            ALL,
            true,
        );
        self.norm(
            &format!("{ggml}.attn_ln"),
            &format!("{ct2}/self_attention/layer_norm"),
        );
    }

    fn mlp(&mut self, ggml: &str, ct2: &str) {
        self.linear(
            &format!("{ggml}.mlp.0"),
            &format!("{ct2}/ffn/linear_0"),
            ALL,
            true,
        );
        self.linear(
            &format!("{ggml}.mlp.2"),
            &format!("{ct2}/ffn/linear_1"),
            ALL,
            true,
        );
        self.norm(&format!("{ggml}.mlp_ln"), &format!("{ct2}/ffn/layer_norm"));
    }
}

pub(crate) fn plan(hp: &Hparams) -> Plan {
    let mut b = Builder {
        entries: Vec::new(),
        zero_checks: Vec::new(),
    };

    b.add(
        "encoder.positional_embedding".into(),
        "encoder/position_encodings/encodings".into(),
        ALL,
        Store::F32,
    );
    for conv in ["conv1", "conv2"] {
        b.add(
            format!("encoder.{conv}.weight"),
            format!("encoder/{conv}/weight"),
            ALL,
            Store::F16,
        );
        b.add(
            format!("encoder.{conv}.bias"),
            format!("encoder/{conv}/bias"),
            ALL,
            Store::ConvBias,
        );
    }
    for i in 0..hp.n_audio_layer {
        let (g, c) = (format!("encoder.blocks.{i}"), format!("encoder/layer_{i}"));
        b.self_attention(&g, &c);
        b.mlp(&g, &c);
    }
    b.norm("encoder.ln_post", "encoder/layer_norm");

    b.add(
        "decoder.positional_embedding".into(),
        "decoder/position_encodings/encodings".into(),
        ALL,
        Store::F32,
    );
    b.add(
        "decoder.token_embedding.weight".into(),
        "decoder/embeddings/weight".into(),
        ALL,
        Store::F16,
    );
    for i in 0..hp.n_text_layer {
        let (g, c) = (format!("decoder.blocks.{i}"), format!("decoder/layer_{i}"));
        b.self_attention(&g, &c);
        let cross = format!("{c}/attention");
        b.linear(
            &format!("{g}.cross_attn.query"),
            &format!("{cross}/linear_0"),
            ALL,
            true,
        );
        b.linear(
            &format!("{g}.cross_attn.key"),
            &format!("{cross}/linear_1"),
            Rows { index: 0, of: 2 },
            false,
        );
        b.linear(
            &format!("{g}.cross_attn.value"),
            &format!("{cross}/linear_1"),
            Rows { index: 1, of: 2 },
            true,
        );
        b.linear(
            &format!("{g}.cross_attn.out"),
            &format!("{cross}/linear_2"),
            ALL,
            true,
        );
        b.norm(
            &format!("{g}.cross_attn_ln"),
            &format!("{cross}/layer_norm"),
        );
        b.mlp(&g, &c);
    }
    b.norm("decoder.ln", "decoder/layer_norm");

    Plan {
        entries: b.entries,
        zero_checks: b.zero_checks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> Hparams {
        Hparams {
            n_vocab: 51864,
            n_audio_ctx: 1500,
            n_audio_state: 384,
            n_audio_head: 6,
            n_audio_layer: 4,
            n_text_ctx: 448,
            n_text_state: 384,
            n_text_head: 6,
            n_text_layer: 4,
            n_mels: 80,
        }
    }

    #[test]
    fn plan_has_exactly_the_tensors_whisper_cpp_allocates() {
        let hp = tiny();
        let p = plan(&hp);
        // whisper.cpp: 7 encoder globals + 15 per encoder block, 4 decoder globals + 24 per decoder block.
        assert_eq!(p.entries.len(), 7 + 15 * 4 + 4 + 24 * 4);
        let mut names: Vec<&str> = p.entries.iter().map(|e| e.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), p.entries.len(), "duplicate tensor names");
        assert!(names.contains(&"decoder.blocks.3.cross_attn.value.bias"));
        assert!(
            !names.iter().any(|n| n.contains("key.bias")),
            "Whisper has no key bias"
        );
        assert_eq!(p.zero_checks.len(), 4 + 4 * 2);
    }

    #[test]
    fn fused_projections_are_split_by_row_blocks() {
        let p = plan(&tiny());
        let find = |n: &str| p.entries.iter().find(|e| e.name == n).cloned().expect(n);
        let k = find("encoder.blocks.0.attn.key.weight");
        assert_eq!(
            (k.source.as_str(), k.rows),
            (
                "encoder/layer_0/self_attention/linear_0/weight",
                Rows { index: 1, of: 3 }
            )
        );
        let v = find("decoder.blocks.2.cross_attn.value.bias");
        assert_eq!(
            (v.source.as_str(), v.rows),
            (
                "decoder/layer_2/attention/linear_1/bias",
                Rows { index: 1, of: 2 }
            )
        );
        assert_eq!(find("encoder.conv1.bias").store, Store::ConvBias);
        assert_eq!(find("decoder.positional_embedding").store, Store::F32);
        assert_eq!(find("decoder.token_embedding.weight").store, Store::F16);
    }

    #[test]
    fn names_models_by_their_dimensions() {
        assert_eq!(tiny().model_name(), "tiny.en");
        let base = Hparams {
            n_vocab: 51865,
            n_audio_layer: 6,
            n_text_layer: 6,
            n_audio_state: 512,
            n_text_state: 512,
            ..tiny()
        };
        assert_eq!(base.model_name(), "base");
        assert!(base.multilingual());
    }
}
