//! Face-tracked reframing of one clip: the analysis pass (decode downscaled, sampled) feeds
//! a detection thread through a small bounded channel, so decoding and detection overlap;
//! then the pure tracker in reelcut-core turns the samples into a crop path.

use std::sync::mpsc::sync_channel;

use reelcut_core::track::path::{refine_windows, TrackParams};
use reelcut_core::track::{
    build_crop_path, face_patch, Detection, LayoutPolicy, PartSamples, Pin, Sample, TrackOutcome,
};
use reelcut_core::{Aspect, CancellationToken, TimeRange};
use reelcut_media::analysis::{analyse, frames_in};
use reelcut_media::{MediaError, MediaInfo};
use reelcut_vision::{BgrImage, DetectorPool};

use crate::EngineError;

/// Analysis settings.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct TrackOptions {
    /// Detection samples per second of clip.
    pub sample_fps: f64,
    /// Longest side of analysis frames, in pixels.
    pub analysis_size: u32,
    /// Detector instances shared by all jobs of the process.
    pub detectors: usize,
    /// ONNX Runtime threads per detector.
    pub detector_threads: usize,
}

impl Default for TrackOptions {
    fn default() -> Self {
        Self {
            sample_fps: 8.0,
            analysis_size: 640,
            detectors: 1,
            detector_threads: 2,
        }
    }
}

type SampleMsg = (usize, f64, Vec<u8>, u32, u32);

/// Decodes `parts` of the input (downscaled, sampled) and detects the faces: what the
/// framing is made from.
pub(crate) fn sample_parts(
    pool: &DetectorPool,
    info: &MediaInfo,
    parts: &[TimeRange],
    opts: &TrackOptions,
    cancel: &CancellationToken,
    progress: &mut dyn FnMut(f64),
) -> Result<Vec<PartSamples>, EngineError> {
    if parts.is_empty() {
        return Ok(Vec::new());
    }
    let total: f64 = parts.iter().map(TimeRange::duration).sum::<f64>().max(1e-6);
    let (tx, rx) = sync_channel::<SampleMsg>(4);
    let (sx, sy) = {
        let (aw, ah) = reelcut_media::analysis::analysis_size(info, opts.analysis_size);
        (
            info.width as f32 / aw as f32,
            info.height as f32 / ah as f32,
        )
    };
    let n_parts = parts.len();
    let (analysed, detected) = std::thread::scope(|scope| {
        let detector = scope.spawn(move || -> Result<Vec<Vec<Sample>>, EngineError> {
            let mut samples: Vec<Vec<Sample>> = vec![Vec::new(); n_parts];
            let to_source = |mut f: Detection| {
                f.x *= sx;
                f.y *= sy;
                f.w *= sx;
                f.h *= sy;
                if let Some(l) = f.landmarks.as_mut() {
                    l.iter_mut().for_each(|p| {
                        p[0] *= sx;
                        p[1] *= sy;
                    });
                }
                f
            };
            let mut rx = rx.into_iter();
            // Two frames per inference: the detector stacks them into one input.
            while let Some(first) = rx.next() {
                let batch: Vec<SampleMsg> = std::iter::once(first).chain(rx.next()).collect();
                let images: Vec<BgrImage<'_>> = batch
                    .iter()
                    .map(|(_, _, bgr, w, h)| BgrImage {
                        data: bgr,
                        width: *w,
                        height: *h,
                    })
                    .collect();
                let found = pool.with(|d| d.detect_batch(&images)).map_err(|source| {
                    EngineError::Analyse {
                        path: info.path.clone(),
                        source,
                    }
                })?;
                for ((part, t, bgr, w, h), faces) in batch.iter().zip(found) {
                    // Mouth patches come from the analysis frame itself, while it is here:
                    // no second decode, no frames kept.
                    let patches = faces.iter().map(|f| face_patch(bgr, *w, *h, f)).collect();
                    samples[*part].push(Sample {
                        t: *t,
                        faces: faces.into_iter().map(to_source).collect(),
                        patches,
                    });
                }
            }
            Ok(samples)
        });
        let mut done_before = 0.0;
        let mut last_part = 0;
        let analysed = analyse(
            &info.path,
            parts,
            opts.sample_fps,
            opts.analysis_size,
            cancel,
            &mut |f| {
                if f.part != last_part {
                    done_before += parts[last_part].duration();
                    last_part = f.part;
                }
                progress(((done_before + f.t - parts[f.part].start) / total).clamp(0.0, 1.0));
                tx.send((f.part, f.t, f.bgr, f.width, f.height))
                    .map_err(|_| MediaError::Invalid {
                        path: info.path.clone(),
                        message: "face detector stopped".into(),
                    })
            },
        );
        drop(tx);
        let detected = detector.join().unwrap_or_else(|_| {
            Err(EngineError::internal(
                "face detection",
                "the detector thread panicked",
            ))
        });
        (analysed, detected)
    });
    let (_, frames) = analysed?;
    let samples = detected?;
    let mut parts: Vec<PartSamples> = frames
        .into_iter()
        .zip(samples)
        .map(|(f, s)| PartSamples {
            part: f.part,
            samples: s,
            frames: f.frames,
            frame_times: f.frame_times,
        })
        .collect();
    refine_cuts(&mut parts, info, cancel)?;
    Ok(parts)
}

/// Places each cut the analysis found between two decoded frames on its own frame, by
/// decoding in full the few spans where skipped frames lie between (usually none: encoders
/// put a key or P-frame on a scene change).
fn refine_cuts(
    parts: &mut [PartSamples],
    info: &MediaInfo,
    cancel: &CancellationToken,
) -> Result<(), EngineError> {
    let frame_dur = 1.0 / info.fps.max(1.0);
    let params = TrackParams::default();
    let windows: Vec<(usize, TimeRange)> = parts
        .iter()
        .enumerate()
        .flat_map(|(i, ps)| {
            refine_windows(ps, frame_dur, &params)
                .into_iter()
                .map(move |w| (i, w))
        })
        .collect();
    if windows.is_empty() {
        return Ok(());
    }
    let spans: Vec<TimeRange> = windows.iter().map(|(_, w)| *w).collect();
    let decoded = frames_in(&info.path, &spans, cancel)?;
    for ((i, w), frames) in windows.into_iter().zip(decoded) {
        parts[i].refine(w, frames);
    }
    Ok(())
}

/// The crop path and per-shot summary of a clip from its parts' samples.
pub(crate) fn frame_parts(
    part_samples: &[PartSamples],
    info: &MediaInfo,
    aspect: Aspect,
    speech: &[TimeRange],
    pins: &[(TimeRange, Pin)],
    policy: LayoutPolicy,
) -> TrackOutcome {
    build_crop_path(
        part_samples,
        info.width,
        info.height,
        info.sar,
        aspect,
        1.0 / info.fps.max(1.0),
        speech,
        pins,
        &TrackParams {
            layout: policy,
            ..TrackParams::default()
        },
    )
}
