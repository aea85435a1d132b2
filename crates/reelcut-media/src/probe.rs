//! Reading what an input holds before deciding how to cut it.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ffmpeg_next::{codec, color, ffi, format, media};

use crate::condition::{Colour, Orientation};
use crate::MediaError;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct MediaInfo {
    pub path: PathBuf,
    /// The container's claim, from the first frame's presentation time; a header can lie
    /// (the render trusts decoded frames, not this).
    pub duration: f64,
    /// Displayed size: the stored picture turned by [`Self::orientation`].
    pub width: u32,
    pub height: u32,
    /// Sample (pixel) aspect ratio of the displayed picture, 1.0 for square pixels.
    pub sar: f64,
    pub fps: f64,
    pub video_codec: String,
    pub has_audio: bool,
    /// Audio streams in the file (`--audio-track` counts them from 0).
    pub audio_tracks: usize,
    /// From the display matrix: how a player turns the stored picture.
    pub orientation: Orientation,
    pub colour: Colour,
    /// The stream's field order says interlaced.
    pub interlaced: bool,
    /// Presentation time of the container's start (seconds; 1.4 for a default MPEG-TS).
    /// Every time Reelcut reports or takes is relative to it, as a player's clock is.
    pub start_time: f64,
}

/// Timeline zero of `ictx`, seconds: the container's start time (the earliest stream's
/// first presentation time, edit lists already applied by the demuxer). The ffmpeg CLI's
/// `-ss` and players count from it; so do the render, the analysis and the 16 kHz audio.
pub(crate) fn origin(ictx: &format::context::Input) -> f64 {
    // SAFETY: plain field read of an open context.
    let start = unsafe { (*ictx.as_ptr()).start_time };
    if start == ffi::AV_NOPTS_VALUE {
        0.0
    } else {
        start as f64 / f64::from(ffi::AV_TIME_BASE)
    }
}

/// The audio stream to use: the `track`-th audio stream (from 0) if asked, else the one
/// marked default, else the first.
pub(crate) fn audio_stream<'a>(
    path: &Path,
    ictx: &'a format::context::Input,
    track: Option<usize>,
) -> Result<Option<format::stream::Stream<'a>>, MediaError> {
    let mut audio = ictx
        .streams()
        .filter(|s| s.parameters().medium() == media::Type::Audio);
    match track {
        Some(n) => {
            let count = ictx
                .streams()
                .filter(|s| s.parameters().medium() == media::Type::Audio)
                .count();
            audio
                .nth(n)
                .map(Some)
                .ok_or_else(|| MediaError::NoAudioTrack {
                    path: path.to_path_buf(),
                    track: n,
                    count,
                })
        }
        None => {
            let all: Vec<_> = audio.collect();
            let default = all
                .iter()
                .position(|s| {
                    s.disposition()
                        .contains(format::stream::Disposition::DEFAULT)
                })
                .unwrap_or(0);
            Ok(all.into_iter().nth(default))
        }
    }
}

/// How long opening a file and reading its stream parameters may take. A sane file takes
/// milliseconds; a crafted one (or a stalled network mount) must not hold a job forever.
const OPEN_DEADLINE: Duration = Duration::from_secs(30);

/// Opens `path` with libavformat, mapping the usual failures to errors that name the file.
/// Only regular files are opened (a FIFO would block in `open` itself, a device would be
/// read without end), and the open and probe stop after [`OPEN_DEADLINE`].
pub(crate) fn open_input(path: &Path) -> Result<format::context::Input, MediaError> {
    open_input_within(path, OPEN_DEADLINE)
}

fn open_input_within(
    path: &Path,
    deadline: Duration,
) -> Result<format::context::Input, MediaError> {
    crate::init();
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(MediaError::NotFound {
                path: path.to_path_buf(),
            })
        }
        Err(source) => {
            return Err(MediaError::Io {
                path: path.to_path_buf(),
                source,
            })
        }
        Ok(m) if m.is_dir() => {
            return Err(MediaError::Invalid {
                path: path.to_path_buf(),
                message: "is a directory".into(),
            })
        }
        Ok(m) if !m.is_file() => {
            return Err(MediaError::Invalid {
                path: path.to_path_buf(),
                message: "not a regular file (a FIFO, device or socket?)".into(),
            })
        }
        Ok(_) => {}
    }
    // libavformat asks this between reads; only the open is bounded (the callback stays
    // with the context, and a render may rightly read for an hour).
    let opening = Arc::new(AtomicBool::new(true));
    let flag = Arc::clone(&opening);
    let started = Instant::now();
    let opened = format::input_with_interrupt(path, move || {
        flag.load(Ordering::Relaxed) && started.elapsed() >= deadline
    });
    opening.store(false, Ordering::Relaxed);
    opened.map_err(|source| {
        if started.elapsed() >= deadline {
            MediaError::Invalid {
                path: path.to_path_buf(),
                message: format!(
                    "opening it took longer than {} s (a damaged file or a stalled disk?)",
                    deadline.as_secs()
                ),
            }
        } else {
            MediaError::Unreadable {
                path: path.to_path_buf(),
                source,
            }
        }
    })
}

pub fn probe(path: &Path) -> Result<MediaInfo, MediaError> {
    let ictx = open_input(path)?;
    info_of(path, &ictx)
}

