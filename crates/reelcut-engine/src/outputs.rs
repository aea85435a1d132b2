//! Where an input's clips go and how finished work is recognised: the output folder's name,
//! the run key that says which input and options made a manifest, atomic writes.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use reelcut_core::ClipsManifest;
use reelcut_media::MediaError;

use crate::{EngineError, RunOptions};

/// A file-system-safe name for an input's output folder.
pub(crate) fn output_stem(input: &Path) -> String {
    let stem = input.file_stem().unwrap_or_default().to_string_lossy();
    reelcut_core::safe_stem(&stem, 120, "input")
}

/// The file in a clips folder that names the input it belongs to.
const OWNER: &str = ".reelcut-input";

/// The clips folder for the local `input` under `out_dir`: its file stem, unless a folder of
/// that name belongs to another input (camera cards name every file GX010001.MP4; `x.mp4`
/// and `x.mov` share a stem), then the stem with 8 hex digits of the input's path. The folder
/// is claimed by a file naming its input, made atomically, so the same input finds the same
/// folder on every run and two inputs (in one run or two, in one process or two) never share
/// one.
pub(crate) fn claim_folder(out_dir: &Path, input: &Path) -> Result<String, EngineError> {
    let me = input
        .canonicalize()
        .unwrap_or_else(|_| input.to_path_buf())
        .to_string_lossy()
        .into_owned();
    let stem = output_stem(input);
    let hashed = format!(
        "{stem}-{}",
        &format!("{:x}", Sha256::digest(me.as_bytes()))[..8]
    );
    for name in [&stem, &hashed] {
        let dir = out_dir.join(name);
        match owner_of(&dir) {
            Some(owner) if owner == me => return Ok(name.clone()),
            Some(_) => continue,
            None => {}
        }
        std::fs::create_dir_all(&dir).map_err(EngineError::io(&dir))?;
        // Written whole under a temporary name, then linked into place: the link fails if
        // another job claimed the folder first, and nobody ever reads a half-written owner.
        let tmp = dir.join(format!("{OWNER}.{}", std::process::id()));
        std::fs::write(&tmp, me.as_bytes()).map_err(EngineError::io(&tmp))?;
        let linked = std::fs::hard_link(&tmp, dir.join(OWNER));
        let _ = std::fs::remove_file(&tmp);
        match linked {
            Ok(()) => return Ok(name.clone()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                if owner_of(&dir).as_deref() == Some(me.as_str()) {
                    return Ok(name.clone());
                }
            }
            Err(e) => return Err(EngineError::io(dir.join(OWNER))(e)),
        }
    }
    // Both names belong to other inputs: only a hash collision does that. No job holds
    // them, so this is not `Busy` (which names a job).
    Err(EngineError::internal(
        format!("{me}: no clips folder of its own"),
        format!("{stem} and {hashed} belong to other inputs"),
    ))
}

/// Which input a clips folder belongs to: its owner file, or for folders of older versions
/// the input its manifest names. `None`: nobody's yet.
fn owner_of(dir: &Path) -> Option<String> {
    if let Ok(owner) = std::fs::read_to_string(dir.join(OWNER)) {
        return Some(owner);
    }
    let m: ClipsManifest =
        serde_json::from_slice(&std::fs::read(dir.join("clips.json")).ok()?).ok()?;
    let input: PathBuf = m.input;
    Some(
        input
            .canonicalize()
            .unwrap_or(input)
            .to_string_lossy()
            .into_owned(),
    )
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
        via: Vec::new(),
        ..opts.clone()
    };
    let text = format!(
        "{}|{mtime}|{shaping:?}|{}",
        meta.len(),
        env!("CARGO_PKG_VERSION")
    );
    Ok(format!("{:x}", Sha256::digest(text.as_bytes())))
}

/// Whether a user edited the framing overrides of a clip since it was rendered (then the
/// work is not finished: it is rendered again with them).
pub(crate) fn overrides_edited(m: &ClipsManifest) -> bool {
    m.clips
        .iter()
        .any(|c| c.overrides_key != reelcut_core::manifest::overrides_key(&c.overrides))
}

/// Whether the manifest at `path` (if it reads) has overrides edited since its render.
pub(crate) fn manifest_edited(path: &Path) -> bool {
    std::fs::read(path)
        .ok()
        .and_then(|b| serde_json::from_slice::<ClipsManifest>(&b).ok())
        .is_some_and(|m| overrides_edited(&m))
}

/// The manifest at `path` if it records `key` and all its clips exist. Only names Reelcut
/// writes count as its clips (`clip-NN.mp4` beside the manifest): an edited manifest that
/// names `../../etc/passwd` must not pass for finished work.
pub(crate) fn finished(path: &Path, key: &str) -> Option<ClipsManifest> {
    let m: ClipsManifest = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    let dir = path.parent()?;
    (m.run_key == key
        && !m.clips.is_empty()
        && !overrides_edited(&m)
        && m.clips
            .iter()
            .all(|c| is_clip_name(&c.output) && dir.join(&c.output).is_file()))
    .then_some(m)
}

/// `clip-NN.mp4` (two or more digits), the only file names Reelcut gives clips.
pub(crate) fn is_clip_name(name: &str) -> bool {
    name.strip_prefix("clip-")
        .and_then(|r| r.strip_suffix(".mp4"))
        .is_some_and(|n| n.len() >= 2 && n.bytes().all(|b| b.is_ascii_digit()))
}

pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), EngineError> {
    reelcut_core::partial::write_atomic(path, bytes).map_err(EngineError::io(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_reelcut_writes_count_as_finished_clips() {
        assert!(is_clip_name("clip-01.mp4") && is_clip_name("clip-123.mp4"));
        for bad in [
            "../../etc/passwd",
            "clip-01.mp4/..",
            "/tmp/clip-01.mp4",
            "clip-1.mp4",
            "clip-aa.mp4",
            "x.mp4",
        ] {
            assert!(!is_clip_name(bad), "{bad}");
        }
        // A manifest with the right key that names a file outside its folder.
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("secret.txt");
        std::fs::write(&outside, b"x").unwrap();
        std::fs::create_dir_all(dir.path().join("v")).unwrap();
        let manifest = dir.path().join("v/clips.json");
        let entry = |output: &str| {
            serde_json::json!({"parts": [], "output": output, "width": 1,
            "height": 1, "duration": 1.0, "aspect": "9:16", "reframe": "center",
            "encoder": "libx264", "frames": 1})
        };
        let write = |output: &str| {
            let m =
                serde_json::json!({"input": "/in.mp4", "run_key": "k", "clips": [entry(output)]});
            std::fs::write(&manifest, serde_json::to_vec(&m).unwrap()).unwrap();
        };
        write("../secret.txt");
        assert!(finished(&manifest, "k").is_none());
        std::fs::write(dir.path().join("v/clip-01.mp4"), b"x").unwrap();
        write("clip-01.mp4");
        assert!(finished(&manifest, "k").is_some());
    }

    #[test]
    fn stems_are_safe() {
        assert_eq!(output_stem(Path::new("/a/My Video.mp4")), "My Video");
        assert_eq!(output_stem(Path::new("/a/..mp4")), "input");
        assert_eq!(output_stem(Path::new("x/a:b*c.mkv")), "a_b_c");
    }
}
