//! The analysis pass of face-tracked reframing, separate from rendering: decode only the
//! clip's parts, take a luma histogram of every decoded frame (for shot cuts) and hand a
//! downscaled BGR copy of frames at the sampling rate to a callback (for face detection).
//!
//! Decoding is cut to what a face detector needs: the in-loop deblocking filter is skipped
//! (slightly blockier pictures) and so are all B-frames (on the two-person bench, half the
//! decoding time of skipping only non-reference ones). Every frame's timestamp is still
//! known from its packet, so the crop path gets a key for every frame the renderer will
//! output. A cut the analysis finds between two decoded frames with skipped ones between is
//! placed on its frame by [`frames_in`], a full decode of just that span.

use std::path::Path;

use ffmpeg_next::{codec, ffi, format, frame, software::scaling, Packet};
use reelcut_core::{CancellationToken, TimeRange};

use crate::condition::{Conditioner, Conditioning};
use crate::decode::{decode_range, Next, RangeStream, StreamDecoder};
use crate::error::LibavContext;
use crate::probe::{best_video, info_of, open_input, MediaInfo};
use crate::MediaError;

/// Luma histogram bins.
pub const LUMA_BINS: usize = 32;

/// A decoded frame: (source time, luma histogram).
pub type FrameHistogram = (f64, Vec<f32>);

