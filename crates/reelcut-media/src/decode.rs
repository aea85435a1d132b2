//! Decoding a range of an input, and what a decode error means.
//!
//! A damaged packet is not the end of the stream: the decoder drops it, we log it, count it
//! and go on with the next one, so a corrupt stretch costs the frames in it and nothing
//! after. Only errors about the decoder itself (out of memory, a libav bug) end decoding,
//! and so does a range in which nothing at all could be decoded.

use std::path::{Path, PathBuf};

use ffmpeg_next::{codec, decoder, error, format, frame, Error, Frame, Packet};
use reelcut_core::range::TIME_EPS;
use reelcut_core::{CancellationToken, TimeRange};

use crate::error::LibavContext;
use crate::MediaError;

/// How long before a part's start its first frame may start (when no frame comes between):
/// longer gaps are taken as missing frames, not as one frame on screen (seconds; variable
/// frame rate phone video spaces frames up to about 0.1 s).
const MAX_HOLD: f64 = 0.25;
/// Unreadable packets in a row after which the input counts as unreadable.
const MAX_READ_ERRORS: u32 = 100;
/// Decoder errors in one receive loop with no frame between them. Each error drops a
/// packet, so this many means the decoder is failing on its own, not on its input.
const MAX_RECEIVE_ERRORS: u32 = 1000;

/// Whether a decoder error is about the packet (which the decoder has dropped), as opposed
/// to the decoder itself failing. Decoders report bad data with many codes, not only
/// AVERROR_INVALIDDATA: PATCHWELCOME (AAC for most garbage), EINVAL, ERANGE, and plain -1
/// (EPERM) from older code paths (measured: AAC returns each on random bytes). So the test
/// is the other way round: what is known to be about the decoder or the machine fails.
fn is_damaged_packet(e: &Error) -> bool {
    match e {
        // EAGAIN from send_packet would mean frames were left unread: our bug, not the
        // file's (receive handles EAGAIN before asking).
        Error::Other { errno } => *errno != error::ENOMEM && *errno != error::EAGAIN,
        Error::Bug
        | Error::Bug2
        | Error::Exit
        | Error::External
        | Error::Experimental
        | Error::DecoderNotFound => false,
        _ => true,
    }
}

/// One stream's decoder and the policy for its errors. Counts the damaged packets it
/// skipped.
pub(crate) struct StreamDecoder {
    decoder: decoder::Opened,
    path: PathBuf,
    index: usize,
    /// "video" or "audio", for messages.
    kind: &'static str,
    time_base: f64,
    /// Timeline zero in stream seconds ([`crate::probe::origin`]).
    origin: f64,
    /// Time of the last packet sent, seconds: where an error (possibly reported a few
    /// packets late by a threaded decoder) comes from.
    position: f64,
    /// Timeline time of the last frame decoded (whatever range it was in).
    last_frame: Option<f64>,
    /// Video: a frame at or before the part's start, held until the next frame says whether
    /// it is still on screen at the start; and the frame that said so, given out next.
    held: Option<(frame::Video, f64)>,
    pending: Option<(frame::Video, f64)>,
    /// End of stream has been sent (the decoder is being drained).
    draining: bool,
    skipped: u64,
}

/// What [`StreamDecoder::next_in`] found.
pub(crate) enum Next {
    /// A frame inside the range, at this source time.
    Frame(f64),
    /// A frame at or after the range's end: the range is done.
    Past,
    /// The decoder needs more input (or has been drained).
    Drained,
}

impl StreamDecoder {
    /// Opens a video stream's decoder with frame threads (they decode ahead while the rest
    /// of the pipeline works). `tune` may set options on the context before it opens.
    pub(crate) fn open_video(
        path: &Path,
        stream: &format::stream::Stream,
        origin: f64,
        tune: impl FnOnce(&mut codec::context::Context),
    ) -> Result<Self, MediaError> {
        let mut ctx = codec::context::Context::from_parameters(stream.parameters())
            .at(path, "reading video parameters")?;
        ctx.set_threading(codec::threading::Config {
            kind: codec::threading::Type::Frame,
            count: 0,
            safe: false,
        });
        tune(&mut ctx);
        let decoder = ctx
            .decoder()
            .video()
            .at(path, "opening the video decoder")?;
        Ok(Self::new(path, stream, origin, "video", decoder.0))
    }