/// The frame rate whose period is a frame's nominal duration: the average rate, or the
/// stream's base rate (r_frame_rate) where that is higher. In variable-frame-rate video the
/// average understates the rate of the denser stretches (a 30 fps phone clip that drops to
/// 10 fps averages 20), and a frame duration taken from it makes cuts keep a frame that ended
/// before the cut's start. A base rate far above the average is a time base, not a rate.
pub(crate) fn frame_rate(stream: &format::stream::Stream) -> Option<ffmpeg_next::Rational> {
    let valid = |r: ffmpeg_next::Rational| r.numerator() > 0 && r.denominator() > 0;
    let (avg, base) = (stream.avg_frame_rate(), stream.rate());
    match (valid(avg), valid(base)) {
        (true, true)
            if f64::from(base) > f64::from(avg) && f64::from(base) <= 3.0 * f64::from(avg) =>
        {
            Some(base)
        }
        (true, _) => Some(avg),
        (false, true) => Some(base),
        (false, false) => None,
    }
}

/// The input's main video stream.
pub(crate) fn best_video<'a>(
    path: &Path,
    ictx: &'a format::context::Input,
) -> Result<format::stream::Stream<'a>, MediaError> {
    ictx.streams()
        .best(media::Type::Video)
        .ok_or_else(|| MediaError::NoVideo {
            path: path.to_path_buf(),
        })
}

pub(crate) fn info_of(path: &Path, ictx: &format::context::Input) -> Result<MediaInfo, MediaError> {
    let stream = best_video(path, ictx)?;
    let params = stream.parameters();
    // SAFETY: codecpar is valid for as long as the stream (and `ictx`) lives.
    let (width, height, sar_raw) = unsafe {
        let p = &*params.as_ptr();
        (p.width, p.height, p.sample_aspect_ratio)
    };
    if width <= 0 || height <= 0 {
        return Err(MediaError::BadInput {
            path: path.to_path_buf(),
            message: "video stream has no frame size".into(),
        });
    }
    let sar = if sar_raw.num > 0 && sar_raw.den > 0 {
        sar_raw.num as f64 / sar_raw.den as f64
    } else {
        1.0
    };
    let fps = frame_rate(&stream).map_or(30.0, f64::from);
    let orientation = stream
        .side_data()
        .find(|d| d.kind() == codec::packet::side_data::Type::DisplayMatrix)
        .and_then(|d| {
            let b = d.data();
            (b.len() >= 36).then(|| {
                let mut m = [0i32; 9];
                for (i, v) in m.iter_mut().enumerate() {
                    *v = i32::from_ne_bytes([b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3]]);
                }
                Orientation::from_display_matrix(&m)
            })
        })
        .unwrap_or_default();
    // SAFETY: as above.
    let (colour, interlaced) = unsafe {
        let p = &*params.as_ptr();
        use ffi::AVPixelFormat::*;
        let yuvj = [
            AV_PIX_FMT_YUVJ420P,
            AV_PIX_FMT_YUVJ422P,
            AV_PIX_FMT_YUVJ444P,
        ];
        let colour = Colour {
            primaries: color::Primaries::from(p.color_primaries),
            transfer: color::TransferCharacteristic::from(p.color_trc),
            matrix: color::Space::from(p.color_space),
            full_range: p.color_range == ffi::AVColorRange::AVCOL_RANGE_JPEG
                || yuvj.iter().any(|f| *f as i32 == p.format),
        };
        let interlaced = !matches!(
            p.field_order,
            ffi::AVFieldOrder::AV_FIELD_PROGRESSIVE | ffi::AVFieldOrder::AV_FIELD_UNKNOWN
        );
        (colour, interlaced)
    };
    let (width, height, sar) = if orientation.swaps() {
        (height, width, 1.0 / sar)
    } else {
        (width, height, sar)
    };
    let duration = if ictx.duration() > 0 {
        ictx.duration() as f64 / f64::from(ffmpeg_next::ffi::AV_TIME_BASE)
    } else if stream.duration() > 0 {
        stream.duration() as f64 * f64::from(stream.time_base())
    } else {
        0.0
    };
    Ok(MediaInfo {
        path: path.to_path_buf(),
        duration,
        width: width as u32,
        height: height as u32,
        sar,
        fps,
        video_codec: params.id().name().to_string(),
        has_audio: ictx.streams().best(media::Type::Audio).is_some(),
        audio_tracks: ictx
            .streams()
            .filter(|s| s.parameters().medium() == media::Type::Audio)
            .count(),
        orientation,
        colour,
        interlaced,
        start_time: origin(ictx),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/media")
            .join(name)
    }

    #[test]
    fn an_open_past_its_deadline_is_stopped_with_a_clear_error() {
        let file = fixture("frames.mp4");
        assert!(open_input_within(&file, OPEN_DEADLINE).is_ok());
        // A zero deadline: libavformat's first check stops it, as it would a 30 s probe.
        let e = open_input_within(&file, Duration::ZERO)
            .err()
            .expect("stopped");
        assert!(e.to_string().contains("took longer than 0 s"), "{e}");
        assert!(e.to_string().contains("frames.mp4"), "{e}");
    }

    #[test]
    fn only_regular_files_are_opened() {
        let dir = tempfile::tempdir().expect("dir");
        let fifo = dir.path().join("pipe.mp4");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
        let e = open_input(&fifo).err().expect("a FIFO refused");
        assert!(e.to_string().contains("not a regular file"), "{e}");
    }
}
