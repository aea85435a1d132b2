//! The audio side of a clip: decode, convert to planar float at the source rate, cut at
//! sample accuracy to the same instants as the video, join parts on one continuous
//! timeline (padding with silence where the source has a gap so A/V never drift), then
//! (only if AAC cannot take the source rate) resample, and encode AAC.

use std::path::{Path, PathBuf};
use std::ptr;

use ffmpeg_next::{
    codec, decoder, encoder, ffi, format, frame, software::resampling, ChannelLayout, Packet,
    Rational,
};
use reelcut_core::TimeRange;

use crate::error::LibavContext;
use crate::MediaError;

/// Rates the AAC encoder accepts; anything else is resampled to 48 kHz.
const AAC_RATES: &[u32] = &[
    96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000,
];

pub(crate) struct AudioPath {
    path: PathBuf,
    pub stream_index: usize,
    pub decoder: decoder::Audio,
    in_tb: Rational,
    channels: usize,
    layout: ChannelLayout,
    /// Source sample rate: the rate of the trimming timeline.
    rate: u32,
    /// Lazily created on the first frame, when the decoded format is certain.
    convert: Option<(resampling::Context, format::Sample, u64, u32)>,
    resample: Option<resampling::Context>,
    /// Samples placed on the clip timeline so far (at `rate`).
    timeline: i64,
    fifo: Vec<Vec<f32>>,
    pub encoder: encoder::Audio,
    enc_rate: u32,
    frame_size: usize,
    next_pts: i64,
    pub ost_index: usize,
    pub ost_tb: Rational,
}

impl AudioPath {
    pub(crate) fn new(
        path: &Path,
        stream: &format::stream::Stream,
        octx: &mut format::context::Output,
        bitrate: usize,
    ) -> Result<Self, MediaError> {
        let ctx = codec::context::Context::from_parameters(stream.parameters())
            .at(path, "reading audio parameters")?;
        let decoder = ctx
            .decoder()
            .audio()
            .at(path, "opening the audio decoder")?;
        let rate = decoder.rate();
        let in_channels = decoder.channels() as usize;
        if rate == 0 || in_channels == 0 {
            return Err(MediaError::Invalid {
                path: path.to_path_buf(),
                message: "audio stream has no sample rate or channels".into(),
            });
        }
        let channels = in_channels.min(2);
        let layout = ChannelLayout::default(channels as i32);
        let enc_rate = if AAC_RATES.contains(&rate) {
            rate
        } else {
            48000
        };
        let resample = if enc_rate != rate {
            let fltp = format::Sample::F32(format::sample::Type::Planar);
            Some(
                resampling::Context::get(fltp, layout, rate, fltp, layout, enc_rate)
                    .at(path, "creating the audio resampler")?,
            )
        } else {
            None
        };
        let aac = encoder::find(codec::Id::AAC).ok_or_else(|| MediaError::NoEncoder {
            tried: "aac: not built into libavcodec".into(),
        })?;
        let global_header = octx.format().flags().contains(format::Flags::GLOBAL_HEADER);
        let mut ost = octx.add_stream(aac).at(path, "adding the audio stream")?;
        let mut enc = codec::context::Context::new_with_codec(aac)
            .encoder()
            .audio()
            .at(path, "creating the AAC encoder")?;
        enc.set_rate(enc_rate as i32);
        enc.set_channel_layout(layout);
        enc.set_format(format::Sample::F32(format::sample::Type::Planar));
        enc.set_bit_rate(bitrate);
        enc.set_time_base(Rational(1, enc_rate as i32));
        if global_header {
            enc.set_flags(codec::Flags::GLOBAL_HEADER);
        }
        let encoder = enc.open_as(aac).at(path, "opening the AAC encoder")?;
        ost.set_parameters(&encoder);
        let frame_size = (encoder.frame_size() as usize).max(1);
        Ok(Self {
            path: path.to_path_buf(),
            stream_index: stream.index(),
            decoder,
            in_tb: stream.time_base(),
            channels,
            layout,
            rate,
            convert: None,
            resample,
            timeline: 0,
            fifo: vec![Vec::new(); channels],
            encoder,
            enc_rate,
            frame_size,
            next_pts: 0,
            ost_index: ost.index(),
            ost_tb: Rational(1, enc_rate as i32),
        })
    }

