//! The render engine: one clip = one pass over the source.
//!
//! For each part of the clip: seek to the keyframe before its start, decode and drop up to
//! the exact start frame, condition it when the source needs that (deinterlace, turn upright,
//! tone-map: [`crate::condition`], no graph at all otherwise), crop each frame in place
//! (zero-copy, the window comes from the crop path at that frame's time), push it through
//! one filter graph (scale, subtitles, watermark) and one encoder, stop at the exact end (or
//! where the frames really end). Audio is cut to the same instants. All times are
//! presentation times from the container's start. Timestamps are rebased so parts follow
//! each other from zero. The file appears under its final name only when complete.

mod audio;
pub(crate) mod encoder;
pub mod graph;

use std::path::{Path, PathBuf};
use std::time::Instant;

use ffmpeg_next::{ffi, format, frame, Dictionary, Packet, Rational};
use reelcut_core::{
    CancellationToken, CropPath, CropRect, Layout, PanelRange, RenderSpec, TimeRange,
};

use crate::condition::{Conditioner, Conditioning};
use crate::decode::{decode_range, Next, RangeStream, StreamDecoder};
use crate::error::LibavContext;
use crate::probe::{audio_stream, best_video, info_of, open_input, origin, MediaInfo};
use crate::MediaError;
use audio::AudioPath;
use encoder::{open_video_encoder, VideoParams};
use graph::{GraphInput, VideoGraph};
use reelcut_core::partial::PartialFile;

/// Progress of one clip render, reported once per output frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RenderProgress {
    pub frames: u64,
    pub total_frames: u64,
    /// Output time reached, in seconds.
    pub out_time: f64,
    pub duration: f64,
    pub elapsed: f64,
}

impl RenderProgress {
    pub fn fraction(&self) -> f64 {
        if self.duration > 0.0 {
            (self.out_time / self.duration).clamp(0.0, 1.0)
        } else {
            0.0
        }
    }

