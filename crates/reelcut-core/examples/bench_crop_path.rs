//! Times building a crop path from analysis samples (faces at 8 samples/s, luma histograms of
//! every other frame at 30 fps), for docs/BENCHMARKS.md ("rayon"): is the per-frame maths worth
//! spreading over cores? Two faces that drift, dropouts, and a hard cut every 20 s.
//!
//!     cargo run --release -p reelcut-core --example bench_crop_path -- [CLIP_SECONDS] [RUNS]

use std::time::Instant;

use reelcut_core::track::path::TrackParams;
use reelcut_core::track::{build_crop_path, Detection, PartSamples, Sample};
use reelcut_core::{Aspect, TimeRange};

const FPS: f64 = 30.0;
const SAMPLES_PER_S: f64 = 8.0;
const SHOT_S: f64 = 20.0;

fn face(cx: f32, cy: f32, size: f32, mouth: f32) -> Detection {
    let (x, y) = (cx - size / 2.0, cy - size / 2.0);
    Detection {
        x,
        y,
        w: size,
        h: size * 1.2,
        score: 0.9,
        landmarks: Some([
            [x + 0.3 * size, y + 0.4 * size],
            [x + 0.7 * size, y + 0.4 * size],
            [cx, cy],
            [x + (0.35 - mouth) * size, y + 0.8 * size],
            [x + (0.65 + mouth) * size, y + 0.8 * size],
        ]),
    }
}

fn part(start: f64, seconds: f64) -> PartSamples {
    let n_samples = (seconds * SAMPLES_PER_S) as usize;
    let samples = (0..n_samples)
        .map(|i| {
            let t = start + i as f64 / SAMPLES_PER_S;
            let shot = ((t - start) / SHOT_S) as usize;
            let drift = (t * 0.7).sin() as f32 * 120.0;
            let mouth = ((i * 7919) % 13) as f32 / 130.0;
            let mut faces = Vec::new();
            // Every seventh sample misses the main face; the second one comes and goes.
            if i % 7 != 3 {
                faces.push(face(
                    600.0 + 300.0 * (shot % 3) as f32 + drift,
                    450.0,
                    180.0,
                    mouth,
                ));
            }
            if (i / 40) % 2 == 0 {
                faces.push(face(1450.0 - drift, 500.0, 120.0, 0.02));
            }
            Sample {
                t,
                faces,
                patches: Vec::new(),
            }
        })
        .collect();
    let frame_times: Vec<f64> = (0..(seconds * FPS) as usize)
        .map(|k| start + k as f64 / FPS)
        .collect();
    let frames = frame_times
        .iter()
        .step_by(2)
        .map(|&t| {
            let shot = ((t - start) / SHOT_S) as usize;
            let mut h = vec![0.0f32; 32];
            h[(shot * 11) % 32] = 0.7;
            h[(shot * 11 + 5) % 32] = 0.3;
            (t, h)
        })
        .collect();
    PartSamples {
        part: TimeRange {
            start,
            end: start + seconds,
        },
        samples,
        frames,
        frame_times,
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let seconds: f64 = args.get(1).map(|s| s.parse()).transpose()?.unwrap_or(60.0);
    let runs: usize = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(21);
    // Two parts of a multipart clip, as the pipeline hands them over.
    let parts = [part(100.0, seconds / 2.0), part(900.0, seconds / 2.0)];
    let speech = [TimeRange {
        start: 0.0,
        end: 2000.0,
    }];
    let params = TrackParams::default();
    let mut times = Vec::new();
    let mut first = None;
    for _ in 0..runs {
        let started = Instant::now();
        let out = build_crop_path(
            &parts,
            1920,
            1080,
            1.0,
            Aspect::Vertical,
            1.0 / FPS,
            &speech,
            &[],
            &params,
        );
        times.push(started.elapsed().as_secs_f64());
        match &first {
            None => first = Some(out),
            Some(f) if *f != out => return Err("crop path differs between runs".into()),
            Some(_) => {}
        }
    }
    let out = first.ok_or("no runs")?;
    println!(
        "{seconds} s clip, {} keys, {} shots: build_crop_path median of {runs} {:.3} ms (min {:.3})",
        out.path.keys.len(),
        out.shots.len(),
        median(times.clone()) * 1e3,
        times.iter().copied().fold(f64::INFINITY, f64::min) * 1e3,
    );
    Ok(())
}
