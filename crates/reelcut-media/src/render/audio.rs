//! The audio side of a clip: decode, convert to planar float at the source rate, cut at
//! sample accuracy to the same instants as the video, join parts on one continuous
//! timeline (padding with silence where the source has a gap so A/V never drift), fade each
//! side of a join, then (only if AAC cannot take the source rate) resample, and encode AAC.

use std::path::{Path, PathBuf};

use ffmpeg_next::{codec, encoder, format, frame, ChannelLayout, Packet, Rational};

use super::PartOutput;
use crate::decode::{RangeStream, StreamDecoder};
use crate::error::LibavContext;
use crate::resample::Resampler;
use crate::MediaError;

/// Rates the AAC encoder accepts; anything else is resampled to 48 kHz.
const AAC_RATES: &[u32] = &[
    96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000,
];

/// Length of the fade-out before and the fade-in after each join between parts. Two parts
/// butted together make a step in the waveform that is heard as a click; a few ms of fade
/// on each side remove it and are too short to hear as a dip. (An overlapping crossfade
/// would make the audio shorter than the video by the overlap at every join.)
const JOIN_FADE_S: f64 = 0.005;

pub(crate) struct AudioPath {
    path: PathBuf,
    pub decoder: StreamDecoder,
    /// Channels the stream declares.
    source_channels: usize,
    /// Channels of the output (the source's, at most 2).
    channels: usize,
    layout: ChannelLayout,
    /// Source sample rate: the rate of the trimming timeline.
    rate: u32,
    /// To planar f32 with our channels at the source rate; made on the first frame, when
    /// the decoded format is certain, and again if it changes.
    convert: Option<(Resampler, format::Sample, u64, u32)>,
    /// To the encoder's rate, when AAC cannot take the source's.
    resample: Option<Resampler>,
    /// Samples placed on the clip timeline so far (at `rate`), held ones included.
    timeline: i64,
    /// The newest samples (at `rate`), held back so a fade-out can still reach them when
    /// the part ends: at most `fade` of them once a push is done.
    held: Vec<Vec<f32>>,
    /// Fade length in samples at `rate`.
    fade: usize,
    /// Samples of the current part that have had their fade-in; `fade` when done (the
    /// first part has none).
    faded_in: usize,
    fifo: Vec<Vec<f32>>,
    pub encoder: encoder::Audio,
    enc_rate: u32,
    frame_size: usize,
    next_pts: i64,
    pub ost_index: usize,
    pub ost_tb: Rational,
}

impl<'a> RangeStream<PartOutput<'a>> for AudioPath {
    fn decoder(&mut self) -> &mut StreamDecoder {
        &mut self.decoder
    }

    /// Receives every frame the decoder has ready and places the part of it inside the
    /// part on the timeline. Returns true once the decoder has gone past the part's end.
    fn drain(&mut self, cx: &mut PartOutput<'a>) -> Result<bool, MediaError> {
        let (part, offset) = (cx.part, cx.offset);
        let mut decoded = frame::Audio::empty();
        let mut done = false;
        while self.decoder.receive(&mut decoded)? {
            let Some(ts) = decoded.timestamp().or(decoded.pts()) else {
                continue;
            };
            let t0 = self.decoder.seconds(ts);
            if t0 >= part.end {
                done = true;
                continue;
            }
            let samples = match self.planar_f32(&mut decoded) {
                Ok(s) => s,
                // A channel count the stream never declared and that cannot even be
                // converted is garbage (AAC reads it from a damaged config element).
                Err(e) if usize::from(decoded.channels()) != self.source_channels => {
                    self.decoder.skip_damaged_frame(&e);
                    continue;
                }
                Err(e) => return Err(e),
            };
            let n = samples.first().map_or(0, Vec::len);
            let r = self.rate as f64;
            let idx = |t: f64| (((t - t0) * r - 1e-6).ceil().max(0.0) as usize).min(n);
            let (i0, i1) = (idx(part.start), idx(part.end));
            if i1 < n {
                done = true;
            }
            if i0 < i1 {
                let expected = ((offset + t0 + i0 as f64 / r - part.start) * r).round() as i64;
                self.append(&samples, i0, i1, expected, cx.octx)?;
            }
        }
        Ok(done)
    }
}

