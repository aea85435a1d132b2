//! The CTranslate2 -> ggml converter on the real tiny.en weights: the file has
//! whisper.cpp's layout, loads, and failures leave nothing behind.

use std::time::Instant;

use reelcut_whisper::{convert, ct2_to_ggml, Model, WhisperError};

fn i32_at(bytes: &[u8], offset: usize) -> i32 {
    i32::from_le_bytes(bytes[offset..offset + 4].try_into().expect("4 bytes"))
}

/// Walks the ggml vocabulary section: (count, tokens).
fn read_vocab(bytes: &[u8], mut at: usize) -> (usize, Vec<Vec<u8>>, usize) {
    let n = i32_at(bytes, at) as usize;
    at += 4;
    let mut tokens = Vec::with_capacity(n);
    for _ in 0..n {
        let len = i32_at(bytes, at) as usize;
        tokens.push(bytes[at + 4..at + 4 + len].to_vec());
        at += 4 + len;
    }
    (n, tokens, at)
}

#[test]
fn converts_tiny_en_to_a_ggml_file_that_whisper_cpp_loads() {
    let src = crate::support::tiny_en_ct2();
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("ggml-tiny.en.bin");

    let started = Instant::now();
    let report = ct2_to_ggml(&src, &out).unwrap_or_else(|e| panic!("conversion failed: {e}"));
    eprintln!(
        "converted tiny.en in {:.2} s ({} bytes)",
        started.elapsed().as_secs_f64(),
        report.bytes
    );

    assert_eq!(report.output, out);
    assert_eq!(report.model, "tiny.en");
    assert!(!report.multilingual);
    assert_eq!(report.source_dtype, "float16");
    assert_eq!(
        report.tensors,
        7 + 15 * 4 + 4 + 24 * 4,
        "whisper.cpp's tensor count for tiny"
    );
    assert_eq!(report.vocab_tokens, 50256);
    assert_eq!(report.alignment_heads.len(), 8, "from config.json");
    let hp = report.hparams;
    assert_eq!(
        (
            hp.n_vocab,
            hp.n_audio_ctx,
            hp.n_audio_state,
            hp.n_audio_head,
            hp.n_audio_layer
        ),
        (51864, 1500, 384, 6, 4)
    );
    assert_eq!(
        (
            hp.n_text_ctx,
            hp.n_text_state,
            hp.n_text_head,
            hp.n_text_layer,
            hp.n_mels
        ),
        (448, 384, 6, 4, 80)
    );

    // The header, filters and vocabulary as convert-pt-to-ggml.py lays them out.
    let bytes = std::fs::read(&out).expect("read output");
    assert_eq!(bytes.len() as u64, report.bytes);
    assert_eq!(&bytes[..4], b"lmgg", "magic 0x67676d6c, little-endian");
    let header: Vec<i32> = (1..12).map(|i| i32_at(&bytes, 4 * i)).collect();
    assert_eq!(header, [51864, 1500, 384, 6, 4, 448, 384, 6, 4, 80, 1]);
    assert_eq!(
        (i32_at(&bytes, 48), i32_at(&bytes, 52)),
        (80, 201),
        "mel filter dimensions"
    );
    let filters: Vec<f32> = (0..80 * 201)
        .map(|i| f32::from_le_bytes(bytes[56 + 4 * i..60 + 4 * i].try_into().expect("f32")))
        .collect();
    // Slaney-normalised triangles: each has area 2/(f_hi - f_lo) * width/2 = 1 in Hz, i.e.
    // every row sums to 1 / bin width (40 Hz) within the discretisation.
    for (m, row) in filters.chunks(201).enumerate() {
        assert!(
            row.iter().all(|&w| w >= 0.0),
            "mel row {m} has negative weights"
        );
        let area_hz: f32 = row.iter().sum::<f32>() * 40.0;
        assert!((area_hz - 1.0).abs() < 0.1, "mel row {m} area {area_hz}");
    }
    let (n_vocab, tokens, mut at) = read_vocab(&bytes, 56 + 4 * 80 * 201);
    assert_eq!(n_vocab, 50256);
    assert_eq!(
        tokens[262], b" the",
        "byte-level BPE 'Ġthe' decoded to bytes"
    );
    assert_eq!(tokens[50255], b" gazed");
    assert_eq!(tokens[198], b"\n");

    // The first tensor record: encoder.positional_embedding, f32, ggml dims [384, 1500].
    let (n_dims, name_len, ttype) = (
        i32_at(&bytes, at),
        i32_at(&bytes, at + 4),
        i32_at(&bytes, at + 8),
    );
    assert_eq!((n_dims, ttype), (2, 0));
    assert_eq!(
        (i32_at(&bytes, at + 12), i32_at(&bytes, at + 16)),
        (384, 1500)
    );
    at += 20;
    assert_eq!(
        &bytes[at..at + name_len as usize],
        b"encoder.positional_embedding"
    );

    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains("partial"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");

    let model =
        Model::load(&out).unwrap_or_else(|e| panic!("whisper.cpp cannot load the conversion: {e}"));
    assert_eq!(model.name(), "tiny.en");
    assert!(!model.is_multilingual());
}

#[test]
fn failed_conversions_leave_nothing_at_the_output() {
    let out_dir = tempfile::tempdir().expect("temp dir");
    let out = out_dir.path().join("model.bin");

    let missing = out_dir.path().join("no-such-model");
    assert!(matches!(
        ct2_to_ggml(&missing, &out),
        Err(WhisperError::NotFound { .. })
    ));

    // A download cut short: the real files with model.bin truncated to 4 MB.
    let src = tempfile::tempdir().expect("temp dir");
    let real = crate::support::tiny_en_ct2();
    for f in ["config.json", "vocabulary.txt"] {
        std::fs::copy(real.join(f), src.path().join(f)).expect("copy");
    }
    let head = std::fs::read(real.join("model.bin")).expect("read model.bin");
    std::fs::write(src.path().join("model.bin"), &head[..4 << 20]).expect("write");
    let err = ct2_to_ggml(src.path(), &out).expect_err("truncated model must fail");
    assert!(matches!(err, WhisperError::BadSource { .. }), "{err:?}");
    assert!(
        err.to_string().contains("model.bin"),
        "error names the file: {err}"
    );

    // Not a CTranslate2 file at all.
    std::fs::write(src.path().join("model.bin"), b"GGUF and other things").expect("write");
    assert!(ct2_to_ggml(src.path(), &out).is_err());

    let left: Vec<_> = std::fs::read_dir(out_dir.path())
        .expect("list")
        .filter_map(Result::ok)
        .collect();
    assert!(
        left.iter().all(|e| e.file_name() == "no-such-model"),
        "left behind: {left:?}"
    );
    assert!(!out.exists());
}

#[test]
fn ensure_ggml_reuses_an_up_to_date_conversion() {
    let cache = tempfile::tempdir().expect("temp dir");
    let first =
        convert::ensure_ggml(&crate::support::tiny_en_ct2(), cache.path()).expect("converts");
    let modified = std::fs::metadata(&first)
        .and_then(|m| m.modified())
        .expect("mtime");
    let again = convert::ensure_ggml(&crate::support::tiny_en_ct2(), cache.path()).expect("reuses");
    assert_eq!(first, again);
    assert_eq!(
        std::fs::metadata(&again)
            .and_then(|m| m.modified())
            .expect("mtime"),
        modified,
        "not rewritten"
    );
    assert!(first
        .file_name()
        .expect("name")
        .to_string_lossy()
        .starts_with("ggml-tiny.en-"));
}