    /// Receives every frame the decoder has ready and places the part of it inside `part`
    /// on the timeline. Returns true once the decoder has gone past the part's end.
    pub(crate) fn drain_decoder(
        &mut self,
        part: &TimeRange,
        offset: f64,
        octx: &mut format::context::Output,
    ) -> Result<bool, MediaError> {
        let mut decoded = frame::Audio::empty();
        let mut done = false;
        while self.decoder.receive_frame(&mut decoded).is_ok() {
            let Some(ts) = decoded.timestamp().or(decoded.pts()) else {
                continue;
            };
            let t0 = ts as f64 * f64::from(self.in_tb);
            if t0 >= part.end {
                done = true;
                continue;
            }
            let samples = self.planar_f32(&mut decoded)?;
            let n = samples.first().map_or(0, Vec::len);
            let r = self.rate as f64;
            let idx = |t: f64| (((t - t0) * r - 1e-6).ceil().max(0.0) as usize).min(n);
            let (i0, i1) = (idx(part.start), idx(part.end));
            if i1 < n {
                done = true;
            }
            if i0 < i1 {
                let expected = ((offset + t0 + i0 as f64 / r - part.start) * r).round() as i64;
                self.append(&samples, i0, i1, expected, octx)?;
            }
        }
        Ok(done)
    }

    /// Ends a part: pads with silence (or trims) so the timeline is exactly where the video
    /// timeline is, whatever the source's audio did.
    pub(crate) fn finish_part(
        &mut self,
        end_offset: f64,
        octx: &mut format::context::Output,
    ) -> Result<(), MediaError> {
        let target = (end_offset * self.rate as f64).round() as i64;
        if target > self.timeline {
            let gap = (target - self.timeline) as usize;
            let silence = vec![vec![0.0f32; gap]; self.channels];
            self.push(&silence, 0, gap, octx)?;
        } else if target < self.timeline {
            // Only reachable when the resampler is off: the fifo then holds timeline samples.
            let excess = (self.timeline - target) as usize;
            let keep = self.fifo[0].len().saturating_sub(excess);
            for ch in &mut self.fifo {
                ch.truncate(keep);
            }
            self.timeline = target;
        }
        Ok(())
    }

    fn append(
        &mut self,
        samples: &[Vec<f32>],
        mut i0: usize,
        i1: usize,
        expected: i64,
        octx: &mut format::context::Output,
    ) -> Result<(), MediaError> {
        let tolerance = (self.rate / 200) as i64; // 5 ms
        if expected > self.timeline + 1 {
            // The source has a hole (or starts late): fill it so later audio stays in sync.
            let gap = (expected - self.timeline) as usize;
            let silence = vec![vec![0.0f32; gap]; self.channels];
            self.push(&silence, 0, gap, octx)?;
        } else if expected + tolerance < self.timeline {
            // Overlapping timestamps: drop what would play twice.
            i0 = (i0 + (self.timeline - expected) as usize).min(i1);
        }
        self.push(samples, i0, i1, octx)
    }

    fn push(
        &mut self,
        samples: &[Vec<f32>],
        i0: usize,
        i1: usize,
        octx: &mut format::context::Output,
    ) -> Result<(), MediaError> {
        if i1 <= i0 {
            return Ok(());
        }
        self.timeline += (i1 - i0) as i64;
        if self.resample.is_some() {
            let chunk: Vec<Vec<f32>> = samples.iter().map(|c| c[i0..i1].to_vec()).collect();
            let out = self.resample_chunk(Some(&chunk))?;
            for (f, o) in self.fifo.iter_mut().zip(out) {
                f.extend_from_slice(&o);
            }
        } else {
            for (f, c) in self.fifo.iter_mut().zip(samples) {
                f.extend_from_slice(&c[i0..i1]);
            }
        }
        self.encode_ready(false, octx)
    }

    /// Converts a decoded frame to planar f32 with our channel count, at the source rate
    /// (no rate change, hence no resampler delay to account for when trimming).
    fn planar_f32(&mut self, decoded: &mut frame::Audio) -> Result<Vec<Vec<f32>>, MediaError> {
        let fmt = decoded.format();
        let in_channels = decoded.channels().max(1);
        let mut in_layout = decoded.channel_layout();
        if in_layout.bits() == 0 || in_layout.channels() != in_channels as i32 {
            in_layout = ChannelLayout::default(in_channels as i32);
        }
        let rate = decoded.rate();
        let key = (fmt, in_layout.bits(), rate);
        let fresh = !matches!(&self.convert, Some((_, f, l, r)) if (*f, *l, *r) == key);
        if fresh {
            let fltp = format::Sample::F32(format::sample::Type::Planar);
            let ctx = resampling::Context::get(fmt, in_layout, rate, fltp, self.layout, rate)
                .at(&self.path, "creating the audio converter")?;
            self.convert = Some((ctx, fmt, in_layout.bits(), rate));
        }
        let Some((ctx, ..)) = self.convert.as_mut() else {
            unreachable!("converter set above")
        };
        let n = decoded.samples();
        let mut out: Vec<Vec<f32>> = vec![vec![0.0f32; n]; self.channels];
        let mut out_ptrs: Vec<*mut u8> =
            out.iter_mut().map(|c| c.as_mut_ptr() as *mut u8).collect();
        // SAFETY: extended_data holds one pointer per plane (planar) or one (packed) with
        // `n` samples; each output buffer has room for `n` f32 samples.
        let got = unsafe {
            let f = decoded.as_ptr();
            ffi::swr_convert(
                ctx.as_mut_ptr(),
                out_ptrs.as_mut_ptr(),
                n as i32,
                (*f).extended_data as *mut *const u8,
                n as i32,
            )
        };
        if got < 0 {
            return Err(MediaError::Libav {
                path: self.path.clone(),
                stage: "converting audio",
                source: ffmpeg_next::Error::from(got),
            });
        }
        for c in &mut out {
            c.truncate(got as usize);
        }
        Ok(out)
    }

