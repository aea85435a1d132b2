//! Reading CTranslate2's `model.bin` (binary format version 6, as written by
//! `ctranslate2/specs/model_spec.py` `_serialize`): a version, the spec name, a revision,
//! then per variable (name, rank, dims, dtype id, byte count, raw row-major bytes), then
//! aliases (name -> variable name). Everything is little-endian; strings are a u16 length
//! that counts a trailing NUL.
//!
//! Only the index is read up front; tensor bytes are read when asked for, so converting a
//! 3 GB large model holds one tensor at a time, not the whole file.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use half::slice::HalfFloatSliceExt;
use half::{bf16, f16};

use crate::WhisperError;

/// The only layout this reader knows; older files order or encode fields differently.
const BINARY_VERSION: u32 = 6;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DType {
    F32,
    I8,
    I16,
    I32,
    F16,
    BF16,
}

impl DType {
    /// Ids in the order of `model_spec.py`'s `_dtype_to_type_id`.
    fn from_id(id: u8) -> Option<Self> {
        Some(match id {
            0 => DType::F32,
            1 => DType::I8,
            2 => DType::I16,
            3 => DType::I32,
            4 => DType::F16,
            5 => DType::BF16,
            _ => return None,
        })
    }

    fn size(self) -> usize {
        match self {
            DType::I8 => 1,
            DType::I16 | DType::F16 | DType::BF16 => 2,
            DType::F32 | DType::I32 => 4,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            DType::F32 => "float32",
            DType::I8 => "int8",
            DType::I16 => "int16",
            DType::I32 => "int32",
            DType::F16 => "float16",
            DType::BF16 => "bfloat16",
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Variable {
    pub name: String,
    /// Row-major dimensions; empty for a scalar.
    pub shape: Vec<usize>,
    pub dtype: DType,
    offset: u64,
    nbytes: u64,
}

impl Variable {
    pub fn elements(&self) -> usize {
        self.shape.iter().product()
    }
}

/// A float tensor read from the file: its raw little-endian bytes, in the stored precision.
/// Kept as bytes so the common case (f16 in, f16 out) is a plain copy.
pub(crate) struct Floats {
    dtype: DType,
    bytes: Vec<u8>,
}

pub(crate) struct Ct2Model {
    path: PathBuf,
    file: BufReader<File>,
    pub spec: String,
    vars: HashMap<String, Variable>,
    aliases: HashMap<String, String>,
}

impl Ct2Model {
    pub fn open(path: &Path) -> Result<Self, WhisperError> {
        let file = File::open(path).map_err(|e| WhisperError::read(path, e))?;
        let len = file
            .metadata()
            .map_err(|e| WhisperError::read(path, e))?
            .len();
        let mut r = Reader {
            inner: BufReader::new(file),
            path,
        };
        let version = r.u32()?;
        if version != BINARY_VERSION {
            return Err(WhisperError::Unsupported {
                path: path.to_path_buf(),
                message: format!(
                    "binary format version {version} (this converter reads version {BINARY_VERSION}, \
                     written by CTranslate2 3.x and 4.x; re-convert the model with a current ct2-transformers-converter)"
                ),
            });
        }
        let spec = r.string()?;
        let _revision = r.u32()?;
        let count = r.u32()? as usize;
        let mut vars = HashMap::with_capacity(count.min(4096));
        for _ in 0..count {
            let name = r.string()?;
            let rank = r.u8()? as usize;
            let mut shape = Vec::with_capacity(rank);
            for _ in 0..rank {
                shape.push(r.u32()? as usize);
            }
            let dtype_id = r.u8()?;
            let dtype = DType::from_id(dtype_id).ok_or_else(|| {
                WhisperError::bad(
                    path,
                    format!("variable {name}: unknown dtype id {dtype_id}"),
                )
            })?;
            let nbytes = u64::from(r.u32()?);
            let expected = shape
                .iter()
                .try_fold(dtype.size() as u64, |acc, &d| acc.checked_mul(d as u64))
                .ok_or_else(|| {
                    WhisperError::bad(path, format!("variable {name}: shape {shape:?} overflows"))
                })?;
            if nbytes != expected {
                return Err(WhisperError::bad(
                    path,
                    format!(
                        "variable {name}: {nbytes} bytes stored for shape {shape:?} of {}",
                        dtype.name()
                    ),
                ));
            }
            let offset = r.position()?;
            if offset + nbytes > len {
                return Err(WhisperError::bad(
                    path,
                    format!("variable {name}: data runs past the end of the file"),
                ));
            }
            r.skip(nbytes)?;
            vars.insert(
                name.clone(),
                Variable {
                    name,
                    shape,
                    dtype,
                    offset,
                    nbytes,
                },
            );
        }
        let alias_count = r.u32()? as usize;
        let mut aliases = HashMap::new();
        for _ in 0..alias_count {
            let alias = r.string()?;
            let target = r.string()?;
            aliases.insert(alias, target);
        }
        Ok(Self {
            path: path.to_path_buf(),
            file: r.inner,
            spec,
            vars,
            aliases,
        })
    }

    /// The variable called `name`, following an alias if it is one.
    pub fn var(&self, name: &str) -> Result<Variable, WhisperError> {
        let real = self.aliases.get(name).map_or(name, String::as_str);
        self.vars
            .get(real)
            .cloned()
            .ok_or_else(|| WhisperError::bad(&self.path, format!("variable {name} is missing")))
    }

    pub fn has(&self, name: &str) -> bool {
        self.vars.contains_key(name) || self.aliases.contains_key(name)
    }

    pub fn is_alias(&self, name: &str) -> bool {
        self.aliases.contains_key(name)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.vars.keys().map(String::as_str)
    }

    /// The dtype of the weight matrices, for the report.
    pub fn weight_dtype(&self) -> Option<DType> {
        self.vars.get("decoder/embeddings/weight").map(|v| v.dtype)
    }

    fn raw(&mut self, var: &Variable) -> Result<Vec<u8>, WhisperError> {
        let mut buf = vec![0u8; var.nbytes as usize];
        self.file
            .seek(SeekFrom::Start(var.offset))
            .map_err(|e| WhisperError::read(&self.path, e))?;
        self.file
            .read_exact(&mut buf)
            .map_err(|e| WhisperError::read(&self.path, e))?;
        Ok(buf)
    }

    /// An integer scalar (CTranslate2 stores head counts as int16).
    pub fn int_scalar(&mut self, name: &str) -> Result<i64, WhisperError> {
        let var = self.var(name)?;
        if var.elements() != 1 {
            return Err(WhisperError::bad(
                &self.path,
                format!("{name} should be a scalar, has shape {:?}", var.shape),
            ));
        }
        let b = self.raw(&var)?;
        Ok(match var.dtype {
            DType::I8 => i64::from(b[0] as i8),
            DType::I16 => i64::from(i16::from_le_bytes([b[0], b[1]])),
            DType::I32 => i64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]])),
            other => {
                return Err(WhisperError::bad(
                    &self.path,
                    format!("{name} should be an integer, is {}", other.name()),
                ))
            }
        })
    }

    /// A float tensor in its stored precision. Quantized (int8) weights are refused: their
    /// scales live in separate variables and whisper.cpp's quantization is not CTranslate2's.
    pub fn floats(&mut self, var: &Variable) -> Result<Floats, WhisperError> {
        match var.dtype {
            DType::F16 | DType::F32 | DType::BF16 => Ok(Floats { dtype: var.dtype, bytes: self.raw(var)? }),
            other => Err(WhisperError::Unsupported {
                path: self.path.clone(),
                message: format!(
                    "{} is stored as {} (quantized models cannot be converted; use a float16 or float32 model)",
                    var.name,
                    other.name()
                ),
            }),
        }
    }
}

