//! Writing whisper.cpp's legacy ggml model file, field for field what
//! `models/convert-pt-to-ggml.py` writes: magic, hyper-parameters, mel filters, vocabulary,
//! then tensors (n_dims, name length, type, dims innermost first, name, data). All
//! integers are little-endian i32, as Python's `struct.pack("i")` on x86/ARM.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::layout::Hparams;
use crate::WhisperError;

/// "ggml" read as a little-endian u32.
const MAGIC: u32 = 0x6767_6d6c;
/// How the weight matrices are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Quantization {
    /// As the source (f16): what `convert-pt-to-ggml.py` writes.
    #[default]
    F16,
    /// ggml's Q8_0 (blocks of 32 int8 with an f16 scale), what whisper.cpp's `quantize
    /// q8_0` writes: the counterpart of faster-whisper's int8, about half the size and
    /// faster on CPU with the same words.
    Q8_0,
}

impl Quantization {
    /// The file's ggml ftype (`GGML_FTYPE_MOSTLY_F16` = 1, `GGML_FTYPE_MOSTLY_Q8_0` = 7).
    fn ftype(self) -> i32 {
        match self {
            Quantization::F16 => 1,
            Quantization::Q8_0 => 7,
        }
    }
}

/// Tensor data as little-endian bytes, tagged with its ggml type.
pub(crate) enum TensorData {
    F32(Vec<u8>),
    F16(Vec<u8>),
    Q8_0(Vec<u8>),
}

/// Q8_0 values per block, and bytes per block (f16 scale + 32 codes).
const Q8_0_VALUES: usize = 32;
const Q8_0_BYTES: usize = 2 + Q8_0_VALUES;
/// Blocks per parallel task: enough work (~16 K values) to outweigh rayon's scheduling.
const Q8_0_BLOCKS_PER_TASK: usize = 512;

/// ggml's `quantize_row_q8_0_ref` over `len` values: per block of 32, d = max|x| / 127
/// (stored f16) and q = round(x / d); a short last block is padded with zeros.
/// `decode(first, buf)` fills `buf` with the values from index `first` on. Blocks are
/// independent, so runs of them are decoded and quantised on all cores (docs/BENCHMARKS.md,
/// "rayon"), with the same bytes as on one.
pub(crate) fn quantize_q8_0<F>(len: usize, decode: F) -> Vec<u8>
where
    F: Fn(usize, &mut [f32]) + Sync,
{
    const TASK_VALUES: usize = Q8_0_VALUES * Q8_0_BLOCKS_PER_TASK;
    let mut out = vec![0u8; len.div_ceil(Q8_0_VALUES) * Q8_0_BYTES];
    out.par_chunks_mut(Q8_0_BYTES * Q8_0_BLOCKS_PER_TASK)
        .enumerate()
        .for_each_init(Vec::new, |buf, (task, out)| {
            let first = task * TASK_VALUES;
            buf.clear();
            buf.resize(TASK_VALUES.min(len - first), 0.0);
            decode(first, buf);
            for (out, block) in out
                .chunks_exact_mut(Q8_0_BYTES)
                .zip(buf.chunks(Q8_0_VALUES))
            {
                quantize_block_q8_0(block, out);
            }
        });
    out
}

fn quantize_block_q8_0(block: &[f32], out: &mut [u8]) {
    let amax = block.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    let d = amax / 127.0;
    let id = if d != 0.0 { 1.0 / d } else { 0.0 };
    out[..2].copy_from_slice(&half::f16::from_f32(d).to_bits().to_le_bytes());
    for (q, v) in out[2..].iter_mut().zip(block) {
        *q = (v * id).round() as i8 as u8;
    }
}

pub(crate) struct GgmlWriter {
    out: BufWriter<File>,
    path: PathBuf,
    pub tensors: usize,
    pub bytes: u64,
}

