//! Any input's audio as 16 kHz mono f32 samples: what Whisper listens to.
//!
//! Packets are decoded and resampled as they are read, so memory holds the output (or, with
//! [`decode_16k_mono_chunks`], one frame of it), never the decoded source. Samples are
//! placed on the input's timeline: sample `i` is at `i / 16000` s of presentation time, so
//! word times from a transcript line up with video frames even if the audio starts late,
//! has holes, or starts before zero (encoder priming).

use std::path::Path;

use ffmpeg_next::{
    codec, ffi, format, frame, media, software::resampling, ChannelLayout, Packet, Rational,
};
use reelcut_core::CancellationToken;

use crate::error::LibavContext;
use crate::probe::open_input;
use crate::MediaError;

pub const SAMPLE_RATE: u32 = 16_000;

/// Timestamp disagreements below this are jitter, not holes or overlaps (20 ms).
const TOLERANCE: i64 = SAMPLE_RATE as i64 / 50;
/// A jump larger than this is a broken timestamp, not silence to fill (it would make a
/// file with one bad timestamp allocate hours of zeros).
const MAX_GAP: i64 = SAMPLE_RATE as i64 * 60;
/// Up-front allocation is capped at 6 hours of output (1.4 GB).
const MAX_RESERVE_SECONDS: f64 = 6.0 * 3600.0;

/// Decodes the best audio stream of `path` to 16 kHz mono f32 in [-1, 1].
/// Blocking; checks `cancel` once per packet.
pub fn decode_16k_mono(path: &Path, cancel: &CancellationToken) -> Result<Vec<f32>, MediaError> {
    let mut out = Vec::new();
    decode_with(path, cancel, &mut |event| match event {
        // One allocation of the expected size instead of doubling (which would briefly need
        // up to twice the output).
        Output::Expect(n) => {
            // Only a hint: if it cannot be had at once, growing as needed still works.
            let _ = out.try_reserve_exact(n);
        }
        Output::Samples(chunk) => out.extend_from_slice(chunk),
    })?;
    Ok(out)
}

/// Like [`decode_16k_mono`], handing samples to `on_chunk` as they are produced (in order,
/// one decoded frame's worth at a time). Returns the number of samples produced.
pub fn decode_16k_mono_chunks(
    path: &Path,
    cancel: &CancellationToken,
    on_chunk: &mut dyn FnMut(&[f32]),
) -> Result<u64, MediaError> {
    decode_with(path, cancel, &mut |event| {
        if let Output::Samples(chunk) = event {
            on_chunk(chunk);
        }
    })
}

enum Output<'a> {
    /// About how many samples will come (from the container's duration).
    Expect(usize),
    Samples(&'a [f32]),
}

