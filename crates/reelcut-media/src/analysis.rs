//! The analysis pass of face-tracked reframing, separate from rendering: decode only the
//! clip's parts, take a luma histogram of every frame the renderer will output (for
//! frame-accurate shot cuts) and hand a downscaled BGR copy of frames at the sampling rate
//! to a callback (for face detection).
//!
//! Decoding is cut to what a face detector needs: the in-loop deblocking filter is skipped
//! (slightly blockier pictures) and so are non-reference frames (typically half the
//! B-frames), which nothing else depends on. Every frame's timestamp is still known from its
//! packet, so the crop path gets a key for every frame the renderer will output.

use std::path::Path;

use ffmpeg_next::{codec, ffi, format, frame, media, software::scaling, Packet};
use reelcut_core::{CancellationToken, TimeRange};

use crate::error::LibavContext;
use crate::probe::{info_of, open_input, MediaInfo};
use crate::MediaError;

/// Luma histogram bins.
pub const LUMA_BINS: usize = 32;

/// What the analysis saw of one part.
#[derive(Debug, Clone, PartialEq)]
pub struct PartFrames {
    pub part: TimeRange,
    /// Decoded frames: (source time, luma histogram).
    pub frames: Vec<(f64, Vec<f32>)>,
    /// Source times of every frame the renderer will output for this part, sorted.
    pub frame_times: Vec<f64>,
}