impl Floats {
    pub fn len(&self) -> usize {
        self.bytes.len() / self.dtype.size()
    }

    fn raw_range(&self, range: std::ops::Range<usize>) -> &[u8] {
        let size = self.dtype.size();
        &self.bytes[range.start * size..range.end * size]
    }

    pub fn values(&self, range: std::ops::Range<usize>) -> impl Iterator<Item = f32> + '_ {
        let dtype = self.dtype;
        self.raw_range(range)
            .chunks_exact(dtype.size())
            .map(move |c| decode(dtype, c))
    }

    /// Fills `out` with the elements from `first` on. The same values as [`Self::values`];
    /// f16 goes through half's slice conversion (F16C where the CPU has it), which is what
    /// makes Q8_0 quantisation fast (docs/BENCHMARKS.md, "rayon").
    pub fn decode_into(&self, first: usize, out: &mut [f32]) {
        let bytes = self.raw_range(first..first + out.len());
        match self.dtype {
            DType::F16 => {
                let halves: Vec<f16> = bytes
                    .chunks_exact(2)
                    .map(|c| f16::from_bits(u16::from_le_bytes([c[0], c[1]])))
                    .collect();
                halves.convert_to_f32_slice(out);
            }
            dtype => {
                for (o, c) in out.iter_mut().zip(bytes.chunks_exact(dtype.size())) {
                    *o = decode(dtype, c);
                }
            }
        }
    }

    /// Elements `range` as little-endian f32 bytes (exact from f16 and bf16).
    pub fn f32_bytes(&self, range: std::ops::Range<usize>) -> Vec<u8> {
        match self.dtype {
            DType::F32 => self.bytes[range.start * 4..range.end * 4].to_vec(),
            _ => self.values(range).flat_map(f32::to_le_bytes).collect(),
        }
    }

    /// Elements `range` as little-endian f16 bytes (round to nearest even from f32/bf16).
    pub fn f16_bytes(&self, range: std::ops::Range<usize>) -> Vec<u8> {
        match self.dtype {
            DType::F16 => self.bytes[range.start * 2..range.end * 2].to_vec(),
            _ => self
                .values(range)
                .flat_map(|x| f16::from_f32(x).to_bits().to_le_bytes())
                .collect(),
        }
    }

    pub fn all_zero(&self, range: std::ops::Range<usize>) -> bool {
        // Compared as numbers, so -0.0 counts as zero.
        self.values(range).all(|x| x == 0.0)
    }

    #[cfg(test)]
    pub fn f32s(&self, range: std::ops::Range<usize>) -> Vec<f32> {
        self.values(range).collect()
    }
}

