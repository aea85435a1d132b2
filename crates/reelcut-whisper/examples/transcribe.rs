//! Converts a CTranslate2 Whisper model (cached) and transcribes a media file, printing
//! timings to stderr and the transcript as JSON to stdout. For measuring, not the product:
//!
//!     cargo run -p reelcut-whisper --example transcribe -- models/ctranslate2/tiny.en tests/media/speech.wav [threads] [beam]

use std::path::Path;
use std::time::Instant;

use reelcut_core::CancellationToken;
use reelcut_whisper::{convert, Model, TranscribeOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(ct2), Some(media)) = (args.get(1), args.get(2)) else {
        return Err("usage: transcribe CT2_MODEL_DIR MEDIA [THREADS] [BEAM]".into());
    };
    let threads = args.get(3).map(|s| s.parse()).transpose()?.unwrap_or(0);
    let beam_size = args.get(4).map(|s| s.parse()).transpose()?.unwrap_or(5);
    let cache = convert::user_model_dir().ok_or("no HOME or XDG_DATA_HOME")?;

    let t = Instant::now();
    let ggml = convert::ensure_ggml(Path::new(ct2), &cache)?;
    eprintln!(
        "model {} ready in {:.2} s",
        ggml.display(),
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let model = Model::load(&ggml)?;
    eprintln!(
        "loaded {} in {:.2} s",
        model.name(),
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let pcm =
        reelcut_media::audio16k::decode_16k_mono(Path::new(media), &CancellationToken::new())?;
    eprintln!(
        "decoded {:.1} s of audio in {:.2} s",
        pcm.len() as f64 / 16000.0,
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let opts = TranscribeOptions {
        threads,
        beam_size,
        ..TranscribeOptions::default()
    };
    let transcript = model.transcribe(&pcm, &opts, &CancellationToken::new(), &mut |p| {
        eprint!("\r{:3.0}%", p * 100.0)
    })?;
    eprintln!(
        "\rtranscribed in {:.2} s (threads {threads}, beam {beam_size})",
        t.elapsed().as_secs_f64()
    );
    println!("{}", serde_json::to_string_pretty(&transcript)?);
    Ok(())
}