fn decode_with(
    path: &Path,
    cancel: &CancellationToken,
    on_output: &mut dyn FnMut(Output<'_>),
) -> Result<u64, MediaError> {
    let mut ictx = open_input(path)?;
    let (index, time_base) = {
        let stream =
            ictx.streams()
                .best(media::Type::Audio)
                .ok_or_else(|| MediaError::Invalid {
                    path: path.to_path_buf(),
                    message: "has no audio stream".into(),
                })?;
        (stream.index(), stream.time_base())
    };
    // Tell the demuxer to skip the other streams' packets instead of handing them to us.
    for i in 0..ictx.nb_streams() as usize {
        if i != index {
            // SAFETY: `i` is a valid stream index of this open context.
            unsafe {
                (**(*ictx.as_mut_ptr()).streams.add(i)).discard = ffi::AVDiscard::AVDISCARD_ALL
            };
        }
    }
    let mut decoder = {
        let stream = ictx.stream(index).ok_or_else(|| MediaError::Invalid {
            path: path.to_path_buf(),
            message: "audio stream vanished".into(),
        })?;
        let ctx = codec::context::Context::from_parameters(stream.parameters())
            .at(path, "reading audio parameters")?;
        ctx.decoder()
            .audio()
            .at(path, "opening the audio decoder")?
    };
    if ictx.duration() > 0 {
        // A broken header can claim days; beyond the cap the Vec simply grows.
        let seconds =
            (ictx.duration() as f64 / f64::from(ffi::AV_TIME_BASE)).min(MAX_RESERVE_SECONDS);
        on_output(Output::Expect(
            (seconds * f64::from(SAMPLE_RATE) * 1.01) as usize + SAMPLE_RATE as usize,
        ));
    }
    // SAFETY: plain field read of an open context.
    let start_time = unsafe { (*ictx.as_ptr()).start_time };
    let origin = if start_time == ffi::AV_NOPTS_VALUE {
        0.0
    } else {
        start_time as f64 / f64::from(ffi::AV_TIME_BASE)
    };

    let mut sink = Sink {
        path,
        time_base,
        origin,
        resampler: None,
        position: 0,
        shift: 0,
        scratch: Vec::new(),
        on_output,
    };
    let mut decoded = frame::Audio::empty();
    let mut packet = Packet::empty();
    let mut read_errors = 0;
    loop {
        if cancel.is_cancelled() {
            return Err(MediaError::Cancelled);
        }
        match packet.read(&mut ictx) {
            Ok(()) => read_errors = 0,
            Err(ffmpeg_next::Error::Eof) => break,
            Err(e) => {
                read_errors += 1;
                tracing::warn!(input = %path.display(), error = %e, "unreadable packet skipped");
                if read_errors > 100 {
                    return Err(MediaError::Libav {
                        path: path.to_path_buf(),
                        stage: "reading packets",
                        source: e,
                    });
                }
                continue;
            }
        }
        if packet.stream() != index {
            continue;
        }
        if let Err(e) = decoder.send_packet(&packet) {
            tracing::warn!(input = %path.display(), error = %e, "corrupt audio packet skipped");
        }
        while decoder.receive_frame(&mut decoded).is_ok() {
            sink.frame(&mut decoded)?;
        }
    }
    // Draining an already-drained decoder returns EOF again; nothing to report.
    let _ = decoder.send_eof();
    while decoder.receive_frame(&mut decoded).is_ok() {
        sink.frame(&mut decoded)?;
    }
    sink.flush()?;
    Ok(sink.position.max(0) as u64)
}

/// Key of the input format a resampler was made for.
type Format = (format::Sample, u64, u16, u32);

struct Sink<'a> {
    path: &'a Path,
    time_base: Rational,
    /// The input's start time, seconds: timeline zero.
    origin: f64,
    resampler: Option<(resampling::Context, Format)>,
    /// Output samples delivered so far.
    position: i64,
    /// Correction applied after a timestamp jump too big to fill.
    shift: i64,
    scratch: Vec<f32>,
    on_output: &'a mut dyn FnMut(Output<'_>),
}