    /// Which frames the decoder skips from the next packet on; only for a decoder opened
    /// with one thread (a threaded one takes the change some packets late).
    pub(crate) fn set_skip_frame(&mut self, what: ffmpeg_next::ffi::AVDiscard) {
        // SAFETY: a plain field of the open context, read as each packet is decoded.
        unsafe { (*self.decoder.as_mut_ptr()).skip_frame = what };
    }

    /// Opens an audio stream's decoder. Also returns the (rate, channels) it declares.
    pub(crate) fn open_audio(
        path: &Path,
        stream: &format::stream::Stream,
        origin: f64,
    ) -> Result<(Self, u32, u16), MediaError> {
        let ctx = codec::context::Context::from_parameters(stream.parameters())
            .at(path, "reading audio parameters")?;
        let decoder = ctx
            .decoder()
            .audio()
            .at(path, "opening the audio decoder")?;
        let (rate, channels) = (decoder.rate(), decoder.channels());
        Ok((
            Self::new(path, stream, origin, "audio", decoder.0),
            rate,
            channels,
        ))
    }

    fn new(
        path: &Path,
        stream: &format::stream::Stream,
        origin: f64,
        kind: &'static str,
        decoder: decoder::Opened,
    ) -> Self {
        Self {
            decoder,
            path: path.to_path_buf(),
            index: stream.index(),
            kind,
            time_base: f64::from(stream.time_base()),
            origin,
            position: 0.0,
            last_frame: None,
            held: None,
            pending: None,
            draining: false,
            skipped: 0,
        }
    }

    pub(crate) fn index(&self) -> usize {
        self.index
    }

    /// A timestamp of this stream on the timeline (seconds from the container's start).
    pub(crate) fn seconds(&self, ts: i64) -> f64 {
        ts as f64 * self.time_base - self.origin
    }

    /// Where the last frame decoded so far ends, seconds (0 before any).
    pub(crate) fn last_frame_end(&self, frame_dur: f64) -> f64 {
        self.last_frame.map_or(0.0, |t| t + frame_dur)
    }

    /// Damaged packets skipped so far.
    pub(crate) fn skipped(&self) -> u64 {
        self.skipped
    }

    /// Forgets buffered frames (after a seek).
    pub(crate) fn flush(&mut self) {
        self.decoder.flush();
        self.held = None;
        self.pending = None;
        self.draining = false;
    }

    pub(crate) fn send(&mut self, packet: &Packet) -> Result<(), MediaError> {
        if let Some(ts) = packet.pts().or(packet.dts()) {
            self.position = self.seconds(ts);
        }
        match self.decoder.send_packet(packet) {
            Ok(()) => Ok(()),
            Err(e) => self.failed(e),
        }
    }

    /// Starts draining: the frames still buffered come out of [`Self::receive`].
    pub(crate) fn send_eof(&mut self) -> Result<(), MediaError> {
        self.draining = true;
        match self.decoder.send_eof() {
            // Already draining: nothing more to do.
            Ok(()) | Err(Error::Eof) => Ok(()),
            Err(e) => self.failed(e),
        }
    }

    /// The next decoded frame: true with a frame, false once the decoder wants more input
    /// or is drained. Damaged packets reported on the way are skipped and counted.
    pub(crate) fn receive(&mut self, frame: &mut Frame) -> Result<bool, MediaError> {
        let mut errors = 0;
        loop {
            match self.decoder.receive_frame(frame) {
                Ok(()) => return Ok(true),
                Err(Error::Eof) => return Ok(false),
                Err(Error::Other { errno }) if errno == error::EAGAIN => return Ok(false),
                Err(e) => {
                    self.failed(e)?;
                    errors += 1;
                    if errors >= MAX_RECEIVE_ERRORS {
                        return Err(self.decode_error(e));
                    }
                }
            }
        }
    }

