//! Planning one input: options checked, clips placed, subtitles retimed, render specs
//! made; and the helpers that identify finished work. The stages run in `jobs`.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use reelcut_core::captions::CaptionStyle;
use reelcut_core::subtitles::{self, Subtitles};
use reelcut_core::{ClipSpec, ClipsManifest, CropPath, Layout, RenderSpec};
use reelcut_media::{probe, MediaError, MediaInfo};

use crate::{Assets, EngineError, LayoutChoice, RunOptions};

/// Checks options that cannot work before touching any input, so every input of a run
/// fails the same way with the same message.
pub(crate) fn check_options(opts: &RunOptions) -> Result<(), EngineError> {
    if let Some(style) = &opts.captions {
        CaptionStyle::resolve(style).map_err(|source| EngineError::Captions {
            path: style.into(),
            source,
        })?;
    }
    if !(16..=4320).contains(&opts.resolution) {
        return Err(EngineError::Options(format!(
            "--resolution {} is outside 16..4320",
            opts.resolution
        )));
    }
    if opts.encoder.crf > 51 {
        return Err(EngineError::Options(format!(
            "--crf {} is outside 0..51",
            opts.encoder.crf
        )));
    }
    if !reelcut_core::render_spec::X264_PRESETS.contains(&opts.encoder.preset.as_str()) {
        return Err(EngineError::Options(format!(
            "--preset {} is not one of {}",
            opts.encoder.preset,
            reelcut_core::render_spec::X264_PRESETS.join(", ")
        )));
    }
    Ok(())
}

/// What identifies a finished run of `input`: the file (size, modification time) and the
/// options that shaped its clips.
pub(crate) fn run_key(input: &Path, opts: &RunOptions) -> Result<String, EngineError> {
    let meta = std::fs::metadata(input).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => EngineError::Media(MediaError::NotFound {
            path: input.to_path_buf(),
        }),
        _ => EngineError::Io {
            path: input.to_path_buf(),
            source,
        },
    })?;
    let mtime = meta
        .modified()
        .ok()
        .and_then(|m| m.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    // Debug output of the options is stable within a version and covers every field; the
    // output folder is left out (it is where we look).
    let shaping = RunOptions {
        out_dir: Default::default(),
        force: false,
        ..opts.clone()
    };
    let text = format!(
        "{}|{mtime}|{shaping:?}|{}",
        meta.len(),
        env!("CARGO_PKG_VERSION")
    );
    Ok(format!("{:x}", Sha256::digest(text.as_bytes())))
}

/// The manifest at `path` if it records `key` and all its clips exist.
pub(crate) fn finished(path: &Path, key: &str) -> Option<ClipsManifest> {
    let m: ClipsManifest = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    let dir = path.parent()?;
    (m.run_key == key
        && !m.clips.is_empty()
        && m.clips.iter().all(|c| dir.join(&c.output).is_file()))
    .then_some(m)
}

/// The videos in `dir` (and its subfolders with `recursive`), sorted: every file that
/// libavformat opens and finds a video stream in, whatever its extension.
pub fn videos_in(dir: &Path, recursive: bool) -> Result<Vec<PathBuf>, EngineError> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        let entries = std::fs::read_dir(&d).map_err(|source| EngineError::Io {
            path: d.clone(),
            source,
        })?;
        for e in entries.flatten() {
            let p = e.path();
            let name = e.file_name();
            // Hidden entries include our own work folders (.downloads, .partial files).
            if name.to_string_lossy().starts_with('.') {
                continue;
            }
            if p.is_dir() {
                if recursive {
                    pending.push(p);
                }
            } else if probe(&p).is_ok_and(|i| i.duration > 0.0) {
                found.push(p);
            } else {
                tracing::debug!(file = %p.display(), "not a video, skipped");
            }
        }
    }
    found.sort();
    Ok(found)
}

/// A file-system-safe name for an input's output folder.
pub(crate) fn output_stem(input: &Path) -> String {
    let stem = input
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let safe: String = stem
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ' ') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let safe = safe
        .trim_matches(|c| c == '.' || c == ' ')
        .chars()
        .take(120)
        .collect::<String>();
    if safe.is_empty() {
        "input".into()
    } else {
        safe
    }
}