    pub fn eta_seconds(&self) -> Option<f64> {
        let f = self.fraction();
        (f > 0.02).then(|| self.elapsed * (1.0 - f) / f)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct RenderReport {
    pub output: PathBuf,
    pub width: u32,
    pub height: u32,
    /// Output duration (sum of the parts), seconds.
    pub duration: f64,
    pub frames: u64,
    pub encoder: String,
    pub has_audio: bool,
    pub source: MediaInfo,
    /// Packets dropped because they were damaged or unreadable (their frames are missing
    /// from the clip; everything around them is there). 0 for a clean input.
    pub skipped_packets: u64,
}

use reelcut_core::range::TIME_EPS;

/// Renders one clip. Blocking; call it from a worker thread, not an async executor.
pub fn render_clip(
    spec: &RenderSpec,
    cancel: &CancellationToken,
    on_progress: &mut dyn FnMut(&RenderProgress),
) -> Result<RenderReport, MediaError> {
    check_assets(spec)?;
    let mut ictx = open_input(&spec.input)?;
    let info = info_of(&spec.input, &ictx)?;
    check_ranges(spec, &info)?;
    if cancel.is_cancelled() {
        return Err(MediaError::Cancelled);
    }
    let path = spec.input.as_path();

    let vstream = best_video(path, &ictx)?;
    let vtb = vstream.time_base();
    let frame_rate = crate::probe::frame_rate(&vstream).unwrap_or(Rational(30, 1));
    let origin = origin(&ictx);
    let vdec = StreamDecoder::open_video(path, &vstream, origin, |_| {})?;
    let conditioning = Conditioning::of(&info);

    let crop = match &spec.crop {
        Some(c) => c.clone(),
        None => CropPath::centered(info.width, info.height, info.sar, spec.aspect),
    };
    let output = PartialFile::new(&spec.output).map_err(|source| MediaError::Io {
        path: spec.output.clone(),
        source,
    })?;
    let mut octx =
        format::output_as(output.tmp_path(), "mp4").at(&spec.output, "creating the output")?;
    let global_header = octx.format().flags().contains(format::Flags::GLOBAL_HEADER);
    let (venc, vcodec, encoder_name) = open_video_encoder(
        &spec.encoder,
        &VideoParams {
            size: spec.size,
            time_base: vtb,
            frame_rate,
            global_header,
        },
    )?;
    let vost_index = {
        let mut ost = octx
            .add_stream(vcodec)
            .at(&spec.output, "adding the video stream")?;
        ost.set_parameters(&venc);
        ost.index()
    };
    let mut audio = match audio_stream(path, &ictx, spec.audio_track)? {
        Some(astream) => Some(AudioPath::new(
            path,
            &astream,
            origin,
            &mut octx,
            spec.encoder.audio_bitrate,
        )?),
        None => None,
    };
    let mut opts = Dictionary::new();
    opts.set("movflags", "+faststart");
    octx.write_header_with(opts)
        .at(&spec.output, "writing the header")?;
    let vost_tb = octx
        .stream(vost_index)
        .map(|s| s.time_base())
        .unwrap_or(vtb);
    if let Some(a) = audio.as_mut() {
        a.ost_tb = octx
            .stream(a.ost_index)
            .map(|s| s.time_base())
            .unwrap_or(a.ost_tb);
    }

    let duration = spec.clip.duration();
    let mut video = VideoPath {
        path: spec.input.clone(),
        decoder: vdec,
        in_tb: vtb,
        frame_dur: 1.0 / f64::from(frame_rate),
        crop,
        crop_plan: graph::plan_for(spec, Layout::Crop),
        blur_plan: graph::plan_for(spec, Layout::BlurFit),
        full: CropPath::full(info.width, info.height),
        panel_plans: (1..=4).map(|n| graph::plan_panels(spec, n)).collect(),
        panels: spec.panels.clone(),
        blur_ranges: match spec.layout {
            Layout::BlurFit => vec![TimeRange {
                start: f64::NEG_INFINITY,
                end: f64::INFINITY,
            }],
            Layout::Crop => spec.blur_ranges.clone(),
        },
        graph: None,
        condition: conditioner(&conditioning, vtb, path),
        conditioning,
        checked_interlace: false,
        part_last_t: None,
        reached_end: false,
        encoder: venc,
        ost_index: vost_index,
        ost_tb: vost_tb,
        frames: 0,
        last_pts: None,
        total_frames: (duration * f64::from(frame_rate)).round() as u64,
        duration,
        started: Instant::now(),
    };

    let mut offset = 0.0;
    let mut unreadable = 0;
    for (i, part) in spec.clip.parts.iter().enumerate() {
        let mut cx = PartOutput {
            part,
            offset,
            octx: &mut octx,
            cancel,
            on_progress: &mut *on_progress,
        };
        let (skipped, length) = run_part(&mut ictx, &mut video, audio.as_mut(), &mut cx)?;
        unreadable += skipped;
        // The frames decide how long the part is, not the request: a header that claims
        // more than the file holds must not get hours of padding.
        offset += length;
        if let Some(a) = audio.as_mut() {
            a.finish_part(offset, i + 1 < spec.clip.parts.len(), &mut octx)?;
        }
    }
    video.finish(&mut octx)?;
    if let Some(a) = audio.as_mut() {
        a.finish(&mut octx)?;
    }
    octx.write_trailer()
        .at(&spec.output, "writing the trailer")?;
    drop(octx);
    let skipped_packets =
        unreadable + video.decoder.skipped() + audio.as_mut().map_or(0, |a| a.decoder.skipped());
    if video.frames == 0 {
        let (start, end) = clip_span(&spec.clip.parts);
        return Err(video.decoder.undecodable(start, end, skipped_packets));
    }
    let out = output.commit().map_err(|source| MediaError::Io {
        path: spec.output.clone(),
        source,
    })?;
    Ok(RenderReport {
        output: out,
        width: spec.size.width,
        height: spec.size.height,
        duration: offset,
        frames: video.frames,
        encoder: encoder_name.to_string(),
        has_audio: audio.is_some(),
        source: info,
        skipped_packets,
    })
}

/// The conditioning graph of the render, when the source needs one.
fn conditioner(c: &Conditioning, time_base: Rational, path: &Path) -> Option<Conditioner> {
    let nodes = c.render_nodes();
    (!nodes.is_empty()).then(|| Conditioner::new(nodes, None, time_base, path))
}

/// First start and last end of a clip's parts, for messages.
fn clip_span(parts: &[TimeRange]) -> (f64, f64) {
    let start = parts.iter().map(|p| p.start).fold(f64::INFINITY, f64::min);
    let end = parts
        .iter()
        .map(|p| p.end)
        .fold(f64::NEG_INFINITY, f64::max);
    (start, end)
}

fn check_assets(spec: &RenderSpec) -> Result<(), MediaError> {
    if let Some(s) = &spec.subtitles {
        if !s.is_file() {
            return Err(MediaError::AssetMissing {
                path: s.clone(),
                what: "subtitle file",
            });
        }
        let ext = s
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        if !matches!(ext.as_str(), "ass" | "ssa" | "srt" | "vtt") {
            return Err(MediaError::SubtitleFormat { path: s.clone() });
        }
    }
    if let Some(reelcut_core::Watermark {
        kind: reelcut_core::WatermarkKind::Image(p),
        ..
    }) = &spec.watermark
    {
        if !p.is_file() {
            return Err(MediaError::AssetMissing {
                path: p.clone(),
                what: "watermark image",
            });
        }
    }
    Ok(())
}

fn check_ranges(spec: &RenderSpec, info: &MediaInfo) -> Result<(), MediaError> {
    if spec.clip.parts.is_empty() {
        return Err(MediaError::Invalid {
            path: spec.input.clone(),
            message: "clip has no parts".into(),
        });
    }
    for p in &spec.clip.parts {
        // Containers round their duration; allow that much slack, no more.
        if p.start < 0.0
            || p.end <= p.start
            || p.start >= info.duration
            || p.end > info.duration + TIME_EPS * 50.0
        {
            return Err(MediaError::RangeOutside {
                path: spec.input.clone(),
                start: p.start,
                end: p.end,
                duration: info.duration,
            });
        }
    }
    for p in &spec.panels {
        let sized = |c: &CropPath| {
            c.source_width == info.width
                && c.source_height == info.height
                && c.width >= 2
                && c.height >= 2
                && c.width <= info.width
                && c.height <= info.height
        };
        if !(1..=4).contains(&p.crops.len()) || !p.crops.iter().all(sized) {
            return Err(MediaError::Invalid {
                path: spec.input.clone(),
                message: format!(
                    "the panels at {:.3}-{:.3} s are not 1-4 windows inside the {}x{} frame",
                    p.start, p.end, info.width, info.height
                ),
            });
        }
    }
    Ok(())
}

/// Where the frames of one part go, shared by its video and audio paths.
struct PartOutput<'a> {
    part: &'a TimeRange,
    /// The part's start on the clip timeline.
    offset: f64,
    octx: &'a mut format::context::Output,
    cancel: &'a CancellationToken,
    on_progress: &'a mut dyn FnMut(&RenderProgress),
}

/// Renders one part: from the keyframe at or before its start, frames before the start
/// decoded and dropped (frame-accurate cut), up to its end. Fails if not one of its frames
/// decoded (damaged, or past the input's real end). Returns the unreadable packets skipped
/// and the part's length on the clip timeline: the request, or less where the input ends
/// sooner.
fn run_part(
    ictx: &mut format::context::Input,
    video: &mut VideoPath,
    audio: Option<&mut AudioPath>,
    cx: &mut PartOutput<'_>,
) -> Result<(u64, f64), MediaError> {
    let path = video.path.clone();
    let (frames, skipped) = (video.frames, video.decoder.skipped());
    video.part_last_t = None;
    video.reached_end = false;
    let unreadable = {
        let mut streams: Vec<&mut dyn RangeStream<PartOutput<'_>>> = vec![&mut *video];
        if let Some(a) = audio {
            streams.push(a);
        }
        decode_range(
            ictx,
            &path,
            Some(cx.part.start),
            cx.cancel,
            cx,
            &mut streams,
        )?
    };
    video.end_part(cx)?;
    let skipped = video.decoder.skipped() - skipped + unreadable;
    let part = cx.part;
    if video.frames == frames {
        return Err(if skipped > 0 {
            video.decoder.undecodable(part.start, part.end, skipped)
        } else {
            MediaError::EmptyPart {
                path,
                start: part.start,
                end: part.end,
                ends: video.decoder.last_frame_end(video.frame_dur),
            }
        });
    }
    let length = match (video.reached_end, video.part_last_t) {
        (false, Some(t)) => ((t + video.frame_dur).min(part.end) - part.start).max(video.frame_dur),
        _ => part.duration(),
    };
    Ok((unreadable, length))
}

/// Which graph a frame goes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shown {
    Crop,
    Blur,
    /// The panel range with this index.
    Panels(usize),
}