/// One little-endian value of `dtype` (`c` holds exactly its bytes).
fn decode(dtype: DType, c: &[u8]) -> f32 {
    match dtype {
        DType::F16 => f16::from_bits(u16::from_le_bytes([c[0], c[1]])).to_f32(),
        DType::BF16 => bf16::from_bits(u16::from_le_bytes([c[0], c[1]])).to_f32(),
        _ => f32::from_le_bytes([c[0], c[1], c[2], c[3]]),
    }
}

struct Reader<'a> {
    inner: BufReader<File>,
    path: &'a Path,
}

impl Reader<'_> {
    fn bytes<const N: usize>(&mut self) -> Result<[u8; N], WhisperError> {
        let mut b = [0u8; N];
        self.inner
            .read_exact(&mut b)
            .map_err(|e| self.truncated(e))?;
        Ok(b)
    }

    fn truncated(&self, e: std::io::Error) -> WhisperError {
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            WhisperError::bad(
                self.path,
                "file ends in the middle of the index (truncated download?)",
            )
        } else {
            WhisperError::read(self.path, e)
        }
    }

    fn u8(&mut self) -> Result<u8, WhisperError> {
        Ok(self.bytes::<1>()?[0])
    }

    fn u16(&mut self) -> Result<u16, WhisperError> {
        Ok(u16::from_le_bytes(self.bytes()?))
    }

    fn u32(&mut self) -> Result<u32, WhisperError> {
        Ok(u32::from_le_bytes(self.bytes()?))
    }

    fn string(&mut self) -> Result<String, WhisperError> {
        let len = self.u16()? as usize;
        let mut b = vec![0u8; len];
        self.inner
            .read_exact(&mut b)
            .map_err(|e| self.truncated(e))?;
        if b.pop() != Some(0) {
            return Err(WhisperError::bad(
                self.path,
                "string without its NUL terminator in the index",
            ));
        }
        String::from_utf8(b)
            .map_err(|_| WhisperError::bad(self.path, "non-UTF-8 name in the index"))
    }

    fn position(&mut self) -> Result<u64, WhisperError> {
        self.inner
            .stream_position()
            .map_err(|e| WhisperError::read(self.path, e))
    }

    fn skip(&mut self, n: u64) -> Result<(), WhisperError> {
        let n = i64::try_from(n).map_err(|_| WhisperError::bad(self.path, "variable too large"))?;
        self.inner
            .seek_relative(n)
            .map_err(|e| WhisperError::read(self.path, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn string(out: &mut Vec<u8>, s: &str) {
        out.extend_from_slice(&((s.len() + 1) as u16).to_le_bytes());
        out.extend_from_slice(s.as_bytes());
        out.push(0);
    }

    fn var(out: &mut Vec<u8>, name: &str, shape: &[u32], dtype: u8, data: &[u8]) {
        string(out, name);
        out.push(shape.len() as u8);
        for d in shape {
            out.extend_from_slice(&d.to_le_bytes());
        }
        out.push(dtype);
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(data);
    }

    fn file_with(bytes: &[u8]) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().expect("temp file");
        f.write_all(bytes).expect("write");
        f
    }

    #[test]
    fn reads_index_scalars_tensors_and_aliases() {
        let mut b = Vec::new();
        b.extend_from_slice(&6u32.to_le_bytes());
        string(&mut b, "WhisperSpec");
        b.extend_from_slice(&3u32.to_le_bytes());
        b.extend_from_slice(&2u32.to_le_bytes());
        var(&mut b, "heads", &[], 2, &6i16.to_le_bytes());
        let halfs: Vec<u8> = [1.0f32, -2.5, 0.0]
            .iter()
            .flat_map(|&x| f16::from_f32(x).to_bits().to_le_bytes())
            .collect();
        var(&mut b, "w", &[3], 4, &halfs);
        b.extend_from_slice(&1u32.to_le_bytes());
        string(&mut b, "w_alias");
        string(&mut b, "w");
        let f = file_with(&b);

        let mut m = Ct2Model::open(f.path()).expect("parses");
        assert_eq!(m.spec, "WhisperSpec");
        assert_eq!(m.int_scalar("heads").expect("scalar"), 6);
        let v = m.var("w_alias").expect("alias resolves");
        assert_eq!(v.shape, vec![3]);
        let floats = m.floats(&v).expect("floats");
        assert_eq!(floats.f32s(0..3), vec![1.0, -2.5, 0.0]);
        let mut out = [9.0; 2];
        floats.decode_into(1, &mut out);
        assert_eq!(out, [-2.5, 0.0]);
        assert_eq!(
            floats.f16_bytes(1..2),
            f16::from_f32(-2.5).to_bits().to_le_bytes()
        );
        assert_eq!(floats.f32_bytes(1..2), (-2.5f32).to_le_bytes());
        assert!(floats.all_zero(2..3));
        assert!(!floats.all_zero(0..3));
        assert!(m.var("missing").is_err());
    }

    #[test]
    fn refuses_other_versions_and_truncated_files() {
        let mut b = Vec::new();
        b.extend_from_slice(&5u32.to_le_bytes());
        string(&mut b, "WhisperSpec");
        let f = file_with(&b);
        assert!(matches!(
            Ct2Model::open(f.path()),
            Err(WhisperError::Unsupported { .. })
        ));

        let mut b = Vec::new();
        b.extend_from_slice(&6u32.to_le_bytes());
        string(&mut b, "WhisperSpec");
        b.extend_from_slice(&3u32.to_le_bytes());
        b.extend_from_slice(&1u32.to_le_bytes());
        var(&mut b, "w", &[4], 0, &[0u8; 16]);
        b.truncate(b.len() - 8);
        let f = file_with(&b);
        let err = Ct2Model::open(f.path())
            .err()
            .expect("truncated data is an error");
        assert!(err.to_string().contains("past the end"), "{err}");
    }

    #[test]
    fn refuses_a_byte_count_that_does_not_match_the_shape() {
        let mut b = Vec::new();
        b.extend_from_slice(&6u32.to_le_bytes());
        string(&mut b, "WhisperSpec");
        b.extend_from_slice(&3u32.to_le_bytes());
        b.extend_from_slice(&1u32.to_le_bytes());
        var(&mut b, "w", &[4], 0, &[0u8; 8]);
        b.extend_from_slice(&0u32.to_le_bytes());
        let f = file_with(&b);
        assert!(matches!(
            Ct2Model::open(f.path()),
            Err(WhisperError::BadSource { .. })
        ));
    }
}