    fn resample_chunk(&mut self, chunk: Option<&[Vec<f32>]>) -> Result<Vec<Vec<f32>>, MediaError> {
        let Some(ctx) = self.resample.as_mut() else {
            return Ok(vec![Vec::new(); self.channels]);
        };
        let n = chunk.map_or(0, |c| c[0].len());
        // SAFETY: swr_get_out_samples bounds what swr_convert may write for `n` inputs.
        let cap =
            unsafe { ffi::swr_get_out_samples(ctx.as_mut_ptr(), n as i32) }.max(0) as usize + 16;
        let mut out: Vec<Vec<f32>> = vec![vec![0.0f32; cap]; self.channels];
        let mut out_ptrs: Vec<*mut u8> =
            out.iter_mut().map(|c| c.as_mut_ptr() as *mut u8).collect();
        let in_ptrs: Vec<*const u8> = chunk.map_or(Vec::new(), |c| {
            c.iter().map(|ch| ch.as_ptr() as *const u8).collect()
        });
        let got = unsafe {
            ffi::swr_convert(
                ctx.as_mut_ptr(),
                out_ptrs.as_mut_ptr(),
                cap as i32,
                if chunk.is_some() {
                    in_ptrs.as_ptr() as *mut *const u8
                } else {
                    ptr::null_mut()
                },
                n as i32,
            )
        };
        if got < 0 {
            return Err(MediaError::Libav {
                path: self.path.clone(),
                stage: "resampling audio",
                source: ffmpeg_next::Error::from(got),
            });
        }
        for c in &mut out {
            c.truncate(got as usize);
        }
        Ok(out)
    }

    fn encode_ready(
        &mut self,
        flush: bool,
        octx: &mut format::context::Output,
    ) -> Result<(), MediaError> {
        let fltp = format::Sample::F32(format::sample::Type::Planar);
        loop {
            let available = self.fifo[0].len();
            let n = if available >= self.frame_size {
                self.frame_size
            } else if flush && available > 0 {
                available
            } else {
                break;
            };
            let mut f = frame::Audio::new(fltp, n, self.layout);
            f.set_rate(self.enc_rate);
            for (ch, samples) in self.fifo.iter_mut().enumerate() {
                f.plane_mut::<f32>(ch)[..n].copy_from_slice(&samples[..n]);
                samples.drain(..n);
            }
            f.set_pts(Some(self.next_pts));
            self.next_pts += n as i64;
            self.encoder
                .send_frame(&f)
                .at(&self.path, "encoding audio")?;
            self.write_packets(octx)?;
        }
        Ok(())
    }

    fn write_packets(&mut self, octx: &mut format::context::Output) -> Result<(), MediaError> {
        let mut packet = Packet::empty();
        while self.encoder.receive_packet(&mut packet).is_ok() {
            packet.set_stream(self.ost_index);
            packet.rescale_ts(Rational(1, self.enc_rate as i32), self.ost_tb);
            packet
                .write_interleaved(octx)
                .at(&self.path, "writing audio")?;
        }
        Ok(())
    }

    /// Drains the resampler and the encoder at the end of the clip.
    pub(crate) fn finish(&mut self, octx: &mut format::context::Output) -> Result<(), MediaError> {
        if self.resample.is_some() {
            let tail = self.resample_chunk(None)?;
            for (f, o) in self.fifo.iter_mut().zip(tail) {
                f.extend_from_slice(&o);
            }
        }
        self.encode_ready(true, octx)?;
        self.encoder
            .send_eof()
            .at(&self.path, "flushing the audio encoder")?;
        self.write_packets(octx)
    }
}