/// What the analysis saw of one part.
#[derive(Debug, Clone, PartialEq)]
pub struct PartFrames {
    pub part: TimeRange,
    /// Decoded frames: (source time, luma histogram).
    pub frames: Vec<(f64, Vec<f32>)>,
    /// Source times of every frame the renderer will output for this part, sorted.
    pub frame_times: Vec<f64>,
    /// Packets of this part dropped as damaged or unreadable (their frames are missing
    /// from `frames`). 0 for a clean input.
    pub skipped_packets: u64,
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
/// clip. Returns the source info and every output frame's time and luma histogram. Fails
/// if a part had damaged packets and not one of its frames decoded.
pub fn analyse(
    path: &Path,
    parts: &[TimeRange],
    sample_fps: f64,
    max_size: u32,
    cancel: &CancellationToken,
    on_sample: &mut dyn FnMut(SampledFrame) -> Result<(), MediaError>,
) -> Result<(MediaInfo, Vec<PartFrames>), MediaError> {
    // Skipping frames that others refer to makes the decoder complain ("mmco: unref short
    // failure") where nothing is wrong with the input; real damage still shows as the
    // packets it cannot decode, and the render's full decode reports it.
    crate::init::quietly(|| analyse_loud(path, parts, sample_fps, max_size, cancel, on_sample))
}

fn analyse_loud(
    path: &Path,
    parts: &[TimeRange],
    sample_fps: f64,
    max_size: u32,
    cancel: &CancellationToken,
    on_sample: &mut dyn FnMut(SampledFrame) -> Result<(), MediaError>,
) -> Result<(MediaInfo, Vec<PartFrames>), MediaError> {
    let mut ictx = open_input(path)?;
    let info = info_of(path, &ictx)?;
    let stream = best_video(path, &ictx)?;
    let time_base = stream.time_base();
    let decoder = StreamDecoder::open_video(path, &stream, crate::probe::origin(&ictx), |ctx| {
        // One decoding thread: with B-frames skipped a frame-threaded decoder mostly waits
        // (measured: 0.38 s of CPU alone vs 0.58 s threaded for the same frames), and the
        // face detector runs on the other core meanwhile.
        ctx.set_threading(codec::threading::Config {
            kind: codec::threading::Type::Slice,
            count: 1,
            safe: false,
        });
        // SAFETY: plain fields on a codec context not yet opened.
        unsafe {
            (*ctx.as_mut_ptr()).skip_loop_filter = ffi::AVDiscard::AVDISCARD_ALL;
            (*ctx.as_mut_ptr()).skip_frame = ffi::AVDiscard::AVDISCARD_BIDIR;
        }
    })?;
    let (width, height) = analysis_size(&info, max_size);
    // The detector must see the picture the render outputs: upright and tone-mapped, by the
    // same conditioning pieces, on the downscaled frame.
    let condition = Conditioning::of(&info)
        .analysis_nodes(width, height)
        .map(|nodes| Conditioner::new(nodes, Some(format::Pixel::BGR24), time_base, path));
    let mut a = Analyser {
        path,
        decoder,
        frame_dur: 1.0 / info.fps.max(1.0),
        step: 1.0 / sample_fps.max(0.1),
        width,
        height,
        scaler: None,
        condition,
        bgr: frame::Video::empty(),
        on_sample,
        index: 0,
        part: TimeRange {
            start: 0.0,
            end: 0.0,
        },
        next_sample: 0.0,
        frames: Vec::new(),
        frame_times: Vec::new(),
    };
    let mut out = Vec::with_capacity(parts.len());
    for (index, part) in parts.iter().enumerate() {
        a.index = index;
        a.part = *part;
        a.next_sample = part.start;
        let skipped = a.decoder.skipped();
        let unreadable = decode_range(
            &mut ictx,
            path,
            Some(part.start),
            cancel,
            &mut (),
            &mut [&mut a],
        )?;
        let skipped = a.decoder.skipped() - skipped + unreadable;
        if a.frames.is_empty() && skipped > 0 {
            return Err(a.decoder.undecodable(part.start, part.end, skipped));
        }
        let frame_times = kept_times(std::mem::take(&mut a.frame_times), part);
        out.push(PartFrames {
            part: *part,
            frames: std::mem::take(&mut a.frames),
            frame_times,
            skipped_packets: skipped,
        });
    }
    Ok((info, out))
}

/// Every frame of each of `windows` (source times, both ends included), decoded in full,
/// with its luma histogram: what [`analyse`] skipped where a cut must be placed on its
/// frame. One list per window, in time order.
pub fn frames_in(
    path: &Path,
    windows: &[TimeRange],
    cancel: &CancellationToken,
) -> Result<Vec<Vec<FrameHistogram>>, MediaError> {
    // Quiet for the reason [`analyse`] is.
    crate::init::quietly(|| frames_in_loud(path, windows, cancel))
}

fn frames_in_loud(
    path: &Path,
    windows: &[TimeRange],
    cancel: &CancellationToken,
) -> Result<Vec<Vec<FrameHistogram>>, MediaError> {
    if windows.is_empty() {
        return Ok(Vec::new());
    }
    let mut ictx = open_input(path)?;
    let info = info_of(path, &ictx)?;
    let stream = best_video(path, &ictx)?;
    // The same decoder as the analysis (one thread, so a change of `skip_frame` applies
    // from the next packet on).
    let decoder = StreamDecoder::open_video(path, &stream, crate::probe::origin(&ictx), |ctx| {
        ctx.set_threading(codec::threading::Config {
            kind: codec::threading::Type::Slice,
            count: 1,
            safe: false,
        });
        // SAFETY: a plain field on a codec context not yet opened.
        unsafe { (*ctx.as_mut_ptr()).skip_loop_filter = ffi::AVDiscard::AVDISCARD_ALL };
    })?;
    let frame_dur = 1.0 / info.fps.max(1.0);
    let mut fine = Fine {
        decoder,
        frame_dur,
        part: windows[0],
        frames: Vec::new(),
        all_from: windows[0].start,
    };
    let mut out = Vec::with_capacity(windows.len());
    for w in windows {
        // Half a frame past the end, so the window's last frame is inside the range.
        fine.part = TimeRange {
            start: w.start,
            end: w.end + frame_dur / 2.0,
        };
        fine.all_from = w.start;
        fine.decoder.set_skip_frame(ffi::AVDiscard::AVDISCARD_BIDIR);
        decode_range(
            &mut ictx,
            path,
            Some(w.start),
            cancel,
            &mut (),
            &mut [&mut fine],
        )?;
        let eps = reelcut_core::range::TIME_EPS;
        let mut frames = std::mem::take(&mut fine.frames);
        frames.retain(|f| f.0 >= w.start - eps && f.0 <= w.end + eps);
        out.push(frames);
    }
    Ok(out)
}

/// The decode of one window of [`frames_in`]: B-frames skipped up to the window's first
/// frame (exactly as the analysis decoded them), every frame from there on. The B-frames
/// shown inside the window follow its last frame in decoding order, so they are all decoded.
struct Fine {
    decoder: StreamDecoder,
    frame_dur: f64,
    part: TimeRange,
    frames: Vec<(f64, Vec<f32>)>,
    /// Source time of the first packet decoded in full.
    all_from: f64,
}

impl RangeStream<()> for Fine {
    fn decoder(&mut self) -> &mut StreamDecoder {
        &mut self.decoder
    }

    fn on_packet(&mut self, packet: &Packet) {
        if let Some(pts) = packet.pts() {
            if self.decoder.seconds(pts) >= self.all_from - reelcut_core::range::TIME_EPS {
                self.decoder
                    .set_skip_frame(ffi::AVDiscard::AVDISCARD_DEFAULT);
            }
        }
    }

