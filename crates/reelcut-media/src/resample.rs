//! The one owner of libswresample calls: audio sample format, channel and rate conversion to
//! f32, with its output sized by libswresample itself. Every raw `swr_*` call of the crate
//! is in this file.

use std::path::{Path, PathBuf};
use std::ptr;

use ffmpeg_next::{ffi, format, frame, software::resampling, ChannelLayout, Error};

use crate::error::LibavContext;
use crate::MediaError;

/// Converts audio of one input format (sample format, channel layout, rate) to f32, packed
/// or planar, of one output layout and rate. Output comes back as one `Vec` per plane: one
/// interleaved plane for packed output, one per channel for planar.
pub(crate) struct Resampler {
    ctx: resampling::Context,
    path: PathBuf,
    in_format: format::Sample,
    in_channels: usize,
    out_channels: usize,
    out_planar: bool,
}

impl Resampler {
    pub(crate) fn new(
        path: &Path,
        (in_format, in_layout, in_rate): (format::Sample, ChannelLayout, u32),
        (out_layout, out_planar, out_rate): (ChannelLayout, bool, u32),
    ) -> Result<Self, MediaError> {
        let out_format = format::Sample::F32(if out_planar {
            format::sample::Type::Planar
        } else {
            format::sample::Type::Packed
        });
        let ctx = resampling::Context::get(
            in_format, in_layout, in_rate, out_format, out_layout, out_rate,
        )
        .at(path, "creating the audio resampler")?;
        Ok(Self {
            ctx,
            path: path.to_path_buf(),
            in_format,
            in_channels: in_layout.channels().max(1) as usize,
            out_channels: out_layout.channels().max(1) as usize,
            out_planar,
        })
    }

    /// Caps the gain of the channel matrix. For float output libswresample does not
    /// normalise its downmix matrix, so stereo to mono becomes 0.707 (L + R) and can exceed
    /// 1.0; a cap of 1 makes the downmix an average.
    pub(crate) fn limit_gain(&mut self, max: f64) -> Result<(), MediaError> {
        // SAFETY: the context is valid and not converting; setting an option and
        // re-initialising is libswresample's documented way to change it.
        let rc = unsafe {
            let s = self.ctx.as_mut_ptr();
            let rc = ffi::av_opt_set_double(s as *mut _, c"rematrix_maxval".as_ptr(), max, 0);
            if rc < 0 {
                rc
            } else {
                ffi::swr_init(s)
            }
        };
        if rc < 0 {
            return Err(self.error("configuring the audio resampler", Error::from(rc)));
        }
        Ok(())
    }

    /// Converts a decoded frame. The frame must be in the input format this resampler was
    /// made for (sample format and channel count); otherwise `Error::InputChanged`.
    pub(crate) fn convert_frame(
        &mut self,
        frame: &frame::Audio,
    ) -> Result<Vec<Vec<f32>>, MediaError> {
        if frame.format() != self.in_format || usize::from(frame.channels()) != self.in_channels {
            return Err(self.error("resampling audio", Error::InputChanged));
        }
        let n = frame.samples();
        if n == 0 {
            return Ok(self.empty());
        }
        // SAFETY: a decoded frame's extended_data holds one pointer per plane (planar) or
        // one (packed), each with `n` samples of `in_format` for `in_channels` channels:
        // exactly what libswresample reads for this context (checked above).
        let input = unsafe { (*frame.as_ptr()).extended_data as *mut *const u8 };
        // SAFETY: as above.
        unsafe { self.run(input, n) }
    }

    /// Converts planar f32 input, one slice per channel, all of the same length. The
    /// resampler must have been made for planar f32 input of that many channels.
    pub(crate) fn convert_planar(&mut self, input: &[&[f32]]) -> Result<Vec<Vec<f32>>, MediaError> {
        let n = input.first().map_or(0, |c| c.len());
        if self.in_format != format::Sample::F32(format::sample::Type::Planar)
            || input.len() != self.in_channels
            || input.iter().any(|c| c.len() != n)
        {
            return Err(self.error("resampling audio", Error::InputChanged));
        }
        if n == 0 {
            return Ok(self.empty());
        }
        let mut planes: Vec<*const u8> = input.iter().map(|c| c.as_ptr().cast()).collect();
        // SAFETY: one pointer per channel, each to `n` f32 samples that outlive the call.
        unsafe { self.run(planes.as_mut_ptr(), n) }
    }

    /// Drains the samples the resampler still holds (its filter delay).
    pub(crate) fn flush(&mut self) -> Result<Vec<Vec<f32>>, MediaError> {
        let mut out = self.empty();
        loop {
            // SAFETY: a null input with a count of 0 is libswresample's flush.
            let tail = unsafe { self.run(ptr::null_mut(), 0) }?;
            if tail[0].is_empty() {
                return Ok(out);
            }
            for (o, t) in out.iter_mut().zip(tail) {
                o.extend_from_slice(&t);
            }
        }
    }