/// A sampled frame, downscaled, BGR24 packed. Owned, so a consumer on another thread takes
/// it without a second copy.
pub struct SampledFrame {
    pub part: usize,
    pub t: f64,
    pub bgr: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// Size of analysis frames: the source's display shape fitted inside `max` x `max / 2`
/// (two such frames stack into one square detector input), even.
pub fn analysis_size(info: &MediaInfo, max: u32) -> (u32, u32) {
    let dw = info.width as f64 * info.sar;
    let dh = info.height as f64;
    let s = (max as f64 / dw).min((max / 2) as f64 / dh).min(1.0);
    let even = |v: f64| ((v / 2.0).round() as u32 * 2).max(2);
    (even(dw * s), even(dh * s))
}

/// Decodes `parts` of `path`, calling `on_sample` about `sample_fps` times per second of
/// clip. Returns the source info and every output frame's time and luma histogram.
pub fn analyse(
    path: &Path,
    parts: &[TimeRange],
    sample_fps: f64,
    max_size: u32,
    cancel: &CancellationToken,
    on_sample: &mut dyn FnMut(SampledFrame) -> Result<(), MediaError>,
) -> Result<(MediaInfo, Vec<PartFrames>), MediaError> {
    let mut ictx = open_input(path)?;
    let info = info_of(path, &ictx)?;
    let stream = ictx
        .streams()
        .best(media::Type::Video)
        .ok_or_else(|| MediaError::NoVideo {
            path: path.to_path_buf(),
        })?;
    let vindex = stream.index();
    let tb = f64::from(stream.time_base());
    let frame_dur = 1.0 / info.fps.max(1.0);
    let mut ctx = codec::context::Context::from_parameters(stream.parameters())
        .at(path, "reading video parameters")?;
    ctx.set_threading(codec::threading::Config {
        kind: codec::threading::Type::Frame,
        count: 0,
        safe: false,
    });
    // SAFETY: plain field on a codec context not yet opened.
    unsafe {
        (*ctx.as_mut_ptr()).skip_loop_filter = ffi::AVDiscard::AVDISCARD_ALL;
        (*ctx.as_mut_ptr()).skip_frame = ffi::AVDiscard::AVDISCARD_NONREF;
    }
    let mut dec = ctx
        .decoder()
        .video()
        .at(path, "opening the video decoder")?;
    let (aw, ah) = analysis_size(&info, max_size);
    let mut scaler: Option<(scaling::Context, format::Pixel)> = None;
    let mut bgr = frame::Video::empty();
    let mut out = Vec::with_capacity(parts.len());
    let step = 1.0 / sample_fps.max(0.1);

    for (pi, part) in parts.iter().enumerate() {
        let ts = (part.start * f64::from(ffi::AV_TIME_BASE)) as i64;
        ictx.seek(ts, ..ts).at(path, "seeking")?;
        dec.flush();
        let mut frames = Vec::new();
        let mut frame_times = Vec::new();
        let mut next_sample = part.start;
        let mut done = false;
        let mut packet = Packet::empty();
        let mut decoded = frame::Video::empty();
        let mut eof = false;
        let mut read_errors = 0;
        while !done {
            if cancel.is_cancelled() {
                return Err(MediaError::Cancelled);
            }
            if !eof {
                match packet.read(&mut ictx) {
                    Ok(()) => {
                        read_errors = 0;
                        if packet.stream() != vindex {
                            continue;
                        }
                        if let Some(pts) = packet.pts() {
                            let t = pts as f64 * tb;
                            if part.keeps_frame(t, frame_dur) {
                                frame_times.push(t);
                            }
                        }
                        if let Err(e) = dec.send_packet(&packet) {
                            tracing::debug!(error = %e, "corrupt packet skipped in analysis");
                        }
                    }
                    Err(ffmpeg_next::Error::Eof) => {
                        eof = true;
                        // A drained decoder answers EOF again; nothing to handle.
                        let _ = dec.send_eof();
                    }
                    Err(e) => {
                        read_errors += 1;
                        if read_errors > 100 {
                            return Err(MediaError::Libav {
                                path: path.to_path_buf(),
                                stage: "reading packets",
                                source: e,
                            });
                        }
                        tracing::warn!(input = %path.display(), error = %e, "unreadable packet skipped");
                        continue;
                    }
                }
            }
            let mut got_any = false;
            while dec.receive_frame(&mut decoded).is_ok() {
                got_any = true;
                let Some(pts) = decoded.timestamp().or(decoded.pts()) else {
                    continue;
                };
                let t = pts as f64 * tb;
                if part.is_past(t) {
                    done = true;
                    break;
                }
                if !part.keeps_frame(t, frame_dur) {
                    continue;
                }
                frames.push((t, luma_histogram(&decoded)));
                if t + frame_dur / 2.0 >= next_sample {
                    let fmt = decoded.format();
                    if scaler.as_ref().is_none_or(|(_, f)| *f != fmt) {
                        let s = scaling::Context::get(
                            fmt,
                            decoded.width(),
                            decoded.height(),
                            format::Pixel::BGR24,
                            aw,
                            ah,
                            scaling::Flags::FAST_BILINEAR,
                        )
                        .at(path, "creating the analysis scaler")?;
                        scaler = Some((s, fmt));
                    }
                    if let Some((s, _)) = scaler.as_mut() {
                        s.run(&decoded, &mut bgr).at(path, "scaling for analysis")?;
                    }
                    on_sample(SampledFrame {
                        part: pi,
                        t,
                        bgr: packed_bgr(&bgr, aw, ah),
                        width: aw,
                        height: ah,
                    })?;
                    while next_sample <= t + frame_dur / 2.0 {
                        next_sample += step;
                    }
                }
            }
            if eof && !got_any {
                break;
            }
        }
        frame_times.sort_by(f64::total_cmp);
        frame_times.dedup();
        out.push(PartFrames {
            part: *part,
            frames,
            frame_times,
        });
    }
    Ok((info, out))
}

/// Copies a BGR24 frame into a tightly packed buffer (libav pads rows).
fn packed_bgr(f: &frame::Video, w: u32, h: u32) -> Vec<u8> {
    let stride = f.stride(0);
    let data = f.data(0);
    let row = w as usize * 3;
    let mut out = Vec::with_capacity(row * h as usize);
    for y in 0..h as usize {
        out.extend_from_slice(&data[y * stride..y * stride + row]);
    }
    out
}

/// A normalised luma histogram from the first plane (every 4th pixel of every 4th row).
/// For the usual YUV formats plane 0 is luma; for anything else it is still a stable
/// per-frame signature, which is all cut detection needs.
fn luma_histogram(f: &frame::Video) -> Vec<f32> {
    let mut h = vec![0.0f32; LUMA_BINS];
    let (w, rows, stride) = (f.width() as usize, f.height() as usize, f.stride(0));
    let data = f.data(0);
    let bytes_per_px = if stride >= w * 3 && !is_planar_yuv(f.format()) {
        3
    } else {
        1
    };
    let mut n = 0.0f32;
    for y in (0..rows).step_by(4) {
        let row = &data[y * stride..(y * stride + w * bytes_per_px).min(data.len())];
        for px in row.chunks(bytes_per_px).step_by(4) {
            h[px[0] as usize * LUMA_BINS / 256] += 1.0;
            n += 1.0;
        }
    }
    if n > 0.0 {
        h.iter_mut().for_each(|v| *v /= n);
    }
    h
}

fn is_planar_yuv(p: format::Pixel) -> bool {
    use format::Pixel::*;
    matches!(
        p,
        YUV420P
            | YUVJ420P
            | YUV422P
            | YUVJ422P
            | YUV444P
            | YUVJ444P
            | NV12
            | NV21
            | YUV420P10LE
            | GRAY8
    )
}