/// Crops `frame` to `rect` without copying pixels.
fn crop_in_place(frame: &mut frame::Video, rect: &CropRect, path: &Path) -> Result<(), MediaError> {
    if rect.x + rect.width > frame.width() || rect.y + rect.height > frame.height() {
        return Err(MediaError::Invalid {
            path: path.to_path_buf(),
            message: format!(
                "crop window {}x{} at ({}, {}) is outside the {}x{} frame",
                rect.width,
                rect.height,
                rect.x,
                rect.y,
                frame.width(),
                frame.height()
            ),
        });
    }
    // SAFETY: the crop fields are plain integers on a frame we own; apply_cropping only
    // moves data pointers within the frame's buffers and shrinks width/height.
    let rc = unsafe {
        let f = frame.as_mut_ptr();
        (*f).crop_left = rect.x as usize;
        (*f).crop_top = rect.y as usize;
        (*f).crop_right = ((*f).width as u32 - rect.x - rect.width) as usize;
        (*f).crop_bottom = ((*f).height as u32 - rect.y - rect.height) as usize;
        ffi::av_frame_apply_cropping(
            f, 1, /* AV_FRAME_CROP_UNALIGNED: exact, no realignment */
        )
    };
    if rc < 0 {
        return Err(MediaError::Libav {
            path: path.to_path_buf(),
            stage: "cropping",
            source: ffmpeg_next::Error::from(rc),
        });
    }
    Ok(())
}