    /// The next decoded video frame inside `part`: the frame on screen at its start (the
    /// last one starting at or before it, known once the frame after it is decoded, whatever
    /// the spacing: variable frame rate, gaps), then every frame starting before its end.
    /// Frames before that (those decoded from the keyframe a seek lands on) and frames without
    /// a timestamp are dropped here, which is what makes a cut frame-accurate.
    pub(crate) fn next_in(
        &mut self,
        frame: &mut frame::Video,
        part: &TimeRange,
        frame_dur: f64,
    ) -> Result<Next, MediaError> {
        loop {
            let t = if let Some((f, t)) = self.pending.take() {
                *frame = f;
                t
            } else {
                if !self.receive(frame)? {
                    // The input ended: a held frame is on screen at the start if it lasts
                    // past it (its nominal duration is all there is to go by).
                    if self.draining {
                        if let Some((f, t)) = self.held.take() {
                            if part.keeps_frame(t, frame_dur) {
                                *frame = f;
                                return Ok(Next::Frame(t));
                            }
                        }
                    }
                    return Ok(Next::Drained);
                }
                let Some(ts) = frame.timestamp().or(frame.pts()) else {
                    continue;
                };
                let t = self.seconds(ts);
                self.last_frame = Some(self.last_frame.map_or(t, |l| l.max(t)));
                t
            };
            if t <= part.start + TIME_EPS && !part.is_past(t) {
                let f = std::mem::replace(frame, frame::Video::empty());
                self.held = Some((f, t));
                continue;
            }
            if let Some((h, ht)) = self.held.take() {
                // `t` starts after the start: the held frame is the one on screen at it,
                // unless it is so old that what lies between is missing (a damaged stretch),
                // not a still picture.
                if part.start - ht <= (4.0 * frame_dur).max(MAX_HOLD) {
                    let f = std::mem::replace(frame, h);
                    self.pending = Some((f, t));
                    return Ok(Next::Frame(ht));
                }
            }
            if part.is_past(t) {
                return Ok(Next::Past);
            }
            return Ok(Next::Frame(t));
        }
    }

    /// The error for a range of this stream in which no frame could be decoded.
    pub(crate) fn undecodable(&self, start: f64, end: f64, skipped: u64) -> MediaError {
        MediaError::Undecodable {
            path: self.path.clone(),
            stream: self.kind,
            start,
            end,
            skipped,
        }
    }

    /// Logs and counts a frame that decoded but cannot be used: its parameters come from
    /// damaged data (e.g. an AAC channel count read from garbage).
    pub(crate) fn skip_damaged_frame(&mut self, why: &MediaError) {
        self.skip("frame", why);
    }

    /// A damaged packet is logged and counted; any other error is returned.
    fn failed(&mut self, e: Error) -> Result<(), MediaError> {
        if !is_damaged_packet(&e) {
            return Err(self.decode_error(e));
        }
        self.skip("packet", &e);
        Ok(())
    }

    fn skip(&mut self, what: &'static str, error: &dyn std::fmt::Display) {
        self.skipped += 1;
        tracing::warn!(
            input = %self.path.display(),
            stream = self.index,
            kind = self.kind,
            seconds = self.position,
            %error,
            "damaged {what} skipped"
        );
    }

    fn decode_error(&self, source: Error) -> MediaError {
        MediaError::Decode {
            path: self.path.clone(),
            stream: self.kind,
            position: self.position,
            source,
        }
    }
}

/// A stream decoded over one range of the input by [`decode_range`]; `C` is what its
/// frames go to (shared by all the streams, e.g. the output file).
pub(crate) trait RangeStream<C: ?Sized> {
    fn decoder(&mut self) -> &mut StreamDecoder;

    /// Sees each of this stream's packets before it is decoded.
    fn on_packet(&mut self, _packet: &Packet) {}

    /// Takes every frame the decoder has ready; returns true once past the range's end
    /// (the stream then gets no more packets).
    fn drain(&mut self, cx: &mut C) -> Result<bool, MediaError>;
}

/// Decodes `streams` of `ictx` from `from` (timeline seconds; the last keyframe at or
/// before it; from where the input stands when `None`) until every stream is past its range or the input ends,
/// when the decoders are drained. Dropping the frames before the range's start is each
/// stream's job ([`StreamDecoder::next_in`] for video). Unreadable packets are skipped, up
/// to [`MAX_READ_ERRORS`] in a row; returns how many.
pub(crate) fn decode_range<C: ?Sized>(
    ictx: &mut format::context::Input,
    path: &Path,
    from: Option<f64>,
    cancel: &CancellationToken,
    cx: &mut C,
    streams: &mut [&mut dyn RangeStream<C>],
) -> Result<u64, MediaError> {
    if let Some(t) = from {
        let video = streams
            .iter_mut()
            .map(|s| s.decoder())
            .find(|d| d.kind == "video")
            .map(|d| d.index);
        seek_before(ictx, path, t + crate::probe::origin(ictx), video)?;
        for s in streams.iter_mut() {
            s.decoder().flush();
        }
    }
    let mut done = vec![false; streams.len()];
    let mut unreadable = 0;
    let mut in_a_row = 0;
    let mut packet = Packet::empty();
    while !done.iter().all(|d| *d) {
        if cancel.is_cancelled() {
            return Err(MediaError::Cancelled);
        }
        match packet.read(ictx) {
            Ok(()) => in_a_row = 0,
            Err(Error::Eof) => {
                for (s, _) in streams.iter_mut().zip(&done).filter(|(_, d)| !**d) {
                    s.decoder().send_eof()?;
                    s.drain(cx)?;
                }
                break;
            }
            Err(e) => {
                unreadable += 1;
                in_a_row += 1;
                tracing::warn!(input = %path.display(), error = %e, "unreadable packet skipped");
                if in_a_row > MAX_READ_ERRORS {
                    return Err(MediaError::Libav {
                        path: path.to_path_buf(),
                        stage: "reading packets",
                        source: e,
                    });
                }
                continue;
            }
        }
        let index = packet.stream();
        let Some(i) = streams
            .iter_mut()
            .position(|s| s.decoder().index() == index)
        else {
            continue;
        };
        if done[i] {
            continue;
        }
        let s = &mut streams[i];
        s.on_packet(&packet);
        s.decoder().send(&packet)?;
        done[i] = s.drain(cx)?;
    }
    Ok(unreadable)
}