    fn drain(&mut self, _: &mut ()) -> Result<bool, MediaError> {
        let mut decoded = frame::Video::empty();
        loop {
            match self
                .decoder
                .next_in(&mut decoded, &self.part, self.frame_dur)?
            {
                Next::Frame(t) => self.frames.push((t, luma_histogram(&decoded))),
                Next::Past => return Ok(true),
                Next::Drained => return Ok(false),
            }
        }
    }
}

/// Of the frame times before a part's end (any order), those the render outputs: the frame
/// on screen at the start (the last starting at or before it) and every later one, the rule
/// of [`crate::decode::StreamDecoder::next_in`].
fn kept_times(mut times: Vec<f64>, part: &TimeRange) -> Vec<f64> {
    times.sort_by(f64::total_cmp);
    times.dedup();
    let first = times
        .iter()
        .rposition(|t| *t <= part.start + reelcut_core::range::TIME_EPS)
        .unwrap_or(0);
    times.split_off(first)
}

/// The analysis of one part at a time (the decoder and scaler carry over between parts).
struct Analyser<'a> {
    path: &'a Path,
    decoder: StreamDecoder,
    frame_dur: f64,
    /// Seconds between samples.
    step: f64,
    width: u32,
    height: u32,
    scaler: Option<(scaling::Context, format::Pixel)>,
    /// Replaces the scaler when the source needs turning or tone mapping.
    condition: Option<Conditioner>,
    bgr: frame::Video,
    on_sample: &'a mut dyn FnMut(SampledFrame) -> Result<(), MediaError>,
    /// The part being decoded and its index.
    index: usize,
    part: TimeRange,
    next_sample: f64,
    frames: Vec<(f64, Vec<f32>)>,
    frame_times: Vec<f64>,
}

impl RangeStream<()> for Analyser<'_> {
    fn decoder(&mut self) -> &mut StreamDecoder {
        &mut self.decoder
    }

    /// Every frame's time comes from its packet, even of the frames the decoder skips;
    /// which of them the render keeps is decided once the part is read ([`kept_times`]).
    fn on_packet(&mut self, packet: &Packet) {
        if let Some(pts) = packet.pts() {
            let t = self.decoder.seconds(pts);
            if !self.part.is_past(t) {
                self.frame_times.push(t);
            }
        }
    }

    fn drain(&mut self, _: &mut ()) -> Result<bool, MediaError> {
        let mut decoded = frame::Video::empty();
        loop {
            let t = match self
                .decoder
                .next_in(&mut decoded, &self.part, self.frame_dur)?
            {
                Next::Frame(t) => t,
                Next::Past => return Ok(true),
                Next::Drained => return Ok(false),
            };
            self.frames.push((t, luma_histogram(&decoded)));
            if t + self.frame_dur / 2.0 >= self.next_sample {
                self.sample(&mut decoded, t)?;
                while self.next_sample <= t + self.frame_dur / 2.0 {
                    self.next_sample += self.step;
                }
            }
        }
    }
}

impl Analyser<'_> {
    /// Hands a downscaled BGR copy of `decoded` (whose buffers may be taken) to the callback.
    fn sample(&mut self, decoded: &mut frame::Video, t: f64) -> Result<(), MediaError> {
        if let Some(c) = self.condition.as_mut() {
            c.push(decoded)?;
            if !c.pull(&mut self.bgr)? {
                return Ok(());
            }
            let (width, height) = (self.bgr.width(), self.bgr.height());
            return (self.on_sample)(SampledFrame {
                part: self.index,
                t,
                bgr: packed_bgr(&self.bgr, width, height),
                width,
                height,
            });
        }
        let fmt = decoded.format();
        if self.scaler.as_ref().is_none_or(|(_, f)| *f != fmt) {
            let s = scaling::Context::get(
                fmt,
                decoded.width(),
                decoded.height(),
                format::Pixel::BGR24,
                self.width,
                self.height,
                scaling::Flags::FAST_BILINEAR,
            )
            .at(self.path, "creating the analysis scaler")?;
            self.scaler = Some((s, fmt));
        }
        if let Some((s, _)) = self.scaler.as_mut() {
            s.run(decoded, &mut self.bgr)
                .at(self.path, "scaling for analysis")?;
        }
        (self.on_sample)(SampledFrame {
            part: self.index,
            t,
            bgr: packed_bgr(&self.bgr, self.width, self.height),
            width: self.width,
            height: self.height,
        })
    }
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