struct VideoPath {
    path: PathBuf,
    decoder: StreamDecoder,
    in_tb: Rational,
    frame_dur: f64,
    crop: CropPath,
    crop_plan: graph::FilterPlan,
    blur_plan: graph::FilterPlan,
    /// The whole frame, for the blurred-background layout.
    full: CropPath,
    /// The graphs of 1-4 panels, and the clip-time ranges shown as panels.
    panel_plans: Vec<graph::FilterPlan>,
    panels: Vec<PanelRange>,
    /// Clip-time ranges in the blurred-background layout.
    blur_ranges: Vec<TimeRange>,
    /// Built on the first frame (when the decoded pixel format is certain) and rebuilt when
    /// the layout changes between shots, with the layout it was built for.
    graph: Option<(VideoGraph, Shown)>,
    /// Deinterlace/rotate/tone-map before the crop, when the source needs it.
    condition: Option<Conditioner>,
    conditioning: Conditioning,
    /// Whether the first frame was looked at for interlacing the stream did not declare.
    checked_interlace: bool,
    /// Source time of the last frame of the current part, and whether the part ended on a
    /// frame at or past its end (rather than the input ending first).
    part_last_t: Option<f64>,
    reached_end: bool,
    encoder: ffmpeg_next::encoder::Video,
    ost_index: usize,
    ost_tb: Rational,
    frames: u64,
    last_pts: Option<i64>,
    total_frames: u64,
    duration: f64,
    started: Instant,
}

impl<'a> RangeStream<PartOutput<'a>> for VideoPath {
    fn decoder(&mut self) -> &mut StreamDecoder {
        &mut self.decoder
    }

    /// Takes every ready frame from the decoder; returns true once past the part's end.
    fn drain(&mut self, cx: &mut PartOutput<'a>) -> Result<bool, MediaError> {
        let mut decoded = frame::Video::empty();
        let tb = f64::from(self.in_tb);
        loop {
            let t = match self
                .decoder
                .next_in(&mut decoded, cx.part, self.frame_dur)?
            {
                Next::Frame(t) => t,
                Next::Past => {
                    self.reached_end = true;
                    return Ok(true);
                }
                Next::Drained => return Ok(false),
            };
            if cx.cancel.is_cancelled() {
                return Err(MediaError::Cancelled);
            }
            if !self.checked_interlace {
                self.checked_interlace = true;
                // Field order missing from the stream, but the frames say interlaced.
                if decoded.is_interlaced() && !self.conditioning.deinterlace {
                    tracing::info!(input = %self.path.display(), "interlaced frames: deinterlacing");
                    self.conditioning.deinterlace = true;
                    self.condition = conditioner(&self.conditioning, self.in_tb, &self.path);
                }
            }
            let out_t = cx.part.clip_time(t, cx.offset);
            let mut pts = (out_t / tb).round() as i64;
            if let Some(last) = self.last_pts {
                if pts <= last {
                    pts = last + 1;
                }
            }
            self.last_pts = Some(pts);
            self.part_last_t = Some(t);
            decoded.set_pts(Some(pts));
            match self.condition.as_mut() {
                None => self.emit(&mut decoded, cx)?,
                Some(c) => {
                    c.push(&mut decoded)?;
                    self.pull_conditioned(cx)?;
                }
            }
        }
    }
}