fn load_subtitles(path: &Path) -> Result<Subtitles, EngineError> {
    let text = std::fs::read(path).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => EngineError::Media(MediaError::AssetMissing {
            path: path.to_path_buf(),
            what: "subtitle file",
        }),
        _ => EngineError::Io {
            path: path.to_path_buf(),
            source,
        },
    })?;
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if !matches!(ext.as_str(), "srt" | "vtt" | "ass" | "ssa") {
        return Err(MediaError::SubtitleFormat {
            path: path.to_path_buf(),
        }
        .into());
    }
    subtitles::parse(&String::from_utf8_lossy(&text), &ext).map_err(|source| {
        EngineError::Subtitles {
            path: path.to_path_buf(),
            source,
        }
    })
}

pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), EngineError> {
    reelcut_core::partial::write_atomic(path, bytes).map_err(|source| EngineError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// The render specs of every clip of `input`, with retimed subtitle files written next to
/// where the clips will go. Nothing is rendered yet.
pub fn plan_input(
    input: &Path,
    opts: &RunOptions,
    assets: &Assets,
) -> Result<(MediaInfo, Vec<RenderSpec>), EngineError> {
    check_options(opts)?;
    let subs = opts.subtitles.as_deref().map(load_subtitles).transpose()?;
    let info: MediaInfo = probe(input)?;
    let clips: Vec<ClipSpec> = if opts.clips.is_empty() {
        vec![ClipSpec::single(0.0, info.duration)]
    } else {
        opts.clips.clone()
    };
    // Reject every bad range up front: a user who asked for five clips should not get two
    // and an error.
    for c in &clips {
        for p in &c.parts {
            if p.start >= info.duration || p.end > info.duration + 0.05 {
                return Err(MediaError::RangeOutside {
                    path: input.to_path_buf(),
                    start: p.start,
                    end: p.end,
                    duration: info.duration,
                }
                .into());
            }
        }
    }
    let dir = opts.out_dir.join(output_stem(input));
    std::fs::create_dir_all(&dir).map_err(|source| EngineError::Io {
        path: dir.clone(),
        source,
    })?;
    let size = opts.aspect.output_size(opts.resolution);
    let mut specs = Vec::with_capacity(clips.len());
    for (i, clip) in clips.iter().enumerate() {
        let n = i + 1;
        let clip_subs = match &subs {
            Some(s) => {
                let retimed = s.retime(&clip.parts);
                if retimed.cue_count() == 0 {
                    None
                } else {
                    // Kept next to the clip: creators upload captions separately too.
                    let p = dir.join(format!("clip-{n:02}.{}", retimed.extension()));
                    write_atomic(&p, retimed.render().as_bytes())?;
                    Some(p)
                }
            }
            None => None,
        };
        specs.push(RenderSpec {
            input: input.to_path_buf(),
            output: dir.join(format!("clip-{n:02}.mp4")),
            clip: clip.clone(),
            aspect: opts.aspect,
            size,
            layout: if opts.layout == LayoutChoice::Blur {
                Layout::BlurFit
            } else {
                Layout::Crop
            },
            blur_ranges: Vec::new(),
            crop: Some(CropPath::centered(
                info.width,
                info.height,
                info.sar,
                opts.aspect,
            )),
            subtitles: clip_subs,
            fonts_dir: assets.fonts_dir.clone(),
            font_family: assets.font_family.clone(),
            font_file: assets.font_file.clone(),
            watermark: opts.watermark.clone(),
            encoder: opts.encoder.clone(),
        });
    }
    Ok((info, specs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_are_safe() {
        assert_eq!(output_stem(Path::new("/a/My Video.mp4")), "My Video");
        assert_eq!(output_stem(Path::new("/a/..mp4")), "input");
        assert_eq!(output_stem(Path::new("x/a:b*c.mkv")), "a_b_c");
    }

    #[test]
    fn unavailable_options_are_rejected_clearly() {
        let opts = RunOptions {
            captions: Some("no-such-style".into()),
            ..Default::default()
        };
        assert!(check_options(&opts)
            .unwrap_err()
            .to_string()
            .contains("no-such-style"));
        let opts = RunOptions {
            captions: Some("karaoke".into()),
            ..Default::default()
        };
        assert!(check_options(&opts).is_ok());
        let mut opts = RunOptions::default();
        opts.encoder.preset = "warp".into();
        assert!(check_options(&opts)
            .unwrap_err()
            .to_string()
            .contains("warp"));
    }
}
