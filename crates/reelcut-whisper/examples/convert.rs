//! Times the CTranslate2 -> ggml conversion (what `reelcut models import` runs), for
//! docs/BENCHMARKS.md. Each run writes OUT again; the last one is left for checksums. The
//! conversion's time includes whisper.cpp loading the file as a check, so that load is timed
//! on its own too. Threads for the tensor work: `RAYON_NUM_THREADS` (default: all cores).
//!
//!     cargo run --release -p reelcut-whisper --example convert -- models/ctranslate2/tiny.en /tmp/tiny.bin q8_0 5

use std::path::Path;
use std::time::Instant;

use reelcut_whisper::{ct2_to_ggml_with, Model, Quantization};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(ct2), Some(out)) = (args.get(1), args.get(2)) else {
        return Err("usage: convert CT2_MODEL_DIR OUT [f16|q8_0] [RUNS]".into());
    };
    let quant = match args.get(3).map(String::as_str) {
        None | Some("f16") => Quantization::F16,
        Some("q8_0") => Quantization::Q8_0,
        Some(other) => return Err(format!("unknown quantization {other:?}").into()),
    };
    let runs: usize = args.get(4).map(|s| s.parse()).transpose()?.unwrap_or(3);
    let (mut convert, mut load) = (Vec::new(), Vec::new());
    for run in 1..=runs {
        let report = ct2_to_ggml_with(Path::new(ct2), Path::new(out), quant)?;
        let t = Instant::now();
        drop(Model::load(Path::new(out))?);
        let l = t.elapsed().as_secs_f64();
        let c = report.elapsed.as_secs_f64();
        eprintln!(
            "run {run}: convert {c:.3} s (of which loading ~{l:.3} s), {} bytes",
            report.bytes
        );
        convert.push(c);
        load.push(l);
    }
    let (c, l) = (median(convert), median(load));
    println!(
        "{quant:?} median of {runs}: convert {c:.3} s, load {l:.3} s, convert without load {:.3} s",
        c - l
    );
    Ok(())
}