impl GgmlWriter {
    pub fn create(path: &Path) -> Result<Self, WhisperError> {
        let file = File::create(path).map_err(|source| WhisperError::Write {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(Self {
            out: BufWriter::with_capacity(1 << 20, file),
            path: path.to_path_buf(),
            tensors: 0,
            bytes: 0,
        })
    }

    fn put(&mut self, bytes: &[u8]) -> Result<(), WhisperError> {
        self.bytes += bytes.len() as u64;
        self.out
            .write_all(bytes)
            .map_err(|source| WhisperError::Write {
                path: self.path.clone(),
                source,
            })
    }

    fn i32(&mut self, v: i32) -> Result<(), WhisperError> {
        self.put(&v.to_le_bytes())
    }

    fn len(&mut self, v: usize) -> Result<(), WhisperError> {
        let v = i32::try_from(v).map_err(|_| WhisperError::Write {
            path: self.path.clone(),
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "size does not fit the ggml header",
            ),
        })?;
        self.i32(v)
    }

    pub fn header(&mut self, hp: &Hparams, quant: Quantization) -> Result<(), WhisperError> {
        self.put(&MAGIC.to_le_bytes())?;
        for v in [
            hp.n_vocab,
            hp.n_audio_ctx,
            hp.n_audio_state,
            hp.n_audio_head,
            hp.n_audio_layer,
            hp.n_text_ctx,
            hp.n_text_state,
            hp.n_text_head,
            hp.n_text_layer,
            hp.n_mels,
        ] {
            self.len(v as usize)?;
        }
        self.i32(quant.ftype())
    }

    pub fn filters(
        &mut self,
        n_mel: usize,
        n_fft: usize,
        weights: &[f32],
    ) -> Result<(), WhisperError> {
        debug_assert_eq!(weights.len(), n_mel * n_fft);
        self.len(n_mel)?;
        self.len(n_fft)?;
        let bytes: Vec<u8> = weights.iter().flat_map(|w| w.to_le_bytes()).collect();
        self.put(&bytes)
    }

    pub fn vocab(&mut self, tokens: &[Vec<u8>]) -> Result<(), WhisperError> {
        self.len(tokens.len())?;
        for t in tokens {
            self.len(t.len())?;
            self.put(t)?;
        }
        Ok(())
    }

    /// `shape` is row-major (outermost first), as in PyTorch; ggml wants it reversed.
    pub fn tensor(
        &mut self,
        name: &str,
        shape: &[usize],
        data: &TensorData,
    ) -> Result<(), WhisperError> {
        let ttype = match data {
            TensorData::F32(_) => 0,
            TensorData::F16(_) => 1,
            TensorData::Q8_0(_) => 8,
        };
        self.len(shape.len())?;
        self.len(name.len())?;
        self.i32(ttype)?;
        for &d in shape.iter().rev() {
            self.len(d)?;
        }
        self.put(name.as_bytes())?;
        let (TensorData::F32(bytes) | TensorData::F16(bytes) | TensorData::Q8_0(bytes)) = data;
        self.put(bytes)?;
        self.tensors += 1;
        Ok(())
    }

    /// Flushes and syncs, so a rename after this never exposes a short file after a crash.
    pub fn finish(self) -> Result<u64, WhisperError> {
        let path = self.path.clone();
        let file = self.out.into_inner().map_err(|e| WhisperError::Write {
            path: path.clone(),
            source: e.into_error(),
        })?;
        file.sync_all()
            .map_err(|source| WhisperError::Write { path, source })?;
        Ok(self.bytes)
    }
}

#[cfg(test)]
mod quant_tests {
    use super::*;

    fn quantize(values: &[f32]) -> Vec<u8> {
        quantize_q8_0(values.len(), |first, buf| {
            buf.copy_from_slice(&values[first..first + buf.len()]);
        })
    }

    #[test]
    fn q8_0_blocks_round_trip_within_half_a_step() {
        let values: Vec<f32> = (0..64).map(|i| ((i as f32) * 0.37).sin() * 0.8).collect();
        let q = quantize(&values);
        assert_eq!(q.len(), 2 * 34);
        for (b, block) in values.chunks(32).enumerate() {
            let d = half::f16::from_bits(u16::from_le_bytes([q[b * 34], q[b * 34 + 1]])).to_f32();
            for (i, v) in block.iter().enumerate() {
                let back = (q[b * 34 + 2 + i] as i8) as f32 * d;
                assert!((back - v).abs() <= d * 0.51 + 1e-6, "{v} -> {back}");
            }
        }
        // All zeros: scale 0, codes 0.
        assert!(quantize(&[0.0; 32]).iter().all(|&b| b == 0));
    }

    /// The loop this replaced (one block after another), as the reference.
    fn quantize_sequential(values: &[f32]) -> Vec<u8> {
        let mut out = Vec::new();
        for block in values.chunks(32) {
            let amax = block.iter().fold(0.0f32, |m, v| m.max(v.abs()));
            let d = amax / 127.0;
            let id = if d != 0.0 { 1.0 / d } else { 0.0 };
            out.extend_from_slice(&half::f16::from_f32(d).to_bits().to_le_bytes());
            for i in 0..32 {
                let q = block.get(i).map_or(0.0, |v| (v * id).round());
                out.push(q as i8 as u8);
            }
        }
        out
    }

    #[test]
    fn q8_0_is_the_same_on_one_or_two_threads_and_as_the_sequential_loop() {
        // Several tasks' worth, a short last block, a zero block and a tiny scale.
        let mut values: Vec<f32> = (0..Q8_0_VALUES * Q8_0_BLOCKS_PER_TASK * 3 + 45)
            .map(|i| ((i as f32) * 0.731).sin() * (1.0 + (i % 97) as f32))
            .collect();
        values[64..96].fill(0.0);
        values[96..128].iter_mut().for_each(|v| *v *= 1e-30);
        let on = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("thread pool")
                .install(|| quantize(&values))
        };
        let one = on(1);
        assert_eq!(one, quantize_sequential(&values));
        assert_eq!(on(2), one);
        assert_eq!(on(4), one);
    }
}
