mod support;
use reelcut_core::CancellationToken;
use reelcut_whisper::TranscribeOptions;
use std::time::Instant;

#[test]
fn explore() {
    let model = support::tiny_en();
    let pcm = support::decode("speech.wav");
    eprintln!("spans {:?}", support::sound_spans(&pcm, 0.1));
    for beam in [1u32, 5] {
        let t = Instant::now();
        let tr = model.transcribe(&pcm, &TranscribeOptions { beam_size: beam, ..Default::default() }, &CancellationToken::new(), &mut |_| {}).expect("ok");
        eprintln!("beam {beam}: {:?}", t.elapsed());
        for s in &tr.segments {
            eprintln!("[{:.2}-{:.2}] {:.2} {}", s.start, s.end, s.confidence, s.text);
            for w in &s.words { eprint!("  {}({:.2}-{:.2})", w.text, w.start, w.end); }
            eprintln!();
        }
    }
}
