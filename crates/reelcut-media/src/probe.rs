//! Reading what an input holds before deciding how to cut it.

use std::path::{Path, PathBuf};

use ffmpeg_next::{format, media};

use crate::MediaError;

#[derive(Debug, Clone, PartialEq)]
pub struct MediaInfo {
    pub path: PathBuf,
    pub duration: f64,
    pub width: u32,
    pub height: u32,
    /// Sample (pixel) aspect ratio, 1.0 for square pixels.
    pub sar: f64,
    pub fps: f64,
    pub video_codec: String,
    pub has_audio: bool,
}

/// Opens `path` with libavformat, mapping the usual failures to errors that name the file.
pub(crate) fn open_input(path: &Path) -> Result<format::context::Input, MediaError> {
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
        Ok(_) => {}
    }
    format::input(path).map_err(|source| MediaError::Unreadable {
        path: path.to_path_buf(),
        source,
    })
}

pub fn probe(path: &Path) -> Result<MediaInfo, MediaError> {
    let ictx = open_input(path)?;
    info_of(path, &ictx)
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
    let rate = stream.avg_frame_rate();
    let fps = if rate.numerator() > 0 && rate.denominator() > 0 {
        f64::from(rate)
    } else {
        let r = stream.rate();
        if r.numerator() > 0 && r.denominator() > 0 {
            f64::from(r)
        } else {
            30.0
        }
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
    })
}