impl Sink<'_> {
    fn frame(&mut self, decoded: &mut frame::Audio) -> Result<(), MediaError> {
        let n = decoded.samples();
        if n == 0 || decoded.rate() == 0 {
            return Ok(());
        }
        let channels = decoded.channels().max(1);
        let mut layout = decoded.channel_layout();
        if layout.bits() == 0 || layout.channels() != i32::from(channels) {
            layout = ChannelLayout::default(i32::from(channels));
        }
        let key: Format = (decoded.format(), layout.bits(), channels, decoded.rate());
        if !matches!(&self.resampler, Some((_, k)) if *k == key) {
            // Parameters changed mid-stream (or first frame): drain the old one first.
            self.flush()?;
            self.resampler = Some((self.new_resampler(key.0, layout, key.3)?, key));
        }

        // Where this frame belongs on the 16 kHz timeline, if it says.
        let mut skip = 0usize;
        if let Some(ts) = decoded.timestamp().or(decoded.pts()) {
            let seconds = ts as f64 * f64::from(self.time_base) - self.origin;
            let at = (seconds * f64::from(SAMPLE_RATE)).round() as i64 + self.shift;
            let gap = at - self.position;
            if gap.abs() > MAX_GAP {
                tracing::warn!(input = %self.path.display(), seconds = gap as f64 / f64::from(SAMPLE_RATE),
                    "audio timestamp jump ignored");
                self.shift -= gap;
            } else if gap > TOLERANCE {
                self.emit_silence(gap as usize);
            } else if gap < -TOLERANCE {
                // Overlap, or priming before zero: drop what would play twice.
                skip = (-gap) as usize;
            }
        }

        let Some((ctx, _)) = self.resampler.as_mut() else {
            return Ok(());
        };
        // SAFETY: swr_get_out_samples bounds what swr_convert may write for `n` inputs.
        let cap =
            unsafe { ffi::swr_get_out_samples(ctx.as_mut_ptr(), n as i32) }.max(0) as usize + 16;
        self.scratch.resize(cap, 0.0);
        let mut out_ptr = self.scratch.as_mut_ptr() as *mut u8;
        // SAFETY: extended_data holds one pointer per plane (planar) or one (packed) with `n`
        // samples each; the output is one packed plane with room for `cap` f32 samples.
        let got = unsafe {
            ffi::swr_convert(
                ctx.as_mut_ptr(),
                &mut out_ptr,
                cap as i32,
                (*decoded.as_ptr()).extended_data as *mut *const u8,
                n as i32,
            )
        };
        if got < 0 {
            return Err(MediaError::Libav {
                path: self.path.to_path_buf(),
                stage: "resampling audio",
                source: ffmpeg_next::Error::from(got),
            });
        }
        self.emit_scratch(got as usize, skip);
        Ok(())
    }

    fn new_resampler(
        &self,
        fmt: format::Sample,
        layout: ChannelLayout,
        rate: u32,
    ) -> Result<resampling::Context, MediaError> {
        let mono = format::Sample::F32(format::sample::Type::Packed);
        let mut ctx =
            resampling::Context::get(fmt, layout, rate, mono, ChannelLayout::MONO, SAMPLE_RATE)
                .at(self.path, "creating the audio resampler")?;
        // For float output libswresample does not normalise its downmix matrix, so stereo
        // becomes 0.707 (L + R) and can exceed 1.0. Capping the matrix gain at 1 makes the
        // downmix an average.
        // SAFETY: valid context; re-initialising after setting an option is the documented way.
        let rc = unsafe {
            let s = ctx.as_mut_ptr();
            let rc = ffi::av_opt_set_double(s as *mut _, c"rematrix_maxval".as_ptr(), 1.0, 0);
            if rc < 0 {
                rc
            } else {
                ffi::swr_init(s)
            }
        };
        if rc < 0 {
            return Err(MediaError::Libav {
                path: self.path.to_path_buf(),
                stage: "configuring the audio resampler",
                source: ffmpeg_next::Error::from(rc),
            });
        }
        Ok(ctx)
    }

    /// Drains the samples the resampler still holds.
    fn flush(&mut self) -> Result<(), MediaError> {
        let Some((mut ctx, _)) = self.resampler.take() else {
            return Ok(());
        };
        loop {
            // SAFETY: as in `frame`; a null input drains the resampler.
            let cap = unsafe { ffi::swr_get_out_samples(ctx.as_mut_ptr(), 0) }.max(0) as usize + 16;
            self.scratch.resize(cap, 0.0);
            let mut out_ptr = self.scratch.as_mut_ptr() as *mut u8;
            let got = unsafe {
                ffi::swr_convert(
                    ctx.as_mut_ptr(),
                    &mut out_ptr,
                    cap as i32,
                    std::ptr::null_mut(),
                    0,
                )
            };
            if got < 0 {
                return Err(MediaError::Libav {
                    path: self.path.to_path_buf(),
                    stage: "flushing the audio resampler",
                    source: ffmpeg_next::Error::from(got),
                });
            }
            if got == 0 {
                return Ok(());
            }
            self.emit_scratch(got as usize, 0);
        }
    }

    fn emit_scratch(&mut self, len: usize, skip: usize) {
        let skip = skip.min(len);
        if skip < len {
            (self.on_output)(Output::Samples(&self.scratch[skip..len]));
            self.position += (len - skip) as i64;
        }
    }

    fn emit_silence(&mut self, len: usize) {
        const BLOCK: usize = 4096;
        let zeros = [0f32; BLOCK];
        let mut left = len;
        while left > 0 {
            let k = left.min(BLOCK);
            (self.on_output)(Output::Samples(&zeros[..k]));
            left -= k;
        }
        self.position += len as i64;
    }
}