    /// One `swr_convert` call with an output buffer as large as libswresample says `n`
    /// input samples (plus what it holds) can produce.
    ///
    /// # Safety
    /// `input` is null with `n == 0`, or points to one pointer per input plane, each to
    /// `n` samples in the input format.
    unsafe fn run(&mut self, input: *mut *const u8, n: usize) -> Result<Vec<Vec<f32>>, MediaError> {
        let stage = if input.is_null() {
            "flushing the audio resampler"
        } else {
            "resampling audio"
        };
        let count = i32::try_from(n).map_err(|_| self.error(stage, Error::InvalidData))?;
        // SAFETY: valid context; this only reads its state.
        let cap = unsafe { ffi::swr_get_out_samples(self.ctx.as_mut_ptr(), count) };
        if cap < 0 {
            return Err(self.error(stage, Error::from(cap)));
        }
        let per_plane = if self.out_planar {
            1
        } else {
            self.out_channels
        };
        let planes = if self.out_planar {
            self.out_channels
        } else {
            1
        };
        let mut out: Vec<Vec<f32>> = vec![vec![0.0; cap as usize * per_plane]; planes];
        let mut out_ptrs: Vec<*mut u8> = out.iter_mut().map(|p| p.as_mut_ptr().cast()).collect();
        // SAFETY: each output plane has room for `cap` samples of the output format (f32,
        // `per_plane` channels interleaved), the most swr_get_out_samples says this call can
        // write; the input is valid per this function's contract.
        let got = unsafe {
            ffi::swr_convert(
                self.ctx.as_mut_ptr(),
                out_ptrs.as_mut_ptr(),
                cap,
                input,
                count,
            )
        };
        if got < 0 {
            return Err(self.error(stage, Error::from(got)));
        }
        for p in &mut out {
            p.truncate(got as usize * per_plane);
        }
        Ok(out)
    }

    fn empty(&self) -> Vec<Vec<f32>> {
        vec![
            Vec::new();
            if self.out_planar {
                self.out_channels
            } else {
                1
            }
        ]
    }

    fn error(&self, stage: &'static str, source: Error) -> MediaError {
        MediaError::Libav {
            path: self.path.clone(),
            stage,
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FLTP: format::Sample = format::Sample::F32(format::sample::Type::Planar);

    fn resampler(out: (ChannelLayout, bool, u32)) -> Resampler {
        Resampler::new(
            Path::new("test"),
            (FLTP, ChannelLayout::STEREO, 44_100),
            out,
        )
        .unwrap()
    }

    #[test]
    fn resamples_every_sample_once_flush_included() {
        let mut r = resampler((ChannelLayout::STEREO, true, 48_000));
        let chunk = vec![0.25f32; 1000];
        let mut total = 0;
        for _ in 0..10 {
            let out = r.convert_planar(&[&chunk, &chunk]).unwrap();
            assert_eq!(out.len(), 2);
            assert_eq!(out[0].len(), out[1].len());
            total += out[0].len();
        }
        total += r.flush().unwrap()[0].len();
        // 10,000 samples at 44.1 kHz are 10,884 at 48 kHz.
        assert!((total as i64 - 10_884).abs() <= 2, "{total}");
        assert!(
            r.flush().unwrap()[0].is_empty(),
            "a second flush has nothing left"
        );
    }

    #[test]
    fn a_capped_downmix_is_an_average() {
        let ones = vec![1.0f32; 4410];
        let mut plain = resampler((ChannelLayout::MONO, false, 44_100));
        let loud = plain.convert_planar(&[&ones, &ones]).unwrap();
        let mut capped = resampler((ChannelLayout::MONO, false, 44_100));
        capped.limit_gain(1.0).unwrap();
        let avg = capped.convert_planar(&[&ones, &ones]).unwrap();
        // Uncapped, libswresample's float downmix is 0.707 (L + R).
        assert!(
            loud[0].iter().all(|s| (s - 1.414).abs() < 0.01),
            "{:?}",
            &loud[0][..4]
        );
        assert!(
            avg[0].iter().all(|s| (s - 1.0).abs() < 1e-3),
            "{:?}",
            &avg[0][..4]
        );
    }

    #[test]
    fn input_that_does_not_match_is_refused_not_read() {
        let mut r = resampler((ChannelLayout::STEREO, true, 48_000));
        let a = vec![0.0f32; 100];
        let b = vec![0.0f32; 99];
        for input in [
            &[&a[..]][..],
            &[&a[..], &b[..]][..],
            &[&a[..], &a[..], &a[..]][..],
        ] {
            let e = r.convert_planar(input).unwrap_err();
            assert!(
                matches!(
                    e,
                    MediaError::Libav {
                        source: Error::InputChanged,
                        ..
                    }
                ),
                "{e}"
            );
        }
    }
}
