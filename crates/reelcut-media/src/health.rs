//! What the linked libav can do, for `reelcut doctor`: its library versions and which
//! H.264 encoders it has and can open here.

use ffmpeg_next::encoder;
use reelcut_core::{EncoderChoice, EncoderSettings, OutputSize};

use crate::render::encoder::{open_video_encoder, VideoParams};

/// `libavcodec 59.37.100`, … for the libraries the engine links.
pub fn library_versions() -> Vec<(String, String)> {
    let v = |n: u32| format!("{}.{}.{}", n >> 16, (n >> 8) & 0xff, n & 0xff);
    vec![
        ("libavutil".into(), v(ffmpeg_next::util::version())),
        ("libavcodec".into(), v(ffmpeg_next::codec::version())),
        ("libavformat".into(), v(ffmpeg_next::format::version())),
        ("libavfilter".into(), v(ffmpeg_next::filter::version())),
        (
            "libswscale".into(),
            v(ffmpeg_next::software::scaling::version()),
        ),
        (
            "libswresample".into(),
            v(ffmpeg_next::software::resampling::version()),
        ),
    ]
}

/// One H.264 encoder: built into libavcodec, and whether it opened here (a hardware one
/// needs its device and driver).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncoderState {
    pub name: &'static str,
    pub built_in: bool,
    /// Opened a small test stream; `Err` says why not.
    pub opens: Result<(), String>,
    /// Reelcut renders with it (the others are reported, not used).
    pub used: bool,
}

/// The encoders Reelcut renders with (`used`), plus the other hardware H.264 encoders
/// libavcodec may have, each tried on a 256x256 stream.
pub fn h264_encoders() -> Vec<EncoderState> {
    crate::init();
    let params = VideoParams {
        size: OutputSize {
            width: 256,
            height: 256,
        },
        time_base: ffmpeg_next::Rational(1, 30),
        frame_rate: ffmpeg_next::Rational(30, 1),
        global_header: true,
    };
    let used = ["libx264", "h264_nvenc"];
    let others = ["h264_vaapi", "h264_qsv", "h264_v4l2m2m"];
    used.iter()
        .map(|n| (*n, true))
        .chain(others.iter().map(|n| (*n, false)))
        .map(|(name, used)| {
            let built_in = encoder::find_by_name(name).is_some();
            let opens = if !built_in {
                Err("not built into this libavcodec".into())
            } else if used {
                crate::init::quietly(|| {
                    let settings = EncoderSettings {
                        encoder: EncoderChoice::Named(name.to_string()),
                        ..EncoderSettings::default()
                    };
                    open_video_encoder(&settings, &params)
                        .map(drop)
                        .map_err(|e| e.to_string())
                })
            } else {
                Err("built in; Reelcut does not render with it".into())
            };
            EncoderState {
                name,
                built_in,
                opens,
                used,
            }
        })
        .collect()
}
