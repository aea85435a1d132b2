mod support;
use reelcut_core::CancellationToken;
use reelcut_whisper::TranscribeOptions;
use std::time::Instant;

#[test]
fn explore() {
    let t = Instant::now();
    let model = support::tiny_en();
    eprintln!("convert+load {:?}", t.elapsed());
    eprintln!("sys: {}", whisper_rs::print_system_info());
    let pcm = support::decode("speech.wav");
    eprintln!("pcm {} spans {:?}", pcm.len(), support::sound_spans(&pcm, 0.5));
    for beam in [1u32] {
        let t = Instant::now();
        let mut prog = Vec::new();
        let tr = model.transcribe(&pcm, &TranscribeOptions { beam_size: beam, ..Default::default() }, &CancellationToken::new(), &mut |p| prog.push(p)).expect("ok");
        eprintln!("beam {beam}: {:?} progress {:?}", t.elapsed(), prog);
        for s in &tr.segments {
            eprintln!("[{:.2}-{:.2}] {:.2} {}", s.start, s.end, s.confidence, s.text);
            for w in &s.words { eprint!("  {}({:.2}-{:.2} p{:.2})", w.text, w.start, w.end, w.probability); }
            eprintln!();
        }
    }
}