impl VideoPath {
    /// Takes every frame the conditioning graph has ready to the crop and the main graph.
    fn pull_conditioned(&mut self, cx: &mut PartOutput<'_>) -> Result<(), MediaError> {
        let mut out = frame::Video::empty();
        loop {
            let Some(c) = self.condition.as_mut() else {
                return Ok(());
            };
            if !c.pull(&mut out)? {
                return Ok(());
            }
            self.emit(&mut out, cx)?;
        }
    }

    /// Ends a part: the conditioning graph gives up the frames it holds (bwdif keeps one
    /// back) and starts afresh with the next part.
    fn end_part(&mut self, cx: &mut PartOutput<'_>) -> Result<(), MediaError> {
        if let Some(c) = self.condition.as_mut() {
            c.flush()?;
            self.pull_conditioned(cx)?;
        }
        if let Some(c) = self.condition.as_mut() {
            c.reset();
        }
        Ok(())
    }

    /// Crops, filters and encodes one (conditioned) frame; its pts is on the clip timeline.
    fn emit(
        &mut self,
        frame: &mut frame::Video,
        cx: &mut PartOutput<'_>,
    ) -> Result<(), MediaError> {
        let pts = frame.pts().unwrap_or(0);
        let out_t = pts as f64 * f64::from(self.in_tb);
        self.push_frame(frame, out_t, pts, cx.octx)?;
        self.frames += 1;
        (cx.on_progress)(&RenderProgress {
            frames: self.frames,
            total_frames: self.total_frames,
            out_time: out_t + self.frame_dur,
            duration: self.duration,
            elapsed: self.started.elapsed().as_secs_f64(),
        });
        Ok(())
    }

    /// `out_t` is the frame's time on the clip timeline, the key of the crop path.
    fn push_frame(
        &mut self,
        frame: &mut frame::Video,
        out_t: f64,
        pts: i64,
        octx: &mut format::context::Output,
    ) -> Result<(), MediaError> {
        if frame.width() != self.crop.source_width || frame.height() != self.crop.source_height {
            return Err(MediaError::Invalid {
                path: self.path.clone(),
                message: format!(
                    "frame size changes mid-stream ({}x{} -> {}x{}), which is not supported",
                    self.crop.source_width,
                    self.crop.source_height,
                    frame.width(),
                    frame.height()
                ),
            });
        }
        let within = |r: &TimeRange| out_t >= r.start - TIME_EPS && out_t < r.end - TIME_EPS;
        let shown = match self.panels.iter().position(|p| {
            within(&TimeRange {
                start: p.start,
                end: p.end,
            })
        }) {
            Some(i) => Shown::Panels(i),
            None if self.blur_ranges.iter().any(within) => Shown::Blur,
            None => Shown::Crop,
        };
        if self.graph.as_ref().is_some_and(|(_, s)| *s != shown) {
            // A layout switch at a shot boundary: drain the old graph completely before the
            // new one starts, so frames reach the encoder in order.
            self.close_graph(octx)?;
        }
        // The frame for each input of the graph: itself cropped, or for panels one
        // reference per panel (no pixel copies), each cropped to its own window.
        let rects: Vec<CropRect> = match shown {
            Shown::Crop => vec![self.crop.at(out_t)],
            Shown::Blur => vec![self.full.at(out_t)],
            Shown::Panels(i) => self.panels[i].crops.iter().map(|c| c.at(out_t)).collect(),
        };
        let mut inputs: Vec<frame::Video> = Vec::with_capacity(rects.len());
        for k in 1..rects.len() {
            // SAFETY: av_frame_clone makes a new frame referencing the same buffers
            // (refcounted); the wrapper frees it.
            let copy = unsafe { ffi::av_frame_clone(frame.as_ptr()) };
            if copy.is_null() {
                return Err(MediaError::Invalid {
                    path: self.path.clone(),
                    message: format!("out of memory referencing the frame for panel {k}"),
                });
            }
            inputs.push(unsafe { frame::Video::wrap(copy) });
        }
        inputs.insert(0, std::mem::replace(frame, frame::Video::empty()));
        for (f, rect) in inputs.iter_mut().zip(&rects) {
            crop_in_place(f, rect, &self.path)?;
        }
        if self.graph.is_none() {
            let graph_inputs: Vec<GraphInput> = rects
                .iter()
                .map(|r| GraphInput {
                    width: r.width,
                    height: r.height,
                    format: inputs[0].format(),
                    time_base: self.in_tb,
                })
                .collect();
            let plan = match shown {
                Shown::Crop => &self.crop_plan,
                Shown::Blur => &self.blur_plan,
                Shown::Panels(_) => &self.panel_plans[rects.len().clamp(1, 4) - 1],
            };
            self.graph = Some((graph::build(plan, &graph_inputs, &self.path)?, shown));
        }
        let Some((g, _)) = self.graph.as_mut() else {
            unreachable!("graph built above")
        };
        for (k, f) in inputs.iter_mut().enumerate() {
            f.set_pts(Some(pts));
            let src = if k == 0 {
                &mut g.src
            } else {
                &mut g.more[k - 1]
            };
            src.source().add(f).at(&self.path, "filtering")?;
        }
        self.pull_filtered(octx)
    }

