//! Any input's audio as 16 kHz mono f32 samples: what Whisper listens to.
//!
//! Packets are decoded and resampled as they are read, so memory holds the output (or, with
//! [`decode_16k_mono_chunks`], one frame of it), never the decoded source. Samples are
//! placed on the input's timeline: sample `i` is at `i / 16000` s of presentation time, so
//! word times from a transcript line up with video frames even if the audio starts late,
//! has holes, or starts before zero (encoder priming).

use std::path::Path;

use ffmpeg_next::{ffi, format, frame, ChannelLayout, Rational};
use reelcut_core::CancellationToken;

use crate::decode::{decode_range, RangeStream, StreamDecoder};
use crate::probe::open_input;
use crate::resample::Resampler;
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
    decode_with(path, None, cancel, &mut |event| match event {
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
    decode_16k_mono_report(path, cancel, on_chunk).map(|r| r.samples)
}

/// What a decode to 16 kHz produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decoded16k {
    /// Samples handed out.
    pub samples: u64,
    /// Packets dropped as damaged or unreadable; their time is silence in the output (the
    /// timeline stays true). 0 for a clean input.
    pub skipped_packets: u64,
}

/// [`decode_16k_mono_chunks`] that also says how many damaged packets it skipped.
pub fn decode_16k_mono_report(
    path: &Path,
    cancel: &CancellationToken,
    on_chunk: &mut dyn FnMut(&[f32]),
) -> Result<Decoded16k, MediaError> {
    decode_16k_mono_track(path, None, cancel, on_chunk)
}

/// [`decode_16k_mono_report`] of the `track`-th audio stream (from 0); `None`: the default
/// one, the stream the render takes.
pub fn decode_16k_mono_track(
    path: &Path,
    track: Option<usize>,
    cancel: &CancellationToken,
    on_chunk: &mut dyn FnMut(&[f32]),
) -> Result<Decoded16k, MediaError> {
    decode_with(path, track, cancel, &mut |event| {
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
    track: Option<usize>,
    cancel: &CancellationToken,
    on_output: &mut dyn FnMut(Output<'_>),
) -> Result<Decoded16k, MediaError> {
    let mut ictx = open_input(path)?;
    let origin = crate::probe::origin(&ictx);
    let (index, time_base) = {
        // The same track the render takes by default (the default one, else the first).
        let stream =
            crate::probe::audio_stream(path, &ictx, track)?.ok_or_else(|| MediaError::Invalid {
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
    let (decoder, _, channels) = {
        let stream = ictx.stream(index).ok_or_else(|| MediaError::Invalid {
            path: path.to_path_buf(),
            message: "audio stream vanished".into(),
        })?;
        StreamDecoder::open_audio(path, &stream, origin)?
    };
    let duration =
        (ictx.duration() > 0).then(|| ictx.duration() as f64 / f64::from(ffi::AV_TIME_BASE));
    if let Some(d) = duration {
        // A broken header can claim days; beyond the cap the Vec simply grows.
        let seconds = d.min(MAX_RESERVE_SECONDS);
        on_output(Output::Expect(
            (seconds * f64::from(SAMPLE_RATE) * 1.01) as usize + SAMPLE_RATE as usize,
        ));
    }

    let mut stream = AudioStream {
        channels,
        decoder,
        decoded: frame::Audio::empty(),
        sink: Sink {
            path,
            time_base,
            origin,
            resampler: None,
            position: 0,
            shift: 0,
            on_output,
        },
    };
    let unreadable = decode_range(&mut ictx, path, None, cancel, &mut (), &mut [&mut stream])?;
    stream.sink.flush()?;
    let skipped_packets = unreadable + stream.decoder.skipped();
    if stream.sink.position <= 0 && skipped_packets > 0 {
        return Err(stream
            .decoder
            .undecodable(0.0, duration.unwrap_or(0.0), skipped_packets));
    }
    Ok(Decoded16k {
        samples: stream.sink.position.max(0) as u64,
        skipped_packets,
    })
}

struct AudioStream<'a> {
    decoder: StreamDecoder,
    /// Channels the stream declares.
    channels: u16,
    decoded: frame::Audio,
    sink: Sink<'a>,
}

impl RangeStream<()> for AudioStream<'_> {
    fn decoder(&mut self) -> &mut StreamDecoder {
        &mut self.decoder
    }

    /// The whole input is wanted: never done before its end.
    fn drain(&mut self, _: &mut ()) -> Result<bool, MediaError> {
        while self.decoder.receive(&mut self.decoded)? {
            match self.sink.frame(&mut self.decoded) {
                Ok(()) => {}
                // A channel count the stream never declared and that cannot even be
                // converted is garbage (AAC reads it from a damaged config element).
                Err(e) if self.decoded.channels() != self.channels => {
                    self.decoder.skip_damaged_frame(&e)
                }
                Err(e) => return Err(e),
            }
        }
        Ok(false)
    }
}

/// Key of the input format a resampler was made for.
type Format = (format::Sample, u64, u16, u32);

struct Sink<'a> {
    path: &'a Path,
    time_base: Rational,
    /// The input's start time, seconds: timeline zero.
    origin: f64,
    resampler: Option<(Resampler, Format)>,
    /// Output samples delivered so far.
    position: i64,
    /// Correction applied after a timestamp jump too big to fill.
    shift: i64,
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
            // Same timeline as the render's: relative to the container's start.
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
        let out = ctx.convert_frame(decoded)?;
        self.emit(&out[0], skip);
        Ok(())
    }

    fn new_resampler(
        &self,
        fmt: format::Sample,
        layout: ChannelLayout,
        rate: u32,
    ) -> Result<Resampler, MediaError> {
        let mut r = Resampler::new(
            self.path,
            (fmt, layout, rate),
            (ChannelLayout::MONO, false, SAMPLE_RATE),
        )?;
        // A downmix is an average, so stereo stays within [-1, 1].
        r.limit_gain(1.0)?;
        Ok(r)
    }

    /// Drains the samples the resampler still holds.
    fn flush(&mut self) -> Result<(), MediaError> {
        let Some((mut ctx, _)) = self.resampler.take() else {
            return Ok(());
        };
        let tail = ctx.flush()?;
        self.emit(&tail[0], 0);
        Ok(())
    }

    fn emit(&mut self, samples: &[f32], skip: usize) {
        let skip = skip.min(samples.len());
        if skip < samples.len() {
            (self.on_output)(Output::Samples(&samples[skip..]));
            self.position += (samples.len() - skip) as i64;
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