impl AudioPath {
    pub(crate) fn new(
        path: &Path,
        stream: &format::stream::Stream,
        origin: f64,
        octx: &mut format::context::Output,
        bitrate: usize,
    ) -> Result<Self, MediaError> {
        let (decoder, rate, in_channels) = StreamDecoder::open_audio(path, stream, origin)?;
        let in_channels = usize::from(in_channels);
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
            Some(Resampler::new(
                path,
                (fltp, layout, rate),
                (layout, true, enc_rate),
            )?)
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
            decoder,
            channels,
            layout,
            rate,
            source_channels: in_channels,
            convert: None,
            resample,
            timeline: 0,
            held: vec![Vec::new(); channels],
            fade: ((rate as f64 * JOIN_FADE_S).round() as usize).max(1),
            faded_in: usize::MAX,
            fifo: vec![Vec::new(); channels],
            encoder,
            enc_rate,
            frame_size,
            next_pts: 0,
            ost_index: ost.index(),
            ost_tb: Rational(1, enc_rate as i32),
        })
    }

    /// Ends a part: pads with silence (or trims) so the timeline is exactly where the video
    /// timeline is, whatever the source's audio did. Before a `join` to another part, its
    /// sound fades out and the next part's fades in.
    pub(crate) fn finish_part(
        &mut self,
        end_offset: f64,
        join: bool,
        octx: &mut format::context::Output,
    ) -> Result<(), MediaError> {
        let target = (end_offset * self.rate as f64).round() as i64;
        if target < self.timeline {
            let mut excess = (self.timeline - target) as usize;
            let from_held = excess.min(self.held[0].len());
            let keep = self.held[0].len() - from_held;
            for ch in &mut self.held {
                ch.truncate(keep);
            }
            excess -= from_held;
            // Only reachable when the resampler is off: the fifo then holds timeline samples.
            let keep = self.fifo[0].len().saturating_sub(excess);
            for ch in &mut self.fifo {
                ch.truncate(keep);
            }
            self.timeline = target;
        }
        if join {
            let n = self.fade.min(self.held[0].len());
            for ch in &mut self.held {
                let len = ch.len();
                for (i, s) in ch[len - n..].iter_mut().enumerate() {
                    *s *= fade_gain(n - 1 - i, n);
                }
            }
        }
        if target > self.timeline {
            self.pad((target - self.timeline) as usize, octx)?;
        }
        self.faded_in = if join { 0 } else { usize::MAX };
        self.release(0, octx)
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
            self.pad((expected - self.timeline) as usize, octx)?;
        } else if expected + tolerance < self.timeline {
            // Overlapping timestamps: drop what would play twice.
            i0 = (i0 + (self.timeline - expected) as usize).min(i1);
        }
        self.push(samples, i0, i1, octx)
    }

    /// `n` samples of silence, a second at a time: a gap is as long as the part allows,
    /// which must not mean one allocation of all of it.
    fn pad(&mut self, n: usize, octx: &mut format::context::Output) -> Result<(), MediaError> {
        let block = (self.rate as usize).min(n);
        let silence = vec![vec![0.0f32; block]; self.channels];
        let mut left = n;
        while left > 0 {
            let k = left.min(block);
            self.push_samples(&silence, 0, k, false, octx)?;
            left -= k;
        }
        Ok(())
    }

    fn push(
        &mut self,
        samples: &[Vec<f32>],
        i0: usize,
        i1: usize,
        octx: &mut format::context::Output,
    ) -> Result<(), MediaError> {
        self.push_samples(samples, i0, i1, true, octx)
    }

    /// Places `samples[i0..i1]` on the timeline; `sound` samples (not padding) of a part
    /// that follows a join get its fade-in.
    fn push_samples(
        &mut self,
        samples: &[Vec<f32>],
        i0: usize,
        i1: usize,
        sound: bool,
        octx: &mut format::context::Output,
    ) -> Result<(), MediaError> {
        if i1 <= i0 {
            return Ok(());
        }
        self.timeline += (i1 - i0) as i64;
        let start = self.held[0].len();
        for (h, c) in self.held.iter_mut().zip(samples) {
            h.extend_from_slice(&c[i0..i1]);
        }
        if sound && self.faded_in < self.fade {
            let n = (i1 - i0).min(self.fade - self.faded_in);
            for h in &mut self.held {
                for (i, s) in h[start..start + n].iter_mut().enumerate() {
                    *s *= fade_gain(self.faded_in + i, self.fade);
                }
            }
            self.faded_in += n;
        }
        self.release(self.fade, octx)
    }

    /// Passes all held samples but the newest `keep` on to the encoder.
    fn release(
        &mut self,
        keep: usize,
        octx: &mut format::context::Output,
    ) -> Result<(), MediaError> {
        let n = self.held[0].len().saturating_sub(keep);
        if n == 0 {
            return Ok(());
        }
        if let Some(r) = self.resample.as_mut() {
            let chunk: Vec<&[f32]> = self.held.iter().map(|c| &c[..n]).collect();
            let out = r.convert_planar(&chunk)?;
            for (f, o) in self.fifo.iter_mut().zip(out) {
                f.extend_from_slice(&o);
            }
        } else {
            for (f, c) in self.fifo.iter_mut().zip(&self.held) {
                f.extend_from_slice(&c[..n]);
            }
        }
        for h in &mut self.held {
            h.drain(..n);
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
            let ctx = Resampler::new(
                &self.path,
                (fmt, in_layout, rate),
                (self.layout, true, rate),
            )?;
            self.convert = Some((ctx, fmt, in_layout.bits(), rate));
        }
        let Some((ctx, ..)) = self.convert.as_mut() else {
            unreachable!("converter set above")
        };
        ctx.convert_frame(decoded)
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
        while super::received(
            self.encoder.receive_packet(&mut packet),
            &self.path,
            "encoding audio",
        )? {
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
        self.release(0, octx)?;
        if let Some(r) = self.resample.as_mut() {
            let tail = r.flush()?;
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

/// Gain of sample `i` of an `n`-sample fade-in (a raised cosine: no corner at either end);
/// a fade-out reads it backwards.
fn fade_gain(i: usize, n: usize) -> f32 {
    let x = (i as f64 + 0.5) / n as f64;
    (0.5 - 0.5 * (std::f64::consts::PI * x.min(1.0)).cos()) as f32
}

#[cfg(test)]
mod tests {
    use super::fade_gain;

    #[test]
    fn the_fade_rises_smoothly_from_silence_to_full() {
        let n = 240;
        let g: Vec<f32> = (0..n).map(|i| fade_gain(i, n)).collect();
        assert!(g[0] < 0.001 && g[n - 1] > 0.999);
        assert!(g.windows(2).all(|w| w[1] >= w[0]));
        // No step larger than the fade's slope allows (pi/2n at the middle).
        assert!(g.windows(2).all(|w| w[1] - w[0] < 0.007));
    }
}