    /// Sends end-of-stream through the current graph, encodes what it still holds, drops it.
    fn close_graph(&mut self, octx: &mut format::context::Output) -> Result<(), MediaError> {
        if let Some((g, _)) = self.graph.as_mut() {
            g.src
                .source()
                .flush()
                .at(&self.path, "flushing the filter graph")?;
        }
        self.pull_filtered(octx)?;
        self.graph = None;
        Ok(())
    }

    fn pull_filtered(&mut self, octx: &mut format::context::Output) -> Result<(), MediaError> {
        let ticks = self.frame_ticks();
        let Some((g, _)) = self.graph.as_mut() else {
            return Ok(());
        };
        let mut filtered = frame::Video::empty();
        while received(
            g.sink.sink().frame(&mut filtered),
            &self.path,
            "filtering video",
        )? {
            filtered.set_kind(ffmpeg_next::picture::Type::None);
            self.encoder
                .send_frame(&filtered)
                .at(&self.path, "encoding video")?;
            write_packets(
                &mut self.encoder,
                self.in_tb,
                ticks,
                self.ost_index,
                self.ost_tb,
                octx,
                &self.path,
            )?;
        }
        Ok(())
    }

    fn finish(&mut self, octx: &mut format::context::Output) -> Result<(), MediaError> {
        self.close_graph(octx)?;
        self.encoder
            .send_eof()
            .at(&self.path, "flushing the video encoder")?;
        let ticks = self.frame_ticks();
        write_packets(
            &mut self.encoder,
            self.in_tb,
            ticks,
            self.ost_index,
            self.ost_tb,
            octx,
            &self.path,
        )
    }

    /// One frame's duration in the encoder time base.
    fn frame_ticks(&self) -> i64 {
        ((self.frame_dur / f64::from(self.in_tb)).round() as i64).max(1)
    }
}

/// Whether a libav "receive" call (a filter sink's frame, an encoder's packet) gave one:
/// EAGAIN (nothing until more goes in) and EOF (nothing ever again) end the loop; any other
/// error is the encoder's or the filter's failure and must not pass for the end of the clip.
pub(crate) fn received(
    r: Result<(), ffmpeg_next::Error>,
    path: &Path,
    stage: &'static str,
) -> Result<bool, MediaError> {
    match r {
        Ok(()) => Ok(true),
        Err(ffmpeg_next::Error::Eof) => Ok(false),
        Err(ffmpeg_next::Error::Other { errno }) if errno == ffmpeg_next::error::EAGAIN => {
            Ok(false)
        }
        Err(e) => Err(e).at(path, stage),
    }
}

fn write_packets(
    enc: &mut ffmpeg_next::encoder::Video,
    enc_tb: Rational,
    frame_ticks: i64,
    ost_index: usize,
    ost_tb: Rational,
    octx: &mut format::context::Output,
    path: &Path,
) -> Result<(), MediaError> {
    let mut packet = Packet::empty();
    while received(enc.receive_packet(&mut packet), path, "encoding video")? {
        packet.set_stream(ost_index);
        // libx264 leaves durations unset; without them the muxer cannot know how long the
        // last frame lasts and the stream comes out one frame short.
        if packet.duration() <= 0 {
            packet.set_duration(frame_ticks);
        }
        packet.rescale_ts(enc_tb, ost_tb);
        packet.write_interleaved(octx).at(path, "writing video")?;
    }
    Ok(())
}