/// Packets read after a seek in search of the keyframe it should have landed on.
const PEEK_PACKETS: usize = 5000;

/// Seeks so that decoding starts at a keyframe of stream `video` at or before `target`
/// (absolute seconds). Indexed containers (MP4, MKV) land there directly. MPEG-TS and
/// MPEG-PS have no index: libavformat's search lands on any packet near the target, often
/// after the GOP's keyframe, and the decoder then drops everything up to the next one (a 2 s
/// cut lost 12 of its 60 frames; a file with one keyframe lost all of them). So the landing
/// is checked by reading ahead to the first keyframe, and the seek backs off (1, 2, 4 ... s,
/// then the start of the file) until that keyframe is not after the target.
fn seek_before(
    ictx: &mut format::context::Input,
    path: &Path,
    target: f64,
    video: Option<usize>,
) -> Result<(), MediaError> {
    let seek = |ictx: &mut format::context::Input, t: f64| {
        let ts = (t * f64::from(ffmpeg_next::ffi::AV_TIME_BASE)) as i64;
        ictx.seek(ts, ..ts).at(path, "seeking")
    };
    let Some(index) = video else {
        return seek(ictx, target);
    };
    let origin = crate::probe::origin(ictx);
    let tb = ictx.stream(index).map_or(0.0, |s| f64::from(s.time_base()));
    let mut back = 0.0;
    loop {
        let at = (target - back).max(origin);
        seek(ictx, at)?;
        if at <= origin {
            return Ok(());
        }
        match first_keyframe(ictx, index, tb) {
            Some(k) if k <= target + 1e-3 => return seek(ictx, at),
            landed => {
                tracing::debug!(input = %path.display(), target, at, ?landed, "seek landed after the target, backing off");
                back = if back == 0.0 { 1.0 } else { back * 2.0 };
                if back > 64.0 {
                    back = f64::INFINITY;
                }
            }
        }
    }
}

/// Presentation time (absolute seconds) of the first keyframe of stream `index` from where
/// the input stands, if one comes soon.
fn first_keyframe(ictx: &mut format::context::Input, index: usize, tb: f64) -> Option<f64> {
    let mut packet = Packet::empty();
    for _ in 0..PEEK_PACKETS {
        match packet.read(ictx) {
            Ok(()) => {}
            Err(Error::Eof) => return None,
            Err(_) => continue,
        }
        if packet.stream() == index && packet.is_key() {
            return packet.pts().or(packet.dts()).map(|ts| ts as f64 * tb);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_data_is_skipped_whatever_code_the_decoder_uses_but_resource_errors_are_not() {
        for e in [
            Error::InvalidData,
            Error::PatchWelcome,
            Error::from(-1), // a bare `return -1`: AVERROR(EPERM)
            Error::Other {
                errno: error::EINVAL,
            },
            Error::Other {
                errno: error::ERANGE,
            },
        ] {
            assert!(is_damaged_packet(&e), "{e}");
        }
        for e in [
            Error::Other {
                errno: error::ENOMEM,
            },
            Error::Other {
                errno: error::EAGAIN,
            },
            Error::Bug,
            Error::Bug2,
            Error::External,
            Error::Exit,
        ] {
            assert!(!is_damaged_packet(&e), "{e}");
        }
    }
}
