//! H.264 encoder selection: an ordered list, hardware first, libx264 last; the first that
//! opens wins. Each entry translates Reelcut's x264-style preset/CRF into its own options.

use std::sync::Mutex;

use ffmpeg_next::{codec, color, encoder, format, Dictionary, Rational};
use reelcut_core::{EncoderChoice, EncoderSettings, OutputSize};

use crate::MediaError;

/// Encoders that failed to open once in this process (no GPU, no driver): not retried for
/// every clip.
static UNAVAILABLE: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());

struct Candidate {
    name: &'static str,
    options: fn(&EncoderSettings) -> Dictionary<'static>,
}

const CANDIDATES: &[Candidate] = &[
    Candidate {
        name: "h264_nvenc",
        options: nvenc_options,
    },
    Candidate {
        name: "libx264",
        options: x264_options,
    },
];

fn x264_options(s: &EncoderSettings) -> Dictionary<'static> {
    let mut d = Dictionary::new();
    d.set("preset", &s.preset);
    d.set("crf", &s.crf.to_string());
    d
}

fn nvenc_options(s: &EncoderSettings) -> Dictionary<'static> {
    let preset = match s.preset.as_str() {
        "ultrafast" | "superfast" => "p1",
        "veryfast" => "p2",
        "faster" => "p3",
        "fast" => "p4",
        "medium" => "p5",
        "slow" => "p6",
        _ => "p7",
    };
    let mut d = Dictionary::new();
    d.set("preset", preset);
    d.set("rc", "vbr");
    d.set("cq", &s.crf.to_string());
    d.set("b", "0");
    d
}

pub(crate) struct VideoParams {
    pub size: OutputSize,
    pub time_base: Rational,
    pub frame_rate: Rational,
    pub global_header: bool,
}

/// Opens the first usable encoder. Returns it with its name.
pub(crate) fn open_video_encoder(
    settings: &EncoderSettings,
    params: &VideoParams,
) -> Result<(encoder::Video, ffmpeg_next::Codec, &'static str), MediaError> {
    let names: Vec<&'static str> = match &settings.encoder {
        EncoderChoice::Auto => CANDIDATES.iter().map(|c| c.name).collect(),
        EncoderChoice::Named(n) => match CANDIDATES.iter().find(|c| c.name == n) {
            Some(c) => vec![c.name],
            None => {
                return Err(MediaError::NoEncoder {
                    tried: format!("{n} (not one of: h264_nvenc, libx264)"),
                })
            }
        },
    };
    let mut tried = Vec::new();
    for cand in CANDIDATES.iter().filter(|c| names.contains(&c.name)) {
        let Some(codec) = encoder::find_by_name(cand.name) else {
            tried.push(format!("{}: not built into libavcodec", cand.name));
            continue;
        };
        let explicit = names.len() == 1;
        if !explicit
            && UNAVAILABLE
                .lock()
                .map(|u| u.contains(&cand.name))
                .unwrap_or(false)
        {
            tried.push(format!("{}: unavailable", cand.name));
            continue;
        }
        // Hardware encoders fail noisily where there is no device; that is expected in `auto`.
        let opened = if explicit {
            open_one(codec, (cand.options)(settings), params)
        } else {
            crate::init::quietly(|| open_one(codec, (cand.options)(settings), params))
        };
        match opened {
            Ok(enc) => return Ok((enc, codec, cand.name)),
            Err(e) => {
                tracing::debug!(encoder = cand.name, error = %e, "encoder unavailable, trying the next");
                if let Ok(mut u) = UNAVAILABLE.lock() {
                    u.push(cand.name);
                }
                tried.push(format!("{}: {e}", cand.name));
            }
        }
    }
    Err(MediaError::NoEncoder {
        tried: tried.join("; "),
    })
}

fn open_one(
    codec: ffmpeg_next::Codec,
    options: Dictionary<'static>,
    p: &VideoParams,
) -> Result<encoder::Video, ffmpeg_next::Error> {
    let mut enc = codec::context::Context::new_with_codec(codec)
        .encoder()
        .video()?;
    enc.set_width(p.size.width);
    enc.set_height(p.size.height);
    enc.set_format(format::Pixel::YUV420P);
    enc.set_time_base(p.time_base);
    enc.set_frame_rate(Some(p.frame_rate));
    enc.set_aspect_ratio(Rational(1, 1));
    // Every output is SDR BT.709 TV range (the conditioning graph makes it so); say it, so
    // players do not guess (untagged HD is usually taken as BT.709, untagged SD as BT.601).
    enc.set_color_primaries(color::Primaries::BT709);
    enc.set_colorspace(color::Space::BT709);
    enc.set_color_range(color::Range::MPEG);
    // SAFETY: a plain field of a context not yet opened (ffmpeg-next has no setter).
    unsafe {
        (*enc.as_mut_ptr()).color_trc =
            ffmpeg_next::ffi::AVColorTransferCharacteristic::AVCOL_TRC_BT709;
    }
    if p.global_header {
        enc.set_flags(codec::Flags::GLOBAL_HEADER);
    }
    enc.open_with(options)
}
